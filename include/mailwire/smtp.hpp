// mailwire/smtp.hpp — SMTP (RFC 5321 and its extensions): paths, commands, replies, EHLO
// capabilities and the DATA codecs. Sessions follow (issue 5).
#pragma once

#include "mailwire/smtp/address.hpp"
#include "mailwire/smtp/command.hpp"
#include "mailwire/smtp/data.hpp"
#include "mailwire/smtp/ehlo.hpp"
#include "mailwire/smtp/errc.hpp"
#include "mailwire/smtp/limits.hpp"
#include "mailwire/smtp/reply.hpp"
