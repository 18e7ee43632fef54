// mailwire/rfc5322.hpp — Internet message headers (RFC 5322, RFC 6532): the header-block reader,
// structured fields (addresses, dates, msg-ids), RFC 2047 encoded-words and the header writer.
#pragma once

#include "mailwire/rfc5322/address.hpp"
#include "mailwire/rfc5322/date.hpp"
#include "mailwire/rfc5322/encoded_word.hpp"
#include "mailwire/rfc5322/errc.hpp"
#include "mailwire/rfc5322/header.hpp"
#include "mailwire/rfc5322/lexer.hpp"
#include "mailwire/rfc5322/message_id.hpp"
#include "mailwire/rfc5322/writer.hpp"
