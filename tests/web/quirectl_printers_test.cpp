// quirectl's printer commands: printers [list], printers show NAME and
// printers counters NAME, their requests and their output for people.
#include <doctest/doctest.h>

#include "web/api_json.hpp"
#include "web/quirectl_cli.hpp"
#include "quirectl_test_util.hpp"
#include "web/quirectl_output.hpp"

using namespace quire;
using namespace quire::quirectl;
using quire::testing::parse;
using quire::testing::usage_message;

namespace {

// A printer as GET /api/v1/printers/{name} shows it (web/api_json.hpp).
std::string sample_printer() {
  web::printer_view p;
  p.name = "lab-1";
  p.location = "Room 101";
  p.state = web::printer_run_state::stopped;
  p.state_message = "the printer reports it has a paper jam";
  p.reasons = {"media-jam-error", "toner-low-warning"};
  p.queued = 2;
  p.delivered = 40;
  auto& d = p.device;
  d.monitored = true;
  d.online = true;
  d.last_seen_ms = 1714552200250;
  d.address = "192.0.2.10:161";
  d.description = "HP LaserJet M507";
  d.name = "lab1-hp";
  d.serial = "CNB1234567";
  d.life_count = 123456;
  d.device_state = 3;
  d.printer_state = 3;
  d.supplies = {{"Black Toner", web::supply_kind::consumed, 3, 100, 8, 8, web::supply_state::low},
                {"Cyan", web::supply_kind::consumed, 3, 100, 50, 50, web::supply_state::ok},
                {"Waste Toner Box", web::supply_kind::receptacle, 4, 100, 3, 3, web::supply_state::low},
                {"Fuser", web::supply_kind::consumed, 15, -2, -3, std::nullopt, web::supply_state::ok}};
  d.alerts = {{web::alert_severity::critical, 8, 5, "Paper jam in tray 2"}};
  return web::printer_json(p);
}

}  // namespace

TEST_CASE("quirectl: printer commands and their arguments") {
  for (const auto& args : {std::vector<std::string>{"printers"}, std::vector<std::string>{"printers", "list"}}) {
    auto inv = parse(args);
    REQUIRE(inv.ok());
    CHECK(inv->what == action::printers_list);
    auto req = build_request(*inv, "");
    CHECK(req.method == "GET");
    CHECK(req.path == "/api/v1/printers");
    CHECK(req.body.empty());
    CHECK(secret_of(*inv) == stdin_secret::none);
  }
  auto inv = parse({"printers", "show", "lab-1.a_B", "--json"});
  REQUIRE(inv.ok());
  CHECK(inv->what == action::printers_show);
  CHECK(inv->json);
  CHECK(build_request(*inv, "").path == "/api/v1/printers/lab-1.a_B");

  inv = parse({"printers", "counters", "lab-1"});
  REQUIRE(inv.ok());
  CHECK(inv->what == action::printers_counters);
  CHECK(build_request(*inv, "").path == "/api/v1/printers/lab-1/counters");
  inv = parse({"--limit", "10000", "printers", "counters", "lab-1"});
  REQUIRE(inv.ok());
  CHECK(build_request(*inv, "").path == "/api/v1/printers/lab-1/counters?limit=10000");

  CHECK(usage_message({"printers", "show"}) == "this command needs a printer NAME");
  CHECK(usage_message({"printers", "counters"}) == "this command needs a printer NAME");
  CHECK(usage_message({"printers", "show", "lab 1"}).find("1 to 64 of A-Z") != std::string::npos);
  CHECK(usage_message({"printers", "show", std::string(65, 'p')}).find("printer NAME") != std::string::npos);
  CHECK(usage_message({"printers", "show", "a", "b"}) == "unexpected argument 'b'");
  CHECK(usage_message({"printers", "list", "x"}) == "unexpected argument 'x'");
  CHECK(usage_message({"printers", "lab-1"}) == "unexpected argument 'lab-1'");
  CHECK(usage_message({"printers", "counters", "lab-1", "--limit", "10001"}).find("1 to 10000") != std::string::npos);
  CHECK(usage_message({"printers", "counters", "lab-1", "--limit", "0"}).find("1 to 10000") != std::string::npos);
  CHECK(usage_message({"printers", "show", "lab-1", "--limit", "5"}).find("does not apply") != std::string::npos);
  CHECK(usage_message({"printers", "--limit", "5"}).find("does not apply") != std::string::npos);
  // Other commands keep their own limit.
  CHECK(usage_message({"ledger", "a", "--limit", "5000"}).find("1 to 1000") != std::string::npos);
}

TEST_CASE("quirectl: printers as a table") {
  std::string other = R"({"name":"lab-2","state":"idle","reasons":[],"device":{"monitored":false,"supplies":[]}})";
  std::string empty = R"({"name":"lab-3","state":"processing","reasons":["none"],"device":{"monitored":true,)"
                      R"("online":false,"supplies":[{"description":"Ink","kind":"consumed","percent":null,)"
                      R"("state":"empty"}]}})";
  CHECK(printer_table(R"({"printers":[)" + sample_printer() + "," + other + "," + empty + "]}") ==
        "NAME   STATE       REASONS                             ONLINE  PAGES   LOWEST SUPPLY\n"
        "lab-1  stopped     media-jam-error, toner-low-warning  yes     123456  Black Toner 8%\n"
        "lab-2  idle        -                                   -       -       -\n"
        "lab-3  processing  none                                no      -       Ink empty\n");
  CHECK(printer_table(R"({"printers":[]})") ==
        "NAME  STATE  REASONS  ONLINE  PAGES  LOWEST SUPPLY\n(no printers)\n");
  // What a server (or a man in the middle) sends cannot drive the terminal.
  CHECK(printer_table(R"({"printers":[{"name":"x\u001b[31m","state":"idle"}]})").find('\x1b') == std::string::npos);
}

TEST_CASE("quirectl: one printer, its supplies and alerts one per line") {
  CHECK(printer_details(sample_printer()) ==
        "name:          lab-1\n"
        "location:      Room 101\n"
        "info:\n"
        "state:         stopped  the printer reports it has a paper jam\n"
        "reasons:       media-jam-error, toner-low-warning\n"
        "queued:        2\n"
        "delivered:     40\n"
        "monitored:     yes\n"
        "online:        yes\n"
        "last seen:     2024-05-01T08:30:00.250Z\n"
        "address:       192.0.2.10:161\n"
        "description:   HP LaserJet M507\n"
        "device name:   lab1-hp\n"
        "serial:        CNB1234567\n"
        "page count:    123456\n"
        "device state:  warning\n"
        "printer state: idle\n"
        "supplies:\n"
        "  DESCRIPTION      KIND        LEVEL  STATE\n"
        "  Black Toner      consumed    8%     low\n"
        "  Cyan             consumed    50%    ok\n"
        "  Waste Toner Box  receptacle  3%     low\n"
        "  Fuser            consumed    some   ok\n"
        "alerts:\n"
        "  SEVERITY  CODE  GROUP  DESCRIPTION\n"
        "  critical  8     5      Paper jam in tray 2\n");

  web::printer_view quiet;
  quiet.name = "lab-2";
  quiet.state = web::printer_run_state::stopped;
  quiet.state_message = "not answering";
  CHECK(printer_details(web::printer_json(quiet)) ==
        "name:          lab-2\n"
        "location:\n"
        "info:\n"
        "state:         stopped  not answering\n"
        "reasons:       none\n"
        "queued:        0\n"
        "delivered:     0\n"
        "monitored:     no\n");

  quiet.device.monitored = true;
  quiet.device.truncated = true;
  std::string out = printer_details(web::printer_json(quiet));
  CHECK(out.find("last seen:     -\n") != std::string::npos);
  CHECK(out.find("page count:    -\n") != std::string::npos);
  CHECK(out.find("supplies:      none\n") != std::string::npos);
  CHECK(out.find("alerts:        none\n") != std::string::npos);
  CHECK(out.find("more rows than the server keeps") != std::string::npos);
  CHECK(printer_details("not json") == "not json\n");
}

TEST_CASE("quirectl: page counters as a table") {
  std::vector<device_counter_record> c = {{1714552200250, 123456, "CNB1", 40}, {1714552300000, 123500, "CNB2", 41}};
  CHECK(counters_table(web::printer_counters_json("lab-1", c)) ==
        "TIME                      PAGES   SERIAL  DELIVERED\n"
        "2024-05-01T08:30:00.250Z  123456  CNB1    40\n"
        "2024-05-01T08:31:40.000Z  123500  CNB2    41\n");
  CHECK(counters_table(web::printer_counters_json("lab-1", {})) ==
        "TIME  PAGES  SERIAL  DELIVERED\n(no counter snapshots)\n");
}
