// quirectl's API-token commands (tokens list/add/revoke), --token-file, and
// the Bearer credential format_request sends for a token.
#include <doctest/doctest.h>

#include "web/quirectl_cli.hpp"
#include "quirectl_test_util.hpp"
#include "web/quirectl_output.hpp"
#include "web/token_json.hpp"

using namespace quire;
using namespace quire::quirectl;
using quire::testing::parse;
using quire::testing::usage_message;


TEST_CASE("quirectl: token commands, their arguments and requests") {
  auto list = parse({"tokens", "list", "alice"});
  REQUIRE(list.ok());
  CHECK(list->what == action::tokens_list);
  auto req = build_request(*list, "");
  CHECK(req.method == "GET");
  CHECK(req.path == "/api/v1/users/alice/tokens");

  auto add = parse({"tokens", "add", "alice", "nightly backup", "--days", "90", "--token-file", "/t"});
  REQUIRE(add.ok());
  CHECK(add->token_file == "/t");
  req = build_request(*add, "");
  CHECK(req.method == "POST");
  CHECK(req.path == "/api/v1/users/alice/tokens");
  auto body = web::parse_token_request(req.body);  // what the server will read
  REQUIRE(body.ok());
  CHECK(body->name == "nightly backup");
  CHECK(body->expires_days == 90);
  CHECK(web::parse_token_request(build_request(*parse({"tokens", "add", "bob", "ci"}), "").body)->expires_days ==
        0);

  auto revoke = parse({"tokens", "revoke", "alice", "0123456789ab"});
  REQUIRE(revoke.ok());
  req = build_request(*revoke, "");
  CHECK(req.method == "DELETE");
  CHECK(req.path == "/api/v1/users/alice/tokens/0123456789ab");
  CHECK(done_line(*revoke) == "API token 0123456789ab of alice revoked\n");

  CHECK(usage_message({"tokens", "list"}).find("USER") != std::string::npos);
  CHECK(usage_message({"tokens", "add", "alice"}).find("LABEL") != std::string::npos);
  CHECK(usage_message({"tokens", "revoke", "alice", "xyz"}).find("12 hex") != std::string::npos);
  CHECK(usage_message({"tokens", "add", "alice", "x", "--days", "0"}).find("--days") != std::string::npos);
  CHECK(usage_message({"tokens", "list", "alice", "--days", "5"}) != "(accepted)");
  CHECK(usage_message({"tokens", "list", "alice", "extra"}).find("unexpected") != std::string::npos);
}

TEST_CASE("quirectl: an API token goes as a Bearer credential, a password as Basic") {
  server_url server;
  server.host = "print.example";
  server.port = 8631;
  std::string bearer = format_request(server, {"GET", "/api/v1/whoami", ""}, "", "qt_abc");
  CHECK(bearer.find("Authorization: Bearer qt_abc\r\n") != std::string::npos);
  CHECK(bearer.find("Basic") == std::string::npos);
  std::string basic = format_request(server, {"GET", "/api/v1/whoami", ""}, "root", "pw");
  CHECK(basic.find("Authorization: Basic ") != std::string::npos);
}

TEST_CASE("quirectl: token output for people") {
  web::new_api_token made{{"0123456789ab", "alice", "ci", "root", 1700000000000, 0}, "qt_secret"};
  auto added = token_added(web::new_token_json(made));
  CHECK(added.find("token: qt_secret\n") != std::string::npos);
  CHECK(added.find("0123456789ab") != std::string::npos);
  auto table = token_table(web::token_list_json({made.view}));
  CHECK(table.find("0123456789ab") != std::string::npos);
  CHECK(table.find("never") != std::string::npos);
  CHECK(table.find("qt_secret") == std::string::npos);
  CHECK(token_table(web::token_list_json({})).find("(no API tokens)") != std::string::npos);
}

TEST_CASE("quirectl: report, its options and its table") {
  auto inv = parse({"report", "--from", "2025-11-01", "--to", "2025-11-30", "--by", "printer", "--csv"});
  REQUIRE(inv.ok());
  CHECK(inv->what == action::report);
  auto req = build_request(*inv, "");
  CHECK(req.method == "GET");
  CHECK(req.path == "/api/v1/reports/usage?from=2025-11-01&to=2025-11-30&by=printer&format=csv");
  CHECK(build_request(*parse({"report"}), "").path == "/api/v1/reports/usage");
  CHECK(usage_message({"report", "extra"}).find("unexpected") != std::string::npos);
  CHECK(usage_message({"report", "--by", "a&b=c"}).find("--by") != std::string::npos);
  CHECK(usage_message({"tokens", "list", "alice", "--csv"}) != "(accepted)");
  std::string body =
      R"({"from":"2025-11-01","to":"2025-11-30","by":"printer","currency":"EUR","minor_digits":2,)"
      R"("rows":[{"key":"lab1","jobs":3,"pages":12,"sheets":8,"colour_sheets":2,"cost":140,"cost_text":"1.40 EUR"}],)"
      R"("total":{"key":"total","jobs":3,"pages":12,"sheets":8,"colour_sheets":2,"cost":140,"cost_text":"1.40 EUR"}})";
  auto table = report_table(body);
  CHECK(table.rfind("2025-11-01 to 2025-11-30\n", 0) == 0);
  CHECK(table.find("PRINTER") != std::string::npos);
  CHECK(table.find("lab1") != std::string::npos);
  CHECK(table.find("1.40 EUR") != std::string::npos);
  CHECK(table.find("total") != std::string::npos);
}
