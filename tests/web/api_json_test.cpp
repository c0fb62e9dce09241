#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "web/api_json.hpp"

using namespace quire;
using namespace quire::web;
using nlohmann::json;

TEST_CASE("user_json shows counts and flags, never a hash or a credential") {
  user_info u;
  u.record.name = "bob";
  u.record.display_name = "Bob";
  u.record.groups = {"staff"};
  u.record.admin = true;
  u.record.password_hash = "$scrypt$ln=14,r=8,p=1$c2FsdA$aGFzaA";  // a careless service left it: still not shown
  u.record.created_ms = 5;
  u.record.updated_ms = 6;
  u.has_password = true;
  u.cards = 3;
  u.pin = true;
  std::string text = user_json(u);
  CHECK(text.find("scrypt") == std::string::npos);
  auto j = nlohmann::ordered_json::parse(text);
  std::vector<std::string> keys;
  for (auto& [k, v] : j.items()) keys.push_back(k);
  CHECK(keys == std::vector<std::string>{"name", "display_name", "groups", "admin", "disabled", "password", "cards",
                                         "pin", "created_ms", "updated_ms", "email", "source", "dn",
                                         "directory_state", "pin_choice", "pin_by_mail"});
  CHECK(j["password"] == true);
  CHECK(j["cards"] == 3);
  CHECK(j["created_ms"] == 5);
}

TEST_CASE("rendering never throws on bytes that are not UTF-8") {
  user_info u;
  u.record.name = "b\xff";
  auto j = json::parse(user_json(u));
  CHECK(j["name"] == "b\xef\xbf\xbd");
  CHECK(json::parse(error_json("x", "bad \xc3"))["message"].is_string());
}

TEST_CASE("user_list_json and principal_json") {
  std::vector<user_info> users(2);
  users[0].record.name = "a";
  users[1].record.name = "b";
  auto j = json::parse(user_list_json(users, std::string("b")));
  CHECK(j["users"].size() == 2);
  CHECK(j["next"] == "b");
  CHECK(json::parse(user_list_json({}, std::nullopt))["next"].is_null());
  CHECK(json::parse(principal_json({"alice", false})) == json({{"name", "alice"}, {"admin", false}}));
  CHECK(json::parse(error_json("not_found", "no user \"x\"")) ==
        json({{"error", "not_found"}, {"message", "no user \"x\""}}));
}

TEST_CASE("parse_new_user: defaults, and validate_user's rules") {
  auto r = parse_new_user(R"({"name":"bob"})");
  REQUIRE(r.ok());
  CHECK(r->user.name == "bob");
  CHECK(r->user.display_name.empty());
  CHECK_FALSE(r->user.admin);
  CHECK_FALSE(r->password);

  r = parse_new_user(R"({"name":"bob","disabled":true,"admin":true,"password":"x"})");
  REQUIRE(r.ok());
  CHECK(r->user.disabled);
  CHECK(r->user.admin);
  CHECK(*r->password == "x");

  CHECK_FALSE(parse_new_user(R"({"name":"bob","groups":[""]})").ok());
  CHECK_FALSE(parse_new_user(R"({"name":"bob","display_name":"tab\there"})").ok());
  CHECK_FALSE(parse_new_user(R"({"name":"bob","display_name":")" + std::string(257, 'd') + "\"}").ok());
  std::string many = R"({"name":"bob","groups":[)";
  for (int i = 0; i < 257; ++i) many += (i ? ",\"g" : "\"g") + std::to_string(i) + "\"";
  CHECK_FALSE(parse_new_user(many + "]}").ok());
}

TEST_CASE("parse_user_patch keeps absent fields absent") {
  auto p = parse_user_patch("bob", R"({"disabled":false})");
  REQUIRE(p.ok());
  CHECK_FALSE(p->display_name);
  CHECK_FALSE(p->groups);
  CHECK_FALSE(p->admin);
  REQUIRE(p->disabled);
  CHECK_FALSE(*p->disabled);
  p = parse_user_patch("bob", R"({"groups":[]})");
  REQUIRE(p.ok());
  CHECK(p->groups->empty());
  CHECK_FALSE(parse_user_patch("bob", R"({"groups":["bad\u0001"]})").ok());
}

TEST_CASE("parse_card_id and parse_pin follow credential_limits") {
  credential_limits lim;
  lim.max_card_id_chars = 8;
  lim.min_pin_digits = 6;
  lim.max_pin_digits = 6;
  CHECK(*parse_card_id(R"({"card_id":"ABCDEF01"})", lim) == "ABCDEF01");
  CHECK_FALSE(parse_card_id(R"({"card_id":"ABCDEF012"})", lim).ok());
  CHECK_FALSE(parse_card_id(R"({"card_id":"\u00e9"})", lim).ok());
  CHECK(*parse_pin(R"({"pin":"000000"})", lim) == "000000");
  CHECK_FALSE(parse_pin(R"({"pin":"00000"})", lim).ok());
  CHECK(*parse_password(R"({"password":"p\u00e4ss word"})") == "p\xc3\xa4ss word");
}

TEST_CASE("check_json_body: the checks every body passes") {
  CHECK_FALSE(check_json_body(R"({"a":1})"));
  CHECK(check_json_body("").code == errc::invalid_argument);
  CHECK(check_json_body("[1]").message.find("JSON object") != std::string::npos);
  CHECK(check_json_body(R"({"a":1,"a":2})").message.find("twice") != std::string::npos);
  CHECK(check_json_body(R"({"a":[[[[[[[[1]]]]]]]]})").message.find("deeper") != std::string::npos);
  CHECK(check_json_body("{\"a\":\"\xff\"}").code == errc::invalid_argument);
}

TEST_CASE("parse_credit, parse_delegates and parse_terminal_request") {
  auto c = parse_credit(R"({"amount":250})");
  REQUIRE(c.ok());
  CHECK(c->kind == ledger_kind::topup);
  CHECK(c->amount == 250);
  CHECK(c->note.empty());
  c = parse_credit(R"({"amount":-1000000000000,"kind":"adjust","note":"refund of job 7"})");
  REQUIRE(c.ok());
  CHECK(c->kind == ledger_kind::adjust);
  CHECK(c->amount == -max_credit_amount);
  CHECK(c->note == "refund of job 7");
  CHECK_FALSE(parse_credit(R"({"amount":250,"note":"a\u0085b"})").ok());  // C1 control

  auto d = parse_delegates("alice", R"({"delegates":["bob","\u00e9mile"]})");
  REQUIRE(d.ok());
  CHECK(*d == std::vector<std::string>{"bob", "\xc3\xa9mile"});
  CHECK(parse_delegates("alice", R"({"delegates":[]})")->empty());
  CHECK_FALSE(parse_delegates("alice", R"({"delegates":["Alice","alice"]})").ok());

  auto t = parse_terminal_request(R"({"printer":"lab-1","name":"panel"})");
  REQUIRE(t.ok());
  CHECK(t->name == "panel");
  CHECK(t->printer == "lab-1");
}

TEST_CASE("account_json, ledger_json and terminal JSON") {
  account_info a;
  a.name = "project:physics";
  a.balance = -5;
  a.available = -5;
  a.unlimited = true;
  a.money = {"JPY", 0};
  auto j = json::parse(account_json(a));
  CHECK(j["balance_text"] == "-5 JPY");
  CHECK(j["minor_digits"] == 0);
  CHECK(j["unlimited"] == true);
  CHECK(j["quota"].is_null());
  a.has_quota = true;  // a quota whose period has no end recorded
  CHECK(json::parse(account_json(a))["quota"] == json::parse(R"({"sheets_left":0,"resets":null})"));

  ledger_entry e;
  e.kind = ledger_kind::refund;
  e.job_id = 9;
  e.amount = 60;
  e.note = "bad \xff";
  j = json::parse(ledger_json({e}, {"EUR", 2}));
  CHECK(j["entries"][0]["kind"] == "refund");
  CHECK(j["entries"][0]["job"] == 9);
  CHECK(j["entries"][0]["amount_text"] == "0.60 EUR");
  CHECK(j["entries"][0]["time"].is_null());
  CHECK(j["entries"][0]["note"] == "bad \xef\xbf\xbd");
  CHECK(json::parse(ledger_json({}, {})) == json::parse(R"({"entries":[]})"));
  CHECK(json::parse(delegates_json({"bob"})) == json::parse(R"({"delegates":["bob"]})"));

  terminal_view t{"panel", "lab-1", "root", 0, "secret-token"};
  CHECK(json::parse(terminal_view_json(t, true))["token"] == "secret-token");
  CHECK(terminal_view_json(t, false).find("secret-token") == std::string::npos);
  CHECK(terminal_list_json({t}).find("secret-token") == std::string::npos);
  CHECK(json::parse(terminal_list_json({t}))["terminals"][0]["created"].is_null());
}
