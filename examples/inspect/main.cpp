// mailwire-inspect — runs mailwire's codecs on standard input (or a file) for differential and
// round-trip tests. Command line, output and exit codes: ../shared/spec/tools.md.
//
//   mailwire-inspect mime FILE|-                          one JSON line (spec/inspect-mime-json.md)
//   mailwire-inspect smtp command|reply [FILE|-]          canonical SMTP commands / replies (RFC 5321)
//   mailwire-inspect pop3 command [FILE|-]                canonical POP3 commands (RFC 1939)
//   mailwire-inspect pop3 response [--commands F] [FILE|-] canonical POP3 responses (RFC 1939)
//   mailwire-inspect imap command|response [--utf8] [FILE|-] canonical IMAP commands / responses
//   mailwire-inspect base64 encode [--wrap N] [FILE|-]   RFC 2045 section 6.8 / RFC 4648
//   mailwire-inspect base64 decode [--strict] [--url] [FILE|-]
//   mailwire-inspect qp encode [--binary] [FILE|-]       RFC 2045 section 6.7
//   mailwire-inspect qp decode [--strict] [FILE|-]
//
// Everything streams through the library's stream_encoder/stream_decoder classes with fixed
// buffers, so memory stays bounded whatever the input size.
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mailwire/codec/base64.hpp"
#include "mailwire/codec/quoted_printable.hpp"
#include "imap_text.hpp"
#include "mime_json.hpp"
#include "pop3_text.hpp"
#include "smtp_text.hpp"
#include "tool/cli.hpp"

namespace {

using namespace mailwire_tool;
constexpr std::string_view tool = "mailwire-inspect";

constexpr std::string_view help_text = R"(usage: mailwire-inspect COMMAND [OPTIONS] [FILE|-]

Reads FILE (or standard input) and writes the result to standard output.

commands:
  mime FILE|-                 parse one message (RFC 5322 + MIME) and print one JSON line: headers
                              (subject, from, to, cc, date, message_id) and the part tree (type,
                              params, disposition, filename, encoding, size and sha256 of each
                              decoded leaf body, enclosed messages)
  smtp command                what an SMTP client sends, each command written back in canonical
                              form (RFC 5321); DATA content up to CRLF.CRLF and BDAT chunks copied
  smtp reply                  what an SMTP server sends, each reply in canonical form
  pop3 command                what a POP3 client sends, each command in canonical form (RFC 1939);
                              after AUTH, lines are SASL responses (base64, "=", copied) until "*"
                              or a line that is a command with a known keyword (a SASL line
                              spelling one, e.g. "QUIT", is read as that command)
  pop3 response [--commands FILE]
                              what a POP3 server sends, each response in canonical form. FILE
                              holds the client's side (read as by pop3 command): the first
                              response is the greeting, then each answers the next command
                              (AUTH: "+ " continuations, then +OK/-ERR). +OK to RETR, TOP, CAPA,
                              and to LIST, UIDL, LANG without argument has a multi-line body:
                              RETR/TOP bodies copied as is through CRLF.CRLF, LIST/UIDL/CAPA
                              lines in canonical form, LANG lines copied; -ERR is one line; an
                              incomplete body is written before the error; a response after the
                              answer to the last command is an error. Without --commands every
                              response is read as a single line
  imap command [--utf8]       what an IMAP client sends, literals included, each command written
                              back in canonical form (RFC 9051 / RFC 3501 and extensions). Read as
                              a server that offers LITERAL+ (RFC 7888: "{N+}" of any size, so
                              LITERAL-'s too) and has said "+" to every synchronizing literal, as
                              an authenticated peer: lines up to 64 KiB, literals up to 2^63-1
                              octets. After AUTHENTICATE, lines without SP are SASL responses
                              (base64, or "*" to cancel; copied) until a line that is a command
                              ("tag SP name"); after IDLE the next line must be DONE (written
                              "DONE"). STARTTLS and COMPRESS do not end the stream: what follows
                              is read as the commands sent inside TLS / after inflating, as a
                              logging proxy records them. "ENABLE UTF8=ACCEPT" (or IMAP4rev2) is
                              taken as accepted: UTF-8 allowed from the next command on
  imap response [--utf8]      what an IMAP server sends, each response (continuation request,
                              tagged, untagged, FETCH with literals) in canonical form; "* ENABLED
                              UTF8=ACCEPT" (or IMAP4rev2) allows UTF-8 from the next response on.
                              For both: a literal over 64 KiB is streamed, never held whole (the
                              parsers take one as APPEND's message data, as the value of a FETCH
                              body item and in the arguments of an unknown command or response kept
                              as written, nowhere else: a LOGIN password of 100 KB is refused): the
                              canonical text up to its announcement is written, then its octets as
                              they are read, then the rest of the item, so the start of an item with
                              a streamed literal is written even when its end is malformed or
                              missing. Input that ends inside a literal: "message ended inside a
                              literal", inside a line: "incomplete command" (or "incomplete
                              response"; "incomplete line" after AUTHENTICATE / IDLE), at the offset
                              of the end of the input, unless what was read is malformed already
                              (then that offset). --utf8 (extension): UTF-8 allowed from the start
                              (RFC 6855 / IMAP4rev2); default strict US-ASCII, modified UTF-7
                              mailbox names
  base64 encode [--wrap N]    base64 (RFC 2045 section 6.8): lines of N characters ending in CRLF
                              (default 76); --wrap 0 writes one line with no line break
  base64 decode [--strict]    default: characters outside the alphabet are skipped (RFC 2045);
                              --strict (RFC 4648): any such character, bad or missing padding,
                              non-zero pad bits or data after padding is an error
  qp encode [--binary]        quoted-printable (RFC 2045 section 6.7), CRLF line breaks;
                              --binary also encodes CR and LF
  qp decode [--strict]        malformed "=XY" sequences are kept as written; --strict makes them
                              (and lower-case hex) an error

options of every command:
  --url                       base64: the URL and filename safe alphabet (RFC 4648 section 5)
  -h, --help                  this text

exit status: 0 success, 1 bad input (stderr: "mailwire-inspect: offset N: reason"), 2 usage error
)";

struct args {
  std::string_view command, action;
  std::optional<std::string_view> file;
  std::optional<std::string_view> commands;  // pop3 response --commands FILE
  std::uint64_t wrap = 76;
  bool strict = false, binary = false, url = false, utf8 = false, help = false;
};

args parse_args(int argc, char** argv) {
  args a;
  std::vector<std::string_view> pos;
  for (int i = 1; i < argc; ++i) {
    const std::string_view s = argv[i];
    if (s == "-h" || s == "--help") {
      a.help = true;
    } else if (s == "--wrap") {
      if (i + 1 >= argc) throw usage_error{"--wrap needs a number"};
      a.wrap = parse_count("--wrap", argv[++i]);
    } else if (s.starts_with("--wrap=")) {
      a.wrap = parse_count("--wrap", s.substr(7));
    } else if (s == "--strict") {
      a.strict = true;
    } else if (s == "--binary") {
      a.binary = true;
    } else if (s == "--url") {
      a.url = true;
    } else if (s == "--utf8") {
      a.utf8 = true;
    } else if (s == "--commands") {
      if (i + 1 >= argc) throw usage_error{"--commands needs a FILE"};
      a.commands = argv[++i];
    } else if (s.starts_with("--commands=")) {
      a.commands = s.substr(11);
    } else if (s.size() > 1 && s[0] == '-') {
      throw usage_error{fmt::format("unknown option '{}'", s)};
    } else {
      pos.push_back(s);
    }
  }
  if (a.help) return a;
  if (pos.empty()) throw usage_error{"no command given"};
  a.command = pos[0];
  if (a.commands && a.command != "pop3") throw usage_error{"--commands applies to pop3 response only"};
  if (a.utf8 && a.command != "imap") throw usage_error{"--utf8 applies to imap only"};
  if (a.command == "imap") {
    if (pos.size() < 2 || (pos[1] != "command" && pos[1] != "response"))
      throw usage_error{"imap needs 'command' or 'response'"};
    if (pos.size() > 3) throw usage_error{"more than one input file given"};
    if (a.strict || a.binary || a.url || a.wrap != 76) throw usage_error{"imap takes no such options"};
    a.action = pos[1];
    if (pos.size() == 3) a.file = pos[2];
    return a;
  }
  if (a.command == "mime") {
    if (pos.size() != 2) throw usage_error{"mime needs one FILE (or - for standard input)"};
    if (a.strict || a.binary || a.url || a.wrap != 76) throw usage_error{"mime takes no options"};
    a.file = pos[1];
    return a;
  }
  if (a.command == "smtp") {
    if (pos.size() < 2 || (pos[1] != "command" && pos[1] != "reply"))
      throw usage_error{"smtp needs 'command' or 'reply'"};
    if (pos.size() > 3) throw usage_error{"more than one input file given"};
    if (a.strict || a.binary || a.url || a.wrap != 76) throw usage_error{"smtp takes no options"};
    a.action = pos[1];
    if (pos.size() == 3) a.file = pos[2];
    return a;
  }
  if (a.command == "pop3") {
    if (pos.size() < 2 || (pos[1] != "command" && pos[1] != "response"))
      throw usage_error{"pop3 needs 'command' or 'response'"};
    if (pos.size() > 3) throw usage_error{"more than one input file given"};
    if (a.strict || a.binary || a.url || a.wrap != 76) throw usage_error{"pop3 takes no such options"};
    a.action = pos[1];
    if (a.commands && a.action != "response") throw usage_error{"--commands applies to pop3 response only"};
    if (pos.size() == 3) a.file = pos[2];
    return a;
  }
  if (a.command != "base64" && a.command != "qp")
    throw usage_error{fmt::format("unknown command '{}'", a.command)};
  if (pos.size() < 2) throw usage_error{fmt::format("{} needs 'encode' or 'decode'", a.command)};
  a.action = pos[1];
  if (a.action != "encode" && a.action != "decode")
    throw usage_error{fmt::format("unknown {} action '{}'", a.command, a.action)};
  if (pos.size() > 3) throw usage_error{"more than one input file given"};
  if (pos.size() == 3) a.file = pos[2];
  // Flags that mean nothing for the chosen command are usage errors, not silently ignored.
  const bool b64 = a.command == "base64", enc = a.action == "encode";
  if (a.strict && enc) throw usage_error{"--strict applies to decode only"};
  if (a.binary && !(a.command == "qp" && enc)) throw usage_error{"--binary applies to qp encode only"};
  if (a.url && !b64) throw usage_error{"--url applies to base64 only"};
  if (a.wrap != 76 && !(b64 && enc)) throw usage_error{"--wrap applies to base64 encode only"};
  return a;
}

int run(const args& a) {
  input_file in(a.file);
  if (in.get() == nullptr) {
    error_line(tool, "cannot open {}: {}", in.name(), std::strerror(in.open_error()));
    return exit_bad_input;
  }
  if (a.command == "mime") return inspect_mime::run(tool, in.get(), stdout);
  if (a.command == "smtp")
    return a.action == "command" ? inspect_smtp::commands(tool, in.get(), stdout)
                                 : inspect_smtp::replies(tool, in.get(), stdout);
  if (a.command == "imap")
    return a.action == "command" ? inspect_imap::commands(tool, in.get(), stdout, a.utf8)
                                 : inspect_imap::responses(tool, in.get(), stdout, a.utf8);
  if (a.command == "pop3") {
    if (a.action == "command") return inspect_pop3::commands(tool, in.get(), stdout);
    if (!a.commands) return inspect_pop3::responses(tool, in.get(), stdout, nullptr);
    input_file cf(a.commands);
    if (cf.get() == nullptr) {
      error_line(tool, "cannot open {}: {}", cf.name(), std::strerror(cf.open_error()));
      return exit_bad_input;
    }
    std::vector<inspect_pop3::expected_answer> answers;
    if (const int rc = inspect_pop3::expected_answers(tool, cf.get(), cf.name(), answers); rc != exit_ok) return rc;
    return inspect_pop3::responses(tool, in.get(), stdout, &answers);
  }
  const auto alpha = a.url ? mailwire::base64::alphabet::url : mailwire::base64::alphabet::standard;
  if (a.command == "base64" && a.action == "encode") {
    mailwire::base64::stream_encoder enc({.alpha = alpha,
                                          .line_length = static_cast<std::size_t>(a.wrap),
                                          .eol = mailwire::line_ending::crlf});
    return pump(tool, in.get(), stdout,
                [&](auto chunk, auto out, bool fin) { return enc.encode(chunk, out, fin); });
  }
  if (a.command == "base64") {
    mailwire::base64::stream_decoder dec({.alpha = alpha, .strict = a.strict});
    return pump(tool, in.get(), stdout,
                [&](auto chunk, auto out, bool fin) { return dec.decode(chunk, out, fin); });
  }
  if (a.action == "encode") {
    mailwire::qp::stream_encoder enc({.binary = a.binary});
    return pump(tool, in.get(), stdout,
                [&](auto chunk, auto out, bool fin) { return enc.encode(chunk, out, fin); });
  }
  mailwire::qp::stream_decoder dec({.strict = a.strict});
  return pump(tool, in.get(), stdout,
              [&](auto chunk, auto out, bool fin) { return dec.decode(chunk, out, fin); });
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const args a = parse_args(argc, argv);
    if (a.help) {
      fmt::print("{}", help_text);
      return exit_ok;
    }
    return run(a);
  } catch (const usage_error& e) {
    error_line(tool, "{} (try --help)", e.message);
    return exit_usage;
  } catch (const std::bad_alloc&) {
    error_line(tool, "out of memory");
    return exit_bad_input;
  }
}
