// libetpan (libetpan-dev), the C mail library: its body decoders return a new MMAPString (the
// allocation is part of its API, so part of its time); its writers append to an MMAPString,
// which we keep and truncate between calls.
//
// MIME: mailmime_parse builds a tree whose leaves point into the input; decoding is
// mailmime_part_parse on each leaf (a new MMAPString each). Address lists:
// mailimf_address_list_parse, display names decoded with mailmime_encoded_phrase_parse.
#include <libetpan/libetpan.h>

#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "../bench.hpp"

namespace mwbench {

namespace {

struct decoded {
  char* p = nullptr;
  ~decoded() { reset(nullptr); }
  void reset(char* q) {
    if (p != nullptr) mmap_string_unref(p);
    p = q;
  }
};

struct buffer {
  MMAPString* s = mmap_string_sized_new(4u << 20);
  ~buffer() { mmap_string_free(s); }
};

}  // namespace

void add_etpan(registry& r) {
  auto decoder = [](bool qp) {
    auto h = std::make_shared<decoded>();
    return [h, qp](std::string_view in, std::span<char>) {
      h->reset(nullptr);
      size_t indx = 0, len = 0;
      char* res = nullptr;
      const int rc = qp ? mailmime_quoted_printable_body_parse(in.data(), in.size(), &indx, &res,
                                                              &len, 0)
                        : mailmime_base64_body_parse(in.data(), in.size(), &indx, &res, &len);
      h->reset(res);
      if (rc != MAILIMF_NO_ERROR || res == nullptr) return failed();
      return std::string_view(res, len);
    };
  };
  auto encoder = [](bool qp) {
    auto b = std::make_shared<buffer>();
    return [b, qp](std::string_view in, std::span<char>) {
      mmap_string_truncate(b->s, 0);
      int col = 0;
      const int rc = qp ? mailmime_quoted_printable_write_mem(b->s, &col, 1, in.data(), in.size())
                        : mailmime_base64_write_mem(b->s, &col, in.data(), in.size());
      if (rc != MAILIMF_NO_ERROR) return failed();
      return std::string_view(b->s->str, b->s->len);
    };
  };
  r.push_back({group::b64_decode_mime, "etpan", "allocates", decoder(false)});
  r.push_back({group::b64_decode_plain, "etpan", "allocates", decoder(false)});
  r.push_back({group::b64_encode_mime, "etpan", "", encoder(false)});
  r.push_back({group::qp_decode_text, "etpan", "allocates", decoder(true)});
  r.push_back({group::qp_encode_text, "etpan", "", encoder(true)});
}

namespace {

void walk(const mailmime* mm, bool decode, mime_counts& c, std::uint32_t& leaves) {
  switch (mm->mm_type) {
    case MAILMIME_MULTIPLE:
      for (clistiter* it = clist_begin(mm->mm_data.mm_multipart.mm_mp_list); it != nullptr; it = clist_next(it))
        walk(static_cast<const mailmime*>(clist_content(it)), decode, c, leaves);
      return;
    case MAILMIME_MESSAGE:
      if (mm->mm_data.mm_message.mm_msg_mime != nullptr)
        walk(mm->mm_data.mm_message.mm_msg_mime, decode, c, leaves);
      return;
    default: break;
  }
  ++leaves;
  const mailmime_data* data = mm->mm_data.mm_single;
  if (!decode || data == nullptr || data->dt_type != MAILMIME_DATA_TEXT) return;
  std::size_t n = data->dt_data.dt_text.dt_length;
  if (data->dt_encoded) {
    std::size_t index = 0, len = 0;
    char* res = nullptr;
    if (mailmime_part_parse(data->dt_data.dt_text.dt_data, data->dt_data.dt_text.dt_length, &index,
                            data->dt_encoding, &res, &len) != MAILIMF_NO_ERROR)
      return;
    n = len;
    if (len > 0) c.checksum += static_cast<unsigned char>(res[len - 1]);
    mmap_string_unref(res);
    if (data->dt_encoding == MAILMIME_MECHANISM_BASE64) c.base64 += n;
  }
  c.decoded += n;
}

void one_mailbox(const mailimf_mailbox* m, mime_counts& c, mime_detail* d, std::uint32_t& n) {
  ++n;
  std::string name;
  if (m->mb_display_name != nullptr) {
    std::size_t index = 0;
    char* decoded = nullptr;
    const char* dn = m->mb_display_name;
    if (mailmime_encoded_phrase_parse("utf-8", dn, std::strlen(dn), &index, "utf-8", &decoded) ==
            MAILIMF_NO_ERROR &&
        decoded != nullptr) {
      c.checksum += std::strlen(decoded);
      if (d) name = decoded;
      std::free(decoded);
    }
  }
  if (d) d->out.push_back(name + " <" + (m->mb_addr_spec != nullptr ? m->mb_addr_spec : "") + ">");
}

}  // namespace

void add_etpan_mime(mime_registry& r) {
  auto messages = [](bool decode) {
    return [decode](const std::vector<std::string>& items) -> mime_pass {
      return [&items, decode](mime_detail* d) {
        mime_counts c;
        for (const std::string& m : items) {
          std::size_t index = 0;
          mailmime* mm = nullptr;
          std::uint32_t leaves = 0;
          if (mailmime_parse(m.data(), m.size(), &index, &mm) == MAILIMF_NO_ERROR && mm != nullptr) {
            ++c.items;
            walk(mm, decode, c, leaves);
            mailmime_free(mm);
          }
          c.leaves += leaves;
          if (d) d->per_item.push_back(leaves);
        }
        return c;
      };
    };
  };
  r.push_back({mime_group::parse_decode_mailbox, "etpan", "", messages(true)});
  r.push_back({mime_group::parse_mailbox, "etpan", "builds the tree", messages(false)});
  r.push_back({mime_group::parse_decode_10mb, "etpan", "", messages(true)});
  r.push_back({mime_group::address_list, "etpan", "", [](const std::vector<std::string>& items) -> mime_pass {
                 return [&items](mime_detail* d) {
                   mime_counts c;
                   for (const std::string& s : items) {
                     std::size_t index = 0;
                     mailimf_address_list* l = nullptr;
                     if (mailimf_address_list_parse(s.data(), s.size(), &index, &l) != MAILIMF_NO_ERROR ||
                         l == nullptr)
                       continue;
                     std::uint32_t n = 0;
                     for (clistiter* it = clist_begin(l->ad_list); it != nullptr; it = clist_next(it)) {
                       const auto* a = static_cast<const mailimf_address*>(clist_content(it));
                       if (a->ad_type == MAILIMF_ADDRESS_MAILBOX) {
                         one_mailbox(a->ad_data.ad_mailbox, c, d, n);
                       } else if (a->ad_data.ad_group->grp_mb_list != nullptr) {
                         for (clistiter* g = clist_begin(a->ad_data.ad_group->grp_mb_list->mb_list); g != nullptr;
                              g = clist_next(g))
                           one_mailbox(static_cast<const mailimf_mailbox*>(clist_content(g)), c, d, n);
                       }
                     }
                     mailimf_address_list_free(l);
                     ++c.items;
                     c.leaves += n;
                     if (d) d->per_item.push_back(n);
                   }
                   return c;
                 };
               }});
}

}  // namespace mwbench
