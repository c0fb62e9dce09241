// The job state machine on CAF's deterministic test scheduler: the registry,
// job actors and a scripted printer, with an in-memory store whose commits
// become durable only when the test says so.
#include <doctest/doctest.h>

#include <caf/all.hpp>

#include <map>
#include <set>

#include "actors/job_env.hpp"
#include "actors/job_registry.hpp"
#include "actors/messages.hpp"

using namespace quire;

namespace {

// Commits wait in `pending` until complete() applies them, in order.
class memory_store final : public job_store {
 public:
  void commit(write_batch batch, std::function<void(const status&)> done) override {
    pending.emplace_back(std::move(batch), std::move(done));
  }
  result<job_record> get_job(uint64_t id) const override {
    auto it = jobs.find(id);
    if (it == jobs.end()) return error{errc::not_found, "no job " + std::to_string(id)};
    return it->second;
  }
  result<document> get_document(const job_record& job) const override {
    auto it = docs.find(job.id);
    if (it == docs.end()) return error{errc::not_found, "no document"};
    document d;
    d.bytes = it->second;
    return d;
  }
  std::vector<uint64_t> expired_held_jobs(int64_t now_ms, uint32_t) const override {
    std::vector<uint64_t> out;
    for (auto& [id, j] : jobs)
      if ((j.state == job_state::held || j.state == job_state::receiving) && j.expires_ms > 0 &&
          j.expires_ms <= now_ms)
        out.push_back(id);
    return out;
  }
  std::vector<uint64_t> all_queued_jobs() const override {
    std::vector<uint64_t> out;
    for (auto& [id, j] : jobs)
      if (j.state == job_state::queued || j.state == job_state::delivering) out.push_back(id);
    return out;
  }
  std::string converted_folder(uint64_t id) const override { return "/nonexistent/converted/" + std::to_string(id); }
  std::vector<uint64_t> jobs_to_analyse(uint64_t after, uint32_t limit) const override {
    std::vector<uint64_t> out;
    for (auto& [id, j] : jobs)
      if (id > after && out.size() < limit && j.analysis.status == 0 && !j.document_deleted &&
          (j.state == job_state::held || j.state == job_state::queued))
        out.push_back(id);
    return out;
  }
  std::vector<uint64_t> oldest_finished_jobs(const std::string& queue, uint32_t limit) const override {
    std::vector<uint64_t> out;
    for (auto& [id, j] : jobs)
      if (j.queue == queue && is_terminal(j.state) && out.size() < limit) out.push_back(id);
    return out;
  }
  std::vector<std::string> queues_with_jobs() const override {
    std::set<std::string> names;
    for (auto& [id, j] : jobs) names.insert(j.queue);
    return {names.begin(), names.end()};
  }
  store::usage active_usage(const std::string& owner, uint64_t) const override {
    store::usage u;
    for (auto& [id, j] : jobs)
      if (j.owner == owner && !is_terminal(j.state)) {
        u.jobs += 1;
        u.bytes += j.document_size;
      }
    return u;
  }
  uint64_t count_active_jobs(const std::string& queue) const override {
    uint64_t n = 0;
    for (auto& [id, j] : jobs) n += j.queue == queue && !is_terminal(j.state);
    return n;
  }

  // Makes every pending commit durable; returns how many there were.
  size_t complete() {
    auto batch = std::move(pending);
    pending.clear();
    for (auto& [b, done] : batch) {
      for (const auto& op : b.ops()) {
        uint64_t id = op.key.size() == 8 ? keys::read_be64(op.key, 0) : 0;
        if (op.family == cf::jobs && op.erase) {
          jobs.erase(id);
        } else if (op.family == cf::jobs) {
          job_record r;
          REQUIRE_FALSE(decode_record(op.value, r));
          jobs[id] = r;
        } else if (op.family == cf::docs) {
          if (op.erase)
            docs.erase(id);
          else
            docs[id] = op.value;
        } else if (op.family == cf::meta && op.key == "next_job_id") {
          reserved = keys::read_be64(op.value, 0);
        }
      }
      done(status{});
    }
    return batch.size();
  }

  std::vector<std::pair<write_batch, std::function<void(const status&)>>> pending;
  std::map<uint64_t, job_record> jobs;
  std::map<uint64_t, std::string> docs;
  uint64_t reserved = 0;
};

// What the scripted printer was asked to do.
struct printer_log {
  std::vector<std::pair<uint64_t, job_actor>> enqueued;
};

printer_actor::behavior_type scripted_printer(printer_actor::pointer, std::shared_ptr<printer_log> log) {
  return {
      [log](enqueue_atom, uint64_t id, job_actor job) { log->enqueued.emplace_back(id, std::move(job)); },
      [](delivered_atom, delivery_outcome&) {},
      [](formats_atom, const std::vector<std::string>&) {},
      [](poll_atom, uint64_t) {},
      [](polled_atom, const device_poll&) {},
      [](counters_atom, int64_t, int64_t, uint32_t) { return std::vector<device_counter_record>{}; },
      [](describe_atom) { return printer_status{}; },
  };
}

caf::actor_system_config& test_config(caf::actor_system_config& cfg) {
  cfg.set("scheduler.policy", caf::atom("testing"));
  cfg.set("logger.verbosity", caf::atom("quiet"));
  cfg.set("logger.file-verbosity", caf::atom("quiet"));
  register_message_types(cfg);
  return cfg;
}

struct fixture {
  caf::actor_system_config cfg;
  caf::actor_system sys{test_config(cfg)};
  caf::scoped_actor self{sys, true};
  caf::scheduler::test_coordinator& sched = dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler());
  memory_store store;
  std::shared_ptr<printer_log> log = std::make_shared<printer_log>();
  int64_t now = 1'000'000;
  registry_actor registry;

  fixture() {
    auto fl = std::make_shared<fleet>();
    auto printer = sys.spawn(scripted_printer, log);
    printer_record lab;
    lab.name = "lab";
    fl->printers["lab"] = {lab, printer};
    queue_record pull;
    pull.name = "secure";
    pull.type = queue_type::pull;
    pull.printers = {"lab"};
    fl->queues["secure"] = {pull, queue_actor{}};
    auto env = std::make_shared<job_env>();
    env->storage = &store;
    env->printers_and_queues = fl;
    env->held_expiry_ms = 60000;
    env->history_ms = 3600000;
    env->now_ms = [this] { return now; };
    registry_options opts;
    opts.id_block = 100;
    opts.expiry_interval = std::chrono::seconds(10);
    registry = spawn_registry(sys, env, 1, opts);
    settle();
  }

  ~fixture() {
    caf::anon_send_exit(registry, caf::exit_reason::user_shutdown);
    for (auto& [id, job] : log->enqueued) caf::anon_send_exit(job, caf::exit_reason::user_shutdown);
    settle();
  }

  // Runs actors and completes commits until nothing moves.
  void settle() {
    while (sched.run() > 0 || store.complete() > 0) {
    }
  }

  new_job held_submission(std::string owner) {
    new_job nj;
    nj.record.owner = std::move(owner);
    nj.record.queue = "secure";
    nj.record.state = job_state::held;
    nj.record.held_by = hold_reason::pull_queue;
    nj.inline_document = "%PDF-1.4 test";
    return nj;
  }

  template <class... Ts>
  caf::expected<job_record> ask(Ts&&... xs) {
    auto rh = self->request(registry, caf::infinite, std::forward<Ts>(xs)...);
    settle();
    caf::expected<job_record> out{caf::error{}};
    rh.receive([&](job_record& r) { out = std::move(r); }, [&](caf::error& e) { out = std::move(e); });
    return out;
  }

  caf::expected<job_record> command(command_kind k, uint64_t id, std::string user) {
    job_command c;
    c.job_id = id;
    c.kind = k;
    c.who.user = std::move(user);
    return ask(command_atom::value, c);
  }
};

}  // namespace

TEST_CASE_FIXTURE(fixture, "a new job is durable before it is acknowledged, then parks") {
  CHECK(store.reserved == 101);  // ids are reserved before any is used
  auto rh = self->request(registry, caf::infinite, create_atom::value, held_submission("alice"));
  sched.run();
  // Not yet durable: no answer, and the job is not stored.
  CHECK(store.jobs.empty());
  CHECK_FALSE(store.pending.empty());
  bool answered = false;
  settle();
  rh.receive(
      [&](job_record& r) {
        answered = true;
        CHECK(r.id == 1);
        CHECK(r.state == job_state::held);
        CHECK(r.expires_ms == now + 60000);
        CHECK(r.uuid.rfind("urn:uuid:", 0) == 0);
      },
      [&](caf::error& e) { FAIL(caf::to_string(e)); });
  CHECK(answered);
  CHECK(store.jobs.at(1).state == job_state::held);
  CHECK(store.docs.at(1) == "%PDF-1.4 test");
}

TEST_CASE_FIXTURE(fixture, "release, delivery and completion of a held job") {
  auto created = ask(create_atom::value, held_submission("alice"));
  REQUIRE(created);
  uint64_t id = created->id;

  auto released = command(command_kind::release, id, "alice");
  REQUIRE(released);
  CHECK(released->state == job_state::queued);
  CHECK(store.jobs.at(id).state == job_state::queued);
  REQUIRE(log->enqueued.size() == 1);
  CHECK(log->enqueued[0].first == id);

  // The printer takes it: a ticket with the document, and "delivering".
  auto job = log->enqueued[0].second;
  auto th = self->request(job, caf::infinite, start_atom::value, std::string());
  settle();
  th.receive(
      [&](delivery_ticket& t) {
        CHECK(t.go);
        CHECK(t.bytes == "%PDF-1.4 test");
      },
      [&](caf::error& e) { FAIL(caf::to_string(e)); });
  CHECK(store.jobs.at(id).state == job_state::delivering);

  self->send(job, delivered_atom::value, delivery_outcome{id, true, ""});
  settle();
  CHECK(store.jobs.at(id).state == job_state::done);
  CHECK(store.docs.count(id) == 0);  // the document is gone once printed
}

TEST_CASE_FIXTURE(fixture, "two doors releasing the same job at once print it once") {
  auto created = ask(create_atom::value, held_submission("bob"));
  REQUIRE(created);
  job_command c;
  c.job_id = created->id;
  c.kind = command_kind::release;
  c.who.user = "bob";
  auto first = self->request(registry, caf::infinite, command_atom::value, c);
  auto second = self->request(registry, caf::infinite, command_atom::value, c);
  settle();
  int ok = 0, refused = 0;
  for (auto* rh : {&first, &second})
    rh->receive([&](job_record&) { ++ok; },
                [&](caf::error& e) {
                  CHECK(code_of(e) == errc::not_possible);
                  ++refused;
                });
  CHECK(ok == 1);
  CHECK(refused == 1);
  CHECK(log->enqueued.size() == 1);
}

TEST_CASE_FIXTURE(fixture, "a job canceled while it waits for its printer is skipped") {
  auto created = ask(create_atom::value, held_submission("carol"));
  REQUIRE(created);
  REQUIRE(command(command_kind::release, created->id, "carol"));
  REQUIRE(log->enqueued.size() == 1);
  auto canceled = command(command_kind::cancel, created->id, "carol");
  REQUIRE(canceled);
  CHECK(canceled->state == job_state::canceled);
  auto th = self->request(log->enqueued[0].second, caf::infinite, start_atom::value, std::string());
  settle();
  th.receive([&](delivery_ticket& t) { CHECK_FALSE(t.go); },
             [&](caf::error&) { /* the parked actor is gone: also a skip */ });
  CHECK(store.jobs.at(created->id).state == job_state::canceled);
}

TEST_CASE_FIXTURE(fixture, "commands: unknown jobs, other users, jobs at rest re-spawned from storage") {
  CHECK(code_of(command(command_kind::cancel, 999, "alice").error()) == errc::not_found);
  auto created = ask(create_atom::value, held_submission("dan"));
  REQUIRE(created);
  CHECK(code_of(command(command_kind::release, created->id, "mallory").error()) == errc::permission_denied);
  // The job actor parked after each command; it comes back from the record.
  auto held = command(command_kind::hold, created->id, "dan");
  REQUIRE(held);
  CHECK(held->state == job_state::held);
  auto count = self->request(registry, caf::infinite, count_atom::value, std::string("secure"));
  settle();
  count.receive([](uint64_t n) { CHECK(n == 1); }, [](caf::error& e) { FAIL(caf::to_string(e)); });
}

TEST_CASE_FIXTURE(fixture, "held jobs expire on the registry's timer") {
  auto created = ask(create_atom::value, held_submission("erin"));
  REQUIRE(created);
  now += 61000;                                 // past the expiry
  sched.advance_time(std::chrono::seconds(10));  // the registry's check interval
  settle();
  CHECK(store.jobs.at(created->id).state == job_state::expired);
  CHECK(store.docs.count(created->id) == 0);
}

TEST_CASE_FIXTURE(fixture, "finished jobs are forgotten after the history period, not before") {
  auto kept = ask(create_atom::value, held_submission("gus"));
  auto gone = ask(create_atom::value, held_submission("gus"));
  REQUIRE(kept);
  REQUIRE(gone);
  REQUIRE(command(command_kind::cancel, gone->id, "gus"));  // finished now
  now += 1800000;                                           // half the history period
  sched.advance_time(std::chrono::seconds(10));
  settle();
  CHECK(store.jobs.count(gone->id) == 1);
  now += 1800001;  // past it
  sched.advance_time(std::chrono::seconds(10));
  settle();
  CHECK(store.jobs.count(gone->id) == 0);
  CHECK(store.jobs.count(kept->id) == 1);  // still held: never forgotten
  CHECK(code_of(command(command_kind::cancel, gone->id, "gus").error()) == errc::not_found);
}

TEST_CASE_FIXTURE(fixture, "after a restart, queued jobs go back to their printer") {
  job_record stored;
  stored.id = 7;
  stored.owner = "fay";
  stored.queue = "secure";
  stored.state = job_state::delivering;
  stored.printer = "lab";
  store.jobs[7] = stored;
  store.docs[7] = "doc";
  caf::anon_send(registry, resume_atom::value);
  settle();
  REQUIRE(log->enqueued.size() == 1);
  CHECK(log->enqueued[0].first == 7);
  CHECK(store.jobs.at(7).state == job_state::queued);
}
