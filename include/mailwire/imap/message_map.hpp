// mailwire/imap/message_map.hpp — the selected mailbox's message numbers: the map between message
// sequence numbers (MSNs, RFC 9051 section 2.3.1.2) and unique identifiers (UIDs, section
// 2.3.1.1) that a server keeps right through EXPUNGE (section 7.5.1), VANISHED (RFC 7162 section
// 3.2.10) and new messages (EXISTS, section 7.4.1).
//
//   imap::message_map m;
//   m.assign(uids_of_the_mailbox);                 // ascending, e.g. {3, 7, 8, 12}
//   m.msn_of(8);                                   // 3
//   std::uint32_t uid = m.expunge(2);              // 7; MSNs above 2 move down by one
//   auto r = m.resolve(set, /*uid=*/false, [&](std::uint32_t msn, std::uint32_t uid) { ... });
//   if (r != imap::errc::ok) send(tag + " BAD " + std::string(imap::bad_hint(r)));
//
// Theory of operation. MSN k is index k-1 of one ascending vector of UIDs (UIDs only grow in a
// mailbox, RFC 9051 section 2.3.1.1), so uid_of() is an index, msn_of() a binary search, and an
// expunge shifts the tail. resolve() turns a sequence-set into messages without expanding its
// ranges: each range is cut against the vector (a binary search for UID ranges), so "1:4294967295"
// costs O(size()) and never 4 billion steps; the only allocation is the merged list of the set's
// ranges (bounded by limits::sequence_ranges), none per message.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "mailwire/imap/errc.hpp"
#include "mailwire/imap/sequence.hpp"

namespace mailwire::imap {

/// The UIDs of the selected mailbox in MSN order (RFC 9051 sections 2.3.1.1-2.3.1.2).
class message_map {
 public:
  message_map() = default;

  /// Replaces the map with `uids` (the mailbox at SELECT, RFC 9051 section 6.3.2): they must
  /// be >= 1 and strictly ascending, else local_invalid_value and the map is unchanged.
  errc assign(std::span<const std::uint32_t> uids) {
    for (std::size_t i = 0; i < uids.size(); ++i)
      if (uids[i] == 0 || (i != 0 && uids[i] <= uids[i - 1])) return errc::local_invalid_value;
    uids_.assign(uids.begin(), uids.end());
    return errc::ok;
  }
  /// Empties the map (CLOSE / UNSELECT, RFC 9051 sections 6.4.1-6.4.2).
  void clear() noexcept { uids_.clear(); }

  /// Messages in the mailbox: the largest MSN (RFC 9051 section 7.4.1 EXISTS).
  [[nodiscard]] std::uint32_t size() const noexcept { return static_cast<std::uint32_t>(uids_.size()); }
  [[nodiscard]] bool empty() const noexcept { return uids_.empty(); }
  /// The UID of the last message ("*" in a UID set, RFC 9051 section 9), 0 when empty.
  [[nodiscard]] std::uint32_t max_uid() const noexcept { return uids_.empty() ? 0 : uids_.back(); }
  /// The UID of message `msn` (RFC 9051 section 2.3.1.2), 0 when there is no such message.
  [[nodiscard]] std::uint32_t uid_of(std::uint32_t msn) const noexcept {
    return msn >= 1 && msn <= uids_.size() ? uids_[msn - 1] : 0;
  }
  /// The MSN of the message with `uid` (binary search), 0 when absent.
  [[nodiscard]] std::uint32_t msn_of(std::uint32_t uid) const noexcept {
    const auto it = std::lower_bound(uids_.begin(), uids_.end(), uid);
    return it != uids_.end() && *it == uid ? static_cast<std::uint32_t>(it - uids_.begin() + 1) : 0;
  }
  /// The UIDs in MSN order. Views the map: valid until it changes.
  [[nodiscard]] std::span<const std::uint32_t> uids() const noexcept { return uids_; }

  /// A new message (RFC 9051 section 7.4.1: EXISTS grows by one): its UID must be above
  /// max_uid() (section 2.3.1.1: UIDs are assigned in ascending order), else false and nothing.
  bool append(std::uint32_t uid) {
    if (uid == 0 || uid <= max_uid()) return false;
    uids_.push_back(uid);
    return true;
  }

  /// Removes message `msn` (RFC 9051 section 7.5.1: every higher MSN goes down by one);
  /// returns its UID, or 0 (nothing removed) when there is no such message.
  std::uint32_t expunge(std::uint32_t msn) {
    if (msn == 0 || msn > uids_.size()) return 0;
    const std::uint32_t uid = uids_[msn - 1];
    uids_.erase(uids_.begin() + (msn - 1));
    return uid;
  }

  /// Removes the messages whose UIDs are in `uids` (VANISHED, RFC 7162 section 3.2.10; UIDs
  /// not in the map are skipped; "*" is max_uid()) in one pass, and calls f(msn) once per
  /// removed message with the number a client applying the EXPUNGEs in order must see (RFC
  /// 9051 section 7.5.1, "lower to higher": removing MSNs 5..9 of 9 gives 5, 5, 5, 5, 5).
  /// Returns how many were removed. "$" removes nothing.
  template <class F>
  std::uint32_t remove_uids(const sequence_set& uids, F&& f) {
    if (uids_.empty() || uids.is_last_command() || uids.size() == 0) return 0;
    uids.normalize(max_uid(), scratch_);
    std::size_t w = 0, removed = 0, k = 0;
    for (std::size_t r = 0; r < uids_.size(); ++r) {
      const std::uint32_t u = uids_[r];
      while (k < scratch_.size() && scratch_[k].last < u) ++k;
      if (k < scratch_.size() && scratch_[k].first <= u) {
        f(static_cast<std::uint32_t>(r + 1 - removed));
        ++removed;
      } else {
        uids_[w++] = u;
      }
    }
    uids_.resize(w);
    return static_cast<std::uint32_t>(removed);
  }
  /// remove_uids() appending the MSNs to `msns` (in the order to send them as EXPUNGE).
  std::uint32_t remove_uids(const sequence_set& uids, std::vector<std::uint32_t>& msns) {
    return remove_uids(uids, [&](std::uint32_t m) { msns.push_back(m); });
  }

  /// Calls f(msn, uid) for each message of `set`, once each, in ascending order, and returns
  /// ok; or returns an error without calling f.
  /// - uid false (RFC 9051 section 9 seq-number): "*" is size(); a number over size() (and so
  ///   any number, "*" included, in an empty mailbox) is errc::no_such_message, which RFC 9051
  ///   section 9 (seq-number) answers with a tagged BAD.
  /// - uid true (RFC 9051 section 6.4.9): "*" is max_uid(); UIDs not in the map are skipped
  ///   ("559:*" includes the last message even above it; an empty mailbox gives nothing).
  /// - "$" (SEARCHRES, RFC 5182 section 2.1): the messages of `saved` (ascending UIDs, the
  ///   saved result kept by the host) still present, for MSN and UID commands alike.
  /// Ranges are taken either way round ("5:2" is 2:5). Cost: O(ranges log ranges + ranges
  /// log size() + messages found); no allocation per message.
  template <class F>
  errc resolve(const sequence_set& set, bool uid, F&& f, std::span<const std::uint32_t> saved = {}) const {
    if (set.is_last_command()) {
      std::size_t at = 0;
      for (const std::uint32_t u : saved) {
        const auto it = std::lower_bound(uids_.begin() + static_cast<std::ptrdiff_t>(at), uids_.end(), u);
        at = static_cast<std::size_t>(it - uids_.begin());
        if (it != uids_.end() && *it == u) f(static_cast<std::uint32_t>(at + 1), u);
      }
      return errc::ok;
    }
    if (set.size() == 0) return errc::bad_sequence_set;
    if (!uid) {
      if (uids_.empty()) return errc::no_such_message;
      set.normalize(size(), scratch_);
      if (!scratch_.empty() && scratch_.back().last > size()) return errc::no_such_message;
      for (const seq_interval& iv : scratch_)
        for (std::uint64_t m = iv.first; m <= iv.last; ++m)
          f(static_cast<std::uint32_t>(m), uids_[static_cast<std::size_t>(m - 1)]);
      return errc::ok;
    }
    if (uids_.empty()) return errc::ok;
    set.normalize(max_uid(), scratch_);
    auto it = uids_.begin();
    for (const seq_interval& iv : scratch_) {
      it = std::lower_bound(it, uids_.end(), iv.first);
      for (; it != uids_.end() && *it <= iv.last; ++it)
        f(static_cast<std::uint32_t>(it - uids_.begin() + 1), *it);
      if (it == uids_.end()) break;
    }
    return errc::ok;
  }

  /// Number of messages resolve() would give, or the same error (e.g. to refuse a too large
  /// request before answering).
  [[nodiscard]] errc count(const sequence_set& set, bool uid, std::uint64_t& n,
                           std::span<const std::uint32_t> saved = {}) const {
    n = 0;
    if (!uid && !set.is_last_command() && set.size() != 0 && !uids_.empty()) {
      // O(ranges): no walk over the messages.
      set.normalize(size(), scratch_);
      if (!scratch_.empty() && scratch_.back().last > size()) return errc::no_such_message;
      for (const seq_interval& iv : scratch_) n += std::uint64_t{iv.last} - iv.first + 1;
      return errc::ok;
    }
    return resolve(set, uid, [&](std::uint32_t, std::uint32_t) { ++n; }, saved);
  }

  friend bool operator==(const message_map& a, const message_map& b) noexcept { return a.uids_ == b.uids_; }

 private:
  std::vector<std::uint32_t> uids_;
  mutable std::vector<seq_interval> scratch_;  // the set's merged ranges (kept for reuse)
};

}  // namespace mailwire::imap
