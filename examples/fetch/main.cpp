// mailwire-fetch — fetches the messages of a POP3 or IMAP mailbox into a Maildir
// (../shared/spec/tools.md):
//
//   mailwire-fetch --server HOST:PORT --protocol pop3|imap [--starttls | --tls] --user U
//                  --password P --maildir DIR [--mailbox NAME] [--delete]
//
// The protocol is the library's client session (pop3_fetch.hpp, imap_fetch.hpp); net/client.hpp
// moves the bytes (Asio, OpenSSL). Each message streams into DIR/tmp, is fsync'ed and renamed into DIR/new
// before anything is deleted on the server. Standard output: the number of messages fetched.
#include <signal.h>

#include <optional>
#include <string>
#include <string_view>

#include "fetch_options.hpp"
#include "imap_fetch.hpp"
#include "net/maildir.hpp"
#include "pop3_fetch.hpp"
#include "tool/cli.hpp"

namespace {

using namespace mailwire_tool;
constexpr std::string_view tool = "mailwire-fetch";

constexpr std::string_view help_text = R"(usage: mailwire-fetch --server HOST:PORT --protocol pop3|imap [--starttls | --tls]
                      --user U --password P --maildir DIR [--mailbox NAME] [--delete] [OPTIONS]

Fetches every message of the mailbox at HOST:PORT into the Maildir DIR (each one written to
tmp/, fsync'ed, renamed into new/, exactly as the server sent it, CRLF line ends included) and
prints how many it fetched: one line on standard output with the number.

POP3 (RFC 1939): CAPA, then USER/PASS when offered (else SASL PLAIN, else APOP), STAT, RETR of
every message, pipelined when the server offers PIPELINING; with --delete, DELE of each message
once its file is in new/, applied by the server at QUIT.

IMAP (RFC 9051, RFC 3501): LOGIN (AUTHENTICATE PLAIN when the server says LOGINDISABLED), SELECT
of the mailbox, UID FETCH 1:* (UID BODY.PEEK[]) with each message streamed into its file; with
--delete, once every file is in new/, UID STORE +FLAGS.SILENT (\Deleted) of the fetched messages
and UID EXPUNGE of them (RFC 4315; EXPUNGE when the server lacks UIDPLUS).

required:
  --server HOST:PORT        the server ("127.0.0.1:110", "[::1]:995", "mail.example.org:110")
  --protocol pop3|imap      the protocol
  --user U --password P     the credentials
  --maildir DIR             where messages go (created with tmp/ new/ cur/ when missing)

options:
  --starttls                upgrade with STLS (POP3, RFC 2595) / STARTTLS (IMAP) before logging
                            in; stop when the server does not offer it
  --tls                     implicit TLS from the first byte (RFC 8314: ports 995, 993)
  --ca FILE                 verify the server's certificate against the CAs in FILE (PEM) and its
                            name against HOST; without it nothing is verified (example tools)
  --mailbox NAME            IMAP: the mailbox to fetch (default INBOX)
  --delete                  delete the fetched messages on the server
  --timeout SECONDS         the longest wait for the server at each step (default 60)
  -v, --verbose             the protocol lines on standard error (message bodies excepted)
  -h, --help                this text

exit status: 0 every message was fetched (and deleted with --delete); 1 otherwise (a failed
connection, TLS or login, a message the server refused, a file that could not be written);
2 usage error
)";

mailwire_fetch::options parse_args(int argc, char** argv) {
  mailwire_fetch::options o;
  std::optional<std::string> server, protocol, user, password, maildir;
  for (arg_reader r(argc, argv, help_text); r.next();) {
    if (r.is("--server")) server = r.value();
    else if (r.is("--protocol")) protocol = r.value();
    else if (r.is("--user")) user = r.value();
    else if (r.is("--password")) password = r.value();
    else if (r.is("--maildir")) maildir = r.value();
    else if (r.is("--mailbox")) o.mailbox = r.value();
    else if (r.is("--ca")) o.ca = r.value();
    else if (r.is("--starttls")) o.starttls = true;
    else if (r.is("--tls")) o.tls = true;
    else if (r.is("--delete")) o.remove = true;
    else if (r.is("-v") || r.is("--verbose")) o.verbose = true;
    else if (r.is("--timeout")) o.timeout = r.count();
    else r.unknown();
  }
  if (!server) throw usage_error{"--server HOST:PORT is required"};
  if (!protocol) throw usage_error{"--protocol pop3|imap is required"};
  if (*protocol != "pop3" && *protocol != "imap") throw usage_error{fmt::format("--protocol '{}': pop3 or imap", *protocol)};
  if (!user || !password) throw usage_error{"--user and --password are required"};
  if (!maildir) throw usage_error{"--maildir DIR is required"};
  if (o.starttls && o.tls) throw usage_error{"--starttls and --tls exclude each other"};
  if (o.mailbox && *protocol == "pop3") throw usage_error{"--mailbox is for IMAP (POP3 has one maildrop)"};
  if (o.timeout == 0) throw usage_error{"--timeout must be positive"};
  o.server = mailwire_net::split_host_port("--server", *server);
  if (o.server.host.empty()) throw usage_error{"--server needs a host"};
  o.server_text = *server;
  o.server_host = o.server.host;
  o.protocol = *protocol;
  o.user = *user;
  o.password = *password;
  o.maildir = *maildir;
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  ::signal(SIGPIPE, SIG_IGN);
  mailwire_fetch::options o;
  try {
    o = parse_args(argc, argv);
  } catch (const usage_error& e) {
    error_line(tool, "{} (try --help)", e.message);
    return exit_usage;
  }
  mailwire_net::maildir md(o.maildir);
  if (const std::string err = md.prepare(); !err.empty()) {
    error_line(tool, "{}", err);
    return exit_bad_input;
  }
  std::uint64_t fetched = 0, missed = 0;
  int rc = exit_ok;
  try {
    if (o.protocol == "imap") {
      mailwire_fetch::imap_fetcher f(o, md);
      fetched = f.run();
      missed = f.missed();
    } else {
      mailwire_fetch::pop3_fetcher f(o, md);
      fetched = f.run();
      missed = f.missed();
    }
    if (missed != 0) rc = exit_bad_input;
  } catch (const mailwire_net::failure& e) {
    error_line(tool, "{}", e.what);
    rc = exit_bad_input;
  } catch (const usage_error& e) {
    error_line(tool, "{} (try --help)", e.message);
    return exit_usage;
  } catch (const std::exception& e) {
    error_line(tool, "{}", e.what());
    rc = exit_bad_input;
  }
  fmt::print("{}\n", fetched);
  return rc;
}
