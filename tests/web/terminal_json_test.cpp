#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

#include "web/terminal_api.hpp"
#include "web/terminal_json.hpp"

using namespace quire;
using nlohmann::json;

namespace {

const web::credential_limits limits;

bool login_fails(const std::string& body) { return !web::parse_login(body, limits).ok(); }
bool release_fails(const std::string& body) { return !web::parse_release(body).ok(); }

}  // namespace

TEST_CASE("parse_login: exactly one of the six shapes") {
  auto card = web::parse_login(R"({"card":"04:A2:3B"})", limits);
  REQUIRE(card.ok());
  CHECK(card->card == "04:A2:3B");
  CHECK(card->pin.empty());
  auto pin = web::parse_login(R"({"pin":"0042"})", limits);
  REQUIRE(pin.ok());
  CHECK(pin->pin == "0042");
  auto both = web::parse_login(R"({"pin":"1234","card":"C"})", limits);
  REQUIRE(both.ok());
  CHECK(both->card == "C");
  CHECK(both->pin == "1234");
  auto pw = web::parse_login(R"({"user":"bob smith","password":"p: w"})", limits);
  REQUIRE(pw.ok());
  CHECK(pw->user == "bob smith");
  CHECK(pw->password == "p: w");
  // A card with a name and password: the card's enrolment.
  auto enrol = web::parse_login(R"({"card":"C","user":"b","password":"x"})", limits);
  REQUIRE(enrol.ok());
  CHECK(enrol->card == "C");
  CHECK(enrol->user == "b");
  // A card with a one-time code from the portal: the same, by code.
  auto by_code = web::parse_login(R"({"card":"C","code":"04918273"})", limits);
  REQUIRE(by_code.ok());
  CHECK(by_code->card == "C");
  CHECK(by_code->code == "04918273");
  CHECK(by_code->user.empty());

  for (const char* body : {R"({"code":"04918273"})", R"({"card":"C","pin":"1234","code":"04918273"})",
                           R"({"card":"C","user":"b","password":"x","code":"04918273"})",
                           R"({"pin":"1234","code":"04918273"})", R"({"card":"C","code":"0491827"})",
                           R"({"card":"C","code":"049182731"})", R"({"card":"C","code":"0491 827"})",
                           R"({"card":"C","code":4918273})", R"({"card":"C","code":""})"}) {
    CAPTURE(body);
    auto r = web::parse_login(body, limits);
    REQUIRE_FALSE(r.ok());
    CHECK(r.err().code == errc::invalid_argument);
    CHECK(r.err().message.find("0491") == std::string::npos);
  }

  for (const char* body : {R"({})", R"({"user":"bob"})", R"({"password":"x"})", R"({"card":"C","password":"x"})",
                           R"({"pin":"1234","user":"bob","password":"x"})", R"({"card":"C","user":"b"})",
                           R"({"card":"C","pin":"1234","user":"b","password":"x"})", R"({"pin":"1234","user":"b"})"}) {
    CAPTURE(body);
    auto r = web::parse_login(body, limits);
    REQUIRE_FALSE(r.ok());
    CHECK(r.err().code == errc::invalid_argument);
  }
}

TEST_CASE("parse_login: bounds and types of each field") {
  CHECK_FALSE(login_fails(R"({"card":")" + std::string(128, 'Z') + "\"}"));
  CHECK(login_fails(R"({"card":")" + std::string(129, 'Z') + "\"}"));
  CHECK(login_fails(R"({"card":"a b"})"));
  CHECK(login_fails(R"({"card":"caf\u00e9"})"));
  CHECK(login_fails(R"({"card":""})"));
  CHECK(login_fails(R"({"card":42})"));
  CHECK_FALSE(login_fails(R"({"pin":"1234"})"));
  CHECK_FALSE(login_fails(R"({"pin":"1234567890123456"})"));
  CHECK(login_fails(R"({"pin":"12345678901234567"})"));  // credential_limits: at most 16 digits
  CHECK(login_fails(R"({"pin":"123"})"));
  CHECK(login_fails(R"({"pin":"12a4"})"));
  CHECK(login_fails(R"({"pin":1234})"));
  CHECK(login_fails(R"({"user":"","password":"x"})"));
  CHECK(login_fails(R"({"user":"a\u0000b","password":"x"})"));
  CHECK(login_fails(R"({"user":")" + std::string(65, 'u') + R"(","password":"x"})"));
  CHECK(login_fails(R"({"user":"bob","password":""})"));
  CHECK(login_fails(R"({"user":"bob","password":"a\u0000"})"));
  CHECK_FALSE(login_fails(R"({"user":"bob","password":")" + std::string(1024, 'p') + "\"}"));
  CHECK(login_fails(R"({"user":"bob","password":")" + std::string(1025, 'p') + "\"}"));

  web::credential_limits wide;
  wide.max_pin_digits = 32;
  CHECK(web::parse_login(R"({"pin":"12345678901234567"})", wide).ok());
}

TEST_CASE("parse_login: structure, and messages that never quote a secret") {
  for (const char* body : {"", "[]", "\"card\"", "{", R"({"card":"C",})", R"({"card":"C","card":"D"})",
                           R"({"card":"C","Card":"D"})", R"({"card":"C"} {})", R"({"card":{"a":[[[[[[[[1]]]]]]]]}})"}) {
    CAPTURE(body);
    CHECK(login_fails(body));
  }
  auto r = web::parse_login(R"({"secret-card-99":"x"})", limits);
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().message.find("secret-card-99") == std::string::npos);
  r = web::parse_login(R"({"card":"SECRET CARD"})", limits);
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().message.find("SECRET") == std::string::npos);
  r = web::parse_login(R"({"user":"bob","password":"hunter2","x":1})", limits);
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().message == "unknown field \"x\"");
}

TEST_CASE("parse_release: jobs or all, project, pins") {
  auto r = web::parse_release(R"({"jobs":[3,1,2]})");
  REQUIRE(r.ok());
  CHECK(r->jobs == std::vector<uint64_t>{3, 1, 2});  // in the order given
  CHECK_FALSE(r->all);
  CHECK(r->project.empty());

  r = web::parse_release(R"({"all":true,"project":"physics","pins":{"7":"0042","12":"123456789"}})");
  REQUIRE(r.ok());
  CHECK(r->all);
  CHECK(r->jobs.empty());
  CHECK(r->project == "physics");
  CHECK(r->pins.size() == 2);
  CHECK(r->pins.at(7) == "0042");

  r = web::parse_release(R"({"jobs":[18446744073709551615],"pins":{"18446744073709551615":"1111"}})");
  REQUIRE(r.ok());
  CHECK(r->jobs[0] == UINT64_MAX);
  CHECK_FALSE(r->reprint);

  r = web::parse_release(R"({"jobs":[5],"reprint":true})");
  REQUIRE(r.ok());
  CHECK(r->reprint);

  std::string thousand = R"({"jobs":[)";
  for (int i = 1; i <= 1000; ++i) thousand.append(i > 1 ? "," : "").append(std::to_string(i));
  CHECK(web::parse_release(thousand + "]}").ok());
  CHECK(release_fails(thousand + ",1001]}"));
}

TEST_CASE("parse_release: what is refused") {
  for (const char* body :
       {R"({})", R"({"jobs":[]})", R"({"jobs":[0]})", R"({"jobs":[-1]})", R"({"jobs":[1.0]})", R"({"jobs":[1e3]})",
        R"({"jobs":["1"]})", R"({"jobs":[18446744073709551616]})", R"({"jobs":1})", R"({"jobs":[1,1]})",
        R"({"all":false})", R"({"all":"true"})", R"({"all":true,"jobs":[1]})", R"({"jobs":[1],"project":""})",
        R"({"jobs":[1],"project":7})", R"({"jobs":[1],"pins":[]})", R"({"jobs":[1],"pins":{"x":"1234"}})",
        R"({"jobs":[1],"pins":{"-1":"1234"}})", R"({"jobs":[1],"pins":{"0":"1234"}})",
        R"({"jobs":[1],"pins":{" 1":"1234"}})", R"({"jobs":[1],"pins":{"1":1234}})",
        R"({"jobs":[1],"pins":{"1":"12"}})",
        R"({"jobs":[1],"pins":{"1":"12 4"}})", R"({"jobs":[1],"pins":{"2":"1234"}})",
        R"({"all":true,"pins":{"1":"1234","01":"1234"}})", R"({"jobs":[1],"pins":{"1":"1234","1":"1234"}})",
        R"({"jobs":[1],"extra":null})", R"({"jobs":[1],"reprint":1})", R"({"all":true,"reprint":true})"}) {
    CAPTURE(body);
    auto r = web::parse_release(body);
    REQUIRE_FALSE(r.ok());
    CHECK(r.err().code == errc::invalid_argument);
  }
  auto r = web::parse_release(R"({"jobs":[1],"pins":{"1":"98765432109876543210987654321098x"}})");
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().message.find("98765") == std::string::npos);
}

TEST_CASE("terminal_info_json and session_json") {
  web::terminal_info info;
  info.id = {"t1", "lab-1"};
  info.printer_state = "stopped";
  info.printer_message = "out of paper";
  info.methods.card_pin = true;
  auto j = json::parse(web::terminal_info_json(info));
  CHECK(j["terminal"] == "t1");
  CHECK(j["printer_state"] == "stopped");
  CHECK(j["login"] == json({{"card", true}, {"pin", false}, {"password", true}, {"card_pin", true},
                            {"card_requires_pin", false}, {"enrol_cards", false}}));
  CHECK(j["minor_digits"] == 2);

  web::session_info s;
  s.user = "alice";
  s.money.currency = "CHF";
  s.released.push_back({5, true, errc::ok, "", 125});
  j = json::parse(web::session_json(s));
  CHECK_FALSE(j.contains("session"));
  CHECK(j["expires"].is_null());
  CHECK(j["released"][0]["price_text"] == "1.25 CHF");
  CHECK(j["currency"] == "CHF");
  s.session = "tok-1";
  CHECK(json::parse(web::session_json(s))["session"] == "tok-1");
}

TEST_CASE("terminal_jobs_json: counts, colour, price, age") {
  web::terminal_job_list list;
  list.now_ms = 1'700'000'100'000;
  web::terminal_job a;
  a.record.id = 9;
  a.record.document_name = "doc.pdf";  // no job name: the document's
  a.record.owner = "bob";
  a.record.queue = "secure";
  a.record.created_ms = 1'700'000'000'000;
  a.record.pin_hash = "hmac:must-not-show";
  a.record.origin_host = "10.9.8.7";
  a.record.analysis.pages = 4;
  a.record.analysis.colour_pages = 2;
  a.record.analysis.sheets = 2;
  a.price = 1234;
  a.priced = true;
  a.needs_pin = true;
  list.jobs.push_back(a);
  web::terminal_job b;
  b.record.id = 10;
  b.record.name = "late";
  b.record.created_ms = list.now_ms + 5000;  // a clock that went back
  list.jobs.push_back(b);
  std::string text = web::terminal_jobs_json(list);
  CHECK(text.find("must-not-show") == std::string::npos);
  CHECK(text.find("10.9.8.7") == std::string::npos);
  auto j = json::parse(text);
  auto x = j["jobs"][0];
  CHECK(x == json({{"id", 9}, {"name", "doc.pdf"}, {"owner", "bob"}, {"queue", "secure"}, {"pages", 4},
                   {"colour_pages", 2}, {"sheets", 2}, {"colour", true}, {"price", 1234}, {"price_text", "12.34 EUR"},
                   {"priced", true}, {"needs_pin", true}, {"delegated", false},
                   {"created", "2023-11-14T22:13:20.000Z"}, {"age_s", 100}}));
  auto y = j["jobs"][1];
  CHECK(y["name"] == "late");
  CHECK(y["colour"] == false);
  CHECK(y["price_text"].is_null());
  CHECK(y["age_s"] == 0);
  web::terminal_job_list empty;
  CHECK(json::parse(web::terminal_jobs_json(empty))["jobs"] == json::array());
}

TEST_CASE("release_report_json and balance_json") {
  web::release_report r;
  r.results.push_back({1, true, errc::ok, "", 60});
  r.results.push_back({2, false, errc::permission_denied, "wrong PIN", 0});
  r.results.push_back({3, false, errc::ok, "refused", 0});
  r.account.balance = 100;
  r.account.reserved = 60;
  auto j = json::parse(web::release_report_json(r));
  CHECK(j["results"][0]["price_text"] == "0.60 EUR");
  CHECK(j["results"][1]["error"] == "permission_denied");
  CHECK(j["results"][1]["price_text"].is_null());
  CHECK(j["results"][2]["error"] == "not_possible");
  CHECK(j["account"]["available"] == 40);
  CHECK(j["account"]["quota"].is_null());

  web::balance_info b;
  b.balance = INT64_MIN;
  b.reserved = 1;
  b.unlimited = true;
  b.has_quota = true;
  b.quota_sheets_left = 12;
  b.quota_period_end_ms = 1'700'000'000'000;
  web::money_format yen{"JPY", 0};
  j = json::parse(web::balance_json(b, yen));
  CHECK(j["available"] == INT64_MIN);  // saturates
  CHECK(j["unlimited"] == true);
  CHECK(j["quota"] == json({{"sheets_left", 12}, {"resets", "2023-11-14T22:13:20.000Z"}}));
  b.balance = -250;
  b.reserved = 0;
  CHECK(json::parse(web::balance_json(b, {}))["balance_text"] == "-2.50 EUR");
}

TEST_CASE("parse_bearer_token and valid_session_token") {
  CHECK(web::parse_bearer_token("Bearer abcdefghijklmnop").ok());
  CHECK(*web::parse_bearer_token("  BEARER   abcdefghijklmnop\t") == "abcdefghijklmnop");
  CHECK_FALSE(web::parse_bearer_token("Bearer abcdefghijklmno").ok());  // 15
  CHECK(web::parse_bearer_token("Bearer " + std::string(256, '~')).ok());
  CHECK_FALSE(web::parse_bearer_token("Bearer " + std::string(257, '~')).ok());
  CHECK_FALSE(web::parse_bearer_token("Bearerabcdefghijklmnop").ok());
  CHECK_FALSE(web::parse_bearer_token("Basic abcdefghijklmnop").ok());
  CHECK_FALSE(web::parse_bearer_token("Bearer abcdefgh ijklmnop").ok());
  CHECK_FALSE(web::parse_bearer_token("Bearer abcdefghijklmno\x7f").ok());
  auto bad = web::parse_bearer_token("Bearer short-secret");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.err().message.find("short-secret") == std::string::npos);

  CHECK(web::valid_session_token("a"));
  CHECK(web::valid_session_token("sess_1-AZ"));
  CHECK(web::valid_session_token(std::string(128, 'x')));
  CHECK_FALSE(web::valid_session_token(""));
  CHECK_FALSE(web::valid_session_token(std::string(129, 'x')));
  CHECK_FALSE(web::valid_session_token("a.b"));
  CHECK_FALSE(web::valid_session_token("a=b"));
}
