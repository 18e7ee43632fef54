// imap-structure: a test program (not a user tool) for tests/interop/test_structure_dovecot.py.
// Reads each message file named on the command line and prints, per file, the lines
//   ENVELOPE <envelope>
//   BODYSTRUCTURE <body structure>
// as an IMAP server writes them (RFC 9051 section 7.5.2), computed by imap/mime_structure.hpp.
// --lf-to-crlf: count bare LFs as CRLF in body-fld-octets (a store with LF line ends).
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "mailwire/imap/mime_structure.hpp"

int main(int argc, char** argv) {
  mailwire::imap::structure_options o;
  int rc = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--lf-to-crlf") {
      o.lf_to_crlf = true;
      continue;
    }
    std::ifstream f(arg, std::ios::binary);
    if (!f) {
      std::cerr << "imap-structure: cannot read " << arg << "\n";
      rc = 1;
      continue;
    }
    std::ostringstream ss;
    ss << f.rdbuf();
    const std::string bytes = ss.str();
    const auto msg = mailwire::mime::parse(bytes);
    std::string out = "ENVELOPE ";
    mailwire::imap::append_envelope_of(out, msg.root);
    out += "\nBODYSTRUCTURE ";
    mailwire::imap::append_body_structure_of(out, msg.root, true, o);
    out += "\n";
    std::fwrite(out.data(), 1, out.size(), stdout);
  }
  return rc;
}
