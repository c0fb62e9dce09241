// The accounts actors against a real store: reservations are serialized per
// account (two releases cannot overspend), a job is charged once however
// often its settle arrives, and the start-up reconciliation settles or
// returns what a crash left reserved.
#include <doctest/doctest.h>

#include <caf/all.hpp>

#include <future>
#include <thread>

#include "actors/account.hpp"
#include "storage/store.hpp"
#include "test_util.hpp"

using namespace quire;
using quire::testing::temp_dir;

namespace {

struct fixture {
  temp_dir dir;
  std::unique_ptr<store> st;
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  accounts_actor accounts;
  int64_t now = 1'790'000'000'000;

  fixture() { open(); }
  ~fixture() { close(); }

  void open() {
    store::options o;
    o.data_dir = dir.path();
    auto s = store::open(o);
    REQUIRE(s.ok());
    st = std::move(s.value());
    register_message_types(cfg);
    cfg.set("logger.verbosity", caf::atom("quiet"));
    sys = std::make_unique<caf::actor_system>(cfg);
  }

  void start(int64_t initial_credit = 100, std::vector<account_quota> quotas = {}) {
    accounts_options ao;
    ao.st = st.get();
    ao.now_ms = [this] { return now; };
    ao.prepaid = true;
    ao.initial_credit = initial_credit;
    ao.quotas = std::move(quotas);
    accounts = spawn_accounts(*sys, std::move(ao));
  }

  void close() {
    if (accounts) caf::anon_send_exit(accounts, caf::exit_reason::user_shutdown);
    accounts = nullptr;
    sys.reset();
    st.reset();
  }

  void put_user(const std::string& name, std::vector<std::string> groups = {}) {
    user_record u;
    u.name = name;
    u.groups = std::move(groups);
    write_batch b;
    b.put_user(u);
    REQUIRE_FALSE(commit(std::move(b)));
  }

  status commit(write_batch b) {
    std::promise<status> p;
    auto f = p.get_future();
    st->commit(std::move(b), [&p](const status& s) { p.set_value(s); });
    return f.get();
  }

  charge_hold hold(uint64_t job, int64_t amount, uint64_t sheets = 1, uint32_t release = 1) {
    charge_hold h;
    h.account = "alice";
    h.r.job_id = job;
    h.r.release_no = release;
    h.r.amount = amount;
    h.r.sheets = sheets;
    h.r.owner = h.r.printed_by = "alice";
    h.r.printer = "lab-1";
    return h;
  }

  std::pair<account_view, errc> reserve(const charge_hold& h) {
    caf::scoped_actor self{*sys};
    std::pair<account_view, errc> out{{}, errc::ok};
    self->request(accounts, std::chrono::seconds(10), reserve_atom::value, h)
        .receive([&](account_view& v) { out.first = v; }, [&](caf::error& e) { out.second = code_of(e); });
    return out;
  }

  account_view describe(const std::string& name = "alice") {
    caf::scoped_actor self{*sys};
    account_view out;
    self->request(accounts, std::chrono::seconds(10), describe_atom::value, name)
        .receive([&](account_view& v) { out = v; }, [&](caf::error& e) { FAIL(message_of(e)); });
    return out;
  }

  void settle(uint64_t job, int64_t amount, uint32_t release = 1) {
    charge_settle s;
    s.account = "alice";
    s.s.job_id = job;
    s.s.release_no = release;
    s.s.amount = amount;
    s.s.sheets = 1;
    s.s.owner = s.s.printed_by = "alice";
    caf::anon_send(accounts, settle_atom::value, s);
  }

  // Waits until the ledger of alice has `n` charges (the settle has no reply).
  bool charges(size_t n) {
    for (int i = 0; i < 500; ++i) {
      size_t c = 0;
      for (const auto& e : st->ledger_of("alice", 0)) c += e.kind == ledger_kind::charge;
      if (c == n && describe().reserved == 0) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }
};

}  // namespace

TEST_CASE_FIXTURE(fixture, "accounts: a new account starts with the initial credit, in the ledger") {
  put_user("alice");
  start(100);
  auto v = describe();
  CHECK(v.balance == 100);
  CHECK(v.available == 100);
  auto ledger = st->ledger_of("alice", 0);
  for (int i = 0; i < 500 && ledger.empty(); ++i) {  // written with the account, after the answer
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    ledger = st->ledger_of("alice", 0);
  }
  REQUIRE(ledger.size() == 1);
  CHECK(ledger[0].kind == ledger_kind::topup);
  CHECK(ledger[0].amount == 100);
}

TEST_CASE_FIXTURE(fixture, "accounts: reservations cannot overspend, and a refusal says why") {
  put_user("alice");
  start(100);
  CHECK(reserve(hold(1, 60)).second == errc::ok);
  auto second = reserve(hold(2, 60));
  CHECK(second.second == errc::not_possible);
  CHECK(reserve(hold(1, 60)).second == errc::ok);  // the same release again: held once
  CHECK(describe().reserved == 60);
  CHECK(reserve(hold(3, 40)).second == errc::ok);
  CHECK(describe().available == 0);
}

TEST_CASE_FIXTURE(fixture, "accounts: a job is charged once however often it is settled") {
  put_user("alice");
  start(100);
  REQUIRE(reserve(hold(7, 30)).second == errc::ok);
  settle(7, 25);  // the final price may differ from the reservation
  settle(7, 25);
  REQUIRE(charges(1));
  CHECK(describe().balance == 75);
  settle(7, 25);  // later still: the ledger key exists
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  CHECK(charges(1));
  CHECK(describe().balance == 75);
  // A reprint is a new release: charged again.
  REQUIRE(reserve(hold(7, 25, 1, 2)).second == errc::ok);
  settle(7, 25, 2);
  REQUIRE(charges(2));
  CHECK(describe().balance == 50);
}

TEST_CASE_FIXTURE(fixture, "accounts: a failed delivery returns the reservation") {
  put_user("alice");
  start(100);
  REQUIRE(reserve(hold(9, 80)).second == errc::ok);
  caf::anon_send(accounts, unreserve_atom::value, std::string("alice"), uint64_t{9}, uint32_t{1});
  for (int i = 0; i < 500 && describe().reserved != 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  CHECK(describe().reserved == 0);
  CHECK(describe().balance == 100);
}

TEST_CASE_FIXTURE(fixture, "accounts: a group quota refuses the sheet past it") {
  put_user("alice", {"students"});
  start(1000, {account_quota{{"students"}, {}, quota_period_kind::month, 2}});
  CHECK(reserve(hold(1, 5, 2)).second == errc::ok);
  CHECK(reserve(hold(2, 5, 1)).second == errc::not_possible);
  CHECK(describe().quota_sheets_left == 0);
}

TEST_CASE_FIXTURE(fixture, "accounts: after a crash, reservations follow their jobs' stored state") {
  put_user("alice");
  start(100);
  REQUIRE(reserve(hold(11, 20)).second == errc::ok);  // printed, not yet charged
  REQUIRE(reserve(hold(12, 30)).second == errc::ok);  // failed
  REQUIRE(reserve(hold(13, 40)).second == errc::ok);  // still queued
  close();
  open();
  auto job = [](uint64_t id, job_state s, int64_t price) {
    job_record j;
    j.id = id;
    j.owner = "alice";
    j.queue = "secure";
    j.state = s;
    j.release_no = 1;
    j.payer = "alice";
    j.price.status = 2;
    j.price.low = j.price.high = price;
    j.analysis.sheets = 1;
    return j;
  };
  write_batch b;
  b.put_job(job(11, job_state::done, 20), nullptr);
  b.put_job(job(12, job_state::failed, 30), nullptr);
  b.put_job(job(13, job_state::queued, 40), nullptr);
  REQUIRE_FALSE(commit(std::move(b)));
  start(100);
  bool settled = false;
  for (int i = 0; i < 500 && !settled; ++i) {
    settled = describe().reserved == 40 && st->get_ledger_entry("alice", 11, 1).ok();
    if (!settled) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  CHECK(settled);
  CHECK(describe().balance == 80);
  CHECK_FALSE(st->get_ledger_entry("alice", 12, 1).ok());
}

TEST_CASE("accounts: policy, unlimited groups and the largest quota") {
  accounts_options o;
  CHECK(policy_for("alice", {}, o).unlimited);  // not prepaid: everyone is postpaid
  o.prepaid = true;
  o.unlimited_groups = {"staff"};
  o.quotas = {account_quota{{"students"}, {}, quota_period_kind::month, 100},
              account_quota{{"*"}, {}, quota_period_kind::week, 20},
              account_quota{{}, {"dave"}, quota_period_kind::day, 1000}};
  CHECK(policy_for("dave", {"students"}, o).quota.sheets == 1000);  // a quota of his own, the largest
  auto student = policy_for("alice", {"students"}, o);
  CHECK_FALSE(student.unlimited);
  CHECK(student.quota.sheets == 100);
  CHECK(student.quota.period == quota_period_kind::month);
  auto other = policy_for("bob", {}, o);
  CHECK(other.quota.sheets == 20);
  CHECK(policy_for("carol", {"staff"}, o).unlimited);
  auto project = policy_for("project:physics", {}, o);
  CHECK(project.unlimited);
  CHECK(project.quota.sheets == 0);
}
