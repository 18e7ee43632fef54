// benchmarks/mail_corpus.hpp — the deterministic mail corpora of issue 4 section 5: a mailbox of
// 1000 typical messages (~35 MB), one 10 MB message with six 1.2 MB base64 attachments, and
// 10,000 addresses in address lists. Fixed seeds and std::mt19937_64 (whose output the C++
// standard specifies), integer arithmetic only: every machine gets the same bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace mwbench {

/// A leaf part as the generator made it: its bytes before transfer encoding.
struct mail_leaf {
  std::string decoded;    ///< the body before base64/QP encoding (CRLF line breaks for text)
  bool base64 = false;    ///< sent as base64 (attachments, inline images, some HTML)
  bool text = false;      ///< text/* (compare modulo line breaks: LF-only messages)
};

/// Messages and, per message, its leaves in order of appearance (depth first, the leaves of an
/// enclosed message/rfc822 in place).
struct mail_corpus {
  std::vector<std::string> messages;
  std::vector<std::vector<mail_leaf>> leaves;
  std::size_t bytes = 0;         ///< total size of the messages
  std::size_t lf_only = 0;       ///< messages written with LF line breaks
  std::size_t base64_bytes = 0;  ///< decoded size of every base64 leaf
  std::size_t leaf_count = 0;
};

/// The mailbox: `count` typical messages (Received chains of 3-8 hops, DKIM and ARC headers,
/// RFC 2047 names and subjects, text+HTML alternatives in quoted-printable UTF-8, attachments of
/// 2-180 KB in 76-column base64, inline images, forwarded messages, a few LF-only messages).
[[nodiscard]] mail_corpus make_mailbox(std::size_t count = 1000, unsigned long long seed = 0x6d626f78ull);

/// One message of about 10 MB: a text+HTML alternative and six base64 attachments of 1.2 MB.
[[nodiscard]] mail_corpus make_message_10mb(unsigned long long seed = 0x31306d62ull);

/// One address as the generator wrote it: the display name decoded to UTF-8, and the addr-spec.
struct mail_address {
  std::string name;  ///< "" when there is none
  std::string addr;  ///< local-part@domain
};

/// Address lists (field values of To/Cc, unfolded, on one line each) with `count` mailboxes in
/// all: RFC 2047 names (quoted and not, Q and B, split words), plain names, quoted names,
/// bare addr-specs, angle addresses, groups and empty groups.
struct address_corpus {
  std::vector<std::string> lists;
  std::vector<std::vector<mail_address>> expected;  ///< per list, group members flattened
  std::size_t addresses = 0;
  std::size_t bytes = 0;
};
[[nodiscard]] address_corpus make_address_lists(std::size_t count = 10000,
                                                unsigned long long seed = 0x61646472ull);

/// The three corpora, generated on first use.
const mail_corpus& the_mailbox();
const mail_corpus& the_message_10mb();
const address_corpus& the_address_lists();

}  // namespace mwbench
