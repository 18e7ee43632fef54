// mimetic (libmimetic-dev): C++ iterator codecs from its headers. The base64 encoder breaks
// lines with LF (76 columns, or never with maxlen 0). The QP encoder writes LF hard breaks and,
// once it meets a byte >= 0x80, switches to "binary" mode where line breaks are escaped too;
// its decoder writes LF for hard line breaks.
#include <mimetic/codec/base64.h>
#include <mimetic/codec/qp.h>

#include "../bench.hpp"

namespace mwbench {

namespace {

// An output iterator whose position outlives the copies the codecs take by value.
struct out_it {
  char** p;
  char& operator*() const { return **p; }
  out_it& operator++() {
    ++*p;
    return *this;
  }
  out_it operator++(int) {
    out_it t = *this;
    ++*p;
    return t;
  }
};

template <class Codec>
std::string_view run(Codec& c, std::string_view in, std::span<char> out) {
  char* p = out.data();
  c.process(in.data(), in.data() + in.size(), out_it{&p});
  return std::string_view(out.data(), static_cast<std::size_t>(p - out.data()));
}

}  // namespace

void add_mimetic(registry& r) {
  auto decode = [](std::string_view in, std::span<char> out) {
    mimetic::Base64::Decoder d;
    return run(d, in, out);
  };
  r.push_back({group::b64_decode_mime, "mimetic", "", decode});
  r.push_back({group::b64_decode_plain, "mimetic", "", decode});
  r.push_back({group::b64_encode_mime, "mimetic", "", [](std::string_view in, std::span<char> out) {
                 mimetic::Base64::Encoder e(76);
                 return run(e, in, out);
               }});
  r.push_back({group::b64_encode_plain, "mimetic", "", [](std::string_view in, std::span<char> out) {
                 mimetic::Base64::Encoder e(0);
                 return run(e, in, out);
               }});
  r.push_back({group::qp_decode_text, "mimetic", "", [](std::string_view in, std::span<char> out) {
                 mimetic::QP::Decoder d;
                 return run(d, in, out);
               }});
  r.push_back({group::qp_encode_text, "mimetic", "binary mode after 8-bit: =0D=0A, =20",
               [](std::string_view in, std::span<char> out) {
                 mimetic::QP::Encoder e(false);
                 return run(e, in, out);
               }});
}

}  // namespace mwbench
