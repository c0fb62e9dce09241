// quirectl's price-list and project commands: prices and projects
// list/show/add/set/remove, their requests (what the server parses) and
// their output for people.
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

TEST_CASE("quirectl: prices list, show, add, set and remove, their requests") {
  for (const auto& args : {std::vector<std::string>{"prices"}, std::vector<std::string>{"prices", "list"},
                           std::vector<std::string>{"--json", "prices"}}) {
    auto req = request_of(args);
    CHECK(req.method == "GET");
    CHECK(req.path == "/api/v1/prices");
    CHECK(req.body.empty());
  }
  auto req = request_of({"prices", "show", "standard"});
  CHECK(req.method == "GET");
  CHECK(req.path == "/api/v1/prices/standard");

  req = request_of({"prices", "add", "colour-lab", "--per", "impression", "--mono", "8", "--colour=40",
                    "--duplex-mono", "6", "--duplex-colour", "-1", "--size", "a3=16/80", "--size",
                    "na_letter_8.5x11in=9/45/7/30", "--mono-only"});
  CHECK(req.method == "POST");
  CHECK(req.path == "/api/v1/prices");
  CHECK(json::parse(req.body) == json::parse(R"({"name":"colour-lab","per":"impression","mono":8,"colour":40,
    "duplex_mono":6,"duplex_colour":-1,"sizes":[{"media":"iso_a3_297x420mm","mono":16,"colour":80,
    "duplex_mono":-1,"duplex_colour":-1},{"media":"na_letter_8.5x11in","mono":9,"colour":45,"duplex_mono":7,
    "duplex_colour":30}],"mono_only":true})"));
  // What the server parses is what quirectl sends.
  auto parsed = web::parse_new_price_list(req.body);
  REQUIRE(parsed.ok());
  CHECK(parsed->per == "impression");
  CHECK(parsed->sizes.size() == 2);
  CHECK(parsed->mono_only);

  req = request_of({"prices", "add", "free"});
  CHECK(json::parse(req.body) == json::parse(R"({"name":"free"})"));

  req = request_of({"prices", "set", "standard", "--colour", "25", "--no-mono-only"});
  CHECK(req.method == "PATCH");
  CHECK(req.path == "/api/v1/prices/standard");
  CHECK(json::parse(req.body) == json::parse(R"({"colour":25,"mono_only":false})"));
  CHECK(web::parse_price_list_patch(req.body).ok());
  // --size on set replaces every size; --no-sizes removes them.
  req = request_of({"prices", "set", "standard", "--size", "a4=5/20"});
  CHECK(json::parse(req.body)["sizes"].size() == 1);
  req = request_of({"prices", "set", "standard", "--no-sizes"});
  CHECK(json::parse(req.body) == json::parse(R"({"sizes":[]})"));
  CHECK(web::parse_price_list_patch(req.body).ok());

  req = request_of({"prices", "remove", "standard"});
  CHECK(req.method == "DELETE");
  CHECK(req.path == "/api/v1/prices/standard");
  CHECK(req.body.empty());
}

TEST_CASE("quirectl: projects list, show, add, set and remove, their requests") {
  for (const auto& args : {std::vector<std::string>{"projects"}, std::vector<std::string>{"projects", "list"}}) {
    auto req = request_of(args);
    CHECK(req.method == "GET");
    CHECK(req.path == "/api/v1/projects");
  }
  auto req = request_of({"projects", "show", "thesis"});
  CHECK(req.method == "GET");
  CHECK(req.path == "/api/v1/projects/thesis");

  req = request_of({"projects", "add", "thesis", "--description", "PhD printing", "--group", "phd", "--group",
                    "staff"});
  CHECK(req.method == "POST");
  CHECK(req.path == "/api/v1/projects");
  CHECK(json::parse(req.body) ==
        json::parse(R"({"name":"thesis","description":"PhD printing","groups":["phd","staff"]})"));
  CHECK(web::parse_new_project(req.body).ok());
  req = request_of({"projects", "add", "open", "--group", "staff"});
  CHECK(json::parse(req.body) == json::parse(R"({"name":"open","groups":["staff"]})"));

  req = request_of({"projects", "set", "thesis", "--no-groups"});
  CHECK(req.method == "PATCH");
  CHECK(req.path == "/api/v1/projects/thesis");
  CHECK(json::parse(req.body) == json::parse(R"({"groups":[]})"));
  CHECK(web::parse_project_patch(req.body).ok());
  req = request_of({"projects", "set", "thesis", "--description", ""});
  CHECK(json::parse(req.body) == json::parse(R"({"description":""})"));

  req = request_of({"projects", "remove", "thesis"});
  CHECK(req.method == "DELETE");
  CHECK(req.path == "/api/v1/projects/thesis");
}

TEST_CASE("quirectl: the price-list and project commands refuse what cannot be right") {
  CHECK(usage_message({"prices", "add"}) == "this command needs a price list NAME");
  CHECK(usage_message({"prices", "show", "a b"}) == "the price list NAME must be 1 to 64 of A-Z a-z 0-9 _ . -");
  CHECK(usage_message({"prices", "list", "x"}) == "unexpected argument 'x'");
  CHECK(usage_message({"prices", "add", "p", "--per", "page"}) == "--per must be sheet or impression");
  CHECK(usage_message({"prices", "add", "p", "--mono", "1.5"}) ==
        "--mono must be a whole number of minor units from 0 to 1000000000");
  CHECK(usage_message({"prices", "add", "p", "--colour", "-1"}) ==
        "--colour must be a whole number of minor units from 0 to 1000000000");
  CHECK(usage_message({"prices", "add", "p", "--duplex-mono", "-2"}) ==
        "--duplex-mono must be a whole number of minor units from -1 to 1000000000");
  CHECK(usage_message({"prices", "add", "p", "--mono", "1", "--mono", "2"}) == "--mono is given twice");
  CHECK(usage_message({"prices", "add", "p", "--size", "a4"}).rfind("--size: ", 0) == 0);
  CHECK(usage_message({"prices", "add", "p", "--size", "a4=1/2", "--size", "iso_a4_210x297mm=3/4"}) ==
        "--size prices iso_a4_210x297mm twice");
  CHECK(usage_message({"prices", "set", "p", "--size", "a4=1/2", "--no-sizes"}) == "--no-sizes contradicts --size");
  CHECK(usage_message({"prices", "set", "p", "--mono-only", "--no-mono-only"}) ==
        "--no-mono-only contradicts an earlier option");
  CHECK(usage_message({"prices", "add", "p", "--no-sizes"}) == "--no-sizes does not apply to this command");
  CHECK(usage_message({"prices", "set", "p"}) ==
        "prices set: nothing to change (--per, --mono, --colour, --duplex-mono, --duplex-colour, --size, "
        "--no-sizes, --mono-only, --no-mono-only)");
  CHECK(usage_message({"prices", "remove", "p", "--mono", "1"}) == "--mono does not apply to this command");
  CHECK(usage_message({"projects", "show"}) == "this command needs a project NAME");
  CHECK(usage_message({"projects", "add", "p/1"}) == "the project NAME must be 1 to 64 of A-Z a-z 0-9 _ . -");
  CHECK(usage_message({"projects", "set", "p"}) == "projects set: nothing to change (--description, --group, "
                                                   "--no-groups)");
  CHECK(usage_message({"projects", "set", "p", "--group", "a", "--no-groups"}) == "--no-groups contradicts --group");
  CHECK(usage_message({"projects", "add", "p", "--group", "a", "--group", "a"}) == "--group names a group twice");
  CHECK(usage_message({"projects", "add", "p", "--no-groups"}) == "--no-groups does not apply to this command");
  CHECK(usage_message({"projects", "add", "p", "--mono", "1"}) == "--mono does not apply to this command");
  CHECK(usage_message({"prices", "add", "p", "--description", "x"}) == "--description does not apply to this command");
  CHECK(usage_message({"user", "add", "bob", "--description", "x"}) == "--description does not apply to this command");
  CHECK(usage_message({"printers", "add", "p", "--uri", "socket://h", "--mono", "1"}) ==
        "--mono does not apply to this command");
  // A user's other options are no project's.
  for (const char* o : {"--admin", "--no-admin", "--disable", "--enable"}) {
    CAPTURE(o);
    CHECK(usage_message({"projects", "set", "p", o}) == std::string(o).append(" does not apply to this command"));
  }
  CHECK(usage_message({"projects", "add", "p", "--display-name", "x"}) ==
        "--display-name does not apply to this command");
  // The user commands keep their --group and --no-groups.
  CHECK(usage_message({"user", "set", "bob", "--group", "staff"}) == "(accepted)");
  CHECK(usage_message({"user", "set", "bob", "--no-groups"}) == "(accepted)");
  CHECK(usage_message({"user", "add", "bob", "--no-groups"}) == "--no-groups does not apply to this command");
}

TEST_CASE("quirectl: price lists for people, a table and one list's lines") {
  price_list_record l;
  l.name = "colour-lab";
  l.per = "impression";
  l.base = {8, 40, 6, -1};
  l.sizes = {{"iso_a3_297x420mm", {16, 80, -1, 60}}};
  l.origin = record_origin::api;
  price_list_record free;
  free.name = "free";
  free.mono_only = true;
  std::string out = price_table(web::price_list_list_json({l, free}));
  CHECK(out ==
        "NAME        PER         MONO  COLOUR  DUPLEX  SIZES  MONO ONLY  ORIGIN\n"
        "colour-lab  impression  8     40      6/-     1      no         api\n"
        "free        sheet       0     0       -       0      yes        config\n");
  CHECK(price_table(R"({"prices":[]})") ==
        "NAME  PER  MONO  COLOUR  DUPLEX  SIZES  MONO ONLY  ORIGIN\n(no price lists)\n");

  out = price_details(web::price_list_record_json(l));
  CHECK(out ==
        "name:           colour-lab\n"
        "per:            impression\n"
        "mono:           8\n"
        "colour:         40\n"
        "duplex mono:    6\n"
        "duplex colour:  as colour\n"
        "mono only:      no\n"
        "origin:         api\n"
        "sizes:\n"
        "  iso_a3_297x420mm: mono 16, colour 80, duplex colour 60\n");
  CHECK(price_details(web::price_list_record_json(free)).find("sizes:          none\n") != std::string::npos);
  // What the server sends passes through printable().
  CHECK(price_details(R"({"name":"x\u001b[2J","mono":"?"})").find("name:           x?[2J\n") != std::string::npos);

  invocation removed;
  removed.what = action::prices_remove;
  removed.name = "free";
  CHECK(done_line(removed) == "price list free removed\n");
}

TEST_CASE("quirectl: projects for people, an administrator's table, a user's, and one project") {
  project_record p;
  p.name = "thesis";
  p.description = "PhD printing";
  p.groups = {"phd", "staff"};
  p.origin = record_origin::api;
  project_record open;
  open.name = "open";
  std::string out = project_table(web::project_list_json({open, p}, true));
  CHECK(out ==
        "NAME    DESCRIPTION   GROUPS     ORIGIN\n"
        "open                  everyone   config\n"
        "thesis  PhD printing  phd,staff  api\n");
  out = project_table(web::project_list_json({open, p}, false));
  CHECK(out ==
        "NAME    DESCRIPTION\n"
        "open\n"
        "thesis  PhD printing\n");
  CHECK(project_table(R"({"projects":[]})") == "NAME  DESCRIPTION\n(no projects)\n");

  out = project_details(web::project_record_json(p));
  CHECK(out ==
        "name:         thesis\n"
        "description:  PhD printing\n"
        "groups:       phd,staff\n"
        "origin:       api\n");

  invocation removed;
  removed.what = action::projects_remove;
  removed.name = "thesis";
  CHECK(done_line(removed) == "project thesis removed\n");
}

TEST_CASE("quirectl: the usage text names every price-list and project command") {
  std::string usage = usage_text;
  for (const char* c : {"prices [list]", "prices show NAME", "prices add NAME [--per sheet|impression]",
                        "--size MEDIA=MONO/COLOUR[/DMONO/DCOLOUR]", "prices set NAME", "--no-sizes",
                        "--no-mono-only", "prices remove NAME", "projects [list]", "projects show NAME",
                        "projects add NAME [--description T] [--group G]...", "projects set NAME", "--no-groups",
                        "projects remove NAME"}) {
    CAPTURE(c);
    CHECK(usage.find(c) != std::string::npos);
  }
}
