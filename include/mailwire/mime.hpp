// mailwire/mime.hpp — MIME (RFC 2045-2049, RFC 2231): header values, the streaming parser, the
// message tree with byte-exact writing, and the builder. See docs/mime.md.
#pragma once

#include "mailwire/mime/builder.hpp"
#include "mailwire/mime/content_type.hpp"
#include "mailwire/mime/errc.hpp"
#include "mailwire/mime/message.hpp"
#include "mailwire/mime/parser.hpp"
