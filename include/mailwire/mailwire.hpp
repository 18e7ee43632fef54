// mailwire/mailwire.hpp — everything: the umbrella of umbrellas.
//
//   #include <mailwire/mailwire.hpp>
//   std::string s = mailwire::base64::encode("hello");
#pragma once

#include "mailwire/codec.hpp"
#include "mailwire/core.hpp"
#include "mailwire/imap.hpp"
#include "mailwire/mime.hpp"
#include "mailwire/pop3.hpp"
#include "mailwire/rfc5322.hpp"
#include "mailwire/smtp.hpp"
#include "mailwire/version.hpp"
