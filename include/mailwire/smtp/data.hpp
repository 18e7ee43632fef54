// mailwire/smtp/data.hpp — the content of the DATA command (RFC 5321 sections 4.1.1.4 and
// 4.5.2): a streaming receiver (server side: end of data, dot-unstuffing) and a streaming
// sender (client side: dot-stuffing, CRLF line endings, the final CRLF "." CRLF).
//
//   namespace smtp = mailwire::smtp;
//   smtp::data_receiver rx;                            // after "354"
//   auto r = rx.decode(buf, std::span<char>(out), /*final=*/peer_closed);
//   deliver(out.data(), r.produced);
//   buf.erase(0, r.consumed);   // at the end of data, pipelined commands stay in buf
//   if (r.st == mailwire::status::event) { /* end of data: reply 250 */ }
//   if (r.st == mailwire::status::error) { /* reply smtp::data_reply_hint(r.error) */ }
//
//   smtp::data_sender tx;                              // client side
//   auto w = tx.encode(message_part, std::span<char>(out), /*final=*/last_part);
//
// SMTP smuggling (2023): servers that end the data at "\n.\n", "\n.\r\n" or "\r.\r\n" let a
// client hide a second message inside the first, which a stricter relay then passes on. The
// receiver here ends the data ONLY at CRLF "." CRLF, where the first line counts as a line start
// (so "." CRLF at the very start ends it too). What it does with a bare CR or bare LF is an
// option (data_options::bare_line_endings); none of the choices lets one end the data or start
// a line at which a "." is removed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>
#include <system_error>

#include "mailwire/core/detail/dot_scan.hpp"
#include "mailwire/core/error.hpp"
#include "mailwire/core/result.hpp"
#include "mailwire/core/status.hpp"

namespace mailwire::smtp {

/// Why DATA content is refused. The content errors are reported after the real end of data
/// (so the host can reply and read the next command); see data_receiver.
enum class data_errc : std::uint8_t {
  ok = 0,                   ///< no error
  bare_cr,                  ///< a CR not followed by LF (RFC 5321 2.3.8; a smuggling vector)
  bare_lf,                  ///< an LF not preceded by CR (RFC 5321 2.3.8; a smuggling vector)
  line_too_long,            ///< a text line longer than data_options::max_line (RFC 5321 4.5.3.1.6)
  unexpected_end,           ///< the stream ended (final) before CRLF "." CRLF
  local_input_after_final,  ///< host misuse: input given to data_sender after final
};

[[nodiscard]] constexpr std::string_view to_string(data_errc e) noexcept {
  switch (e) {
    case data_errc::ok: return "ok";
    case data_errc::bare_cr: return "bare CR in message data";
    case data_errc::bare_lf: return "bare LF in message data";
    case data_errc::line_too_long: return "message line too long";
    case data_errc::unexpected_end: return "connection ended before the end of data";
    case data_errc::local_input_after_final: return "input after the end of data";
  }
  return "unknown data error";
}
[[nodiscard]] constexpr const char* category_name(data_errc) noexcept {
  return "mailwire.smtp.data";
}
[[nodiscard]] inline std::error_code make_error_code(data_errc e) noexcept {
  return make_code(e);
}

/// The reply a server should send for a data error (RFC 5321 4.2, RFC 3463 codes).
[[nodiscard]] constexpr std::string_view data_reply_hint(data_errc e) noexcept {
  switch (e) {
    case data_errc::bare_cr:
    case data_errc::bare_lf: return "550 5.6.11 Bare CR or LF in message (RFC 5321 2.3.8)";
    case data_errc::line_too_long: return "500 5.5.2 Line too long";
    case data_errc::unexpected_end: return "451 4.3.0 Connection closed during DATA";
    default: return "451 4.3.0 Local error";
  }
}

/// What the receiver does with a CR not followed by LF, or an LF not preceded by CR.
/// In every mode such a byte never ends the data, and the byte after it is not a line start
/// (a "." there is neither the end of data nor removed as stuffing).
enum class bare_line_ending : std::uint8_t {
  /// Default: pass the byte on, read on to the real end of data, then report bare_cr/bare_lf
  /// (offset of the first). The host rejects the message; nothing can be smuggled.
  reject,
  /// Write CRLF instead and accept. Risk: the delivered message has a line break where a
  /// stricter reader saw none; a relay re-stuffs it correctly (data_sender), so no smuggling.
  normalize,
  /// Pass the byte on unchanged and accept. Risk: a later hop that ends DATA at a bare LF or
  /// CR (the 2023 smuggling bug class) may read a second message in the delivered bytes.
  pass,
};

/// Options of data_receiver.
struct data_options {
  bare_line_ending bare_line_endings = bare_line_ending::reject;
  /// Octets per text line with CRLF, not counting the stuffing dot (RFC 5321 4.5.3.1.6: 1000).
  /// Longer lines are passed on and reported (line_too_long) after the end of data. 0: no limit.
  std::size_t max_line = 1000;
};

/// Server side of DATA (RFC 5321 4.1.1.4, 4.5.2): removes the leading "." of each line, ends
/// at CRLF "." CRLF only, and checks line endings and lengths. Never buffers a line.
/// decode() returns status::event at the end of data, with `consumed` counting through the
/// final "." CRLF (bytes after it belong to the next command), status::error for a content
/// error (bare CR/LF, long line) likewise at the real end of data, or for `final` before it
/// (unexpected_end). Once done, further calls take no input: they return the same event or
/// error with consumed 0, so pipelined bytes stay with the host. The output is the message
/// with CRLF line ends (in normalize mode; as received otherwise), complete at the event.
/// Octets of `out` after the `produced` ones may be overwritten (scratch of the one-pass copy).
class data_receiver {
 public:
  explicit data_receiver(const data_options& o = {}) noexcept : opt_(o) {}

  [[nodiscard]] codec_result<data_errc> decode(std::string_view in, std::span<char> out,
                                               bool final) noexcept {
    codec_result<data_errc> r;
    std::size_t i = 0, o = 0;
    const std::size_t n = in.size(), cap = out.size();
    char* const dst = out.data();
    const char* const src = in.data();
    const std::size_t max_text =
        opt_.max_line == 0 ? SIZE_MAX : (opt_.max_line >= 2 ? opt_.max_line - 2 : 0);
    flush(dst, cap, o);
    bool slow = false;  // the fast path found nothing here: go byte by byte to the next line
    while (spill_.empty() && i < n && state_ != st::done) {
      if (!slow && (state_ == st::line_start || state_ == st::mid) && col_ <= max_text &&
          !(state_ == st::line_start && (src[i] == '.' || src[i] == '\r' || src[i] == '\n'))) {
        const std::size_t lim = i + (cap - o < n - i ? cap - o : n - i);
        const std::size_t e =
            lim - i >= 32 ? mailwire::detail::clean_line_run(src, i, lim, n, col_, max_text, dst + o) : i;
        if (e > i) {
          o += e - i;
          offset_ += e - i;
          i = e;
          state_ = col_ == 0 ? st::line_start : st::mid;
          continue;
        }
        slow = true;
      }
      step(src[i], dst, cap, o, max_text);
      ++i;
      ++offset_;
      if (state_ == st::line_start) slow = false;
    }
    r.consumed = i;
    r.produced = o;
    if (i < n && state_ != st::done) {
      r.st = status::paused;
    } else if (!spill_.empty()) {
      r.st = status::paused;
    } else if (state_ == st::done) {
      r.st = err_ == data_errc::ok ? status::event : status::error;
    } else if (final) {
      state_ = st::done;  // the peer closed in the middle of the data
      err_ = data_errc::unexpected_end;
      err_off_ = offset_;
      r.st = status::error;
    } else {
      r.st = status::need_more;
    }
    if (r.st == status::error) {
      r.error = err_;
      r.error_offset = err_off_;
    }
    return r;
  }

  /// True once CRLF "." CRLF has been read.
  [[nodiscard]] bool done() const noexcept { return state_ == st::done; }
  /// Input octets taken since construction or reset().
  [[nodiscard]] std::uint64_t offset() const noexcept { return offset_; }
  /// Forgets everything; ready for the next message.
  void reset() noexcept { *this = data_receiver(opt_); }
  [[nodiscard]] const data_options& options() const noexcept { return opt_; }

 private:
  enum class st : std::uint8_t { line_start, mid, cr, dot, dot_cr, done };

  void put(char c, char* dst, std::size_t cap, std::size_t& o) noexcept { spill_.put(c, dst, cap, o); }
  void flush(char* dst, std::size_t cap, std::size_t& o) noexcept { spill_.flush(dst, cap, o); }
  void defer(data_errc e, std::uint64_t off) noexcept {
    if (err_ == data_errc::ok) {
      err_ = e;
      err_off_ = off;
    }
  }
  // A bare CR (at offset off) or bare LF: what the option says. The next byte is mid-line.
  void bare(char c, std::uint64_t off, char* dst, std::size_t cap, std::size_t& o) noexcept {
    switch (opt_.bare_line_endings) {
      case bare_line_ending::reject:
        defer(c == '\r' ? data_errc::bare_cr : data_errc::bare_lf, off);
        put(c, dst, cap, o);
        ++col_;
        break;
      case bare_line_ending::normalize:
        put('\r', dst, cap, o);
        put('\n', dst, cap, o);
        col_ = 0;
        break;
      case bare_line_ending::pass:
        put(c, dst, cap, o);
        col_ = c == '\n' ? 0 : col_ + 1;
        break;
    }
    state_ = st::mid;
  }
  void text(char c, char* dst, std::size_t cap, std::size_t& o, std::size_t max_text) noexcept {
    put(c, dst, cap, o);
    if (++col_ > max_text) defer(data_errc::line_too_long, offset_);
    state_ = st::mid;
  }
  void step(char c, char* dst, std::size_t cap, std::size_t& o, std::size_t max_text) noexcept {
    switch (state_) {
      case st::line_start:
        if (c == '.') state_ = st::dot;  // transparency (4.5.2): the dot is removed
        else if (c == '\r') state_ = st::cr;
        else if (c == '\n') bare(c, offset_, dst, cap, o);
        else text(c, dst, cap, o, max_text);
        return;
      case st::mid:
        if (c == '\r') state_ = st::cr;
        else if (c == '\n') bare(c, offset_, dst, cap, o);
        else text(c, dst, cap, o, max_text);
        return;
      case st::cr:
        if (c == '\n') {
          put('\r', dst, cap, o);
          put('\n', dst, cap, o);
          state_ = st::line_start;
          col_ = 0;
          return;
        }
        bare('\r', offset_ - 1, dst, cap, o);
        return redo(c, dst, cap, o, max_text);
      case st::dot:
        if (c == '\r') state_ = st::dot_cr;
        else if (c == '\n') bare(c, offset_, dst, cap, o);
        else text(c, dst, cap, o, max_text);
        return;
      case st::dot_cr:
        if (c == '\n') {
          state_ = st::done;  // CRLF "." CRLF (4.1.1.4)
          return;
        }
        bare('\r', offset_ - 1, dst, cap, o);
        return redo(c, dst, cap, o, max_text);
      case st::done: return;
    }
  }
  // The byte after a bare CR, read mid-line.
  void redo(char c, char* dst, std::size_t cap, std::size_t& o, std::size_t max_text) noexcept {
    if (c == '\r') state_ = st::cr;
    else if (c == '\n') bare(c, offset_, dst, cap, o);
    else text(c, dst, cap, o, max_text);
  }

  data_options opt_;
  st state_ = st::line_start;  // the first line counts as a line start
  std::size_t col_ = 0;        // octets of the current line written so far
  std::uint64_t offset_ = 0;
  data_errc err_ = data_errc::ok;
  std::uint64_t err_off_ = 0;
  mailwire::detail::spill spill_;  // output octets that did not fit in `out` yet
};

/// Client side of DATA (RFC 5321 4.5.2): doubles a "." at the start of each line, writes every
/// line end (CRLF, bare LF, bare CR) as CRLF, and at `final` appends CRLF "." CRLF (first a
/// CRLF if the content does not end with one). Never fails except for input after final.
/// Octets of `out` after the `produced` ones may be overwritten (scratch of the one-pass copy).
class data_sender {
 public:
  data_sender() noexcept = default;

  [[nodiscard]] codec_result<data_errc> encode(std::string_view in, std::span<char> out,
                                               bool final) noexcept {
    return stuffer_.encode(in, out, final, data_errc::local_input_after_final);
  }

  /// Forgets everything; ready for the next message.
  void reset() noexcept { *this = data_sender(); }

 private:
  mailwire::detail::dot_stuffer stuffer_;  // core/detail/dot_scan.hpp, shared with POP3
};

}  // namespace mailwire::smtp

template <>
struct std::is_error_code_enum<mailwire::smtp::data_errc> : std::true_type {};
