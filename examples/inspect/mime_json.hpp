// examples/inspect/mime_json.hpp — `mailwire-inspect mime FILE|-`: one message through the
// streaming MIME parser, printed as the JSON line of ../shared/spec/inspect-mime-json.md.
//
// The message streams through mime::parser with decoding on (a host buffer of at most one
// header field or one delimiter line plus a read chunk), so memory stays bounded by the
// message's structure, not its size; bodies are only hashed (OpenSSL SHA-256) and counted.
#pragma once

#include <openssl/evp.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "header_values.hpp"
#include "mailwire/mime/parser.hpp"
#include "mailwire/rfc5322/header.hpp"
#include "tool/cli.hpp"

namespace inspect_mime {

namespace mime = mailwire::mime;

/// JSON string literal of UTF-8 text (the text is valid UTF-8: every value is sanitized first).
inline void json_string(std::string& out, std::string_view s) {
  out.push_back('"');
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          static constexpr char hex[] = "0123456789abcdef";
          out += "\\u00";
          out.push_back(hex[c >> 4]);
          out.push_back(hex[c & 15]);
        } else {
          out.push_back(ch);
        }
    }
  }
  out.push_back('"');
}

inline void json_nullable(std::string& out, const std::optional<std::string>& s) {
  if (s) json_string(out, *s);
  else out += "null";
}

/// One entity of the message tree as the JSON needs it.
struct node {
  // headers (the first occurrence of each field counts)
  std::optional<std::string> subject, from, to, cc, date, message_id, disposition_raw;
  // part
  std::string type;  // "type/subtype"
  std::vector<std::pair<std::string, std::string>> params;
  std::optional<std::string> disposition, filename, encoding;
  bool multipart = false, message = false, leaf = false;
  std::uint64_t size = 0;
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> sha{nullptr, EVP_MD_CTX_free};
  std::string sha_hex;
  std::vector<std::unique_ptr<node>> parts;
  std::unique_ptr<node> enclosed;  // message/rfc822 and message/global
};

inline void print_headers(std::string& out, const node& n) {
  out += "{\"subject\":";
  json_nullable(out, n.subject ? std::optional<std::string>(header_values::subject(*n.subject)) : std::nullopt);
  for (const auto& [key, raw] : {std::pair{"from", &n.from}, std::pair{"to", &n.to}, std::pair{"cc", &n.cc}}) {
    out += ",\"";
    out += key;
    out += "\":[";
    if (*raw) {
      bool first = true;
      for (const auto& a : header_values::addresses(**raw)) {
        if (!first) out.push_back(',');
        first = false;
        out += "{\"name\":";
        json_string(out, a.name);
        out += ",\"addr\":";
        json_string(out, a.addr);
        out.push_back('}');
      }
    }
    out.push_back(']');
  }
  out += ",\"date\":";
  json_nullable(out, n.date ? header_values::date(*n.date) : std::nullopt);
  out += ",\"message_id\":";
  json_nullable(out, n.message_id ? header_values::message_id(*n.message_id) : std::nullopt);
  out.push_back('}');
}

inline void print_message(std::string& out, const node& n);

inline void print_part(std::string& out, const node& n) {
  out += "{\"type\":";
  json_string(out, n.type);
  out += ",\"params\":{";
  for (std::size_t i = 0; i < n.params.size(); ++i) {
    if (i) out.push_back(',');
    json_string(out, n.params[i].first);
    out.push_back(':');
    json_string(out, n.params[i].second);
  }
  out += "},\"disposition\":";
  json_nullable(out, n.disposition);
  out += ",\"filename\":";
  json_nullable(out, n.filename);
  out += ",\"encoding\":";
  json_nullable(out, n.encoding);
  out += ",\"size\":";
  out += n.leaf ? std::to_string(n.size) : "null";
  out += ",\"sha256\":";
  if (n.leaf) json_string(out, n.sha_hex);
  else out += "null";
  out += ",\"parts\":";
  if (n.multipart) {
    out.push_back('[');
    for (std::size_t i = 0; i < n.parts.size(); ++i) {
      if (i) out.push_back(',');
      print_part(out, *n.parts[i]);
    }
    out.push_back(']');
  } else {
    out += "null";
  }
  out += ",\"message\":";
  if (n.message && n.enclosed) print_message(out, *n.enclosed);
  else out += "null";
  out.push_back('}');
}

inline void print_message(std::string& out, const node& n) {
  out += "{\"headers\":";
  print_headers(out, n);
  out += ",\"root\":";
  print_part(out, n);
  out.push_back('}');
}

/// Fills the part fields of `n` from the entity's effective type at header_end.
inline void describe(node& n, const mime::entity& e) {
  n.type = e.type.type + "/" + e.type.subtype;
  for (const auto& p : e.type.params.items) n.params.emplace_back(p.name, header_values::parameter(p));
  std::sort(n.params.begin(), n.params.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  if (e.has_encoding) n.encoding = e.encoding_token;
  if (n.disposition_raw) {
    const auto cd = mime::parse_content_disposition(*n.disposition_raw);
    if (cd.valid) n.disposition = cd.type;
    if (const auto* f = cd.params.find("filename")) n.filename = header_values::parameter(*f);
  }
  if (!n.filename) {
    if (const auto* f = e.type.params.find("name")) n.filename = header_values::parameter(*f);
  }
  n.multipart = e.type.is_multipart();
  n.message = e.type.is_message();
  n.leaf = !n.multipart && !n.message;
  if (n.leaf) {
    n.sha.reset(EVP_MD_CTX_new());
    EVP_DigestInit_ex(n.sha.get(), EVP_sha256(), nullptr);
  }
}

inline void finish(node& n) {
  if (!n.leaf) return;
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  EVP_DigestFinal_ex(n.sha.get(), md, &len);
  static constexpr char hex[] = "0123456789abcdef";
  for (unsigned i = 0; i < len; ++i) {
    n.sha_hex.push_back(hex[md[i] >> 4]);
    n.sha_hex.push_back(hex[md[i] & 15]);
  }
  n.sha.reset();
}

/// Parses the message from `in` and prints its JSON line to `out`. Returns the exit code.
inline int run(std::string_view tool, std::FILE* in, std::FILE* out) {
  mime::parser_options opt;
  opt.decode = true;
  mime::parser p(opt);
  std::string buf;
  std::vector<char> chunk(std::size_t{1} << 16);
  bool eof = false;
  std::unique_ptr<node> root;
  std::vector<node*> stack;
  for (;;) {
    const mime::step s = p.next(buf, eof);
    if (s.st == mailwire::status::need_more) {
      buf.erase(0, s.consumed);
      const std::size_t n = std::fread(chunk.data(), 1, chunk.size(), in);
      if (n < chunk.size()) {
        if (std::ferror(in)) {
          mailwire_tool::error_line(tool, "read error");
          return mailwire_tool::exit_bad_input;
        }
        eof = true;
      }
      buf.append(chunk.data(), n);
      continue;
    }
    switch (s.kind) {
      case mime::event::entity_begin: {
        auto n = std::make_unique<node>();
        node* raw = n.get();
        if (stack.empty()) {
          root = std::move(n);
        } else if (stack.back()->message) {
          stack.back()->enclosed = std::move(n);
        } else {
          stack.back()->parts.push_back(std::move(n));
        }
        stack.push_back(raw);
        break;
      }
      case mime::event::header_field: {
        node& n = *stack.back();
        const auto& f = s.field;
        auto keep = [&](std::optional<std::string>& slot) {
          if (!slot) slot = mailwire::rfc5322::unfold(f.raw_value);
        };
        if (f.is("Subject")) keep(n.subject);
        else if (f.is("From")) keep(n.from);
        else if (f.is("To")) keep(n.to);
        else if (f.is("Cc")) keep(n.cc);
        else if (f.is("Date")) keep(n.date);
        else if (f.is("Message-ID")) keep(n.message_id);
        else if (f.is("Content-Disposition")) keep(n.disposition_raw);
        break;
      }
      case mime::event::header_end: describe(*stack.back(), *s.ent); break;
      case mime::event::body: {
        node& n = *stack.back();
        if (n.leaf) {
          n.size += s.data.size();
          EVP_DigestUpdate(n.sha.get(), s.data.data(), s.data.size());
        }
        break;
      }
      case mime::event::entity_end:
        finish(*stack.back());
        stack.pop_back();
        break;
      default: break;
    }
    buf.erase(0, s.consumed);
    if (s.kind == mime::event::end) break;
  }
  std::string json;
  print_message(json, *root);
  json.push_back('\n');
  if (std::fwrite(json.data(), 1, json.size(), out) != json.size() || std::fflush(out) != 0) {
    mailwire_tool::error_line(tool, "write error");
    return mailwire_tool::exit_bad_input;
  }
  return mailwire_tool::exit_ok;
}

}  // namespace inspect_mime
