// mailwire/mime/message.hpp — a parsed message as a tree (RFC 2045 section 2.4 entities,
// RFC 2046 section 5 multiparts and enclosed messages), built on the streaming parser, and
// written back byte for byte.
//
//   auto msg = mailwire::mime::parse(bytes);           // views into `bytes`
//   msg.root.walk([](const mime::node& n) {
//     if (n.is_leaf() && n.info.type.type == "image") save(n.decoded_body());
//   });
//   msg.root.parts.erase(msg.root.parts.begin() + 1); // drop the second part
//   std::string out = mime::write(msg.root);           // unmodified: exactly `bytes`
//
// The tree holds views into the input (which must outlive it) or into buffers it owns
// (parse_owned(), and the decoded bodies of base64/QP-encoded message/rfc822 parts, which are
// parsed as messages too). Memory is the input plus a small node per entity; the limits of
// parser_options apply (depth, parts, header size), so hostile input cannot blow it up.
// write() rebuilds an entity from its header, preamble, delimiter lines, parts and epilogue,
// so a host can remove, reorder or replace parts; parts beyond the recorded delimiter lines get
// a canonical "CRLF--boundary CRLF" line.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "mailwire/codec/base64.hpp"
#include "mailwire/codec/quoted_printable.hpp"
#include "mailwire/mime/parser.hpp"

namespace mailwire::mime {

/// One entity of a message tree.
struct node {
  entity info;                               ///< type, encoding, depth, index, offsets
  std::vector<rfc5322::header_field> fields; ///< the header fields (views)
  std::string_view header;                   ///< the raw header block, its empty line included
  std::string_view body;                     ///< leaf: the raw (encoded) body; else empty
  std::string_view preamble, epilogue;       ///< multipart: as written (views)
  std::vector<std::string_view> delimiters;  ///< multipart: the delimiter line(s) before each
                                             ///< part, preceding line break included (lines
                                             ///< that open no part stay with the next one)
  std::string_view close_delimiter;          ///< multipart: the "--boundary--" line (and any
                                             ///< delimiter lines just before it), "" if missing
  std::vector<node> parts;                   ///< multipart: the body parts in order
  std::unique_ptr<node> enclosed;            ///< message/rfc822, message/global: the message
  std::shared_ptr<const std::string> storage;  ///< bytes the enclosed message's views point into
                                               ///< when it was transfer-encoded
  std::vector<defect_info> defects;          ///< defects reported for this entity

  node() = default;
  node(node&&) noexcept = default;
  node& operator=(node&&) noexcept = default;

  [[nodiscard]] bool is_multipart() const noexcept { return info.type.is_multipart(); }
  [[nodiscard]] bool is_message() const noexcept { return enclosed != nullptr; }
  [[nodiscard]] bool is_leaf() const noexcept { return !is_multipart() && !is_message(); }

  /// Raw value of the first field called `name` (case-insensitive), or nullptr.
  [[nodiscard]] const rfc5322::header_field* field(std::string_view name) const noexcept {
    for (const auto& f : fields)
      if (f.is(name)) return &f;
    return nullptr;
  }
  /// The body with its transfer encoding undone (base64, quoted-printable; RFC 2045 section 6);
  /// other encodings are returned as they stand. Never fails: malformed input is decoded the
  /// lenient way (RFC 2045 section 6.8: characters outside the alphabet skipped).
  [[nodiscard]] std::string decoded_body() const {
    std::string out;
    if (info.encoding == transfer_encoding::base64) {
      (void)base64::decode(body, out);
    } else if (info.encoding == transfer_encoding::quoted_printable) {
      (void)qp::decode(body, out);
    } else {
      out.assign(body);
    }
    return out;
  }
  /// Calls f(node) for this entity and every entity inside it, depth first, in order.
  void walk(const std::function<void(const node&)>& f) const {
    f(*this);
    for (const auto& p : parts) p.walk(f);
    if (enclosed) enclosed->walk(f);
  }
};

/// A parsed message: the root entity plus every defect, in stream order.
struct message {
  node root;
  std::vector<defect_info> defects;
  std::shared_ptr<const std::string> storage;  ///< the input, for parse_owned()
};

namespace detail {

// Builds the tree from the parser's events over a whole buffer (views into `src`).
inline node build_tree(std::string_view src, const parser_options& base, std::vector<defect_info>& all) {
  parser_options o = base;
  o.decode = false;
  o.parse_encoded_messages = false;  // done below, so that raw bodies stay views
  parser p(o);
  node root;
  std::vector<node*> stack;
  std::vector<std::string_view> pending;  // per stack entry: delimiter lines not yet given to a part
  auto grow = [&](std::string_view v, std::string_view more) {
    return v.empty() ? more : src.substr(static_cast<std::size_t>(v.data() - src.data()), v.size() + more.size());
  };
  std::size_t pos = 0;
  std::size_t header_start = 0;
  for (;;) {
    const step s = p.next(src.substr(pos), true);
    const std::size_t at = pos;
    pos += s.consumed;
    node* top = stack.empty() ? nullptr : stack.back();
    switch (s.kind) {
      case event::entity_begin: {
        node* n;
        if (top == nullptr) {
          n = &root;
        } else if (top->info.type.is_message() && !top->is_multipart()) {
          top->enclosed = std::make_unique<node>();
          n = top->enclosed.get();
        } else {
          top->parts.emplace_back();
          n = &top->parts.back();
          top->delimiters.push_back(pending.back());
          pending.back() = {};
        }
        stack.push_back(n);
        pending.emplace_back();
        header_start = at;
        break;
      }
      case event::header_field: top->fields.push_back(s.field); break;
      case event::header_end:
        top->info = *s.ent;
        top->header = src.substr(header_start, pos - header_start);
        break;
      // Raw data events of one kind are contiguous: grow the view.
      case event::preamble: top->preamble = src.substr(at - top->preamble.size(), top->preamble.size() + s.data.size()); break;
      case event::epilogue: top->epilogue = src.substr(at - top->epilogue.size(), top->epilogue.size() + s.data.size()); break;
      case event::body: top->body = src.substr(at - top->body.size(), top->body.size() + s.data.size()); break;
      case event::boundary: {
        // The entities inside the delimiter's multipart have ended already (their entity_end
        // events come first), so the top of the stack is that multipart.
        pending.back() = grow(pending.back(), s.data);
        if (s.close) {
          top->close_delimiter = pending.back();
          pending.back() = {};
        }
        break;
      }
      case event::entity_end:
        top->info.end_offset = s.ent->end_offset;
        if (!pending.back().empty()) top->close_delimiter = pending.back();  // no part after them
        stack.pop_back();
        pending.pop_back();
        break;
      case event::defect:
        all.push_back(s.problem);
        if (top != nullptr) top->defects.push_back(s.problem);
        break;
      case event::end: return root;
    }
  }
}

// Parses the decoded bodies of encoded message/rfc822 parts as messages (RFC 2046 section
// 5.2.1 forbids the encoding; real mail has it), recursively within the depth limit.
inline void parse_encoded_messages(node& n, const parser_options& o, std::vector<defect_info>& all) {
  for (auto& p : n.parts) parse_encoded_messages(p, o, all);
  if (n.enclosed) parse_encoded_messages(*n.enclosed, o, all);
  if (n.enclosed || !n.info.type.is_message() || !is_encoded(n.info.encoding) || !o.parse_encoded_messages)
    return;
  if (n.info.depth + 1 > o.limits.max_depth) return;
  auto storage = std::make_shared<const std::string>(n.decoded_body());
  parser_options co = o;
  co.limits.max_depth = o.limits.max_depth - (n.info.depth + 1);
  node child = build_tree(*storage, co, all);
  parse_encoded_messages(child, co, all);
  // Depths and the decoded-stream flag of the enclosed tree.
  const std::size_t base = n.info.depth + 1;
  std::function<void(node&)> shift = [&](node& x) {
    x.info.depth += base;
    x.info.decoded_stream = true;
    for (auto& p : x.parts) shift(p);
    if (x.enclosed) shift(*x.enclosed);
  };
  shift(child);
  n.enclosed = std::make_unique<node>(std::move(child));
  n.storage = std::move(storage);
}

inline void write_to(const node& n, std::string& out) {
  out.append(n.header);
  if (n.is_multipart()) {
    out.append(n.preamble);
    const std::string_view boundary = n.info.type.param("boundary");
    for (std::size_t i = 0; i < n.parts.size(); ++i) {
      if (i < n.delimiters.size()) {
        out.append(n.delimiters[i]);
      } else {
        out += "\r\n--";
        out += boundary;
        out += "\r\n";
      }
      write_to(n.parts[i], out);
    }
    out.append(n.close_delimiter);
    out.append(n.epilogue);
  } else if (n.enclosed && !n.storage) {
    write_to(*n.enclosed, out);
  } else {
    out.append(n.body);
  }
}

}  // namespace detail

/// Parses a whole message held in memory into a tree of views into `in` (RFC 2045, 2046).
/// `in` must outlive the result. Never fails: irregularities are in `defects`.
[[nodiscard]] inline message parse(std::string_view in, const parser_options& o = {}) {
  message m;
  m.root = detail::build_tree(in, o, m.defects);
  detail::parse_encoded_messages(m.root, o, m.defects);
  return m;
}

/// Like parse(), but the message owns its input.
[[nodiscard]] inline message parse_owned(std::string in, const parser_options& o = {}) {
  auto storage = std::make_shared<const std::string>(std::move(in));
  message m = parse(*storage, o);
  m.storage = std::move(storage);
  return m;
}

/// Writes an entity (and everything inside it) back as bytes. For an unmodified tree the
/// output is the parsed input byte for byte.
[[nodiscard]] inline std::string write(const node& n) {
  std::string out;
  detail::write_to(n, out);
  return out;
}

}  // namespace mailwire::mime
