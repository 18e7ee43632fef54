// VMime (libvmime-dev), the C++ mail library: its encoders work on vmime streams; we read from
// a byte-buffer adapter and write into a fixed buffer (no reallocation in the timed loop). The
// base64 encoder writes CRLF every 76 columns ("maxlinelength" cannot turn line breaks off);
// the QP encoder in "text" mode keeps hard line breaks.
//
// MIME: vmime::message::parse, then a walk of the bodies; decoding is contentHandler::extract
// into a counting stream. VMime leaves message/rfc822 bodies unparsed, so the walk parses each
// into a new vmime::message (what a VMime program does to read a forward). Address lists:
// vmime::addressList::parse, names converted to UTF-8 with text::getConvertedText.
#include <vmime/vmime.hpp>
#include <vmime/utility/encoder/b64Encoder.hpp>
#include <vmime/utility/encoder/qpEncoder.hpp>
#include <vmime/utility/inputStreamByteBufferAdapter.hpp>

#include <cstring>
#include <string>
#include <vector>

#include "../bench.hpp"

namespace mwbench {

namespace {

class span_output : public vmime::utility::outputStream {
 public:
  explicit span_output(std::span<char> s) : s_(s) {}
  void flush() override {}
  std::size_t size() const { return n_; }
  bool overflow() const { return overflow_; }

 protected:
  void writeImpl(const vmime::byte_t* const data, const size_t count) override {
    if (count > s_.size() - n_) {
      overflow_ = true;
      return;
    }
    std::memcpy(s_.data() + n_, data, count);
    n_ += count;
  }

 private:
  std::span<char> s_;
  std::size_t n_ = 0;
  bool overflow_ = false;
};

template <class Encoder>
std::string_view run(Encoder& e, bool encode, std::string_view in, std::span<char> out) {
  vmime::utility::inputStreamByteBufferAdapter is(
      reinterpret_cast<const vmime::byte_t*>(in.data()), in.size());
  span_output os(out);
  if (encode) e.encode(is, os);
  else e.decode(is, os);
  if (os.overflow()) return failed();
  return std::string_view(out.data(), os.size());
}

// Counts (and folds) what is written to it.
class counting_output : public vmime::utility::outputStream {
 public:
  void flush() override {}
  std::uint64_t n = 0, sum = 0;

 protected:
  void writeImpl(const vmime::byte_t* const data, const size_t count) override {
    n += count;
    if (count > 0) sum += data[count - 1];
  }
};

class string_output : public vmime::utility::outputStream {
 public:
  void flush() override {}
  std::string s;

 protected:
  void writeImpl(const vmime::byte_t* const data, const size_t count) override {
    s.append(reinterpret_cast<const char*>(data), count);
  }
};

void walk(const vmime::body& b, bool decode, mime_counts& c, std::uint32_t& leaves) {
  const std::size_t parts = b.getPartCount();
  const vmime::mediaType t = b.getContentType();
  if (parts > 0 || t.getType() == vmime::mediaTypes::MULTIPART) {
    for (std::size_t i = 0; i < parts; ++i) walk(*b.getPartAt(i)->getBody(), decode, c, leaves);
    return;
  }
  if (t.getType() == vmime::mediaTypes::MESSAGE && t.getSubType() == vmime::mediaTypes::MESSAGE_RFC822) {
    string_output raw;
    b.getContents()->extract(raw);
    vmime::message m;
    m.parse(raw.s);
    walk(*m.getBody(), decode, c, leaves);
    return;
  }
  ++leaves;
  if (!decode) return;
  counting_output os;
  b.getContents()->extract(os);
  c.decoded += os.n;
  c.checksum += os.sum;
  if (b.getEncoding().getName() == vmime::encodingTypes::BASE64) c.base64 += os.n;
}

std::string utf8_name(const vmime::mailbox& m) {
  return m.getName().getConvertedText(vmime::charset(vmime::charsets::UTF_8));
}

}  // namespace

void add_vmime_mime(mime_registry& r) {
  auto messages = [](bool decode) {
    return [decode](const std::vector<std::string>& items) -> mime_pass {
      return [&items, decode](mime_detail* d) {
        mime_counts c;
        for (const std::string& s : items) {
          vmime::message m;
          m.parse(s);
          std::uint32_t leaves = 0;
          walk(*m.getBody(), decode, c, leaves);
          ++c.items;
          c.leaves += leaves;
          if (d) d->per_item.push_back(leaves);
        }
        return c;
      };
    };
  };
  r.push_back({mime_group::parse_decode_mailbox, "vmime", "", messages(true)});
  r.push_back({mime_group::parse_mailbox, "vmime", "builds the tree", messages(false)});
  r.push_back({mime_group::parse_decode_10mb, "vmime", "", messages(true)});
  r.push_back({mime_group::address_list, "vmime", "", [](const std::vector<std::string>& items) -> mime_pass {
                 return [&items](mime_detail* d) {
                   mime_counts c;
                   for (const std::string& s : items) {
                     vmime::addressList l;
                     l.parse(s);
                     std::uint32_t n = 0;
                     auto one = [&](const vmime::mailbox& m) {
                       ++n;
                       const std::string name = utf8_name(m);
                       c.checksum += name.size();
                       if (d) d->out.push_back(name + " <" + m.getEmail().toString() + ">");
                     };
                     for (std::size_t i = 0; i < l.getAddressCount(); ++i) {
                       const auto a = l.getAddressAt(i);
                       if (a->isGroup()) {
                         const auto g = vmime::dynamicCast<const vmime::mailboxGroup>(a);
                         for (std::size_t k = 0; k < g->getMailboxCount(); ++k) one(*g->getMailboxAt(k));
                       } else {
                         one(*vmime::dynamicCast<const vmime::mailbox>(a));
                       }
                     }
                     ++c.items;
                     c.leaves += n;
                     if (d) d->per_item.push_back(n);
                   }
                   return c;
                 };
               }});
}

void add_vmime(registry& r) {
  auto b64 = [](bool encode) {
    return [encode](std::string_view in, std::span<char> out) {
      vmime::utility::encoder::b64Encoder e;
      e.getProperties()["maxlinelength"] = 76;
      return run(e, encode, in, out);
    };
  };
  auto qp = [](bool encode) {
    return [encode](std::string_view in, std::span<char> out) {
      vmime::utility::encoder::qpEncoder e;
      e.getProperties()["maxlinelength"] = 76;
      e.getProperties()["text"] = true;
      return run(e, encode, in, out);
    };
  };
  r.push_back({group::b64_decode_mime, "vmime", "", b64(false)});
  r.push_back({group::b64_decode_plain, "vmime", "", b64(false)});
  r.push_back({group::b64_encode_mime, "vmime", "", b64(true)});
  r.push_back({group::qp_decode_text, "vmime", "", qp(false)});
  r.push_back({group::qp_encode_text, "vmime", "", qp(true)});
}

}  // namespace mwbench
