#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <future>

#include "storage/keys.hpp"
#include "storage/store.hpp"
#include "storage/store_test_util.hpp"
#include "test_util.hpp"

using namespace quire;
using quire::testing::commit_sync;
using quire::testing::open_store;
using quire::testing::temp_dir;

namespace {

user_record make_user(std::string name) {
  user_record u;
  u.name = std::move(name);
  u.display_name = "User " + u.name;
  u.groups = {"students", "physics"};
  u.created_ms = 1000;
  u.updated_ms = 1000;
  return u;
}

// True when any file under `dir` contains `needle` (RocksDB's WAL, tables,
// manifest, logs: whatever reached the disk).
bool on_disk(const std::string& dir, const std::string& needle) {
  for (const auto& f : std::filesystem::recursive_directory_iterator(dir)) {
    if (!f.is_regular_file()) continue;
    std::ifstream in(f.path(), std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), {});
    if (bytes.find(needle) != std::string::npos) return true;
  }
  return false;
}

std::vector<std::string> names(const std::vector<user_record>& users) {
  std::vector<std::string> out;
  for (const auto& u : users) out.push_back(u.name);
  return out;
}

}  // namespace

TEST_CASE("the server secret is made at the first open and kept") {
  temp_dir dir;
  std::string first;
  {
    auto st = open_store(dir.path());
    REQUIRE_FALSE(st->server_secret().empty());
    first = std::string(st->server_secret().bytes());
    CHECK(first.size() == 32);
  }
  {
    auto st = open_store(dir.path());
    CHECK(st->server_secret().bytes() == first);
  }
  temp_dir other;
  CHECK(open_store(other.path())->server_secret().bytes() != first);
}

TEST_CASE("a database made before the secret existed gets one at open, once") {
  temp_dir dir;
  std::string uuid;
  {
    auto st = open_store(dir.path());
    uuid = st->server_uuid();
    write_batch b;
    b.erase(cf::meta, "server_secret");  // as an older quired left it
    REQUIRE_FALSE(commit_sync(*st, std::move(b)));
  }
  std::string made;
  {
    auto st = open_store(dir.path());
    CHECK(st->server_uuid() == uuid);
    made = std::string(st->server_secret().bytes());
    CHECK(made.size() == 32);
  }
  CHECK(open_store(dir.path())->server_secret().bytes() == made);
}

TEST_CASE("a malformed stored secret refuses the open without quoting it") {
  temp_dir dir;
  {
    auto st = open_store(dir.path());
    write_batch b;
    b.put(cf::meta, "server_secret", "SHORT-SECRET-BYTES");
    REQUIRE_FALSE(commit_sync(*st, std::move(b)));
  }
  store::options o;
  o.data_dir = dir.path();
  auto st = store::open(o);
  REQUIRE_FALSE(st.ok());
  CHECK(st.err().code == errc::corruption);
  CHECK(st.err().describe().find("SHORT-SECRET") == std::string::npos);
}

TEST_CASE("users are stored, read back, listed by name and paged") {
  temp_dir dir;
  {
    auto st = open_store(dir.path());
    write_batch b;
    for (const char* n : {"carol", "alice", "bob", "ab", "abc"}) b.put_user(make_user(n));
    auto admin = make_user("root");
    admin.admin = true;
    auto h = hash_password("pw", scrypt_params{4, 8, 1});
    REQUIRE(h.ok());
    admin.password_hash = *h;
    b.put_user(admin);
    // Credentials put back-references into the user ranges: not users.
    b.put_credential(credential_kind::card, st->credential_key(credential_kind::card, "A1"), "ab");
    b.put_credential(credential_kind::pin, st->credential_key(credential_kind::pin, "123456"), "alice");
    REQUIRE_FALSE(commit_sync(*st, std::move(b)));
  }
  auto st = open_store(dir.path());
  auto root = st->get_user("root");
  REQUIRE(root.ok());
  CHECK(root->admin);
  CHECK(root->groups == std::vector<std::string>{"students", "physics"});
  CHECK(verify_password("pw", root->password_hash));
  CHECK(st->get_user("nobody").err().code == errc::not_found);
  CHECK(st->get_user("a").err().code == errc::not_found);
  CHECK(st->get_user(std::string("ab\0", 3)).err().code == errc::not_found);

  CHECK(names(st->list_users()) == std::vector<std::string>{"ab", "abc", "alice", "bob", "carol", "root"});
  CHECK(names(st->list_users("", 2)) == std::vector<std::string>{"ab", "abc"});
  CHECK(names(st->list_users("ab", 2)) == std::vector<std::string>{"abc", "alice"});
  CHECK(names(st->list_users("alice", 0)) == std::vector<std::string>{"bob", "carol", "root"});
  CHECK(names(st->list_users("b", 1)) == std::vector<std::string>{"bob"});
  CHECK(st->list_users("root").empty());
}

TEST_CASE("a credential is found by its value, and its value is stored nowhere") {
  temp_dir dir;
  const std::string card = "CARD-04A1B2C3D4E5F6";
  const std::string pin = "8675309";
  const std::string marker = "Alice Marker-Liddell";  // proves the scan sees the data
  {
    auto st = open_store(dir.path());
    auto u = make_user("alice");
    u.display_name = marker;
    write_batch b;
    b.put_user(u);
    b.put_credential(credential_kind::card, st->credential_key(credential_kind::card, card), "alice");
    b.put_credential(credential_kind::pin, st->credential_key(credential_kind::pin, pin), "alice");
    REQUIRE_FALSE(commit_sync(*st, std::move(b)));

    auto who = st->find_credential(credential_kind::card, card);
    REQUIRE(who.ok());
    CHECK(*who == "alice");
    CHECK(*st->find_credential(credential_kind::pin, pin) == "alice");
    // The same value as another kind, or a near miss, finds nobody.
    auto miss = st->find_credential(credential_kind::pin, card);
    REQUIRE_FALSE(miss.ok());
    CHECK(miss.err().code == errc::not_found);
    CHECK(miss.err().describe().find(card) == std::string::npos);
    CHECK(st->find_credential(credential_kind::card, "CARD-04A1B2C3D4E5F7").err().code == errc::not_found);
    CHECK(st->find_credential(credential_kind::card, "").err().code == errc::not_found);

    auto creds = st->user_credentials("alice");
    REQUIRE(creds.size() == 2);
    CHECK(creds[0].kind == credential_kind::card);
    CHECK(creds[0].key == st->credential_key(credential_kind::card, card));
    CHECK(creds[1].kind == credential_kind::pin);
  }
  // Found again after a reopen (the secret is the same one).
  CHECK(*open_store(dir.path())->find_credential(credential_kind::card, card) == "alice");

  CHECK(on_disk(dir.path(), marker));
  CHECK_FALSE(on_disk(dir.path(), card));
  CHECK_FALSE(on_disk(dir.path(), "04A1B2C3D4E5F6"));
  CHECK_FALSE(on_disk(dir.path(), pin));
}

TEST_CASE("deleting a user removes its record and credentials, and nobody else's") {
  temp_dir dir;
  auto st = open_store(dir.path());
  auto key = [&](credential_kind k, const char* v) { return st->credential_key(k, v); };
  {
    write_batch b;
    for (const char* n : {"ab", "abc"}) b.put_user(make_user(n));
    b.put_credential(credential_kind::card, key(credential_kind::card, "card-ab"), "ab");
    b.put_credential(credential_kind::pin, key(credential_kind::pin, "1111"), "ab");
    b.put_credential(credential_kind::card, key(credential_kind::card, "card-abc"), "abc");
    // A card moved to abc without being erased from ab first: ab keeps a
    // stale back-reference.
    b.put_credential(credential_kind::card, key(credential_kind::card, "shared"), "ab");
    REQUIRE_FALSE(commit_sync(*st, std::move(b)));
  }
  {
    write_batch b;
    b.put_credential(credential_kind::card, key(credential_kind::card, "shared"), "abc");
    REQUIRE_FALSE(commit_sync(*st, std::move(b)));
  }
  CHECK(st->user_credentials("ab").size() == 2);  // the stale one is not ab's
  CHECK(st->user_credentials("abc").size() == 2);

  {
    write_batch b;
    b.erase_user("ab", st->user_credentials("ab"));
    REQUIRE_FALSE(commit_sync(*st, std::move(b)));
  }
  CHECK(st->get_user("ab").err().code == errc::not_found);
  CHECK(st->find_credential(credential_kind::card, "card-ab").err().code == errc::not_found);
  CHECK(st->find_credential(credential_kind::pin, "1111").err().code == errc::not_found);
  CHECK(st->user_credentials("ab").empty());
  CHECK(*st->find_credential(credential_kind::card, "card-abc") == "abc");
  CHECK(*st->find_credential(credential_kind::card, "shared") == "abc");
  CHECK(st->get_user("abc").ok());
  CHECK(names(st->list_users()) == std::vector<std::string>{"abc"});

  // A user made again under the old name starts with no credentials.
  {
    write_batch b;
    b.put_user(make_user("ab"));
    REQUIRE_FALSE(commit_sync(*st, std::move(b)));
  }
  CHECK(st->user_credentials("ab").empty());

  // erase_credential removes both entries.
  {
    write_batch b;
    b.erase_credential(credential_kind::card, key(credential_kind::card, "shared"), "abc");
    REQUIRE_FALSE(commit_sync(*st, std::move(b)));
  }
  CHECK(st->find_credential(credential_kind::card, "shared").err().code == errc::not_found);
  auto left = st->user_credentials("abc");
  REQUIRE(left.size() == 1);
  CHECK(left[0].key == key(credential_kind::card, "card-abc"));
}

TEST_CASE("malformed stored user records are refused, not served") {
  temp_dir dir;
  auto st = open_store(dir.path());
  auto bad_name = make_user("x");
  bad_name.name = "tab\there";
  auto clear_password = make_user("eve");
  clear_password.password_hash = "hunter2";
  auto other_name = make_user("mallory");
  {
    write_batch b;
    b.put_user(make_user("good"));
    b.put(cf::users, keys::user("garbage"), "\xc1 not msgpack");
    b.put(cf::users, keys::user("truncated"), encode_user(make_user("truncated")).substr(0, 10));
    b.put(cf::users, keys::user("tab\there"), encode_user(bad_name));
    b.put(cf::users, keys::user("eve"), encode_user(clear_password));
    b.put(cf::users, keys::user("trudy"), encode_user(other_name));  // stored under another name
    REQUIRE_FALSE(commit_sync(*st, std::move(b)));
  }
  CHECK(st->get_user("good").ok());
  for (const char* n : {"garbage", "truncated", "eve", "trudy"}) {
    CAPTURE(n);
    auto r = st->get_user(n);
    REQUIRE_FALSE(r.ok());
    CHECK(r.err().code == errc::corruption);
  }
  CHECK(st->get_user("tab\there").err().code == errc::not_found);  // not a valid name to ask for
  CHECK(st->get_user("eve").err().describe().find("hunter2") == std::string::npos);
  // Listing skips what does not decode or sits under another name.
  auto listed = names(st->list_users());
  CHECK(std::find(listed.begin(), listed.end(), "good") != listed.end());
  CHECK(std::find(listed.begin(), listed.end(), "garbage") == listed.end());
  CHECK(std::find(listed.begin(), listed.end(), "eve") == listed.end());
  CHECK(std::find(listed.begin(), listed.end(), "mallory") == listed.end());
  CHECK(listed.size() == 1);
}

TEST_CASE("user names: 1 to 64 characters of UTF-8, no control characters") {
  CHECK_FALSE(validate_user_name("alice"));
  CHECK_FALSE(validate_user_name("jean.dupont@univ.example"));
  CHECK_FALSE(validate_user_name("Zoë Ångström"));
  CHECK_FALSE(validate_user_name(std::string(64, 'a')));
  CHECK(validate_user_name(std::string(65, 'a')).code == errc::invalid_argument);
  std::string e64;
  for (int i = 0; i < 64; ++i) e64 += "é";  // 128 bytes, 64 characters
  CHECK_FALSE(validate_user_name(e64));
  CHECK(validate_user_name(e64 + "é"));
  CHECK(validate_user_name(""));
  CHECK(validate_user_name(std::string("a\0b", 3)));
  CHECK(validate_user_name("a\nb"));
  CHECK(validate_user_name("a\x7f"));
  CHECK(validate_user_name("a\xc2\x85"));  // U+0085, a C1 control
  CHECK(validate_user_name("\xff"));        // not UTF-8
  CHECK(validate_user_name("\xc0\xaf"));    // overlong '/'
  CHECK(validate_user_name("\xed\xa0\x80"));  // a surrogate
  CHECK(validate_user_name("caf\xc3"));     // cut short

  auto u = make_user("alice");
  CHECK_FALSE(validate_user(u));
  u.groups.push_back("");
  CHECK(validate_user(u));
  u = make_user("alice");
  u.display_name = "line\nbreak";
  CHECK(validate_user(u));
  u = make_user("alice");
  u.password_hash = "plain text";
  CHECK(validate_user(u));
  u.groups.clear();
  u.password_hash.clear();
  CHECK_FALSE(validate_user(u));
}

TEST_CASE("user keys: a name's range holds its record and its credentials only") {
  std::string hmac(32, '\x5a');
  auto rec = keys::user("ab");
  auto back = keys::user_credential("ab", credential_kind::card, hmac);
  CHECK(keys::is_user_record_key(rec));
  CHECK_FALSE(keys::is_user_record_key(back));
  CHECK(rec < back);
  CHECK(back < keys::user_range_end("ab"));
  CHECK(keys::user("abc") > keys::user_range_end("ab"));
  CHECK(back.compare(0, keys::user_credentials_prefix("ab").size(), keys::user_credentials_prefix("ab")) == 0);
  credential_ref c;
  REQUIRE(keys::parse_credential(keys::credential(credential_kind::pin, hmac), c));
  CHECK(c.kind == credential_kind::pin);
  CHECK(c.key == hmac);
  CHECK_FALSE(keys::parse_credential(std::string("\x09") + hmac, c));
  CHECK_FALSE(keys::parse_credential(keys::credential(credential_kind::pin, hmac.substr(1)), c));
}

TEST_CASE("an API token is found by its value, listed with its record, revoked, and goes with its user") {
  temp_dir dir;
  const std::string token = "qt_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG";
  auto st = open_store(dir.path());
  std::string key = st->credential_key(credential_kind::api_token, token);
  api_token_record t{"alice", "backup script", "root", 1000, 0};
  {
    write_batch b;
    b.put_user(make_user("alice"));
    b.put_user(make_user("bob"));
    b.put_api_token(key, t);
    REQUIRE_FALSE(commit_sync(*st, std::move(b)));
  }
  auto found = st->find_api_token(token);
  REQUIRE(found.ok());
  CHECK(*found == t);
  // Near misses, and the token tried as another kind, find nothing.
  CHECK(st->find_api_token(token + "x").err().code == errc::not_found);
  CHECK(st->find_api_token("").err().code == errc::not_found);
  CHECK(st->find_credential(credential_kind::card, token).err().code == errc::not_found);
  CHECK(st->find_api_token(token + "x").err().describe().find(token) == std::string::npos);
  auto listed = st->api_tokens("alice");
  REQUIRE(listed.size() == 1);
  CHECK(listed[0].first == key);
  CHECK(listed[0].second == t);
  CHECK(api_token_id(key).size() == 12);
  CHECK(st->api_tokens("bob").empty());
  CHECK_FALSE(on_disk(dir.path(), token));
  // A token is a credential of its user: counted, and taken when the user goes.
  auto creds = st->user_credentials("alice");
  REQUIRE(creds.size() == 1);
  CHECK(creds[0].kind == credential_kind::api_token);
  SUBCASE("revoked") {
    write_batch b;
    b.erase_credential(credential_kind::api_token, key, "alice");
    REQUIRE_FALSE(commit_sync(*st, std::move(b)));
    CHECK(st->find_api_token(token).err().code == errc::not_found);
    CHECK(st->api_tokens("alice").empty());
  }
  SUBCASE("its user deleted") {
    write_batch b;
    b.erase_user("alice", st->user_credentials("alice"));
    REQUIRE_FALSE(commit_sync(*st, std::move(b)));
    CHECK(st->find_api_token(token).err().code == errc::not_found);
    CHECK(st->api_tokens("alice").empty());
  }
}
