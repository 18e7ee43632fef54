// Test helper for the IMAP value parsers (tests/test_imap_{values,sequence,flag,datetime}.cpp):
// parses from an exact-size heap buffer and checks the prefix rule of imap.md on the way:
// every proper prefix of an accepted value, and every prefix that ends before an error's
// offset, is need_more (never an error, never an event).
#pragma once

#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <string_view>

#include "chunking.hpp"
#include "mailwire/core/status.hpp"

namespace mwtest {

/// A parse result together with the buffer its views point into.
template <class R>
struct parsed {
  std::unique_ptr<heap_copy> buf;
  R r;
};

template <class Parse>
auto parse_checked(Parse parse, std::string_view in) {
  auto buf = std::make_unique<heap_copy>(in);
  auto r = parse(buf->view());
  INFO("input: " << std::string(in));
  std::size_t upto = 0;
  if (r.st == mailwire::status::event) upto = r.consumed;
  if (r.st == mailwire::status::error) upto = r.error_offset + 1;
  if (upto > in.size()) upto = in.size();
  for (std::size_t k = 0; k < upto; ++k) {
    if (r.st == mailwire::status::event && k == r.consumed) break;
    heap_copy p(in.substr(0, k));
    const auto q = parse(p.view());
    INFO("prefix length " << k);
    REQUIRE(q.st == mailwire::status::need_more);
  }
  return parsed<decltype(r)>{std::move(buf), r};
}

}  // namespace mwtest
