// examples/fetch/fetch_options.hpp — the command line of mailwire-fetch (../shared/spec/tools.md).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "net/endpoint.hpp"

namespace mailwire_fetch {

struct options {
  mailwire_net::host_port server;  ///< --server HOST:PORT
  std::string server_text;         ///< as given, for messages
  std::string server_host;         ///< HOST, for TLS SNI and --ca name checks
  std::string protocol;            ///< "pop3" or "imap"
  bool starttls = false, tls = false;
  std::string user, password;
  std::string maildir;
  std::optional<std::string> mailbox;  ///< IMAP: the mailbox (default INBOX)
  std::optional<std::string> ca;       ///< verify the server against these CAs
  bool remove = false;                 ///< --delete
  bool verbose = false;
  std::uint64_t timeout = 60;
};

}  // namespace mailwire_fetch
