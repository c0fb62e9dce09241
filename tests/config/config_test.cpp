// load_config(): the defaults, the --config file, --data-dir and --set, and
// how they merge. Validation errors are in config_validate_test.cpp.
#include <doctest/doctest.h>

#include <unistd.h>

#include <fstream>
#include <sstream>

#include "config/config.hpp"
#include "config_test_util.hpp"

using namespace quire;
using quire::test::load_error;
using quire::test::load_ok;

namespace {

const std::string example_path = std::string(QUIRE_SOURCE_DIR) + "/config/quire.example.toml";

config load_sources(const config_sources& s) {
  auto r = load_config(s);
  INFO((r.ok() ? std::string() : r.err().message));
  REQUIRE(r.ok());
  return std::move(r).value();
}

// A file in a fresh temporary folder, removed with the object.
struct temp_file {
  std::filesystem::path dir;
  std::string path;
  explicit temp_file(const std::string& text) {
    static int count = 0;
    dir = std::filesystem::temp_directory_path() /
          ("quire-config-test-" + std::to_string(::getpid()) + "-" + std::to_string(++count));
    std::filesystem::create_directories(dir);
    path = (dir / "quire.toml").string();
    std::ofstream(path) << text;
  }
  ~temp_file() { std::filesystem::remove_all(dir); }
};

}  // namespace

TEST_CASE("no file: the documented defaults, with the demo printer and queues") {
  config c = load_sources({});
  std::string data = quire::test::cwd() + "/data";
  CHECK(c.server.data_dir == data);
  CHECK(c.server.user == "");
  CHECK(c.server.name == "Quire");
  CHECK(c.log.level == "info");
  CHECK(c.log.file == "");
  CHECK(c.ipp.enabled);
  CHECK(c.ipp.listen.host == "127.0.0.1");
  CHECK(c.ipp.listen.port == 8631);
  CHECK(c.tls.enabled);
  CHECK(c.tls.certificate == "");
  CHECK(c.tls.private_key == "");
  CHECK(c.limits.max_document_bytes == 104857600);
  CHECK(c.limits.max_ipp_attributes_bytes == 262144);
  CHECK(c.limits.inline_document_bytes == 262144);
  CHECK(c.limits.request_timeout_ms == 30000);
  CHECK(c.limits.idle_timeout_ms == 60000);
  CHECK(c.limits.max_connections == 4096);
  CHECK(c.jobs.held_expiry_s == 86400);
  CHECK(c.jobs.history_s == 2592000);
  CHECK(c.jobs.reprint_s == 0);
  CHECK(c.lpd.enabled);
  CHECK(c.lpd.listen.host == "127.0.0.1");
  CHECK(c.lpd.listen.port == 8515);
  CHECK(c.lpd.max_control_bytes == 65536);
  using enum identity_source;
  CHECK(c.intake.user_from == std::vector<identity_source>{pjl, dsc, control});
  CHECK(c.intake.name_from == std::vector<identity_source>{pjl, dsc, control});
  CHECK_FALSE(c.intake.known_users_only);
  CHECK(c.intake.unknown_user == unknown_user_action::host);
  CHECK(c.raw.empty());
  CHECK(c.accounting.initial_credit == 0);
  CHECK(c.accounting.unlimited_groups.empty());
  CHECK(c.terminals.session_idle_s == 60);
  CHECK(c.terminals.pin_login_min_digits == 6);
  CHECK(c.terminals.max_login_failures == 5);
  CHECK(c.terminals.lockout_s == 300);
  CHECK(c.monitoring.enabled);
  CHECK(c.monitoring.interval_s == 60);
  CHECK(c.monitoring.busy_interval_s == 15);
  CHECK(c.monitoring.jitter_percent == 10);
  CHECK(c.monitoring.timeout_ms == 2000);
  CHECK(c.monitoring.retries == 1);
  CHECK(c.monitoring.offline_after == 3);
  CHECK(c.monitoring.max_backoff_s == 600);
  CHECK(c.monitoring.community == "public");
  CHECK(c.monitoring.version == "2c");
  CHECK(c.monitoring.low_percent == 10);
  CHECK(c.monitoring.max_rows == 64);
  CHECK(c.monitoring.snapshot_s == 900);
  CHECK(c.monitoring.snapshot_days == 400);
  CHECK(c.quotas.empty());
  CHECK(c.projects.empty());

  REQUIRE(c.printers.size() == 1);
  const printer_config& demo = c.printers[0];
  CHECK(demo.name == "demo");
  CHECK(demo.device_uri == "file://" + data + "/sink/demo");
  CHECK(demo.language == "application/octet-stream");
  CHECK(demo.location == "");
  CHECK(demo.info == "Demo printer (writes each job to the sink folder)");
  CHECK(demo.make_and_model == "Quire File Sink");
  CHECK(demo.login == std::vector<std::string>{"card", "password"});
  CHECK_FALSE(demo.print_all_on_login);
  CHECK_FALSE(demo.snmp.has_value());
  CHECK(demo.snmp_address == "");
  CHECK(demo.snmp_community == "");
  CHECK(demo.snmp_version == "");

  REQUIRE(c.queues.size() == 2);  // sorted by name
  CHECK(c.queues[0].name == "demo");
  CHECK(c.queues[0].kind == queue_kind::direct);
  CHECK(c.queues[0].printers == std::vector<std::string>{"demo"});
  CHECK(c.queues[0].info == "Prints at once on the demo printer");
  CHECK(c.queues[1].name == "secure");
  CHECK(c.queues[1].kind == queue_kind::pull);
  CHECK(c.queues[1].printers == std::vector<std::string>{"demo"});
  CHECK(c.queues[1].location == "");
  CHECK(c.queues[1].info == "Secure print: release your jobs at any printer");
  CHECK_FALSE(c.queues[0].failover);
  CHECK_FALSE(c.queues[1].failover);

  CHECK(c.find_printer("demo") == &c.printers[0]);
  CHECK(c.find_printer("nope") == nullptr);
  CHECK(c.find_queue("secure") == &c.queues[1]);
  CHECK(c.find_queue("") == nullptr);
  CHECK(c.find_project("research") == nullptr);
}

TEST_CASE("the example file is the embedded defaults, byte for byte and in effect") {
  std::ifstream in(example_path);
  REQUIRE(in);
  std::stringstream text;
  text << in.rdbuf();
  CHECK(text.str() == embedded_defaults_toml());

  config_sources with_file;
  with_file.file = example_path;
  quire::test::check_same(load_sources(with_file), load_sources({}));
}

TEST_CASE("an empty file changes nothing") {
  quire::test::check_same(load_ok(""), load_ok("# nothing\n"));
  config c = load_ok("");
  CHECK(c.printers.size() == 1);
  CHECK(c.queues.size() == 2);
}

TEST_CASE("a file's sections merge key by key") {
  config c = load_ok("[ipp]\nlisten = \"0.0.0.0:631\"\n[limits]\nmax_connections = 10\n");
  CHECK(c.ipp.listen.host == "0.0.0.0");
  CHECK(c.ipp.listen.port == 631);
  CHECK(c.ipp.enabled);                           // from the defaults
  CHECK(c.limits.max_connections == 10);
  CHECK(c.limits.request_timeout_ms == 30000);   // from the defaults
  CHECK(c.printers.size() == 1);                  // the demo printer stays
}

TEST_CASE("a file's [printers] and [queues] replace the defaults wholesale") {
  config c = load_ok(R"(
[printers.lab1]
device_uri = "ipp://10.0.0.5/ipp/print"
[printers.lab0]
device_uri = "socket://10.0.0.6"
language = "application/vnd.hp-pcl"
[queues.follow]
printers = ["lab1", "lab0"]
)");
  REQUIRE(c.printers.size() == 2);
  CHECK(c.printers[0].name == "lab0");  // sorted
  CHECK(c.printers[0].device_uri == "socket://10.0.0.6");
  CHECK(c.printers[0].language == "application/vnd.hp-pcl");
  CHECK(c.printers[1].name == "lab1");
  CHECK(c.printers[1].language == "application/octet-stream");
  CHECK(c.printers[1].info == "");
  CHECK(c.find_printer("demo") == nullptr);
  REQUIRE(c.queues.size() == 1);
  CHECK(c.queues[0].name == "follow");
  CHECK(c.queues[0].kind == queue_kind::pull);  // the default type
  CHECK(c.queues[0].printers == std::vector<std::string>{"lab1", "lab0"});  // order kept

  // [printers] alone replaces the demo printer but not the queues naming it.
  CHECK(load_error("[printers.lab1]\ndevice_uri = \"socket://h\"\n") ==
        "queues.demo.printers: unknown printer 'demo'");
  // Empty tables mean "none".
  config none = load_ok("[printers]\n[queues]\n");
  CHECK(none.printers.empty());
  CHECK(none.queues.empty());
}

TEST_CASE("the defaults in the code are the documented ones") {
  // A config built by hand (as actor tests do) differs from the loaded
  // defaults only where the TOML file has to say something: the listeners'
  // addresses and the demo entries.
  config built;
  config loaded = load_ok("");
  CHECK(built.lpd.enabled == loaded.lpd.enabled);
  CHECK(built.lpd.max_control_bytes == loaded.lpd.max_control_bytes);
  CHECK(built.intake.user_from == loaded.intake.user_from);
  CHECK(built.intake.name_from == loaded.intake.name_from);
  CHECK(built.intake.known_users_only == loaded.intake.known_users_only);
  CHECK(built.intake.unknown_user == loaded.intake.unknown_user);
  CHECK(built.raw.empty());
  CHECK(built.accounting.initial_credit == loaded.accounting.initial_credit);
  CHECK(built.accounting.unlimited_groups == loaded.accounting.unlimited_groups);
  CHECK(built.terminals.session_idle_s == loaded.terminals.session_idle_s);
  CHECK(built.terminals.pin_login_min_digits == loaded.terminals.pin_login_min_digits);
  CHECK(built.terminals.max_login_failures == loaded.terminals.max_login_failures);
  CHECK(built.terminals.lockout_s == loaded.terminals.lockout_s);
  CHECK(built.monitoring.enabled == loaded.monitoring.enabled);
  CHECK(built.monitoring.interval_s == loaded.monitoring.interval_s);
  CHECK(built.monitoring.busy_interval_s == loaded.monitoring.busy_interval_s);
  CHECK(built.monitoring.jitter_percent == loaded.monitoring.jitter_percent);
  CHECK(built.monitoring.timeout_ms == loaded.monitoring.timeout_ms);
  CHECK(built.monitoring.retries == loaded.monitoring.retries);
  CHECK(built.monitoring.offline_after == loaded.monitoring.offline_after);
  CHECK(built.monitoring.max_backoff_s == loaded.monitoring.max_backoff_s);
  CHECK(built.monitoring.community == loaded.monitoring.community);
  CHECK(built.monitoring.version == loaded.monitoring.version);
  CHECK(built.monitoring.low_percent == loaded.monitoring.low_percent);
  CHECK(built.monitoring.max_rows == loaded.monitoring.max_rows);
  CHECK(built.monitoring.snapshot_s == loaded.monitoring.snapshot_s);
  CHECK(built.monitoring.snapshot_days == loaded.monitoring.snapshot_days);
  CHECK(built.quotas.empty());
  CHECK(built.projects.empty());
  CHECK(printer_config{}.login == loaded.printers[0].login);
  CHECK(printer_config{}.print_all_on_login == loaded.printers[0].print_all_on_login);
  CHECK(printer_config{}.snmp == loaded.printers[0].snmp);
  CHECK(printer_config{}.snmp_address == loaded.printers[0].snmp_address);
  CHECK(printer_config{}.snmp_community == loaded.printers[0].snmp_community);
  CHECK(printer_config{}.snmp_version == loaded.printers[0].snmp_version);
  CHECK(queue_config{}.failover == loaded.queues[1].failover);
  CHECK(quota_config{}.period == quota_period::month);
  CHECK(std::string(to_string(quota_period::day)) == "day");
  CHECK(std::string(to_string(quota_period::week)) == "week");
  CHECK(std::string(to_string(quota_period::month)) == "month");
  CHECK(std::string(to_string(quota_period::year)) == "year");
  CHECK(std::string(to_string(identity_source::pjl)) == "pjl");
  CHECK(std::string(to_string(identity_source::dsc)) == "dsc");
  CHECK(std::string(to_string(identity_source::control)) == "control");
}

TEST_CASE("[lpd] and [intake] merge key by key, [raw] entries come from the file") {
  config c = load_ok(R"(
[lpd]
enabled = false
[intake]
unknown_user = "reject"
[raw.b]
listen = "0.0.0.0:9101"
queue = "demo"
[raw.a]
listen = "[::1]:9100"
queue = "secure"
)");
  CHECK_FALSE(c.lpd.enabled);
  CHECK(c.lpd.listen.to_string() == "127.0.0.1:8515");  // from the defaults
  CHECK(c.intake.unknown_user == unknown_user_action::reject);
  CHECK(c.intake.user_from.size() == 3);                // from the defaults
  REQUIRE(c.raw.size() == 2);
  CHECK(c.raw[0].name == "a");  // sorted
  CHECK(c.raw[0].listen.host == "::1");
  CHECK(c.raw[0].listen.port == 9100);
  CHECK(c.raw[0].queue == "secure");
  CHECK(c.raw[1].name == "b");
  CHECK(c.raw[1].listen.to_string() == "0.0.0.0:9101");
  CHECK(c.raw[1].queue == "demo");
  // --set adds to the file's listeners; an empty [raw] means none.
  CHECK(load_ok("[raw.a]\nlisten = \"127.0.0.1:9100\"\nqueue = \"demo\"\n",
                {"raw.b={listen = \"127.0.0.1:9101\", queue = \"demo\"}"})
            .raw.size() == 2);
  CHECK(load_ok("[raw]\n").raw.empty());
}

TEST_CASE("a --config file is read from disk, errors name it") {
  temp_file good("[server]\nname = \"From disk\"\n");
  config_sources s;
  s.file = good.path;
  CHECK(load_sources(s).server.name == "From disk");

  temp_file bad("[server]\nname = \"unterminated\n");
  s.file = bad.path;
  auto r = load_config(s);
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().code == errc::invalid_argument);
  CHECK(r.err().message.rfind(bad.path + ":2:", 0) == 0);

  s.file = "/nonexistent/quire.toml";
  r = load_config(s);
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().message == "/nonexistent/quire.toml: cannot read: No such file or directory");

  s.file = std::filesystem::temp_directory_path().string();
  r = load_config(s);
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().message == *s.file + ": cannot read: Is a directory");
}

TEST_CASE("TOML syntax errors give source, line and column") {
  CHECK(load_error("[ipp]\nlisten = \n") ==
        "<text>:2:10: Error while parsing key-value pair: expected value, saw '\\n'");
  CHECK(load_error("[server]\nname = \"a\"\nname = \"b\"\n") ==
        "<text>:3:8: Error while parsing key-value pair: cannot redefine existing string 'name'");
}

TEST_CASE("--set takes strings verbatim and parses other values as TOML") {
  config c = load_ok("", {"server.name=Lab \"Quire\" #1", "limits.max_connections=42",
                          "ipp.enabled=false", "log.level=debug", "jobs.history_s=0"});
  CHECK(c.server.name == "Lab \"Quire\" #1");
  CHECK(c.limits.max_connections == 42);
  CHECK_FALSE(c.ipp.enabled);
  CHECK(c.log.level == "debug");
  CHECK(c.jobs.history_s == 0);

  // A value may itself contain '=': only the first one splits.
  CHECK(load_ok("", {"server.user=a=b"}).server.user == "a=b");
  // Later overrides win, and overrides beat the file.
  c = load_ok("[server]\nname = \"file\"\n", {"server.name=one", "server.name=two"});
  CHECK(c.server.name == "two");
  // An empty value is an empty string for a string key.
  CHECK(load_ok("", {"log.file="}).log.file == "");
}

TEST_CASE("--set adds printers and edits queues") {
  config c = load_ok("", {"printers.p2.device_uri=socket://127.0.0.1:9100",
                          "printers.p2.info=Second floor",
                          R"(queues.secure.printers=["p2", "demo"])",
                          R"(printers."lab.2"={device_uri = "lpd://10.1.1.1/raw", location = "L2"})",
                          "queues.lab=" R"({type = "direct", printers = ["lab.2"]})"});
  REQUIRE(c.printers.size() == 3);
  CHECK(c.printers[0].name == "demo");
  CHECK(c.printers[1].name == "lab.2");
  CHECK(c.printers[1].device_uri == "lpd://10.1.1.1/raw");
  CHECK(c.printers[1].location == "L2");
  CHECK(c.printers[2].name == "p2");
  CHECK(c.printers[2].device_uri == "socket://127.0.0.1:9100");
  CHECK(c.printers[2].info == "Second floor");
  const queue_config* secure = c.find_queue("secure");
  REQUIRE(secure != nullptr);
  CHECK(secure->printers == std::vector<std::string>{"p2", "demo"});
  const queue_config* lab = c.find_queue("lab");
  REQUIRE(lab != nullptr);
  CHECK(lab->kind == queue_kind::direct);
  CHECK(lab->printers == std::vector<std::string>{"lab.2"});
}

TEST_CASE("--set reaches [lpd], [intake] and [raw]") {
  config c = load_ok("", {"lpd.listen=127.0.0.1:0", R"(intake.user_from=["control"])",
                          R"(intake.name_from=["dsc", "pjl"])", "intake.known_users_only=true",
                          "intake.unknown_user=reject", "lpd.max_control_bytes=1024",
                          "raw.lab9100.listen=0.0.0.0:9100", "raw.lab9100.queue=secure",
                          R"(raw."lab.2"={listen = "[::]:9101", queue = "demo"})"});
  CHECK(c.lpd.enabled);
  CHECK(c.lpd.listen.host == "127.0.0.1");
  CHECK(c.lpd.listen.port == 0);
  CHECK(c.lpd.max_control_bytes == 1024);
  CHECK(c.intake.user_from == std::vector<identity_source>{identity_source::control});
  CHECK(c.intake.name_from == std::vector<identity_source>{identity_source::dsc, identity_source::pjl});
  CHECK(c.intake.known_users_only);
  CHECK(c.intake.unknown_user == unknown_user_action::reject);
  REQUIRE(c.raw.size() == 2);
  CHECK(c.raw[0].name == "lab.2");
  CHECK(c.raw[0].listen.to_string() == "[::]:9101");
  CHECK(c.raw[0].queue == "demo");
  CHECK(c.raw[1].name == "lab9100");
  CHECK(c.raw[1].listen.to_string() == "0.0.0.0:9100");
  CHECK(c.raw[1].queue == "secure");
  CHECK_FALSE(load_ok("", {"lpd.enabled=false"}).lpd.enabled);

  // A list is a TOML array on the command line, as for queues.*.printers.
  CHECK(load_error("", {"intake.user_from=control"}).rfind("--set intake.user_from:1:", 0) == 0);
  CHECK(load_error("", {"intake.user_from=\"control\""}) ==
        "intake.user_from: expected an array of strings, got string");
  CHECK(load_error("", {"lpd.lisen=127.0.0.1:0"}) == "unknown key 'lpd.lisen'");
  CHECK(load_error("", {"raw.x.port=9100"}) == "unknown key 'raw.x.port'");
}

TEST_CASE("bad --set arguments are errors naming the key") {
  CHECK(load_error("", {"ipp.listen"}) == "--set ipp.listen: expected KEY=VALUE");
  CHECK(load_error("", {"ipp.lisen=0.0.0.0:631"}) == "unknown key 'ipp.lisen'");
  CHECK(load_error("", {"printers.demo.colour=yes"}) == "unknown key 'printers.demo.colour'");
  CHECK(load_error("", {"limits.max_connections=lots"}) ==
        "--set limits.max_connections:1:1: Error while parsing value: could not determine value type");
  CHECK(load_error("", {"limits.max_connections=\"42\""}) ==
        "limits.max_connections: expected an integer, got string");
  CHECK(load_error("", {"ipp.enabled=1\ny = 2"}) ==
        "--set ipp.enabled: expected one TOML value, got '1\\ny = 2'");
  CHECK(load_error("", {"=5"}) == "--set =5: expected KEY=VALUE");
  CHECK(load_error("", {"ipp#x=5"}) ==
        "--set ipp#x: expected a dotted key like ipp.listen or printers.\"lab.2\".info");
  CHECK(load_error("", {"ipp listen=5"}).rfind("--set ipp listen:1:", 0) == 0);
  CHECK(load_error("", {"server.name=\xff"}) == "--set server.name: the value is not valid UTF-8");
  CHECK(load_error("", {"ipp.listen.port=1"}) == "unknown key 'ipp.listen.port'");
  CHECK(load_error("", {"printers.p=1", "printers.p.info=x"}) ==
        "printers.p: expected a table, got integer");
}

TEST_CASE("--data-dir: relative paths become absolute and normal") {
  config_sources s;
  s.data_dir = "var/q/../spool/";
  config c = load_sources(s);
  std::string expect = quire::test::cwd() + "/var/spool";
  CHECK(c.server.data_dir == expect);
  CHECK(c.printers[0].device_uri == "file://" + expect + "/sink/demo");

  s.data_dir = "/srv//quire/./";
  CHECK(load_sources(s).server.data_dir == "/srv/quire");
  s.data_dir = ".";
  CHECK(load_sources(s).server.data_dir == quire::test::cwd());

  // --data-dir is the same as a --set that comes before all others.
  s.data_dir = "/a";
  s.overrides = {"server.data_dir=/b"};
  CHECK(load_sources(s).server.data_dir == "/b");
  CHECK(load_error("", {"server.data_dir="}) == "server.data_dir: must not be empty, got ''");

  // A relative log file resolves the same way.
  CHECK(load_ok("", {"log.file=logs/quired.log"}).log.file ==
        quire::test::cwd() + "/logs/quired.log");
}

TEST_CASE("price lists: read, named by printers, checked") {
  config c = load_ok(R"(
[accounting]
currency = "CHF"
minor_digits = 2
[prices.lab]
per = "sheet"
mono = 10
colour = 50
duplex_mono = 15
sizes = ["a3=20/100", "na_letter_8.5x11in=9/45/14/70"]
[prices.mono]
mono = 3
mono_only = true
[printers.p1]
device_uri = "file://${data_dir}/sink/p1"
price_list = "lab"
[printers.p2]
device_uri = "file://${data_dir}/sink/p2"
[queues.q]
printers = ["p1", "p2"]
)");
  CHECK(c.accounting.currency == "CHF");
  REQUIRE(c.prices.size() == 2);
  const pdl::price_list* lab = c.find_price_list("lab");
  REQUIRE(lab != nullptr);
  CHECK(lab->per == pdl::price_unit::sheet);
  CHECK(lab->base == pdl::rate{10, 50, 15, -1});
  REQUIRE(lab->sizes.size() == 2);
  CHECK(lab->sizes[0].first == "iso_a3_297x420mm");
  CHECK(lab->sizes[1].second == pdl::rate{9, 45, 14, 70});
  CHECK(c.find_price_list("mono")->mono_only);
  CHECK(c.find_price_list("mono")->per == pdl::price_unit::sheet);  // the default
  CHECK(c.find_printer("p1")->price_list == "lab");
  CHECK(c.find_printer("p2")->price_list.empty());
  // The defaults: EUR, a standard list the demo printer charges by.
  config d = load_ok("");
  CHECK(d.accounting.currency == "EUR");
  CHECK(d.accounting.minor_digits == 2);
  REQUIRE(d.find_price_list("standard") != nullptr);
  CHECK(d.find_printer("demo")->price_list == "standard");
}

TEST_CASE("price lists: bad values name their key") {
  auto fails = [](const std::string& text, const std::string& key) {
    auto r = load_config_text(text, config_sources{});
    REQUIRE_FALSE(r.ok());
    CHECK_MESSAGE(r.err().message.find(key) != std::string::npos, r.err().message);
  };
  fails("[accounting]\ncurrency = \"euro\"\n", "accounting.currency");
  fails("[accounting]\nminor_digits = 5\n", "accounting.minor_digits");
  fails("[prices.x]\nper = \"page\"\n", "prices.x.per");
  fails("[prices.x]\nmono = -1\n", "prices.x.mono");
  fails("[prices.x]\ncolour = 1000000001\n", "prices.x.colour");
  fails("[prices.x]\nduplex_mono = -2\n", "prices.x.duplex_mono");
  fails("[prices.x]\nsizes = [\"a3=1\"]\n", "prices.x.sizes");
  fails("[prices.x]\nsizes = [\"a3=1/2\", \"iso_a3_297x420mm=3/4\"]\n", "priced twice");
  fails("[prices.x]\nmono_only = 1\n", "prices.x.mono_only");
  fails("[prices.x]\nfoo = 1\n", "prices.x.foo");
  fails("[printers.demo]\ndevice_uri = \"file://${data_dir}/sink/demo\"\nprice_list = \"nope\"\n",
        "printers.demo.price_list");
}

TEST_CASE("delivery: defaults, values and limits") {
  config d = load_ok("");
  CHECK(d.delivery.retries == 3);
  CHECK(d.delivery.backoff_ms == 1000);
  CHECK(d.delivery.job_timeout_s == 3600);
  config c = load_ok("[delivery]\nretries = 0\nbackoff_ms = 0\nipp_poll_ms = 500\nconnect_timeout_ms = 2000\n");
  CHECK(c.delivery.retries == 0);
  CHECK(c.delivery.backoff_ms == 0);
  CHECK(c.delivery.ipp_poll_ms == 500);
  CHECK(c.delivery.connect_timeout_ms == 2000);
  for (const char* bad : {"retries = 101", "connect_timeout_ms = 99", "ipp_poll_ms = 0", "job_timeout_s = 0",
                          "progress_timeout_ms = 3600001", "speed = 1"}) {
    auto r = load_config_text(std::string("[delivery]\n") + bad + "\n", config_sources{});
    CHECK_MESSAGE(!r.ok(), bad);
    if (!r.ok()) CHECK_MESSAGE(r.err().message.find("delivery.") != std::string::npos, r.err().message);
  }
}

TEST_CASE("release at the printer: credit, terminals, log-in methods, failover") {
  config c = load_ok(R"(
[accounting]
initial_credit = 500
unlimited_groups = ["staff", "Lehrstuhl Müller"]
[terminals]
session_idle_s = 10
pin_login_min_digits = 16
max_login_failures = 1
lockout_s = 86400
[printers.a]
device_uri = "socket://10.0.0.1"
login = ["card+pin", "pin"]
print_all_on_login = true
[printers.b]
device_uri = "socket://10.0.0.2"
[queues.pull]
printers = ["a", "b"]
failover = true
[queues.group]
type = "group"
printers = ["a", "b"]
failover = true
[queues.direct]
type = "direct"
printers = ["a"]
failover = false
)");
  CHECK(c.accounting.currency == "EUR");  // the rest of [accounting] from the defaults
  CHECK(c.accounting.initial_credit == 500);
  CHECK(c.accounting.unlimited_groups == std::vector<std::string>{"staff", "Lehrstuhl Müller"});
  CHECK(c.terminals.session_idle_s == 10);
  CHECK(c.terminals.pin_login_min_digits == 16);
  CHECK(c.terminals.max_login_failures == 1);
  CHECK(c.terminals.lockout_s == 86400);
  CHECK(c.find_printer("a")->login == std::vector<std::string>{"card+pin", "pin"});  // order kept
  CHECK(c.find_printer("a")->print_all_on_login);
  CHECK(c.find_printer("b")->login == std::vector<std::string>{"card", "password"});
  CHECK_FALSE(c.find_printer("b")->print_all_on_login);
  CHECK(c.find_queue("pull")->failover);
  CHECK(c.find_queue("group")->failover);
  CHECK_FALSE(c.find_queue("direct")->failover);

  // [terminals] merges key by key; --set reaches every new key.
  config d = load_ok("[terminals]\nlockout_s = 60\n",
                     {"terminals.session_idle_s=3600", "accounting.initial_credit=1000000000",
                      R"(accounting.unlimited_groups=["*staff*"])", R"(printers.demo.login=["password"])",
                      "printers.demo.print_all_on_login=true", "queues.secure.failover=true"});
  CHECK(d.terminals.lockout_s == 60);
  CHECK(d.terminals.session_idle_s == 3600);
  CHECK(d.terminals.pin_login_min_digits == 6);
  CHECK(d.accounting.initial_credit == 1000000000);
  CHECK(d.accounting.unlimited_groups == std::vector<std::string>{"*staff*"});
  CHECK(d.printers[0].login == std::vector<std::string>{"password"});
  CHECK(d.printers[0].print_all_on_login);
  CHECK(d.find_queue("secure")->failover);
}

TEST_CASE("quotas and projects: read, sorted, found, none by default") {
  config c = load_ok(R"(
[quotas.students]
groups = ["students", "guests"]
sheets = 500
[quotas.all]
groups = ["*"]
period = "year"
sheets = 100000000
[quotas."lab.2"]
groups = ["lab"]
period = "day"
sheets = 1
[projects.research]
description = "Research group printing"
groups = ["staff"]
[projects.open]
)");
  REQUIRE(c.quotas.size() == 3);
  CHECK(c.quotas[0].name == "all");  // sorted
  CHECK(c.quotas[0].groups == std::vector<std::string>{"*"});
  CHECK(c.quotas[0].period == quota_period::year);
  CHECK(c.quotas[0].sheets == 100000000);
  CHECK(c.quotas[1].name == "lab.2");
  CHECK(c.quotas[1].period == quota_period::day);
  CHECK(c.quotas[1].sheets == 1);
  CHECK(c.quotas[2].name == "students");
  CHECK(c.quotas[2].groups == std::vector<std::string>{"students", "guests"});  // order kept
  CHECK(c.quotas[2].period == quota_period::month);                             // the default
  CHECK(c.quotas[2].sheets == 500);
  REQUIRE(c.projects.size() == 2);
  CHECK(c.projects[0].name == "open");
  CHECK(c.projects[0].description == "");
  CHECK(c.projects[0].groups.empty());  // every user
  CHECK(c.projects[1].name == "research");
  CHECK(c.projects[1].description == "Research group printing");
  CHECK(c.projects[1].groups == std::vector<std::string>{"staff"});
  CHECK(c.find_project("research") == &c.projects[1]);
  CHECK(c.find_project("Research") == nullptr);
  CHECK(c.printers.size() == 1);  // the demo printer stays: quotas and projects are their own sections

  // --set adds entries, as for printers; an empty table means none.
  config s = load_ok("", {"quotas.week.groups=[\"*\"]", "quotas.week.sheets=20", "quotas.week.period=week",
                          "projects.p.description=Project P", "projects.q={}"});
  REQUIRE(s.quotas.size() == 1);
  CHECK(s.quotas[0].period == quota_period::week);
  CHECK(s.quotas[0].sheets == 20);
  REQUIRE(s.projects.size() == 2);
  CHECK(s.find_project("p")->description == "Project P");
  CHECK(s.find_project("q") != nullptr);
  config none = load_ok("[quotas]\n[projects]\n");
  CHECK(none.quotas.empty());
  CHECK(none.projects.empty());
}

TEST_CASE("SNMP monitoring: [monitoring] merges key by key, printers' snmp keys, --set") {
  config c = load_ok(R"(
[monitoring]
enabled = false
interval_s = 300
busy_interval_s = 300
jitter_percent = 0
timeout_ms = 50
retries = 10
offline_after = 100
max_backoff_s = 5
community = "campus ~!@#$%^&*[]"
version = "1"
low_percent = 0
max_rows = 1024
snapshot_s = 86400
snapshot_days = 3650
[printers.a]
device_uri = "socket://10.0.0.1:9100"
snmp = true
snmp_address = "[fe80::1]:1161"
snmp_community = "lab a"
snmp_version = "2c"
[printers.b]
device_uri = "socket://10.0.0.2"
snmp = false
[printers.c]
device_uri = "ipp://printer-c.example.com/ipp/print"
[queues.pull]
printers = ["a", "b", "c"]
)");
  CHECK_FALSE(c.monitoring.enabled);
  CHECK(c.monitoring.interval_s == 300);
  CHECK(c.monitoring.busy_interval_s == 300);
  CHECK(c.monitoring.jitter_percent == 0);
  CHECK(c.monitoring.timeout_ms == 50);
  CHECK(c.monitoring.retries == 10);
  CHECK(c.monitoring.offline_after == 100);
  CHECK(c.monitoring.max_backoff_s == 5);  // a cap, even below interval_s
  CHECK(c.monitoring.community == "campus ~!@#$%^&*[]");
  CHECK(c.monitoring.version == "1");
  CHECK(c.monitoring.low_percent == 0);
  CHECK(c.monitoring.max_rows == 1024);
  CHECK(c.monitoring.snapshot_s == 86400);
  CHECK(c.monitoring.snapshot_days == 3650);
  const printer_config& a = *c.find_printer("a");
  CHECK(a.snmp == std::optional<bool>(true));
  CHECK(a.snmp_address == "[fe80::1]:1161");
  CHECK(a.snmp_community == "lab a");
  CHECK(a.snmp_version == "2c");
  CHECK(c.find_printer("b")->snmp == std::optional<bool>(false));
  CHECK_FALSE(c.find_printer("c")->snmp.has_value());
  CHECK(c.find_printer("c")->snmp_address == "");
  // With the section off, only the printer that asks is polled.
  CHECK(snmp_settings_of(&a, a.device_uri, c.monitoring).monitored);
  CHECK_FALSE(snmp_settings_of(c.find_printer("b"), "socket://10.0.0.2", c.monitoring).monitored);
  CHECK_FALSE(snmp_settings_of(c.find_printer("c"), c.find_printer("c")->device_uri, c.monitoring).monitored);

  // [monitoring] merges key by key; --set reaches every new key, strings verbatim.
  config d = load_ok("[monitoring]\ninterval_s = 30\n",
                     {"monitoring.enabled=false", "monitoring.busy_interval_s=30", "monitoring.community=a b=c",
                      "monitoring.version=1", "monitoring.snapshot_days=7", "printers.demo.snmp=true",
                      "printers.demo.snmp_address=10.0.0.9:1161", "printers.demo.snmp_community=lab",
                      "printers.demo.snmp_version=2c"});
  CHECK_FALSE(d.monitoring.enabled);
  CHECK(d.monitoring.interval_s == 30);
  CHECK(d.monitoring.busy_interval_s == 30);
  CHECK(d.monitoring.timeout_ms == 2000);  // from the defaults
  CHECK(d.monitoring.community == "a b=c");
  CHECK(d.monitoring.version == "1");
  CHECK(d.monitoring.snapshot_days == 7);
  const printer_config& demo = d.printers[0];
  CHECK(demo.snmp == std::optional<bool>(true));
  CHECK(demo.snmp_address == "10.0.0.9:1161");
  CHECK(demo.snmp_community == "lab");
  CHECK(demo.snmp_version == "2c");
  snmp_settings s = snmp_settings_of(&demo, demo.device_uri, d.monitoring);
  CHECK(s.monitored);
  CHECK(s.host == "10.0.0.9");
  CHECK(s.port == 1161);
  CHECK(s.community == "lab");
  CHECK(s.version == "2c");
}

TEST_CASE("snmp_settings_of: host, port, on or off, inherited community and version") {
  monitoring_config m;
  m.community = "campus";
  m.version = std::string("1");  // assigning the literal: GCC 12 warns wrongly (-Wrestrict)
  printer_config p;
  auto of = [&](const std::string& uri) { return snmp_settings_of(&p, uri, m); };

  // A network device: its URI's host, port 161 (not the print port).
  snmp_settings s = of("socket://10.0.0.5:9100");
  CHECK(s.monitored);
  CHECK(s.host == "10.0.0.5");
  CHECK(s.port == 161);
  CHECK(s.community == "campus");
  CHECK(s.version == "1");
  CHECK(of("lpd://printer.example.com:515/raw").host == "printer.example.com");
  CHECK(of("ipp://[fe80::1]:631/ipp/print").host == "fe80::1");
  CHECK(of("ipps://h/ipp/print").monitored);

  // snmp_address, with and without a port.
  p.snmp_address = "agent.example.com:1161";
  s = of("socket://10.0.0.5:9100");
  CHECK(s.monitored);
  CHECK(s.host == "agent.example.com");
  CHECK(s.port == 1161);
  p.snmp_address = "[::1]:10161";
  CHECK(of("socket://10.0.0.5").host == "::1");
  CHECK(of("socket://10.0.0.5").port == 10161);
  p.snmp_address = "10.0.0.9";
  CHECK(of("socket://10.0.0.5").host == "10.0.0.9");
  CHECK(of("socket://10.0.0.5").port == 161);

  // file:// has no host: not monitored unless snmp_address gives one.
  p.snmp_address = "";
  s = of("file:///srv/quire/sink/demo");
  CHECK_FALSE(s.monitored);
  CHECK(s.host == "");
  CHECK(s.community == "campus");  // filled all the same
  p.snmp_address = "10.0.0.9";
  s = of("file:///srv/quire/sink/demo");
  CHECK(s.monitored);
  CHECK(s.host == "10.0.0.9");
  CHECK(s.port == 161);

  // snmp = false turns it off; snmp = true wins over monitoring.enabled = false.
  p.snmp_address = "";
  p.snmp = false;
  CHECK_FALSE(of("socket://10.0.0.5").monitored);
  CHECK(of("socket://10.0.0.5").host == "10.0.0.5");
  m.enabled = false;
  p.snmp.reset();
  CHECK_FALSE(of("socket://10.0.0.5").monitored);
  p.snmp = true;
  CHECK(of("socket://10.0.0.5").monitored);
  m.enabled = true;

  // The printer's community and version win over the section's.
  p.snmp_community = "lab";
  p.snmp_version = "2c";
  s = of("socket://10.0.0.5");
  CHECK(s.community == "lab");
  CHECK(s.version == "2c");

  // A printer made through the API (nullptr): the defaults from its URI alone.
  s = snmp_settings_of(nullptr, "ipp://[::1]:631/ipp/print", m);
  CHECK(s.monitored);
  CHECK(s.host == "::1");
  CHECK(s.port == 161);
  CHECK(s.community == "campus");
  CHECK(s.version == "1");
  CHECK_FALSE(snmp_settings_of(nullptr, "file:///srv/quire/sink/x", m).monitored);
  CHECK_FALSE(snmp_settings_of(nullptr, "not a uri", m).monitored);
  CHECK_FALSE(snmp_settings_of(nullptr, "socket://", m).monitored);
  m.enabled = false;
  CHECK_FALSE(snmp_settings_of(nullptr, "socket://10.0.0.5", m).monitored);

  // Through load_config(): the default demo printer (file://) is not polled.
  config c = load_ok("");
  CHECK_FALSE(snmp_settings_of(&c.printers[0], c.printers[0].device_uri, c.monitoring).monitored);
  config n = load_ok("", {"printers.demo.device_uri=socket://10.0.0.7:9100"});
  s = snmp_settings_of(&n.printers[0], n.printers[0].device_uri, n.monitoring);
  CHECK(s.monitored);
  CHECK(s.host == "10.0.0.7");
  CHECK(s.port == 161);
  CHECK(s.community == "public");
  CHECK(s.version == "2c");
}
