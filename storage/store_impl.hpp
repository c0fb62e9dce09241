// The inside of `store`, shared by its source files (store.cpp: opening,
// the writer, jobs; store_records.cpp: users, credentials, accounts, ledger,
// terminals, delegates, device counters). Not for use outside storage/.
#pragma once

#include <malloc.h>
#include <rocksdb/db.h>
#include <rocksdb/perf_level.h>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "storage/keys.hpp"
#include "storage/store.hpp"

namespace quire {

inline error from_rocks(const rocksdb::Status& s, const std::string& what) {
  errc code = s.IsCorruption() ? errc::corruption : s.IsNotFound() ? errc::not_found : errc::io_error;
  return {code, what + ": " + s.ToString()};
}

// The smallest key greater than every key starting with `prefix`.
inline std::string prefix_end(std::string prefix) {
  while (!prefix.empty()) {
    auto last = static_cast<uint8_t>(prefix.back());
    if (last != 0xff) {
      prefix.back() = static_cast<char>(last + 1);
      return prefix;
    }
    prefix.pop_back();
  }
  return prefix;  // empty: no upper bound
}

inline bool in_set(job_state s, job_set which) {
  switch (which) {
    case job_set::active: return !is_terminal(s);
    case job_set::completed: return is_terminal(s);
    case job_set::all: return true;
  }
  return false;
}

struct store::impl {
  std::string data_dir;
  int lock_fd = -1;
  std::unique_ptr<rocksdb::DB> db;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;  // indexed by cf
  std::atomic<uint64_t> fsyncs{0};

  rocksdb::ColumnFamilyHandle* h(cf family) const { return handles[static_cast<size_t>(family)]; }

  // Visits the keys starting with `prefix`, forwards or backwards, until
  // `visit` returns false.
  template <class F>
  void scan(cf family, const std::string& prefix, bool reverse, F&& visit) const {
    // RocksDB counts per-thread statistics by default; that thread-local
    // bookkeeping showed up as ~10% of a long scan.
    rocksdb::SetPerfLevel(rocksdb::PerfLevel::kDisable);
    std::string end = prefix_end(prefix);
    rocksdb::Slice lower(prefix);
    rocksdb::Slice upper(end);
    rocksdb::ReadOptions ro;
    if (!prefix.empty()) ro.iterate_lower_bound = &lower;
    if (!end.empty()) ro.iterate_upper_bound = &upper;
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(ro, h(family)));
    for (reverse ? it->SeekToLast() : it->SeekToFirst(); it->Valid();
         reverse ? it->Prev() : it->Next()) {
      if (!visit(std::string_view(it->key().data(), it->key().size()),
                 std::string_view(it->value().data(), it->value().size())))
        break;
    }
  }

  // What follows `prefix` in each key starting with it, in key order.
  std::vector<std::string> key_suffixes(cf family, const std::string& prefix) const {
    std::vector<std::string> out;
    scan(family, prefix, false, [&](std::string_view k, std::string_view) {
      out.emplace_back(k.substr(prefix.size()));
      return true;
    });
    return out;
  }

  result<std::string> get(cf family, const std::string& key) const {
    std::string value;
    auto s = db->Get(rocksdb::ReadOptions(), h(family), key, &value);
    if (s.IsNotFound()) return error{errc::not_found, std::string(cf_name(family)) + " key not found"};
    if (!s.ok()) return from_rocks(s, "read");
    return value;
  }

  void write_group(spool& sp, std::vector<group_commit::entry>& group);

  // Flushes every memtable (the writer calls it when idle). A failure only
  // means the memory stays in use until RocksDB flushes on its own.
  void flush_all() {
    rocksdb::FlushOptions fo;
    fo.wait = true;
    db->Flush(fo, handles);
    ::malloc_trim(0);  // glibc keeps freed memtable blocks otherwise
  }

  // Ids from the keys under `prefix`, whose key order is `keys_ascending_ids`
  // (true: oldest first), returned in the order `want_ascending` asks, at
  // most `limit` (0: all) of those `id_of` accepts (it returns 0 to skip).
  // RocksDB's memtable has no back links, so each Prev() is a fresh search:
  // a listing against key order scans backwards only for a few entries and
  // otherwise reads forwards and reverses in memory.
  template <class IdOf>
  std::vector<uint64_t> ordered_ids(cf family, const std::string& prefix, bool keys_ascending_ids,
                                    bool want_ascending, uint32_t limit, IdOf id_of) const {
    std::vector<uint64_t> ids;
    bool with_key_order = keys_ascending_ids == want_ascending;
    bool backwards = !with_key_order && limit != 0 && limit <= 64;
    scan(family, prefix, backwards, [&](std::string_view k, std::string_view v) {
      uint64_t id = id_of(k, v);
      if (id != 0) ids.push_back(id);
      return !(with_key_order || backwards) || limit == 0 || ids.size() < limit;
    });
    if (!with_key_order && !backwards) {
      std::reverse(ids.begin(), ids.end());
      if (limit != 0 && ids.size() > limit) ids.resize(limit);
    }
    return ids;
  }

  // Ids of `queue`'s jobs in the states of `which`: each state's keys are
  // sorted by id; take at most `limit` from each and merge.
  std::vector<uint64_t> ids_by_state(const std::string& queue, job_set which, bool newest_first,
                                     uint32_t limit) const {
    std::vector<uint64_t> ids;
    for (int raw = 1; raw <= 9; ++raw) {
      auto s = static_cast<job_state>(raw);
      if (!in_set(s, which)) continue;
      auto part = ordered_ids(cf::jobs_by_state, keys::state_prefix(queue, s), true, !newest_first, limit,
                              [](std::string_view k, std::string_view) { return keys::trailing_id(k); });
      ids.insert(ids.end(), part.begin(), part.end());
    }
    if (newest_first)
      std::sort(ids.begin(), ids.end(), std::greater<>());
    else
      std::sort(ids.begin(), ids.end());
    if (limit != 0 && ids.size() > limit) ids.resize(limit);
    return ids;
  }

  // Ids of `owner`'s jobs (of `queue`, when given) that are finished or not.
  std::vector<uint64_t> ids_by_user(const std::string& owner, const std::string& queue, bool finished,
                                    bool oldest_first, uint32_t limit) const {
    job_state s;
    std::string q;
    return ordered_ids(cf::jobs_by_user, keys::user_prefix(owner, finished), false, oldest_first, limit,
                       [&](std::string_view k, std::string_view v) -> uint64_t {
                         if (!keys::parse_user_job_value(v, s, q)) return 0;
                         if (!queue.empty() && q != queue) return 0;
                         return keys::user_job_id(k);
                       });
  }
};

}  // namespace quire
