#include "storage/store.hpp"

#include <fcntl.h>
#include <malloc.h>
#include <sys/file.h>
#include <sys/random.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iterator>

#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/perf_level.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include "storage/keys.hpp"
#include "storage/store_impl.hpp"

namespace quire {

namespace {

constexpr const char* meta_schema = "schema_version";
constexpr const char* meta_next_id = "next_job_id";
constexpr const char* meta_uuid = "server_uuid";
constexpr const char* meta_secret = "server_secret";

std::string random_uuid() {
  uint8_t b[16];
  size_t got = 0;
  while (got < sizeof b) {
    ssize_t n = ::getrandom(b + got, sizeof b - got, 0);
    if (n > 0) got += static_cast<size_t>(n);
  }
  b[6] = (b[6] & 0x0f) | 0x40;  // version 4
  b[8] = (b[8] & 0x3f) | 0x80;  // RFC 4122 variant
  char out[64];
  std::snprintf(out, sizeof out,
                "urn:uuid:%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
                b[13], b[14], b[15]);
  return out;
}



}  // namespace


void store::impl::write_group(spool& sp, std::vector<group_commit::entry>& group) {
  // 1. Uploaded documents become spool/<id>, fsync'd, before any record names them.
  bool adopted = false;
  for (auto& e : group) {
    for (const auto& a : e.batch.adoptions()) {
      fsyncs.fetch_add(1, std::memory_order_relaxed);
      if (auto s = sp.adopt(a.upload_path, a.job_id)) {
        e.result = s;
        break;
      }
      adopted = true;
    }
  }
  if (adopted) {
    fsyncs.fetch_add(1, std::memory_order_relaxed);
    if (auto s = sp.sync_folder())
      for (auto& e : group)
        if (!e.batch.adoptions().empty() && !e.result) e.result = s;
  }
  // 2. One synced write for every batch still standing.
  rocksdb::WriteBatch wb;
  for (auto& e : group) {
    if (e.result) continue;
    for (const auto& op : e.batch.ops()) {
      if (op.erase && !op.end.empty())
        wb.DeleteRange(h(op.family), op.key, op.end);
      else if (op.erase)
        wb.Delete(h(op.family), op.key);
      else
        wb.Put(h(op.family), op.key, op.value);
    }
  }
  if (wb.Count() > 0) {
    rocksdb::WriteOptions wo;
    wo.sync = true;
    auto s = db->Write(wo, &wb);
    if (!s.ok()) {
      error err = from_rocks(s, "commit");
      for (auto& e : group)
        if (!e.result) e.result = err;
    }
  }
  // 3. Files of finished jobs go only once their records say so.
  for (auto& e : group)
    if (!e.result)
      for (uint64_t id : e.batch.spool_unlinks()) sp.remove_document(id);
}

store::store(std::unique_ptr<impl> p) : impl_(std::move(p)) {}

store::~store() { close(); }

void store::close() {
  if (writer_) {
    writer_->stop();
    writer_.reset();
  }
  if (!impl_) return;
  if (impl_->db) {
    for (auto* handle : impl_->handles) impl_->db->DestroyColumnFamilyHandle(handle);
    impl_->handles.clear();
    impl_->db->Close();
    impl_->db.reset();
  }
  if (impl_->lock_fd >= 0) {
    ::close(impl_->lock_fd);  // releases the flock
    impl_->lock_fd = -1;
  }
}

namespace {

status lock_data_dir(const std::string& dir, int& fd_out) {
  std::string path = dir + "/quired.lock";
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return {errc::io_error, "cannot open " + path + ": " + std::strerror(errno)};
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    char pid[32] = {0};
    ssize_t n = ::pread(fd, pid, sizeof pid - 1, 0);
    ::close(fd);
    std::string who = n > 0 ? std::string(" (pid ") + std::string(pid, strcspn(pid, "\n")) + ")" : "";
    return {errc::busy, "data folder " + dir + " is in use by another quired" + who};
  }
  std::string me = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, me.data(), me.size(), 0) < 0) {
    // The pid is only informative; the lock is what matters.
  }
  fd_out = fd;
  return {};
}

rocksdb::ColumnFamilyOptions family_options(cf family, const std::shared_ptr<rocksdb::Cache>& cache) {
  rocksdb::ColumnFamilyOptions o;
  rocksdb::BlockBasedTableOptions t;
  t.block_cache = cache;
  if (family == cf::jobs || family == cf::docs) t.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(t));
  // Memtables are the bulk of the server's memory: small ones for the
  // indexes (tiny entries), a larger one for documents. db_write_buffer_size
  // caps their sum.
  switch (family) {
    case cf::docs: o.write_buffer_size = 16u << 20; break;
    case cf::jobs: o.write_buffer_size = 8u << 20; break;
    default: o.write_buffer_size = 4u << 20; break;
  }
  if (family == cf::docs) {
    // Documents are large values written once and deleted later: keep them
    // out of the LSM tree so compaction does not rewrite them.
    o.enable_blob_files = true;
    o.min_blob_size = 512;
    o.enable_blob_garbage_collection = true;
  }
  return o;
}

}  // namespace

result<std::unique_ptr<store>> store::open(const options& opts) {
  auto p = std::make_unique<impl>();
  p->data_dir = opts.data_dir;
  std::error_code ec;
  std::filesystem::create_directories(opts.data_dir, ec);
  if (ec) return error{errc::io_error, "cannot create data folder " + opts.data_dir + ": " + ec.message()};
  if (auto s = lock_data_dir(opts.data_dir, p->lock_fd)) return s;

  auto cache = rocksdb::NewLRUCache(opts.block_cache_bytes);
  rocksdb::DBOptions dbo;
  dbo.create_if_missing = true;
  dbo.create_missing_column_families = true;
  dbo.max_background_jobs = 2;
  dbo.db_write_buffer_size = 24u << 20;  // bounds memtable memory across families
  dbo.max_total_wal_size = 64u << 20;
  dbo.keep_log_file_num = 3;
  dbo.info_log_level = rocksdb::WARN_LEVEL;

  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  families.emplace_back(rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions());
  for (int i = 0; i < cf_count; ++i)
    families.emplace_back(cf_name(static_cast<cf>(i)), family_options(static_cast<cf>(i), cache));

  std::string db_path = opts.data_dir + "/db";
  rocksdb::DB* raw = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  auto s = rocksdb::DB::Open(dbo, db_path, families, &handles, &raw);
  if (!s.ok()) {
    ::close(p->lock_fd);
    return from_rocks(s, "cannot open database " + db_path);
  }
  p->db.reset(raw);
  // handles[0] is "default", which Quire does not use.
  p->db->DestroyColumnFamilyHandle(handles[0]);
  p->handles.assign(handles.begin() + 1, handles.end());

  std::unique_ptr<store> st(new store(std::move(p)));
  impl& d = *st->impl_;

  // Schema version: written on first open, checked afterwards.
  auto schema = d.get(cf::meta, meta_schema);
  if (schema.ok()) {
    if (schema->size() != 8) return error{errc::corruption, "meta.schema_version is malformed"};
    uint64_t v = keys::read_be64(*schema, 0);
    if (v > schema_version)
      return error{errc::not_possible, "data folder " + opts.data_dir + " has schema " +
                                           std::to_string(v) + ", newer than this quired (" +
                                           std::to_string(schema_version) + ")"};
  } else if (schema.err().code != errc::not_found) {
    return schema.err();
  }
  auto uuid = d.get(cf::meta, meta_uuid);
  rocksdb::WriteBatch init;
  if (!schema.ok()) {
    std::string v;
    keys::append_be64(v, schema_version);
    init.Put(d.h(cf::meta), meta_schema, v);
  }
  if (uuid.ok()) {
    st->server_uuid_ = *uuid;
  } else {
    st->server_uuid_ = random_uuid();
    init.Put(d.h(cf::meta), meta_uuid, st->server_uuid_);
  }
  // The server secret: made with the identity, or added to a database made
  // before users existed. Its bytes never go into a message.
  auto secret = d.get(cf::meta, meta_secret);
  if (secret.ok()) {
    auto k = secret_key::from_bytes(*secret);
    wipe(*secret);
    if (!k.ok()) return error{errc::corruption, "meta.server_secret is malformed"};
    st->server_secret_ = *k;
  } else if (secret.err().code == errc::not_found) {
    auto k = secret_key::generate();
    if (!k.ok()) return k.err();
    st->server_secret_ = *k;
    auto raw = k->bytes();
    init.Put(d.h(cf::meta), meta_secret, rocksdb::Slice(raw.data(), raw.size()));
  } else {
    return secret.err();
  }
  if (init.Count() > 0) {
    rocksdb::WriteOptions wo;
    wo.sync = true;
    if (auto ws = d.db->Write(wo, &init); !ws.ok()) return from_rocks(ws, "cannot initialise meta");
  }

  // Job ids: past both the reserved range and the newest stored job.
  uint64_t next = 1;
  if (auto r = d.get(cf::meta, meta_next_id); r.ok() && r->size() == 8)
    next = std::max(next, keys::read_be64(*r, 0));
  d.scan(cf::jobs, "", true, [&](std::string_view k, std::string_view) {
    if (k.size() == 8) next = std::max(next, keys::read_be64(k, 0) + 1);
    return false;
  });
  st->next_job_id_ = next;

  // Spool: forget unfinished uploads and documents no committed job owns.
  st->spool_ = std::make_unique<spool>(opts.data_dir + "/spool");
  if (auto ps = st->spool_->prepare()) return ps;
  for (uint64_t id : st->spool_->sweep_incoming_and_list()) {
    auto job = st->get_job(id);
    if (!job.ok() || job->document_deleted) {
      st->spool_->remove_document(id);
    } else if (!job->document_in_spool) {
      // Only its conversions are in the spool; unfinished ones included.
      ::unlink(st->spool_->document_path(id).c_str());
    }
  }

  impl* ip = st->impl_.get();
  spool* sp = st->spool_.get();
  group_commit::limits lim;
  lim.idle_after = opts.flush_when_idle;
  st->writer_ = std::make_unique<group_commit>(
      [ip, sp](std::vector<group_commit::entry>& group) { ip->write_group(*sp, group); }, lim,
      [ip] { ip->flush_all(); });
  return st;
}

void store::commit(write_batch batch, group_commit::callback done) {
  QUIRE_ASSERT(writer_ != nullptr, "commit after close");
  writer_->submit(std::move(batch), std::move(done));
}

result<job_record> store::get_job(uint64_t id) const {
  auto raw = impl_->get(cf::jobs, keys::job(id));
  if (!raw.ok()) {
    if (raw.err().code == errc::not_found) return error{errc::not_found, "job " + std::to_string(id) + " does not exist"};
    return raw.err();
  }
  job_record rec;
  if (auto s = decode_record(*raw, rec)) return s;
  return rec;
}

std::vector<job_record> store::get_jobs(const std::vector<uint64_t>& ids) const {
  std::vector<std::string> key_bytes;
  key_bytes.reserve(ids.size());
  for (uint64_t id : ids) key_bytes.push_back(keys::job(id));
  std::vector<rocksdb::Slice> key_slices(key_bytes.begin(), key_bytes.end());
  std::vector<rocksdb::PinnableSlice> values(ids.size());
  std::vector<rocksdb::Status> statuses(ids.size());
  impl_->db->MultiGet(rocksdb::ReadOptions(), impl_->h(cf::jobs), ids.size(), key_slices.data(),
                      values.data(), statuses.data());
  std::vector<job_record> out;
  out.reserve(ids.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    if (!statuses[i].ok()) continue;
    job_record rec;
    if (!decode_record(std::string_view(values[i].data(), values[i].size()), rec)) out.push_back(std::move(rec));
  }
  return out;
}

std::vector<uint64_t> store::list_job_ids(const job_listing& q) const {
  bool newest_first = q.which == job_set::completed;
  if (q.owner.empty()) {
    QUIRE_ASSERT(!q.queue.empty(), "list_job_ids needs a queue or an owner");
    return impl_->ids_by_state(q.queue, q.which, newest_first, q.limit);
  }
  switch (q.which) {
    case job_set::active: return impl_->ids_by_user(q.owner, q.queue, false, true, q.limit);
    case job_set::completed: return impl_->ids_by_user(q.owner, q.queue, true, false, q.limit);
    case job_set::all: break;
  }
  auto ids = impl_->ids_by_user(q.owner, q.queue, false, true, 0);
  auto done = impl_->ids_by_user(q.owner, q.queue, true, true, 0);
  std::vector<uint64_t> all;
  all.reserve(ids.size() + done.size());
  std::merge(ids.begin(), ids.end(), done.begin(), done.end(), std::back_inserter(all));
  if (q.limit != 0 && all.size() > q.limit) all.resize(q.limit);
  return all;
}

uint64_t store::count_jobs(const std::string& queue, job_set which) const {
  uint64_t n = 0;
  for (int raw = 1; raw <= 9; ++raw) {
    auto s = static_cast<job_state>(raw);
    if (in_set(s, which)) n += count_jobs(queue, s);
  }
  return n;
}

uint64_t store::count_jobs(const std::string& queue, job_state state) const {
  uint64_t n = 0;
  impl_->scan(cf::jobs_by_state, keys::state_prefix(queue, state), false, [&](std::string_view, std::string_view) {
    ++n;
    return true;
  });
  return n;
}

result<document> store::get_document(const job_record& job) const {
  if (job.document_deleted) return error{errc::not_found, "the document of job " + std::to_string(job.id) + " is gone"};
  document doc;
  if (job.document_in_spool) {
    doc.in_file = true;
    doc.path = spool_->document_path(job.id);
    return doc;
  }
  auto bytes = impl_->get(cf::docs, keys::job(job.id));
  if (!bytes.ok()) return bytes.err();
  doc.bytes = std::move(*bytes);
  return doc;
}

std::vector<uint64_t> store::all_queued_jobs() const {
  std::vector<uint64_t> ids;
  impl_->scan(cf::jobs_by_printer, "", false, [&](std::string_view k, std::string_view) {
    ids.push_back(keys::trailing_id(k));
    return true;
  });
  return ids;
}

std::vector<uint64_t> store::jobs_to_analyse(uint64_t after, uint32_t limit) const {
  std::vector<uint64_t> ids;
  if (limit == 0 || after == UINT64_MAX) return ids;
  rocksdb::SetPerfLevel(rocksdb::PerfLevel::kDisable);
  std::unique_ptr<rocksdb::Iterator> it(impl_->db->NewIterator(rocksdb::ReadOptions(), impl_->h(cf::jobs_to_analyse)));
  for (it->Seek(keys::job(after + 1)); it->Valid() && ids.size() < limit; it->Next())
    if (it->key().size() == 8) ids.push_back(keys::read_be64(std::string_view(it->key().data(), 8), 0));
  return ids;
}

std::vector<uint64_t> store::expired_held_jobs(int64_t now_ms, uint32_t limit) const {
  std::vector<uint64_t> ids;
  impl_->scan(cf::jobs_by_expiry, "", false, [&](std::string_view k, std::string_view) {
    if (k.size() != 16 || static_cast<int64_t>(keys::read_be64(k, 0)) > now_ms) return false;
    ids.push_back(keys::trailing_id(k));
    return ids.size() < limit;
  });
  return ids;
}

std::vector<uint64_t> store::terminal_jobs(const std::string& queue, uint32_t limit) const {
  return impl_->ids_by_state(queue, job_set::completed, false, limit);
}

// One that does not decode is skipped.
template <class Record>
std::vector<Record> store::list_named(cf family) const {
  std::vector<Record> out;
  impl_->scan(family, "", false, [&](std::string_view, std::string_view v) {
    Record r;
    if (!decode_record(v, r)) out.push_back(std::move(r));
    return true;
  });
  return out;
}

std::vector<std::string> store::queues_with_jobs() const {
  std::vector<std::string> out;
  std::unique_ptr<rocksdb::Iterator> it(impl_->db->NewIterator(rocksdb::ReadOptions(), impl_->h(cf::jobs_by_state)));
  for (it->SeekToFirst(); it->Valid();) {
    std::string_view key(it->key().data(), it->key().size());
    size_t end = key.find('\0');
    if (end == std::string_view::npos) {  // not a key of this family's shape: step over it
      it->Next();
      continue;
    }
    out.emplace_back(key.substr(0, end));
    std::string next = out.back();
    next.push_back('\1');  // past every "queue 0 ..." key
    it->Seek(next);
  }
  return out;
}

std::vector<printer_record> store::list_printers() const { return list_named<printer_record>(cf::printers); }
std::vector<queue_record> store::list_queues() const { return list_named<queue_record>(cf::queues); }
std::vector<price_list_record> store::list_price_lists() const {
  return list_named<price_list_record>(cf::price_lists);
}
std::vector<project_record> store::list_projects() const { return list_named<project_record>(cf::projects); }
std::vector<quota_record> store::list_quotas() const { return list_named<quota_record>(cf::quotas); }

store::counters store::stats() const {
  counters c;
  if (writer_) {
    auto w = writer_->stats();
    c.groups = w.groups;
    c.batches = w.batches;
  }
  c.fsyncs = impl_->fsyncs.load(std::memory_order_relaxed);
  return c;
}

uint64_t store::size_bytes() const {
  const std::string* properties[] = {&rocksdb::DB::Properties::kTotalSstFilesSize,
                                     &rocksdb::DB::Properties::kCurSizeAllMemTables};
  uint64_t total = 0;
  for (auto* handle : impl_->handles) {
    for (const std::string* property : properties) {
      uint64_t v = 0;
      if (impl_->db->GetIntProperty(handle, *property, &v)) total += v;
    }
  }
  return total;
}

void put_next_job_id(write_batch& batch, uint64_t next_id) {
  std::string v;
  keys::append_be64(v, next_id);
  batch.put(cf::meta, meta_next_id, std::move(v));
}

store::usage store::active_usage(const std::string& owner, uint64_t limit) const {
  usage u;
  job_state s;
  std::string q;
  impl_->scan(cf::jobs_by_user, keys::user_prefix(owner, false), false, [&](std::string_view, std::string_view v) {
    uint64_t size = 0;
    if (keys::parse_user_job_value(v, s, q, &size)) {
      u.jobs += 1;
      u.bytes += size;
    }
    return limit == 0 || u.jobs < limit;
  });
  return u;
}

uint64_t store::counter(const std::string& name) const {
  auto r = impl_->get(cf::meta, "counter/" + name);
  return r.ok() && r->size() == 8 ? keys::read_be64(*r, 0) : 0;
}

void put_counter(write_batch& batch, const std::string& name, uint64_t value) {
  std::string v;
  keys::append_be64(v, value);
  batch.put(cf::meta, "counter/" + name, std::move(v));
}

}  // namespace quire
