// examples/common/net/maildir.hpp — Maildir delivery as Dovecot and Courier do it
// (../shared/spec/tools.md; https://cr.yp.to/proto/maildir.html): a message is written to
// tmp/NAME, fsync()ed, and renamed to new/NAME, so a reader never sees half a message. Names are
// unique per host: `SECONDS.MmicrosPpidQseq.HOST` (HOST with '/' and ':' escaped as \057, \072).
//
//   mailwire_net::maildir md("/var/mail/ann");
//   if (auto err = md.prepare(); !err.empty()) fail(err);
//   mailwire_net::maildir_writer w;
//   w.begin(md); w.write("Return-Path: <a@b>\r\n"); w.write(chunk) ...;
//   w.flush(); w.sync_and_publish();     // the last step may run on another thread
//   // or w.abort(): tmp/NAME is removed
//
// The writer buffers up to 64 KiB; memory per message is bounded whatever its size.
#pragma once

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <string>
#include <string_view>

namespace mailwire_net {

class maildir {
 public:
  explicit maildir(std::string dir = {}) : dir_(std::move(dir)) {
    while (dir_.size() > 1 && dir_.back() == '/') dir_.pop_back();
    char h[256] = {};
    if (::gethostname(h, sizeof h - 1) != 0 || h[0] == '\0') std::strcpy(h, "localhost");
    for (const char* p = h; *p != '\0'; ++p) {
      if (*p == '/') host_ += "\\057";
      else if (*p == ':') host_ += "\\072";
      else host_ += *p;
    }
  }

  /// Creates DIR and its tmp/, new/, cur/ when missing (mode 0700); "" or what went wrong.
  [[nodiscard]] std::string prepare() const {
    for (const std::string& d : {dir_, dir_ + "/tmp", dir_ + "/new", dir_ + "/cur"}) {
      if (::mkdir(d.c_str(), 0700) != 0 && errno != EEXIST)
        return "cannot create " + d + ": " + std::strerror(errno);
      struct stat st {};
      if (::stat(d.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return d + " is not a directory";
    }
    return {};
  }

  /// A new unique base name (no ":2," info part).
  [[nodiscard]] std::string unique_name() const {
    static std::atomic<unsigned long> seq{0};
    timeval tv{};
    ::gettimeofday(&tv, nullptr);
    return std::to_string(tv.tv_sec) + ".M" + std::to_string(tv.tv_usec) + "P" +
           std::to_string(::getpid()) + "Q" + std::to_string(++seq) + "." + host_;
  }

  [[nodiscard]] const std::string& path() const noexcept { return dir_; }

 private:
  std::string dir_;
  std::string host_;
};

/// One message being delivered into a maildir.
class maildir_writer {
 public:
  maildir_writer() = default;
  maildir_writer(const maildir_writer&) = delete;
  maildir_writer& operator=(const maildir_writer&) = delete;
  ~maildir_writer() { abort(); }

  /// Opens tmp/NAME (O_EXCL); false with error() set when that fails.
  bool begin(const maildir& md) {
    abort();
    name_ = md.unique_name();
    tmp_ = md.path() + "/tmp/" + name_;
    new_ = md.path() + "/new/" + name_;
    fd_ = ::open(tmp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd_ < 0) return fail("cannot create " + tmp_);
    err_.clear();
    buf_.clear();
    bytes_ = 0;
    return true;
  }

  /// Appends message bytes (buffered). False once anything failed.
  bool write(std::string_view d) {
    if (fd_ < 0) return false;
    bytes_ += d.size();
    if (buf_.size() + d.size() <= buffer_size) {
      buf_.append(d);
      return true;
    }
    if (!flush()) return false;
    if (d.size() >= buffer_size) return write_all(d);
    buf_.append(d);
    return true;
  }

  /// Writes the buffered bytes to the file.
  bool flush() {
    if (fd_ < 0) return false;
    if (buf_.empty()) return true;
    const bool ok = write_all(buf_);
    buf_.clear();
    return ok;
  }

  /// fsync(), close, rename tmp/NAME to new/NAME. Touches only this writer's file, so it may
  /// run on a worker thread while the caller waits. False (tmp/NAME removed) on failure.
  bool sync_and_publish(bool sync = true) {
    if (fd_ < 0 || !buf_.empty()) return fail("flush() first");
    if (sync && ::fsync(fd_) != 0) return fail("fsync " + tmp_);
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) return fail("close " + tmp_);
    if (::rename(tmp_.c_str(), new_.c_str()) != 0) return fail("rename to " + new_);
    tmp_.clear();
    return true;
  }

  /// Gives up: the file is closed and tmp/NAME removed.
  void abort() noexcept {
    if (fd_ >= 0) {
      ::close(fd_);
      fd_ = -1;
    }
    if (!tmp_.empty()) {
      ::unlink(tmp_.c_str());
      tmp_.clear();
    }
    buf_.clear();
    buf_.shrink_to_fit();
  }

  [[nodiscard]] bool open() const noexcept { return fd_ >= 0; }
  [[nodiscard]] const std::string& name() const noexcept { return name_; }
  [[nodiscard]] const std::string& error() const noexcept { return err_; }
  [[nodiscard]] std::uint64_t bytes() const noexcept { return bytes_; }

  static constexpr std::size_t buffer_size = 64 * 1024;

 private:
  bool write_all(std::string_view d) {
    while (!d.empty()) {
      const ssize_t n = ::write(fd_, d.data(), d.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return fail("write " + tmp_);
      d.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }
  bool fail(const std::string& what) {
    err_ = what + (errno != 0 ? std::string(": ") + std::strerror(errno) : std::string());
    abort();
    return false;
  }

  int fd_ = -1;
  std::string name_, tmp_, new_, err_, buf_;
  std::uint64_t bytes_ = 0;
};

}  // namespace mailwire_net
