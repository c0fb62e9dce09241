#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "web/api_json.hpp"
#include "web/api_request.hpp"
#include "web/quirectl_cli.hpp"
#include "quirectl_test_util.hpp"
#include "web/quirectl_output.hpp"

using namespace quire;
using namespace quire::quirectl;
using quire::testing::parse;
using quire::testing::usage_message;
using nlohmann::json;


TEST_CASE("quirectl: commands and their NAME") {
  struct row {
    std::vector<std::string> args;
    action what;
    const char* name;
  };
  for (const auto& r : {row{{}, action::help, ""},
                        row{{"--help"}, action::help, ""},
                        row{{"user", "bogus", "-h"}, action::help, ""},
                        row{{"whoami"}, action::whoami, ""},
                        row{{"user", "list"}, action::user_list, ""},
                        row{{"user", "show", "bob"}, action::user_show, "bob"},
                        row{{"user", "add", "bob"}, action::user_add, "bob"},
                        row{{"user", "set", "bob", "--admin"}, action::user_set, "bob"},
                        row{{"user", "passwd", "bob"}, action::user_passwd, "bob"},
                        row{{"user", "card", "add", "bob"}, action::user_card_add, "bob"},
                        row{{"user", "card", "del", "bob"}, action::user_card_del, "bob"},
                        row{{"user", "pin", "set", "bob"}, action::user_pin_set, "bob"},
                        row{{"user", "pin", "clear", "bob"}, action::user_pin_clear, "bob"},
                        row{{"user", "pin", "mail", "bob"}, action::user_pin_mail, "bob"},
                        row{{"user", "del", "bob"}, action::user_del, "bob"},
                        row{{"user", "del", "--", "-odd name"}, action::user_del, "-odd name"}}) {
    CAPTURE(r.args.size());
    auto inv = parse(r.args);
    REQUIRE(inv.ok());
    CHECK(inv->what == r.what);
    CHECK(inv->name == r.name);
  }
}

TEST_CASE("quirectl: global and command options, anywhere on the line") {
  auto inv = parse({"--server", "https://print.example:9000", "user", "add", "bob", "--display-name=Bob B",
                    "--group", "staff", "--group=print", "--admin", "--password-stdin", "--user", "root", "--json",
                    "--password-file", "/run/pw", "--cacert", "/tls/server.crt"});
  REQUIRE(inv.ok());
  CHECK(inv->server == "https://print.example:9000");
  CHECK(inv->user == "root");
  CHECK(inv->password_file == "/run/pw");
  CHECK(inv->cacert == "/tls/server.crt");
  CHECK(inv->json);
  CHECK(*inv->display_name == "Bob B");
  CHECK(inv->groups == std::vector<std::string>{"staff", "print"});
  CHECK(*inv->admin);
  CHECK(inv->password_stdin);
  CHECK(secret_of(*inv) == stdin_secret::password);

  inv = parse({"user", "list", "--limit", "50", "--after", "m", "--insecure"});
  REQUIRE(inv.ok());
  CHECK(*inv->limit == 50);
  CHECK(inv->after == "m");
  CHECK(inv->insecure);

  inv = parse({"user", "set", "bob", "--no-groups", "--no-admin", "--enable"});
  REQUIRE(inv.ok());
  CHECK(inv->groups_given);
  CHECK(inv->groups.empty());
  CHECK_FALSE(*inv->admin);
  CHECK_FALSE(*inv->disabled);
}

TEST_CASE("quirectl: misuse is a usage error with a reason") {
  CHECK(usage_message({"frobnicate"}).find("unknown command") != std::string::npos);
  CHECK(usage_message({"user"}).find("unknown command") != std::string::npos);
  CHECK(usage_message({"user", "show"}).find("needs a user NAME") != std::string::npos);
  CHECK(usage_message({"user", "show", "a", "b"}).find("unexpected argument") != std::string::npos);
  CHECK(usage_message({"whoami", "--bogus"}).find("unknown option --bogus") != std::string::npos);
  CHECK(usage_message({"whoami", "-x"}).find("unknown option") != std::string::npos);
  CHECK(usage_message({"whoami", "--server"}).find("needs a value") != std::string::npos);
  CHECK(usage_message({"whoami", "--json=yes"}).find("takes no value") != std::string::npos);
  CHECK(usage_message({"user", "list", "--admin"}).find("does not apply") != std::string::npos);
  CHECK(usage_message({"user", "add", "bob", "--no-admin"}).find("does not apply") != std::string::npos);
  CHECK(usage_message({"user", "passwd", "bob", "--password-stdin"}).find("does not apply") != std::string::npos);
  CHECK(usage_message({"user", "set", "bob"}).find("nothing to change") != std::string::npos);
  CHECK(usage_message({"user", "set", "bob", "--admin", "--no-admin"}).find("contradicts") != std::string::npos);
  CHECK(usage_message({"user", "set", "bob", "--group", "g", "--no-groups"}).find("contradicts") != std::string::npos);
  CHECK(usage_message({"user", "list", "--limit", "0"}).find("1 to 1000") != std::string::npos);
  CHECK(usage_message({"user", "list", "--limit", "5x"}).find("1 to 1000") != std::string::npos);
  CHECK(usage_message({"whoami", "--user", "a", "--user", "b"}).find("twice") != std::string::npos);
  CHECK(usage_message({"whoami", "--insecure", "--cacert", "f"}).find("contradict") != std::string::npos);
  CHECK(usage_message({"user", "show", std::string(65, 'n')}).find("user name") != std::string::npos);
  CHECK(usage_message({"user", "show", "tab\tname"}).find("user name") != std::string::npos);
  // No option takes a secret: there is none to give.
  CHECK(usage_message({"user", "passwd", "bob", "--password", "x"}).find("unknown option") != std::string::npos);
  CHECK(usage_message({"user", "pin", "set", "bob", "1234"}).find("unexpected argument") != std::string::npos);
}

TEST_CASE("quirectl: server URLs") {
  auto u = parse_server_url(std::string(default_server));
  REQUIRE(u.ok());
  CHECK(u->tls);
  CHECK(u->host == "127.0.0.1");
  CHECK(u->port == 8631);
  CHECK(u->authority() == "127.0.0.1:8631");

  u = parse_server_url("http://[::1]:9000/");
  REQUIRE(u.ok());
  CHECK_FALSE(u->tls);
  CHECK(u->host == "::1");
  CHECK(u->port == 9000);
  CHECK(u->authority() == "[::1]:9000");

  u = parse_server_url("ipps://print.example");
  REQUIRE(u.ok());
  CHECK(u->tls);
  CHECK(u->port == 8631);

  for (const char* bad : {"print.example", "ftp://x", "https://", "https://x:0", "https://x:65536", "https://x:",
                          "https://x/api", "https://u@x", "https://[::1", "https://[nothost]:1", "https://x:1a"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_server_url(bad).ok());
  }
}

TEST_CASE("quirectl: requests carry secrets only in bodies, names encoded in paths") {
  auto inv = *parse({"user", "card", "add", "a b"});
  auto req = build_request(inv, "04:A2");
  CHECK(req.method == "POST");
  CHECK(req.path == "/api/v1/users/a%20b/cards");
  CHECK(json::parse(req.body) == json({{"card_id", "04:A2"}}));

  inv = *parse({"user", "card", "del", "bob"});
  req = build_request(inv, "04:A2");
  CHECK(req.method == "DELETE");
  CHECK(req.path == "/api/v1/users/bob/cards");
  CHECK(req.path.find("04") == std::string::npos);

  inv = *parse({"user", "passwd", "bob"});
  CHECK(secret_of(inv) == stdin_secret::password);
  req = build_request(inv, "pa\"ss");
  CHECK(req.method == "PUT");
  CHECK(json::parse(req.body)["password"] == "pa\"ss");

  inv = *parse({"user", "pin", "set", "bob"});
  CHECK(secret_of(inv) == stdin_secret::pin);
  CHECK(json::parse(build_request(inv, "0042").body)["pin"] == "0042");
  inv = *parse({"user", "pin", "clear", "bob"});
  CHECK(secret_of(inv) == stdin_secret::none);
  CHECK(build_request(inv, "").method == "DELETE");
  inv = *parse({"user", "pin", "mail", "bob"});
  CHECK(secret_of(inv) == stdin_secret::none);
  req = build_request(inv, "");
  CHECK(req.method == "POST");
  CHECK(req.path == "/api/v1/users/bob/pin/generate");
  CHECK(req.body.empty());

  inv = *parse({"user", "add", "bob", "--group", "g1", "--display-name", "Bob"});
  CHECK(secret_of(inv) == stdin_secret::none);
  req = build_request(inv, "");
  CHECK(req.path == "/api/v1/users");
  CHECK(json::parse(req.body) == json({{"name", "bob"}, {"display_name", "Bob"}, {"groups", {"g1"}}}));

  inv = *parse({"user", "set", "bob", "--no-groups", "--disable"});
  req = build_request(inv, "");
  CHECK(req.method == "PATCH");
  CHECK(json::parse(req.body) == json({{"groups", json::array()}, {"disabled", true}}));

  inv = *parse({"user", "list", "--limit", "10"});
  CHECK(build_request(inv, "").path == "/api/v1/users?limit=10");
  std::string after = "m n";
  CHECK(build_request(inv, "", &after).path == "/api/v1/users?after=m%20n&limit=10");
  CHECK(build_request(*parse({"whoami"}), "").path == "/api/v1/whoami");
  CHECK(build_request(*parse({"user", "show", ".."}), "").path == "/api/v1/users/%2E%2E");

  server_url server = *parse_server_url("https://print.example:8631");
  std::string bytes = format_request(server, {"PUT", "/api/v1/users/bob/pin", R"({"pin":"1234"})"}, "root", "pw:1");
  CHECK(bytes.rfind("PUT /api/v1/users/bob/pin HTTP/1.1\r\nHost: print.example:8631\r\n", 0) == 0);
  CHECK(bytes.find("Authorization: Basic " + web::base64_encode("root:pw:1") + "\r\n") != std::string::npos);
  CHECK(bytes.find("Content-Type: application/json\r\nContent-Length: 14\r\n\r\n{\"pin\":\"1234\"}") !=
        std::string::npos);
  CHECK(bytes.find("Connection: close\r\n") != std::string::npos);
}

TEST_CASE("quirectl: reading responses") {
  std::string ok = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}";
  for (size_t cut = 0; cut < ok.size(); ++cut) {
    auto r = parse_http_response(ok.substr(0, cut), false);
    REQUIRE(r.ok());
    CHECK_FALSE(*r);
    CHECK_FALSE(parse_http_response(ok.substr(0, cut), true).ok());
  }
  auto r = parse_http_response(ok, false);
  REQUIRE(r.ok());
  REQUIRE(*r);
  CHECK((*r)->status == 200);
  CHECK((*r)->content_type == "application/json");
  CHECK((*r)->body == "{}");

  r = parse_http_response("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n", false);
  REQUIRE(r.ok());
  REQUIRE(*r);
  CHECK((*r)->status == 204);

  std::string chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n";
  r = parse_http_response(chunked, false);
  REQUIRE(r.ok());
  REQUIRE(*r);
  CHECK((*r)->body == "abcde");
  CHECK_FALSE(*parse_http_response(chunked.substr(0, chunked.size() - 2), false));

  r = parse_http_response("HTTP/1.0 200 OK\r\n\r\nuntil close", false);
  REQUIRE(r.ok());
  CHECK_FALSE(*r);
  r = parse_http_response("HTTP/1.0 200 OK\r\n\r\nuntil close", true);
  REQUIRE(*r);
  CHECK((*r)->body == "until close");

  for (const char* bad : {"SSH-2.0-OpenSSH\r\n\r\n", "HTTP/1.1 2000 OK\r\n\r\n",
                          "HTTP/1.1 200 OK\r\nbad header\r\n\r\n",
                          "HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n",
                          "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_http_response(bad, false).ok());
  }
}

TEST_CASE("quirectl: output for people") {
  CHECK(printable("plain é text") == "plain é text");
  CHECK(printable("esc\x1b[31mred\x07") == "esc?[31mred?");
  CHECK(printable("bad \xff\xc3") == "bad ??");
  CHECK(printable("c1 \xc2\x9b") == "c1 ??");

  http_reply refusal{404, "application/json", R"({"error":"not_found","message":"no user \"bob\""})"};
  CHECK(describe_refusal(refusal) == "no user \"bob\" (HTTP 404 not_found)");
  CHECK(describe_refusal({503, "text/html", "<html>"}) == "Service Unavailable (HTTP 503)");
  CHECK(describe_refusal({599, "", ""}) == "the request failed (HTTP 599)");

  std::string page1 = R"({"users":[{"name":"alice","display_name":"Alice","groups":["a","b"],"admin":true,)"
                      R"("disabled":false,"password":true,"cards":2,"pin":false}],"next":"alice"})";
  std::string page2 = R"({"users":[{"name":"bob\u001b","display_name":"","groups":[],"admin":false,)"
                      R"("disabled":true,"password":false,"cards":0,"pin":true}],"next":null})";
  CHECK(next_page(page1) == std::optional<std::string>("alice"));
  CHECK_FALSE(next_page(page2));
  CHECK_FALSE(next_page("not json"));
  std::string table = user_table({page1, page2});
  CHECK(table ==
        "NAME   DISPLAY NAME  ADMIN  DISABLED  PASSWORD  CARDS  PIN  GROUPS\n"
        "alice  Alice         yes    no        yes       2      no   a,b\n"
        "bob?                 no     yes       no        0      yes\n");
  CHECK(user_table({}) == "NAME  DISPLAY NAME  ADMIN  DISABLED  PASSWORD  CARDS  PIN  GROUPS\n(no users)\n");
  auto merged = json::parse(merge_pages({page1, page2}));
  CHECK(merged["users"].size() == 2);
  CHECK(merged["next"].is_null());

  std::string details = user_details(R"({"name":"alice","display_name":"Alice","groups":["a"],"admin":true,)"
                                     R"("disabled":false,"password":true,"cards":2,"pin":false})");
  CHECK(details.find("name:          alice\n") != std::string::npos);
  CHECK(details.find("cards:         2\n") != std::string::npos);
  CHECK(details.find("PIN:           none\n") != std::string::npos);
  CHECK(whoami_line(R"({"name":"root","admin":true})") == "root (administrator)\n");
  CHECK(whoami_line(R"({"name":"al","admin":false})") == "al\n");
  CHECK(done_line(*parse_command_line({"user", "passwd", "bob"})) == "password set for bob\n");
  CHECK(done_line(*parse_command_line({"user", "del", "bob"})) == "user bob deleted\n");
  auto mail = *parse_command_line({"user", "pin", "mail", "bob"});
  CHECK(pin_mailed_line(mail, R"({"sent_to":"bob@uni.test"})") == "a new PIN for bob was e-mailed to bob@uni.test\n");
  CHECK(pin_mailed_line(mail, "not json") == "a new PIN for bob was e-mailed to their address\n");
}

TEST_CASE("quirectl: jobs list and jobs show") {
  auto inv = parse({"jobs", "list", "--owner", "b b", "--queue", "secure", "--which", "completed", "--limit", "5"});
  REQUIRE(inv.ok());
  CHECK(inv->what == action::jobs_list);
  CHECK(secret_of(*inv) == stdin_secret::none);
  CHECK(build_request(*inv, "").path == "/api/v1/jobs?user=b%20b&queue=secure&which=completed&limit=5");
  std::string after = "17";
  CHECK(build_request(*inv, "", &after).path ==
        "/api/v1/jobs?user=b%20b&queue=secure&which=completed&after=17&limit=5");
  CHECK(build_request(*parse({"jobs", "list"}), "").path == "/api/v1/jobs");
  // --user stays the administrator who logs in; the owner filter is --owner.
  inv = parse({"jobs", "list", "--user", "root"});
  REQUIRE(inv.ok());
  CHECK(inv->user == "root");
  CHECK(inv->owner.empty());

  inv = parse({"jobs", "show", "42"});
  REQUIRE(inv.ok());
  CHECK(inv->what == action::jobs_show);
  CHECK(inv->job == 42);
  CHECK(build_request(*inv, "").method == "GET");
  CHECK(build_request(*inv, "").path == "/api/v1/jobs/42");

  CHECK(usage_message({"jobs", "show"}) == "this command needs a job ID");
  CHECK(usage_message({"jobs", "show", "0"}).find("job ID") != std::string::npos);
  CHECK(usage_message({"jobs", "show", "x1"}).find("job ID") != std::string::npos);
  CHECK(usage_message({"jobs", "list", "--which", "held"}).find("--which") != std::string::npos);
  CHECK(usage_message({"jobs", "list", "--queue", "a b"}).find("--queue") != std::string::npos);
  CHECK(usage_message({"jobs", "list", "--after", "3"}).find("does not apply") != std::string::npos);
  CHECK(usage_message({"user", "list", "--owner", "x"}).find("does not apply") != std::string::npos);
  CHECK(usage_message({"jobs", "show", "4", "--limit", "2"}).find("does not apply") != std::string::npos);
  CHECK(usage_message({"jobs", "list", "extra"}) == "unexpected argument 'extra'");
}

TEST_CASE("quirectl: jobs output for people") {
  std::string page1 = R"({"jobs":[{"id":7,"owner":"dora","queue":"secure","state":"held","name":"report\u001b",)"
                      R"("created":"2024-05-01T08:30:00.250Z","analysis":{"status":"done","pages":3},)"
                      R"("price":{"status":"estimate","text":"0.15 EUR"}}],"next":7})";
  std::string page2 = R"({"jobs":[{"id":9,"owner":"ed","queue":"demo","state":"queued","name":"x",)"
                      R"("created":"2024-05-01T09:00:00.000Z","analysis":{"status":"pending","pages":0},)"
                      R"("price":{"status":"unknown","text":null}}],"next":null})";
  CHECK(next_page(page1) == std::optional<std::string>("7"));
  CHECK_FALSE(next_page(page2));
  CHECK(job_table({page1, page2}) ==
        "ID  OWNER  QUEUE   STATE   PAGES  PRICE     CREATED                   NAME\n"
        "7   dora   secure  held    3      0.15 EUR  2024-05-01T08:30:00.250Z  report?\n"
        "9   ed     demo    queued  -                2024-05-01T09:00:00.000Z  x\n");
  CHECK(job_table({}) == "ID  OWNER  QUEUE  STATE  PAGES  PRICE  CREATED  NAME\n(no jobs)\n");
  auto merged = json::parse(merge_pages({page1, page2}, "jobs"));
  CHECK(merged["jobs"].size() == 2);
  CHECK(merged["next"].is_null());

  std::string details = job_details(R"({"id":7,"name":"report","owner":"dora","queue":"secure","state":"held",)"
                                    R"("state_message":"","printer":"","document_name":"r.pdf",)"
                                    R"("document_format":"application/pdf","document_size":1234,)"
                                    R"("created":"2024-05-01T08:30:00.250Z","completed":null,)"
                                    R"("analysis":{"status":"done","pages":3,"colour_pages":1,"sheets":2},)"
                                    R"("price":{"status":"estimate","text":"0.15 EUR"}})");
  CHECK(details.find("id:        7\n") != std::string::npos);
  CHECK(details.find("state:     held\n") != std::string::npos);
  CHECK(details.find("printer:\n") != std::string::npos);
  CHECK(details.find("document:  r.pdf (application/pdf, 1234 bytes)\n") != std::string::npos);
  CHECK(details.find("completed:\n") != std::string::npos);
  CHECK(details.find("analysis:  done, 3 pages (1 colour), 2 sheets\n") != std::string::npos);
  CHECK(details.find("price:     estimate  0.15 EUR\n") != std::string::npos);
  CHECK(job_details("oops\x1b") == "oops?\n");
}

TEST_CASE("quirectl: accounting commands and their arguments") {
  auto inv = parse({"account", "alice"});
  REQUIRE(inv.ok());
  CHECK(inv->what == action::account);
  CHECK(build_request(*inv, "").path == "/api/v1/users/alice/account");

  inv = parse({"ledger", "a b", "--limit", "20"});
  REQUIRE(inv.ok());
  CHECK(build_request(*inv, "").path == "/api/v1/users/a%20b/ledger?limit=20");
  CHECK(build_request(*parse({"ledger", "bob"}), "").path == "/api/v1/users/bob/ledger");

  inv = parse({"delegates", "alice"});
  REQUIRE(inv.ok());
  CHECK(inv->what == action::delegates_show);
  CHECK(build_request(*inv, "").method == "GET");
  inv = parse({"delegates", "alice", "bob", "carol"});
  REQUIRE(inv.ok());
  CHECK(inv->what == action::delegates_set);
  auto req = build_request(*inv, "");
  CHECK(req.method == "PUT");
  CHECK(req.path == "/api/v1/users/alice/delegates");
  CHECK(json::parse(req.body) == json({{"delegates", {"bob", "carol"}}}));
  inv = parse({"delegates", "alice", "--none"});
  REQUIRE(inv.ok());
  CHECK(inv->what == action::delegates_set);
  CHECK(json::parse(build_request(*inv, "").body) == json({{"delegates", json::array()}}));

  inv = parse({"terminals", "list", "--json"});
  REQUIRE(inv.ok());
  CHECK(inv->json);
  CHECK(build_request(*inv, "").path == "/api/v1/terminals");
  inv = parse({"terminals", "add", "panel 1", "lab-1"});
  REQUIRE(inv.ok());
  req = build_request(*inv, "");
  CHECK(req.method == "POST");
  CHECK(json::parse(req.body) == json({{"name", "panel 1"}, {"printer", "lab-1"}}));
  inv = parse({"terminals", "revoke", "panel 1"});
  REQUIRE(inv.ok());
  CHECK(build_request(*inv, "").method == "DELETE");
  CHECK(build_request(*inv, "").path == "/api/v1/terminals/panel%201");
  CHECK(done_line(*inv) == "terminal panel 1 revoked\n");
  for (const auto& i : {*parse({"account", "a"}), *parse({"credit", "a", "5"}), *parse({"terminals", "list"})})
    CHECK(secret_of(i) == stdin_secret::none);

  CHECK(usage_message({"account"}) == "this command needs a user NAME");
  CHECK(usage_message({"account", "a", "b"}) == "unexpected argument 'b'");
  CHECK(usage_message({"ledger", "a", "--limit", "0"}).find("1 to 1000") != std::string::npos);
  CHECK(usage_message({"account", "a", "--limit", "5"}).find("does not apply") != std::string::npos);
  CHECK(usage_message({"delegates", "a", "b", "--none"}).find("contradicts") != std::string::npos);
  CHECK(usage_message({"delegates", "a", "tab\tname"}).find("user name") != std::string::npos);
  CHECK(usage_message({"account", "a", "--none"}).find("does not apply") != std::string::npos);
  CHECK(usage_message({"terminals"}).find("unknown command") != std::string::npos);
  CHECK(usage_message({"terminals", "add", "t"}).find("NAME and a PRINTER") != std::string::npos);
  CHECK(usage_message({"terminals", "add", "t", "lab 1"}).find("PRINTER") != std::string::npos);
  CHECK(usage_message({"terminals", "add", "", "lab-1"}).find("terminal NAME") != std::string::npos);
  CHECK(usage_message({"terminals", "list", "x"}) == "unexpected argument 'x'");
  CHECK(usage_message({"terminals", "revoke"}).find("terminal NAME") != std::string::npos);
}

TEST_CASE("quirectl: credit AMOUNT in major units, converted with the server's digits") {
  auto inv = parse({"credit", "alice", "5.50", "--note", "cash at the desk"});
  REQUIRE(inv.ok());
  CHECK(inv->what == action::credit);
  CHECK(inv->amount == "5.50");
  // First the account (its currency's digits), then the credit itself.
  CHECK(build_request(*inv, "").method == "GET");
  CHECK(build_request(*inv, "").path == "/api/v1/users/alice/account");
  auto req = credit_request(*inv, 550);
  CHECK(req.method == "POST");
  CHECK(req.path == "/api/v1/users/alice/credit");
  CHECK(json::parse(req.body) == json({{"amount", 550}, {"kind", "topup"}, {"note", "cash at the desk"}}));

  inv = parse({"credit", "alice", "-1.25", "--adjust"});  // a negative number is not an option
  REQUIRE(inv.ok());
  CHECK(inv->adjust);
  CHECK(json::parse(credit_request(*inv, -125).body) == json({{"amount", -125}, {"kind", "adjust"}}));

  CHECK(*parse_amount("5", 2) == 500);
  CHECK(*parse_amount("5.5", 2) == 550);
  CHECK(*parse_amount("5.50", 2) == 550);
  CHECK(*parse_amount("-1.25", 2) == -125);
  CHECK(*parse_amount("007.1", 3) == 7100);
  CHECK(*parse_amount("1200", 0) == 1200);
  CHECK(*parse_amount("10000000000", 2) == web::max_credit_amount);
  for (auto [text, digits] : std::initializer_list<std::pair<const char*, uint32_t>>{
           {"5.505", 2}, {"1.5", 0}, {"0", 2}, {"0.00", 2}, {"", 2}, {"-", 2}, {"5.", 2}, {".5", 2}, {"5,50", 2},
           {"+5", 2}, {"1e3", 2}, {"10000000000.01", 2}, {"99999999999999999999", 2}, {" 5", 2}}) {
    CAPTURE(text);
    CHECK_FALSE(parse_amount(text, digits).ok());
  }

  CHECK(usage_message({"credit", "alice"}).find("NAME and an AMOUNT") != std::string::npos);
  CHECK(usage_message({"credit", "alice", "-5"}).find("--adjust") != std::string::npos);
  CHECK(usage_message({"credit", "alice", "0.00", "--adjust"}).find("not be 0") != std::string::npos);
  CHECK(usage_message({"credit", "alice", "5x"}).find("AMOUNT must look like") != std::string::npos);
  CHECK(usage_message({"credit", "alice", "5", "6"}) == "unexpected argument '6'");
  CHECK(usage_message({"credit", "alice", "5", "--note", "a", "--note", "b"}).find("twice") != std::string::npos);
  CHECK(usage_message({"account", "alice", "--adjust"}).find("does not apply") != std::string::npos);
}

TEST_CASE("quirectl: accounting output for people") {
  std::string account = R"({"name":"alice","balance":1250,"reserved":60,"available":1190,"unlimited":false,)"
                        R"("quota":{"sheets_left":120,"resets":"2024-06-01T00:00:00.000Z"},"currency":"EUR",)"
                        R"("minor_digits":2,"balance_text":"12.50 EUR","available_text":"11.90 EUR"})";
  CHECK(minor_digits_of(account) == std::optional<uint32_t>(2));
  CHECK_FALSE(minor_digits_of(R"({"minor_digits":9})"));
  CHECK_FALSE(minor_digits_of("nope"));
  CHECK(account_details(account) ==
        "account:    alice\n"
        "balance:    12.50 EUR\n"
        "reserved:   0.60 EUR\n"
        "available:  11.90 EUR\n"
        "unlimited:  no\n"
        "quota:      120 sheets left, resets 2024-06-01T00:00:00.000Z\n");
  CHECK(account_details(R"({"name":"b","quota":null})").find("quota:      none\n") != std::string::npos);

  std::string ledger = R"({"entries":[{"kind":"topup","job":null,"amount_text":"5.00 EUR",)"
                       R"("balance_after_text":"12.50 EUR","sheets":0,"printer":"","by":"root","printed_by":"",)"
                       R"("note":"desk\u001b","time":"2024-05-02T10:00:00.000Z"},)"
                       R"({"kind":"charge","job":42,"amount_text":"-0.60 EUR","balance_after_text":"7.50 EUR",)"
                       R"("sheets":2,"printer":"lab-1","by":"","printed_by":"bob","note":"",)"
                       R"("time":"2024-05-01T08:30:00.250Z"}]})";
  CHECK(ledger_table(ledger) ==
        "TIME                      KIND    AMOUNT     BALANCE    JOB  SHEETS  PRINTER  BY    NOTE\n"
        "2024-05-02T10:00:00.000Z  topup   5.00 EUR   12.50 EUR  -    -                root  desk?\n"
        "2024-05-01T08:30:00.250Z  charge  -0.60 EUR  7.50 EUR   42   2       lab-1    bob\n");
  CHECK(ledger_table(R"({"entries":[]})").find("(no entries)") != std::string::npos);

  auto alice = *parse({"delegates", "alice"});
  CHECK(delegates_line(alice, R"({"delegates":["bob","carol"]})") == "delegates of alice: bob, carol\n");
  CHECK(delegates_line(alice, R"({"delegates":[]})") == "alice has no delegates\n");

  CHECK(terminal_table(R"({"terminals":[{"name":"kiosk","printer":"lab-2","created_by":"root",)"
                       R"("created":"2024-05-01T08:30:00.250Z"}]})") ==
        "NAME   PRINTER  CREATED BY  CREATED\n"
        "kiosk  lab-2    root        2024-05-01T08:30:00.250Z\n");
  CHECK(terminal_table(R"({"terminals":[]})") == "NAME  PRINTER  CREATED BY  CREATED\n(no terminals)\n");
  std::string added = terminal_added(R"({"name":"panel","printer":"lab-1","created_by":"root",)"
                                     R"("created":null,"token":"tok-123"})");
  CHECK(added.rfind("terminal panel registered for printer lab-1\ntoken: tok-123\n", 0) == 0);
  CHECK(added.find("shown only this once") != std::string::npos);
}
