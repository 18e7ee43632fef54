// examples/imapd/mail_store.hpp — the mailboxes of mailwire-imapd on a Maildir++ tree: INBOX is
// DIR (cur/ new/ tmp/), folder "A.B" is DIR/.A.B/ (hierarchy separator ".", names kept in
// modified UTF-7 as Dovecot and Courier do). Each folder keeps its UIDs in DIR/.../mailwire-uidlist
// (first line "V<uidvalidity> N<uidnext>", then "<uid> <base name>" per message), rewritten
// atomically (tmp + rename) under flock on DIR/.../mailwire-uidlist.lock, so several processes
// may serve the same Maildir. System flags live in the ":2,<letters>" info of the file names
// (RFC 9051 2.3.2 flags as Maildir letters: D Draft, F Flagged, R Answered, S Seen, T Deleted).
#pragma once

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace mailwire_imapd {

/// One message of a folder (RFC 9051 section 2.3).
struct message {
  std::uint32_t uid = 0;
  std::string base;     ///< file name without the ":2," info
  std::string file;     ///< current file name in cur/
  std::string letters;  ///< the info letters, sorted ("FS")
  std::uint64_t size = 0;
  std::time_t mtime = 0;  ///< INTERNALDATE (RFC 9051 2.3.3)
};

/// flock on a folder's lock file for the lifetime of the object.
class folder_lock {
 public:
  explicit folder_lock(const std::string& dir) {
    fd_ = ::open((dir + "/mailwire-uidlist.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ >= 0) (void)::flock(fd_, LOCK_EX);
  }
  ~folder_lock() {
    if (fd_ >= 0) ::close(fd_);
  }
  folder_lock(const folder_lock&) = delete;
  folder_lock& operator=(const folder_lock&) = delete;

 private:
  int fd_ = -1;
};

inline std::vector<std::string> list_dir(const std::string& d) {
  std::vector<std::string> v;
  if (DIR* p = ::opendir(d.c_str())) {
    while (const dirent* e = ::readdir(p))
      if (e->d_name[0] != '.') v.emplace_back(e->d_name);
    ::closedir(p);
  }
  return v;
}

inline bool is_dir(const std::string& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

/// The folder state read from and written to mailwire-uidlist.
struct folder {
  std::string dir;  ///< its Maildir directory
  std::uint32_t uidvalidity = 0, uidnext = 1;
  std::vector<message> msgs;  ///< ascending UIDs

  /// Reads the uidlist and the directories, moves new/ messages to cur/ (their UIDs go to
  /// `fresh`: \Recent for the caller), assigns UIDs to unknown files, forgets vanished ones,
  /// writes the uidlist when it changed. Call under folder_lock.
  bool scan(std::vector<std::uint32_t>* fresh = nullptr) {
    std::map<std::string, std::uint32_t> known;
    bool dirty = false;
    uidvalidity = 0;
    uidnext = 1;
    {
      std::ifstream f(dir + "/mailwire-uidlist");
      std::string line;
      if (std::getline(f, line) && line.size() > 1 && line[0] == 'V') {
        unsigned long v = 0, n = 0;
        if (std::sscanf(line.c_str(), "V%lu N%lu", &v, &n) == 2) {
          uidvalidity = static_cast<std::uint32_t>(v);
          uidnext = static_cast<std::uint32_t>(n);
        }
        while (std::getline(f, line)) {
          const std::size_t sp = line.find(' ');
          if (sp == std::string::npos) continue;
          known[line.substr(sp + 1)] = static_cast<std::uint32_t>(std::stoul(line.substr(0, sp)));
        }
      }
    }
    if (uidvalidity == 0) {
      uidvalidity = static_cast<std::uint32_t>(std::time(nullptr));
      dirty = true;
    }
    std::set<std::string> moved;
    auto names = list_dir(dir + "/new");
    std::sort(names.begin(), names.end());
    for (const std::string& n : names) {
      const std::string b = n.substr(0, n.find(':'));
      if (::rename((dir + "/new/" + n).c_str(), (dir + "/cur/" + b + ":2,").c_str()) == 0) moved.insert(b);
    }
    std::vector<message> found;
    for (const std::string& n : list_dir(dir + "/cur")) {
      message m;
      m.file = n;
      const std::size_t c = n.find(":2,");
      m.base = n.substr(0, n.find(':'));
      if (c != std::string::npos) m.letters = n.substr(c + 3);
      struct stat st {};
      if (::stat((dir + "/cur/" + n).c_str(), &st) != 0) continue;
      m.size = static_cast<std::uint64_t>(st.st_size);
      m.mtime = st.st_mtime;
      const auto it = known.find(m.base);
      if (it != known.end()) m.uid = it->second;
      found.push_back(std::move(m));
    }
    if (found.size() != known.size()) dirty = true;
    // New files get UIDs in name order (Maildir names start with the delivery time).
    std::sort(found.begin(), found.end(), [](const message& a, const message& b) {
      if ((a.uid == 0) != (b.uid == 0)) return a.uid != 0;
      return a.uid != 0 ? a.uid < b.uid : a.base < b.base;
    });
    for (message& m : found)
      if (m.uid == 0) {
        m.uid = uidnext++;
        dirty = true;
        if (fresh != nullptr && moved.count(m.base) != 0) fresh->push_back(m.uid);
      }
    msgs = std::move(found);
    return !dirty || save();
  }

  /// Writes the uidlist (tmp + rename). Call under folder_lock.
  bool save() const {
    const std::string tmp = dir + "/mailwire-uidlist.tmp";
    {
      std::ofstream f(tmp, std::ios::trunc);
      f << 'V' << uidvalidity << " N" << uidnext << '\n';
      for (const message& m : msgs) f << m.uid << ' ' << m.base << '\n';
      if (!f) return false;
    }
    return ::rename(tmp.c_str(), (dir + "/mailwire-uidlist").c_str()) == 0;
  }

  [[nodiscard]] std::string path(const message& m) const { return dir + "/cur/" + m.file; }

  /// Renames the file to carry `letters` (sorted). Call under folder_lock.
  bool set_letters(message& m, std::string letters) {
    std::sort(letters.begin(), letters.end());
    letters.erase(std::unique(letters.begin(), letters.end()), letters.end());
    if (letters == m.letters) return true;
    const std::string file = m.base + ":2," + letters;
    if (::rename(path(m).c_str(), (dir + "/cur/" + file).c_str()) != 0) return false;
    m.file = file;
    m.letters = std::move(letters);
    return true;
  }

  /// Links or writes a new file into cur/ and gives it the next UID (uidlist saved). Call
  /// under folder_lock after scan().
  std::uint32_t add(const std::string& tmp_path, const std::string& base, std::string letters, bool copy) {
    std::sort(letters.begin(), letters.end());
    const std::string file = base + ":2," + letters;
    const std::string dst = dir + "/cur/" + file;
    if (copy ? ::link(tmp_path.c_str(), dst.c_str()) != 0 : ::rename(tmp_path.c_str(), dst.c_str()) != 0) return 0;
    message m;
    m.uid = uidnext++;
    m.base = base;
    m.file = file;
    m.letters = letters;
    struct stat st {};
    if (::stat(dst.c_str(), &st) == 0) {
      m.size = static_cast<std::uint64_t>(st.st_size);
      m.mtime = st.st_mtime;
    }
    msgs.push_back(m);
    return save() ? m.uid : 0;
  }
};

/// A unique Maildir base name (time.Mpid_counter.host style).
inline std::string unique_base() {
  static unsigned long counter = 0;
  char host[128] = {};
  (void)::gethostname(host, sizeof host - 1);
  for (char& c : host)
    if (c == '/' || c == ':') c = '_';
  struct timespec ts {};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return std::to_string(ts.tv_sec) + ".M" + std::to_string(ts.tv_nsec / 1000) + "P" + std::to_string(::getpid()) +
         "Q" + std::to_string(++counter) + "." + host;
}

/// The directory of a mailbox name (wire form, modified UTF-7): INBOX -> root, "A.B" -> root/.A.B.
/// Empty for names we refuse ("/" in them, leading or doubled ".").
inline std::string folder_dir(const std::string& root, std::string_view name) {
  if (name.size() == 5) {
    std::string u(name);
    for (char& c : u) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (u == "INBOX") return root;
  }
  if (name.empty() || name.front() == '.' || name.back() == '.' || name.find('/') != std::string_view::npos ||
      name.find("..") != std::string_view::npos)
    return {};
  return root + "/." + std::string(name);
}

inline bool make_maildir(const std::string& d) {
  for (const std::string& s : {d, d + "/cur", d + "/new", d + "/tmp"})
    if (::mkdir(s.c_str(), 0700) != 0 && errno != EEXIST) return false;
  return true;
}

}  // namespace mailwire_imapd
