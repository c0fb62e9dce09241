// The accounting endpoints of the admin API: accounts, credit, the ledger,
// delegates and terminals, with route_admin_api()'s accounting_service.
#include <doctest/doctest.h>

#include "api_test_util.hpp"
#include "fake_accounting_service.hpp"

using namespace quire;
using namespace quire::testing;
using nlohmann::json;

namespace {

// api_harness with an accounting service (or none, `with_accounting` off).
struct accounting_harness {
  fake_user_service users;
  fake_job_service jobs;
  fake_accounting_service accounting;
  web::api_options options;
  bool with_accounting = true;

  accounting_harness() {
    users.add("root", "root-password-1", true);
    for (const char* name : {"alice", "bob", "carol"}) users.add(name, std::string(name) + "-password-1");
    accounting.add_user("root");
    accounting.add_user("alice", 1250);
    accounting.add_user("bob", 40);
    accounting.add_user("carol");
  }

  /// Sends a request as `as`; the handler is destroyed right after on_end()
  /// (as the server may). The reply fills in when the services answer.
  std::shared_ptr<api_reply> start(const std::string& method, const std::string& target,
                                   const std::string& body = "", const std::string& as = "root") {
    auto box = std::make_shared<api_reply>();
    std::string authorization = basic(as, users.accounts.at(as).password);
    http::request_head head = make_head(method, target, body, std::nullopt, false, {{"Authorization", authorization}});
    io::request_info info{head, "192.0.2.7", "127.0.0.1:8631", true};
    auto* acc = with_accounting ? &accounting : nullptr;
    drive(web::route_admin_api(info, capture(box), users, jobs, options, acc), *box, body);
    return box;
  }

  api_reply send(const std::string& method, const std::string& target, const std::string& body = "",
                 const std::string& as = "root") {
    return *start(method, target, body, as);
  }
};

}  // namespace

TEST_CASE("GET /api/v1/users/{name}/account: the account, for the user themself or an administrator") {
  accounting_harness h;
  auto& alice = h.accounting.accounts["alice"];
  alice.reserved = 60;
  alice.available = 1190;
  alice.has_quota = true;
  alice.quota_sheets_left = 120;
  alice.quota_period_end_ms = 1717200000000;  // 2024-06-01T00:00:00Z

  auto r = h.send("GET", "/api/v1/users/alice/account", "", "alice");
  REQUIRE(r.status() == 200);
  CHECK(r.header("Cache-Control") == "no-store");
  CHECK(r.json() == json::parse(R"({"name":"alice","balance":1250,"reserved":60,"available":1190,
    "unlimited":false,"quota":{"sheets_left":120,"resets":"2024-06-01T00:00:00.000Z"},"currency":"EUR",
    "minor_digits":2,"balance_text":"12.50 EUR","available_text":"11.90 EUR"})"));
  CHECK(h.accounting.calls.back() == "get_account alice by alice");

  r = h.send("GET", "/api/v1/users/bob/account");  // root
  REQUIRE(r.status() == 200);
  CHECK(r.json()["quota"].is_null());
  CHECK(r.json()["balance_text"] == "0.40 EUR");

  h.accounting.calls.clear();
  r = h.send("GET", "/api/v1/users/bob/account", "", "alice");
  CHECK(r.status() == 403);
  CHECK(r.error() == "forbidden");
  CHECK(h.accounting.calls.empty());

  r = h.send("GET", "/api/v1/users/nobody/account");
  CHECK(r.status() == 404);
  CHECK(r.error() == "not_found");
}

TEST_CASE("POST /api/v1/users/{name}/credit: administrators top up and adjust") {
  accounting_harness h;
  auto r = h.send("POST", "/api/v1/users/alice/credit", R"({"amount":500,"note":"cash at the desk"})");
  REQUIRE(r.status() == 200);
  CHECK(r.json()["balance"] == 1750);
  CHECK(r.json()["balance_text"] == "17.50 EUR");
  REQUIRE(h.accounting.ledgers["alice"].size() == 1);
  const auto& e = h.accounting.ledgers["alice"][0];
  CHECK(e.kind == ledger_kind::topup);
  CHECK(e.amount == 500);
  CHECK(e.by == "root");
  CHECK(e.note == "cash at the desk");

  r = h.send("POST", "/api/v1/users/alice/credit", R"({"amount":-125,"kind":"adjust"})");
  REQUIRE(r.status() == 200);
  CHECK(r.json()["balance"] == 1625);
  CHECK(h.accounting.ledgers["alice"][1].kind == ledger_kind::adjust);
  r = h.send("POST", "/api/v1/users/alice/credit", R"({"amount":1000000000000,"kind":"topup"})");
  CHECK(r.status() == 200);

  // Not even for themself: credit is the administrators'.
  h.accounting.calls.clear();
  for (const char* as : {"alice", "bob"}) {
    CAPTURE(as);
    r = h.send("POST", "/api/v1/users/alice/credit", R"({"amount":500})", as);
    CHECK(r.status() == 403);
  }
  CHECK(h.accounting.calls.empty());

  r = h.send("POST", "/api/v1/users/nobody/credit", R"({"amount":5})");
  CHECK(r.status() == 404);
  h.accounting.fail_next = error(errc::invalid_argument, "that credit would overflow the balance");
  r = h.send("POST", "/api/v1/users/alice/credit", R"({"amount":5})");
  CHECK(r.status() == 400);
  CHECK(r.message() == "that credit would overflow the balance");
}

TEST_CASE("POST /api/v1/users/{name}/credit: the body is validated before the service hears of it") {
  accounting_harness h;
  struct bad_body {
    std::string body;
    const char* says;
  };
  for (const auto& b : std::initializer_list<bad_body>{
           {R"({"amount":0})", "must not be 0"},
           {R"({"amount":-5})", "top-up must be positive"},
           {R"({"amount":-5,"kind":"topup"})", "top-up must be positive"},
           {R"({"amount":5.5})", "whole number"},
           {R"({"amount":5.0})", "whole number"},
           {R"({"amount":1e3})", "whole number"},
           {R"({"amount":"500"})", "whole number"},
           {R"({"amount":true})", "whole number"},
           {R"({"amount":1000000000001})", "whole number"},
           {R"({"amount":-1000000000001,"kind":"adjust"})", "whole number"},
           {R"({"amount":18446744073709551615})", "whole number"},
           {R"({"amount":-9223372036854775808,"kind":"adjust"})", "whole number"},
           {R"({"amount":99999999999999999999999})", "whole number"},
           {R"({"kind":"topup"})", "\"amount\" is required"},
           {R"({"amount":5,"kind":"refund"})", "\"kind\" must be"},
           {R"({"amount":5,"kind":"charge"})", "\"kind\" must be"},
           {R"({"amount":5,"kind":2})", "\"kind\" must be"},
           {R"({"amount":5,"note":7})", "\"note\" must be a string"},
           {R"({"amount":5,"note":")" + std::string(257, 'n') + "\"}", "at most 256"},
           {R"({"amount":5,"note":"bell\u0007"})", "control"},
           {R"({"amount":5,"by":"mallory"})", "unknown field \"by\""},
           {R"({"amount":5,"amount":6})", "twice"},
           {R"([5])", "JSON object"},
       }) {
    CAPTURE(b.body);
    auto r = h.send("POST", "/api/v1/users/alice/credit", b.body);
    CHECK(r.status() == 400);
    CHECK(r.error() == "invalid_argument");
    CHECK(r.message().find(b.says) != std::string::npos);
  }
  CHECK(h.accounting.calls.empty());
  // 256 characters are fine, counted as characters, not bytes.
  std::string note;
  for (int i = 0; i < 256; ++i) note += "\xc3\xa9";
  CHECK(h.send("POST", "/api/v1/users/alice/credit", R"({"amount":5,"note":")" + note + "\"}").status() == 200);
}

TEST_CASE("GET /api/v1/users/{name}/ledger: newest entries first, written in the account's currency") {
  accounting_harness h;
  h.accounting.money = {"CHF", 2};
  h.accounting.accounts["alice"].money = {"CHF", 2};
  ledger_entry charge;
  charge.account = "alice";
  charge.kind = ledger_kind::charge;
  charge.job_id = 42;
  charge.attempt = 1;
  charge.amount = -60;
  charge.balance_after = 1190;
  charge.pages = 3;
  charge.sheets = 2;
  charge.colour_sheets = 1;
  charge.owner = "bob";
  charge.printed_by = "alice";
  charge.printer = "lab-1";
  charge.price_list = "standard";
  charge.time_ms = 1714552200250;
  h.accounting.ledgers["alice"].push_back(charge);
  REQUIRE(h.send("POST", "/api/v1/users/alice/credit", R"({"amount":10})").status() == 200);

  auto r = h.send("GET", "/api/v1/users/alice/ledger", "", "alice");
  REQUIRE(r.status() == 200);
  auto entries = r.json()["entries"];
  REQUIRE(entries.size() == 2);
  CHECK(entries[0]["kind"] == "topup");
  CHECK(entries[0]["job"].is_null());
  CHECK(entries[0]["by"] == "root");
  CHECK(entries[1] == json::parse(R"({"kind":"charge","job":42,"attempt":1,"amount":-60,"amount_text":"-0.60 CHF",
    "balance_after":1190,"balance_after_text":"11.90 CHF","pages":3,"sheets":2,"colour_sheets":1,"owner":"bob",
    "printed_by":"alice","printer":"lab-1","project":"","price_list":"standard","by":"","note":"",
    "time":"2024-05-01T08:30:00.250Z"})"));
  CHECK(h.accounting.ledger_limits.back() == 100);

  r = h.send("GET", "/api/v1/users/alice/ledger?limit=1");
  REQUIRE(r.status() == 200);
  CHECK(r.json()["entries"].size() == 1);
  CHECK(h.accounting.ledger_limits.back() == 1);

  for (const char* q : {"?limit=0", "?limit=1001", "?limit=x", "?after=3", "?limit=1&limit=2"}) {
    CAPTURE(q);
    CHECK(h.send("GET", std::string("/api/v1/users/alice/ledger") + q).status() == 400);
  }
  CHECK(h.send("GET", "/api/v1/users/alice/ledger", "", "bob").status() == 403);
  CHECK(h.send("GET", "/api/v1/users/nobody/ledger").status() == 404);
  h.accounting.calls.clear();
  CHECK(h.send("GET", "/api/v1/users/alice/account?limit=1", "", "alice").status() == 400);  // no query here
  CHECK(h.accounting.calls.empty());
}

TEST_CASE("delegates: the user or an administrator reads and replaces them") {
  accounting_harness h;
  auto r = h.send("GET", "/api/v1/users/alice/delegates", "", "alice");
  REQUIRE(r.status() == 200);
  CHECK(r.json() == json::parse(R"({"delegates":[]})"));

  r = h.send("PUT", "/api/v1/users/alice/delegates", R"({"delegates":["bob","carol"]})", "alice");
  REQUIRE(r.status() == 200);
  CHECK(r.json() == json::parse(R"({"delegates":["bob","carol"]})"));
  CHECK(h.accounting.delegates["alice"] == std::vector<std::string>{"bob", "carol"});

  r = h.send("PUT", "/api/v1/users/alice/delegates", R"({"delegates":[]})");  // root clears them
  REQUIRE(r.status() == 200);
  CHECK(h.accounting.delegates["alice"].empty());

  h.accounting.calls.clear();
  CHECK(h.send("GET", "/api/v1/users/alice/delegates", "", "bob").status() == 403);
  CHECK(h.send("PUT", "/api/v1/users/alice/delegates", R"({"delegates":["bob"]})", "bob").status() == 403);
  CHECK(h.accounting.calls.empty());
  CHECK(h.send("PUT", "/api/v1/users/alice/delegates", R"({"delegates":["nobody"]})").status() == 404);

  std::string many = R"({"delegates":[)";
  for (int i = 0; i < 33; ++i) many += (i ? ",\"u" : "\"u") + std::to_string(i) + "\"";
  many += "]}";
  struct bad_body {
    std::string body;
    const char* says;
  };
  for (const auto& b : std::initializer_list<bad_body>{
           {R"({"delegates":["bob","bob"]})", "twice"},
           {R"({"delegates":["alice"]})", "own delegate"},
           {many, "at most 32"},
           {R"({"delegates":"bob"})", "array of user names"},
           {R"({"delegates":[7]})", "array of user names"},
           {R"({"delegates":[""]})", "delegates"},
           {R"({"delegates":["tab\tname"]})", "delegates"},
           {R"({})", "required"},
           {R"({"delegates":[],"extra":1})", "unknown field"},
       }) {
    CAPTURE(b.body);
    r = h.send("PUT", "/api/v1/users/alice/delegates", b.body, "alice");
    CHECK(r.status() == 400);
    CHECK(r.message().find(b.says) != std::string::npos);
  }
}

TEST_CASE("terminals: administrators register, list and revoke them, the token shows once") {
  accounting_harness h;
  h.accounting.add_terminal("kiosk-a", "lab-2");

  auto r = h.send("POST", "/api/v1/terminals", R"({"name":"panel 1","printer":"lab-1"})");
  REQUIRE(r.status() == 201);
  CHECK(r.header("Location") == "/api/v1/terminals/panel%201");
  auto made = r.json();
  CHECK(made["name"] == "panel 1");
  CHECK(made["printer"] == "lab-1");
  CHECK(made["created_by"] == "root");
  CHECK(made["created"] == "2024-05-01T08:30:00.250Z");
  REQUIRE(made["token"].is_string());
  std::string token = made["token"];
  CHECK(token == h.accounting.terminals["panel 1"].token);

  h.accounting.leak_tokens_in_list = true;  // even then, the listing shows none
  r = h.send("GET", "/api/v1/terminals");
  REQUIRE(r.status() == 200);
  auto list = r.json()["terminals"];
  REQUIRE(list.size() == 2);
  CHECK(list[0] == json::parse(R"({"name":"kiosk-a","printer":"lab-2","created_by":"root",
    "created":"2024-05-01T08:30:00.250Z"})"));
  CHECK(list[1]["name"] == "panel 1");
  CHECK(r.response.body.find("token") == std::string::npos);

  CHECK(h.send("POST", "/api/v1/terminals", R"({"name":"panel 1","printer":"lab-1"})").status() == 409);
  CHECK(h.send("POST", "/api/v1/terminals", R"({"name":"panel 2","printer":"lab-9"})").status() == 404);

  r = h.send("DELETE", "/api/v1/terminals/panel%201");
  CHECK(r.status() == 204);
  CHECK(r.response.body.empty());
  CHECK(h.accounting.terminals.count("panel 1") == 0);
  CHECK(h.send("DELETE", "/api/v1/terminals/panel%201").status() == 404);

  h.accounting.calls.clear();
  CHECK(h.send("GET", "/api/v1/terminals", "", "alice").status() == 403);
  CHECK(h.send("POST", "/api/v1/terminals", R"({"name":"t","printer":"lab-1"})", "alice").status() == 403);
  CHECK(h.send("DELETE", "/api/v1/terminals/kiosk-a", "", "alice").status() == 403);
  CHECK(h.accounting.calls.empty());
}

TEST_CASE("terminals: names, printers and paths are validated") {
  accounting_harness h;
  for (const char* body : {R"({"name":"","printer":"lab-1"})", R"({"name":"t\u0001","printer":"lab-1"})",
                           R"({"printer":"lab-1"})", R"({"name":"t"})", R"({"name":"t","printer":""})",
                           R"({"name":"t","printer":"lab 1"})", R"({"name":"t","printer":"lab/1"})",
                           R"({"name":7,"printer":"lab-1"})", R"({"name":"t","printer":"lab-1","token":"x"})"}) {
    CAPTURE(body);
    auto r = h.send("POST", "/api/v1/terminals", body);
    CHECK(r.status() == 400);
    CHECK(r.error() == "invalid_argument");
  }
  std::string long_printer = R"({"name":"t","printer":")" + std::string(65, 'p') + "\"}";
  CHECK(h.send("POST", "/api/v1/terminals", long_printer).status() == 400);
  CHECK(h.accounting.calls.empty());

  CHECK(h.send("DELETE", "/api/v1/terminals/%").status() == 400);
  CHECK(h.send("DELETE", "/api/v1/terminals/a/b").status() == 404);
  CHECK(h.send("DELETE", "/api/v1/terminals/").status() == 404);
  auto r = h.send("GET", "/api/v1/terminals/x");
  CHECK(r.status() == 405);
  CHECK(r.header("Allow") == "DELETE");
  r = h.send("DELETE", "/api/v1/terminals");
  CHECK(r.status() == 405);
  CHECK(r.header("Allow") == "GET, POST");
  CHECK(h.send("POST", "/api/v1/terminals", "").status() == 415);  // no JSON Content-Type without a body
}

TEST_CASE("accounting: without a service every endpoint is 503 unavailable, after authentication") {
  accounting_harness h;
  h.with_accounting = false;
  struct call {
    const char* method;
    const char* target;
    const char* body;
  };
  for (auto c : std::initializer_list<call>{{"GET", "/api/v1/users/alice/account", ""},
                                            {"POST", "/api/v1/users/alice/credit", R"({"amount":5})"},
                                            {"GET", "/api/v1/users/alice/ledger", ""},
                                            {"GET", "/api/v1/users/alice/delegates", ""},
                                            {"PUT", "/api/v1/users/alice/delegates", R"({"delegates":[]})"},
                                            {"GET", "/api/v1/terminals", ""},
                                            {"POST", "/api/v1/terminals", R"({"name":"t","printer":"lab-1"})"},
                                            {"DELETE", "/api/v1/terminals/t", ""}}) {
    CAPTURE(c.target);
    auto r = h.send(c.method, c.target, c.body);
    CHECK(r.answers == 1);
    CHECK(r.status() == 503);
    CHECK(r.error() == "unavailable");
  }
  // Authorization still comes first; the rest of the API is untouched.
  CHECK(h.send("GET", "/api/v1/users/bob/account", "", "alice").status() == 403);
  CHECK(h.send("GET", "/api/v1/users/alice/account", "", "alice").status() == 503);
  CHECK(h.send("GET", "/api/v1/users/alice").status() == 200);
  CHECK(h.send("GET", "/api/v1/users/bob", "", "alice").status() == 403);
}

TEST_CASE("accounting: late answers arrive once, after the handler is gone") {
  accounting_harness h;
  h.accounting.deferred = true;
  auto reply = h.start("GET", "/api/v1/users/alice/ledger", "", "alice");
  CHECK(reply->answers == 0);
  h.accounting.run_pending();  // get_account answers; ledger is queued
  CHECK(reply->answers == 0);
  h.accounting.run_pending();
  CHECK(reply->answers == 1);
  CHECK(reply->status() == 200);
  CHECK(reply->json()["entries"].is_array());

  reply = h.start("POST", "/api/v1/terminals", R"({"name":"late","printer":"lab-1"})");
  h.accounting.run_pending();
  CHECK(reply->answers == 1);
  CHECK(reply->status() == 201);
}
