// gmime-json FILE: GMime 3's reading of one message, printed as the JSON of
// ../../shared/spec/inspect-mime-json.md, so that test_gmime_differential.py can compare it
// with `mailwire-inspect mime` field by field.
//
// GMime makes every parsing decision (structure, boundaries, decoding of headers, parameters
// and bodies); this program only applies the spec's presentation rules: key order, the first
// occurrence of a message header field, lowercase names, sorted parameters (first of a
// repeated name), empty addresses left out, the date format. Not installed; a test tool.
#include <fcntl.h>
#include <gmime/gmime.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

// --- JSON ------------------------------------------------------------------------------------

// Appends `s` as a JSON string; invalid UTF-8 (GMime should give none) becomes U+FFFD.
void json_string(std::string& out, std::string_view s) {
  out += '"';
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if (c == '"' || c == '\\') {
        out += '\\';
        out += static_cast<char>(c);
      } else if (c < 0x20 || c == 0x7f) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", c);
        out += buf;
      } else {
        out += static_cast<char>(c);
      }
      ++i;
      continue;
    }
    // A well-formed sequence (RFC 3629 section 4), else one U+FFFD for this byte.
    std::size_t n = 0;
    unsigned lo = 0x80, hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) n = 1;
    else if (c == 0xe0) n = 2, lo = 0xa0;
    else if (c >= 0xe1 && c <= 0xec) n = 2;
    else if (c == 0xed) n = 2, hi = 0x9f;
    else if (c >= 0xee && c <= 0xef) n = 2;
    else if (c == 0xf0) n = 3, lo = 0x90;
    else if (c >= 0xf1 && c <= 0xf3) n = 3;
    else if (c == 0xf4) n = 3, hi = 0x8f;
    bool ok = n > 0;
    for (std::size_t k = 1; ok && k <= n; ++k) {
      if (i + k >= s.size()) {
        ok = false;
        break;
      }
      const auto d = static_cast<unsigned char>(s[i + k]);
      const unsigned l = k == 1 ? lo : 0x80, h = k == 1 ? hi : 0xbf;
      ok = d >= l && d <= h;
    }
    if (ok) {
      out.append(s.substr(i, n + 1));
      i += n + 1;
    } else {
      out += "\xef\xbf\xbd";
      ++i;
    }
  }
  out += '"';
}

void json_nullable(std::string& out, const char* s) {
  if (s == nullptr) out += "null";
  else json_string(out, s);
}

std::string lower(std::string_view s) {
  std::string r(s);
  for (char& c : r)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return r;
}

bool iequals(const char* a, const char* b) { return g_ascii_strcasecmp(a, b) == 0; }

// The first header field named `name` of `o` (spec: the first occurrence counts).
GMimeHeader* first_header(GMimeObject* o, const char* name) {
  GMimeHeaderList* list = g_mime_object_get_header_list(o);
  const int n = g_mime_header_list_get_count(list);
  for (int i = 0; i < n; ++i) {
    GMimeHeader* h = g_mime_header_list_get_header_at(list, i);
    if (iequals(g_mime_header_get_name(h), name)) return h;
  }
  return nullptr;
}

// --- headers ---------------------------------------------------------------------------------

void addresses(std::string& out, InternetAddressList* list, bool& first) {
  if (list == nullptr) return;
  const int n = internet_address_list_length(list);
  for (int i = 0; i < n; ++i) {
    InternetAddress* a = internet_address_list_get_address(list, i);
    if (INTERNET_ADDRESS_IS_GROUP(a)) {
      addresses(out, internet_address_group_get_members(INTERNET_ADDRESS_GROUP(a)), first);
      continue;
    }
    if (!INTERNET_ADDRESS_IS_MAILBOX(a)) continue;
    const char* addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(a));
    if (addr == nullptr || *addr == '\0') continue;
    const char* name = internet_address_get_name(a);
    out += first ? "" : ",";
    first = false;
    out += "{\"name\":";
    json_string(out, name != nullptr ? name : "");
    out += ",\"addr\":";
    json_string(out, addr);
    out += '}';
  }
}

void address_field(std::string& out, GMimeObject* m, const char* name) {
  out += '[';
  if (GMimeHeader* h = first_header(m, name)) {
    // The raw value: GMime's address parser decodes the encoded-words of display names itself.
    InternetAddressList* l = internet_address_list_parse(nullptr, g_mime_header_get_raw_value(h));
    bool first = true;
    addresses(out, l, first);
    if (l != nullptr) g_object_unref(l);
  }
  out += ']';
}

void date_field(std::string& out, GMimeObject* m) {
  GMimeHeader* h = first_header(m, "Date");
  GDateTime* d = h != nullptr ? g_mime_utils_header_decode_date(g_mime_header_get_value(h)) : nullptr;
  if (d == nullptr) {
    out += "null";
    return;
  }
  const GTimeSpan off = g_date_time_get_utc_offset(d) / G_TIME_SPAN_MINUTE;
  const long a = off < 0 ? -off : off;
  char buf[64];
  std::snprintf(buf, sizeof buf, "\"%04d-%02d-%02dT%02d:%02d:%02d%c%02ld:%02ld\"", g_date_time_get_year(d),
                g_date_time_get_month(d), g_date_time_get_day_of_month(d), g_date_time_get_hour(d),
                g_date_time_get_minute(d), g_date_time_get_second(d), off < 0 ? '-' : '+', a / 60, a % 60);
  out += buf;
  g_date_time_unref(d);
}

void message_id_field(std::string& out, GMimeObject* m) {
  GMimeHeader* h = first_header(m, "Message-ID");
  char* id = h != nullptr ? g_mime_utils_decode_message_id(g_mime_header_get_raw_value(h)) : nullptr;
  if (id == nullptr || *id == '\0') {
    out += "null";
  } else {
    json_string(out, std::string("<") + id + ">");
  }
  g_free(id);
}

std::string trim_sp_htab(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

// --- parts -----------------------------------------------------------------------------------

void message_json(std::string& out, GMimeMessage* m);

// The first token of the raw Content-Transfer-Encoding, lowercased ("encoding" is "as
// written", so this is the field's text, not GMime's enum): CFWS skipped, then RFC 2045 token
// characters.
void encoding_field(std::string& out, GMimeObject* o) {
  GMimeHeader* h = first_header(o, "Content-Transfer-Encoding");
  if (h == nullptr) {
    out += "null";
    return;
  }
  std::string_view v = g_mime_header_get_raw_value(h);
  std::size_t i = 0;
  for (int depth = 0; i < v.size(); ++i) {
    const char c = v[i];
    if (depth > 0) {
      if (c == '\\' && i + 1 < v.size()) ++i;
      else if (c == '(') ++depth;
      else if (c == ')') --depth;
    } else if (c == '(') {
      depth = 1;
    } else if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
      break;
    }
  }
  const std::size_t t0 = i;
  while (i < v.size()) {
    const auto c = static_cast<unsigned char>(v[i]);
    if (c <= 0x20 || c >= 0x7f || std::strchr("()<>@,;:\\\"/[]?=", c) != nullptr) break;
    ++i;
  }
  json_string(out, lower(v.substr(t0, i - t0)));
}

void part_json(std::string& out, GMimeObject* o) {
  GMimeContentType* ct = g_mime_object_get_content_type(o);
  out += "{\"type\":";
  json_string(out, lower(std::string(g_mime_content_type_get_media_type(ct)) + "/" +
                         g_mime_content_type_get_media_subtype(ct)));

  // Parameters: GMime's decoded values; names lowercased, the first of a repeated name, sorted.
  std::vector<std::pair<std::string, std::string>> params;
  GMimeParamList* pl = g_mime_content_type_get_parameters(ct);
  const int np = pl != nullptr ? g_mime_param_list_length(pl) : 0;
  for (int i = 0; i < np; ++i) {
    GMimeParam* p = g_mime_param_list_get_parameter_at(pl, i);
    std::string name = lower(g_mime_param_get_name(p));
    const char* value = g_mime_param_get_value(p);
    if (std::none_of(params.begin(), params.end(), [&](const auto& e) { return e.first == name; }))
      params.emplace_back(std::move(name), value != nullptr ? value : "");
  }
  std::stable_sort(params.begin(), params.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  out += ",\"params\":{";
  for (std::size_t i = 0; i < params.size(); ++i) {
    out += i ? "," : "";
    json_string(out, params[i].first);
    out += ':';
    json_string(out, params[i].second);
  }
  out += '}';

  GMimeContentDisposition* cd = g_mime_object_get_content_disposition(o);
  const char* disp = cd != nullptr ? g_mime_content_disposition_get_disposition(cd) : nullptr;
  out += ",\"disposition\":";
  if (disp != nullptr) json_string(out, lower(disp));
  else out += "null";

  // g_mime_part_get_filename's rule, for every kind of part.
  const char* filename = g_mime_object_get_content_disposition_parameter(o, "filename");
  if (filename == nullptr) filename = g_mime_object_get_content_type_parameter(o, "name");
  if (GMIME_IS_PART(o)) filename = g_mime_part_get_filename(GMIME_PART(o));
  out += ",\"filename\":";
  json_nullable(out, filename);

  out += ",\"encoding\":";
  encoding_field(out, o);

  if (GMIME_IS_MULTIPART(o)) {
    GMimeMultipart* mp = GMIME_MULTIPART(o);
    out += ",\"size\":null,\"sha256\":null,\"parts\":[";
    const int n = g_mime_multipart_get_count(mp);
    for (int i = 0; i < n; ++i) {
      out += i ? "," : "";
      part_json(out, g_mime_multipart_get_part(mp, i));
    }
    out += "],\"message\":null}";
  } else if (GMIME_IS_MESSAGE_PART(o)) {
    GMimeMessage* m = g_mime_message_part_get_message(GMIME_MESSAGE_PART(o));
    out += ",\"size\":null,\"sha256\":null,\"parts\":null,\"message\":";
    if (m != nullptr) message_json(out, m);
    else out += "null";
    out += '}';
  } else {
    // A leaf: its content with the transfer encoding undone by GMime.
    GByteArray* bytes = g_byte_array_new();
    if (GMIME_IS_PART(o)) {
      GMimeDataWrapper* content = g_mime_part_get_content(GMIME_PART(o));
      if (content != nullptr) {
        GMimeStream* mem = g_mime_stream_mem_new_with_byte_array(bytes);
        g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(mem), FALSE);
        g_mime_data_wrapper_write_to_stream(content, mem);
        g_object_unref(mem);
      }
    }
    gchar* hex = g_compute_checksum_for_data(G_CHECKSUM_SHA256, bytes->data, bytes->len);
    out += ",\"size\":" + std::to_string(bytes->len) + ",\"sha256\":\"" + hex + "\",\"parts\":null,\"message\":null}";
    g_free(hex);
    g_byte_array_free(bytes, TRUE);
  }
}

void message_json(std::string& out, GMimeMessage* m) {
  GMimeObject* o = GMIME_OBJECT(m);
  out += "{\"headers\":{\"subject\":";
  GMimeHeader* subject = first_header(o, "Subject");
  const char* s = subject != nullptr ? g_mime_header_get_value(subject) : nullptr;
  if (s != nullptr) json_string(out, trim_sp_htab(s));
  else out += "null";
  out += ",\"from\":";
  address_field(out, o, "From");
  out += ",\"to\":";
  address_field(out, o, "To");
  out += ",\"cc\":";
  address_field(out, o, "Cc");
  out += ",\"date\":";
  date_field(out, o);
  out += ",\"message_id\":";
  message_id_field(out, o);
  out += "},\"root\":";
  GMimeObject* root = g_mime_message_get_mime_part(m);
  if (root != nullptr) {
    part_json(out, root);
  } else {
    // GMime made no body part (an empty body): the spec's default leaf, empty.
    out += "{\"type\":\"text/plain\",\"params\":{},\"disposition\":null,\"filename\":null,\"encoding\":null,"
           "\"size\":0,\"sha256\":\"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\","
           "\"parts\":null,\"message\":null}";
  }
  out += '}';
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: gmime-json FILE\n");
    return 2;
  }
  g_mime_init();
  GError* err = nullptr;
  GMimeStream* in = g_mime_stream_fs_open(argv[1], O_RDONLY, 0, &err);
  if (in == nullptr) {
    std::fprintf(stderr, "gmime-json: %s: %s\n", argv[1], err != nullptr ? err->message : "cannot open");
    return 1;
  }
  GMimeParser* parser = g_mime_parser_new_with_stream(in);
  g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
  GMimeMessage* m = g_mime_parser_construct_message(parser, nullptr);
  if (m == nullptr) {
    std::fprintf(stderr, "gmime-json: %s: GMime constructed no message\n", argv[1]);
    g_object_unref(parser);
    g_object_unref(in);
    return 1;
  }
  std::string out;
  message_json(out, m);
  out += '\n';
  std::fwrite(out.data(), 1, out.size(), stdout);
  g_object_unref(m);
  g_object_unref(parser);
  g_object_unref(in);
  g_mime_shutdown();
  return 0;
}
