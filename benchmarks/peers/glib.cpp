// GLib (libglib2.0-dev): g_base64_*_step. Its encoder breaks lines with LF (every 76
// columns) when asked; its decoder skips characters outside the alphabet (so CRLF too) and has
// no strict mode, so the plain-decode row runs the same decoder.
#include <glib.h>

#include "../bench.hpp"

namespace mwbench {

void add_glib(registry& r) {
  auto decode = [](std::string_view in, std::span<char> out) {
    gint state = 0;
    guint save = 0;
    const gsize n = g_base64_decode_step(in.data(), in.size(),
                                         reinterpret_cast<guchar*>(out.data()), &state, &save);
    return std::string_view(out.data(), n);
  };
  auto encode = [](bool lines) {
    return [lines](std::string_view in, std::span<char> out) {
      gint state = 0, save = 0;
      gsize n = g_base64_encode_step(reinterpret_cast<const guchar*>(in.data()), in.size(),
                                     lines, out.data(), &state, &save);
      n += g_base64_encode_close(lines, out.data() + n, &state, &save);
      return std::string_view(out.data(), n);
    };
  };
  r.push_back({group::b64_decode_mime, "glib", "", decode});
  r.push_back({group::b64_decode_plain, "glib", "", decode});
  r.push_back({group::b64_encode_mime, "glib", "", encode(true)});
  r.push_back({group::b64_encode_plain, "glib", "", encode(false)});
}

}  // namespace mwbench
