// mailwire/pop3.hpp — POP3 (RFC 1939 with CAPA RFC 2449, STLS RFC 2595, response codes RFC 3206,
// SASL RFC 5034, UTF8/LANG RFC 6856): command and response codecs, multi-line framing, and the
// server and client sessions.
//
//   #include <mailwire/pop3.hpp>
//   auto r = mailwire::pop3::parse_command("RETR 1\r\n");   // r.value.k == keyword::retr
#pragma once

#include "mailwire/pop3/client.hpp"
#include "mailwire/pop3/command.hpp"
#include "mailwire/pop3/errc.hpp"
#include "mailwire/pop3/limits.hpp"
#include "mailwire/pop3/response.hpp"
#include "mailwire/pop3/server.hpp"
