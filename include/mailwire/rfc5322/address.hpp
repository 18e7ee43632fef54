// mailwire/rfc5322/address.hpp — address lists of RFC 5322 sections 3.4 and 3.4.1 (From, To, Cc,
// Bcc, Reply-To, Sender, Resent-*), with the obsolete forms of section 4.4, RFC 6532 UTF-8 and
// RFC 2047 encoded-words in display names, read the way real mail readers read them.
//
//   using namespace mailwire::rfc5322;
//   auto list = parse_address_list(
//       "\"Joe Q. Public\" <john.q.public@example.com>, Team: ann@example.org, bob@x.example;");
//   for (const mailbox& m : list.mailboxes)            // every mailbox, group members included
//     use(m.name, m.addr());                          // "Joe Q. Public", "john.q.public@example.com"
//   for (const group& g : list.groups)                 // groups are kept as ranges of mailboxes
//     for (const mailbox& m : list.members(g)) use(g.name, m.addr());
//   for (const defect& d : list.defects) log(to_string(d.code), d.offset);
//
// The grammar read (section 3.4, 3.4.1, obsolete forms of section 4.4):
//
//   address-list = (address *("," address)) / obs-addr-list   ; empty elements allowed
//   address      = mailbox / group
//   mailbox      = name-addr / addr-spec
//   name-addr    = [display-name] angle-addr
//   angle-addr   = [CFWS] "<" [obs-route] addr-spec ">" [CFWS]   ; obs-route is dropped
//   group        = display-name ":" [group-list] ";" [CFWS]
//   display-name = phrase = 1*word / obs-phrase                 ; obs-phrase allows "."
//   addr-spec    = local-part "@" domain
//   local-part   = dot-atom / quoted-string / obs-local-part     ; word *("." word)
//   domain       = dot-atom / domain-literal / obs-domain        ; atom *("." atom)
//
// Values (the "Precise rules" of spec/inspect-mime-json.md):
// - mailbox::name is the display name: its words in order, one space where CFWS stood between
//   two of them, none where they touch ("John Q. Public"; `"John"Smith` gives "JohnSmith").
//   Quoted-string content is kept as written (quoted-pairs undone, folding removed, inner
//   whitespace kept). RFC 2047 encoded-words are decoded in atoms and inside quoted-strings
//   (as real mail needs; RFC 2047 section 5 allows only the former), whitespace between
//   adjacent encoded-words is dropped (RFC 2047 section 6.2), and whitespace inside decoded
//   atom text is collapsed to one space and trimmed. Comments are never names:
//   `ann@example.org (Ann)` has the name "". The name is UTF-8; invalid bytes become U+FFFD.
// - mailbox::local_part is the semantic local part (quotes and quoted-pairs removed, CFWS
//   around the dots of an obs-local-part removed); mailbox::domain is the domain as written
//   without CFWS (a domain-literal keeps its brackets, loses its FWS). addr() joins them and
//   re-quotes the local part only when it is not a dot-atom. No IDNA, no case change.
// - A mailbox with an empty address (`<>`) is kept in the list (has_address() is false);
//   spec-following hosts leave it out of their output.
//
// Recovery, each with a defect (errc, offset): words without a dot in a local part are kept
// with one space between ("John Smith@x" has the local part "John Smith", re-quoted by addr());
// a missing "@" or domain leaves the domain empty; text after a mailbox, up to the next ',', is
// skipped (errc::junk_skipped); specials in a display name are kept as text
// (errc::unquoted_specials: `ann@x.example <ann@x.example>` has that name); a missing '>' or
// ';' is assumed at the next ',' or the end; empty elements and extra commas are skipped; a ';'
// outside a group starts junk. A group inside a group loses its name (errc::nested_group).
//
// Limits (address_limits): max_addresses mailboxes (then errc::too_many_addresses and the rest
// is ignored), max_groups groups (further groups' members are plain mailboxes), max_defects,
// comment nesting. There is no input size limit: parsing is one forward pass with constant
// extra memory per element (no token arrays), and results are never larger than the input
// (plus U+FFFD expansion).
// Nothing throws but std::bad_alloc (result strings and vectors).
#pragma once

#include <cstddef>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mailwire/codec/charset.hpp"
#include "mailwire/rfc5322/encoded_word.hpp"
#include "mailwire/rfc5322/errc.hpp"
#include "mailwire/rfc5322/lexer.hpp"

namespace mailwire::rfc5322 {

/// A mailbox (RFC 5322 section 3.4: `mailbox = name-addr / addr-spec`), decoded.
struct mailbox {
  std::string name;        ///< display name, decoded UTF-8 ("" when none; comments never count)
  std::string local_part;  ///< semantic local part (unquoted), UTF-8
  std::string domain;      ///< domain as written without CFWS ("[192.0.2.1]" for literals), UTF-8
  std::size_t offset = 0;  ///< offset of the mailbox's first byte in the parsed value

  /// False for the empty address of `<>` (nothing in local part or domain).
  [[nodiscard]] bool has_address() const noexcept {
    return !local_part.empty() || !domain.empty();
  }
  /// Appends the addr-spec (section 3.4.1): local part, re-quoted (section 3.2.4) only when it
  /// is not a dot-atom, then "@" and the domain when there is one. Nothing for `<>`.
  void append_addr(std::string& out) const {
    if (!has_address()) return;
    if (is_dot_atom_text(local_part)) out.append(local_part);
    else append_quoted(local_part, out);
    if (!domain.empty()) {
      out.push_back('@');
      out.append(domain);
    }
  }
  /// append_addr() into a new string: "john.q.public@example.com", "\"a b\"@example.com".
  [[nodiscard]] std::string addr() const {
    std::string s;
    s.reserve(local_part.size() + domain.size() + 3);
    append_addr(s);
    return s;
  }
  friend bool operator==(const mailbox&, const mailbox&) = default;
};

/// A group (RFC 5322 section 3.4: `group = display-name ":" [group-list] ";" [CFWS]`): its
/// members are address_list::mailboxes[first, first + count).
struct group {
  std::string name;        ///< display name, decoded as mailbox::name
  std::size_t first = 0;   ///< index of its first member in address_list::mailboxes
  std::size_t count = 0;   ///< number of members (0 for "undisclosed-recipients:;")
  std::size_t offset = 0;  ///< offset of the group's first byte in the parsed value
  friend bool operator==(const group&, const group&) = default;
};

/// A parsed address-list (section 3.4). Groups are flattened into `mailboxes` and kept as
/// ranges in `groups`, so the flat view (spec/inspect-mime-json.md) is just `mailboxes`.
struct address_list {
  std::vector<mailbox> mailboxes;  ///< every mailbox in input order, group members included
  std::vector<group> groups;       ///< groups in input order
  std::vector<defect> defects;     ///< irregularities (offsets into the parsed value)

  /// The members of `g` (a group of this list). Valid until `mailboxes` changes.
  [[nodiscard]] std::span<const mailbox> members(const group& g) const noexcept {
    return std::span<const mailbox>(mailboxes).subspan(g.first, g.count);
  }
};

/// Result of parse_mailbox(): one mailbox (sections 3.4 and 3.6.2: Sender).
struct mailbox_result {
  mailbox value;                ///< the mailbox when found()
  bool present = false;         ///< a mailbox was read
  std::vector<defect> defects;  ///< irregularities (offsets into the parsed value)
  [[nodiscard]] bool found() const noexcept { return present; }
};

/// How display names are decoded.
struct address_options {
  bool decode_encoded_words = true;  ///< RFC 2047 encoded-words in display names
  charset::options charsets{};       ///< charset handling of encoded-words
};

/// Bounds of the address parsers (DESIGN.md section 6).
struct address_limits {
  std::size_t max_addresses = 10000;  ///< mailboxes per list; then errc::too_many_addresses
  std::size_t max_groups = 1000;      ///< groups per list; further groups: plain mailboxes
  std::size_t max_defects = 1000;     ///< defects kept; later ones are dropped
  lexer_limits lexer{};               ///< comment nesting depth
};

namespace detail {

/// Words and dots of a local part or domain: the text and what was irregular.
struct dotted_text {
  std::string text;
  bool any = false;       // a word or dot was added
  bool last_dot = false;  // the last item was '.'
  bool obsolete = false;  // CFWS next to a dot, quoted words joined by dots (obs-local-part)
  bool bad = false;       // words without a dot between, empty labels, a leading dot
  bool quoted = false;    // a quoted word was added
  bool done = false;      // domain: complete, anything else is junk
  bool literal = false;   // domain: a domain-literal

  void clear() noexcept {
    text.clear();
    any = last_dot = obsolete = bad = quoted = done = literal = false;
  }
  void word(std::string_view value, bool ws, bool is_quoted) {
    if (any && !last_dot) {
      bad = true;
      if (ws) text.push_back(' ');
    } else if (any && ws) {
      obsolete = true;
    }
    if (is_quoted && any) obsolete = true;
    if (quoted && !is_quoted) obsolete = true;
    text.append(value);
    any = true;
    last_dot = false;
    quoted = quoted || is_quoted;
  }
  void dot(bool ws) {
    if (!any || last_dot) bad = true;
    if (ws && any) obsolete = true;
    if (quoted) obsolete = true;
    text.push_back('.');
    any = true;
    last_dot = true;
  }
  // A word of a domain: after a complete label sequence, another word ends the domain.
  bool domain_word(std::string_view value, bool ws) {
    if (done || (any && !last_dot)) {
      done = true;
      return false;
    }
    if (any && ws) obsolete = true;
    text.append(value);
    any = true;
    last_dot = false;
    return true;
  }
  bool domain_dot(bool ws) {
    if (done || literal) {
      done = true;
      return false;
    }
    if (!any || last_dot) bad = true;
    if (ws && any) obsolete = true;
    text.push_back('.');
    any = true;
    last_dot = true;
    return true;
  }
  bool domain_literal(std::string_view raw) {
    if (done || any) {
      done = true;
      return false;
    }
    append_domain_literal(raw, text);
    any = literal = done = true;
    return true;
  }
};

/// Builds a display name from the words of a phrase (see the header comment for the rules).
class phrase_builder {
 public:
  explicit phrase_builder(const address_options& o) noexcept : opt_(o) {}

  void reset() noexcept {
    out_.clear();
    run_.clear();
    lead_space_ = emitted_ = specials_ = dots_ = ew_defect_ = false;
    specials_at_ = 0;
  }
  // An atom, a '.', a special or a domain-literal, as written.
  void text(std::string_view t, bool ws, bool comment) {
    if (comment && !run_.empty()) flush();
    if (ws && emitted_) {
      if (run_.empty()) lead_space_ = true;
      else run_.push_back(' ');
    }
    run_.append(t);
    emitted_ = true;
  }
  void special(std::string_view t, bool ws, bool comment, std::size_t at) {
    if (t == ".") {
      dots_ = true;
    } else if (!specials_) {
      specials_ = true;
      specials_at_ = at;
    }
    text(t, ws, comment);
  }
  // A quoted-string, given by its content with the quoted-pairs undone (append_unquoted()).
  void quoted(std::string_view unquoted, bool ws) {
    flush();
    if (ws && emitted_) out_.push_back(' ');
    decode_phrase(unquoted, out_, false);
    emitted_ = true;
  }
  // The name; valid until the next reset().
  std::string& finish() {
    flush();
    return out_;
  }
  bool specials() const noexcept { return specials_; }
  std::size_t specials_at() const noexcept { return specials_at_; }
  bool dots() const noexcept { return dots_; }
  bool encoded_word_defect() const noexcept { return ew_defect_; }
  bool empty() const noexcept { return !emitted_; }

 private:
  void flush() {
    if (run_.empty()) return;
    const std::size_t mark = out_.size();
    if (lead_space_) out_.push_back(' ');
    const std::size_t start = out_.size();
    decode_phrase(run_, out_, true);
    if (out_.size() == start) out_.resize(mark);  // nothing decoded: no space either
    run_.clear();
    lead_space_ = false;
  }

  // ---- decode phrase ----------------------------------------------------------------------
  // Appends the UTF-8 of phrase text `raw` to `out`: RFC 2047 encoded-words decoded
  // (decode_words(): section 6.2 whitespace rule, words split inside a character joined),
  // invalid UTF-8 replaced by U+FFFD. `atoms`: `raw` is a run of atoms (single spaces between
  // them): whitespace produced by decoding is collapsed and trimmed. Otherwise `raw` is
  // quoted-string content, kept as it is but for CR and LF from decoded words, which become SP
  // (a name never carries a line break).
  void decode_phrase(std::string_view raw, std::string& out, bool atoms) {
    if (!opt_.decode_encoded_words || raw.find("=?") == std::string_view::npos) {
      charset::append_utf8_sanitized(out, raw);
      return;
    }
    dec_.clear();
    const encoded_word_result r = decode_words(raw, dec_, opt_.charsets);
    if (!r.clean()) ew_defect_ = true;
    bool space = false;
    const std::size_t start = out.size();
    for (const char c : dec_) {
      const bool ws = c == ' ' || c == '\t' || c == '\r' || c == '\n';
      if (!atoms) {
        out.push_back(c == '\r' || c == '\n' ? ' ' : c);
        continue;
      }
      if (ws) {
        space = true;
        continue;
      }
      if (space && out.size() != start) out.push_back(' ');
      space = false;
      out.push_back(c);
    }
  }

  const address_options& opt_;
  std::string out_;   // the name so far
  std::string run_;   // pending run of atoms, decoded at the next quoted-string or the end
  std::string dec_;   // decoded text before collapsing
  bool lead_space_ = false;
  bool emitted_ = false;
  bool specials_ = false;
  bool dots_ = false;
  bool ew_defect_ = false;
  std::size_t specials_at_ = 0;
};

class address_parser {
 public:
  address_parser(std::string_view in, const address_options& o, const address_limits& l,
                 address_list& out, bool groups_allowed)
      : in_(in), lim_(l), out_(out), groups_allowed_(groups_allowed), phrase_(o) {}

  void run() {
    const std::size_t n = in_.size();
    bool element_since_comma = false;
    bool group_closed = false;  // a ';' ended a group: the next element needs a ',' first
    std::size_t last_comma = std::string_view::npos;
    for (;;) {
      cfws();
      if (pos_ == n) break;
      const char c = in_[pos_];
      if (c == ',') {
        if (!element_since_comma) add(errc::empty_list_element, pos_);
        element_since_comma = false;
        group_closed = false;
        last_comma = pos_++;
        continue;
      }
      if (c == ';') {
        if (in_group_) {
          close_group();
          ++pos_;
          element_since_comma = true;
          group_closed = true;
        } else {
          junk(pos_);
        }
        continue;
      }
      if (out_.mailboxes.size() >= lim_.max_addresses) {
        add(errc::too_many_addresses, pos_);
        if (in_group_) close_group();  // the group keeps the members read so far
        return;
      }
      if (group_closed) add(errc::unexpected_character, pos_);  // read as if ',' were there
      group_closed = false;
      element();
      element_since_comma = true;
    }
    if (last_comma != std::string_view::npos && !element_since_comma)
      add(errc::empty_list_element, last_comma);
    if (in_group_) {
      add(errc::unterminated_group, group_at_);
      close_group();
    }
  }

 private:
  struct ws_seen {
    bool ws = false;       // CFWS was skipped
    bool comment = false;  // ... including a comment
  };

  ws_seen cfws() {
    const scan_result s = skip_cfws(in_, pos_, lim_.lexer);
    if (!s.ok()) add(s.error, s.error_offset);
    ws_seen w{s.end != pos_, s.comment};
    pos_ = s.end;
    return w;
  }

  void add(errc e, std::size_t at) {
    if (out_.defects.size() < lim_.max_defects) out_.defects.push_back({e, at});
  }

  // One address: a mailbox, or the start of a group (its members are read as elements).
  void element() {
    const std::size_t start = pos_;
    const std::size_t n = in_.size();
    phrase_.reset();
    local_.clear();
    domain_.clear();
    bool at_seen = false;
    std::size_t junk_at = std::string_view::npos;
    for (;;) {
      const ws_seen w = cfws();
      if (pos_ == n) break;
      const char c = in_[pos_];
      if (c == ',' || c == ';') break;
      if (c == '<') {
        angle(start);
        return;
      }
      if (c == ':') {
        if (!in_group_) {
          open_group(start);
          ++pos_;
          return;
        }
        add(errc::nested_group, pos_);  // its name is dropped, its members are ours
        ++pos_;
        phrase_.reset();
        local_.clear();
        domain_.clear();
        at_seen = false;
        junk_at = std::string_view::npos;
        continue;
      }
      const std::size_t at = pos_;
      if (c == '"') {
        const scan_result q = scan_quoted_string(in_, pos_);
        if (!q.ok()) add(q.error, q.error_offset);
        tmp_.clear();
        append_unquoted(in_.substr(pos_ + 1, (q.ok() ? q.end - 1 : q.end) - (pos_ + 1)), tmp_);
        phrase_.quoted(tmp_, w.ws);
        if (!at_seen) {
          local_.word(tmp_, w.ws, true);
        } else if (junk_at == std::string_view::npos) {
          junk_at = at;
        }
        pos_ = q.end;
      } else if (is_atext(c)) {
        const std::size_t e = scan_atom(in_, pos_);
        const std::string_view t = in_.substr(pos_, e - pos_);
        phrase_.text(t, w.ws, w.comment);
        if (!at_seen) local_.word(t, w.ws, false);
        else if (!domain_.domain_word(t, w.ws) && junk_at == std::string_view::npos) junk_at = at;
        pos_ = e;
      } else if (c == '.') {
        phrase_.special(".", w.ws, w.comment, at);
        if (!at_seen) local_.dot(w.ws);
        else if (!domain_.domain_dot(w.ws) && junk_at == std::string_view::npos) junk_at = at;
        ++pos_;
      } else if (c == '[') {
        const scan_result d = scan_domain_literal(in_, pos_);
        if (!d.ok()) add(d.error, d.error_offset);
        const std::string_view raw = in_.substr(pos_, d.end - pos_);
        tmp_.clear();  // in a name, the literal as written without its folding line breaks
        for (const char ch : raw)
          if (ch != '\r' && ch != '\n') tmp_.push_back(ch);
        phrase_.special(tmp_, w.ws, w.comment, at);
        if (!(at_seen && domain_.domain_literal(raw)) && junk_at == std::string_view::npos)
          junk_at = at;
        pos_ = d.end;
      } else {
        phrase_.special(in_.substr(pos_, 1), w.ws, w.comment, at);
        if (c == '@' && !at_seen) at_seen = true;
        else if (junk_at == std::string_view::npos) junk_at = at;
        ++pos_;
      }
    }
    // An addr-spec (or what is left of one).
    if (junk_at != std::string_view::npos) add(errc::junk_skipped, junk_at);
    if (!at_seen && !local_.any) return;  // nothing but junk
    check_addr_spec(start, at_seen);
    push_mailbox(start, std::string_view());
  }

  // name-addr: the phrase read so far is the display name; pos_ is at '<'.
  void angle(std::size_t start) {
    const std::size_t n = in_.size();
    std::string& name = phrase_.finish();
    if (phrase_.specials()) add(errc::unquoted_specials, phrase_.specials_at());
    else if (phrase_.dots()) add(errc::obsolete_syntax, start);
    if (phrase_.encoded_word_defect()) add(errc::bad_encoded_word, start);
    const std::size_t open = pos_++;
    local_.clear();
    domain_.clear();
    // obs-route (section 4.4): "@" domain *("," ["@" domain]) ":" before the addr-spec.
    const std::size_t p = skip_cfws(in_, pos_, lim_.lexer).end;
    if (p < n && (in_[p] == '@' || in_[p] == ',')) {
      // The first ':' or '>' from p. Scans start at increasing offsets, so the last answer
      // holds for any start up to it: every byte is looked at once over the whole list.
      if (route_stop_ == std::string_view::npos || route_stop_ < p) {
        route_stop_ = p;
        while (route_stop_ < n && in_[route_stop_] != ':' && in_[route_stop_] != '>')
          ++route_stop_;
      }
      const std::size_t k = route_stop_;
      if (k < n && in_[k] == ':') {
        add(errc::obsolete_route, p);
        pos_ = k + 1;
      }
    }
    bool at_seen = false, closed = false;
    std::size_t junk_at = std::string_view::npos;
    for (;;) {
      const ws_seen w = cfws();
      if (pos_ == n) break;
      const char c = in_[pos_];
      if (c == '>') {
        ++pos_;
        closed = true;
        break;
      }
      if (c == ',' || (c == ';' && in_group_)) break;
      const std::size_t at = pos_;
      bool ok = true;
      if (c == '"') {
        const scan_result q = scan_quoted_string(in_, pos_);
        if (!q.ok()) add(q.error, q.error_offset);
        if (!at_seen) {
          tmp_.clear();
          append_unquoted(in_.substr(pos_ + 1, (q.ok() ? q.end - 1 : q.end) - (pos_ + 1)), tmp_);
          local_.word(tmp_, w.ws, true);
        } else {
          ok = false;
        }
        pos_ = q.end;
      } else if (is_atext(c)) {
        const std::size_t e = scan_atom(in_, pos_);
        const std::string_view t = in_.substr(pos_, e - pos_);
        if (!at_seen) local_.word(t, w.ws, false);
        else ok = domain_.domain_word(t, w.ws);
        pos_ = e;
      } else if (c == '.') {
        if (!at_seen) local_.dot(w.ws);
        else ok = domain_.domain_dot(w.ws);
        ++pos_;
      } else if (c == '[') {
        const scan_result d = scan_domain_literal(in_, pos_);
        if (!d.ok()) add(d.error, d.error_offset);
        ok = at_seen && domain_.domain_literal(in_.substr(pos_, d.end - pos_));
        pos_ = d.end;
      } else {
        if (c == '@' && !at_seen) at_seen = true;
        else ok = false;
        ++pos_;
      }
      if (!ok && junk_at == std::string_view::npos) junk_at = at;
    }
    if (!closed) add(errc::unterminated_angle_addr, open);
    if (junk_at != std::string_view::npos) add(errc::junk_skipped, junk_at);
    if (!at_seen && !local_.any) add(errc::empty_angle_addr, open);
    else check_addr_spec(open + 1, at_seen);
    push_mailbox(start, name);
    // After the angle-addr only CFWS may come before the next ',' (or ';' ending a group).
    cfws();
    if (pos_ < n && in_[pos_] != ',' && !(in_[pos_] == ';' && in_group_)) junk(pos_);
  }

  // Defects of the addr-spec in local_ / domain_ (which starts at `start`).
  void check_addr_spec(std::size_t start, bool at_seen) {
    if (!local_.any) add(errc::empty_local_part, start);
    else if (local_.bad || local_.last_dot) add(errc::unexpected_character, start);
    else if (local_.obsolete) add(errc::obsolete_syntax, start);
    if (!at_seen) add(errc::missing_at, start);
    else if (!domain_.any) add(errc::missing_domain, start);
    else if (domain_.bad || domain_.last_dot) add(errc::unexpected_character, start);
    else if (domain_.obsolete) add(errc::obsolete_syntax, start);
  }

  // `name` is decoded UTF-8 already (phrase_builder's output).
  void push_mailbox(std::size_t start, std::string_view name) {
    mailbox& m = out_.mailboxes.emplace_back();
    m.offset = start;
    m.name.assign(name);
    charset::append_utf8_sanitized(m.local_part, local_.text);
    charset::append_utf8_sanitized(m.domain, domain_.text);
  }

  void open_group(std::size_t start) {
    in_group_ = true;
    group_at_ = start;
    std::string& name = phrase_.finish();
    if (phrase_.specials()) add(errc::unquoted_specials, phrase_.specials_at());
    if (phrase_.encoded_word_defect()) add(errc::bad_encoded_word, start);
    if (!groups_allowed_) {
      add(errc::unexpected_group, start);
      group_index_ = std::string_view::npos;
      return;
    }
    if (out_.groups.size() >= lim_.max_groups) {
      add(errc::too_many_groups, start);
      group_index_ = std::string_view::npos;
      return;
    }
    group& g = out_.groups.emplace_back();
    g.name.assign(name);
    g.first = out_.mailboxes.size();
    g.offset = start;
    group_index_ = out_.groups.size() - 1;
  }

  void close_group() {
    if (group_index_ != std::string_view::npos) {
      group& g = out_.groups[group_index_];
      g.count = out_.mailboxes.size() - g.first;
    }
    in_group_ = false;
    group_index_ = std::string_view::npos;
  }

  // Skips junk from `at` up to the next ',' (or ';' in a group), honouring comments and
  // quoted-strings (one that never ends is a plain '"' from then on).
  void junk(std::size_t at) {
    add(errc::junk_skipped, at);
    const std::size_t n = in_.size();
    while (pos_ < n) {
      const char c = in_[pos_];
      if (c == ',' || (c == ';' && in_group_)) return;
      if (c == '(') {
        cfws();
      } else if (c == '"' && !open_quote_) {
        const scan_result q = scan_quoted_string(in_, pos_);
        open_quote_ = !q.ok();
        pos_ = q.ok() ? q.end : pos_ + 1;
      } else {
        ++pos_;
      }
    }
  }

  std::string_view in_;
  const address_limits& lim_;
  address_list& out_;
  bool groups_allowed_;
  phrase_builder phrase_;
  dotted_text local_, domain_;
  std::string tmp_;
  std::size_t pos_ = 0;
  bool in_group_ = false;
  bool open_quote_ = false;
  std::size_t group_at_ = 0;
  std::size_t group_index_ = std::string_view::npos;
  std::size_t route_stop_ = std::string_view::npos;  // see angle()
};

// Reserves room for as many mailboxes as `in` has commas, plus one (at most max_addresses):
// one allocation instead of a growing vector.
inline void reserve_mailboxes(std::string_view in, const address_limits& lim, address_list& r) {
  std::size_t commas = 0;
  for (const char* p = in.data(), *e = p + in.size();
       (p = static_cast<const char*>(std::memchr(p, ',', static_cast<std::size_t>(e - p)))) !=
       nullptr;
       ++p) {
    if (++commas >= lim.max_addresses) break;
  }
  r.mailboxes.reserve(commas + 1 < lim.max_addresses ? commas + 1 : lim.max_addresses);
}

}  // namespace detail

/// Parses an address-list field value (To, Cc, Bcc, Reply-To, Resent-To...; RFC 5322 sections
/// 3.4, 3.4.1 and 4.4; the rules are at the top of this header).
[[nodiscard]] inline address_list parse_address_list(std::string_view in,
                                                     const address_options& opt = {},
                                                     const address_limits& lim = {}) {
  address_list r;
  detail::reserve_mailboxes(in, lim, r);
  detail::address_parser p(in, opt, lim, r, true);
  p.run();
  return r;
}

/// Parses a mailbox-list field value (From, Resent-From; section 3.4: mailboxes only). A group
/// is read as its members (errc::unexpected_group); `groups` stays empty.
[[nodiscard]] inline address_list parse_mailbox_list(std::string_view in,
                                                     const address_options& opt = {},
                                                     const address_limits& lim = {}) {
  address_list r;
  detail::reserve_mailboxes(in, lim, r);
  detail::address_parser p(in, opt, lim, r, false);
  p.run();
  return r;
}

/// Parses a single mailbox (Sender, Resent-Sender; section 3.6.2). More than one mailbox is
/// errc::trailing_garbage at the second one; the first is the result.
[[nodiscard]] inline mailbox_result parse_mailbox(std::string_view in,
                                                  const address_options& opt = {},
                                                  const address_limits& lim = {}) {
  address_list l = parse_mailbox_list(in, opt, lim);
  mailbox_result r;
  r.defects = std::move(l.defects);
  if (l.mailboxes.empty()) return r;
  if (l.mailboxes.size() > 1) r.defects.push_back({errc::trailing_garbage, l.mailboxes[1].offset});
  r.value = std::move(l.mailboxes.front());
  r.present = true;
  return r;
}

}  // namespace mailwire::rfc5322
