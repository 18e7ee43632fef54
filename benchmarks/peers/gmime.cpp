// GMime 3 (libgmime-3.0-dev): its one-shot encoders/decoders are the _step/_close functions
// GMime's stream filters use. Its base64 encoder always writes LF every 76 columns and its QP
// encoder writes LF hard line breaks, so there is no plain-base64 row for GMime.
//
// MIME: g_mime_parser_construct_message on a memory stream over a GByteArray made once per
// message (untimed; the stream does not own it), then a walk of the tree; decoding writes each
// leaf's content (g_mime_part_get_content + g_mime_data_wrapper_write_to_stream) to a null
// stream, which counts the bytes. Address lists: internet_address_list_parse, names decoded.
#include <gmime/gmime.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "../bench.hpp"

namespace mwbench {

void add_gmime(registry& r) {
  g_mime_init();
  auto u = [](std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); };
  auto w = [](std::span<char> s) { return reinterpret_cast<unsigned char*>(s.data()); };
  auto decode_b64 = [=](std::string_view in, std::span<char> out) {
    int state = 0;
    guint32 save = 0;
    const size_t n = g_mime_encoding_base64_decode_step(u(in), in.size(), w(out), &state, &save);
    return std::string_view(out.data(), n);
  };
  r.push_back({group::b64_decode_mime, "gmime", "", decode_b64});
  r.push_back({group::b64_decode_plain, "gmime", "", decode_b64});
  r.push_back({group::b64_encode_mime, "gmime", "", [=](std::string_view in, std::span<char> out) {
                 int state = 0;
                 guint32 save = 0;
                 const size_t n = g_mime_encoding_base64_encode_close(u(in), in.size(), w(out),
                                                                      &state, &save);
                 return std::string_view(out.data(), n);
               }});
  r.push_back({group::qp_decode_text, "gmime", "", [=](std::string_view in, std::span<char> out) {
                 int state = 0;
                 guint32 save = 0;
                 const size_t n = g_mime_encoding_quoted_decode_step(u(in), in.size(), w(out),
                                                                     &state, &save);
                 return std::string_view(out.data(), n);
               }});
  r.push_back({group::qp_encode_text, "gmime", "", [=](std::string_view in, std::span<char> out) {
                 int state = -1;
                 guint32 save = 0;
                 const size_t n = g_mime_encoding_quoted_encode_close(u(in), in.size(), w(out),
                                                                      &state, &save);
                 return std::string_view(out.data(), n);
               }});
}

namespace {

struct gmime_walk {
  mime_counts& c;
  bool decode;
  GMimeStream* null;
  std::uint32_t leaves = 0;
};

void walk(GMimeObject* o, gmime_walk& w) {
  if (GMIME_IS_MULTIPART(o)) {
    GMimeMultipart* mp = GMIME_MULTIPART(o);
    const int n = g_mime_multipart_get_count(mp);
    for (int i = 0; i < n; ++i) walk(g_mime_multipart_get_part(mp, i), w);
  } else if (GMIME_IS_MESSAGE_PART(o)) {
    GMimeMessage* m = g_mime_message_part_get_message(GMIME_MESSAGE_PART(o));
    if (m != nullptr && g_mime_message_get_mime_part(m) != nullptr) walk(g_mime_message_get_mime_part(m), w);
  } else if (GMIME_IS_PART(o)) {
    ++w.leaves;
    if (!w.decode) return;
    GMimePart* part = GMIME_PART(o);
    GMimeDataWrapper* content = g_mime_part_get_content(part);
    if (content == nullptr) return;
    const std::size_t before = GMIME_STREAM_NULL(w.null)->written;
    g_mime_data_wrapper_write_to_stream(content, w.null);
    const std::size_t n = GMIME_STREAM_NULL(w.null)->written - before;
    w.c.decoded += n;
    w.c.checksum += n;
    if (g_mime_part_get_content_encoding(part) == GMIME_CONTENT_ENCODING_BASE64) w.c.base64 += n;
  }
}

struct byte_arrays {
  std::vector<GByteArray*> a;
  ~byte_arrays() {
    for (GByteArray* b : a) g_byte_array_free(b, TRUE);
  }
};

void count_addresses(InternetAddressList* l, mime_counts& c, mime_detail* d, std::uint32_t& n) {
  const int k = internet_address_list_length(l);
  for (int i = 0; i < k; ++i) {
    InternetAddress* a = internet_address_list_get_address(l, i);
    if (INTERNET_ADDRESS_IS_GROUP(a)) {
      count_addresses(internet_address_group_get_members(INTERNET_ADDRESS_GROUP(a)), c, d, n);
      continue;
    }
    ++n;
    const char* name = internet_address_get_name(a);
    const char* addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(a));
    c.checksum += name != nullptr ? std::strlen(name) : 0;
    if (d) d->out.push_back(std::string(name != nullptr ? name : "") + " <" + (addr != nullptr ? addr : "") + ">");
  }
}

}  // namespace

void add_gmime_mime(mime_registry& r) {
  g_mime_init();
  auto messages = [](bool decode) {
    return [decode](const std::vector<std::string>& items) -> mime_pass {
      auto arrays = std::make_shared<byte_arrays>();
      for (const std::string& m : items) {
        GByteArray* b = g_byte_array_sized_new(static_cast<guint>(m.size()));
        g_byte_array_append(b, reinterpret_cast<const guint8*>(m.data()), static_cast<guint>(m.size()));
        arrays->a.push_back(b);
      }
      return [arrays, decode](mime_detail* d) {
        mime_counts c;
        GMimeStream* null = g_mime_stream_null_new();
        for (GByteArray* b : arrays->a) {
          GMimeStream* s = g_mime_stream_mem_new();
          g_mime_stream_mem_set_byte_array(GMIME_STREAM_MEM(s), b);
          GMimeParser* p = g_mime_parser_new_with_stream(s);
          GMimeMessage* m = g_mime_parser_construct_message(p, nullptr);
          gmime_walk w{c, decode, null};
          if (m != nullptr) {
            ++c.items;
            if (g_mime_message_get_mime_part(m) != nullptr) walk(g_mime_message_get_mime_part(m), w);
            g_object_unref(m);
          }
          c.leaves += w.leaves;
          if (d) d->per_item.push_back(w.leaves);
          g_object_unref(p);
          g_object_unref(s);
        }
        g_object_unref(null);
        return c;
      };
    };
  };
  r.push_back({mime_group::parse_decode_mailbox, "gmime", "", messages(true)});
  r.push_back({mime_group::parse_mailbox, "gmime", "builds the tree", messages(false)});
  r.push_back({mime_group::parse_decode_10mb, "gmime", "", messages(true)});
  r.push_back({mime_group::address_list, "gmime", "", [](const std::vector<std::string>& items) -> mime_pass {
                 return [&items](mime_detail* d) {
                   mime_counts c;
                   for (const std::string& s : items) {
                     InternetAddressList* l = internet_address_list_parse(nullptr, s.c_str());
                     if (l == nullptr) continue;
                     ++c.items;
                     std::uint32_t n = 0;
                     count_addresses(l, c, d, n);
                     c.leaves += n;
                     if (d) d->per_item.push_back(n);
                     g_object_unref(l);
                   }
                   return c;
                 };
               }});
}

}  // namespace mwbench
