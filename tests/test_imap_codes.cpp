// Tests of mailwire/imap/codes.hpp: response codes (RFC 9051 / RFC 3501 section 7.1 and the
// extensions), typed arguments, the generic fallback, prefixes, errors and the writer.
#include <catch2/catch.hpp>

#include <string>

#include "imap_value_testing.hpp"
#include "mailwire/imap/codes.hpp"

using namespace mailwire::imap;
using mailwire::status;
using namespace std::literals;

namespace {
auto code_parser() {
  return [](std::string_view s) { return parse_resp_code(s); };
}
}  // namespace

TEST_CASE("imap codes: every typed code", "[imap][codes]") {
  struct kat {
    std::string_view in;  // up to and including "]"
    code_kind kind;
  };
  const kat table[] = {
      {"ALERT]", code_kind::alert},
      {"BADCHARSET]", code_kind::badcharset},
      {"BADCHARSET (UTF-8 \"US-ASCII\")]", code_kind::badcharset},
      {"CAPABILITY IMAP4rev1 LITERAL+ AUTH=PLAIN]", code_kind::capability},
      {"PARSE]", code_kind::parse},
      {"PERMANENTFLAGS (\\Deleted \\Seen \\*)]", code_kind::permanentflags},
      {"PERMANENTFLAGS ()]", code_kind::permanentflags},
      {"READ-ONLY]", code_kind::read_only},
      {"read-write]", code_kind::read_write},
      {"TRYCREATE]", code_kind::trycreate},
      {"UIDNEXT 4392]", code_kind::uidnext},
      {"UIDVALIDITY 3857529045]", code_kind::uidvalidity},
      {"UNSEEN 12]", code_kind::unseen},
      {"APPENDUID 38505 3955]", code_kind::appenduid},
      {"APPENDUID 38505 3955:3957]", code_kind::appenduid},
      {"COPYUID 38505 304,319:320 3956:3958]", code_kind::copyuid},
      {"UIDNOTSTICKY]", code_kind::uidnotsticky},
      {"HIGHESTMODSEQ 715194045007]", code_kind::highestmodseq},
      {"NOMODSEQ]", code_kind::nomodseq},
      {"MODIFIED 7,9]", code_kind::modified},
      {"CLOSED]", code_kind::closed},
      {"COMPRESSIONACTIVE]", code_kind::compressionactive},
      {"OVERQUOTA]", code_kind::overquota},
      {"TOOBIG]", code_kind::toobig},
      {"METADATA LONGENTRIES 2199]", code_kind::metadata},
      {"METADATA MAXSIZE 1024]", code_kind::metadata},
      {"METADATA TOOMANY]", code_kind::metadata},
      {"METADATA NOPRIVATE]", code_kind::metadata},
      {"NOTSAVED]", code_kind::notsaved},
      {"HASCHILDREN]", code_kind::haschildren},
      {"MAILBOXID (F2212ea87-6097-4256-9d51-71338625)]", code_kind::mailboxid},
      {"UNAVAILABLE]", code_kind::unavailable},
      {"AUTHENTICATIONFAILED]", code_kind::authenticationfailed},
      {"AUTHORIZATIONFAILED]", code_kind::authorizationfailed},
      {"EXPIRED]", code_kind::expired},
      {"PRIVACYREQUIRED]", code_kind::privacyrequired},
      {"CONTACTADMIN]", code_kind::contactadmin},
      {"NOPERM]", code_kind::noperm},
      {"INUSE]", code_kind::inuse},
      {"EXPUNGEISSUED]", code_kind::expungeissued},
      {"CORRUPTION]", code_kind::corruption},
      {"SERVERBUG]", code_kind::serverbug},
      {"CLIENTBUG]", code_kind::clientbug},
      {"CANNOT]", code_kind::cannot},
      {"LIMIT]", code_kind::limit},
      {"ALREADYEXISTS]", code_kind::alreadyexists},
      {"NONEXISTENT]", code_kind::nonexistent},
      {"URLMECH INTERNAL]", code_kind::other},
      {"X-GM-FOO]", code_kind::other},
      {"ALERT now]", code_kind::other},        // arguments on an argument-less code: generic
      {"UIDNEXT abc]", code_kind::other},      // not a number: generic
      {"UIDNEXT 0]", code_kind::other},        // nz-number
      {"APPENDUID 1 2:*]", code_kind::other},  // uid-set has no "*"
  };
  for (const auto& k : table) {
    INFO(std::string(k.in));
    const auto p = mwtest::parse_checked(code_parser(), k.in);
    REQUIRE(p.r.ok());
    CHECK(p.r.consumed == k.in.size() - 1);
    CHECK(p.r.value.kind() == k.kind);
    std::string out;
    REQUIRE(write_resp_code(out, p.r.value) == errc::ok);
    std::string expect(k.in.substr(0, k.in.size() - 1));
    if (k.kind != code_kind::other) {
      const std::size_t sp = expect.find(' ');
      for (std::size_t i = 0; i < std::min(sp, expect.size()); ++i)
        expect[i] = static_cast<char>(std::toupper(static_cast<unsigned char>(expect[i])));
    }
    CHECK(out == expect);
  }
}

TEST_CASE("imap codes: typed arguments", "[imap][codes]") {
  const auto get = [](std::string_view s) {
    static std::string keep;
    keep = std::string(s);
    const auto r = parse_resp_code(keep);
    REQUIRE(r.ok());
    return r.value;
  };
  CHECK(get("UIDNEXT 4392]").number() == 4392);
  CHECK(get("UIDVALIDITY 3857529045]").number() == 3857529045u);
  CHECK(get("HIGHESTMODSEQ 715194045007]").number() == 715194045007ull);
  {
    const auto c = get("COPYUID 38505 304,319:320 3956:3958]");
    CHECK(c.number() == 38505);
    CHECK(c.set().raw() == "304,319:320");
    CHECK(c.set2().raw() == "3956:3958");
  }
  {
    const auto c = get("PERMANENTFLAGS (\\Deleted \\Seen \\*)]");
    CHECK(c.flags().size() == 3);
  }
  {
    const auto c = get("CAPABILITY IMAP4rev1 LITERAL+ AUTH=PLAIN]");
    CHECK(c.capabilities().size() == 3);
    CHECK(c.capabilities().contains("auth=plain"));
  }
  {
    const auto c = get("METADATA MAXSIZE 1024]");
    CHECK(c.metadata() == metadata_code::maxsize);
    CHECK(c.number() == 1024);
  }
  CHECK(get("MAILBOXID (F2212ea87)]").argument() == "F2212ea87");
  CHECK(get("BADCHARSET (UTF-8)]").argument() == "(UTF-8)");
  CHECK(get("MODIFIED 7,9]").set().raw() == "7,9");
}

TEST_CASE("imap codes: errors and prefixes", "[imap][codes]") {
  struct bad {
    std::string_view in;
    errc e;
    std::size_t at;
  };
  const bad table[] = {
      {"]", errc::bad_atom, 0},
      {"ALERT\r\n", errc::unexpected_character, 5},
      {"ALERT ]", errc::unexpected_character, 6},
      {"UIDNEXT 1\r\n", errc::unexpected_character, 9},
      {"X caf\xC3\xA9]", errc::eight_bit_not_allowed, 5},
      {"X a\0b]"sv, errc::nul_outside_literal8, 3},
      {"(ALERT]", errc::bad_atom, 0},
  };
  for (const auto& b : table) {
    INFO(std::string(b.in));
    const auto p = mwtest::parse_checked(code_parser(), b.in);
    REQUIRE(p.r.st == status::error);
    CHECK(p.r.error == b.e);
    CHECK(p.r.error_offset == b.at);
  }
}

TEST_CASE("imap codes: make from host text", "[imap][codes]") {
  const auto c = resp_code::make("COPYUID", "1 2:3 4:5");
  REQUIRE(c);
  CHECK(c->kind() == code_kind::copyuid);
  CHECK(c->set2().raw() == "4:5");
  std::string out;
  REQUIRE(write_resp_code(out, *c) == errc::ok);
  CHECK(out == "COPYUID 1 2:3 4:5");
  CHECK_FALSE(resp_code::make("bad name"));
  CHECK_FALSE(resp_code::make("X", "a]b"));
  CHECK(resp_code::make("ALERT")->kind() == code_kind::alert);
  CHECK(to_string(code_kind::read_only) == "READ-ONLY");
  std::string o2;
  CHECK(write_resp_code(o2, resp_code{}) == errc::local_invalid_value);
  CHECK(o2.empty());
}
