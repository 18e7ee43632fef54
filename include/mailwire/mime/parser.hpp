// mailwire/mime/parser.hpp — streaming MIME parser (RFC 2045, RFC 2046 section 5, RFC 2049):
// bytes in, events out, any chunking, bounded memory whatever the message size.
//
// The parser works on a buffer the host owns, like rfc5322::header_parser: pass the bytes not
// consumed yet (plus new ones) and get one event per call. Body bytes come out as views into
// that buffer (raw) or into the parser's own decode buffer (options.decode), valid until the
// next call. The host keeps at most one header field (<= limits.header.max_bytes) or one
// would-be delimiter line (<= about max_boundary + max_padding bytes) unconsumed.
//
//   mailwire::mime::parser p({.decode = true});
//   for (;;) {
//     auto s = p.next(buf, at_eof);
//     buf.erase(0, s.consumed);                              // whatever the status
//     if (s.st == mailwire::status::need_more) { /* append more input to buf */ continue; }
//     switch (s.kind) {
//       case event::header_end: type = s.ent->type; break;      // the effective Content-Type
//       case event::body: sink(s.ent->index, s.data); break;    // decoded bytes of a leaf
//       case event::end: return;
//       default: break;
//     }
//   }
//
// Rules (shared with mailwire-inspect mime, spec/inspect-mime-json.md):
// - A delimiter line is "--" boundary ["--"] followed by SP/HTAB only (transport padding, at
//   most max_padding bytes) up to CRLF, LF or the end of the input. The line break before it
//   belongs to the delimiter (RFC 2046 section 5.1.1), so a body never ends with that line break.
//   A delimiter may also start the body (empty preamble).
// - Every enclosing multipart's boundary is looked for too: an outer delimiter ends the inner
//   parts (innermost boundary first); a missing close delimiter ends at the end of the input.
// - After a close delimiter the rest of that multipart is epilogue; its boundary is ignored there.
// - Content-Type absent: text/plain, or message/rfc822 inside multipart/digest (RFC 2046
//   section 5.1.5); invalid: text/plain (RFC 2045 section 5.2). The first field counts.
// - message/rfc822 and message/global (RFC 2046 section 5.2.1, RFC 6532 section 3.7) are parsed
//   as messages; with a base64 or quoted-printable encoding (not allowed, but sent) the body is
//   decoded and parsed by a nested parser, whose events have `decoded` set (their offsets count
//   bytes of the decoded stream). Other message/* types are leaves.
// - A multipart without a boundary, or with one longer than max_boundary, has only a preamble.
// - Over a limit the rest is opaque (a defect, never an error): nesting depth (the entity is a
//   leaf), parts (the rest of the multipart is epilogue), header bytes and fields (see
//   rfc5322::header_parser: the rest of that header is body).
// With decode = false (and parse_encoded_messages = false), the `data` of the events
// header_field (via field), header_end, preamble, body, epilogue, boundary and of defects that
// skip bytes cover every input byte exactly once, in order.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mailwire/codec/base64.hpp"
#include "mailwire/codec/quoted_printable.hpp"
#include "mailwire/core/status.hpp"
#include "mailwire/mime/content_type.hpp"
#include "mailwire/mime/errc.hpp"
#include "mailwire/rfc5322/header.hpp"

namespace mailwire::mime {

/// Limits of the parser; defaults are safe for hostile input (issue 4 / docs/security.md).
struct parser_limits {
  std::size_t max_depth = 100;      ///< nesting depth of entities (the message is depth 0)
  std::size_t max_parts = 10000;    ///< entities in the whole message, the message included
  rfc5322::header_limits header{};  ///< per entity header block (1 MiB, 10,000 fields)
  std::size_t max_boundary = 200;   ///< boundary length (RFC 2046 allows 70)
  std::size_t max_padding = 998;    ///< transport padding after a delimiter
  parameter_limits params{};        ///< Content-Type parameters
};

/// Options of the parser.
struct parser_options {
  bool decode = false;                 ///< deliver leaf bodies transfer-decoded (base64, QP)
  bool parse_encoded_messages = true;  ///< parse base64/QP-encoded message/rfc822 bodies
  std::size_t decode_buffer = 1u << 16;  ///< bytes of decoded output per body event (>= 64)
  parser_limits limits{};
};

/// What a parser event is.
enum class event : std::uint8_t {
  entity_begin,  ///< a new entity; its header fields follow
  header_field,  ///< a header field of the entity (step::field)
  header_end,    ///< end of the entity's header; ent->type is its effective Content-Type
  preamble,      ///< bytes of a multipart's preamble (step::data)
  body,          ///< bytes of a leaf's body (step::data), decoded if options.decode
  epilogue,      ///< bytes of a multipart's epilogue (step::data)
  boundary,      ///< a delimiter line (step::data, its preceding line break included)
  entity_end,    ///< the entity ends (ent->end_offset)
  defect,        ///< an irregularity (step::problem); parsing goes on
  end,           ///< the message is complete
};

/// What the parser knows of one entity (RFC 2045 section 2.4).
struct entity {
  std::size_t depth = 0;   ///< 0 for the message, 1 for its parts, ...
  std::size_t index = 0;   ///< order of appearance, the message is 0
  content_type type;       ///< the effective type (defaults applied; valid is always true)
  bool type_given = false; ///< a valid Content-Type field set `type`
  std::string encoding_token;  ///< first token of Content-Transfer-Encoding, lower case ("" if absent)
  bool has_encoding = false;   ///< a Content-Transfer-Encoding field was present
  transfer_encoding encoding = transfer_encoding::none;
  std::uint64_t offset = 0;       ///< first byte of the header
  std::uint64_t body_offset = 0;  ///< first byte of the body (valid from header_end)
  std::uint64_t end_offset = 0;   ///< byte after the body (valid at entity_end)
  bool decoded_stream = false;    ///< offsets count bytes of an enclosing decoded message
};

/// A defect: what, where (stream offset), and for header defects the header parser's code.
struct defect_info {
  errc code = errc::ok;
  std::uint64_t offset = 0;
  rfc5322::header_errc header = rfc5322::header_errc::ok;  ///< when code == header_defect
};

/// One step of parser::next().
struct step {
  status st = status::need_more;  ///< event (see kind) or need_more
  event kind = event::end;
  std::size_t consumed = 0;       ///< bytes of `in` used up; remove them before the next call
  std::string_view data;          ///< bytes of the event (see event); valid until the next call
  rfc5322::header_field field{};  ///< kind == header_field (views into `in`)
  defect_info problem{};          ///< kind == defect
  std::uint64_t offset = 0;       ///< stream offset of the event (of `data`'s first raw byte)
  const entity* ent = nullptr;    ///< the entity of the event; valid until the next call
  bool decoded = false;           ///< data is transfer-decoded, or offsets are in a decoded stream
  bool close = false;             ///< kind == boundary: the close delimiter ("--boundary--")
};

/// The streaming MIME parser. See the top of this file.
class parser {
 public:
  explicit parser(const parser_options& o = {}) : opt_(o) {
    if (opt_.decode_buffer < 64) opt_.decode_buffer = 64;
    stack_.reserve(8);
  }

  /// Next event from `in` (the bytes not consumed yet). `final`: no more input will come.
  /// Whatever the status, the first `consumed` bytes of `in` are used up (need_more may consume
  /// bytes too, e.g. body bytes given to a decoder with nothing to report yet). After `end`,
  /// returns `end` again. Never fails: irregular input gives defect events.
  [[nodiscard]] step next(std::string_view in, bool final) {
    // One named result, built in the caller's slot (no copy of `step` per event).
    step s = step_once(in, final);
    std::size_t total = 0;
    while (s.st != status::event && s.st != status::need_more) {
      total += s.consumed;  // silent progress (bytes used with nothing to report yet)
      s = step_once(std::string_view(in.data() + total, in.size() - total), final);
    }
    s.consumed += total;
    return s;
  }

  /// True once `end` has been returned.
  [[nodiscard]] bool done() const noexcept { return mode_ == mode::ended; }
  /// Bytes consumed so far (the stream offset of the next byte).
  [[nodiscard]] std::uint64_t offset() const noexcept { return offset_; }
  /// Entities started so far (nested decoded messages included).
  [[nodiscard]] std::size_t entity_count() const noexcept { return count_; }
  [[nodiscard]] const parser_options& options() const noexcept { return opt_; }

 private:
  enum class mode : std::uint8_t { start, headers, after_headers, content, child, closing, part_start, ended };
  enum class kind : std::uint8_t { leaf, multipart, message };
  enum class mp_state : std::uint8_t { preamble, parts, epilogue };
  enum class then : std::uint8_t { open_part, close_multipart, finish };

  struct frame {
    entity info;
    kind k = kind::leaf;
    mp_state mps = mp_state::preamble;
    std::string boundary;   // multipart: "" when there is none usable
    bool digest = false;    // multipart/digest: parts default to message/rfc822
    bool default_digest = false;  // this entity is a part of a multipart/digest
    bool decoding = false;  // leaf body decoded (decoder below)
    bool flushed = false, reported = false;
    std::string ct_raw, cte_raw;  // first Content-Type / Content-Transfer-Encoding values
    bool seen_ct = false, seen_cte = false;
    // Encoded message/rfc822: a nested parser reads the decoded bytes.
    std::unique_ptr<parser> child;
    std::string child_in;
    std::size_t child_pos = 0;
    bool child_final = false, child_done = false, child_hungry = true;
  };

  // A delimiter found by the scanner.
  struct delimiter {
    std::size_t frame = 0;      // index in stack_
    bool close = false;
    std::size_t length = 0;     // bytes of the line, preceding line break included
  };

  // ---- events -------------------------------------------------------------------------------
  step make(event k, std::size_t consumed, const entity* e) {
    step s;
    s.st = status::event;
    s.kind = k;
    s.consumed = consumed;
    s.offset = offset_;
    s.ent = e;
    s.decoded = decoded_stream_;
    offset_ += consumed;
    return s;
  }
  step defect(errc c, std::uint64_t at, const entity* e) {
    step s = make(event::defect, 0, e);
    s.problem = {c, at, rfc5322::header_errc::ok};
    s.offset = at;
    return s;
  }
  step silent(std::size_t consumed) {
    step s;
    s.st = status::paused;  // internal: progress without an event
    s.consumed = consumed;
    offset_ += consumed;
    return s;
  }

  // ---- the machine --------------------------------------------------------------------------
  step step_once(std::string_view in, bool final) {
    if (!queued_.empty()) {
      const defect_info d = queued_.front();
      queued_.erase(queued_.begin());
      step s = defect(d.code, d.offset, stack_.empty() ? nullptr : &stack_.back().info);
      return s;
    }
    switch (mode_) {
      case mode::start: return begin_entity(0, false);
      case mode::headers: return headers(in, final);
      case mode::after_headers: return after_headers();
      case mode::content: return content(in, final);
      case mode::child: return child_step(in, final);
      case mode::closing: return closing(in);
      case mode::part_start: return part_start(in, final);
      case mode::ended: return make(event::end, 0, nullptr);
    }
    return make(event::end, 0, nullptr);
  }

  step begin_entity(std::size_t depth, bool digest_part) {
    stack_.emplace_back();
    frame& f = stack_.back();
    f.info.depth = depth_base_ + depth;
    f.info.index = index_base_ + count_++;
    f.info.offset = offset_;
    f.info.decoded_stream = decoded_stream_;
    f.default_digest = digest_part;
    hp_ = rfc5322::header_parser(opt_.limits.header, offset_);
    mode_ = mode::headers;
    return make(event::entity_begin, 0, &stack_.back().info);
  }

  step headers(std::string_view in, bool final) {
    frame& f = stack_.back();
    const rfc5322::header_step h = hp_.next(in, final);
    if (h.st == status::need_more) return {};
    switch (h.kind) {
      case rfc5322::header_event::field: {
        if (!f.seen_ct && h.field.is("Content-Type")) {
          f.seen_ct = true;
          f.ct_raw.assign(h.field.raw_value);
        } else if (!f.seen_cte && h.field.is("Content-Transfer-Encoding")) {
          f.seen_cte = true;
          f.cte_raw.assign(h.field.raw_value);
        }
        step s = make(event::header_field, h.consumed, &f.info);
        s.field = h.field;
        s.data = std::string_view(in.data(), h.consumed);
        return s;
      }
      case rfc5322::header_event::defect: {
        step s = make(event::defect, h.consumed, &f.info);
        s.problem = {errc::header_defect, h.problem.offset, h.problem.code};
        s.data = std::string_view(in.data(), h.consumed);
        return s;
      }
      case rfc5322::header_event::end: break;
    }
    // The input ended inside the header block (no empty line): a header all the same.
    if (final && h.consumed == 0 && in.empty())
      queued_.push_back({errc::truncated_header, offset_, rfc5322::header_errc::ok});
    step s = make(event::header_end, h.consumed, &f.info);
    s.data = std::string_view(in.data(), h.consumed);
    f.info.body_offset = offset_;
    classify(f);
    mode_ = mode::after_headers;
    return s;
  }

  // Works out the entity's effective type and what its body is (RFC 2045 section 5.2).
  void classify(frame& f) {
    entity& e = f.info;
    if (f.seen_ct) {
      e.type = parse_content_type(f.ct_raw, opt_.limits.params);
      for (const auto& d : e.type.defects) queued_.push_back({d.code, e.offset, rfc5322::header_errc::ok});
      e.type.defects.clear();
      e.type_given = e.type.valid;
    }
    if (!e.type.valid) {
      e.type = content_type{};
      e.type.valid = true;
      const bool digest_default = f.default_digest && !f.seen_ct;
      e.type.type = digest_default ? "message" : "text";
      e.type.subtype = digest_default ? "rfc822" : "plain";
    }
    if (f.seen_cte) {
      e.has_encoding = true;
      e.encoding = parse_transfer_encoding(f.cte_raw, &e.encoding_token);
      if (e.encoding_token.empty()) queued_.push_back({errc::invalid_transfer_encoding, e.offset, {}});
    }
    f.ct_raw = std::string();
    f.cte_raw = std::string();
    const bool deep = e.depth >= opt_.limits.max_depth;
    if (e.type.is_multipart()) {
      if (deep) {
        queued_.push_back({errc::nesting_too_deep, e.body_offset, {}});
        f.k = kind::leaf;
        return;
      }
      f.k = kind::multipart;
      f.digest = e.type.subtype == "digest";
      const std::string_view b = e.type.param("boundary");
      if (b.empty()) {
        queued_.push_back({errc::multipart_without_boundary, e.body_offset, {}});
      } else if (b.size() > opt_.limits.max_boundary) {
        queued_.push_back({errc::boundary_too_long, e.body_offset, {}});
      } else {
        f.boundary.assign(b);
      }
      if (e.encoding != transfer_encoding::none && e.encoding != transfer_encoding::seven_bit &&
          e.encoding != transfer_encoding::eight_bit && e.encoding != transfer_encoding::binary)
        queued_.push_back({errc::encoded_multipart, e.body_offset, {}});
      return;
    }
    if (e.type.is_message()) {
      if (deep || count_ >= budget()) {
        queued_.push_back({deep ? errc::nesting_too_deep : errc::too_many_parts, e.body_offset, {}});
        f.k = kind::leaf;
        return;
      }
      if (is_encoded(e.encoding)) {
        queued_.push_back({errc::encoded_multipart, e.body_offset, {}});
        if (opt_.parse_encoded_messages) {
          f.k = kind::leaf;
          start_decoder(f);
          parser_options co = opt_;
          co.limits.max_parts = budget() - count_;
          f.child = std::unique_ptr<parser>(new parser(co));
          f.child->depth_base_ = e.depth + 1;
          f.child->index_base_ = index_base_ + count_;
          f.child->decoded_stream_ = true;
          return;
        }
        f.k = kind::leaf;
        if (opt_.decode) start_decoder(f);
        return;
      }
      f.k = kind::message;
      return;
    }
    f.k = kind::leaf;
    if (opt_.decode && is_encoded(e.encoding)) start_decoder(f);
  }

  // Only the innermost leaf is ever being decoded, so one decoder of each kind serves all.
  void start_decoder(frame& f) noexcept {
    f.decoding = true;
    b64_.reset();
    qpd_.reset();
  }

  [[nodiscard]] std::size_t budget() const noexcept { return opt_.limits.max_parts; }

  step after_headers() {
    frame& f = stack_.back();
    refresh_active();
    line_start_ = true;
    clean_ = 0;
    if (f.k == kind::message) {
      // The enclosed message starts right away; it ends where this entity ends.
      return begin_entity(f.info.depth - depth_base_ + 1, false);
    }
    mode_ = f.child ? mode::child : mode::content;
    return silent(0);
  }

  // Multipart frames whose boundary can end the current content, innermost first.
  void refresh_active() {
    active_.clear();
    for (std::size_t i = stack_.size(); i-- > 0;) {
      const frame& f = stack_[i];
      if (f.k == kind::multipart && !f.boundary.empty() && f.mps != mp_state::epilogue) active_.push_back(i);
    }
  }

  // ---- content scanning ---------------------------------------------------------------------
  enum class scan_result : std::uint8_t { none, found, undecided };

  // Is the line at in[p] (in[p] == '-', at a line start) a delimiter of an active boundary?
  scan_result check_line(std::string_view in, std::size_t p, bool final, delimiter& d) {
    const std::size_t n = in.size();
    if (p + 1 >= n) return final ? scan_result::none : scan_result::undecided;
    if (in[p + 1] != '-') return scan_result::none;
    const std::string_view rest = in.substr(p + 2);
    bool undecided = false;
    for (const std::size_t fi : active_) {
      const std::string& b = stack_[fi].boundary;
      if (rest.size() < b.size()) {
        if (!final && std::string_view(b).substr(0, rest.size()) == rest) undecided = true;
        continue;
      }
      if (rest.compare(0, b.size(), b) != 0) continue;
      std::size_t j = p + 2 + b.size();
      bool close = false;
      if (j < n && in[j] == '-') {
        if (j + 1 >= n) {
          if (!final) undecided = true;
          continue;
        }
        if (in[j + 1] == '-') {
          close = true;
          j += 2;
        }
      }
      std::size_t k = j;
      while (k < n && (in[k] == ' ' || in[k] == '\t') && k - j <= opt_.limits.max_padding) ++k;
      if (k - j > opt_.limits.max_padding) {
        if (!padding_reported_) {
          padding_reported_ = true;
          queued_.push_back({errc::delimiter_line_too_long, offset_ + p, {}});
        }
        continue;
      }
      std::size_t line_end;
      if (k == n) {
        if (!final) {
          undecided = true;
          continue;
        }
        line_end = n;
      } else if (in[k] == '\n') {
        line_end = k + 1;
      } else if (in[k] == '\r') {
        if (k + 1 == n && !final) {
          undecided = true;
          continue;
        }
        line_end = (k + 1 < n && in[k + 1] == '\n') ? k + 2 : k + 1;
      } else {
        continue;  // other text after the boundary: not a delimiter of this one
      }
      if (undecided) return scan_result::undecided;  // an inner boundary might still match
      d.frame = fi;
      d.close = close;
      d.length = line_end;  // from 0 for now; made relative to the line break by the caller
      return scan_result::found;
    }
    return undecided ? scan_result::undecided : scan_result::none;
  }

  // Finds where the data of the current content ends in `in`: at a delimiter's preceding line
  // break, at an undecided line, or (none) at the end minus a trailing line break kept back.
  scan_result scan(std::string_view in, bool final, std::size_t& data_end, delimiter& d) {
    const std::size_t n = in.size();
    if (active_.empty()) {
      data_end = n;
      clean_ = 0;
      return scan_result::none;
    }
    std::size_t pos = std::min(clean_, n);  // bytes known to hold no delimiter
    while (pos < n) {
      const void* q = std::memchr(in.data() + pos, '-', n - pos);
      if (q == nullptr) break;
      const std::size_t p = static_cast<std::size_t>(static_cast<const char*>(q) - in.data());
      pos = p + 1;
      const bool at_start = p == 0 ? line_start_ : in[p - 1] == '\n';
      if (!at_start) continue;
      const scan_result r = check_line(in, p, final, d);
      if (r == scan_result::none) continue;
      std::size_t lb = p;
      if (lb > 0 && in[lb - 1] == '\n') {
        --lb;
        if (lb > 0 && in[lb - 1] == '\r') --lb;
      }
      data_end = lb;
      clean_ = lb;
      if (r == scan_result::found) d.length -= lb;
      return r;
    }
    data_end = n;
    if (!final) {
      // Keep a trailing line break back: a delimiter may follow in the next input.
      if (data_end > 0 && in[data_end - 1] == '\r') {
        --data_end;
      } else if (data_end > 0 && in[data_end - 1] == '\n') {
        --data_end;
        if (data_end > 0 && in[data_end - 1] == '\r') --data_end;
      }
    }
    clean_ = data_end;
    return scan_result::none;
  }

  step content(std::string_view in, bool final) {
    frame& f = stack_.back();
    std::size_t data_end = 0;
    delimiter d;
    const scan_result r = scan(in, final, data_end, d);
    if (data_end > 0) {
      line_start_ = false;
      const event k = f.k == kind::multipart
                          ? (f.mps == mp_state::epilogue ? event::epilogue : event::preamble)
                          : event::body;
      if (k == event::body && f.decoding) {
        step s = decode_body(f, std::string_view(in.data(), data_end), false);
        clean_ -= std::min(clean_, s.consumed);
        return s;
      }
      clean_ = 0;
      step s = make(k, data_end, &f.info);
      s.data = std::string_view(in.data(), data_end);
      return s;
    }
    if (r == scan_result::found) return start_closing(d);
    if (r == scan_result::undecided || !final || !in.empty()) return {};
    // The end of the input ends every open entity.
    pending_ = delimiter{};
    then_ = then::finish;
    mode_ = mode::closing;
    return silent(0);
  }

  step decode_body(frame& f, std::string_view raw, bool final) {
    if (dbuf_.size() < opt_.decode_buffer) dbuf_.resize(opt_.decode_buffer);
    const std::span<char> out(dbuf_.data(), dbuf_.size());
    std::size_t consumed = 0, produced = 0;
    if (f.info.encoding == transfer_encoding::base64) {
      const auto r = b64_.decode(raw, out, final);
      consumed = r.consumed;
      produced = r.produced;
    } else {
      const auto r = qpd_.decode(raw, out, final);
      consumed = r.consumed;
      produced = r.produced;
    }
    if (produced == 0) return silent(consumed);
    step s = make(event::body, consumed, &f.info);
    s.data = std::string_view(dbuf_.data(), produced);
    s.decoded = true;
    return s;
  }

  step start_closing(const delimiter& d) {
    pending_ = d;
    then_ = d.close ? then::close_multipart : then::open_part;
    mode_ = mode::closing;
    clean_ = 0;
    return silent(0);
  }

  // ---- closing entities ---------------------------------------------------------------------
  step closing(std::string_view in) {
    const std::size_t keep = then_ == then::finish ? 0 : pending_.frame + 1;
    if (stack_.size() > keep) {
      frame& f = stack_.back();
      if (f.decoding && !f.flushed) {
        if (f.child) {
          // Flush the decoder into the nested parser, then let it finish.
          feed_child(f, std::string_view(), true);
          f.flushed = true;
          f.child_final = true;
          return silent(0);
        }
        if (f.info.encoding == transfer_encoding::base64) {
          const auto r = b64_.decode(std::string_view(), std::span<char>(dbuf(), dbuf_.size()), true);
          if (r.st != status::paused) f.flushed = true;
          if (r.produced > 0) return decoded_event(f, r.produced);
        } else {
          const auto r = qpd_.decode(std::string_view(), std::span<char>(dbuf(), dbuf_.size()), true);
          if (r.st != status::paused) f.flushed = true;
          if (r.produced > 0) return decoded_event(f, r.produced);
        }
        return silent(0);
      }
      if (f.child && !f.child_done) return pump_child(f);
      if (!f.reported) {
        f.reported = true;
        if (f.decoding) {
          const bool bad = f.info.encoding == transfer_encoding::base64 ? b64_.defects() != 0
                                                                          : qpd_.defects() != 0;
          if (bad)
            return defect(f.info.encoding == transfer_encoding::base64 ? errc::base64_defect : errc::qp_defect,
                          f.info.body_offset, &f.info);
        }
        if (f.k == kind::multipart && !f.boundary.empty() && f.mps != mp_state::epilogue)
          return defect(f.mps == mp_state::preamble ? errc::boundary_not_found : errc::missing_close_delimiter,
                        offset_, &f.info);
      }
      if (f.child) count_ += f.child->entity_count();
      ended_ = std::move(f.info);
      ended_.end_offset = offset_;
      stack_.pop_back();
      refresh_active();
      return make(event::entity_end, 0, &ended_);
    }
    // Every entity inside the delimiter's multipart is closed: act on the delimiter.
    if (then_ == then::finish) {
      mode_ = mode::ended;
      return make(event::end, 0, nullptr);
    }
    if (!boundary_done_) {
      boundary_done_ = true;
      frame& m = stack_[pending_.frame];
      step s = make(event::boundary, pending_.length, &m.info);
      s.close = then_ == then::close_multipart;
      s.data = std::string_view(in.data(), pending_.length);
      line_start_ = true;
      clean_ = 0;
      if (then_ == then::close_multipart) m.mps = mp_state::epilogue;
      return s;
    }
    boundary_done_ = false;
    frame& m = stack_[pending_.frame];
    if (then_ == then::close_multipart) {
      refresh_active();
      mode_ = mode::content;
      return silent(0);
    }
    if (count_ >= budget()) {
      m.mps = mp_state::epilogue;
      refresh_active();
      mode_ = mode::content;
      return defect(errc::too_many_parts, offset_, &m.info);
    }
    m.mps = mp_state::parts;
    mode_ = mode::part_start;
    return silent(0);
  }

  // Right after an open delimiter line: another delimiter line at once (no byte between them)
  // opens no part. RFC 2046 section 5.1.1's BNF has no body part there (the CRLF that would
  // start the second delimiter belongs to the first line), and Python's email reads it so.
  step part_start(std::string_view in, bool final) {
    if (!in.empty() && in[0] == '-') {
      delimiter d;
      line_start_ = true;
      const scan_result r = check_line(in, 0, final, d);
      if (r == scan_result::undecided) return {};
      if (r == scan_result::found) return start_closing(d);
    } else if (in.empty() && !final) {
      return {};
    }
    frame& m = stack_.back();
    return begin_entity(m.info.depth - depth_base_ + 1, m.digest);
  }

  char* dbuf() {
    if (dbuf_.size() < opt_.decode_buffer) dbuf_.resize(opt_.decode_buffer);
    return dbuf_.data();
  }
  step decoded_event(frame& f, std::size_t produced) {
    step s = make(event::body, 0, &f.info);
    s.data = std::string_view(dbuf_.data(), produced);
    s.decoded = true;
    return s;
  }

  // ---- encoded message/rfc822: a nested parser on the decoded body ---------------------------
  // Decodes `raw` into the child's input; returns the raw bytes consumed.
  std::size_t feed_child(frame& f, std::string_view raw, bool final) {
    if (f.child_pos > 0 && f.child_pos * 2 >= f.child_in.size()) {
      f.child_in.erase(0, f.child_pos);
      f.child_pos = 0;
    }
    const std::size_t room = opt_.decode_buffer;
    const std::size_t old = f.child_in.size();
    f.child_in.resize(old + room);
    const std::span<char> out(f.child_in.data() + old, room);
    std::size_t consumed = 0, produced = 0;
    bool more = false;
    if (f.info.encoding == transfer_encoding::base64) {
      const auto r = b64_.decode(raw, out, final);
      consumed = r.consumed;
      produced = r.produced;
      more = r.st == status::paused;
    } else {
      const auto r = qpd_.decode(raw, out, final);
      consumed = r.consumed;
      produced = r.produced;
      more = r.st == status::paused;
    }
    f.child_in.resize(old + produced);
    if (final && more) f.flushed = false;  // flush again next time
    f.child_hungry = false;
    return consumed;
  }

  step pump_child(frame& f) {
    const std::string_view pending = std::string_view(f.child_in).substr(f.child_pos);
    step s = f.child->next(pending, f.child_final);
    f.child_pos += s.consumed;
    if (s.st == status::need_more) {
      f.child_hungry = true;
      return silent(0);
    }
    if (s.kind == event::end) {
      f.child_done = true;
      return silent(0);
    }
    s.consumed = 0;  // the host's buffer is untouched
    s.decoded = true;
    return s;
  }

  step child_step(std::string_view in, bool final) {
    frame& f = stack_.back();
    if (!f.child_hungry) return pump_child(f);
    std::size_t data_end = 0;
    delimiter d;
    const scan_result r = scan(in, final, data_end, d);
    if (data_end > 0) {
      line_start_ = false;
      const std::size_t used = feed_child(f, std::string_view(in.data(), data_end), false);
      clean_ -= std::min(clean_, used);
      return silent(used);
    }
    if (r == scan_result::found) return start_closing(d);
    if (r == scan_result::undecided || !final || !in.empty()) return {};
    pending_ = delimiter{};
    then_ = then::finish;
    mode_ = mode::closing;
    return silent(0);
  }

  parser_options opt_;
  mode mode_ = mode::start;
  std::vector<frame> stack_;
  std::vector<std::size_t> active_;
  std::vector<defect_info> queued_;
  rfc5322::header_parser hp_;
  entity ended_;  // the entity of the last entity_end event
  base64::stream_decoder b64_;
  qp::stream_decoder qpd_;
  delimiter pending_;
  then then_ = then::finish;
  std::vector<char> dbuf_;
  std::uint64_t offset_ = 0;
  std::size_t count_ = 0;
  std::size_t depth_base_ = 0, index_base_ = 0;
  bool decoded_stream_ = false;
  bool line_start_ = true;
  bool boundary_done_ = false;
  bool padding_reported_ = false;
  std::size_t clean_ = 0;  // leading bytes of `in` already scanned: no delimiter starts there
};

}  // namespace mailwire::mime
