// mailwire/codec.hpp — the content codecs: base64 (RFC 4648, RFC 2045 section 6.8),
// quoted-printable (RFC 2045 section 6.7, RFC 2047 section 4.2 "Q") and charsets to UTF-8.
#pragma once

#include "mailwire/codec/base64.hpp"
#include "mailwire/codec/charset.hpp"
#include "mailwire/codec/quoted_printable.hpp"
#include "mailwire/codec/sasl.hpp"
