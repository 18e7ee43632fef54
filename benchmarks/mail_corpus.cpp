// benchmarks/mail_corpus.cpp — the generator of mail_corpus.hpp. Everything comes from
// std::mt19937_64 with fixed seeds and integer arithmetic, so the corpora are the same bytes
// everywhere. The messages imitate what Gmail, Outlook, Thunderbird, Apple Mail and mailing
// list software send (header sets, boundary styles, encodings); bodies are mixed European
// text (inputs.cpp) and random bytes behind the magic numbers of common file types.
#include "mail_corpus.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bench.hpp"
#include "mailwire/codec/base64.hpp"
#include "mailwire/codec/quoted_printable.hpp"

namespace mwbench {

namespace {

namespace b64 = mailwire::base64;
namespace qp = mailwire::qp;

class rng {
 public:
  explicit rng(unsigned long long seed) : r_(seed) {}
  std::uint64_t operator()() { return r_(); }
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(r_() % n); }
  std::size_t between(std::size_t lo, std::size_t hi) { return lo + below(hi - lo + 1); }
  bool percent(std::size_t p) { return below(100) < p; }
  template <class T, std::size_t N>
  const T& pick(const T (&a)[N]) {
    return a[below(N)];
  }
  // A size spread evenly over the logarithm of [lo, hi]: steps of 5 %, uniform inside a step.
  std::size_t log_size(std::size_t lo, std::size_t hi) {
    std::size_t steps = 0;
    for (std::size_t s = lo; s < hi; s = s * 105 / 100 + 1) ++steps;
    std::size_t s = lo;
    for (std::size_t k = below(steps + 1); k > 0; --k) s = s * 105 / 100 + 1;
    return std::min(hi, s + below(s / 20 + 1));
  }
  std::string chars(std::size_t n, std::string_view alphabet) {
    std::string s(n, ' ');
    for (char& c : s) c = alphabet[below(alphabet.size())];
    return s;
  }
  std::string hex(std::size_t n) { return chars(n, "0123456789abcdef"); }
  std::string alnum(std::size_t n) {
    return chars(n, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
  }
  std::string b64chars(std::size_t n) {
    return chars(n, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");
  }
  std::string digits(std::size_t n) { return chars(n, "0123456789"); }

 private:
  std::mt19937_64 r_;
};

// ---- people and addresses --------------------------------------------------------------------

struct name_part {
  std::string_view utf8;
  std::string_view ascii;  // for the local part
};

constexpr name_part first_intl[] = {
    {"Jörg", "joerg"},        {"François", "francois"}, {"José", "jose"},
    {"Łukasz", "lukasz"},     {"Søren", "soren"},       {"Zoë", "zoe"},
    {"Małgorzata", "malgorzata"}, {"Jiří", "jiri"},     {"Björn", "bjoern"},
    {"Çağla", "cagla"},       {"Renée", "renee"},       {"Dmitrij", "dmitrij"},
    {"Дмитрий", "dmitry"},    {"Γιώργος", "giorgos"},   {"Ângela", "angela"},
    {"Ines", "ines"},         {"Agnès", "agnes"},       {"Jürgen", "juergen"},
    {"Håkon", "hakon"},       {"István", "istvan"},     {"Ștefan", "stefan"},
};
constexpr name_part last_intl[] = {
    {"Müller", "mueller"},    {"Lefèvre", "lefevre"},   {"García", "garcia"},
    {"Wróbel", "wrobel"},     {"Kierkegård", "kierkegaard"}, {"Brontë", "bronte"},
    {"Dvořák", "dvorak"},     {"Öztürk", "ozturk"},     {"Ångström", "angstrom"},
    {"Nowak", "nowak"},       {"Schäfer", "schaefer"},  {"Иванов", "ivanov"},
    {"Παπαδόπουλος", "papadopoulos"}, {"Gonçalves", "goncalves"}, {"Núñez", "nunez"},
    {"Łęcki", "lecki"},       {"Hölzl", "hoelzl"},      {"Ó Briain", "obriain"},
};
constexpr name_part first_plain[] = {
    {"John", "john"},   {"Mary", "mary"},   {"Peter", "peter"}, {"Anna", "anna"},
    {"David", "david"}, {"Laura", "laura"}, {"Michael", "michael"}, {"Sarah", "sarah"},
    {"Thomas", "thomas"}, {"Julia", "julia"}, {"Marco", "marco"}, {"Eva", "eva"},
};
constexpr name_part last_plain[] = {
    {"Smith", "smith"},     {"Johnson", "johnson"}, {"Schmidt", "schmidt"}, {"Rossi", "rossi"},
    {"Martin", "martin"},   {"Jansen", "jansen"},   {"Kowalski", "kowalski"}, {"Bernard", "bernard"},
    {"Fischer", "fischer"}, {"Moreau", "moreau"},   {"Novak", "novak"},     {"Lindqvist", "lindqvist"},
};
constexpr std::string_view domains[] = {
    "example.com",       "example.org",    "mail.example.net", "beispiel.de", "exemple.fr",
    "ejemplo.es",        "przyklad.pl",    "lists.example.com", "corp.example.co.uk",
    "eu.example-mail.com", "gmail.example", "outlook.example",
};

bool is_ascii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

struct person {
  std::string first, last, local, domain;
  bool intl = false;
  std::string name() const { return first + " " + last; }
  std::string addr() const { return local + "@" + domain; }
};

person make_person(rng& r) {
  person p;
  p.intl = r.percent(55);
  const name_part& f = p.intl && r.percent(70) ? r.pick(first_intl) : r.pick(first_plain);
  const name_part& l = p.intl ? r.pick(last_intl) : r.pick(last_plain);
  p.first = f.utf8;
  p.last = l.utf8;
  const std::string n = p.name();
  p.intl = !is_ascii(n);
  switch (r.below(4)) {
    case 0: p.local = std::string(f.ascii) + "." + std::string(l.ascii); break;
    case 1: p.local = std::string(f.ascii.substr(0, 1)) + std::string(l.ascii); break;
    case 2: p.local = std::string(f.ascii) + "_" + std::string(l.ascii) + r.digits(2); break;
    default: p.local = std::string(f.ascii) + "." + std::string(l.ascii); break;
  }
  p.domain = r.pick(domains);
  return p;
}

std::string b_word(std::string_view utf8) { return "=?UTF-8?B?" + b64::encode(utf8) + "?="; }
std::string q_word(std::string_view utf8, bool lower_charset = false) {
  return std::string(lower_charset ? "=?utf-8?q?" : "=?UTF-8?Q?") + qp::q_encode(utf8) + "?=";
}

// One mailbox in one of the forms mail software writes; `out` gets what a reader should find.
std::string format_mailbox(rng& r, const person& p, mail_address& out) {
  out.addr = p.addr();
  out.name.clear();
  const std::string a = p.addr();
  if (p.intl) {
    out.name = p.name();
    const std::size_t k = r.below(100);
    if (k < 28) return "\"" + q_word(p.name(), true) + "\" <" + a + ">";  // common, though not allowed
    if (k < 55) return q_word(p.name()) + " <" + a + ">";
    if (k < 80) return b_word(p.name()) + " <" + a + ">";
    if (k < 94) return q_word(p.first + " ") + " " + q_word(p.last) + " <" + a + ">";  // RFC 2047 6.2
    return "\"" + p.name() + "\" <" + a + ">";  // raw UTF-8 (RFC 6532)
  }
  const std::size_t k = r.below(100);
  if (k < 35) {
    out.name = p.name();
    return p.name() + " <" + a + ">";
  }
  if (k < 58) {
    out.name = p.last + ", " + p.first;
    return "\"" + out.name + "\" <" + a + ">";
  }
  if (k < 73) {
    out.name = p.name();
    return "\"" + out.name + "\" <" + a + ">";
  }
  if (k < 85) return a;
  if (k < 96) return "<" + a + ">";
  return a + " (" + p.name() + ")";  // a comment is never a name
}

// An address list with `n` mailboxes (and sometimes groups); `expected` gets them flattened.
std::string format_list(rng& r, std::size_t n, bool groups, std::vector<mail_address>& expected,
                        bool fold) {
  std::string s;
  std::size_t line = 4;  // "To: "
  auto add = [&](const std::string& item) {
    if (!s.empty()) {
      s += ",";
      if (fold && line + item.size() > 76) {
        s += "\r\n ";
        line = 1;
      } else {
        s += " ";
        line += 2;
      }
    }
    s += item;
    line += item.size();
  };
  std::size_t done = 0;
  while (done < n) {
    const std::size_t k = groups ? r.below(100) : 99;
    if (k < 2) {
      add("undisclosed-recipients:;");
      continue;
    }
    if (k < 10 && n - done >= 2) {
      static constexpr std::string_view group_names[] = {"Team", "Projekt Nord", "\"Équipe A\"",
                                                         "=?UTF-8?Q?=C3=89quipe_B?=", "friends"};
      std::string g(r.pick(group_names));
      g += ": ";
      const std::size_t m = std::min(n - done, r.between(2, 6));
      for (std::size_t i = 0; i < m; ++i) {
        mail_address e;
        g += (i ? ", " : "") + format_mailbox(r, make_person(r), e);
        expected.push_back(e);
      }
      g += ";";
      add(g);
      done += m;
      continue;
    }
    mail_address e;
    add(format_mailbox(r, make_person(r), e));
    expected.push_back(e);
    ++done;
  }
  return s;
}

// ---- dates, ids, trace and authentication fields ----------------------------------------------

constexpr std::string_view month_names[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr std::string_view day_names[] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};

// RFC 5322 section 3.3 date-time of Unix time `t` in zone `zone` (minutes east of UTC).
std::string rfc5322_date(std::int64_t t, int zone, bool pad_day = true) {
  const std::int64_t local = t + zone * 60;
  std::int64_t days = local / 86400;
  const std::int64_t secs = local % 86400;
  const auto weekday = static_cast<std::size_t>(days % 7);
  // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
  days += 719468;
  const std::int64_t era = days / 146097;
  const std::int64_t doe = days - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const std::int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const std::int64_t m = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  char buf[64];
  const int az = zone < 0 ? -zone : zone;
  std::snprintf(buf, sizeof buf, pad_day ? "%s, %02d %s %04d %02d:%02d:%02d %c%02d%02d"
                                         : "%s, %d %s %04d %02d:%02d:%02d %c%02d%02d",
                std::string(day_names[weekday]).c_str(), static_cast<int>(d),
                std::string(month_names[m - 1]).c_str(), static_cast<int>(y),
                static_cast<int>(secs / 3600), static_cast<int>(secs / 60 % 60),
                static_cast<int>(secs % 60), zone < 0 ? '-' : '+', az / 60, az % 60);
  return buf;
}

constexpr int zones[] = {0, 60, 120, -300, -240, -420, 330, 540, 60, 120};

std::string ipv4(rng& r) {
  return std::to_string(r.between(11, 223)) + "." + std::to_string(r.below(256)) + "." +
         std::to_string(r.below(256)) + "." + std::to_string(r.between(1, 254));
}

// A base64 value of `n` characters folded after every `w` characters (DKIM/ARC "b=" tags).
std::string folded_b64(rng& r, std::size_t n, std::size_t w, std::string_view indent) {
  std::string s;
  for (std::size_t i = 0; i < n; i += w) {
    if (i) s += "\r\n" + std::string(indent);
    s += r.b64chars(std::min(w, n - i));
  }
  return s;
}

std::string received(rng& r, std::int64_t t, const person& rcpt, const person& from) {
  const std::string date = rfc5322_date(t, r.pick(zones));
  const std::string host = "mail-" + r.alnum(3) + "-f" + std::to_string(r.below(200)) + "." +
                           from.domain;
  switch (r.below(6)) {
    case 0:
      return "Received: from " + host + " (" + host + " [" + ipv4(r) + "])\r\n\tby mx" +
             std::to_string(r.below(9)) + "." + rcpt.domain + " (Postfix) with ESMTPS id " +
             r.chars(10, "0123456789ABCDEF") + "\r\n\tfor <" + rcpt.addr() + ">; " + date + "\r\n";
    case 1:
      return "Received: from " + host + " (" + host + ". [" + ipv4(r) +
             "])\r\n        by mx.google.example with SMTPS id " + r.alnum(18) + "." +
             std::to_string(r.below(100)) + "." + std::to_string(r.between(2023, 2024)) +
             "\r\n        for <" + rcpt.addr() +
             ">\r\n        (Google Transport Security);\r\n        " + date + "\r\n";
    case 2: {
      const std::string a = r.chars(4, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") + std::to_string(r.below(100)) + "MB" +
                            std::to_string(r.below(10000));
      const std::string b = r.chars(4, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") + std::to_string(r.below(100)) + "MB" +
                            std::to_string(r.below(10000));
      return "Received: from " + a + ".eurprd07.prod.outlook.com (2603:10a6:20b:" + r.hex(3) +
             "::" + r.hex(2) + ") by\r\n " + b + ".eurprd07.prod.outlook.com (2603:10a6:20b:" +
             r.hex(3) + "::" + r.hex(2) +
             ") with Microsoft SMTP\r\n Server (version=TLS1_2,\r\n "
             "cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.7633." +
             std::to_string(r.below(60)) + "; " + date + "\r\n";
    }
    case 3:
      return "Received: from [" + ipv4(r) + "] (helo=" + host + ")\r\n\tby smtp." + rcpt.domain +
             " with esmtpsa  (TLS1.3) tls TLS_AES_256_GCM_SHA384\r\n\t(Exim 4.96)\r\n\t"
             "(envelope-from <" + from.addr() + ">)\r\n\tid 1s" + r.alnum(4) + "-000" +
             r.alnum(3) + "-" + r.alnum(2) + "\r\n\tfor " + rcpt.addr() + ";\r\n\t" + date + "\r\n";
    case 4:
      return "Received: by 2002:a05:6a10:" + r.hex(4) + ":b0:" + r.hex(3) + ":" + r.hex(4) +
             " with SMTP id " + r.alnum(10) + "csp" + r.digits(6) + ";\r\n        " + date + "\r\n";
    default:
      return "Received: from localhost (localhost [127.0.0.1])\r\n\tby " + from.domain +
             " (Postfix) with ESMTP id " + r.chars(11, "0123456789ABCDEF") + ";\r\n\t" + date + "\r\n";
  }
}

std::string dkim(rng& r, std::int64_t t, const person& from) {
  return "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;\r\n        d=" + from.domain +
         "; s=" + std::to_string(r.between(2019, 2024)) + "0" + std::to_string(r.between(1, 9)) +
         "01; t=" + std::to_string(t) + "; x=" + std::to_string(t + 604800) +
         "; darn=" + from.domain +
         ";\r\n        h=to:subject:message-id:date:from:mime-version:from:to:cc:subject\r\n"
         "         :date:message-id:reply-to;\r\n        bh=" + r.b64chars(43) + "=;\r\n        b=" +
         folded_b64(r, 342, 70, "         ") + "==\r\n";
}

std::string arc(rng& r, std::int64_t t, const person& from, const std::string& ip) {
  std::string s;
  s += "ARC-Seal: i=1; a=rsa-sha256; t=" + std::to_string(t) +
       "; cv=none;\r\n        d=google.example; s=arc-20160816;\r\n        b=" +
       folded_b64(r, 342, 70, "         ") + "==\r\n";
  s += "ARC-Message-Signature: i=1; a=rsa-sha256; c=relaxed/relaxed; d=google.example;\r\n"
       "        s=arc-20160816;\r\n        h=to:subject:message-id:date:from:mime-version\r\n"
       "         :dkim-signature;\r\n        bh=" + r.b64chars(43) + "=;\r\n        fh=" +
       r.b64chars(43) + "=;\r\n        b=" + folded_b64(r, 342, 70, "         ") + "==\r\n";
  s += "ARC-Authentication-Results: i=1; mx.google.example;\r\n       dkim=pass header.i=@" +
       from.domain + " header.s=20230601 header.b=" + r.alnum(8) +
       ";\r\n       spf=pass (google.example: domain of " + from.addr() + " designates " + ip +
       " as permitted sender) smtp.mailfrom=" + from.addr() +
       ";\r\n       dmarc=pass (p=NONE sp=NONE dis=NONE) header.from=" + from.domain + "\r\n";
  return s;
}

std::string message_id(rng& r, const person& from) {
  switch (r.below(3)) {
    case 0: return "<CA+" + r.alnum(40) + "@mail.gmail.example>";
    case 1: return "<" + r.chars(4, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") + r.digits(2) + "MB" + r.digits(4) +
                   r.chars(20, "0123456789ABCDEF") + "@" + r.chars(4, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") +
                   "PR07MB1234.eurprd07.prod.outlook.com>";
    default: return "<" + r.hex(8) + "-" + r.hex(4) + "-" + r.hex(4) + "-" + r.hex(4) + "-" + r.hex(12) +
                    "@" + from.domain + ">";
  }
}

// A Subject from the text generator, as RFC 2047 encoded-words when it is not ASCII.
std::string subject_field(rng& r) {
  static constexpr std::string_view prefixes[] = {"", "", "", "Re: ", "RE: ", "AW: ", "Fwd: ", "TR: "};
  std::string words = european_text(400, r());
  words = words.substr(0, words.find("\r\n"));
  std::size_t len = r.between(16, 70);
  if (words.size() > len) {
    const std::size_t sp = words.rfind(' ', len);
    if (sp != std::string::npos && sp >= 8) len = sp;
    while (len > 0 && (static_cast<unsigned char>(words[len]) & 0xC0) == 0x80) --len;
    words.resize(len);
  }
  const std::string text = std::string(r.pick(prefixes)) + words;
  if (is_ascii(text)) return "Subject: " + text + "\r\n";
  // Words of at most 45 bytes, split at spaces (the space goes into the earlier word).
  std::string s = "Subject:";
  const bool use_b = r.percent(40);
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = std::min(text.size(), pos + 45);
    if (end < text.size()) {
      const std::size_t sp = text.rfind(' ', end - 1);
      if (sp != std::string::npos && sp > pos) end = sp + 1;
      else
        while (end > pos + 1 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
    }
    const std::string_view piece = std::string_view(text).substr(pos, end - pos);
    s += (pos ? "\r\n " : " ") + (use_b ? b_word(piece) : q_word(piece));
    pos = end;
  }
  return s + "\r\n";
}

// ---- bodies ------------------------------------------------------------------------------------

std::string boundary(rng& r) {
  switch (r.below(5)) {
    case 0: return "----=_Part_" + r.digits(6) + "_" + r.digits(9) + "." + r.digits(13);
    case 1: return "000000000000" + r.hex(16);
    case 2: return "_000_" + r.chars(4, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") + r.digits(2) + "MB" + r.digits(4) +
                   r.chars(20, "0123456789ABCDEF") + "_";
    case 3: return "Apple-Mail=_" + r.chars(8, "0123456789ABCDEF") + "-" + r.chars(4, "0123456789ABCDEF") +
                   "-" + r.chars(4, "0123456789ABCDEF") + "-" + r.chars(12, "0123456789ABCDEF");
    default: return "=_" + r.alnum(24);
  }
}

std::string crlf_to_lf(std::string_view s) {
  std::string o;
  o.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i)
    if (!(s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n')) o += s[i];
  return o;
}

std::string text_body(rng& r, const person& from, const person& to, std::size_t lo, std::size_t hi) {
  std::string t;
  static constexpr std::string_view greetings[] = {"Hallo ", "Bonjour ", "Hola ", "Cześć ", "Hej ",
                                                   "Dear ", "Ciao ", "Olá "};
  t += std::string(r.pick(greetings)) + to.first + ",\r\n\r\n";
  t += european_text(r.log_size(lo, hi), r());
  if (r.percent(35)) {  // a quoted reply
    t += "\r\nAm " + std::to_string(r.between(1, 28)) + ".0" + std::to_string(r.between(1, 9)) +
         ".2024 um 10:" + r.digits(2) + " schrieb " + to.name() + " <" + to.addr() + ">:\r\n";
    const std::string q = european_text(r.log_size(200, 3000), r());
    std::size_t p = 0;
    while (p < q.size()) {
      const std::size_t e = q.find("\r\n", p);
      t += "> " + q.substr(p, e - p) + "\r\n";
      if (e == std::string::npos) break;
      p = e + 2;
    }
  }
  t += "\r\n-- \r\n" + from.name() + "\r\n" + from.domain + " | +49 30 " + r.digits(7) + "\r\n";
  return t;
}

std::string html_escape(std::string_view s) {
  std::string o;
  for (char c : s) {
    switch (c) {
      case '&': o += "&amp;"; break;
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '"': o += "&quot;"; break;
      default: o += c;
    }
  }
  return o;
}

// The HTML alternative of `text`: one long line per paragraph, as HTML editors write.
std::string html_body(rng& r, std::string_view text, const std::vector<std::string>& cids) {
  std::string h =
      "<html><head>\r\n<meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\">\r\n"
      "<style type=\"text/css\" style=\"display:none;\"> P {margin-top:0;margin-bottom:0;} "
      "body{font-family:Calibri,Arial,Helvetica,sans-serif;font-size:11pt;color:rgb(0,0,0)}"
      "</style>\r\n</head>\r\n<body dir=\"ltr\">\r\n<div class=\"elementToProof\" "
      "style=\"font-family: Calibri, Arial, Helvetica, sans-serif; font-size: 12pt; color: "
      "rgb(0, 0, 0);\">\r\n";
  std::size_t p = 0;
  bool quote = false;
  while (p < text.size()) {
    std::size_t e = text.find("\r\n\r\n", p);
    if (e == std::string_view::npos) e = text.size();
    std::string para;
    for (std::size_t q = p; q < e;) {
      std::size_t le = text.find("\r\n", q);
      if (le == std::string_view::npos || le > e) le = e;
      std::string_view line = text.substr(q, le - q);
      const bool quoted = line.substr(0, 2) == "> ";
      if (quoted != quote) {
        para += quoted ? "<blockquote style=\"margin:0 0 0 .8ex;border-left:1px #ccc solid;"
                         "padding-left:1ex\">"
                       : "</blockquote>";
        quote = quoted;
      }
      if (quoted) line.remove_prefix(2);
      para += html_escape(line);
      para += quoted ? "<br>" : " ";
      q = le + 2;
    }
    h += "<p class=\"MsoNormal\">" + para + "</p>\r\n";
    p = e + 4;
  }
  if (quote) h += "</blockquote>\r\n";
  for (const std::string& cid : cids)
    h += "<p><img width=\"" + std::to_string(r.between(40, 600)) + "\" height=\"" +
         std::to_string(r.between(20, 400)) + "\" style=\"width:2.5in;height:1in\" src=\"cid:" + cid +
         "\" alt=\"image\"></p>\r\n";
  h += "</div>\r\n</body>\r\n</html>\r\n";
  return h;
}

struct file_kind {
  std::string_view type, ext, magic;
};
constexpr file_kind file_kinds[] = {
    {"application/pdf", "pdf", "%PDF-1.7\n%\xE2\xE3\xCF\xD3\n"},
    {"image/jpeg", "jpg", "\xFF\xD8\xFF\xE0"},
    {"image/png", "png", "\x89PNG\r\n\x1A\n"},
    {"application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx", "PK\x03\x04"},
    {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx", "PK\x03\x04"},
    {"application/zip", "zip", "PK\x03\x04"},
    {"application/octet-stream", "bin", ""},
};
constexpr std::string_view file_stems[] = {
    "Rechnung_2024-06", "scan0001", "IMG_4821", "report-q2", "Präsentation Q2", "Übersicht März",
    "Facture n°1234", "Żółć i gęś", "contract signed", "Angebot-Nr-88231", "photo", "Entwurf v3",
};

std::string percent_encode(std::string_view s) {
  std::string o;
  for (unsigned char c : s) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
        std::string_view("!#$&+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos) {
      o += static_cast<char>(c);
    } else {
      static constexpr char hex[] = "0123456789ABCDEF";
      o += '%';
      o += hex[c >> 4];
      o += hex[c & 15];
    }
  }
  return o;
}

std::string bytes_of(rng& r, const file_kind& k, std::size_t n) {
  std::string b(k.magic);
  if (b.size() < n) b += random_bytes(n - b.size(), r());
  b.resize(n);
  return b;
}

std::string b64_body(std::string_view bytes) { return b64::encode(bytes, b64::encode_options::mime()); }

class message_maker {
 public:
  explicit message_maker(rng& r) : r_(r) {}

  // A whole message; its leaves are appended to `leaves`.
  std::string message(std::vector<mail_leaf>& leaves, std::size_t hops_lo, std::size_t hops_hi,
                      int shape) {
    leaves_ = &leaves;
    const person from = make_person(r_);
    const person to = make_person(r_);
    t_ += static_cast<std::int64_t>(r_.between(30, 4000));
    std::string h;
    if (r_.percent(60)) h += "Delivered-To: " + to.addr() + "\r\n";
    const std::size_t hops = r_.between(hops_lo, hops_hi);
    std::int64_t t = t_;
    std::vector<std::string> trace;
    for (std::size_t i = 0; i < hops; ++i) {
      trace.push_back(received(r_, t, to, from));
      t += static_cast<std::int64_t>(r_.between(0, 5));
      if (r_.percent(20))
        trace.back() = "X-Received: by 2002:a17:906:" + r_.hex(4) + ":b0:" + r_.hex(3) + ":" + r_.hex(4) +
                       " with SMTP id " + r_.alnum(14) + "." + std::to_string(r_.below(40)) + "." +
                       std::to_string(t) + r_.digits(3) + ";\r\n        " +
                       rfc5322_date(t, r_.pick(zones)) + "\r\n" + trace.back();
    }
    for (std::size_t i = trace.size(); i-- > 0;) h += trace[i];
    const std::string ip = ipv4(r_);
    if (r_.percent(45)) h += arc(r_, t, from, ip);
    h += "Return-Path: <" + from.addr() + ">\r\n";
    if (r_.percent(70))
      h += "Received-SPF: pass (mx." + to.domain + ": domain of " + from.addr() + " designates " + ip +
           " as permitted sender) client-ip=" + ip + ";\r\n";
    if (r_.percent(80))
      h += "Authentication-Results: mx." + to.domain + ";\r\n       dkim=pass header.i=@" + from.domain +
           " header.s=20230601 header.b=" + r_.alnum(8) + ";\r\n       spf=pass smtp.mailfrom=" +
           from.addr() + ";\r\n       dmarc=pass (p=QUARANTINE sp=QUARANTINE dis=NONE) header.from=" +
           from.domain + "\r\n";
    if (r_.percent(85)) h += dkim(r_, t_, from);
    if (r_.percent(50)) h += "X-Google-Smtp-Source: AGHT+IE" + r_.b64chars(80) + "\r\n";
    h += "MIME-Version: 1.0\r\n";
    mail_address ignore;
    h += "From: " + format_mailbox(r_, from, ignore) + "\r\n";
    h += "Date: " + rfc5322_date(t_, r_.pick(zones), r_.percent(60)) + "\r\n";
    h += "Message-ID: " + message_id(r_, from) + "\r\n";
    if (r_.percent(40)) {
      const std::string ref = message_id(r_, to);
      h += "In-Reply-To: " + ref + "\r\nReferences: " + message_id(r_, from) + "\r\n " + ref + "\r\n";
    }
    h += subject_field(r_);
    std::vector<mail_address> addrs;
    h += "To: " + format_list(r_, r_.percent(75) ? 1 : r_.between(2, 6), false, addrs, true) + "\r\n";
    if (r_.percent(35)) h += "Cc: " + format_list(r_, r_.between(1, 5), false, addrs, true) + "\r\n";
    if (r_.percent(15))
      h += "List-Unsubscribe: <mailto:unsubscribe-" + r_.alnum(16) + "@lists.example.com>,\r\n <https://lists.example.com/u/" +
           r_.alnum(32) + ">\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n";
    if (r_.percent(30))
      h += "Thread-Topic: " + european_text(60, r_()).substr(0, 30) + "\r\nThread-Index: " + r_.b64chars(48) +
           "\r\nContent-Language: de-DE\r\nX-MS-Has-Attach: \r\nX-MS-TNEF-Correlator: \r\n";
    else if (r_.percent(50))
      h += "User-Agent: Mozilla Thunderbird\r\n";
    else
      h += "X-Mailer: Apple Mail (2.3774." + std::to_string(r_.below(600)) + ")\r\n";
    return h + content(shape, from, to);
  }

  std::int64_t t_ = 1717200000;  // June 2024

 private:
  // The body of a message or part with shape `shape`, its content header fields first.
  std::string content(int shape, const person& from, const person& to) {
    switch (shape) {
      case 0: return text_leaf(text_body(r_, from, to, 300, 8000), false);
      case 1: return text_leaf(html_body(r_, text_body(r_, from, to, 300, 8000), {}), true);
      case 2: return alternative(from, to, 0);
      case 3: {  // mixed: alternative + 1-3 attachments
        std::vector<std::string> parts{alternative(from, to, 0)};
        for (std::size_t i = 0, n = attachment_count(); i < n; ++i) parts.push_back(attachment());
        return multipart("mixed", parts);
      }
      case 4: return alternative(from, to, r_.between(1, 3));  // related with inline images
      case 5: {                                                 // mixed: related + attachments
        std::vector<std::string> parts{alternative(from, to, r_.between(1, 2))};
        for (std::size_t i = 0, n = attachment_count(); i < n; ++i) parts.push_back(attachment());
        return multipart("mixed", parts);
      }
      case 6: {  // a forward: a short note and the forwarded message
        std::vector<std::string> parts{
            text_leaf("Siehe unten / see below.\r\n\r\n-- \r\n" + from.name() + "\r\n", false)};
        std::vector<mail_leaf>* outer = leaves_;
        message_maker inner(r_);
        inner.t_ = t_ - 86400;
        std::string m = inner.message(*outer, 1, 2, r_.percent(50) ? 2 : 3);
        leaves_ = outer;
        parts.push_back("Content-Type: message/rfc822\r\nContent-Disposition: attachment;\r\n"
                        "\tfilename=\"Forwarded message.eml\"\r\n\r\n" + m);
        return multipart("mixed", parts);
      }
      default: {  // mixed: plain text + attachments
        std::vector<std::string> parts{text_leaf(text_body(r_, from, to, 300, 3000), false)};
        for (std::size_t i = 0, n = attachment_count(); i < n; ++i) parts.push_back(attachment());
        return multipart("mixed", parts);
      }
    }
  }

  std::size_t attachment_count() {
    const std::size_t k = r_.below(100);
    return k < 80 ? 1 : k < 96 ? 2 : 3;
  }

  std::string multipart(std::string_view subtype, const std::vector<std::string>& parts) {
    const std::string b = boundary(r_);
    std::string s = "Content-Type: multipart/" + std::string(subtype) + ";\r\n\tboundary=\"" + b + "\"";
    if (subtype == "related") s += ";\r\n\ttype=\"text/html\"";
    s += "\r\n\r\n";
    if (r_.percent(30)) s += "This is a multi-part message in MIME format.\r\n";
    for (const std::string& p : parts) s += "--" + b + "\r\n" + p + "\r\n";
    s += "--" + b + "--\r\n";
    return s;
  }

  std::string alternative(const person& from, const person& to, std::size_t images) {
    const std::string text = text_body(r_, from, to, 300, 8000);
    std::vector<std::string> cids;
    for (std::size_t i = 0; i < images; ++i)
      cids.push_back("image00" + std::to_string(i + 1) + ".png@01DA" + r_.chars(4, "0123456789ABCDEF") +
                     "." + r_.chars(8, "0123456789ABCDEF"));
    std::vector<std::string> parts{text_leaf(text, false)};
    std::string html = text_leaf(html_body(r_, text, cids), true);
    if (images == 0) {
      parts.push_back(std::move(html));
    } else {
      std::vector<std::string> rel{std::move(html)};
      for (const std::string& cid : cids) rel.push_back(inline_image(cid));
      parts.push_back(multipart("related", rel));
    }
    return multipart("alternative", parts);
  }

  std::string text_leaf(const std::string& text, bool html) {
    std::string s = std::string("Content-Type: text/") + (html ? "html" : "plain") +
                    (r_.percent(50) ? "; charset=\"UTF-8\"" : "; charset=utf-8") + "\r\n";
    const std::size_t k = r_.below(100);
    mail_leaf l;
    l.decoded = text;
    l.text = true;
    std::string body;
    if (k < (html ? 88u : 85u)) {
      s += "Content-Transfer-Encoding: quoted-printable\r\n";
      body = qp::encode(text);
    } else if (k < 93) {
      s += "Content-Transfer-Encoding: base64\r\n";
      body = b64_body(text);
      l.base64 = true;
    } else {
      s += "Content-Transfer-Encoding: 8bit\r\n";
      body = text;
    }
    leaves_->push_back(std::move(l));
    return s + "\r\n" + body;
  }

  std::string attachment() {
    const file_kind& k = r_.pick(file_kinds);
    const std::string name = std::string(r_.pick(file_stems)) + "." + std::string(k.ext);
    const std::size_t n = r_.log_size(2000, 180000);
    const bool ascii = is_ascii(name);
    std::string s = "Content-Type: " + std::string(k.type) + "; name=\"" + (ascii ? name : q_word(name)) + "\"\r\n";
    if (ascii) s += "Content-Disposition: attachment; filename=\"" + name + "\"";
    else if (r_.percent(50)) s += "Content-Disposition: attachment;\r\n\tfilename*=UTF-8''" + percent_encode(name);
    else s += "Content-Disposition: attachment; filename=\"" + q_word(name) + "\"";
    if (r_.percent(40)) s += ";\r\n\tsize=" + std::to_string(n);
    s += "\r\nContent-Transfer-Encoding: base64\r\n";
    if (r_.percent(50)) {
      const std::string id = "f_" + r_.alnum(9) + std::to_string(r_.below(10));
      s += "Content-ID: <" + id + ">\r\nX-Attachment-Id: " + id + "\r\n";
    }
    mail_leaf l;
    l.decoded = bytes_of(r_, k, n);
    l.base64 = true;
    s += "\r\n" + b64_body(l.decoded);
    leaves_->push_back(std::move(l));
    return s;
  }

  std::string inline_image(const std::string& cid) {
    const std::string name = cid.substr(0, cid.find('@'));
    const std::size_t n = r_.log_size(2000, 60000);
    std::string s = "Content-Type: image/png; name=\"" + name + "\"\r\nContent-Description: " + name +
                    "\r\nContent-Disposition: inline; filename=\"" + name + "\"; size=" + std::to_string(n) +
                    ";\r\n\tcreation-date=\"" + rfc5322_date(t_, 0) + "\"\r\nContent-ID: <" + cid +
                    ">\r\nContent-Transfer-Encoding: base64\r\n\r\n";
    mail_leaf l;
    l.decoded = bytes_of(r_, file_kinds[2], n);
    l.base64 = true;
    s += b64_body(l.decoded);
    leaves_->push_back(std::move(l));
    return s;
  }

  rng& r_;
  std::vector<mail_leaf>* leaves_ = nullptr;
};

void finish(mail_corpus& c) {
  c.bytes = 0;
  c.base64_bytes = 0;
  c.leaf_count = 0;
  for (const std::string& m : c.messages) c.bytes += m.size();
  for (const auto& ls : c.leaves) {
    c.leaf_count += ls.size();
    for (const mail_leaf& l : ls)
      if (l.base64) c.base64_bytes += l.decoded.size();
  }
}

}  // namespace

mail_corpus make_mailbox(std::size_t count, unsigned long long seed) {
  rng r(seed);
  mail_corpus c;
  message_maker mk(r);
  for (std::size_t i = 0; i < count; ++i) {
    // Shapes: 0 text, 1 HTML only, 2 alternative, 3 mixed, 4 related, 5 mixed+related,
    // 6 forward, 7 text + attachments.
    const std::size_t k = r.below(100);
    const int shape = k < 5 ? 0 : k < 7 ? 1 : k < 70 ? 2 : k < 82 ? 3 : k < 90 ? 4 : k < 94 ? 5 : k < 97 ? 6 : 7;
    std::vector<mail_leaf> leaves;
    std::string m = mk.message(leaves, 3, 8, shape);
    if (r.percent(4)) {  // a few messages stored with LF line breaks
      m = crlf_to_lf(m);
      ++c.lf_only;
    }
    c.messages.push_back(std::move(m));
    c.leaves.push_back(std::move(leaves));
  }
  finish(c);
  return c;
}

mail_corpus make_message_10mb(unsigned long long seed) {
  rng r(seed);
  mail_corpus c;
  std::vector<mail_leaf> leaves;
  // The alternative from the generator, then six attachments of 1.2 MB in a mixed multipart.
  message_maker mk(r);
  std::string m = mk.message(leaves, 4, 4, 2);
  const std::size_t ct = m.find("Content-Type: multipart/alternative");
  std::string head = m.substr(0, ct), alt = m.substr(ct);
  const std::string b = "----=_Part_" + r.digits(6) + "_" + r.digits(9) + "." + r.digits(13);
  std::string s = head + "Content-Type: multipart/mixed;\r\n\tboundary=\"" + b + "\"\r\n\r\n";
  s += "--" + b + "\r\n" + alt + "\r\n";
  for (int i = 0; i < 6; ++i) {
    const file_kind& k = file_kinds[i % 3];
    mail_leaf l;
    l.decoded = bytes_of(r, k, 1200000);
    l.base64 = true;
    const std::string name = "scan-" + std::to_string(i + 1) + "." + std::string(k.ext);
    s += "--" + b + "\r\nContent-Type: " + std::string(k.type) + "; name=\"" + name +
         "\"\r\nContent-Disposition: attachment; filename=\"" + name +
         "\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" + b64_body(l.decoded) + "\r\n";
    leaves.push_back(std::move(l));
  }
  s += "--" + b + "--\r\n";
  c.messages.push_back(std::move(s));
  c.leaves.push_back(std::move(leaves));
  finish(c);
  return c;
}

address_corpus make_address_lists(std::size_t count, unsigned long long seed) {
  rng r(seed);
  address_corpus c;
  while (c.addresses < count) {
    const std::size_t k = r.below(100);
    std::size_t n = k < 60 ? r.between(1, 3) : k < 90 ? r.between(4, 15) : r.between(16, 60);
    n = std::min(n, count - c.addresses);
    std::vector<mail_address> e;
    c.lists.push_back(format_list(r, n, true, e, false));
    c.bytes += c.lists.back().size();
    c.addresses += e.size();
    c.expected.push_back(std::move(e));
  }
  return c;
}

const mail_corpus& the_mailbox() {
  static const mail_corpus c = make_mailbox();
  return c;
}
const mail_corpus& the_message_10mb() {
  static const mail_corpus c = make_message_10mb();
  return c;
}
const address_corpus& the_address_lists() {
  static const address_corpus c = make_address_lists();
  return c;
}

}  // namespace mwbench
