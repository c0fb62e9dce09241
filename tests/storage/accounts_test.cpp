#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <limits>

// Only to make a database as a build without the accounting families did.
#include <rocksdb/db.h>

#include "storage/accounts.hpp"
#include "storage/keys.hpp"
#include "storage/store.hpp"
#include "storage/store_test_util.hpp"
#include "test_util.hpp"

using namespace quire;
using quire::testing::commit_sync;
using quire::testing::open_store;
using quire::testing::temp_dir;

namespace {

reservation make_reservation(uint64_t job, uint32_t release, int64_t amount) {
  reservation r;
  r.job_id = job;
  r.release_no = release;
  r.amount = amount;
  r.sheets = 2;
  r.owner = "alice";
  r.printed_by = "bob";
  r.printer = "lobby";
  r.created_ms = 1000;
  return r;
}

account_record make_account(std::string name, std::vector<reservation> held = {}) {
  account_record a;
  a.name = std::move(name);
  a.balance = 1234;
  a.reservations = std::move(held);
  a.quota_period = "2026-11";
  a.quota_used_sheets = 17;
  a.next_entry = 3;
  a.created_ms = 100;
  a.updated_ms = 200;
  return a;
}

ledger_entry make_entry(std::string account, uint64_t job, uint32_t attempt, int64_t amount) {
  ledger_entry e;
  e.account = std::move(account);
  e.kind = job == 0 ? ledger_kind::topup : ledger_kind::charge;
  e.job_id = job;
  e.attempt = attempt;
  e.amount = amount;
  e.balance_after = 99;
  e.pages = 4;
  e.sheets = 2;
  e.colour_sheets = 1;
  e.owner = "alice";
  e.printer = "lobby";
  e.price_list = "standard";
  e.time_ms = 5000;
  return e;
}

terminal_record make_terminal(const store& st, std::string name, const std::string& token) {
  terminal_record t;
  t.name = std::move(name);
  t.printer = "lobby";
  t.token_key = st.credential_key(credential_kind::terminal, token);
  t.created_by = "root";
  t.created_ms = 10;
  return t;
}

bool on_disk(const std::string& dir, const std::string& needle) {
  for (const auto& f : std::filesystem::recursive_directory_iterator(dir)) {
    if (!f.is_regular_file()) continue;
    std::ifstream in(f.path(), std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), {});
    if (bytes.find(needle) != std::string::npos) return true;
  }
  return false;
}

std::vector<int64_t> amounts(const std::vector<ledger_entry>& es) {
  std::vector<int64_t> out;
  for (const auto& e : es) out.push_back(e.amount);
  return out;
}

using names = std::vector<std::string>;

// An account record as a version with fewer fields wrote it.
struct old_account {
  std::string name = "carol";
  int64_t balance = 5;
  MSGPACK_DEFINE_MAP(name, balance)
};

}  // namespace

TEST_CASE("accounting records round-trip and corrupt ones are refused") {
  auto a = make_account("alice", {make_reservation(7, 1, 60), make_reservation(8, 2, 40)});
  account_record a2;
  REQUIRE_FALSE(decode_account(encode_account(a), a2));
  CHECK(a2 == a);
  auto e = make_entry("project:physics", 7, 1, -60);
  e.by = "root";
  e.note = "a note";
  ledger_entry e2;
  REQUIRE_FALSE(decode_ledger_entry(encode_ledger_entry(e), e2));
  CHECK(e2 == e);
  terminal_record t;
  t.name = "lobby-panel";
  t.printer = "lobby";
  t.token_key = std::string(32, '\x11');
  t.last_seen_ms = 77;
  terminal_record t2;
  REQUIRE_FALSE(decode_terminal(encode_terminal(t), t2));
  CHECK(t2 == t);

  CHECK(decode_account("\xc1 not msgpack", a2).code == errc::corruption);
  CHECK(decode_account(encode_account(a).substr(0, 12), a2).code == errc::corruption);
  CHECK(decode_account(encode_account(make_account("tab\there")), a2).code == errc::corruption);
  CHECK(decode_account(encode_account(make_account("project:")), a2).code == errc::corruption);
  CHECK(decode_ledger_entry("", e2).code == errc::corruption);
  auto odd = e;
  odd.kind = static_cast<ledger_kind>(9);
  CHECK(decode_ledger_entry(encode_ledger_entry(odd), e2).code == errc::corruption);
  t.token_key = "short";
  CHECK(decode_terminal(encode_terminal(t), t2).code == errc::corruption);
  // A map without the newer fields keeps their defaults.
  REQUIRE_FALSE(decode_account(encode_record(old_account{}), a2));
  CHECK(a2.name == "carol");
  CHECK(a2.balance == 5);
  CHECK(a2.next_entry == 1);
  CHECK(a2.reservations.empty());
}

TEST_CASE("account names and ledger kinds") {
  CHECK(account_of_project("physics") == "project:physics");
  CHECK(is_project_account("project:physics"));
  CHECK_FALSE(is_project_account("physics"));
  CHECK_FALSE(is_project_account("project"));
  CHECK_FALSE(validate_account_name("alice"));
  CHECK_FALSE(validate_account_name("project:physics"));
  CHECK(validate_account_name("project:").code == errc::invalid_argument);
  CHECK(validate_account_name(""));
  CHECK(validate_account_name(std::string("a\0b", 3)));
  for (auto k : {ledger_kind::charge, ledger_kind::topup, ledger_kind::refund, ledger_kind::adjust}) {
    ledger_kind back = ledger_kind::charge;
    REQUIRE(parse_ledger_kind(to_string(k), back));
    CHECK(back == k);
  }
  CHECK(std::string(to_string(ledger_kind::topup)) == "topup");
  ledger_kind k = ledger_kind::refund;
  CHECK_FALSE(parse_ledger_kind("Charge", k));
  CHECK(k == ledger_kind::refund);
  credential_kind ck;
  REQUIRE(credential_kind_from_byte(3, ck));
  CHECK(ck == credential_kind::terminal);
  CHECK(std::string(to_string(ck)) == "terminal");
  REQUIRE(credential_kind_from_byte(4, ck));
  CHECK(std::string(to_string(ck)) == "api_token");
  CHECK_FALSE(credential_kind_from_byte(5, ck));
  CHECK_FALSE(credential_kind_from_byte(0, ck));
}

TEST_CASE("accounting keys: one account's range, ordered by job then attempt") {
  CHECK(keys::ledger("ab", 0, 9) < keys::ledger("ab", 1, 0));
  CHECK(keys::ledger("ab", 1, 2) < keys::ledger("ab", 1, 10));
  CHECK(keys::ledger("ab", 255, 0) < keys::ledger("ab", 256, 0));
  auto prefix = keys::ledger_prefix("ab");
  CHECK(keys::ledger("ab", 5, 1).compare(0, prefix.size(), prefix) == 0);
  CHECK(keys::ledger("abc", 5, 1).compare(0, prefix.size(), prefix) != 0);
  auto job = keys::ledger_job_prefix("ab", 5);
  CHECK(keys::ledger("ab", 5, 3).compare(0, job.size(), job) == 0);
  CHECK(keys::ledger("ab", 6, 3).compare(0, job.size(), job) != 0);

  std::string name;
  REQUIRE(keys::parse_account_hold(keys::account_hold("project:x", 42), name));
  CHECK(name == "project:x");
  CHECK_FALSE(keys::parse_account_hold(keys::job(42), name));
  CHECK_FALSE(keys::parse_account_hold(std::string("\0", 1) + keys::job(42), name));
  CHECK_FALSE(keys::parse_account_hold(std::string("a\0b\0", 4) + keys::job(42), name));

  auto mine = keys::delegates_prefix("ab");
  CHECK(keys::delegate("ab", "carol").compare(0, mine.size(), mine) == 0);
  CHECK(keys::delegate("abc", "carol").compare(0, mine.size(), mine) != 0);
  CHECK(keys::delegator("ab", "x").compare(0, mine.size(), mine) != 0);  // the other direction
  CHECK(std::string(cf_name(cf::accounts)) == "accounts");
  CHECK(std::string(cf_name(cf::account_holds)) == "account_holds");
  CHECK(std::string(cf_name(cf::terminals)) == "terminals");
  CHECK(std::string(cf_name(cf::delegates)) == "delegates");
  CHECK(std::string(cf_name(static_cast<cf>(cf_count - 1))) == "quotas");
}

TEST_CASE("accounts are stored with an index of those holding reservations") {
  temp_dir dir;
  auto st = open_store(dir.path());
  CHECK(st->get_account("alice").err().code == errc::not_found);
  CHECK(st->get_account("").err().code == errc::not_found);
  CHECK(st->accounts_holding().empty());

  auto alice = make_account("alice", {make_reservation(1, 1, 10), make_reservation(1, 2, 10),
                                      make_reservation(2, 1, 20)});
  auto ab = make_account("ab");
  auto project = make_account(account_of_project("x"), {make_reservation(3, 1, 5)});
  {
    write_batch b;
    b.put_account(alice, nullptr);
    b.put_account(ab, nullptr);
    b.put_account(project, nullptr);
    CHECK(b.ops().size() == 3 + 2 + 1);  // records, then one hold per job
    REQUIRE_FALSE(commit_sync(*st, std::move(b)));
  }
  auto got = st->get_account("alice");
  REQUIRE(got.ok());
  CHECK(*got == alice);
  CHECK(st->get_account("project:x")->reservations.size() == 1);
  CHECK(st->accounts_holding() == names{"alice", "project:x"});

  // One release of job 1 settled: job 1 still holds, so the index is untouched.
  auto next = alice;
  next.reservations.erase(next.reservations.begin());
  {
    write_batch b;
    b.put_account(next, &alice);
    CHECK(b.ops().size() == 1);
    REQUIRE_FALSE(commit_sync(*st, std::move(b)));
  }
  // Job 1 done, job 4 reserved: one hold erased, one put.
  auto later = next;
  later.reservations = {make_reservation(2, 1, 20), make_reservation(4, 1, 1)};
  {
    write_batch b;
    b.put_account(later, &next);
    CHECK(b.ops().size() == 3);
    REQUIRE_FALSE(commit_sync(*st, std::move(b)));
  }
  CHECK(st->accounts_holding() == names{"alice", "project:x"});
  // Everything settled.
  auto empty_project = project;
  empty_project.reservations.clear();
  auto empty_alice = later;
  empty_alice.reservations.clear();
  {
    write_batch b;
    b.put_account(empty_project, &project);
    b.put_account(empty_alice, &later);
    REQUIRE_FALSE(commit_sync(*st, std::move(b)));
  }
  CHECK(st->accounts_holding().empty());
  CHECK(st->get_account("alice")->reservations.empty());

  // A record under another name, or garbage, is corruption.
  {
    write_batch b;
    b.put(cf::accounts, keys::account("mallory"), encode_account(make_account("trudy")));
    b.put(cf::accounts, keys::account("garbage"), "\xc1");
    REQUIRE_FALSE(commit_sync(*st, std::move(b)));
  }
  CHECK(st->get_account("mallory").err().code == errc::corruption);
  CHECK(st->get_account("garbage").err().code == errc::corruption);
}

TEST_CASE("ledger entries: one per key, so a retried charge is written once") {
  temp_dir dir;
  auto st = open_store(dir.path());
  {
    write_batch b;
    b.put_ledger(make_entry("ab", 0, 1, 500));   // a top-up
    b.put_ledger(make_entry("ab", 7, 1, -60));   // job 7, release 1
    b.put_ledger(make_entry("ab", 7, 1, -60));   // the same charge, retried
    b.put_ledger(make_entry("ab", 7, 2, -30));   // a reprint
    b.put_ledger(make_entry("ab", 12, 1, -5));
    b.put_ledger(make_entry("abc", 7, 1, -1));   // another account
    REQUIRE_FALSE(commit_sync(*st, std::move(b)));
  }
  {
    write_batch b;
    b.put_ledger(make_entry("ab", 7, 1, -60));  // retried after a restart
    REQUIRE_FALSE(commit_sync(*st, std::move(b)));
  }
  CHECK(amounts(st->ledger_of("ab", 0)) == std::vector<int64_t>{500, -60, -30, -5});
  CHECK(amounts(st->ledger_of("ab", 2)) == std::vector<int64_t>{-30, -5});
  CHECK(amounts(st->ledger_of("ab", 10)) == std::vector<int64_t>{500, -60, -30, -5});
  CHECK(amounts(st->ledger_of("abc", 0)) == std::vector<int64_t>{-1});
  CHECK(st->ledger_of("a", 0).empty());
  CHECK(amounts(st->ledger_of_job("ab", 7)) == std::vector<int64_t>{-60, -30});
  CHECK(st->ledger_of_job("ab", 8).empty());
  auto e = st->get_ledger_entry("ab", 7, 2);
  REQUIRE(e.ok());
  CHECK(*e == make_entry("ab", 7, 2, -30));
  CHECK(st->get_ledger_entry("ab", 7, 3).err().code == errc::not_found);
  CHECK(st->get_ledger_entry("tab\there", 7, 3).err().code == errc::not_found);
}

TEST_CASE("terminals are found by their token, which is stored nowhere") {
  temp_dir dir;
  const std::string token = "TERMINAL-TOKEN-8f3a9c2e71";
  auto st = open_store(dir.path());
  auto panel = make_terminal(*st, "lobby-panel", token);
  user_record same_name;  // a user named like the terminal shares nothing with it
  same_name.name = "lobby-panel";
  {
    write_batch b;
    b.put_terminal(panel);
    b.put_terminal(make_terminal(*st, "annex", "another token"));
    b.put_user(same_name);
    REQUIRE_FALSE(commit_sync(*st, std::move(b)));
  }
  auto who = st->find_terminal(token);
  REQUIRE(who.ok());
  CHECK(*who == "lobby-panel");
  CHECK(*st->get_terminal("lobby-panel") == panel);
  auto miss = st->find_terminal("TERMINAL-TOKEN-8f3a9c2e72");
  REQUIRE_FALSE(miss.ok());
  CHECK(miss.err().code == errc::not_found);
  CHECK(miss.err().describe().find("TERMINAL") == std::string::npos);
  CHECK(st->get_terminal("nobody").err().code == errc::not_found);
  // A terminal token never passes for a user's credential.
  CHECK(st->find_credential(credential_kind::terminal, token).err().code == errc::not_found);
  CHECK(st->find_credential(credential_kind::card, token).err().code == errc::not_found);
  CHECK(st->user_credentials("lobby-panel").empty());
  auto listed = st->list_terminals();
  REQUIRE(listed.size() == 2);
  CHECK(listed[0].name == "annex");
  CHECK(listed[1].name == "lobby-panel");

  // Deleting the user of the same name leaves the terminal alone.
  {
    write_batch b;
    b.erase_user("lobby-panel", st->user_credentials("lobby-panel"));
    REQUIRE_FALSE(commit_sync(*st, std::move(b)));
  }
  CHECK(*st->find_terminal(token) == "lobby-panel");

  // A new token: the old record erased and the new one put in one batch.
  const std::string fresh = "TERMINAL-TOKEN-new";
  auto rotated = make_terminal(*st, "lobby-panel", fresh);
  {
    write_batch b;
    b.erase_terminal(panel);
    b.put_terminal(rotated);
    REQUIRE_FALSE(commit_sync(*st, std::move(b)));
  }
  CHECK(st->find_terminal(token).err().code == errc::not_found);
  CHECK(*st->find_terminal(fresh) == "lobby-panel");
  CHECK(*st->get_terminal("lobby-panel") == rotated);
  {
    write_batch b;
    b.erase_terminal(rotated);
    REQUIRE_FALSE(commit_sync(*st, std::move(b)));
  }
  CHECK(st->find_terminal(fresh).err().code == errc::not_found);
  CHECK(st->get_terminal("lobby-panel").err().code == errc::not_found);
  CHECK(st->list_terminals().size() == 1);
  st.reset();
  CHECK_FALSE(on_disk(dir.path(), token));
  CHECK_FALSE(on_disk(dir.path(), fresh));
}

TEST_CASE("delegates: both directions, only the differences written") {
  temp_dir dir;
  auto st = open_store(dir.path());
  CHECK(st->delegates_of("ab").empty());
  {
    write_batch b;
    b.set_delegates("ab", {}, {"carol", "bob", "bob"});
    CHECK(b.ops().size() == 4);
    b.set_delegates("abc", {}, {"bob"});
    REQUIRE_FALSE(commit_sync(*st, std::move(b)));
  }
  CHECK(st->delegates_of("ab") == names{"bob", "carol"});
  CHECK(st->delegates_of("abc") == names{"bob"});
  CHECK(st->delegators_of("bob") == names{"ab", "abc"});
  CHECK(st->delegators_of("carol") == names{"ab"});
  CHECK(st->delegators_of("ab").empty());
  {
    write_batch b;
    b.set_delegates("ab", st->delegates_of("ab"), {"carol", "dave"});
    CHECK(b.ops().size() == 4);  // bob out, dave in: two keys each
    REQUIRE_FALSE(commit_sync(*st, std::move(b)));
  }
  CHECK(st->delegates_of("ab") == names{"carol", "dave"});
  CHECK(st->delegators_of("bob") == names{"abc"});
  CHECK(st->delegators_of("dave") == names{"ab"});
  {
    write_batch b;
    b.set_delegates("ab", st->delegates_of("ab"), st->delegates_of("ab"));
    CHECK(b.ops().empty());
    b.set_delegates("ab", st->delegates_of("ab"), {});
    REQUIRE_FALSE(commit_sync(*st, std::move(b)));
  }
  CHECK(st->delegates_of("ab").empty());
  CHECK(st->delegators_of("carol").empty());
  CHECK(st->delegators_of("bob") == names{"abc"});
}

TEST_CASE("a database made before the accounting families opens and gets them") {
  temp_dir dir;
  // The column families of a build before accounting existed.
  const char* before[] = {"meta",  "jobs",        "docs",      "jobs_by_user", "jobs_by_state",
                          "jobs_by_expiry", "jobs_by_printer", "users", "credentials", "printers",
                          "queues", "ledger",     "events",    "jobs_to_analyse"};
  {
    rocksdb::DBOptions o;
    o.create_if_missing = true;
    o.create_missing_column_families = true;
    std::vector<rocksdb::ColumnFamilyDescriptor> families;
    families.emplace_back(rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions());
    for (const char* name : before) families.emplace_back(name, rocksdb::ColumnFamilyOptions());
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* raw = nullptr;
    std::filesystem::create_directories(dir.path());
    REQUIRE(rocksdb::DB::Open(o, dir.path() + "/db", families, &handles, &raw).ok());
    for (auto* h : handles) raw->DestroyColumnFamilyHandle(h);
    REQUIRE(raw->Close().ok());
    delete raw;
  }
  {
    auto st = open_store(dir.path());
    write_batch b;
    b.put_account(make_account("alice", {make_reservation(1, 1, 1)}), nullptr);
    b.put_terminal(make_terminal(*st, "panel", "tok"));
    b.set_delegates("alice", {}, {"bob"});
    REQUIRE_FALSE(commit_sync(*st, std::move(b)));
  }
  auto st = open_store(dir.path());
  CHECK(st->get_account("alice").ok());
  CHECK(st->accounts_holding() == names{"alice"});
  CHECK(*st->find_terminal("tok") == "panel");
  CHECK(st->delegators_of("bob") == names{"alice"});
}
