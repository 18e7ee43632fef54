// mailwire/imap.hpp — the IMAP codec (IMAP4rev1 RFC 3501, IMAP4rev2 RFC 9051, extensions):
// errors, limits, modified UTF-7 mailbox names, the values of the grammar; framing, commands,
// responses and sessions as they land.
//
//   #include <mailwire/imap.hpp>
//   std::string name;
//   auto r = mailwire::imap::decode_mutf7("~peter/mail/&U,BTFw-/&ZeVnLIqe-", name);
//   // r.ok(), name == "~peter/mail/台北/日本語" (RFC 3501 section 5.1.3)
#pragma once

#include "mailwire/imap/body.hpp"
#include "mailwire/imap/client.hpp"
#include "mailwire/imap/codes.hpp"
#include "mailwire/imap/command.hpp"
#include "mailwire/imap/datetime.hpp"
#include "mailwire/imap/errc.hpp"
#include "mailwire/imap/fetch.hpp"
#include "mailwire/imap/flag.hpp"
#include "mailwire/imap/framing.hpp"
#include "mailwire/imap/limits.hpp"
#include "mailwire/imap/message_map.hpp"
#include "mailwire/imap/mime_structure.hpp"
#include "mailwire/imap/mutf7.hpp"
#include "mailwire/imap/response.hpp"
#include "mailwire/imap/response_data.hpp"
#include "mailwire/imap/search.hpp"
#include "mailwire/imap/sequence.hpp"
#include "mailwire/imap/server.hpp"
#include "mailwire/imap/values.hpp"
