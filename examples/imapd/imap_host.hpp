// examples/imapd/imap_host.hpp — the host side of one mailwire-imapd connection, without I/O: it
// drives an imap::server_session (which answers CAPABILITY, LOGOUT, STARTTLS, ENABLE, ID, IDLE,
// literals and every syntax error itself), checks logins against --users (LOGIN, AUTHENTICATE
// PLAIN / LOGIN with SASL-IR) and serves the Maildir++ tree of mail_store.hpp. Before each
// command in the selected state it rescans the folder (other sessions and deliveries into new/)
// and reports EXISTS / EXPUNGE / FETCH FLAGS through the session, which keeps the RFC 9051
// section 7.5.1 timing. Untagged responses are built as text and parsed with parse_response, so
// everything sent goes through the library's serializer. The transport is net/serve.hpp.
#pragma once

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <fmt/core.h>

#include <chrono>
#include <cstdint>
#include <ctime>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "mail_store.hpp"
#include "mailwire/core/ascii.hpp"
#include "mailwire/imap/mime_structure.hpp"
#include "mailwire/imap/response.hpp"
#include "mailwire/mime/message.hpp"
#include "mailwire/imap/server.hpp"
#include "net/sasl_auth.hpp"
#include "net/serve.hpp"
#include "net/users.hpp"

namespace mailwire_imapd {

namespace imap = mailwire::imap;
namespace ascii = mailwire::ascii;
using mailwire::status;
using mailwire_net::want;
using imap::command_kind;
using imap::server_event_kind;

/// What every connection shares.
struct config {
  imap::server_options session;
  std::string maildir;
  const mailwire_net::users_file* users = nullptr;
  bool plaintext_auth = false;
  bool quiet = false;
};

/// "(\Seen \Answered ...)" for Maildir info letters (RFC 9051 section 2.3.2).
inline std::string flags_of(std::string_view letters, bool recent) {
  std::string s = "(";
  auto add = [&](std::string_view f) {
    if (s.size() > 1) s.push_back(' ');
    s.append(f);
  };
  for (char c : letters) {
    switch (c) {
      case 'D': add("\\Draft"); break;
      case 'F': add("\\Flagged"); break;
      case 'R': add("\\Answered"); break;
      case 'S': add("\\Seen"); break;
      case 'T': add("\\Deleted"); break;
      default: break;
    }
  }
  if (recent) add("\\Recent");
  s.push_back(')');
  return s;
}

/// The Maildir letter of a system flag, 0 for others.
inline char letter_of(imap::flag_kind k) {
  switch (k) {
    case imap::flag_kind::answered: return 'R';
    case imap::flag_kind::flagged: return 'F';
    case imap::flag_kind::deleted: return 'T';
    case imap::flag_kind::seen: return 'S';
    case imap::flag_kind::draft: return 'D';
    default: return 0;
  }
}

inline std::string letters_of(const imap::flag_list& fl) {
  std::string l;
  fl.for_each([&](const imap::flag& f) {
    if (const char c = letter_of(f.kind())) l.push_back(c);
  });
  return l;
}

/// INTERNALDATE "dd-Mon-yyyy hh:mm:ss +0000" (RFC 9051 section 9 date-time), UTC.
inline std::string date_time_of(std::time_t t) {
  static constexpr const char* mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  return fmt::format("\"{:02}-{}-{:04} {:02}:{:02}:{:02} +0000\"", tm.tm_mday, mon[tm.tm_mon], tm.tm_year + 1900,
                     tm.tm_hour, tm.tm_min, tm.tm_sec);
}

inline std::string quote(std::string_view s) {
  std::string q = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') q.push_back('\\');
    q.push_back(c);
  }
  q.push_back('"');
  return q;
}

inline std::string literal(std::string_view s) { return "{" + std::to_string(s.size()) + "}\r\n" + std::string(s); }

inline bool read_file(const std::string& p, std::string& out) {
  out.clear();
  const int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return true;
}

/// The message as sent: a bare LF becomes CRLF (RFC 9051 section 4.3: CRLF line ends in
/// message text; Maildir files written by Unix tools may have LF only), as Dovecot sends it.
inline void to_wire(std::string& m) {
  std::size_t lf = 0;
  for (std::size_t i = 0; i < m.size(); ++i)
    if (m[i] == '\n' && (i == 0 || m[i - 1] != '\r')) ++lf;
  if (lf == 0) return;
  std::string out;
  out.reserve(m.size() + lf);
  for (std::size_t i = 0; i < m.size(); ++i) {
    if (m[i] == '\n' && (i == 0 || m[i - 1] != '\r')) out.push_back('\r');
    out.push_back(m[i]);
  }
  m.swap(out);
}

/// Case-insensitive substring search (ASCII).
inline bool icontains(std::string_view hay, std::string_view needle) {
  if (needle.empty()) return true;
  if (needle.size() > hay.size()) return false;
  for (std::size_t i = 0; i + needle.size() <= hay.size(); ++i)
    if (ascii::iequals(hay.substr(i, needle.size()), needle)) return true;
  return false;
}

/// A message split into header (with its blank line) and body (RFC 5322 section 2.1).
struct split_message {
  std::string_view header, body;
  explicit split_message(std::string_view m) {
    std::size_t p = m.find("\r\n\r\n");
    std::size_t skip = 4;
    const std::size_t q = m.find("\n\n");
    if (q != std::string_view::npos && (p == std::string_view::npos || q < p)) {
      p = q;
      skip = 2;
    }
    if (m.substr(0, 2) == "\r\n") {
      p = 0;
      skip = 2;
    }
    if (p == std::string_view::npos) {
      header = m;
      return;
    }
    header = m.substr(0, p + skip);
    body = m.substr(p + skip);
  }
};

/// Calls f(name, whole_field_text, unfolded value) for each header field.
template <class F>
void for_each_field(std::string_view header, F&& f) {
  std::size_t i = 0;
  while (i < header.size()) {
    std::size_t end = i;
    for (;;) {
      const std::size_t nl = header.find('\n', end);
      if (nl == std::string_view::npos) {
        end = header.size();
        break;
      }
      end = nl + 1;
      if (end >= header.size() || (header[end] != ' ' && header[end] != '\t')) break;
    }
    const std::string_view field = header.substr(i, end - i);
    const std::size_t colon = field.find(':');
    if (colon != std::string_view::npos) {
      std::string v;
      for (char c : field.substr(colon + 1))
        if (c != '\r' && c != '\n') v.push_back(c);
      f(field.substr(0, colon), field, v);
    }
    i = end;
  }
}

class host {
 public:
  host(const config& c, const mailwire_net::peer_info& peer)
      : cfg_(c), s_(options(c, peer)), sasl_(c.users), id_(peer.id) {
    lim_.authenticated = true;
    lim_.literal_after_auth = ~std::uint64_t{0} >> 2;
    lim_.line_after_auth = ~std::size_t{0} >> 2;
  }

  void feed(std::string_view bytes) noexcept { pending_ = bytes; }
  void eof() noexcept { eof_ = true; }
  [[nodiscard]] std::string_view output() const noexcept { return s_.output(); }
  void consume(std::size_t n) noexcept { s_.consume_output(n); }
  void tls_started() {
    tls_pending_ = false;
    (void)s_.tls_started();
    if (!cfg_.quiet) log("TLS started (STARTTLS)");
  }

  [[nodiscard]] want run() {
    for (;;) {
      if (!pending_.empty()) pending_.remove_prefix(s_.receive(pending_));
      if (job_.active) {
        if (!pump_fetch()) return want::write;  // the output is full: send it, then go on
        continue;
      }
      const status st = s_.next_event();
      if (st == status::need_more) {
        if (!pending_.empty()) continue;
        if (!output().empty()) return want::write;
        if (s_.closed() || eof_) return want::close;
        return want::read;
      }
      if (st == status::error) {
        if (!failed_) {
          failed_ = true;
          log("session error at offset {}: {}", s_.error_offset(), imap::to_string(s_.error()));
        }
        return output().empty() ? want::close : want::write;
      }
      if (st == status::paused) {
        if (!output().empty()) return want::write;
        if (tls_pending_) {
          if (pending_.empty()) return want::tls;
          failed_ = true;
          log("plaintext after STARTTLS: closing without TLS");
          return want::close;
        }
        return want::close;
      }
      on_event(s_.event());
    }
  }

  /// While IDLE runs: how often the transport should call tick() (0: no ticks). Used by
  /// net/serve.hpp once it calls Host::tick() during reads (requested; see the report).
  [[nodiscard]] std::chrono::milliseconds tick_interval() const noexcept {
    return s_.state() == imap::server_state::idling && selected() ? std::chrono::milliseconds(1000)
                                                                  : std::chrono::milliseconds(0);
  }
  /// An IDLE tick (RFC 2177): rescan and push EXISTS / EXPUNGE / FETCH of others' changes.
  void tick() {
    if (s_.state() == imap::server_state::idling && selected()) refresh();
  }

  [[nodiscard]] bool ok() const noexcept { return !failed_ && s_.state() == imap::server_state::logout; }
  void closing() const {
    if (!cfg_.quiet) log("closed");
  }

  template <class... Args>
  void log(fmt::format_string<Args...> f, Args&&... args) const {
    fmt::print(stderr, "mailwire-imapd: [{}] {}\n", id_, fmt::format(f, std::forward<Args>(args)...));
  }

 private:
  struct appended {
    std::string tmp, base, letters;
    std::time_t date = 0;
    bool has_date = false, ok = true;
  };

  static imap::server_options options(const config& c, const mailwire_net::peer_info& peer) {
    imap::server_options o = c.session;
    o.tls_active = peer.implicit_tls;
    o.login_requires_tls = o.tls_available && !c.plaintext_auth && !peer.loopback;
    return o;
  }

  /// Writes an untagged response given as text (one response, CRLF included).
  bool emit(const std::string& text) {
    const auto p = imap::parse_response(text, nullptr, lim_);
    if (p.st != status::event || s_.untagged(p.value) != imap::errc::ok) {
      log("internal: cannot send {:.200}", text);
      return false;
    }
    return true;
  }

  void on_event(const imap::server_event& ev) {
    switch (ev.kind) {
      case server_event_kind::login: {
        const auto& l = std::get<imap::cmd_login>(ev.command.args);
        if (cfg_.users != nullptr && cfg_.users->check(l.user.content(), l.password.content())) {
          user_ = l.user.content();
          (void)s_.accept_login();
          if (!cfg_.quiet) log("login {}", user_);
        } else {
          (void)s_.reject_login();
          log("failed login {}", l.user.content());
        }
        break;
      }
      case server_event_kind::authenticate: {
        const auto& a = std::get<imap::cmd_authenticate>(ev.command.args);
        std::optional<std::string_view> init;
        if (a.has_initial) init = a.initial == "=" ? std::string_view() : a.initial;
        sasl_result(sasl_.start(a.mechanism.text(), init));
        break;
      }
      case server_event_kind::auth_response: sasl_result(sasl_.step(ev.data)); break;
      case server_event_kind::append_begin: append_begin(ev); break;
      case server_event_kind::append_data:
        if (append_fd_ >= 0 && !write_all(append_fd_, ev.data)) appends_.back().ok = false;
        break;
      case server_event_kind::append_end:
        if (append_fd_ >= 0) {
          if (::fsync(append_fd_) != 0) appends_.back().ok = false;
          ::close(append_fd_);
          append_fd_ = -1;
        }
        break;
      case server_event_kind::command_error: discard_appends(); break;
      case server_event_kind::idle_begin:
        if (s_.state() == imap::server_state::idling && selected()) refresh();
        break;
      case server_event_kind::starttls: tls_pending_ = true; break;
      case server_event_kind::command: on_command(ev.command); break;
      default: break;
    }
  }

  void sasl_result(const mailwire_net::sasl_step& st) {
    switch (st.k) {
      case mailwire_net::sasl_step::challenge: (void)s_.auth_challenge(st.data); break;
      case mailwire_net::sasl_step::success:
        user_ = st.user;
        (void)s_.accept_login();
        if (!cfg_.quiet) log("login {} (AUTHENTICATE)", user_);
        break;
      default:
        (void)s_.reject_login();
        log("failed AUTHENTICATE {}", st.user);
        break;
    }
  }

  static bool write_all(int fd, std::string_view d) {
    while (!d.empty()) {
      const ssize_t n = ::write(fd, d.data(), d.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      d.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  [[nodiscard]] bool selected() const noexcept { return !sel_.dir.empty(); }

  // -- change detection --------------------------------------------------------------------------

  /// Rescans the selected folder and reports others' changes (RFC 9051 sections 7.4.1, 7.5.1).
  void refresh() {
    if (!selected()) return;
    // Cheap check first: nothing changed when cur/, new/ and the uidlist kept their mtimes
    // (flag changes rename files in cur/, deliveries add to new/, expunges remove from cur/).
    const std::string stamp = stamp_of(sel_.dir);
    if (stamp == stamp_) return;
    std::vector<std::uint32_t> fresh;
    {
      folder_lock lk(sel_.dir);
      (void)sel_.scan(&fresh);
    }
    for (std::uint32_t u : fresh) recent_.insert(u);
    std::set<std::uint32_t> now;
    for (const message& m : sel_.msgs) now.insert(m.uid);
    for (auto it = view_.begin(); it != view_.end();) {
      if (now.count(it->first) == 0) {
        (void)s_.expunged(it->first);
        it = view_.erase(it);
      } else {
        ++it;
      }
    }
    std::vector<std::uint32_t> added;
    const std::uint32_t top = s_.map().max_uid();
    for (const message& m : sel_.msgs) {
      const auto it = view_.find(m.uid);
      if (it == view_.end()) {
        if (m.uid > top) {
          added.push_back(m.uid);
          view_[m.uid] = m.letters;
        }
      } else if (it->second != m.letters) {
        it->second = m.letters;
        if (const std::uint32_t msn = s_.map().msn_of(m.uid))
          emit(fmt::format("* {} FETCH (FLAGS {}{})\r\n", msn, flags_of(m.letters, recent_.count(m.uid) != 0),
                           uid_fetch_ ? fmt::format(" UID {}", m.uid) : std::string()));
      }
    }
    if (!added.empty()) (void)s_.exists(added);
    stamp_ = stamp;  // taken before the scan: a change during it is seen next time
  }

  /// mtimes (ns) of a folder's cur/, new/ and uidlist.
  static std::string stamp_of(const std::string& dir) {
    std::string s;
    for (const char* sub : {"/cur", "/new", "/mailwire-uidlist"}) {
      struct stat st {};
      if (::stat((dir + sub).c_str(), &st) == 0)
        s += std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec) + "/" +
             std::to_string(st.st_ino) + " ";
      else
        s += "- ";
    }
    return s;
  }

  message* find(std::uint32_t uid) {
    const auto it = std::lower_bound(sel_.msgs.begin(), sel_.msgs.end(), uid,
                                     [](const message& m, std::uint32_t u) { return m.uid < u; });
    return it != sel_.msgs.end() && it->uid == uid ? &*it : nullptr;
  }

  // -- commands ----------------------------------------------------------------------------------

  void on_command(const imap::command& c) {
    uid_fetch_ = c.uid;
    if (selected() && c.kind != command_kind::select && c.kind != command_kind::examine) refresh();
    switch (c.kind) {
      case command_kind::noop:
      case command_kind::check: (void)s_.ok(); break;
      case command_kind::select:
      case command_kind::examine: do_select(c); break;
      case command_kind::create: do_create(std::get<imap::cmd_mailbox>(c.args).mbox.name().content()); break;
      case command_kind::delete_: do_delete(std::get<imap::cmd_mailbox>(c.args).mbox.name().content()); break;
      case command_kind::rename: {
        const auto& r = std::get<imap::cmd_rename>(c.args);
        do_rename(r.from.name().content(), r.to.name().content());
        break;
      }
      case command_kind::subscribe:
      case command_kind::unsubscribe:
        do_subscribe(std::get<imap::cmd_mailbox>(c.args).mbox.name().content(), c.kind == command_kind::subscribe);
        break;
      case command_kind::list:
      case command_kind::lsub: do_list(std::get<imap::cmd_list>(c.args), c.kind == command_kind::lsub); break;
      case command_kind::namespace_:
        emit("* NAMESPACE ((\"\" \".\")) NIL NIL\r\n");
        (void)s_.ok();
        break;
      case command_kind::status: do_status(std::get<imap::cmd_status>(c.args)); break;
      case command_kind::append: do_append(std::get<imap::cmd_append>(c.args)); break;
      case command_kind::close:
        if (!s_.read_only()) expunge(nullptr, false);
        close_folder();
        (void)s_.ok();
        break;
      case command_kind::unselect:
        close_folder();
        (void)s_.ok();
        break;
      case command_kind::expunge: {
        if (s_.read_only()) {
          (void)s_.no({}, "Mailbox is read-only");
          break;
        }
        if (c.uid) {
          std::set<std::uint32_t> set;
          const auto& cp = std::get<imap::cmd_copy>(c.args);
          if (s_.map().resolve(cp.set, true, [&](std::uint32_t, std::uint32_t u) { set.insert(u); }) !=
              imap::errc::ok) {
            (void)s_.bad({}, "Invalid UID set");
            break;
          }
          expunge(&set, true);
        } else {
          expunge(nullptr, true);
        }
        (void)s_.ok();
        break;
      }
      case command_kind::search: do_search(c); break;
      case command_kind::fetch: do_fetch(c); break;
      case command_kind::store: do_store(c); break;
      case command_kind::copy:
      case command_kind::move: do_copy(c); break;
      default: (void)s_.bad({}, "Command not supported"); break;
    }
  }

  void close_folder() {
    stamp_.clear();
    sel_ = folder{};
    view_.clear();
    recent_.clear();
  }

  void do_select(const imap::command& c) {
    const auto& a = std::get<imap::cmd_select>(c.args);
    close_folder();
    const std::string dir = folder_dir(cfg_.maildir, a.mbox.name().content());
    if (dir.empty() || !is_dir(dir + "/cur")) {
      (void)s_.no("NONEXISTENT", "No such mailbox");
      return;
    }
    sel_.dir = dir;
    std::vector<std::uint32_t> fresh;
    {
      folder_lock lk(dir);
      if (!sel_.scan(&fresh)) log("cannot write the uidlist of {}", dir);
    }
    recent_.insert(fresh.begin(), fresh.end());
    std::vector<std::uint32_t> uids;
    imap::select_info i;
    for (const message& m : sel_.msgs) {
      uids.push_back(m.uid);
      view_[m.uid] = m.letters;
      if (i.first_unseen == 0 && m.letters.find('S') == std::string::npos)
        i.first_unseen = static_cast<std::uint32_t>(uids.size());
    }
    i.uids = uids;
    i.uidvalidity = sel_.uidvalidity;
    i.uidnext = sel_.uidnext;
    i.recent = static_cast<std::uint32_t>(fresh.size());
    i.permanent_flags = "(\\Answered \\Flagged \\Deleted \\Seen \\Draft)";
    i.delimiter = '.';
    if (s_.select_begin(i) != imap::errc::ok) {
      close_folder();
      (void)s_.no({}, "Cannot open the mailbox");
      return;
    }
    (void)s_.ok();
  }

  // -- mailbox management ------------------------------------------------------------------------

  std::vector<std::string> folder_names() const {
    std::vector<std::string> v{"INBOX"};
    if (DIR* p = ::opendir(cfg_.maildir.c_str())) {
      while (const dirent* e = ::readdir(p)) {
        const std::string n = e->d_name;
        if (n.size() > 1 && n[0] == '.' && n != ".." && is_dir(cfg_.maildir + "/" + n + "/cur"))
          v.push_back(n.substr(1));
      }
      ::closedir(p);
    }
    std::sort(v.begin() + 1, v.end());
    return v;
  }

  void do_create(std::string name) {
    if (!name.empty() && name.back() == '.') name.pop_back();  // RFC 9051 6.3.4: trailing separator
    const std::string dir = folder_dir(cfg_.maildir, name);
    if (dir.empty() || dir == cfg_.maildir) {
      (void)s_.no("CANNOT", "Invalid mailbox name");
      return;
    }
    if (is_dir(dir)) {
      (void)s_.no("ALREADYEXISTS", "Mailbox exists");
      return;
    }
    if (!make_maildir(dir)) {
      (void)s_.no("SERVERBUG", "Cannot create the mailbox");
      return;
    }
    (void)s_.ok();
  }

  static void remove_tree(const std::string& d) {
    if (DIR* p = ::opendir(d.c_str())) {
      while (const dirent* e = ::readdir(p)) {
        const std::string n = e->d_name;
        if (n == "." || n == "..") continue;
        const std::string path = d + "/" + n;
        if (is_dir(path)) remove_tree(path);
        else ::unlink(path.c_str());
      }
      ::closedir(p);
    }
    ::rmdir(d.c_str());
  }

  void do_delete(const std::string& name) {
    const std::string dir = folder_dir(cfg_.maildir, name);
    if (dir.empty() || dir == cfg_.maildir) {
      (void)s_.no("CANNOT", "INBOX cannot be deleted");
      return;
    }
    if (!is_dir(dir)) {
      (void)s_.no("NONEXISTENT", "No such mailbox");
      return;
    }
    if (dir == sel_.dir) {
      (void)s_.no("INUSE", "Mailbox is selected");
      return;
    }
    remove_tree(dir);
    (void)s_.ok();
  }

  void do_rename(const std::string& from, const std::string& to) {
    const std::string a = folder_dir(cfg_.maildir, from), b = folder_dir(cfg_.maildir, to);
    if (a.empty() || b.empty() || a == cfg_.maildir || b == cfg_.maildir) {
      (void)s_.no("CANNOT", "Cannot rename INBOX or to INBOX");
      return;
    }
    if (!is_dir(a)) {
      (void)s_.no("NONEXISTENT", "No such mailbox");
      return;
    }
    if (is_dir(b)) {
      (void)s_.no("ALREADYEXISTS", "Mailbox exists");
      return;
    }
    // The children move too (RFC 9051 section 6.3.6).
    for (const std::string& n : folder_names())
      if (n.size() > from.size() && n.compare(0, from.size() + 1, from + ".") == 0)
        ::rename((cfg_.maildir + "/." + n).c_str(), (cfg_.maildir + "/." + to + n.substr(from.size())).c_str());
    if (::rename(a.c_str(), b.c_str()) != 0) {
      (void)s_.no("SERVERBUG", "Rename failed");
      return;
    }
    (void)s_.ok();
  }

  std::set<std::string> subscriptions() const {
    std::set<std::string> s;
    std::ifstream f(cfg_.maildir + "/subscriptions");
    for (std::string l; std::getline(f, l);)
      if (!l.empty()) s.insert(l);
    return s;
  }

  void do_subscribe(const std::string& name, bool on) {
    std::set<std::string> s = subscriptions();
    if (on) s.insert(name);
    else s.erase(name);
    const std::string tmp = cfg_.maildir + "/subscriptions.tmp";
    {
      std::ofstream f(tmp, std::ios::trunc);
      for (const std::string& n : s) f << n << '\n';
    }
    ::rename(tmp.c_str(), (cfg_.maildir + "/subscriptions").c_str());
    (void)s_.ok();
  }

  /// LIST pattern match: "*" anything, "%" anything but the separator (RFC 9051 6.3.9).
  static bool matches(std::string_view pat, std::string_view name) {
    if (pat.empty()) return name.empty();
    if (pat[0] == '*' || pat[0] == '%') {
      for (std::size_t i = 0; i <= name.size(); ++i) {
        if (matches(pat.substr(1), name.substr(i))) return true;
        if (i < name.size() && pat[0] == '%' && name[i] == '.') return false;
      }
      return false;
    }
    return !name.empty() && pat[0] == name[0] && matches(pat.substr(1), name.substr(1));
  }

  static std::string_view special_use(std::string_view n) {
    if (n == "Sent") return "\\Sent";
    if (n == "Drafts") return "\\Drafts";
    if (n == "Trash") return "\\Trash";
    if (n == "Junk") return "\\Junk";
    if (n == "Archive") return "\\Archive";
    return {};
  }

  void do_list(const imap::cmd_list& l, bool lsub) {
    if (l.patterns.present()) {
      (void)s_.no({}, "Multiple patterns are not supported");
      return;
    }
    const std::string ref = l.reference.name().content();
    const std::string pat = l.pattern.pattern().content();
    if (pat.empty() && !lsub) {
      emit("* LIST (\\Noselect) \".\" \"\"\r\n");
      (void)s_.ok();
      return;
    }
    std::string full = ref + pat;
    const std::vector<std::string> names = folder_names();
    const std::set<std::string> subs = lsub ? subscriptions() : std::set<std::string>{};
    for (const std::string& n : names) {
      std::string cmp = n;
      std::string fp = full;
      if (n == "INBOX" && ascii::iequals(full.substr(0, std::min<std::size_t>(5, full.size())), "INBOX"))
        fp = "INBOX" + full.substr(5);
      if (!matches(fp, cmp)) continue;
      if (lsub && subs.count(n) == 0 && !(n == "INBOX" && subs.count("INBOX") != 0)) continue;
      bool children = false;
      for (const std::string& o : names)
        if (o.size() > n.size() && o.compare(0, n.size() + 1, n + ".") == 0) children = true;
      std::string attrs = children ? "\\HasChildren" : "\\HasNoChildren";
      if (const auto su = special_use(n); !su.empty()) attrs += " " + std::string(su);
      emit(fmt::format("* {} ({}) \".\" {}\r\n", lsub ? "LSUB" : "LIST", attrs, quote(n)));
    }
    (void)s_.ok();
  }

  void do_status(const imap::cmd_status& st) {
    const std::string name = st.mbox.name().content();
    const std::string dir = folder_dir(cfg_.maildir, name);
    if (dir.empty() || !is_dir(dir + "/cur")) {
      (void)s_.no("NONEXISTENT", "No such mailbox");
      return;
    }
    folder f;
    f.dir = dir;
    std::size_t recent = list_dir(dir + "/new").size();
    if (dir == sel_.dir) {
      f = sel_;
      recent = recent_.size();
    } else {
      folder_lock lk(dir);
      (void)f.scan();
    }
    std::string items;
    std::string_view raw = st.items.raw;
    if (raw.size() >= 2) raw = raw.substr(1, raw.size() - 2);
    while (!raw.empty()) {
      const std::size_t sp = raw.find(' ');
      std::string w(raw.substr(0, sp));
      raw = sp == std::string_view::npos ? std::string_view() : raw.substr(sp + 1);
      for (char& ch : w) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      std::uint64_t v = 0;
      if (w == "MESSAGES") v = f.msgs.size();
      else if (w == "UIDNEXT") v = f.uidnext;
      else if (w == "UIDVALIDITY") v = f.uidvalidity;
      else if (w == "RECENT") v = recent;
      else if (w == "UNSEEN" || w == "DELETED" || w == "SIZE") {
        for (const message& m : f.msgs) {
          if (w == "UNSEEN" && m.letters.find('S') == std::string::npos) ++v;
          if (w == "DELETED" && m.letters.find('T') != std::string::npos) ++v;
          if (w == "SIZE") v += m.size;
        }
      } else {
        (void)s_.bad({}, "Unknown STATUS item");
        return;
      }
      if (!items.empty()) items.push_back(' ');
      items += w + " " + std::to_string(v);
    }
    emit(fmt::format("* STATUS {} ({})\r\n", quote(name), items));
    (void)s_.ok();
  }

  // -- APPEND ------------------------------------------------------------------------------------

  void append_begin(const imap::server_event& ev) {
    if (ev.index == 0) {
      discard_appends();
      append_dir_ = folder_dir(cfg_.maildir, ev.mbox.name().content());
      if (!append_dir_.empty() && !is_dir(append_dir_ + "/cur")) append_dir_.clear();
    }
    appended a;
    a.base = unique_base();
    if (ev.has_flags) a.letters = letters_of(ev.flags);
    if (ev.has_date) {
      a.has_date = true;
      a.date = static_cast<std::time_t>(ev.date.unix_time());
    }
    if (!append_dir_.empty()) {
      a.tmp = append_dir_ + "/tmp/" + a.base;
      append_fd_ = ::open(a.tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
      if (append_fd_ < 0) a.ok = false;
    }
    appends_.push_back(std::move(a));
  }

  void discard_appends() {
    if (append_fd_ >= 0) ::close(append_fd_);
    append_fd_ = -1;
    for (const appended& a : appends_)
      if (!a.tmp.empty()) ::unlink(a.tmp.c_str());
    appends_.clear();
  }

  void do_append(const imap::cmd_append&) {
    if (append_dir_.empty()) {
      discard_appends();
      (void)s_.no("TRYCREATE", "No such mailbox");
      return;
    }
    for (const appended& a : appends_)
      if (!a.ok) {
        discard_appends();
        (void)s_.no("SERVERBUG", "Cannot store the message");
        return;
      }
    folder f;
    f.dir = append_dir_;
    std::string uids;
    {
      folder_lock lk(f.dir);
      (void)f.scan();
      for (appended& a : appends_) {
        if (a.has_date) {
          struct timeval tv[2] = {{a.date, 0}, {a.date, 0}};
          ::utimes(a.tmp.c_str(), tv);
        }
        const std::uint32_t u = f.add(a.tmp, a.base, a.letters, false);
        if (u == 0) {
          (void)s_.no("SERVERBUG", "Cannot store the message");
          discard_appends();
          return;
        }
        a.tmp.clear();
        if (!uids.empty()) uids.push_back(',');
        uids += std::to_string(u);
      }
    }
    appends_.clear();
    if (f.dir == sel_.dir) refresh();
    (void)s_.ok(fmt::format("APPENDUID {} {}", f.uidvalidity, uids), "APPEND completed");
  }

  // -- EXPUNGE -----------------------------------------------------------------------------------

  /// Removes the \Deleted messages (of `only` when given); `report`: EXPUNGE responses.
  void expunge(const std::set<std::uint32_t>* only, bool report) {
    std::vector<std::uint32_t> gone;
    {
      folder_lock lk(sel_.dir);
      (void)sel_.scan();
      std::vector<message> keep;
      for (message& m : sel_.msgs) {
        const bool del = m.letters.find('T') != std::string::npos && (only == nullptr || only->count(m.uid) != 0) &&
                         view_.count(m.uid) != 0;
        if (del && ::unlink(sel_.path(m).c_str()) == 0) gone.push_back(m.uid);
        else keep.push_back(std::move(m));
      }
      sel_.msgs = std::move(keep);
      if (!gone.empty()) (void)sel_.save();
    }
    for (std::uint32_t u : gone) {
      view_.erase(u);
      recent_.erase(u);
      if (report) (void)s_.expunged(u);
    }
  }

  // -- SEARCH ------------------------------------------------------------------------------------

  struct search_ctx {
    const imap::search_program* prog;
    std::vector<std::set<std::uint32_t>> sets;  // per node: UIDs of sequence_set / uid keys
    bool unsupported = false;
  };

  bool eval(search_ctx& cx, std::size_t& i, const message& m, std::uint32_t msn, std::string& text, bool& loaded) {
    const imap::search_node& n = cx.prog->nodes[i++];
    auto has = [&](char c) { return m.letters.find(c) != std::string::npos; };
    auto load = [&]() -> const std::string& {
      if (!loaded) {
        (void)read_file(sel_.path(m), text);
        to_wire(text);
        loaded = true;
      }
      return text;
    };
    auto header_has = [&](std::string_view field, std::string_view value) {
      bool r = false;
      for_each_field(split_message(load()).header, [&](std::string_view name, std::string_view, const std::string& v) {
        if (ascii::iequals(name, field) && icontains(v, value)) r = true;
      });
      return r;
    };
    auto day_of = [&](std::time_t t) { return static_cast<std::int64_t>(t / 86400); };
    const bool recent = recent_.count(m.uid) != 0;
    (void)msn;
    using k = imap::search_key;
    switch (n.key) {
      case k::all: return true;
      case k::answered: return has('R');
      case k::deleted: return has('T');
      case k::draft: return has('D');
      case k::flagged: return has('F');
      case k::seen: return has('S');
      case k::unanswered: return !has('R');
      case k::undeleted: return !has('T');
      case k::undraft: return !has('D');
      case k::unflagged: return !has('F');
      case k::unseen: return !has('S');
      case k::recent: return recent;
      case k::new_: return recent && !has('S');
      case k::old: return !recent;
      case k::keyword: return false;
      case k::unkeyword: return true;
      case k::larger: return m.size > n.number;
      case k::smaller: return m.size < n.number;
      case k::before: return day_of(m.mtime) < n.date.days_since_epoch();
      case k::on: return day_of(m.mtime) == n.date.days_since_epoch();
      case k::since: return day_of(m.mtime) >= n.date.days_since_epoch();
      case k::uid:
      case k::sequence_set: return cx.sets[i - 1].count(m.uid) != 0;
      case k::from: return header_has("From", n.str.content());
      case k::to: return header_has("To", n.str.content());
      case k::cc: return header_has("Cc", n.str.content());
      case k::bcc: return header_has("Bcc", n.str.content());
      case k::subject: return header_has("Subject", n.str.content());
      case k::header: return header_has(n.str.content(), n.str2.content());
      case k::body: return icontains(split_message(load()).body, n.str.content());
      case k::text: return icontains(load(), n.str.content());
      case k::not_: return !eval(cx, i, m, msn, text, loaded);
      case k::or_: {
        const bool a = eval(cx, i, m, msn, text, loaded);
        const bool b = eval(cx, i, m, msn, text, loaded);
        return a || b;
      }
      case k::group: {
        bool r = true;
        for (std::uint32_t c = 0; c < n.children; ++c) r = eval(cx, i, m, msn, text, loaded) && r;
        return r;
      }
      default: cx.unsupported = true; return false;
    }
  }

  void do_search(const imap::command& c) {
    const auto& sc = std::get<imap::cmd_search>(c.args);
    if (!sc.program.charset_keyword.empty()) {
      const std::string cs = sc.program.charset.content();
      if (!ascii::iequals(cs, "UTF-8") && !ascii::iequals(cs, "US-ASCII")) {
        (void)s_.no("BADCHARSET (UTF-8 US-ASCII)", "Unsupported charset");
        return;
      }
    }
    search_ctx cx{&sc.program, {}, false};
    cx.sets.resize(sc.program.nodes.size());
    for (std::size_t i = 0; i < sc.program.nodes.size(); ++i) {
      const auto& n = sc.program.nodes[i];
      if (n.key == imap::search_key::uid || n.key == imap::search_key::sequence_set) {
        const bool by_uid = n.key == imap::search_key::uid;
        const imap::errc e =
            s_.map().resolve(n.set, by_uid, [&](std::uint32_t, std::uint32_t u) { cx.sets[i].insert(u); });
        if (e != imap::errc::ok && !(by_uid)) {
          // A number over the mailbox size matches nothing for SEARCH (as Dovecot answers).
          cx.sets[i].clear();
        }
      }
    }
    std::string out = "* SEARCH";
    const auto& uids = s_.map().uids();
    for (std::size_t k = 0; k < uids.size(); ++k) {
      const message* m = find(uids[k]);
      if (m == nullptr) continue;
      std::string text;
      bool loaded = false;
      bool all = true;
      std::size_t i = 0;
      for (std::uint32_t t = 0; t < sc.program.top_level; ++t) all = eval(cx, i, *m, static_cast<std::uint32_t>(k + 1), text, loaded) && all;
      if (cx.unsupported) {
        (void)s_.no({}, "Search key not supported");
        return;
      }
      if (all) out += " " + std::to_string(c.uid ? m->uid : k + 1);
    }
    out += "\r\n";
    emit(out);
    (void)s_.ok();
  }

  // -- FETCH -------------------------------------------------------------------------------------

  /// The body of a MIME entity as written (RFC 9051 section 6.4.5 part without text).
  static std::string_view body_of(const mailwire::mime::node& n) {
    if (n.parts.empty()) return n.body;
    const char* b = n.header.data() + n.header.size();
    const char* e = b;
    for (std::string_view v : {n.close_delimiter, n.epilogue})
      if (!v.empty() && v.data() + v.size() > e) e = v.data() + v.size();
    return std::string_view(b, static_cast<std::size_t>(e - b));
  }

  /// Header-only sections of a message header (HEADER, HEADER.FIELDS[.NOT]).
  static void header_section(const imap::section_spec& sec, std::string_view header, std::string& out) {
    if (sec.text() == imap::section_text::header) {
      out.assign(header);
      return;
    }
    std::vector<std::string> names;
    sec.for_each_field([&](const imap::string_value& v) { names.push_back(v.content()); });
    const bool neg = sec.text() == imap::section_text::header_fields_not;
    out.clear();
    for_each_field(header, [&](std::string_view name, std::string_view field, const std::string&) {
      bool in = false;
      for (const std::string& n : names)
        if (ascii::iequals(n, name)) in = true;
      if (in != neg) {
        out.append(field);
        if (out.back() != '\n') out.append("\r\n");
      }
    });
    out.append("\r\n");
  }

  /// The text of a body section (RFC 9051 section 6.4.5): part numbers walk the MIME tree
  /// (a message/rfc822 part's numbers are those of its enclosed message); false: no such part.
  static bool section_text_of(const imap::section_spec& sec, std::string_view msg, std::string& out) {
    out.clear();
    if (sec.part_depth() == 0) {
      const split_message sm(msg);
      switch (sec.text()) {
        case imap::section_text::none: out.assign(msg); return true;
        case imap::section_text::text: out.assign(sm.body); return true;
        default: header_section(sec, sm.header, out); return true;
      }
    }
    const auto tree = mailwire::mime::parse(msg);
    const mailwire::mime::node* n = &tree.root;
    bool top = true, ok = true;
    sec.for_each_part([&](std::uint32_t k) {
      if (!ok) return;
      const mailwire::mime::node* t = n;
      if (!top && t->enclosed) t = t->enclosed.get();
      top = false;
      if (!t->parts.empty()) {
        if (k == 0 || k > t->parts.size()) ok = false;
        else n = &t->parts[k - 1];
      } else if (k == 1) {
        n = t;
      } else {
        ok = false;
      }
    });
    if (!ok) return false;
    switch (sec.text()) {
      case imap::section_text::none: out.assign(n == &tree.root ? split_message(msg).body : body_of(*n)); return true;
      case imap::section_text::mime: out.assign(n->header); return true;
      case imap::section_text::text:
        if (!n->enclosed) return false;
        out.assign(body_of(*n->enclosed));
        return true;
      default:
        if (!n->enclosed) return false;
        header_section(sec, n->enclosed->header, out);
        return true;
    }
  }

  void do_fetch(const imap::command& c) {
    const auto& f = std::get<imap::cmd_fetch>(c.args);
    std::vector<imap::fetch_attribute> atts;
    auto add_simple = [&](std::string_view text) {
      const auto p = imap::parse_fetch_attribute(text);
      atts.push_back(p.value);
    };
    switch (f.attributes.macro()) {
      case imap::fetch_macro::fast: add_simple("FLAGS "), add_simple("INTERNALDATE "), add_simple("RFC822.SIZE "); break;
      case imap::fetch_macro::all:
      case imap::fetch_macro::full:
        add_simple("FLAGS "), add_simple("INTERNALDATE "), add_simple("RFC822.SIZE "), add_simple("ENVELOPE ");
        if (f.attributes.macro() == imap::fetch_macro::full) add_simple("BODY ");
        break;
      case imap::fetch_macro::none: atts = f.attributes.to_vector(); break;
    }
    for (const auto& a : atts) {
      switch (a.item) {
        case imap::fetch_item::flags:
        case imap::fetch_item::uid:
        case imap::fetch_item::internaldate:
        case imap::fetch_item::rfc822_size:
        case imap::fetch_item::rfc822:
        case imap::fetch_item::rfc822_header:
        case imap::fetch_item::rfc822_text:
        case imap::fetch_item::envelope:
        case imap::fetch_item::body:
        case imap::fetch_item::bodystructure:
        case imap::fetch_item::body_section: break;
        default: (void)s_.no({}, "Fetch item not supported yet"); return;
      }
    }
    job_ = fetch_job{};
    const imap::errc e = s_.map().resolve(f.set, c.uid, [&](std::uint32_t msn, std::uint32_t u) {
      job_.targets.emplace_back(msn, u);
    });
    if (e != imap::errc::ok) {
      (void)s_.bad({}, "Invalid message set");
      return;
    }
    job_.atts = std::move(atts);
    job_.uid = c.uid;
    job_.active = true;
  }

  /// FETCH responses until the output holds 256 KiB (false: send it first) or the last one
  /// (then the tagged OK). Memory stays bounded by one message and the output high mark.
  bool pump_fetch() {
    while (job_.next < job_.targets.size()) {
      if (s_.output().size() >= 256 * 1024) return false;
      const auto [msn, uid] = job_.targets[job_.next++];
      fetch_one(msn, uid);
    }
    job_ = fetch_job{};
    (void)s_.ok();
    return true;
  }

  void fetch_one(std::uint32_t msn, std::uint32_t uid) {
    const std::vector<imap::fetch_attribute>& atts = job_.atts;
    std::string& msg = msg_buf_;
    std::string sec;
    {
      message* m = find(uid);
      if (m == nullptr) return;
      bool loaded = false;
      auto load = [&]() -> std::string_view {
        if (!loaded) {
          (void)read_file(sel_.path(*m), msg);
          to_wire(msg);
          wire_size_[m->base] = msg.size();
          loaded = true;
        }
        return msg;
      };
      bool set_seen = false, want_flags = false, want_uid = job_.uid;
      std::string items;
      auto item = [&](const std::string& s) {
        if (!items.empty()) items.push_back(' ');
        items += s;
      };
      for (const auto& a : atts) {
        switch (a.item) {
          case imap::fetch_item::flags: want_flags = true; break;
          case imap::fetch_item::uid: want_uid = true; break;
          case imap::fetch_item::internaldate: item("INTERNALDATE " + date_time_of(m->mtime)); break;
          case imap::fetch_item::rfc822_size: {
            auto it = wire_size_.find(m->base);
            const std::uint64_t n = it != wire_size_.end() ? it->second : load().size();
            item("RFC822.SIZE " + std::to_string(n));
            break;
          }
          case imap::fetch_item::rfc822:
            item("RFC822 " + literal(load()));
            set_seen = true;
            break;
          case imap::fetch_item::envelope:
          case imap::fetch_item::body:
          case imap::fetch_item::bodystructure: {
            // RFC 9051 section 7.5.2 from the MIME parser's tree of the message as sent (CRLF).
            const auto tree = mailwire::mime::parse(load());
            std::string v = a.item == imap::fetch_item::envelope ? "ENVELOPE "
                            : a.item == imap::fetch_item::body   ? "BODY "
                                                                 : "BODYSTRUCTURE ";
            if (a.item == imap::fetch_item::envelope) imap::append_envelope_of(v, tree.root);
            else imap::append_body_structure_of(v, tree.root, a.item == imap::fetch_item::bodystructure);
            item(v);
            break;
          }
          case imap::fetch_item::rfc822_header: item("RFC822.HEADER " + literal(split_message(load()).header)); break;
          case imap::fetch_item::rfc822_text:
            item("RFC822.TEXT " + literal(split_message(load()).body));
            set_seen = true;
            break;
          case imap::fetch_item::body_section: {
            if (!section_text_of(a.section, load(), sec)) sec.clear();
            std::string name = "BODY";
            (void)imap::write_section(name, a.section);
            if (a.partial.present) {
              const std::uint64_t o = std::min<std::uint64_t>(a.partial.origin, sec.size());
              sec = sec.substr(o, a.partial.has_count ? a.partial.count : std::string::npos);
              name += "<" + std::to_string(a.partial.origin) + ">";
            }
            item(name + " " + literal(sec));
            if (!a.peek) set_seen = true;
            break;
          }
          default: break;
        }
      }
      if (set_seen && !s_.read_only() && m->letters.find('S') == std::string::npos) {
        folder_lock lk(sel_.dir);
        if (sel_.set_letters(*m, m->letters + "S")) want_flags = true;
        view_[m->uid] = m->letters;
      }
      std::string head;
      if (want_uid) head = "UID " + std::to_string(m->uid);
      if (want_flags) head += std::string(head.empty() ? "" : " ") + "FLAGS " + flags_of(m->letters, recent_.count(m->uid) != 0);
      if (!head.empty()) items = items.empty() ? head : head + " " + items;
      emit(fmt::format("* {} FETCH ({})\r\n", msn, items));
    }
  }

  // -- STORE -------------------------------------------------------------------------------------

  void do_store(const imap::command& c) {
    const auto& st = std::get<imap::cmd_store>(c.args);
    if (s_.read_only()) {
      (void)s_.no({}, "Mailbox is read-only");
      return;
    }
    if (st.has_unchangedsince) {
      (void)s_.bad({}, "CONDSTORE is not supported");
      return;
    }
    const std::string given = letters_of(st.flags);
    std::vector<std::pair<std::uint32_t, std::uint32_t>> targets;
    if (s_.map().resolve(st.set, c.uid, [&](std::uint32_t msn, std::uint32_t u) { targets.emplace_back(msn, u); }) !=
        imap::errc::ok) {
      (void)s_.bad({}, "Invalid message set");
      return;
    }
    {
      folder_lock lk(sel_.dir);
      (void)sel_.scan();
      for (const auto& [msn, uid] : targets) {
        message* m = find(uid);
        if (m == nullptr) continue;
        std::string l;
        if (st.mode == imap::store_mode::replace) l = given;
        else if (st.mode == imap::store_mode::add) l = m->letters + given;
        else
          for (char ch : m->letters)
            if (given.find(ch) == std::string::npos) l.push_back(ch);
        (void)sel_.set_letters(*m, l);
        view_[uid] = m->letters;
      }
    }
    if (!st.silent)
      for (const auto& [msn, uid] : targets)
        if (const message* m = find(uid))
          emit(fmt::format("* {} FETCH (FLAGS {}{})\r\n", msn, flags_of(m->letters, recent_.count(uid) != 0),
                           c.uid ? fmt::format(" UID {}", uid) : std::string()));
    (void)s_.ok();
  }

  // -- COPY / MOVE -------------------------------------------------------------------------------

  void do_copy(const imap::command& c) {
    const auto& cp = std::get<imap::cmd_copy>(c.args);
    const bool move = c.kind == command_kind::move;
    if (move && s_.read_only()) {
      (void)s_.no({}, "Mailbox is read-only");
      return;
    }
    const std::string dir = folder_dir(cfg_.maildir, cp.mbox.name().content());
    if (dir.empty() || !is_dir(dir + "/cur")) {
      (void)s_.no("TRYCREATE", "No such mailbox");
      return;
    }
    std::vector<std::uint32_t> src;
    if (s_.map().resolve(cp.set, c.uid, [&](std::uint32_t, std::uint32_t u) { src.push_back(u); }) !=
        imap::errc::ok) {
      (void)s_.bad({}, "Invalid message set");
      return;
    }
    folder d;
    d.dir = dir;
    std::string from, to;
    std::vector<std::uint32_t> done;
    {
      folder_lock lk(dir);
      (void)d.scan();
      if (dir == sel_.dir) d = sel_;
      for (std::uint32_t u : src) {
        const message* m = find(u);
        if (m == nullptr) continue;
        const std::uint32_t nu = d.add(sel_.path(*m), unique_base(), m->letters, true);
        if (nu == 0) {
          (void)s_.no("SERVERBUG", "Copy failed");
          return;
        }
        done.push_back(u);
        from += (from.empty() ? "" : ",") + std::to_string(u);
        to += (to.empty() ? "" : ",") + std::to_string(nu);
      }
    }
    const std::string code = done.empty() ? std::string() : fmt::format("COPYUID {} {} {}", d.uidvalidity, from, to);
    if (move) {
      if (!code.empty()) emit("* OK [" + code + "] Moved\r\n");
      std::set<std::uint32_t> gone(done.begin(), done.end());
      {
        folder_lock lk(sel_.dir);
        (void)sel_.scan();
        std::vector<message> keep;
        for (message& m : sel_.msgs) {
          if (gone.count(m.uid) != 0) ::unlink(sel_.path(m).c_str());
          else keep.push_back(std::move(m));
        }
        sel_.msgs = std::move(keep);
        (void)sel_.save();
      }
      for (std::uint32_t u : done) {
        view_.erase(u);
        recent_.erase(u);
        (void)s_.expunged(u);
      }
      (void)s_.ok({}, "MOVE completed");
    } else {
      (void)s_.ok(code);
    }
    if (dir == sel_.dir) refresh();
  }

  const config& cfg_;
  imap::server_session s_;
  mailwire_net::sasl_password_auth sasl_;
  std::uint64_t id_;
  imap::limits lim_;
  std::string_view pending_;
  bool eof_ = false, failed_ = false, tls_pending_ = false, uid_fetch_ = false;
  std::string user_;
  folder sel_;                                   ///< the selected folder as on disk
  std::map<std::uint32_t, std::string> view_;    ///< UID -> letters as the client knows them
  std::set<std::uint32_t> recent_;               ///< \Recent for this session (RFC 3501 2.3.2)
  std::string append_dir_;
  std::vector<appended> appends_;
  int append_fd_ = -1;
  struct fetch_job {
    bool active = false, uid = false;
    std::vector<imap::fetch_attribute> atts;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> targets;
    std::size_t next = 0;
  } job_;
  std::string msg_buf_;
  std::string stamp_;  ///< stamp_of(sel_.dir) at the last refresh
  std::map<std::string, std::uint64_t> wire_size_;  ///< base name -> RFC822.SIZE (CRLF form)
};

}  // namespace mailwire_imapd
