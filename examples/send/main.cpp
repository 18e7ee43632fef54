// mailwire-send — sends one message over SMTP (RFC 5321) or LMTP (RFC 2033)
// (../shared/spec/tools.md):
//
//   mailwire-send --server HOST:PORT [--starttls | --tls] [--user U --password P] [--lmtp]
//                 --from ADDR --to ADDR [--to ADDR ...] [FILE|-]
//
// The protocol is mailwire::smtp::client_session's; this file moves bytes between it and one
// socket (net/client.hpp: Asio, OpenSSL for STARTTLS and implicit TLS) and streams the message
// from FILE or standard input into send_data() 64 KiB at a time, so the message is never held
// whole in memory.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <asio.hpp>
#include <asio/ssl.hpp>
#include <fmt/core.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/client.hpp"
#include "mailwire/smtp/client.hpp"
#include "net/endpoint.hpp"
#include "net/tls.hpp"
#include "tool/cli.hpp"

namespace {

using namespace mailwire_tool;
using mailwire_net::failure;
namespace smtp = mailwire::smtp;
constexpr std::string_view tool = "mailwire-send";

constexpr std::string_view help_text = R"(usage: mailwire-send --server HOST:PORT [OPTIONS] --from ADDR --to ADDR [--to ADDR ...] [FILE|-]

Sends the message in FILE (standard input when FILE is "-" or missing) to the SMTP (RFC 5321) or
LMTP (RFC 2033) server at HOST:PORT. The message is read and sent in pieces, never held whole;
line ends are sent as CRLF and lines starting with "." are dot-stuffed. PIPELINING is used when
offered.

required:
  --server HOST:PORT        the server ("127.0.0.1:25", "[::1]:587", "mail.example.org:25")
  --from ADDR               the envelope sender (MAIL FROM); "" or "<>" for the null path
  --to ADDR                 an envelope recipient (RCPT TO); repeat for more

options:
  --starttls                upgrade with STARTTLS (RFC 3207) before anything else; stop when the
                            server does not offer it
  --tls                     implicit TLS from the first byte (RFC 8314, port 465)
  --ca FILE                 verify the server's certificate against the CAs in FILE (PEM) and its
                            name against HOST; without it nothing is verified (these are example
                            tools), but the certificate's subject is printed on standard error
  --user U --password P     AUTH PLAIN (RFC 4616), or LOGIN when only LOGIN is offered
  --lmtp                    speak LMTP: LHLO, one reply per accepted recipient after the data
  --helo NAME               our name in EHLO/LHLO (default: the system's host name when it is a
                            valid domain, else "localhost")
  --chunking                send the message with BDAT (RFC 3030) when CHUNKING is offered
  --8bitmime                declare BODY=8BITMIME (RFC 6152; the server must offer it)
  --require-all             send the message only when every recipient was accepted
  --timeout SECONDS         the longest wait for the server at each step (default 60)
  -v, --verbose             the commands and replies on standard error (the message excepted)
  -h, --help                this text

output: for each recipient the server did not accept, one line on standard output
  refused ADDR: REPLY
where ADDR is the --to value as given and REPLY is the server's reply that refused it (the reply
to RCPT, to the message, to MAIL, or to the connection), its lines joined by a space; with -v,
"accepted ADDR: REPLY" lines too. Errors are one line on standard error: "mailwire-send: ...".

exit status: 0 the server accepted the message for every recipient; 1 otherwise (a recipient
refused, the message refused, a failed connection, TLS or AUTH, an unreadable FILE); 2 usage error
)";

struct args {
  std::optional<std::string> server, from, user, password, ca, helo, file;
  std::vector<std::string> to;
  bool starttls = false, tls = false, lmtp = false, chunking = false, eightbit = false;
  bool require_all = false, verbose = false;
  std::uint64_t timeout = 60;
};

args parse_args(int argc, char** argv) {
  args a;
  auto value = [&](int& i, std::string_view flag) -> std::string {
    if (i + 1 >= argc) throw usage_error{fmt::format("{} needs a value", flag)};
    return argv[++i];
  };
  bool only_files = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view s = argv[i];
    if (!only_files && s.size() > 1 && s[0] == '-') {
      if (s == "-h" || s == "--help") {
        fmt::print("{}", help_text);
        std::exit(exit_ok);
      }
      if (s == "--") only_files = true;
      else if (s == "--server") a.server = value(i, s);
      else if (s == "--from") a.from = value(i, s);
      else if (s == "--to") a.to.push_back(value(i, s));
      else if (s == "--user") a.user = value(i, s);
      else if (s == "--password") a.password = value(i, s);
      else if (s == "--ca") a.ca = value(i, s);
      else if (s == "--helo") a.helo = value(i, s);
      else if (s == "--starttls") a.starttls = true;
      else if (s == "--tls") a.tls = true;
      else if (s == "--lmtp") a.lmtp = true;
      else if (s == "--chunking") a.chunking = true;
      else if (s == "--8bitmime") a.eightbit = true;
      else if (s == "--require-all") a.require_all = true;
      else if (s == "-v" || s == "--verbose") a.verbose = true;
      else if (s == "--timeout") a.timeout = parse_count(s, value(i, s));
      else throw usage_error{fmt::format("unknown option '{}'", s)};
    } else {
      if (a.file) throw usage_error{"give at most one FILE"};
      a.file = std::string(s);
    }
  }
  if (!a.server) throw usage_error{"--server HOST:PORT is required"};
  if (!a.from) throw usage_error{"--from ADDR is required"};
  if (a.to.empty()) throw usage_error{"at least one --to ADDR is required"};
  if (a.starttls && a.tls) throw usage_error{"give at most one of --starttls and --tls"};
  if (a.user.has_value() != a.password.has_value()) throw usage_error{"--user and --password go together"};
  if (a.ca && !a.starttls && !a.tls) throw usage_error{"--ca needs --starttls or --tls"};
  (void)mailwire_net::split_host_port("--server", *a.server);
  if (a.timeout == 0 || a.timeout > 86400) throw usage_error{"--timeout must be 1 to 86400 seconds"};
  return a;
}

bool valid_helo(std::string_view name) {
  smtp::domain_kind kind{};
  return !name.empty() && smtp::parse_domain_or_literal(name, kind).ok();
}

std::string default_helo() {
  char h[256] = {};
  if (::gethostname(h, sizeof h - 1) == 0 && valid_helo(h)) return h;
  return "localhost";
}

// A reply as received (CRLF line ends) on one line: its lines joined by a space.
std::string one_line(std::string_view raw) {
  std::string out;
  while (!raw.empty()) {
    std::size_t end = raw.find('\n');
    std::string_view line = raw.substr(0, end);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!out.empty()) out += ' ';
    out += line;
    if (end == std::string_view::npos) break;
    raw.remove_prefix(end + 1);
  }
  return out;
}

// One transaction over one connection; see the header comment.
class sender {
 public:
  sender(const args& a, std::FILE* in, std::vector<smtp::path> to)
      : a_(a), in_(in), to_(std::move(to)), conn_(io_, std::chrono::seconds(a.timeout)) {}

  // Returns the exit status.
  int run(const smtp::path& from, std::optional<std::uint64_t> size_hint) {
    from_ = from;
    size_hint_ = size_hint;
    const mailwire_net::host_port hp = mailwire_net::split_host_port("--server", *a_.server);
    std::vector<asio::ip::tcp::endpoint> eps;
    try {
      eps = mailwire_net::resolve(io_, "--server", hp, false);
    } catch (const usage_error& e) {
      throw failure{e.message};
    }
    conn_.connect(eps, *a_.server);
    smtp::client_options o;
    o.local_host = a_.helo ? *a_.helo : default_helo();
    o.lmtp = a_.lmtp;
    o.tls = a_.tls;
    o.prefer_chunking = a_.chunking;
    o.require_all_recipients = a_.require_all;
    s_.emplace(std::move(o));
    host_ = hp.host;
    try {
      if (a_.tls) tls_handshake(host_);
      loop();
    } catch (const failure& e) {
      stop(e.what);
    }
    conn_.close();
    return report();
  }

 private:
  void loop() {
    std::vector<char> buf(16 * 1024);
    std::string pending;  // server bytes the session did not take yet
    while (!finished_) {
      // 1. Events from what the session has.
      drain();
      flush();
      if (finished_) break;
      // 2. The message, while the session wants it.
      if (sending_ && s_->can_send_data()) {
        send_chunk();
        flush();
        continue;
      }
      // 3. Server bytes.
      if (!pending.empty()) {
        const std::size_t took = s_->receive(pending);
        pending.erase(0, took);
        if (took != 0 || s_->error() != smtp::client_errc::ok) continue;
      }
      const std::size_t n = conn_.read_some(buf.data(), buf.size());
      if (n == 0) {
        if (transaction_over_ && s_->state() == smtp::client_state::quit) break;
        stop("the server closed the connection" + where());
        break;
      }
      pending.append(buf.data(), n);
      const std::size_t took = s_->receive(pending);
      pending.erase(0, took);
    }
  }

  std::string where() const {
    if (!transaction_over_) return std::string(" before the message was accepted");
    return std::string();
  }

  // Handles every event the session has now.
  void drain() {
    for (auto r = s_->next_event(); r.st != mailwire::status::need_more && !finished_; r = s_->next_event()) {
      if (r.st == mailwire::status::error) {
        std::string why(smtp::to_string(r.error));
        if (r.reply_error != smtp::reply_errc::ok) why += fmt::format(" ({})", smtp::to_string(r.reply_error));
        stop(fmt::format("offset {}: {}", r.error_offset, why));
        return;
      }
      const smtp::client_event& ev = r.ev;
      if (a_.verbose && ev.reply.code != 0) trace("S: ", ev.reply.raw);
      using k = smtp::client_event_kind;
      switch (ev.kind) {
        case k::greeting:
          if (ev.reply.code != 220) {
            session_reply_ = one_line(ev.reply.raw);
            refuse_all_ = true;
            give_up(fmt::format("the server refused the connection: {}", session_reply_));
          }
          break;
        case k::ehlo_done:
          if (!ev.positive()) {
            give_up(fmt::format("{} refused: {}", a_.lmtp ? "LHLO" : "EHLO", one_line(ev.reply.raw)));
            break;
          }
          after_hello();
          break;
        case k::starttls_ready:
          flush();
          tls_handshake(host_);
          command(s_->tls_started(), "EHLO after STARTTLS");
          break;
        case k::reply:
          if (ev.command == smtp::verb::starttls)
            give_up(fmt::format("STARTTLS refused: {}", one_line(ev.reply.raw)));
          break;
        case k::auth_done:
          authed_ = true;
          after_hello();
          break;
        case k::auth_failed:
          give_up(fmt::format("authentication failed: {}", one_line(ev.reply.raw)));
          break;
        case k::auth_challenge:
          command(s_->auth_cancel(), "AUTH");
          break;
        case k::mail_result:
          if (!ev.positive()) mail_reply_ = one_line(ev.reply.raw);
          break;
        case k::data_ready:
          sending_ = true;
          break;
        case k::message_result:
          if (!ev.last) break;
          sending_ = false;
          transaction_over_ = true;
          results_.assign(s_->recipient_results().begin(), s_->recipient_results().end());
          if (s_->state() == smtp::client_state::ready) command(s_->quit(), "QUIT");
          break;
        case k::closed:
          if (!transaction_over_ && !failed_) {
            session_reply_ = one_line(ev.reply.raw);
            refuse_all_ = true;
            failed_ = true;
            error_line(tool, "the server closed the session: {}", session_reply_);
          }
          finished_ = true;
          break;
        default:
          break;
      }
    }
  }

  // After EHLO (and after STARTTLS + EHLO, and after AUTH): the next step.
  void after_hello() {
    const smtp::ehlo_capabilities& c = s_->capabilities();
    if (a_.starttls && !s_->tls()) {
      if (!c.starttls) {
        give_up("the server does not offer STARTTLS");
        return;
      }
      command(s_->starttls(), "STARTTLS");
      return;
    }
    if (a_.user && !authed_) {
      if (c.has_auth("PLAIN")) {
        command(s_->auth_plain(*a_.user, *a_.password), "AUTH PLAIN");
      } else if (c.has_auth("LOGIN")) {
        command(s_->auth_login(*a_.user, *a_.password), "AUTH LOGIN");
      } else {
        give_up(c.auth || c.auth_legacy ? "the server offers neither AUTH PLAIN nor AUTH LOGIN"
                                        : "the server does not offer AUTH");
      }
      return;
    }
    smtp::mail_parameters p;
    if (size_hint_ && c.size) p.size = *size_hint_;
    if (a_.eightbit) p.body = smtp::body_type::eight_bit_mime;
    const smtp::client_errc e = s_->send_envelope(from_, std::span<const smtp::path>(to_), p);
    if (e != smtp::client_errc::ok) {
      if (e == smtp::client_errc::local_too_large)
        give_up(fmt::format("the message ({} bytes) is larger than the server's SIZE limit {}",
                            *size_hint_, c.size_limit.value_or(0)));
      else
        give_up(fmt::format("cannot send the envelope: {}", smtp::to_string(e)));
    }
  }

  // A host call that should not fail; when it does, say so and stop.
  void command(smtp::client_errc e, std::string_view what) {
    if (e != smtp::client_errc::ok) stop(fmt::format("{}: {}", what, smtp::to_string(e)));
  }

  // A failure while the session is in order: say why, QUIT politely, then stop.
  void give_up(const std::string& why) {
    if (!failed_) {
      error_line(tool, "{}", why);
      failure_ = why;
    }
    failed_ = true;
    if (s_->quit() != smtp::client_errc::ok) finished_ = true;
  }

  // A failure after which nothing more is said to the server.
  void stop(const std::string& why) {
    if (!failed_) {
      error_line(tool, "{}", why);
      failure_ = why;
    }
    failed_ = true;
    finished_ = true;
  }

  void send_chunk() {
    if (chunk_.empty()) chunk_.resize(64 * 1024);
    const std::size_t n = std::fread(chunk_.data(), 1, chunk_.size(), in_);
    if (n < chunk_.size() && std::ferror(in_)) {
      // The message cannot be completed: end the connection without the final dot.
      stop(fmt::format("reading the message: {}", std::strerror(errno)));
      return;
    }
    const bool last = n < chunk_.size() && std::feof(in_);
    data_mode_ = true;
    command(s_->send_data(std::string_view(chunk_.data(), n), last), "sending the message");
  }

  void tls_handshake(const std::string& host) {
    auto ctx = mailwire_net::client_tls_context(false);
    bool verify = false;
    if (a_.ca) {
      asio::error_code ec;
      ctx->load_verify_file(*a_.ca, ec);
      if (ec) throw failure{fmt::format("--ca {}: {}", *a_.ca, ec.message())};
      ctx->set_verify_mode(asio::ssl::verify_peer);
      verify = true;
    }
    asio::error_code ec;
    (void)asio::ip::make_address(host, ec);
    const std::string sni = ec ? host : std::string();  // SNI takes names only (RFC 6066 3)
    const std::string info = conn_.handshake(*ctx, verify ? host : sni, verify);
    ctx_ = std::move(ctx);
    fmt::print(stderr, "{}: TLS: {}\n", tool, info);
  }

  // Writes what the session has for the server.
  void flush() {
    const std::string out = s_->take_output();
    if (out.empty()) return;
    if (a_.verbose) {
      if (!data_mode_) trace("C: ", out);
      else if (out.substr(0, 5) == "BDAT ") trace("C: ", std::string_view(out).substr(0, out.find('\n') + 1));
      if (data_mode_) fmt::print(stderr, "C: ({} bytes of message data)\n", out.size());
    }
    data_mode_ = false;
    conn_.write(out);
  }

  void trace(std::string_view prefix, std::string_view raw) {
    while (!raw.empty()) {
      const std::size_t end = raw.find('\n');
      std::string_view line = raw.substr(0, end);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (prefix == "C: " && auth_line(line)) fmt::print(stderr, "{}{} (credentials not shown)\n", prefix, line.substr(0, 10));
      else fmt::print(stderr, "{}{}\n", prefix, line);
      if (end == std::string_view::npos) break;
      raw.remove_prefix(end + 1);
    }
  }

  // AUTH lines and the lines after a 334 carry credentials.
  bool auth_line(std::string_view line) const {
    const smtp::client_state st = s_->state();
    return line.substr(0, 5) == "AUTH " || st == smtp::client_state::auth ||
           st == smtp::client_state::auth_challenge;
  }

  int report() {
    bool all = true;
    for (std::size_t i = 0; i < a_.to.size(); ++i) {
      const smtp::recipient_result* rr = i < results_.size() ? &results_[i] : nullptr;
      if (rr != nullptr && rr->accepted()) {
        if (a_.verbose) fmt::print("accepted {}: {}\n", a_.to[i], one_line(rr->reply));
        continue;
      }
      all = false;
      std::string why;
      if (!mail_reply_.empty()) why = mail_reply_;  // the cause; RCPT got 503 after it
      else if (rr != nullptr && !rr->reply.empty()) why = one_line(rr->reply);
      else if (refuse_all_) why = session_reply_;
      else why = fmt::format("(not sent: {})", failure_.empty() ? "the session failed" : failure_);
      fmt::print("refused {}: {}\n", a_.to[i], why);
    }
    std::fflush(stdout);
    return all ? exit_ok : exit_bad_input;
  }

  const args& a_;
  std::FILE* in_;
  std::vector<smtp::path> to_;
  smtp::path from_{};
  std::optional<std::uint64_t> size_hint_;
  asio::io_context io_;
  mailwire_net::client_connection conn_;
  std::unique_ptr<asio::ssl::context> ctx_;
  std::optional<smtp::client_session> s_;
  std::string host_, mail_reply_, session_reply_, failure_;
  std::vector<char> chunk_;
  std::vector<smtp::recipient_result> results_;
  bool finished_ = false, failed_ = false, sending_ = false, authed_ = false;
  bool transaction_over_ = false, refuse_all_ = false, data_mode_ = false;
};

}  // namespace

int main(int argc, char** argv) {
  ::signal(SIGPIPE, SIG_IGN);
  args a;
  smtp::path from;
  std::vector<smtp::path> to;
  try {
    a = parse_args(argc, argv);
    const auto f = smtp::parse_address(*a.from);
    if (!f.ok()) throw usage_error{fmt::format("--from '{}': {}", *a.from, smtp::to_string(f.error))};
    from = f.value;
    for (const std::string& t : a.to) {
      const auto r = smtp::parse_address(t);
      if (!r.ok() || r.value.null)
        throw usage_error{fmt::format("--to '{}': {}", t, r.ok() ? "the null path is not a recipient"
                                                                  : smtp::to_string(r.error))};
      to.push_back(r.value);
    }
    if (a.helo && !valid_helo(*a.helo)) throw usage_error{fmt::format("--helo '{}' is not a domain", *a.helo)};
  } catch (const usage_error& e) {
    error_line(tool, "{} (try --help)", e.message);
    return exit_usage;
  }
  input_file in(a.file);
  if (in.get() == nullptr) {
    error_line(tool, "cannot open {}: {}", in.name(), std::strerror(in.open_error()));
    return exit_bad_input;
  }
  std::optional<std::uint64_t> size;
  struct stat st {};
  if (::fstat(::fileno(in.get()), &st) == 0 && S_ISREG(st.st_mode)) size = static_cast<std::uint64_t>(st.st_size);
  try {
    sender s(a, in.get(), std::move(to));
    return s.run(from, size);
  } catch (const usage_error& e) {
    error_line(tool, "{} (try --help)", e.message);
    return exit_usage;
  } catch (const failure& e) {
    error_line(tool, "{}", e.what);
    for (const std::string& t : a.to) fmt::print("refused {}: (not sent: {})\n", t, e.what);
    return exit_bad_input;
  } catch (const std::exception& e) {
    error_line(tool, "{}", e.what());
  }
  for (const std::string& t : a.to) fmt::print("refused {}: (not sent: the session failed)\n", t);
  return exit_bad_input;
}
