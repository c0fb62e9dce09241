// quirectl's fleet commands: printers add/set/remove, queues
// list/show/add/set/remove and jobs reprint, their requests and their
// output for people.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "web/fleet_json.hpp"
#include "web/quirectl_cli.hpp"
#include "quirectl_test_util.hpp"
#include "web/quirectl_output.hpp"

using namespace quire;
using namespace quire::quirectl;
using quire::testing::parse;
using quire::testing::request_of;
using quire::testing::usage_message;
using nlohmann::json;

TEST_CASE("quirectl: printers add, set and remove, their requests") {
  auto req = request_of({"printers", "add", "lab-3", "--uri", "ipp://192.0.2.30/ipp/print", "--location",
                         "Room 3", "--info", "by the door", "--model", "HP M507", "--language=application/pdf",
                         "--price-list", "standard"});
  CHECK(req.method == "POST");
  CHECK(req.path == "/api/v1/printers");
  CHECK(json::parse(req.body) == json::parse(R"({"name":"lab-3","device_uri":"ipp://192.0.2.30/ipp/print",
    "language":"application/pdf","location":"Room 3","info":"by the door","make_and_model":"HP M507",
    "price_list":"standard"})"));
  // What the server parses is what quirectl sends.
  auto parsed = web::parse_new_printer(req.body);
  REQUIRE(parsed.ok());
  CHECK(parsed->make_and_model == "HP M507");

  req = request_of({"printers", "set", "lab-3", "--price-list", "", "--info", "new"});
  CHECK(req.method == "PATCH");
  CHECK(req.path == "/api/v1/printers/lab-3");
  CHECK(json::parse(req.body) == json::parse(R"({"info":"new","price_list":""})"));
  CHECK(web::parse_printer_patch(req.body).ok());

  req = request_of({"--json", "printers", "remove", "lab-3"});
  CHECK(req.method == "DELETE");
  CHECK(req.path == "/api/v1/printers/lab-3");
  CHECK(req.body.empty());
}

TEST_CASE("quirectl: queues list, show, add, set and remove, their requests") {
  for (const auto& args : {std::vector<std::string>{"queues"}, std::vector<std::string>{"queues", "list"}}) {
    auto req = request_of(args);
    CHECK(req.method == "GET");
    CHECK(req.path == "/api/v1/queues");
  }
  auto req = request_of({"queues", "show", "secure"});
  CHECK(req.method == "GET");
  CHECK(req.path == "/api/v1/queues/secure");

  req = request_of({"queues", "add", "fast", "--type", "group", "--printers", "lab-1,lab-2", "--location", "Hall",
                    "--auth", "--failover"});
  CHECK(req.method == "POST");
  CHECK(req.path == "/api/v1/queues");
  CHECK(json::parse(req.body) == json::parse(R"({"name":"fast","type":"group","printers":["lab-1","lab-2"],
    "location":"Hall","authentication":true,"failover":true})"));
  CHECK(web::parse_new_queue(req.body).ok());

  req = request_of({"queues", "set", "fast", "--no-auth", "--type=direct", "--printers", "lab-1"});
  CHECK(req.method == "PATCH");
  CHECK(req.path == "/api/v1/queues/fast");
  CHECK(json::parse(req.body) == json::parse(R"({"type":"direct","printers":["lab-1"],"authentication":false})"));
  CHECK(web::parse_queue_patch(req.body).ok());

  req = request_of({"queues", "remove", "fast"});
  CHECK(req.method == "DELETE");
  CHECK(req.path == "/api/v1/queues/fast");
}

TEST_CASE("quirectl: jobs reprint ID [--printer P]") {
  auto req = request_of({"jobs", "reprint", "42"});
  CHECK(req.method == "POST");
  CHECK(req.path == "/api/v1/jobs/42/reprint");
  CHECK(req.body == "{}");
  req = request_of({"jobs", "reprint", "42", "--printer", "lab-2"});
  CHECK(json::parse(req.body) == json::parse(R"({"printer":"lab-2"})"));
  CHECK(usage_message({"jobs", "reprint"}) == "this command needs a job ID");
  CHECK(usage_message({"jobs", "reprint", "0"}) == "the job ID must be a positive whole number");
  CHECK(usage_message({"jobs", "reprint", "4", "--printer", "lab 2"}) ==
        "--printer must be 1 to 64 of A-Z a-z 0-9 _ . -");
  CHECK(usage_message({"jobs", "show", "4", "--printer", "lab-2"}) == "--printer does not apply to this command");
}

TEST_CASE("quirectl: the fleet commands refuse what cannot be right") {
  CHECK(usage_message({"printers", "add", "lab-3"}) == "printers add needs --uri URI");
  CHECK(usage_message({"printers", "add"}) == "this command needs a printer NAME");
  CHECK(usage_message({"printers", "add", "lab 3", "--uri", "socket://h"}) ==
        "the printer NAME must be 1 to 64 of A-Z a-z 0-9 _ . -");
  CHECK(usage_message({"printers", "add", "lab-3", "--uri", "no-scheme"}) ==
        "--uri must be a device URI (scheme://host/...)");
  CHECK(usage_message({"printers", "add", "lab-3", "--uri", "socket://a", "--uri", "socket://b"}) ==
        "--uri is given twice");
  CHECK(usage_message({"printers", "set", "lab-3"}) ==
        "printers set: nothing to change (--uri, --location, --info, --model, --language, --price-list)");
  CHECK(usage_message({"printers", "remove", "lab-3", "extra"}) == "unexpected argument 'extra'");
  CHECK(usage_message({"printers", "remove", "lab-3", "--uri", "socket://a"}) ==
        "--uri does not apply to this command");
  CHECK(usage_message({"queues", "add", "q"}) == "queues add needs --type pull|direct|group");
  CHECK(usage_message({"queues", "add", "q", "--type", "fifo"}) == "--type must be pull, direct or group");
  CHECK(usage_message({"queues", "add", "q", "--type", "pull", "--printers", "a,,b"}) ==
        "--printers must be printer names (1 to 64 of A-Z a-z 0-9 _ . -) separated by commas");
  CHECK(usage_message({"queues", "add", "q", "--type", "pull", "--printers", "a,a"}) ==
        "--printers names a printer twice");
  CHECK(usage_message({"queues", "set", "q", "--auth", "--no-auth"}) == "--no-auth contradicts an earlier option");
  CHECK(usage_message({"queues", "set", "q"}) ==
        "queues set: nothing to change (--type, --printers, --location, --info, --auth, --failover...)");
  CHECK(usage_message({"queues", "show"}) == "this command needs a queue NAME");
  CHECK(usage_message({"queues", "list", "x"}) == "unexpected argument 'x'");
  CHECK(usage_message({"queues", "add", "q", "--type", "pull", "--uri", "socket://h"}) ==
        "--uri does not apply to this command");
  CHECK(usage_message({"printers", "add", "p", "--uri", "socket://h", "--type", "pull"}) ==
        "--type does not apply to this command");
  CHECK(usage_message({"user", "add", "bob", "--location", "x"}) == "--location does not apply to this command");
}

TEST_CASE("quirectl: printer and queue records and the queue listing for people") {
  printer_record p;
  p.name = "lab-3";
  p.device_uri = "ipp://bob:secret@192.0.2.30/ipp/print";
  p.language = "application/pdf";
  p.location = "Room 3";
  p.origin = record_origin::api;
  std::string out = printer_record_details(web::printer_record_json(p));
  CHECK(out ==
        "name:          lab-3\n"
        "location:      Room 3\n"
        "info:\n"
        "device uri:    ipp://***@192.0.2.30/ipp/print\n"
        "language:      application/pdf\n"
        "model:\n"
        "price list:    none (prints free)\n"
        "origin:        api\n");

  queue_record q;
  q.name = "fast";
  q.type = queue_type::group;
  q.printers = {"lab-1", "lab-2"};
  q.auth_required = true;
  out = queue_details(web::queue_record_json(q));
  CHECK(out ==
        "name:            fast\n"
        "type:            group\n"
        "printers:        lab-1,lab-2\n"
        "location:\n"
        "info:\n"
        "authentication:  yes\n"
        "failover:        no\n"
        "origin:          config\n");

  out = queue_table(R"({"queues":[{"name":"secure","type":"pull","description":"Secure print",
    "printers":["lab-1","lab-2"],"ipp_uri":"ipp://h/ipp/print/secure"},
    {"name":"x\u001b[31m","type":"direct","description":"","printers":[],"ipp_uri":""}]})");
  CHECK(out ==
        "NAME    TYPE    PRINTERS     DESCRIPTION\n"
        "secure  pull    lab-1,lab-2  Secure print\n"
        "x?[31m  direct  -\n");
  CHECK(queue_table(R"({"queues":[]})") == "NAME  TYPE  PRINTERS  DESCRIPTION\n(no queues)\n");

  invocation removed;
  removed.what = action::printers_remove;
  removed.name = "lab-3";
  CHECK(done_line(removed) == "printer lab-3 removed\n");
  removed.what = action::queues_remove;
  CHECK(done_line(removed) == "queue lab-3 removed\n");
}

TEST_CASE("quirectl: printers show prints the settings when the answer has them") {
  printer_record p;
  p.name = "lab-1";
  p.device_uri = "socket://192.0.2.10:9100";
  p.language = "application/postscript";
  p.price_list = "standard";
  std::string body = web::printer_with_settings_json(R"({"name":"lab-1","state":"idle"})", p);
  std::string out = printer_details(body);
  CHECK(out.find("device uri:    socket://192.0.2.10:9100\n") != std::string::npos);
  CHECK(out.find("price list:    standard\n") != std::string::npos);
  CHECK(out.find("origin:        config\n") != std::string::npos);
  CHECK(printer_details(R"({"name":"lab-1","state":"idle"})").find("device uri") == std::string::npos);
}

TEST_CASE("quirectl: the usage text names every fleet command") {
  std::string usage = usage_text;
  for (const char* c : {"printers add NAME --uri URI", "printers set NAME", "printers remove NAME", "queues [list]",
                        "queues show NAME", "queues add NAME --type pull|direct|group", "queues set NAME",
                        "queues remove NAME", "jobs reprint ID [--printer P]"}) {
    CAPTURE(c);
    CHECK(usage.find(c) != std::string::npos);
  }
}
