// mailwire/smtp.hpp — SMTP (RFC 5321 and its extensions): paths, commands, replies, EHLO
// capabilities, the DATA codecs, the server and client sessions (LMTP included).
#pragma once

#include "mailwire/smtp/address.hpp"
#include "mailwire/smtp/client.hpp"
#include "mailwire/smtp/command.hpp"
#include "mailwire/smtp/data.hpp"
#include "mailwire/smtp/ehlo.hpp"
#include "mailwire/smtp/errc.hpp"
#include "mailwire/smtp/limits.hpp"
#include "mailwire/smtp/reply.hpp"
#include "mailwire/smtp/server.hpp"
