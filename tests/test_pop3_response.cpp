// Tests of mailwire/pop3/response.hpp: RFC 1939 section 10 server lines, RFC 2449 / 3206 / 5034
// examples, CAPA lines, scan and UIDL listings, every limit, and the multi-line decoder and
// encoder in every chunking (with pipelined bytes after the end), plus seeded round trips.
#include <catch2/catch.hpp>

#include <mailwire/core/cpu.hpp>
#include <mailwire/pop3/response.hpp>

#include <random>
#include <string>
#include <vector>

#include "chunking.hpp"

namespace pop3 = mailwire::pop3;
using mailwire::status;
using pop3::errc;
using pop3::response_code;
using pop3::response_kind;

namespace {

pop3::response ok(std::string_view line, const pop3::response_options& o = {}) {
  static std::vector<std::unique_ptr<mwtest::heap_copy>> keep;
  keep.push_back(std::make_unique<mwtest::heap_copy>(line));
  const std::string_view in = keep.back()->view();
  for (std::size_t n = 0; n < line.size(); ++n) {
    mwtest::heap_copy pre(line.substr(0, n));
    const auto q = pop3::parse_response(pre.view(), {}, o);
    INFO(line << " prefix " << n);
    REQUIRE((q.st == status::need_more && q.consumed == 0));
  }
  const auto r = pop3::parse_response(in, {}, o);
  INFO(line);
  REQUIRE(r.st == status::event);
  REQUIRE(r.consumed == line.size());
  std::string out;
  REQUIRE(pop3::serialize(r.value, out) == errc::ok);
  pop3::response_options u;
  u.lenient_8bit_text = true;
  const auto back = pop3::parse_response(out, {}, u);
  REQUIRE(back.ok());
  REQUIRE(back.value == r.value);
  return r.value;
}

void bad(std::string_view line, errc e, std::size_t at, const pop3::response_options& o = {},
         const pop3::limits& lim = {}) {
  mwtest::heap_copy h(line);
  const auto r = pop3::parse_response(h.view(), lim, o);
  INFO(line);
  REQUIRE(r.st == status::error);
  CHECK(r.error == e);
  CHECK(r.error_offset == at);
}

/// The decoder, made to fit check_every_chunking: after the end of the body the bytes that
/// follow (pipelined responses) are copied through, and the event is reported at `final`.
struct decode_through {
  pop3::multiline_decoder d;
  bool done = false;
};
auto decode_step = [](decode_through& w, std::string_view in, std::span<char> out, bool fin) {
  mailwire::codec_result<errc> r;
  if (!w.done) {
    r = w.d.decode(in, out, fin);
    if (r.st != status::event) return r;
    w.done = true;
    in.remove_prefix(r.consumed);
    out = out.subspan(r.produced);
  }
  const std::size_t n = std::min(in.size(), out.size());
  std::copy_n(in.data(), n, out.data());
  r.consumed += n;
  r.produced += n;
  r.st = n < in.size() ? status::paused : fin ? status::event : status::need_more;
  if (r.st == status::paused && r.consumed == 0 && r.produced == 0) r.st = status::need_more;
  return r;
};

std::string decode_all(std::string_view wire, std::size_t* consumed = nullptr, errc* e = nullptr) {
  pop3::multiline_decoder d;
  std::string out(wire.size() + 16, '\0');
  const auto r = d.decode(wire, std::span<char>(out), true);
  if (consumed) *consumed = r.consumed;
  if (e) *e = r.error;
  out.resize(r.produced);
  return out;
}

std::string encode_all(std::string_view body) {
  std::string out;
  auto o = mwtest::check_every_chunking(
      [] { return pop3::multiline_encoder{}; },
      [](auto& c, std::string_view in, std::span<char> out, bool fin) { return c.encode(in, out, fin); }, body);
  REQUIRE(o.st == status::event);
  return o.output;
}

}  // namespace

TEST_CASE("pop3 response: RFC 1939 section 10 server lines", "[pop3][response]") {
  auto r = ok("+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n");
  CHECK(r.k == response_kind::ok);
  CHECK(r.text == "POP3 server ready <1896.697170952@dbc.mtview.ca.us>");
  CHECK(r.code_kind() == response_code::none);
  r = ok("+OK mrose's maildrop has 2 messages (320 octets)\r\n");
  CHECK(r.text == "mrose's maildrop has 2 messages (320 octets)");
  r = ok("+OK 2 320\r\n");
  CHECK(r.text == "2 320");
  r = ok("+OK message 1 deleted\r\n");
  r = ok("+OK dewey POP3 server signing off (maildrop empty)\r\n");
  r = ok("-ERR no such message\r\n");
  CHECK(r.k == response_kind::err);
  CHECK(r.text == "no such message");
  r = ok("+OK\r\n");
  CHECK((r.k == response_kind::ok && r.text.empty()));
  r = ok("-ERR\r\n");
  CHECK((r.k == response_kind::err && r.text.empty()));
  // The status is case-insensitive on input, canonical upper case on output.
  r = ok("+ok fine\r\n");
  CHECK(r.k == response_kind::ok);
  std::string out;
  REQUIRE(pop3::serialize(r, out) == errc::ok);
  CHECK(out == "+OK fine\r\n");
}

TEST_CASE("pop3 response: extended response codes (RFC 2449 section 8, RFC 3206, RFC 6856)", "[pop3][response]") {
  auto r = ok("-ERR [IN-USE] Do you have another POP session running?\r\n");
  CHECK((r.code == "IN-USE" && r.code_kind() == response_code::in_use));
  CHECK(r.text == "Do you have another POP session running?");
  CHECK(ok("-ERR [LOGIN-DELAY] wait a while\r\n").code_kind() == response_code::login_delay);
  CHECK(ok("-ERR [SYS/TEMP] Problem with the mail server\r\n").code_kind() == response_code::sys_temp);
  CHECK(ok("-ERR [SYS/PERM] Your account is locked\r\n").code_kind() == response_code::sys_perm);
  CHECK(ok("-ERR [AUTH] Invalid login\r\n").code_kind() == response_code::auth);
  CHECK(ok("-ERR [UTF8] UTF8 mode needed\r\n").code_kind() == response_code::utf8);
  r = ok("-ERR [SYS/TEMP/DISK-FULL] later\r\n");
  CHECK((r.code == "SYS/TEMP/DISK-FULL" && r.code_kind() == response_code::other));
  r = ok("-ERR [AUTH]\r\n");
  CHECK((r.code == "AUTH" && r.text.empty()));
  // Not a well-formed code: it is text.
  r = ok("-ERR [not a code] hmm\r\n");
  CHECK((r.code.empty() && r.text == "[not a code] hmm"));
  r = ok("-ERR [SYS//TEMP] x\r\n");
  CHECK(r.code.empty());
  r = ok("-ERR [] x\r\n");
  CHECK(r.code.empty());
  r = ok("-ERR [unterminated\r\n");
  CHECK(r.text == "[unterminated");
}

TEST_CASE("pop3 response: SASL continuations (RFC 5034 section 4 examples)", "[pop3][response]") {
  auto r = ok("+ \r\n");
  CHECK((r.k == response_kind::continuation && r.data.empty()));
  r = ok("+ YGgGCSqGSIb3EgECAgIAb1kwV6ADAgEFoQMCAQ+iSzBJoAMCAQGiQgRAtHTEuOP2BXb9sBYFR4SJlDZxmg39IxmRBOhXRKdDA0uHTCOT9Bq3OsUTXUlk0CsFLoa8j+gvGDlgHuqzWHPSQg==\r\n");
  CHECK(r.data.size() == 144);
  bad("+ abc\r\n", errc::invalid_base64, 2);
  bad("+ ab!d\r\n", errc::invalid_base64, 4);
  // An AUTH challenge may be as long as the SASL line limit.
  const std::string big = "+ " + std::string(12284, 'A') + "\r\n";
  REQUIRE(big.size() == 12288);
  CHECK(pop3::parse_response(big).ok());
  bad("+ " + std::string(12288, 'A') + "\r\n", errc::auth_line_too_long, 12288);
}

TEST_CASE("pop3 response: framing and limits", "[pop3][response]") {
  bad("+OK hi\n", errc::bare_lf, 6);
  bad("+OK h\ri\r\n", errc::bare_cr, 5);
  bad(std::string_view("+OK h\0i\r\n", 9), errc::nul_in_line, 5);
  bad("OK hi\r\n", errc::invalid_status, 0);
  bad("+OKhi\r\n", errc::invalid_status, 3);
  bad("-ERRx\r\n", errc::invalid_status, 4);
  bad("\r\n", errc::invalid_status, 0);
  bad("+OK caf\xc3\xa9\r\n", errc::non_ascii, 7);
  pop3::response_options o;
  o.utf8 = true;
  CHECK(ok("+OK caf\xc3\xa9\r\n", o).text == "caf\xc3\xa9");
  bad("+OK caf\xc3\r\n", errc::invalid_utf8, 7, o);
  o = {};
  o.lenient_8bit_text = true;
  CHECK(ok("+OK caf\xe9\r\n", o).text == "caf\xe9");
  o = {};
  o.lenient_bare_lf = true;
  CHECK(pop3::parse_response("+OK hi\n", {}, o).value.text == "hi");
  CHECK(ok("+OK a\tb\r\n").text == "a\tb");
  // 512 octets with CRLF (RFC 2449 section 4).
  const std::string l512 = "+OK " + std::string(506, 'x') + "\r\n";
  CHECK(pop3::parse_response(l512).ok());
  bad("+OK " + std::string(507, 'x') + "\r\n", errc::response_line_too_long, 512);
  const std::string flood(100000, 'x');
  const auto r = pop3::parse_response(flood);
  CHECK((r.st == status::error && r.error == errc::response_line_too_long && r.consumed == 0));
  // Serializer refuses injected line ends.
  pop3::response v;
  v.text = "ok\r\n+OK forged";
  std::string out;
  CHECK(pop3::serialize(v, out) != errc::ok);
  CHECK(out.empty());
  v.text = "";
  v.code = "BAD CODE";
  CHECK(pop3::serialize(v, out) == errc::local_invalid_value);
}

TEST_CASE("pop3 response: scan and UIDL listings (RFC 1939 sections 5 and 7)", "[pop3][response]") {
  auto s = pop3::parse_scan_listing("1 120");
  REQUIRE(s.ok());
  CHECK((s.value.message == 1 && s.value.size == 120));
  s = pop3::parse_scan_listing("2 200 octets", {}, true);
  REQUIRE(s.ok());
  CHECK(s.value.size == 200);
  CHECK(pop3::parse_scan_listing("2 200 octets").error == errc::invalid_listing);
  CHECK(pop3::parse_scan_listing("0 1").error == errc::invalid_listing);
  CHECK(pop3::parse_scan_listing("1").error == errc::invalid_listing);
  CHECK(pop3::parse_scan_listing("1 ").error == errc::invalid_listing);
  CHECK(pop3::parse_scan_listing("x 1").error == errc::invalid_listing);
  CHECK(pop3::parse_scan_listing("2147483648 1").error == errc::number_overflow);
  CHECK(pop3::parse_scan_listing("1 99999999999999999999").error == errc::number_overflow);
  CHECK(pop3::parse_scan_listing("1 9999999999999999999").value.size == 9999999999999999999ull);
  auto u = pop3::parse_uidl_listing("1 whqtswO00WBw418f9t5JxYwZ");
  REQUIRE(u.ok());
  CHECK((u.value.message == 1 && u.value.uid == "whqtswO00WBw418f9t5JxYwZ"));
  CHECK(pop3::parse_uidl_listing("2 QhdPYR:00WBw1Ph7x7").value.uid == "QhdPYR:00WBw1Ph7x7");
  CHECK(pop3::parse_uidl_listing("1 " + std::string(70, '~')).ok());
  CHECK(pop3::parse_uidl_listing("1 " + std::string(71, '~')).error == errc::invalid_uid);
  CHECK(pop3::parse_uidl_listing("1 a b").error == errc::invalid_uid);
  CHECK(pop3::parse_uidl_listing("1 ").error == errc::invalid_uid);
  CHECK(pop3::parse_uidl_listing("1 \x80").error == errc::invalid_uid);
  std::string out;
  REQUIRE(pop3::serialize(pop3::scan_listing{3, 4096}, out) == errc::ok);
  REQUIRE(pop3::serialize(pop3::uidl_listing{3, "abc"}, out) == errc::ok);
  CHECK(out == "3 40963 abc");
  CHECK(pop3::serialize(pop3::uidl_listing{3, "a b"}, out) == errc::invalid_uid);
  CHECK(pop3::serialize(pop3::scan_listing{0, 1}, out) == errc::local_invalid_value);
  CHECK(out == "3 40963 abc");
}

TEST_CASE("pop3 response: CAPA lines (RFC 2449 section 6, RFC 2595, 5034, 6856)", "[pop3][response]") {
  // RFC 2449 section 5 example, and the others.
  const char* body =
      "TOP\r\nUSER\r\nSASL CRAM-MD5 KERBEROS_V4\r\nRESP-CODES\r\nLOGIN-DELAY 900\r\nPIPELINING\r\n"
      "EXPIRE 60\r\nUIDL\r\nIMPLEMENTATION Shlemazle-Plotz-v302\r\nSTLS\r\nAUTH-RESP-CODE\r\n"
      "UTF8 USER\r\nLANG\r\nEXPIRE NEVER\r\nLOGIN-DELAY 30 USER\r\nX-EXPERIMENTAL a b\r\n";
  std::string_view b = body, line;
  std::vector<pop3::capability> caps;
  while (pop3::next_line(b, line)) {
    const auto r = pop3::parse_capability(line);
    INFO(line);
    REQUIRE(r.ok());
    caps.push_back(r.value);
    std::string out;
    REQUIRE(pop3::serialize(r.value, out) == errc::ok);
    CHECK(out == line);
  }
  REQUIRE(caps.size() == 16);
  using K = pop3::capability_kind;
  CHECK(caps[0].k == K::top);
  CHECK(caps[1].k == K::user);
  CHECK((caps[2].k == K::sasl && caps[2].params == "CRAM-MD5 KERBEROS_V4"));
  CHECK(caps[3].k == K::resp_codes);
  CHECK((caps[4].k == K::login_delay && caps[4].value == 900u && !caps[4].per_user));
  CHECK(caps[5].k == K::pipelining);
  CHECK((caps[6].k == K::expire && caps[6].value == 60u && !caps[6].never));
  CHECK(caps[7].k == K::uidl);
  CHECK((caps[8].k == K::implementation && caps[8].params == "Shlemazle-Plotz-v302"));
  CHECK(caps[9].k == K::stls);
  CHECK(caps[10].k == K::auth_resp_code);
  CHECK((caps[11].k == K::utf8 && caps[11].per_user));
  CHECK(caps[12].k == K::lang);
  CHECK((caps[13].k == K::expire && caps[13].never && !caps[13].value));
  CHECK((caps[14].k == K::login_delay && caps[14].value == 30u && caps[14].per_user));
  CHECK((caps[15].k == K::other && caps[15].tag == "X-EXPERIMENTAL"));
  for (std::string_view badline : {"", "EXPIRE", "EXPIRE soon", "EXPIRE NEVER USER", "EXPIRE 1 ADMIN",
                                   "LOGIN-DELAY NEVER", "SASL", "SASL PL@IN", "TOP 1", "UTF8 ALL", "A\tB",
                                   "X ", "X a  b", "IMPLEMENTATION  x", "X a "}) {
    INFO(badline);
    CHECK(pop3::parse_capability(badline).error == errc::invalid_capability);
  }
}

TEST_CASE("pop3 response: multi-line decoder un-stuffs and ends at CRLF . CRLF only", "[pop3][response]") {
  struct kase {
    std::string wire, body;
  };
  const kase cases[] = {
      {".\r\n", ""},
      {"line\r\n.\r\n", "line\r\n"},
      {"..dot\r\n.\r\n", ".dot\r\n"},
      {"...\r\n..\r\n.\r\n", "..\r\n.\r\n"},
      {"a\r\n.x\r\n.\r\n", "a\r\nx\r\n"},  // a non-doubled dot is dropped too
      {"a\n.\nb\r.\r\r\n.\r\n", "a\n.\nb\r.\r\r\n"},  // bare LF / CR never start a line
      {".\rx\r\n.\r\n", "\rx\r\n"},
      {"1 120\r\n2 200\r\n.\r\n", "1 120\r\n2 200\r\n"},
      // RFC 1939 section 10 RETR body
      {"From: a\r\n\r\n<the POP3 server sends the entire message here>\r\n.\r\n",
       "From: a\r\n\r\n<the POP3 server sends the entire message here>\r\n"},
  };
  for (const auto& k : cases) {
    INFO(k.wire);
    for (std::string_view tail : {"", "+OK next\r\n", ".\r\n"}) {
      const std::string wire = k.wire + std::string(tail);
      std::size_t consumed = 0;
      CHECK(decode_all(wire, &consumed) == k.body);
      CHECK(consumed == k.wire.size());
      const auto o = mwtest::check_every_chunking([] { return decode_through{}; }, decode_step, wire);
      CHECK(o.st == status::event);
      CHECK(o.output == k.body + std::string(tail));
    }
  }
  // The end never came.
  for (std::string_view w : {"", "abc", "abc\r\n", "abc\r\n.", "abc\r\n.\r", "a\n.\n"}) {
    INFO(w);
    errc e = errc::ok;
    std::size_t consumed = 0;
    decode_all(w, &consumed, &e);
    CHECK(e == errc::unexpected_end);
    CHECK(consumed == w.size());
    const auto o = mwtest::check_every_chunking([] { return decode_through{}; }, decode_step, w);
    CHECK((o.st == status::error && o.error == static_cast<int>(errc::unexpected_end)));
    CHECK(o.error_offset == w.size());
  }
}

TEST_CASE("pop3 response: multi-line encoder stuffs, writes CRLF, ends with . CRLF", "[pop3][response]") {
  CHECK(encode_all("") == ".\r\n");
  CHECK(encode_all("a") == "a\r\n.\r\n");
  CHECK(encode_all("a\r\n") == "a\r\n.\r\n");
  CHECK(encode_all(".") == "..\r\n.\r\n");
  CHECK(encode_all(".\r\n..\nx\r.y") == "..\r\n...\r\nx\r\n..y\r\n.\r\n");
  CHECK(encode_all("a\n\nb\r\r") == "a\r\n\r\nb\r\n\r\n.\r\n");
  // A dot after a bare CR or LF is at a line start on the wire, so it is doubled.
  CHECK(encode_all("x\n.\ny\r.\r\n") == "x\r\n..\r\ny\r\n..\r\n.\r\n");
  pop3::multiline_encoder e;
  char out[16];
  REQUIRE(e.encode("", std::span<char>(out), true).st == status::event);
  CHECK(e.encode("x", std::span<char>(out), true).error == errc::local_input_after_final);
}

TEST_CASE("pop3 response: encoder then decoder gives the content back (seeded)", "[pop3][response]") {
  std::mt19937 rng(1939);
  const char alphabet[] = {'.', '.', '\r', '\n', 'a', ' '};
  for (int n = 0; n < 300; ++n) {
    std::string body;
    const std::size_t len = rng() % 40;
    for (std::size_t i = 0; i < len; ++i) body.push_back(alphabet[rng() % sizeof alphabet]);
    pop3::multiline_encoder enc;
    std::string wire(body.size() * 3 + 8, '\0');
    const auto w = enc.encode(body, std::span<char>(wire), true);
    REQUIRE(w.st == status::event);
    wire.resize(w.produced);
    // Every line end of the wire is CRLF, and a line start "." is never single unless it ends.
    std::size_t consumed = 0;
    errc e = errc::ok;
    const std::string back = decode_all(wire + "+OK\r\n", &consumed, &e);
    INFO(body);
    CHECK(e == errc::ok);
    CHECK(consumed == wire.size());
    // Expected: the content with every line end as CRLF and a final CRLF.
    std::string want;
    for (std::size_t i = 0; i < body.size(); ++i) {
      if (body[i] == '\r') {
        want += "\r\n";
        if (i + 1 < body.size() && body[i + 1] == '\n') ++i;
      } else if (body[i] == '\n') {
        want += "\r\n";
      } else {
        want.push_back(body[i]);
      }
    }
    if (!want.empty() && !(want.size() >= 2 && want.compare(want.size() - 2, 2, "\r\n") == 0)) want += "\r\n";
    CHECK(back == want);
  }
}

TEST_CASE("pop3 response: long bodies in every chunking", "[pop3][response]") {
  std::string body;
  for (int i = 0; i < 200; ++i) body += (i % 3 == 0 ? "." : "") + std::string(static_cast<std::size_t>(i % 37), 'x') + "\r\n";
  const std::string wire = encode_all(body);
  const auto o = mwtest::check_every_chunking([] { return decode_through{}; }, decode_step, wire);
  CHECK(o.st == status::event);
  CHECK(o.output == body);
}

namespace {

// Obvious byte-by-byte references for the 32-octet kernel (core/detail/dot_scan.hpp).
std::string reference_encode(std::string_view body) {
  std::string w;
  bool line_start = true;
  for (std::size_t i = 0; i < body.size(); ++i) {
    const char c = body[i];
    if (c == '\r' || c == '\n') {
      if (c == '\r' && i + 1 < body.size() && body[i + 1] == '\n') ++i;
      w += "\r\n";
      line_start = true;
      continue;
    }
    if (line_start && c == '.') w += '.';
    w += c;
    line_start = false;
  }
  if (!line_start) w += "\r\n";
  return w + ".\r\n";
}

// The body of `wire` up to its first line-start "." CRLF, un-stuffed; `end` gets the offset after
// the terminator (npos when there is none).
std::string reference_decode(std::string_view wire, std::size_t& end) {
  std::string b;
  std::size_t i = 0;
  end = std::string_view::npos;
  while (i < wire.size()) {  // at a line start
    if (wire.substr(i, 3) == ".\r\n") {
      end = i + 3;
      return b;
    }
    if (wire[i] == '.') ++i;
    const std::size_t crlf = wire.find("\r\n", i);
    if (crlf == std::string_view::npos) {
      b.append(wire.substr(i));
      return b;
    }
    b.append(wire.substr(i, crlf + 2 - i));
    i = crlf + 2;
  }
  return b;
}

// Lines of 0-100 octets, mostly CRLF-ended, some starting with ".", some bare CR or LF inside or
// at the end, so that clean runs, dots and irregular octets fall at every position of a block.
std::string random_lines(std::mt19937& rng, std::size_t lines) {
  std::string s;
  for (std::size_t l = 0; l < lines; ++l) {
    if (rng() % 6 == 0) s += '.';
    const std::size_t len = rng() % 101;
    for (std::size_t k = 0; k < len; ++k) {
      const unsigned x = rng() % 400;
      s += x == 0 ? '\r' : x == 1 ? '\n' : x == 2 ? '.' : static_cast<char>('a' + x % 26);
    }
    const unsigned e = rng() % 20;
    s += e == 0 ? "\n" : e == 1 ? "\r" : e == 2 ? "\r\r\n" : "\r\n";
  }
  return s;
}

}  // namespace

TEST_CASE("pop3 response: multi-line codecs on long lines equal a byte-by-byte reference (seeded)",
          "[pop3][response]") {
  // The kernel's SIMD level (AVX2 where the CPU has it, then SSE2 / portable code).
  const auto level = GENERATE(mailwire::simd::level::best, mailwire::simd::level::scalar);
  mailwire::simd::set_limit(level);
  struct restore {
    ~restore() { mailwire::simd::set_limit(mailwire::simd::level::best); }
  } restore_level;
  std::mt19937 rng(0x706f7033);
  for (int n = 0; n < 60; ++n) {
    const std::string body = random_lines(rng, 1 + rng() % 6);
    INFO("body #" << n << ": " << body);
    const std::string want = reference_encode(body);
    CHECK(encode_all(body) == want);  // every chunking
    // The decoder on the encoder's output, and on unstuffed wire text (a "." dropped, bare
    // CR/LF kept) ending at the first line-start "." CRLF, then pipelined bytes.
    for (const std::string& wire : {want, body + ".\r\n", body + "\r\n.\r\n+OK\r\n"}) {
      std::size_t end = 0;
      const std::string expect = reference_decode(wire, end);
      std::size_t consumed = 0;
      errc e = errc::ok;
      const std::string got = decode_all(wire, &consumed, &e);
      CHECK(got == expect);
      if (end == std::string_view::npos) {
        CHECK(e == errc::unexpected_end);
        CHECK(consumed == wire.size());
      } else {
        CHECK(e == errc::ok);
        CHECK(consumed == end);
        const auto o = mwtest::check_every_chunking([] { return decode_through{}; }, decode_step, wire, 64);
        CHECK(o.st == status::event);
        CHECK(o.output == expect + wire.substr(end));
      }
    }
  }
}

TEST_CASE("pop3 response: a long line with a bare line end is not rescanned per octet", "[pop3][response]") {
  // 4 MiB of one line, then a bare LF: linear time (a rescan per octet would take hours).
  std::string body(std::size_t{4} << 20, 'x');
  body += "\n.end\r\n";
  pop3::multiline_encoder enc;
  std::string wire(body.size() + 64, '\0');
  const auto w = enc.encode(body, std::span<char>(wire), true);
  REQUIRE(w.st == status::event);
  wire.resize(w.produced);
  CHECK(wire == std::string(std::size_t{4} << 20, 'x') + "\r\n..end\r\n.\r\n");
  std::size_t consumed = 0;
  const std::string back = decode_all(std::string(std::size_t{4} << 20, 'y') + "\n.\r\n.\r\n", &consumed);
  CHECK(back == std::string(std::size_t{4} << 20, 'y') + "\n.\r\n");
}
