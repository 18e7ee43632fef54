// examples/inspect/header_values.hpp — the header values of `mailwire-inspect mime`, each as
// ../shared/spec/inspect-mime-json.md says, from the library's RFC 5322 and MIME parsers.
// Inputs are field values already unfolded (rfc5322::unfold).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mailwire/codec/charset.hpp"
#include "mailwire/mime/content_type.hpp"
#include "mailwire/rfc5322/address.hpp"
#include "mailwire/rfc5322/date.hpp"
#include "mailwire/rfc5322/encoded_word.hpp"
#include "mailwire/rfc5322/message_id.hpp"

namespace inspect_mime::header_values {

/// Subject: encoded-words decoded to UTF-8 (RFC 2047 section 6.2), raw 8-bit read as UTF-8,
/// then leading and trailing SP/HTAB trimmed.
inline std::string subject(std::string_view unfolded) {
  std::string out;
  (void)mailwire::rfc5322::decode_unstructured(unfolded, out);
  const std::size_t b = out.find_first_not_of(" \t");
  if (b == std::string::npos) return {};
  const std::size_t e = out.find_last_not_of(" \t");
  return out.substr(b, e - b + 1);
}

struct address {
  std::string name, addr;
};

/// From/To/Cc: every mailbox, groups flattened, `<>` left out.
inline std::vector<address> addresses(std::string_view unfolded) {
  std::vector<address> out;
  const auto list = mailwire::rfc5322::parse_address_list(unfolded);
  for (const auto& m : list.mailboxes)
    if (m.has_address()) out.push_back({m.name, m.addr()});
  return out;
}

/// Date: "YYYY-MM-DDTHH:MM:SS+HH:MM", or nothing when the value is no RFC 5322 date-time.
inline std::optional<std::string> date(std::string_view unfolded) {
  const auto r = mailwire::rfc5322::parse_date(unfolded);
  if (!r.ok()) return std::nullopt;
  return mailwire::rfc5322::format_iso8601(r.value);
}

/// Message-ID: the first msg-id with its angle brackets, or nothing.
inline std::optional<std::string> message_id(std::string_view unfolded) {
  auto r = mailwire::rfc5322::parse_msg_id(unfolded);
  if (r.value.empty()) return std::nullopt;
  return std::move(r.value);
}

/// A Content-Type or Content-Disposition parameter value in UTF-8.
inline std::string parameter(const mailwire::mime::parameter& p) { return mailwire::mime::to_utf8(p); }

}  // namespace inspect_mime::header_values
