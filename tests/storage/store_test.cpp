#include <doctest/doctest.h>

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <future>

#include "storage/store.hpp"
#include "storage/store_test_util.hpp"
#include "test_util.hpp"

using namespace quire;
using quire::testing::commit_sync;
using quire::testing::open_store;
using quire::testing::temp_dir;

namespace {

job_record make_job(uint64_t id, std::string owner, std::string queue, job_state s) {
  job_record j;
  j.id = id;
  j.owner = std::move(owner);
  j.queue = std::move(queue);
  j.state = s;
  j.name = "job " + std::to_string(id);
  j.created_ms = 1000 + static_cast<int64_t>(id);
  return j;
}

// Moves a committed job to a new state through put_job, as a job actor does.
job_record move_to(store& st, const job_record& before, job_state s) {
  job_record after = before;
  after.state = s;
  write_batch b;
  b.put_job(after, &before);
  REQUIRE_FALSE(commit_sync(st, std::move(b)));
  return after;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

TEST_CASE("jobs, documents and ids survive a reopen") {
  temp_dir dir;
  {
    auto st = open_store(dir.path());
    CHECK(st->next_job_id() == 1);
    CHECK(st->server_uuid().rfind("urn:uuid:", 0) == 0);
    write_batch b;
    auto j = make_job(1, "alice", "secure", job_state::held);
    b.put_job(j, nullptr);
    b.put_document(1, "%PDF-1.4 tiny");
    put_next_job_id(b, 2);
    REQUIRE_FALSE(commit_sync(*st, std::move(b)));
  }
  auto st = open_store(dir.path());
  CHECK(st->next_job_id() == 2);
  auto j = st->get_job(1);
  REQUIRE(j.ok());
  CHECK(j->owner == "alice");
  CHECK(j->state == job_state::held);
  auto doc = st->get_document(*j);
  REQUIRE(doc.ok());
  CHECK_FALSE(doc->in_file);
  CHECK(doc->bytes == "%PDF-1.4 tiny");
  CHECK(st->get_job(2).err().code == errc::not_found);
}

TEST_CASE("the server identity is made once and kept") {
  temp_dir dir;
  std::string first;
  { first = open_store(dir.path())->server_uuid(); }
  CHECK(open_store(dir.path())->server_uuid() == first);
}

TEST_CASE("job ids never go back, even past a reservation or without one") {
  temp_dir dir;
  {
    auto st = open_store(dir.path());
    write_batch b;
    b.put_job(make_job(7, "bob", "secure", job_state::held), nullptr);
    REQUIRE_FALSE(commit_sync(*st, std::move(b)));
  }
  CHECK(open_store(dir.path())->next_job_id() == 8);  // newest job + 1
  {
    auto st = open_store(dir.path());
    write_batch b;
    put_next_job_id(b, 1000);
    REQUIRE_FALSE(commit_sync(*st, std::move(b)));
  }
  CHECK(open_store(dir.path())->next_job_id() == 1000);  // the reservation
}

TEST_CASE("counters start at 0 and keep what was committed, each apart") {
  temp_dir dir;
  {
    auto st = open_store(dir.path());
    CHECK(st->counter("event_seq") == 0);
    write_batch b;
    put_counter(b, "event_seq", 100000);
    put_counter(b, "subscription_id", 42);
    REQUIRE_FALSE(commit_sync(*st, std::move(b)));
    CHECK(st->counter("event_seq") == 100000);
  }
  auto st = open_store(dir.path());
  CHECK(st->counter("event_seq") == 100000);
  CHECK(st->counter("subscription_id") == 42);
  CHECK(st->next_job_id() == 1);  // counters are not job ids
}

TEST_CASE("a second opener of the same data folder is refused with a reason") {
  temp_dir dir;
  auto st = open_store(dir.path());
  store::options o;
  o.data_dir = dir.path();
  auto second = store::open(o);
  REQUIRE_FALSE(second.ok());
  CHECK(second.err().code == errc::busy);
  CHECK(second.err().message.find("in use by another quired") != std::string::npos);
  CHECK(second.err().message.find(std::to_string(::getpid())) != std::string::npos);
}

TEST_CASE("a database from a newer schema is refused") {
  temp_dir dir;
  {
    auto st = open_store(dir.path());
    write_batch b;
    std::string v;
    keys::append_be64(v, schema_version + 1);
    b.put(cf::meta, "schema_version", v);
    REQUIRE_FALSE(commit_sync(*st, std::move(b)));
  }
  store::options o;
  o.data_dir = dir.path();
  auto st = store::open(o);
  REQUIRE_FALSE(st.ok());
  CHECK(st.err().code == errc::not_possible);
}

TEST_CASE("indexes follow a job through its states") {
  temp_dir dir;
  auto st = open_store(dir.path());
  auto j = make_job(5, "carol", "secure", job_state::held);
  j.expires_ms = 5000;
  {
    write_batch b;
    b.put_job(j, nullptr);
    REQUIRE_FALSE(commit_sync(*st, std::move(b)));
  }
  CHECK(st->list_job_ids({"secure", "", job_set::active, 0}) == std::vector<uint64_t>{5});
  CHECK(st->list_job_ids({"", "carol", job_set::active, 0}) == std::vector<uint64_t>{5});
  CHECK(st->list_job_ids({"secure", "", job_set::completed, 0}).empty());
  CHECK(st->expired_held_jobs(4999, 10).empty());
  CHECK(st->expired_held_jobs(5000, 10) == std::vector<uint64_t>{5});

  // Released: leaves the expiry index, enters the printer's FIFO.
  job_record queued = j;
  queued.state = job_state::queued;
  queued.printer = "demo";
  queued.queued_ms = 6000;
  {
    write_batch b;
    b.put_job(queued, &j);
    REQUIRE_FALSE(commit_sync(*st, std::move(b)));
  }
  CHECK(st->expired_held_jobs(1ll << 60, 10).empty());
  CHECK(st->all_queued_jobs() == std::vector<uint64_t>{5});

  auto delivering = move_to(*st, queued, job_state::delivering);
  CHECK(st->all_queued_jobs() == std::vector<uint64_t>{5});
  auto done = move_to(*st, delivering, job_state::done);
  CHECK(st->all_queued_jobs().empty());
  CHECK(st->list_job_ids({"secure", "", job_set::active, 0}).empty());
  CHECK(st->list_job_ids({"secure", "", job_set::completed, 0}) == std::vector<uint64_t>{5});
  CHECK(st->list_job_ids({"", "carol", job_set::completed, 0}) == std::vector<uint64_t>{5});
  CHECK(st->terminal_jobs("secure", 10) == std::vector<uint64_t>{5});

  write_batch b;
  b.erase_job(done);
  REQUIRE_FALSE(commit_sync(*st, std::move(b)));
  CHECK(st->list_job_ids({"secure", "", job_set::all, 0}).empty());
  CHECK(st->list_job_ids({"", "carol", job_set::all, 0}).empty());
  CHECK(st->get_job(5).err().code == errc::not_found);
}

TEST_CASE("the analysis index holds held and queued jobs not yet analysed") {
  temp_dir dir;
  auto st = open_store(dir.path());
  auto put = [&](const job_record& after, const job_record* before) {
    write_batch b;
    b.put_job(after, before);
    REQUIRE_FALSE(commit_sync(*st, std::move(b)));
  };
  auto a = make_job(7, "carol", "secure", job_state::held);
  auto b = make_job(9, "carol", "secure", job_state::queued);
  b.printer = "demo";
  auto c = make_job(11, "carol", "secure", job_state::receiving);
  put(a, nullptr);
  put(b, nullptr);
  put(c, nullptr);
  CHECK(st->jobs_to_analyse(0, 10) == std::vector<uint64_t>{7, 9});
  CHECK(st->jobs_to_analyse(7, 10) == std::vector<uint64_t>{9});
  CHECK(st->jobs_to_analyse(0, 1) == std::vector<uint64_t>{7});
  CHECK(st->jobs_to_analyse(9, 10).empty());
  // Analysed (or failed analysis): out. Its document arrives: in.
  auto analysed = a;
  analysed.analysis.status = 2;
  put(analysed, &a);
  auto arrived = c;
  arrived.state = job_state::held;
  put(arrived, &c);
  CHECK(st->jobs_to_analyse(0, 10) == std::vector<uint64_t>{9, 11});
  // Finished, or erased: out.
  auto done = b;
  done.state = job_state::canceled;
  done.document_deleted = true;
  put(done, &b);
  write_batch e;
  e.erase_job(arrived);
  REQUIRE_FALSE(commit_sync(*st, std::move(e)));
  CHECK(st->jobs_to_analyse(0, 10).empty());
}

TEST_CASE("listings: active oldest first, completed newest first, limits, owner and queue filters") {
  temp_dir dir;
  auto st = open_store(dir.path());
  write_batch b;
  for (uint64_t id = 1; id <= 6; ++id) {
    auto s = id % 2 ? job_state::held : job_state::done;
    b.put_job(make_job(id, id <= 3 ? "ann" : "ben", id == 6 ? "demo" : "secure", s), nullptr);
  }
  REQUIRE_FALSE(commit_sync(*st, std::move(b)));
  CHECK(st->list_job_ids({"secure", "", job_set::active, 0}) == std::vector<uint64_t>{1, 3, 5});
  CHECK(st->list_job_ids({"secure", "", job_set::completed, 0}) == std::vector<uint64_t>{4, 2});
  CHECK(st->list_job_ids({"secure", "", job_set::all, 0}) == std::vector<uint64_t>{1, 2, 3, 4, 5});
  CHECK(st->list_job_ids({"secure", "", job_set::all, 2}) == std::vector<uint64_t>{1, 2});
  CHECK(st->list_job_ids({"secure", "", job_set::completed, 1}) == std::vector<uint64_t>{4});
  CHECK(st->list_job_ids({"", "ann", job_set::all, 0}) == std::vector<uint64_t>{1, 2, 3});
  CHECK(st->list_job_ids({"", "ben", job_set::completed, 0}) == std::vector<uint64_t>{6, 4});
  CHECK(st->list_job_ids({"secure", "ben", job_set::completed, 0}) == std::vector<uint64_t>{4});
  CHECK(st->list_job_ids({"", "nobody", job_set::all, 0}).empty());
  CHECK(st->count_jobs("secure", job_set::active) == 3);
  CHECK(st->count_jobs("secure", job_set::completed) == 2);
  CHECK(st->count_jobs("demo", job_set::all) == 1);
  CHECK(st->count_jobs("none", job_set::all) == 0);
  CHECK(st->count_jobs("secure", job_state::held) == 3);
  CHECK(st->count_jobs("secure", job_state::done) == 2);
  CHECK(st->count_jobs("demo", job_state::done) == 1);
  CHECK(st->count_jobs("demo", job_state::held) == 0);
  CHECK(st->size_bytes() > 0);  // the jobs sit in memtables until a flush

  auto jobs = st->get_jobs({6, 99, 1});
  REQUIRE(jobs.size() == 2);
  CHECK(jobs[0].id == 6);
  CHECK(jobs[1].id == 1);
}

TEST_CASE("an adopted upload becomes spool/<id> and finished jobs' files go after commit") {
  temp_dir dir;
  auto st = open_store(dir.path());
  auto up = st->spool_folder().create_upload();
  REQUIRE(up.ok());
  std::string body(300000, 'x');
  REQUIRE(::write(up->fd, body.data(), body.size()) == static_cast<ssize_t>(body.size()));
  ::close(up->fd);

  auto j = make_job(9, "dan", "secure", job_state::held);
  j.document_in_spool = true;
  j.document_size = body.size();
  write_batch b;
  b.put_job(j, nullptr);
  b.adopt_upload(up->path, 9);
  auto before = st->stats();
  REQUIRE_FALSE(commit_sync(*st, std::move(b)));
  auto after = st->stats();
  CHECK(after.fsyncs - before.fsyncs == 2);  // the file and the spool folder
  CHECK_FALSE(std::filesystem::exists(up->path));
  auto doc = st->get_document(j);
  REQUIRE(doc.ok());
  REQUIRE(doc->in_file);
  CHECK(slurp(doc->path) == body);

  job_record gone = j;
  gone.state = job_state::done;
  gone.document_deleted = true;
  write_batch b2;
  b2.put_job(gone, &j);
  b2.erase_document(j);
  REQUIRE_FALSE(commit_sync(*st, std::move(b2)));
  CHECK_FALSE(std::filesystem::exists(doc->path));
  CHECK(st->get_document(gone).err().code == errc::not_found);
}

TEST_CASE("a batch whose upload is missing fails alone") {
  temp_dir dir;
  auto st = open_store(dir.path());
  write_batch bad;
  bad.put_job(make_job(1, "eve", "secure", job_state::held), nullptr);
  bad.adopt_upload(dir.path() + "/spool/incoming/never-written", 1);
  write_batch good;
  good.put_job(make_job(2, "eve", "secure", job_state::held), nullptr);
  std::promise<status> p1, p2;
  st->commit(std::move(bad), [&](const status& s) { p1.set_value(s); });
  st->commit(std::move(good), [&](const status& s) { p2.set_value(s); });
  CHECK(p1.get_future().get().code == errc::io_error);
  CHECK_FALSE(p2.get_future().get());
  CHECK(st->get_job(1).err().code == errc::not_found);
  CHECK(st->get_job(2).ok());
}

TEST_CASE("start-up sweeps unfinished uploads and documents of uncommitted jobs") {
  temp_dir dir;
  std::string upload_path;
  {
    auto st = open_store(dir.path());
    auto up = st->spool_folder().create_upload();
    REQUIRE(up.ok());
    ::close(up->fd);
    upload_path = up->path;
  }
  // A document whose job never committed (a crash between rename and write).
  std::ofstream(dir.path() + "/spool/77") << "orphan";
  auto st = open_store(dir.path());
  CHECK_FALSE(std::filesystem::exists(upload_path));
  CHECK_FALSE(std::filesystem::exists(dir.path() + "/spool/77"));
}

TEST_CASE("queues_with_jobs: each queue that has a job once, also a queue prefixing another") {
  temp_dir dir;
  auto st = open_store(dir.path());
  CHECK(st->queues_with_jobs().empty());
  write_batch b;
  b.put_job(make_job(1, "carol", "lab", job_state::held), nullptr);
  b.put_job(make_job(2, "carol", "lab", job_state::done), nullptr);
  b.put_job(make_job(3, "dave", "lab-2", job_state::held), nullptr);
  b.put_job(make_job(4, "dave", "a", job_state::canceled), nullptr);
  REQUIRE_FALSE(commit_sync(*st, std::move(b)));
  CHECK(st->queues_with_jobs() == std::vector<std::string>{"a", "lab", "lab-2"});
}

TEST_CASE("price lists, projects and quotas are listed by name and keep their fields") {
  temp_dir dir;
  auto st = open_store(dir.path());
  price_list_record l;
  l.name = "standard";
  l.per = "impression";
  l.base = {5, 25, 4, -1};
  l.sizes = {{"iso_a3_297x420mm", {10, 50, -1, -1}}};
  l.origin = record_origin::api;
  auto cheap = l;
  cheap.name = "cheap";
  project_record p{"thesis", "Theses", {"staff"}, record_origin::config};
  quota_record q{"students", {"students", "*"}, {"bob"}, "week", 200, record_origin::api};
  write_batch b;
  b.put(cf::quotas, q.name, encode_record(q));
  b.put(cf::price_lists, l.name, encode_record(l));
  b.put(cf::price_lists, cheap.name, encode_record(cheap));
  b.put(cf::projects, p.name, encode_record(p));
  REQUIRE_FALSE(commit_sync(*st, std::move(b)));
  auto lists = st->list_price_lists();
  REQUIRE(lists.size() == 2);
  CHECK(lists[0] == cheap);
  CHECK(lists[1] == l);
  CHECK(st->list_projects() == std::vector<project_record>{p});
  CHECK(st->list_quotas() == std::vector<quota_record>{q});
}
