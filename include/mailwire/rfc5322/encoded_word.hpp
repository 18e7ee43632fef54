// mailwire/rfc5322/encoded_word.hpp — RFC 2047 encoded-words ("=?charset?B|Q?text?="):
// decoding header text to UTF-8 and encoding UTF-8 text, with the RFC 2231 section 5
// language suffix ("=?utf-8*en?Q?...?=").
//
//   namespace r = mailwire::rfc5322;
//   std::string subject;
//   auto res = r::decode_unstructured("=?ISO-8859-1?Q?Andr=E9?= Pirard", subject);
//   // subject == "André Pirard"; res.words == 1; res.defects lists irregularities + offsets
//
//   std::string field;
//   r::encode_unstructured("Grüße aus Köln", field, {.first_line_used = 9});  // "Subject: "
//   // field == "=?utf-8?b?R3LDvMOfZQ==?= aus =?utf-8?b?S8O2bG4=?="
//
// Decoding, and how it treats real mail (Python's email package and GMime agree on these):
// - Words are found anywhere, also touching other text ("foo=?utf-8?q?x?=bar" -> "fooxbar",
//   defect missing_whitespace), as Python's email and GMime's loose mode do; section 5 asks
//   for whitespace around them. Encoded-text may hold SP or HTAB (defect whitespace_in_word,
//   Python accepts it too) and 8-bit bytes, but never "?", CR, LF or other controls.
// - Section 6.2: whitespace between two adjacent decoded words is dropped; whitespace between
//   a word and other text stays. A word that stays as written counts as text.
// - Adjacent words in the same charset are joined BEFORE charset conversion, so a character
//   split across two words (bad but common) comes out whole.
// - B (section 4.1): characters outside the alphabet are skipped, missing padding is accepted,
//   text after padding is ignored (base64.hpp MIME mode). A B text with a dangling character
//   (4n+1 alphabet characters) cannot be decoded: the word stays as written (or, with
//   unknown_policy::replace, the dangling character is dropped). Q (section 4.2): "_" is SP,
//   a malformed "=" is kept as written (quoted_printable.hpp q_decode).
// - Charsets: charset::convert() (built-in tables, else the host converter). A charset nobody
//   knows: the words stay as written (unknown_policy::leave_encoded, the default and the
//   rule of spec/inspect-mime-json.md) or become ASCII + U+FFFD (unknown_policy::replace).
// - Outside words, raw 8-bit bytes are read as UTF-8 (RFC 6532), each invalid sequence is
//   one U+FFFD; CR and LF are removed (unfolding: a value may be passed with its folding
//   line breaks). Decoded words may contain any octet the charset gives, CR/LF/NUL included.
// - Limits (encoded_word_limits): words after max_words stay as written; output is cut at
//   max_output bytes (on a character boundary). Time is linear in the input.
//
// Encoding: whitespace-separated tokens that need it (non-ASCII, controls, "=?", too long to
// fold) become "utf-8" encoded-words, B or Q, whichever is shorter; adjacent ones share words
// (the whitespace between them goes inside). Every word is at most 75 characters (section 2)
// and ends on a UTF-8 character boundary. With encode_options::fold, lines are folded (CRLF
// SP) so that none exceeds 78 columns, counting first_line_used for the field name; without
// it, words are separated by a single SP and the header writer folds.
//
// Functions are noexcept except for std::bad_alloc from std::string/std::vector growth; bad
// input is never an exception: it is decoded as well as can be and listed in the defects.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "mailwire/codec/base64.hpp"
#include "mailwire/codec/charset.hpp"
#include "mailwire/codec/quoted_printable.hpp"
#include "mailwire/core/ascii.hpp"
#include "mailwire/core/error.hpp"
#include "mailwire/core/line.hpp"

namespace mailwire::rfc5322 {

/// Irregularities met while decoding encoded-words (RFC 2047). None stops decoding.
enum class encoded_word_errc : std::uint8_t {
  ok = 0,                 ///< no defect
  unknown_charset,        ///< charset known neither to the library nor to the host (section 2)
  undecodable_word,       ///< B text with a dangling character (section 4.1); left as written
  invalid_base64,         ///< B text with characters outside the alphabet or after padding
  missing_padding,        ///< B text without its final "=" padding (accepted)
  malformed_q_escape,     ///< Q text with "=" not followed by two hex digits (section 4.2)
  invalid_charset_bytes,  ///< decoded bytes not valid in their charset became U+FFFD
  invalid_utf8,           ///< raw 8-bit text outside words that is not UTF-8 became U+FFFD
  whitespace_in_word,     ///< SP or HTAB inside encoded-text (section 2 forbids it; accepted)
  missing_whitespace,     ///< a word touching other text without whitespace (section 5)
  word_too_long,          ///< a word longer than 75 characters (section 2; accepted)
  too_many_words,         ///< limit max_words reached: the remaining words stay as written
  output_too_large,       ///< limit max_output reached: the output was cut
};

[[nodiscard]] constexpr std::string_view to_string(encoded_word_errc e) noexcept {
  switch (e) {
    case encoded_word_errc::ok: return "ok";
    case encoded_word_errc::unknown_charset: return "unknown charset in encoded-word";
    case encoded_word_errc::undecodable_word: return "undecodable encoded-word";
    case encoded_word_errc::invalid_base64: return "invalid base64 in encoded-word";
    case encoded_word_errc::missing_padding: return "missing base64 padding in encoded-word";
    case encoded_word_errc::malformed_q_escape: return "malformed Q escape in encoded-word";
    case encoded_word_errc::invalid_charset_bytes: return "invalid bytes for the charset";
    case encoded_word_errc::invalid_utf8: return "invalid UTF-8 in header text";
    case encoded_word_errc::whitespace_in_word: return "whitespace inside encoded-word";
    case encoded_word_errc::missing_whitespace: return "encoded-word not separated by whitespace";
    case encoded_word_errc::word_too_long: return "encoded-word longer than 75 characters";
    case encoded_word_errc::too_many_words: return "too many encoded-words";
    case encoded_word_errc::output_too_large: return "decoded header text too large";
  }
  return "unknown encoded-word defect";
}
[[nodiscard]] constexpr const char* category_name(encoded_word_errc) noexcept {
  return "mailwire.rfc5322.encoded_word";
}
[[nodiscard]] inline std::error_code make_error_code(encoded_word_errc e) noexcept {
  return make_code(e);
}

/// A defect and the offset in the decoded text (of the word, or of the byte) it concerns.
struct encoded_word_defect {
  encoded_word_errc code = encoded_word_errc::ok;
  std::size_t offset = 0;
  bool operator==(const encoded_word_defect&) const = default;
};

/// Limits of one decode call (DESIGN.md section 6).
struct encoded_word_limits {
  std::size_t max_words = 10000;        ///< words decoded per value; later ones stay as written
  std::size_t max_output = 16u << 20;   ///< bytes appended per call; the rest is cut (16 MiB)
  std::size_t max_defects = 256;        ///< defects listed; later ones are only counted
};

/// What a decode call did.
struct encoded_word_result {
  std::size_t words = 0;                     ///< encoded-words decoded
  std::vector<encoded_word_defect> defects;  ///< in input order within each kind
  std::size_t defects_dropped = 0;           ///< defects beyond limits.max_defects

  /// True if a defect of kind `e` was listed.
  [[nodiscard]] bool has(encoded_word_errc e) const noexcept {
    for (const auto& d : defects)
      if (d.code == e) return true;
    return false;
  }
  /// True when the text was decoded without any irregularity.
  [[nodiscard]] bool clean() const noexcept { return defects.empty() && defects_dropped == 0; }
};

/// One encoded-word as written (RFC 2047 section 2, RFC 2231 section 5):
///   encoded-word = "=?" charset ["*" language] "?" encoding "?" encoded-text "?="
/// Views into the text given to match_encoded_word(), valid as long as it is.
struct encoded_word {
  std::string_view charset;   ///< as written, without the language
  std::string_view language;  ///< RFC 2231 language tag, or empty
  char encoding = 'Q';        ///< 'B' or 'Q' (either case in the input)
  std::string_view text;      ///< encoded-text
  std::size_t size = 0;       ///< bytes of the whole word, "=?" to "?=" included
  bool has_whitespace = false;  ///< SP or HTAB inside encoded-text (lenient)
};

/// The longest charset (with language) accepted in a word; longer is not a word.
inline constexpr std::size_t max_encoded_word_charset = 64;

/// The encoded-word at the start of `s`, or nullopt. Lenient as described at the top: the
/// charset is any printable ASCII but "?" and SP; encoded-text is any byte but "?", CR, LF and
/// other controls (SP and HTAB allowed). The scan stops at the first "?" after the encoding.
[[nodiscard]] inline std::optional<encoded_word> match_encoded_word(std::string_view s) noexcept {
  const std::size_t n = s.size();
  if (n < 8 || s[0] != '=' || s[1] != '?') return std::nullopt;
  const std::size_t limit = n - 2 < max_encoded_word_charset + 1 ? n - 2 : max_encoded_word_charset + 1;
  const void* q = std::memchr(s.data() + 2, '?', limit);
  if (q == nullptr) return std::nullopt;
  const std::size_t i = static_cast<std::size_t>(static_cast<const char*>(q) - s.data());
  if (i == 2 || n - i < 5) return std::nullopt;  // '?' E '?' '?' '=' at least
  std::size_t star = 0;
  for (std::size_t k = 2; k < i; ++k) {
    const auto c = static_cast<unsigned char>(s[k]);
    if (c <= 0x20 || c >= 0x7F) return std::nullopt;
    if (c == '*' && star == 0) star = k;
  }
  encoded_word w;
  w.charset = star != 0 ? s.substr(2, star - 2) : s.substr(2, i - 2);
  if (w.charset.empty()) return std::nullopt;
  if (star != 0) w.language = s.substr(star + 1, i - star - 1);
  const char e = s[i + 1];
  if (e == 'B' || e == 'b') w.encoding = 'B';
  else if (e == 'Q' || e == 'q') w.encoding = 'Q';
  else return std::nullopt;
  if (s[i + 2] != '?') return std::nullopt;
  const std::size_t t = i + 3;
  const void* end = std::memchr(s.data() + t, '?', n - t);
  if (end == nullptr) return std::nullopt;
  const std::size_t k = static_cast<std::size_t>(static_cast<const char*>(end) - s.data());
  if (k + 1 >= n || s[k + 1] != '=') return std::nullopt;
  unsigned bad = 0, ws = 0;
  std::size_t j = t;
  for (; k - j >= 8; j += 8) {  // 8 bytes at a time while none is <= 0x20 or 0x7F
    std::uint64_t x;
    std::memcpy(&x, s.data() + j, 8);
    constexpr std::uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
    const std::uint64_t del = x ^ (0x7F * ones);
    if ((((x - 0x21 * ones) & ~x) | ((del - ones) & ~del)) & highs) break;
  }
  for (; j < k; ++j) {
    const auto c = static_cast<unsigned char>(s[j]);
    bad |= static_cast<unsigned>((c < 0x20 && c != '\t') | (c == 0x7F));
    ws |= static_cast<unsigned>((c == ' ') | (c == '\t'));
  }
  if (bad != 0) return std::nullopt;
  w.has_whitespace = ws != 0;
  w.text = s.substr(t, k - t);
  w.size = k + 2;
  return w;
}

namespace detail {

[[nodiscard]] constexpr bool is_lwsp(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/// Alphabet characters of a B text before its first '=' (a count of 4n+1 cannot be decoded).
[[nodiscard]] inline std::size_t b_alphabet_count(std::string_view t) noexcept {
  std::size_t k = 0;
  for (const char c : t) {
    if (c == '=') break;
    if (ascii::has(c, ascii::base64)) ++k;
  }
  return k;
}

/// The decoder behind decode_unstructured() and decode_words(). One instance per call.
class ew_decoder {
 public:
  ew_decoder(std::string_view in, std::string& out, const charset::options& opt,
             const encoded_word_limits& lim) noexcept
      : in_(in), out_(out), opt_(opt), lim_(lim), base_(out.size()) {}

  encoded_word_result run() {
    const std::size_t n = in_.size();
    if (n == 0) return std::move(res_);
    has_crlf_ = std::memchr(in_.data(), '\r', n) != nullptr ||
                std::memchr(in_.data(), '\n', n) != nullptr;
    std::size_t i = 0;
    for (;;) {
      std::size_t j = n;
      bool found = false;
      if (!stop_words_) found = find_word(i, j);
      if (found && ++seen_ > lim_.max_words) {
        add(encoded_word_errc::too_many_words, j);
        stop_words_ = true;
        found = false;
        j = n;
      }
      if (run_.active) {
        if (found && all_lwsp(i, j)) {
          if (same_charset(w_)) {
            add_word(j);
          } else {
            flush();
            start_run(j, i, j);
          }
        } else {
          flush();
          emit_text(i, j);
          if (found) start_run(j, j, j);
        }
      } else {
        emit_text(i, j);
        if (found) start_run(j, j, j);
      }
      // (An active run holds raw octets not converted yet: the output is checked between runs.)
      if (!run_.active && too_large()) return std::move(res_);
      if (!found) break;
      i = j + w_.size;
    }
    if (run_.active) flush();
    too_large();
    return std::move(res_);
  }

 private:
  struct run_state {
    bool active = false;
    std::optional<charset::id> id;
    std::string_view label;
    std::size_t ws_b = 0, ws_e = 0;  // whitespace between the previous run and this one
    bool prev_decoded = false;       // whether that previous run was decoded
    std::size_t raw_b = 0, raw_e = 0;  // input span of the run's words
    std::size_t out_b = 0;           // where the run's raw bytes start in out_
    std::size_t words = 0;
  };

  void add(encoded_word_errc e, std::size_t at) {
    if (res_.defects.size() < lim_.max_defects) res_.defects.push_back({e, at});
    else ++res_.defects_dropped;
  }

  bool all_lwsp(std::size_t b, std::size_t e) const noexcept {
    for (; b < e; ++b)
      if (!is_lwsp(in_[b])) return false;
    return true;
  }

  // The next decodable word at or after `from`: true with its start in `at` and it in w_.
  bool find_word(std::size_t from, std::size_t& at) {
    const std::size_t n = in_.size();
    const char* p = in_.data();
    std::size_t k = from;
    while (k + 8 <= n) {
      const void* q = std::memchr(p + k, '=', n - k - 7);
      if (q == nullptr) return false;
      k = static_cast<std::size_t>(static_cast<const char*>(q) - p);
      if (p[k + 1] == '?') {
        if (auto w = match_encoded_word(in_.substr(k))) {
          bool ok = true;
          if (w->encoding == 'B' && b_alphabet_count(w->text) % 4 == 1) {
            add(encoded_word_errc::undecodable_word, k);
            ok = opt_.unknown == charset::unknown_policy::replace;
          }
          if (ok) {
            w_ = *w;
            at = k;
            return true;
          }
        }
      }
      ++k;
    }
    return false;
  }

  bool same_charset(const encoded_word& w) const noexcept {
    if (ascii::iequals(w.charset, run_.label)) return true;
    const auto id = charset::find(w.charset);
    if (id.has_value() != run_.id.has_value()) return false;
    if (id) return *id == *run_.id;
    return ascii::iequals(w.charset, run_.label);
  }

  void start_run(std::size_t at, std::size_t ws_b, std::size_t ws_e) {
    run_ = run_state{};
    run_.active = true;
    run_.id = charset::find(w_.charset);
    run_.label = w_.charset;
    run_.ws_b = ws_b;
    run_.ws_e = ws_e;
    run_.prev_decoded = prev_decoded_;
    run_.raw_b = at;
    run_.out_b = out_.size();
    add_word(at);
  }

  // Appends the octets of word w_ (at input offset `at`) to the current run.
  void add_word(std::size_t at) {
    const encoded_word& w = w_;
    ++run_.words;
    run_.raw_e = at + w.size;
    if (w.size > 75) add(encoded_word_errc::word_too_long, at);
    if (w.has_whitespace) add(encoded_word_errc::whitespace_in_word, at);
    const std::size_t end = at + w.size;
    if ((at > 0 && !is_lwsp(in_[at - 1])) || (end < in_.size() && !is_lwsp(in_[end])))
      add(encoded_word_errc::missing_whitespace, at);
    if (w.encoding == 'B') {
      base64::decode_options o;
      o.require_padding = false;
      base64::stream_decoder dec(o);
      const std::size_t old = out_.size();
      out_.resize(old + base64::max_decoded_size(w.text.size()));
      const auto r = dec.decode(w.text, std::span<char>(out_.data() + old, out_.size() - old), true);
      out_.resize(old + r.produced);
      if (dec.has_defect(base64::errc::invalid_character) ||
          dec.has_defect(base64::errc::data_after_padding) ||
          dec.has_defect(base64::errc::bad_padding) ||
          dec.has_defect(base64::errc::nonzero_pad_bits))
        add(encoded_word_errc::invalid_base64, at);
      if (w.text.find('=') == std::string_view::npos && b_alphabet_count(w.text) % 4 > 1)
        add(encoded_word_errc::missing_padding, at);
    } else {
      (void)qp::q_decode(w.text, out_);
      const std::string_view t = w.text;
      for (std::size_t k = t.find('='); k != std::string_view::npos; k = t.find('=', k + 3)) {
        if (k + 2 >= t.size() || !ascii::is_hexdig(t[k + 1]) || !ascii::is_hexdig(t[k + 2])) {
          add(encoded_word_errc::malformed_q_escape, at);
          break;
        }
      }
    }
  }

  // Converts the run's octets to UTF-8 in place, or puts the words back as written.
  void flush() {
    run_.active = false;
    const std::size_t b = run_.out_b;
    bool decoded = true;
    const std::string_view raw(out_.data() + b, out_.size() - b);
    if (run_.id) {
      const charset::id id = *run_.id;
      if (id == charset::id::utf_8) {
        const std::size_t ok = charset::valid_utf8_prefix(raw);
        if (ok != raw.size()) {
          scratch_.assign(raw.substr(ok));
          out_.resize(b + ok);
          charset::append_utf8_sanitized(out_, scratch_);
          add(encoded_word_errc::invalid_charset_bytes, run_.raw_b);
        }
      } else if (!(charset::detail::single_byte_tables[static_cast<std::uint8_t>(id)] != nullptr &&
                   charset::is_ascii(raw))) {
        scratch_.assign(raw);
        out_.resize(b);
        if (!charset::to_utf8(id, scratch_, out_).ok())
          add(encoded_word_errc::invalid_charset_bytes, run_.raw_b);
      }
    } else {
      scratch_.assign(raw);
      out_.resize(b);
      switch (charset::convert(run_.label, scratch_, out_, opt_)) {
        case charset::convert_status::converted: break;
        case charset::convert_status::converted_with_errors:
          add(encoded_word_errc::invalid_charset_bytes, run_.raw_b);
          break;
        case charset::convert_status::replaced:
          add(encoded_word_errc::unknown_charset, run_.raw_b);
          break;
        case charset::convert_status::unknown_charset:
          add(encoded_word_errc::unknown_charset, run_.raw_b);
          decoded = false;
          break;
      }
    }
    if (decoded) {
      res_.words += run_.words;
      if (run_.ws_b != run_.ws_e && !run_.prev_decoded) {
        scratch_.clear();
        for (std::size_t k = run_.ws_b; k < run_.ws_e; ++k)
          if (in_[k] == ' ' || in_[k] == '\t') scratch_.push_back(in_[k]);
        out_.insert(b, scratch_);
      }
    } else {
      out_.resize(b);
      emit_text(run_.ws_b, run_.ws_e);
      emit_text(run_.raw_b, run_.raw_e);
    }
    prev_decoded_ = decoded;
  }

  // Text outside words: CR/LF removed (before UTF-8 is checked, as unfolding would), raw
  // 8-bit read as UTF-8.
  void emit_text(std::size_t b, std::size_t e) {
    if (b >= e) return;
    if (!has_crlf_) return emit_view(in_.substr(b, e - b), b, e);
    text_.clear();
    for (std::size_t k = b; k < e; ++k)
      if (in_[k] != '\r' && in_[k] != '\n') text_.push_back(in_[k]);
    emit_view(text_, b, e);
  }
  // Appends `v` (the bytes of input [b, e) without CR/LF) as sanitized UTF-8.
  void emit_view(std::string_view v, std::size_t b, std::size_t e) {
    const std::size_t ok = charset::valid_utf8_prefix(v);
    out_.append(v.data(), ok);
    if (ok == v.size()) return;
    // The input offset of kept byte number `ok`.
    std::size_t off = b, kept = 0;
    for (; off < e; ++off) {
      if (in_[off] == '\r' || in_[off] == '\n') continue;
      if (kept++ == ok) break;
    }
    add(encoded_word_errc::invalid_utf8, off);
    charset::append_utf8_sanitized(out_, v.substr(ok));
  }

  // Enforces max_output: true (after cutting on a character boundary) when it was passed.
  bool too_large() {
    if (out_.size() - base_ <= lim_.max_output) return false;
    std::size_t cut = base_ + lim_.max_output;
    while (cut > base_ && (static_cast<unsigned char>(out_[cut]) & 0xC0) == 0x80) --cut;
    out_.resize(cut);
    add(encoded_word_errc::output_too_large, in_.size());
    run_.active = false;
    return true;
  }

  std::string_view in_;
  std::string& out_;
  const charset::options& opt_;
  const encoded_word_limits& lim_;
  std::size_t base_;
  encoded_word_result res_;
  encoded_word w_;
  run_state run_;
  std::string scratch_;
  std::string text_;
  std::size_t seen_ = 0;
  bool prev_decoded_ = false;
  bool stop_words_ = false;
  bool has_crlf_ = false;
};

}  // namespace detail

/// Decodes an unstructured field value (RFC 2047 section 5 (1), section 6.2; RFC 5322
/// section 3.2.5 unstructured, e.g. Subject), appending UTF-8 to `out`. See the top of this
/// file for the rules; `opt` chooses what happens to charsets without a built-in table.
inline encoded_word_result decode_unstructured(std::string_view value, std::string& out,
                                               const charset::options& opt = {},
                                               const encoded_word_limits& lim = {}) {
  return detail::ew_decoder(value, out, opt, lim).run();
}

/// Decodes encoded-words in the text of a phrase, display name, comment or parameter value
/// (RFC 2047 section 5 (2), (3)), appending UTF-8 to `out`. The caller passes the text with
/// quoting already undone; words are decoded wherever they are, also from inside quoted
/// strings (not allowed by section 5 (3), but Python's email and GMime do it for real mail).
/// Same rules as decode_unstructured().
inline encoded_word_result decode_words(std::string_view text, std::string& out,
                                        const charset::options& opt = {},
                                        const encoded_word_limits& lim = {}) {
  return detail::ew_decoder(text, out, opt, lim).run();
}

// --- Encoding -------------------------------------------------------------------------------

/// Layout of encoded text (RFC 2047 section 2 line lengths, RFC 5322 section 2.2.3 folding).
struct encode_options {
  std::size_t first_line_used = 0;  ///< columns already used on the first line ("Subject: " = 9)
  std::size_t line_length = 78;     ///< fold to keep lines within this (RFC 5322 section 2.1.1)
  bool fold = true;                 ///< false: no line breaks, words separated by one SP
  line_ending eol = line_ending::crlf;  ///< the folding line break
};

/// What an encode call wrote.
struct encode_result {
  std::size_t words = 0;   ///< encoded-words written
  std::size_t column = 0;  ///< length of the last line (with first_line_used if not folded)
};

/// The longest encoded-word written (RFC 2047 section 2).
inline constexpr std::size_t max_encoded_word_length = 75;

namespace detail {

/// Lays out plain text and encoded-words (see encode_unstructured()).
class ew_encoder {
 public:
  ew_encoder(std::string& out, const encode_options& o, qp::q_context ctx) noexcept
      : out_(out), o_(o), ctx_(ctx), col_(o.first_line_used) {}

  /// Appends `ws` + `tok` (plain), folding before `ws` if the line would overflow.
  void plain(std::string_view ws, std::string_view tok) {
    if (o_.fold && !ws.empty() && !tok.empty() && col_ + ws.size() + tok.size() > o_.line_length &&
        col_ > 0) {
      out_.append(to_chars(o_.eol));
      col_ = 0;
    }
    out_.append(ws);
    out_.append(tok);
    col_ += ws.size() + tok.size();
    if (col_ > o_.line_length) overflow_ = true;
  }

  /// Appends `ws` then `text` (UTF-8) as encoded-words.
  void encoded(std::string_view ws, std::string_view text) {
    const bool use_b = b_size(text.size()) < q_size(text);
    std::size_t i = 0;
    // Before the first word: fold at `ws` if not even a small word fits.
    const std::size_t first = unit_cost(text, 0, use_b);
    if (o_.fold && !ws.empty() && col_ + ws.size() + overhead + first > o_.line_length &&
        col_ > 0) {
      out_.append(to_chars(o_.eol));
      col_ = 0;
    }
    out_.append(ws);
    col_ += ws.size();
    bool first_word = true;
    while (i < text.size() || first_word) {
      if (!first_word) {
        const std::size_t next = unit_cost(text, i, use_b);
        if (o_.fold && col_ + 1 + overhead + next > o_.line_length) {
          out_.append(to_chars(o_.eol));
          col_ = 0;
        }
        out_.push_back(' ');
        ++col_;
      }
      first_word = false;
      std::size_t room = max_encoded_word_length;
      if (o_.fold && o_.line_length > col_ && o_.line_length - col_ < room)
        room = o_.line_length - col_;
      const std::size_t avail = room > overhead ? room - overhead : 0;
      const std::size_t j = take(text, i, avail, use_b);
      write_word(text.substr(i, j - i), use_b);
      if (col_ > o_.line_length) overflow_ = true;
      i = j;
    }
  }

  [[nodiscard]] bool overflow() const noexcept { return overflow_; }
  [[nodiscard]] encode_result result() const noexcept { return {words_, col_}; }

  static constexpr std::size_t overhead = 12;  // "=?utf-8?q?" + "?="

  static constexpr std::size_t b_size(std::size_t n) noexcept { return (n + 2) / 3 * 4; }
  [[nodiscard]] std::size_t q_size(std::string_view s) const noexcept {
    return qp::q_encoded_size(s, ctx_);
  }
  /// Length of the UTF-8 sequence at text[i] (text is valid UTF-8).
  static std::size_t char_len(std::string_view text, std::size_t i) noexcept {
    const auto c = static_cast<unsigned char>(text[i]);
    const std::size_t l = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    return l <= text.size() - i ? l : text.size() - i;
  }
  /// Encoded length of the character at text[i] alone (for "does a word still fit").
  [[nodiscard]] std::size_t unit_cost(std::string_view text, std::size_t i, bool b) const noexcept {
    if (i >= text.size()) return 0;
    const std::size_t l = char_len(text, i);
    return b ? b_size(l) : q_size(text.substr(i, l));
  }
  /// The end of the longest run of whole characters from i whose encoding fits in `avail`
  /// (at least one character, so that progress is certain).
  [[nodiscard]] std::size_t take(std::string_view text, std::size_t i, std::size_t avail,
                                 bool b) const noexcept {
    std::size_t j = i, cost = 0;
    while (j < text.size()) {
      const std::size_t l = char_len(text, j);
      std::size_t next;
      if (b) {
        next = b_size(j + l - i);
      } else {
        next = cost + q_size(text.substr(j, l));
      }
      if (next > avail && j > i) break;
      cost = next;
      j += l;
      if (next > avail) break;
    }
    return j;
  }
  void write_word(std::string_view bytes, bool b) {
    const std::size_t start = out_.size();
    out_.append(b ? "=?utf-8?b?" : "=?utf-8?q?");
    if (b) {
      const std::size_t at = out_.size();
      out_.resize(at + b_size(bytes.size()));
      base64::encode(bytes, std::span<char>(out_.data() + at, out_.size() - at));
    } else {
      const std::size_t at = out_.size();
      out_.resize(at + q_size(bytes));
      qp::q_encode(bytes, std::span<char>(out_.data() + at, out_.size() - at), ctx_);
    }
    out_.append("?=");
    col_ += out_.size() - start;
    ++words_;
  }

 private:
  std::string& out_;
  const encode_options& o_;
  qp::q_context ctx_;
  std::size_t col_;
  std::size_t words_ = 0;
  bool overflow_ = false;
};

[[nodiscard]] inline bool needs_encoding(std::string_view tok) noexcept {
  for (std::size_t k = 0; k < tok.size(); ++k) {
    const auto c = static_cast<unsigned char>(tok[k]);
    if (c < 0x20 || c >= 0x7F) return true;
    if (c == '=' && k + 1 < tok.size() && tok[k + 1] == '?') return true;
  }
  return false;
}

}  // namespace detail

/// Encodes UTF-8 text for an unstructured field (RFC 2047 section 5 (1), e.g. Subject),
/// appending to `out`: plain ASCII tokens stay as they are, tokens that need it become
/// "utf-8" encoded-words (Q in the section 5 (1) form, or B, whichever is shorter), folded as
/// encode_options says. Invalid UTF-8 input is encoded as if sanitized (U+FFFD). The output
/// has no CR or LF but the folding line breaks, each followed by SP.
inline encode_result encode_unstructured(std::string_view utf8, std::string& out,
                                         const encode_options& o = {}) {
  std::string clean;
  if (!charset::is_utf8(utf8)) {
    charset::append_utf8_sanitized(clean, utf8);
    utf8 = clean;
  }
  const std::size_t start = out.size();
  const std::size_t L = o.line_length;
  // Tokens, each with the whitespace before it; the last may be empty (trailing whitespace).
  struct token {
    std::string_view ws, tok;
    bool enc;
  };
  std::vector<token> toks;
  {
    std::size_t i = 0;
    const std::size_t n = utf8.size();
    while (i < n) {
      std::size_t w = i;
      while (w < n && (utf8[w] == ' ' || utf8[w] == '\t')) ++w;
      std::size_t t = w;
      while (t < n && utf8[t] != ' ' && utf8[t] != '\t') ++t;
      token k{utf8.substr(i, w - i), utf8.substr(w, t - w), false};
      k.enc = detail::needs_encoding(k.tok) || k.tok.size() + 1 > L ||
              (o.fold && toks.empty() && k.ws.empty() && o.first_line_used + k.tok.size() > L);
      toks.push_back(k);
      i = t;
    }
  }
  for (int attempt = 0; attempt < 2; ++attempt) {
    detail::ew_encoder enc(out, o, qp::q_context::text);
    if (attempt == 1) {
      // Fallback (pathological whitespace runs): the whole text as encoded-words.
      enc.encoded({}, utf8);
      return enc.result();
    }
    for (std::size_t k = 0; k < toks.size();) {
      if (!toks[k].enc || toks[k].tok.empty()) {
        enc.plain(toks[k].ws, toks[k].tok);
        ++k;
        continue;
      }
      // A run of tokens to encode; the whitespace between them goes inside the words.
      std::size_t m = k + 1;
      while (m < toks.size() && toks[m].enc && !toks[m].tok.empty()) ++m;
      const char* b = toks[k].tok.data();
      const char* e = toks[m - 1].tok.data() + toks[m - 1].tok.size();
      enc.encoded(toks[k].ws, std::string_view(b, static_cast<std::size_t>(e - b)));
      k = m;
    }
    if (!o.fold || !enc.overflow()) return enc.result();
    out.resize(start);
  }
  return {};
}

/// Encodes a display name or other phrase (RFC 5322 section 3.2.5, RFC 2047 section 5 (3)),
/// appending to `out`: printable ASCII as atoms when every word is an atom separated by one
/// SP, else as one quoted-string (RFC 5322 section 3.2.4, with "\" escapes); text with
/// anything else (non-ASCII, controls, "=?") as "utf-8" encoded-words in the phrase form of Q
/// or B, whichever is shorter.
inline encode_result encode_phrase(std::string_view utf8, std::string& out,
                                   const encode_options& o = {}) {
  std::string clean;
  if (!charset::is_utf8(utf8)) {
    charset::append_utf8_sanitized(clean, utf8);
    utf8 = clean;
  }
  bool printable = true, atoms = !utf8.empty() && utf8.front() != ' ' && utf8.back() != ' ';
  for (std::size_t k = 0; k < utf8.size(); ++k) {
    const char c = utf8[k];
    if (c < 0x20 || c >= 0x7F || (c == '=' && k + 1 < utf8.size() && utf8[k + 1] == '?'))
      printable = false;  // "=?" would be read as an encoded-word, even between quotes
    if (c == ' ' ? (k > 0 && utf8[k - 1] == ' ') : !ascii::is_atext(c)) atoms = false;
  }
  if (printable) {
    const std::size_t start = out.size();
    if (atoms) {
      out.append(utf8);
    } else {
      out.push_back('"');
      for (const char c : utf8) {
        if (c == '"' || c == '\\') out.push_back('\\');
        out.push_back(c);
      }
      out.push_back('"');
    }
    return {0, o.first_line_used + (out.size() - start)};
  }
  detail::ew_encoder enc(out, o, qp::q_context::phrase);
  enc.encoded({}, utf8);
  return enc.result();
}

}  // namespace mailwire::rfc5322

template <>
struct std::is_error_code_enum<mailwire::rfc5322::encoded_word_errc> : std::true_type {};
