// libetpan (libetpan-dev), the C mail library: its body decoders return a new MMAPString (the
// allocation is part of its API, so part of its time); its writers append to an MMAPString,
// which we keep and truncate between calls.
#include <libetpan/libetpan.h>

#include <memory>

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

}  // namespace mwbench
