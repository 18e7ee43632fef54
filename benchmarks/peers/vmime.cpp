// VMime (libvmime-dev), the C++ mail library: its encoders work on vmime streams; we read from
// a byte-buffer adapter and write into a fixed buffer (no reallocation in the timed loop). The
// base64 encoder writes CRLF every 76 columns ("maxlinelength" cannot turn line breaks off);
// the QP encoder in "text" mode keeps hard line breaks.
#include <vmime/vmime.hpp>
#include <vmime/utility/encoder/b64Encoder.hpp>
#include <vmime/utility/encoder/qpEncoder.hpp>
#include <vmime/utility/inputStreamByteBufferAdapter.hpp>

#include <cstring>

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

}  // namespace

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
