// Dovecot's lib-imap (dovecot-dev, libdovecot.so): the IMAP argument parser Dovecot's own imapc
// client and servers use, and its ENVELOPE / BODYSTRUCTURE parsers, on the FETCH stream of
// imap_bench.cpp.
//
// Untyped: imap_parser_read_args(count 0) over an istream of the whole stream reads one line
// into a tree of imap_arg (atoms, strings, lists; allocated from the parser's pool); then the
// CRLF is skipped and imap_parser_reset() clears the pool, as imapc does between responses.
// Typed: in addition, the ENVELOPE list goes through imap_envelope_parse_args and the
// BODYSTRUCTURE list through imap_bodystructure_parse_args (a message_part tree with
// message_part_data), both from one alloconly pool cleared per message (data stack frame per
// message for their temporaries).
extern "C" {
#include <dovecot/config.h>
#include <dovecot/lib.h>
#include <dovecot/data-stack.h>
#include <dovecot/istream.h>
#include <dovecot/imap-arg.h>
#include <dovecot/imap-parser.h>
#include <dovecot/imap-envelope.h>
#include <dovecot/imap-bodystructure.h>
#include <dovecot/message-address.h>
#include <dovecot/message-part.h>
#include <dovecot/message-part-data.h>
}

#include <array>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace mwbench {

namespace {

struct dovecot_lib {
  dovecot_lib() { lib_init(); }
};

std::uint64_t count_parts(const message_part* p) {
  std::uint64_t n = 0;
  for (; p != nullptr; p = p->next) n += 1 + count_parts(p->children);
  return n;
}

std::uint64_t count_list(const message_address_list& l) {
  std::uint64_t n = 0;
  for (const message_address* a = l.head; a != nullptr; a = a->next) ++n;
  return n;
}

std::uint64_t count_addresses(const message_part_envelope* e) {
  return count_list(e->from) + count_list(e->sender) + count_list(e->reply_to) + count_list(e->to) +
         count_list(e->cc) + count_list(e->bcc);
}

}  // namespace

bool dovecot_imap_parse(std::string_view stream, bool typed, std::array<std::uint64_t, 4>& out, std::string* why) {
  static dovecot_lib lib;
  out = {};
  istream* input = i_stream_create_from_data(stream.data(), stream.size());
  imap_parser_params params{};
  imap_parser* parser = imap_parser_create(input, nullptr, stream.size(), &params);
  pool_t pool = pool_alloconly_create("mailwire-bench", 16384);
  (void)i_stream_read(input);
  bool ok = true;
  while (ok) {
    size_t size = 0;
    const unsigned char* data = i_stream_get_data(input, &size);
    if (size == 0) break;
    const imap_arg* args = nullptr;
    const int ret = imap_parser_read_args(parser, 0, static_cast<imap_parser_flags>(0), &args);
    if (ret < 0) {
      enum imap_parser_error e;
      *why = std::string("imap_parser_read_args: ") + (ret == -2 ? "needs more data" : imap_parser_get_error(parser, &e));
      ok = false;
      break;
    }
    // args: "*" n "FETCH" (...)
    const imap_arg* list = nullptr;
    if (ret < 4 || !imap_arg_get_list(&args[3], &list)) {
      *why = "response " + std::to_string(out[0]) + ": no FETCH list";
      ok = false;
      break;
    }
    ++out[0];
    for (const imap_arg* a = list; !IMAP_ARG_IS_EOL(a) && !IMAP_ARG_IS_EOL(a + 1); a += 2) {
      const char* name = nullptr;
      if (!imap_arg_get_atom(a, &name)) break;
      if (strcmp(name, "UID") == 0) {
        const char* v = nullptr;
        if (imap_arg_get_atom(a + 1, &v)) out[1] += std::strtoull(v, nullptr, 10);
      } else if (typed && strcmp(name, "ENVELOPE") == 0) {
        const imap_arg* env_args = nullptr;
        message_part_envelope* env = nullptr;
        const char* error = nullptr;
        bool env_ok = false;
        T_BEGIN {
          env_ok = imap_arg_get_list(a + 1, &env_args) && imap_envelope_parse_args(env_args, pool, &env, &error);
        }
        T_END;
        if (!env_ok) {
          *why = std::string("imap_envelope_parse_args: ") + (error != nullptr ? error : "not a list");
          ok = false;
          break;
        }
        out[3] += count_addresses(env);
      } else if (typed && strcmp(name, "BODYSTRUCTURE") == 0) {
        const imap_arg* body_args = nullptr;
        message_part* parts = nullptr;
        const char* error = nullptr;
        int r = -1;
        T_BEGIN {
          if (imap_arg_get_list(a + 1, &body_args)) r = imap_bodystructure_parse_args(body_args, pool, &parts, &error);
        }
        T_END;
        if (r < 0) {
          *why = std::string("imap_bodystructure_parse_args: ") + (error != nullptr ? error : "not a list");
          ok = false;
          break;
        }
        out[2] += count_parts(parts);
      }
    }
    // The parser stops at the line end without taking it.
    data = i_stream_get_data(input, &size);
    std::size_t skip = 0;
    while (skip < size && (data[skip] == '\r' || data[skip] == '\n')) ++skip;
    i_stream_skip(input, skip);
    imap_parser_reset(parser);
    if (typed) p_clear(pool);
  }
  pool_unref(&pool);
  imap_parser_unref(&parser);
  i_stream_unref(&input);
  return ok;
}

}  // namespace mwbench
