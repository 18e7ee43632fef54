// Test helper for tests/test_imap_{codes,body,response}.cpp: loads the response goldens of
// tests/data/imap/responses/*.txt (one message per line, CRLF added; a line ending in {N} or ~{N}
// continues with N octets of the following lines, line ends counted as CRLF; "#" lines at a
// message start are comments; a line "= text" gives the canonical form of the message before).
#pragma once

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#ifndef MAILWIRE_TEST_DATA_DIR
#define MAILWIRE_TEST_DATA_DIR "tests/data"
#endif

namespace mwtest {

struct golden_response {
  std::string message;    ///< the wire bytes
  std::string canonical;  ///< the expected writer output (== message unless "= " was given)
  std::string where;      ///< file:line and the last comment (RFC section)
};

inline std::vector<golden_response> load_response_goldens(const std::string& name) {
  std::ifstream f(std::string(MAILWIRE_TEST_DATA_DIR) + "/imap/responses/" + name, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  std::string text;
  for (char c : ss.str()) {
    if (c == '\n') text += "\r\n";
    else text.push_back(c);
  }
  std::vector<golden_response> out;
  std::string section;
  std::size_t i = 0, line = 1;
  while (i < text.size()) {
    const std::size_t eol = text.find("\r\n", i);
    const std::string first = text.substr(i, eol - i);
    if (first.empty() || first[0] == '#') {
      if (!first.empty()) section = first;
      i = eol + 2;
      ++line;
      continue;
    }
    if (first.rfind("= ", 0) == 0) {
      out.back().canonical = first.substr(2) + "\r\n";
      i = eol + 2;
      ++line;
      continue;
    }
    const std::size_t start = i, start_line = line;
    for (;;) {
      const std::size_t e = text.find("\r\n", i);
      const std::string l = text.substr(i, e - i);
      i = e + 2;
      ++line;
      std::size_t n = 0;
      if (!l.empty() && l.back() == '}') {
        const std::size_t b = l.rfind('{');
        if (b != std::string::npos && b + 2 < l.size()) {
          bool digits = true;
          for (std::size_t k = b + 1; k + 1 < l.size(); ++k) digits = digits && l[k] >= '0' && l[k] <= '9';
          if (digits) n = std::stoul(l.substr(b + 1, l.size() - b - 2));
        }
      }
      if (n == 0) break;
      for (std::size_t k = 0; k < n; ++k)
        if (text[i + k] == '\n') ++line;
      i += n;
      // the message goes on after the literal up to its CRLF
      const std::size_t e2 = text.find("\r\n", i);
      std::string rest = text.substr(i, e2 - i);
      (void)rest;
    }
    golden_response g;
    g.message = text.substr(start, i - start);
    g.canonical = g.message;
    g.where = name + ":" + std::to_string(start_line) + " " + section;
    out.push_back(g);
  }
  return out;
}

}  // namespace mwtest
