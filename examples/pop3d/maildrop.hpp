// examples/pop3d/maildrop.hpp — a Maildir (its new/ and cur/) seen as a POP3 maildrop
// (RFC 1939 sections 4-6, ../shared/spec/tools.md):
// - messages numbered 1..n in the order of their file names (Maildir names start with the
//   delivery time), fixed for the session;
// - sizes as the messages are sent: every line end counted as CRLF, a last line without one
//   counted with the CRLF the session adds (RFC 1939 section 11), byte-stuffing not counted;
//   Dovecot's ",W=<size>" in a name is used when present;
// - unique-ids (RFC 1939 section 7: 1-70 octets of 0x21-0x7E): the base name of the file,
//   or the MD5 of it in hex when the name does not fit; stable across sessions and renames;
// - an exclusive lock (RFC 1939 section 4: "-ERR [IN-USE]", RFC 2449 section 8.1.1) held from
//   login to the end of the session: flock() on DIR/mailwire-pop3.lock, so other mailwire-pop3d
//   processes (--stdio) and other connections of the same process are kept out alike;
// - removal of the DELE'd messages at QUIT (the UPDATE state).
#pragma once

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "net/digest.hpp"

namespace mailwire_pop3d {

struct message {
  std::string name;  ///< file name in new/ or cur/ (with its ":2,..." info)
  bool in_new = false;
  std::string uid;
  std::uint64_t size = 0;
};

using mailwire_net::md5_hex;

/// Counts octets as the POP3 session sends a message: CR LF, a bare CR and a bare LF are each
/// one CRLF; a message that does not end with a line end gets one.
class sent_size {
 public:
  void add(std::string_view d) noexcept {
    for (const char c : d) {
      if (cr_) {
        cr_ = false;
        n_ += 2;
        line_start_ = true;
        if (c == '\n') continue;
      }
      if (c == '\r') {
        cr_ = true;
      } else if (c == '\n') {
        n_ += 2;
        line_start_ = true;
      } else {
        ++n_;
        line_start_ = false;
      }
    }
  }
  [[nodiscard]] std::uint64_t total() const noexcept { return n_ + (cr_ || !line_start_ ? 2 : 0); }

 private:
  std::uint64_t n_ = 0;
  bool cr_ = false;
  bool line_start_ = true;
};

class maildrop {
 public:
  explicit maildrop(std::string dir) : dir_(std::move(dir)) {}
  maildrop(const maildrop&) = delete;
  maildrop& operator=(const maildrop&) = delete;
  ~maildrop() { unlock(); }

  enum class open_result { ok, in_use, failed };

  /// Locks the maildrop and reads its listing; `error()` says why when not ok.
  open_result open() {
    lock_fd_ = ::open((dir_ + "/mailwire-pop3.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (lock_fd_ < 0) return fail("cannot open the lock file");
    if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
      const bool busy = errno == EWOULDBLOCK;
      unlock();
      if (busy) return open_result::in_use;
      return fail("cannot lock");
    }
    messages_.clear();
    if (!scan("new", true) || !scan("cur", false)) {
      unlock();
      return open_result::failed;
    }
    std::sort(messages_.begin(), messages_.end(),
              [](const message& a, const message& b) { return a.name < b.name; });
    for (message& m : messages_)
      if (!measure(m)) {
        unlock();
        return open_result::failed;
      }
    return open_result::ok;
  }

  void unlock() noexcept {
    if (lock_fd_ >= 0) ::close(lock_fd_);  // closing releases the flock
    lock_fd_ = -1;
  }

  [[nodiscard]] const std::vector<message>& messages() const noexcept { return messages_; }
  [[nodiscard]] const std::string& error() const noexcept { return err_; }

  /// Opens message n (1-based) for reading: its path, or the same base name in new/ or cur/
  /// when another program moved it (an IMAP server setting flags renames files). -1 if gone.
  [[nodiscard]] int open_message(std::uint32_t n) const {
    const message& m = messages_.at(n - 1);
    int fd = ::open(path(m.in_new, m.name).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd >= 0) return fd;
    const std::string base = m.name.substr(0, m.name.find(':'));
    for (const bool in_new : {true, false})
      for_each_file(in_new ? "new" : "cur", [&](const std::string& name) {
        if (fd < 0 && name.substr(0, name.find(':')) == base)
          fd = ::open(path(in_new, name).c_str(), O_RDONLY | O_CLOEXEC);
      });
    return fd;
  }

  /// Removes messages `numbers` (1-based); false if one could not be removed (the others are).
  bool remove(const std::vector<std::uint32_t>& numbers) {
    bool ok = true;
    for (const std::uint32_t n : numbers) {
      const message& m = messages_.at(n - 1);
      if (::unlink(path(m.in_new, m.name).c_str()) == 0 || errno != ENOENT) continue;
      // Renamed meanwhile (flags set by an IMAP server): remove it under its new name.
      bool gone = false;
      const std::string base = m.name.substr(0, m.name.find(':'));
      for (const bool in_new : {true, false})
        for_each_file(in_new ? "new" : "cur", [&](const std::string& name) {
          if (!gone && name.substr(0, name.find(':')) == base) gone = ::unlink(path(in_new, name).c_str()) == 0;
        });
      (void)gone;  // already removed by someone else: the message is gone either way
    }
    for (const std::uint32_t n : numbers) {
      const message& m = messages_.at(n - 1);
      struct stat st {};
      if (::stat(path(m.in_new, m.name).c_str(), &st) == 0) ok = false;
    }
    return ok;
  }

 private:
  [[nodiscard]] std::string path(bool in_new, const std::string& name) const {
    return dir_ + (in_new ? "/new/" : "/cur/") + name;
  }

  template <class F>
  void for_each_file(const char* sub, F&& f) const {
    DIR* d = ::opendir((dir_ + "/" + sub).c_str());
    if (d == nullptr) return;
    while (const dirent* e = ::readdir(d))
      if (e->d_name[0] != '.') f(std::string(e->d_name));
    ::closedir(d);
  }

  bool scan(const char* sub, bool in_new) {
    DIR* d = ::opendir((dir_ + "/" + sub).c_str());
    if (d == nullptr) {
      if (errno == ENOENT) return true;
      fail(std::string("cannot read ") + sub + "/");
      return false;
    }
    while (const dirent* e = ::readdir(d)) {
      if (e->d_name[0] == '.') continue;
      message m;
      m.name = e->d_name;
      m.in_new = in_new;
      messages_.push_back(std::move(m));
    }
    ::closedir(d);
    return true;
  }

  bool measure(message& m) {
    const std::string base = m.name.substr(0, m.name.find(':'));
    bool uid_ok = !base.empty() && base.size() <= 70;
    for (const char c : base) uid_ok = uid_ok && c >= 0x21 && c <= 0x7E;
    m.uid = uid_ok ? base : md5_hex(base);
    // ",W=<size>": the size with CRLF line ends, as Dovecot names its files.
    for (std::size_t at = base.find(",W="); at != std::string::npos; at = std::string::npos) {
      std::uint64_t v = 0;
      std::size_t i = at + 3;
      for (; i < base.size() && base[i] >= '0' && base[i] <= '9' && v < (1ull << 50); ++i) v = v * 10 + (base[i] - '0');
      if (i > at + 3 && (i == base.size() || base[i] == ',')) {
        m.size = v;
        return true;
      }
    }
    const int fd = ::open(path(m.in_new, m.name).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT) return true;  // gone meanwhile: listed with size 0, RETR says so
      fail("cannot open " + m.name);
      return false;
    }
    sent_size s;
    char buf[64 * 1024];
    for (;;) {
      const ssize_t n = ::read(fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      s.add(std::string_view(buf, static_cast<std::size_t>(n)));
    }
    ::close(fd);
    m.size = s.total();
    return true;
  }

  open_result fail(const std::string& what) {
    err_ = what + (errno != 0 ? std::string(": ") + std::strerror(errno) : std::string());
    return open_result::failed;
  }

  std::string dir_;
  std::string err_;
  int lock_fd_ = -1;
  std::vector<message> messages_;
};

/// Cuts a message for TOP n (RFC 1939 section 7): the header, the blank line, then n lines of
/// the body. Feed chunks; each returns how much of it to send; done() once the rest is cut.
class top_filter {
 public:
  explicit top_filter(std::uint64_t lines) : left_(lines) {}

  std::size_t take(std::string_view d) noexcept {
    std::size_t i = 0;
    for (; i < d.size() && !done_; ++i) {
      const char c = d[i];
      if (c != '\n') {
        if (c != '\r') blank_ = false;
        continue;
      }
      if (header_) {
        if (blank_) {  // the empty line ending the header
          header_ = false;
          if (left_ == 0) done_ = true;
        }
      } else if (--left_ == 0) {
        done_ = true;
      }
      blank_ = true;
    }
    return i;
  }
  [[nodiscard]] bool done() const noexcept { return done_; }

 private:
  std::uint64_t left_;
  bool header_ = true;
  bool blank_ = true;  // at a line start, nothing but CR seen on this line yet
  bool done_ = false;
};

}  // namespace mailwire_pop3d
