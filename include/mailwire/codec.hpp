// mailwire/codec.hpp — the content transfer encodings: base64 (RFC 4648, RFC 2045 section 6.8)
// and quoted-printable (RFC 2045 section 6.7, RFC 2047 section 4.2 "Q").
#pragma once

#include "mailwire/codec/base64.hpp"
#include "mailwire/codec/quoted_printable.hpp"
