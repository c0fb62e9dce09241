// quirectl's quota commands: quotas list/show/add/set/remove, their
// requests (what the server parses), --member beside the global --user,
// and their output for people.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "quirectl_test_util.hpp"
#include "web/fleet_json.hpp"
#include "web/quirectl_cli.hpp"
#include "web/quirectl_output.hpp"

using namespace quire;
using namespace quire::quirectl;
using quire::testing::parse;
using quire::testing::request_of;
using quire::testing::usage_message;
using nlohmann::json;

TEST_CASE("quirectl: quotas list, show, add, set and remove, their requests") {
  for (const auto& args : {std::vector<std::string>{"quotas"}, std::vector<std::string>{"quotas", "list"},
                           std::vector<std::string>{"--json", "quotas"}}) {
    auto req = request_of(args);
    CHECK(req.method == "GET");
    CHECK(req.path == "/api/v1/quotas");
    CHECK(req.body.empty());
  }
  auto req = request_of({"quotas", "show", "students"});
  CHECK(req.method == "GET");
  CHECK(req.path == "/api/v1/quotas/students");
  CHECK(req.body.empty());

  req = request_of({"quotas", "add", "students", "--sheets", "500", "--period", "week", "--group", "students",
                    "--group=*", "--member", "jdoe", "--member=caf\xc3\xa9"});
  CHECK(req.method == "POST");
  CHECK(req.path == "/api/v1/quotas");
  CHECK(json::parse(req.body) == json::parse(R"({"name":"students","groups":["students","*"],
    "users":["jdoe","caf\u00e9"],"period":"week","sheets":500})"));
  // What the server parses is what quirectl sends.
  auto parsed = web::parse_new_quota(req.body);
  REQUIRE(parsed.ok());
  CHECK(parsed->sheets == 500u);
  CHECK(parsed->groups == std::vector<std::string>{"students", "*"});
  CHECK(parsed->users == std::vector<std::string>{"jdoe", "caf\xc3\xa9"});

  // The period is the server's default (month) when not given.
  req = request_of({"quotas", "add", "all", "--group", "*", "--sheets", "100000000"});
  CHECK(json::parse(req.body) == json::parse(R"({"name":"all","groups":["*"],"sheets":100000000})"));
  CHECK(web::parse_new_quota(req.body)->period == "month");
  req = request_of({"quotas", "add", "one", "--member", "jdoe", "--sheets", "1"});
  CHECK(json::parse(req.body) == json::parse(R"({"name":"one","users":["jdoe"],"sheets":1})"));

  req = request_of({"quotas", "set", "students", "--sheets", "750"});
  CHECK(req.method == "PATCH");
  CHECK(req.path == "/api/v1/quotas/students");
  CHECK(json::parse(req.body) == json::parse(R"({"sheets":750})"));
  CHECK(web::parse_quota_patch(req.body).ok());
  req = request_of({"quotas", "set", "students", "--period", "day", "--no-groups", "--member", "a", "--member", "b"});
  CHECK(json::parse(req.body) == json::parse(R"({"groups":[],"users":["a","b"],"period":"day"})"));
  CHECK(web::parse_quota_patch(req.body).ok());
  req = request_of({"quotas", "set", "students", "--no-members", "--group", "staff"});
  CHECK(json::parse(req.body) == json::parse(R"({"groups":["staff"],"users":[]})"));
  CHECK(web::parse_quota_patch(req.body).ok());

  req = request_of({"quotas", "remove", "students"});
  CHECK(req.method == "DELETE");
  CHECK(req.path == "/api/v1/quotas/students");
  CHECK(req.body.empty());
  req = request_of({"quotas", "remove", "a.b-c_d"});
  CHECK(req.path == "/api/v1/quotas/a.b-c_d");
}

TEST_CASE("quirectl: --member names a user of the quota, --user stays who logs in") {
  auto inv = parse({"quotas", "add", "q", "--sheets", "5", "--member", "jdoe", "--user", "admin"});
  REQUIRE(inv.ok());
  CHECK(inv->user == "admin");
  CHECK(inv->quota_users == std::vector<std::string>{"jdoe"});
  CHECK(json::parse(build_request(*inv, "").body)["users"] == json::parse(R"(["jdoe"])"));
  CHECK(usage_message({"quotas", "list", "--member", "jdoe"}).find("--member") != std::string::npos);
  CHECK(usage_message({"quotas", "set", "q", "--member", "a", "--no-members"}) == "--no-members contradicts --member");
}

TEST_CASE("quirectl: the quota commands refuse what cannot be right") {
  CHECK(usage_message({"quotas", "show"}) == "this command needs a quota NAME");
  CHECK(usage_message({"quotas", "add", "a b", "--sheets", "1", "--group", "g"}) ==
        "the quota NAME must be 1 to 64 of A-Z a-z 0-9 _ . -");
  CHECK(usage_message({"quotas", "list", "x"}) == "unexpected argument 'x'");
  CHECK(usage_message({"quotas", "remove", "q", "r"}) == "unexpected argument 'r'");
  CHECK(usage_message({"quotas", "add", "q", "--group", "g"}) == "quotas add: --sheets is required");
  CHECK(usage_message({"quotas", "add", "q", "--sheets", "5"}) ==
        "quotas add: a quota needs at least one --group ('*': every user) or --member");
  for (const char* sheets : {"0", "100000001", "-1", "1.5", "", "5x", "4294967296", "99999999999999999999"}) {
    CAPTURE(sheets);
    CHECK(usage_message({"quotas", "add", "q", "--group", "g", "--sheets", sheets}) ==
          "--sheets must be a whole number from 1 to 100000000");
  }
  CHECK(usage_message({"quotas", "add", "q", "--group", "g", "--sheets", "1", "--sheets", "2"}) ==
        "--sheets is given twice");
  for (const char* period : {"fortnight", "Month", ""}) {
    CAPTURE(period);
    CHECK(usage_message({"quotas", "add", "q", "--group", "g", "--sheets", "1", "--period", period}) ==
          "--period must be day, week, month or year");
  }
  CHECK(usage_message({"quotas", "set", "q", "--period", "day", "--period", "week"}) == "--period is given twice");
  CHECK(usage_message({"quotas", "set", "q"}) ==
        "quotas set: nothing to change (--sheets, --period, --group, --no-groups, --member, --no-members)");
  CHECK(usage_message({"quotas", "set", "q", "--no-groups", "--no-members"}) ==
        "quotas set: --no-groups and --no-members would leave the quota applying to no one");
  CHECK(usage_message({"quotas", "set", "q", "--group", "a", "--no-groups"}) == "--no-groups contradicts --group");
  CHECK(usage_message({"quotas", "set", "q", "--member", "a", "--no-members"}) == "--no-members contradicts --member");
  CHECK(usage_message({"quotas", "add", "q", "--sheets", "1", "--group", "a", "--group", "a"}) ==
        "--group names a group twice");
  CHECK(usage_message({"quotas", "add", "q", "--sheets", "1", "--member", "a", "--member", "a"}) ==
        "--member names a user twice");
  CHECK(usage_message({"quotas", "add", "q", "--sheets", "1", "--member", "*"}) ==
        "--member '*' is no user: --group '*' is every user");
  CHECK(usage_message({"quotas", "add", "q", "--sheets", "1", "--member", ""}) == "--member needs a non-empty value");
  CHECK(usage_message({"quotas", "add", "q", "--sheets", "1", "--group", "a\x01"}) ==
        "--group must be a group name of 1 to 64 characters without control characters");
  CHECK(usage_message({"quotas", "add", "q", "--sheets", "1", "--member", std::string(65, 'u')}) ==
        "--member must be a user name of 1 to 64 characters without control characters");
  // Options of set only, and of other commands.
  CHECK(usage_message({"quotas", "add", "q", "--sheets", "1", "--group", "g", "--no-members"}) ==
        "--no-members does not apply to this command");
  CHECK(usage_message({"quotas", "add", "q", "--sheets", "1", "--group", "g", "--no-groups"}) ==
        "--no-groups does not apply to this command");
  CHECK(usage_message({"quotas", "remove", "q", "--sheets", "1"}) == "--sheets does not apply to this command");
  CHECK(usage_message({"quotas", "show", "q", "--group", "g"}) == "--group does not apply to this command");
  CHECK(usage_message({"quotas", "set", "q", "--description", "x"}) == "--description does not apply to this command");
  CHECK(usage_message({"quotas", "set", "q", "--mono", "1"}) == "--mono does not apply to this command");
  CHECK(usage_message({"projects", "add", "p", "--sheets", "1"}) == "--sheets does not apply to this command");
  CHECK(usage_message({"prices", "set", "p", "--period", "day"}) == "--period does not apply to this command");
  CHECK(usage_message({"user", "set", "bob", "--no-members"}) == "--no-members does not apply to this command");
  // A project's groups: "*" is a quota's word, refused as the server refuses it.
  CHECK(usage_message({"projects", "add", "p", "--group", "*"}) ==
        "--group '*' is for quotas: no --group means every user");
  // The user commands keep their --group.
  CHECK(usage_message({"user", "set", "bob", "--group", "staff"}) == "(accepted)");
}

TEST_CASE("quirectl: quotas for people, a table and one quota's lines") {
  quota_record q;
  q.name = "students";
  q.groups = {"students", "*"};
  q.users = {"jdoe", "amy"};
  q.period = "week";
  q.sheets = 500;
  q.origin = record_origin::api;
  quota_record solo;
  solo.name = "solo";
  solo.users = {"x"};
  solo.sheets = 100000000;
  std::string out = quota_table(web::quota_list_json({solo, q}));
  CHECK(out ==
        "NAME      SHEETS     PERIOD  GROUPS      USERS     ORIGIN\n"
        "solo      100000000  month   -           x         config\n"
        "students  500        week    students,*  jdoe,amy  api\n");
  CHECK(quota_table(R"({"quotas":[]})") == "NAME  SHEETS  PERIOD  GROUPS  USERS  ORIGIN\n(no quotas)\n");

  out = quota_details(web::quota_record_json(q));
  CHECK(out ==
        "name:    students\n"
        "sheets:  500\n"
        "period:  week\n"
        "groups:  students,*\n"
        "users:   jdoe,amy\n"
        "origin:  api\n");
  CHECK(quota_details(web::quota_record_json(solo)).find("groups:  none\n") != std::string::npos);
  // What the server sends passes through printable(); wrong types read as absent.
  out = quota_details(R"({"name":"x\u001b[2J","sheets":"many","users":[1,"u"]})");
  CHECK(out.find("name:    x?[2J\n") != std::string::npos);
  CHECK(out.find("sheets:  ?\n") != std::string::npos);
  CHECK(out.find("users:   u\n") != std::string::npos);
  CHECK(quota_details("not json") == "not json\n");

  invocation removed;
  removed.what = action::quotas_remove;
  removed.name = "students";
  CHECK(done_line(removed) == "quota students removed\n");
}

TEST_CASE("quirectl: the usage text names every quota command") {
  std::string usage = usage_text;
  for (const char* c : {"quotas [list]", "quotas show NAME",
                        "quotas add NAME --sheets N [--period day|week|month|year] [--group G]... [--member U]...",
                        "quotas set NAME [--sheets N] [--period P] [--group G]... [--no-groups] [--member U]... "
                        "[--no-members]",
                        "quotas remove NAME", "'*': every user", "each user U may print N"}) {
    CAPTURE(c);
    CHECK(usage.find(c) != std::string::npos);
  }
  CHECK(usage.find("(none, or '*': every user)") == std::string::npos);
}
