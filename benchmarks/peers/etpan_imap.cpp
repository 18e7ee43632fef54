// libetpan (libetpan-dev): its IMAP response parser on the FETCH stream of imap_bench.cpp.
// mailimap_response_data_parse reads one untagged response from an MMAPString at an index (the
// way mailimap_parse_response walks a server's reply) into typed values: mailimap_msg_att with
// mailimap_envelope and mailimap_body trees, freed after each response. The stream sits in one
// MMAPString (copied there before timing); no mailstream is needed since every response is whole.
// mailimap_parser.h is not installed by libetpan-dev: the one prototype is declared here.
#include <libetpan/libetpan.h>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

extern "C" int mailimap_response_data_parse(mailstream* fd, MMAPString* buffer,
                                            struct mailimap_parser_context* parser_ctx, size_t* indx,
                                            struct mailimap_response_data** result, size_t progr_rate,
                                            progress_function* progr_fun);

namespace mwbench {

namespace {

MMAPString* the_buffer = nullptr;

std::uint64_t count_list(const clist* l) { return l == nullptr ? 0 : static_cast<std::uint64_t>(clist_count(l)); }

std::uint64_t count_addresses(const mailimap_envelope* e) {
  std::uint64_t n = 0;
  if (e->env_from != nullptr) n += count_list(e->env_from->frm_list);
  if (e->env_sender != nullptr) n += count_list(e->env_sender->snd_list);
  if (e->env_reply_to != nullptr) n += count_list(e->env_reply_to->rt_list);
  if (e->env_to != nullptr) n += count_list(e->env_to->to_list);
  if (e->env_cc != nullptr) n += count_list(e->env_cc->cc_list);
  if (e->env_bcc != nullptr) n += count_list(e->env_bcc->bcc_list);
  return n;
}

std::uint64_t count_parts(const mailimap_body* b) {
  if (b == nullptr) return 0;
  std::uint64_t n = 1;
  if (b->bd_type == MAILIMAP_BODY_MPART) {
    for (clistiter* it = clist_begin(b->bd_data.bd_body_mpart->bd_list); it != nullptr; it = clist_next(it))
      n += count_parts(static_cast<const mailimap_body*>(clist_content(it)));
  } else if (b->bd_data.bd_body_1part->bd_type == MAILIMAP_BODY_TYPE_1PART_MSG) {
    n += count_parts(b->bd_data.bd_body_1part->bd_data.bd_type_msg->bd_body);
  }
  return n;
}

}  // namespace

bool etpan_imap_prepare(std::string_view stream) {
  if (the_buffer != nullptr) return true;
  the_buffer = mmap_string_new_len(stream.data(), stream.size());
  return the_buffer != nullptr;
}

bool etpan_imap_parse(std::array<std::uint64_t, 4>& out, std::string* why) {
  out = {};
  mailimap_parser_context ctx{};
  size_t index = 0;
  while (index < the_buffer->len) {
    mailimap_response_data* rd = nullptr;
    const int r = mailimap_response_data_parse(nullptr, the_buffer, &ctx, &index, &rd, 0, nullptr);
    if (r != MAILIMAP_NO_ERROR || rd == nullptr) {
      *why = "mailimap_response_data_parse: error " + std::to_string(r) + " at offset " + std::to_string(index);
      return false;
    }
    if (rd->rsp_type != MAILIMAP_RESP_DATA_TYPE_MESSAGE_DATA ||
        rd->rsp_data.rsp_message_data->mdt_type != MAILIMAP_MESSAGE_DATA_FETCH) {
      mailimap_response_data_free(rd);
      *why = "response " + std::to_string(out[0]) + " is not a FETCH";
      return false;
    }
    ++out[0];
    const clist* atts = rd->rsp_data.rsp_message_data->mdt_msg_att->att_list;
    for (clistiter* it = clist_begin(atts); it != nullptr; it = clist_next(it)) {
      const auto* item = static_cast<const mailimap_msg_att_item*>(clist_content(it));
      if (item->att_type != MAILIMAP_MSG_ATT_ITEM_STATIC) continue;
      const mailimap_msg_att_static* s = item->att_data.att_static;
      switch (s->att_type) {
        case MAILIMAP_MSG_ATT_UID: out[1] += s->att_data.att_uid; break;
        case MAILIMAP_MSG_ATT_ENVELOPE: out[3] += count_addresses(s->att_data.att_env); break;
        case MAILIMAP_MSG_ATT_BODYSTRUCTURE: out[2] += count_parts(s->att_data.att_bodystructure); break;
        default: break;
      }
    }
    mailimap_response_data_free(rd);
  }
  return true;
}

}  // namespace mwbench
