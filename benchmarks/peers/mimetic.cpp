// mimetic (libmimetic-dev): C++ iterator codecs from its headers. The base64 encoder breaks
// lines with LF (76 columns, or never with maxlen 0). The QP encoder writes LF hard breaks and,
// once it meets a byte >= 0x80, switches to "binary" mode where line breaks are escaped too;
// its decoder writes LF for hard line breaks.
//
// MIME: mimetic::MimeEntity parses a message from a pair of iterators into a tree that holds
// copies of the bodies (message/rfc822 parts included); decoding runs its Base64/QP decoders
// over each leaf body into a counting iterator. Address lists: mimetic::AddressList, whose
// labels are the display names as written (no RFC 2047 decoding, quotes kept); it gives an
// empty group ("undisclosed-recipients:;") one empty mailbox, which we skip.
#include <mimetic/codec/base64.h>
#include <mimetic/codec/qp.h>
#include <mimetic/mimeentity.h>
#include <mimetic/parser/itparser.h>
#include <mimetic/rfc822/addresslist.h>

#include <string>
#include <vector>

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

namespace {

// Counts (and folds) the bytes a decoder writes.
struct counting_it {
  std::uint64_t* n;
  std::uint64_t* sum;
  counting_it& operator*() { return *this; }
  counting_it& operator=(char c) {
    ++*n;
    *sum += static_cast<unsigned char>(c);
    return *this;
  }
  counting_it& operator++() { return *this; }
  counting_it& operator++(int) { return *this; }
};

void walk(mimetic::MimeEntity& e, bool decode, mime_counts& c, std::uint32_t& leaves) {
  const mimetic::ContentType& ct = e.header().contentType();
  if (ct.isMultipart() || (ct.type() == std::string("message") && ct.subtype() == std::string("rfc822"))) {
    for (mimetic::MimeEntity* child : e.body().parts()) walk(*child, decode, c, leaves);
    return;
  }
  ++leaves;
  if (!decode) return;
  const mimetic::Body& b = e.body();
  const mimetic::istring& enc = e.header().contentTransferEncoding().mechanism();
  std::uint64_t n = 0;
  if (enc == std::string("base64")) {
    mimetic::Base64::Decoder dec;
    dec.process(b.begin(), b.end(), counting_it{&n, &c.checksum});
    c.base64 += n;
  } else if (enc == std::string("quoted-printable")) {
    mimetic::QP::Decoder dec;
    dec.process(b.begin(), b.end(), counting_it{&n, &c.checksum});
  } else {
    n = b.size();
  }
  c.decoded += n;
}

}  // namespace

void add_mimetic_mime(mime_registry& r) {
  auto messages = [](bool decode) {
    return [decode](const std::vector<std::string>& items) -> mime_pass {
      return [&items, decode](mime_detail* d) {
        mime_counts c;
        for (const std::string& m : items) {
          mimetic::MimeEntity e(m.data(), m.data() + m.size());
          std::uint32_t leaves = 0;
          walk(e, decode, c, leaves);
          ++c.items;
          c.leaves += leaves;
          if (d) d->per_item.push_back(leaves);
        }
        return c;
      };
    };
  };
  r.push_back({mime_group::parse_decode_mailbox, "mimetic", "copies bodies", messages(true)});
  r.push_back({mime_group::parse_mailbox, "mimetic", "copies bodies", messages(false)});
  r.push_back({mime_group::parse_decode_10mb, "mimetic", "copies bodies", messages(true)});
  r.push_back({mime_group::address_list, "mimetic", "names not decoded",
               [](const std::vector<std::string>& items) -> mime_pass {
                 return [&items](mime_detail* d) {
                   mime_counts c;
                   auto one = [&](const mimetic::Mailbox& m, std::uint32_t& n) {
                     if (m.mailbox().empty() && m.domain().empty()) return;  // an empty group's
                     ++n;
                     c.checksum += m.label().size();
                     if (d) d->out.push_back(m.label() + " <" + m.mailbox() + "@" + m.domain() + ">");
                   };
                   for (const std::string& s : items) {
                     const mimetic::AddressList l(s);
                     std::uint32_t n = 0;
                     for (const mimetic::Address& a : l) {
                       if (a.isGroup())
                         for (const mimetic::Mailbox& m : a.group()) one(m, n);
                       else
                         one(a.mailbox(), n);
                     }
                     ++c.items;
                     c.leaves += n;
                     if (d) d->per_item.push_back(n);
                   }
                   return c;
                 };
               }});
}

}  // namespace mwbench
