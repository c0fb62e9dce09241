// to_toml(): every key printed, strings escaped, and a round trip through
// load_config() that gives back the same config. Also checks that the schema
// table, the example file and to_toml() agree on the set of keys.
#include <doctest/doctest.h>

#include <algorithm>
#include <sstream>

#include "config/config.hpp"
#include "config/config_schema.hpp"
#include "config_test_util.hpp"

using namespace quire;
using quire::test::load_ok;

namespace {

// Loads to_toml(c) as a --config file, with no other source. Secrets print
// as "(set)" (or "" when empty); they are checked for that and then copied
// from `c`, so that check_same() compares everything else.
config reload(const config& c) {
  auto r = load_config_text(to_toml(c), config_sources{});
  INFO(to_toml(c));
  INFO((r.ok() ? std::string() : r.err().message));
  REQUIRE(r.ok());
  config back = std::move(r).value();
  auto hidden = [](const std::string& secret) { return secret.empty() ? "" : "(set)"; };
  CHECK(back.monitoring.community == hidden(c.monitoring.community));
  back.monitoring.community = c.monitoring.community;
  REQUIRE(back.printers.size() == c.printers.size());
  for (size_t i = 0; i < c.printers.size(); ++i) {
    CHECK(back.printers[i].snmp_community == hidden(c.printers[i].snmp_community));
    back.printers[i].snmp_community = c.printers[i].snmp_community;
  }
  return back;
}

// The "key = ..." lines of table `header` ("[server]") in a TOML text we
// wrote ourselves (one table per header line, one key per line). A key that
// may be left unset (printers.*.snmp) shows as "# key unset: ..." instead.
std::vector<std::string> keys_of(const std::string& text, const std::string& header) {
  std::vector<std::string> keys;
  size_t at = text.find("\n" + header + "\n");
  REQUIRE(at != std::string::npos);
  std::istringstream in(text.substr(at + header.size() + 2));
  std::string line;
  while (std::getline(in, line) && (line.empty() || line[0] != '[')) {
    size_t eq = line.find(" = ");
    size_t unset = line.find(" unset: ");
    if (!line.empty() && line[0] != '#' && eq != std::string::npos) keys.push_back(line.substr(0, eq));
    if (line.starts_with("# ") && unset != std::string::npos && line.find(' ', 2) == unset)
      keys.push_back(line.substr(2, unset - 2));
  }
  return keys;
}

// "printers" -> "printers.*", the schema's table for every entry.
std::string_view find_key_table(std::string_view named) {
  for (const detail::key_spec& k : detail::schema())
    if (k.table.size() == named.size() + 2 && k.table.starts_with(named) && k.table.ends_with(".*")) return k.table;
  FAIL("no schema key for ", named);
  return {};
}

// The entries of the named sections whose tables check_keys_match_schema reads.
struct entry_names {
  std::string printer, queue, raw, quota, project;
};

// Every schema key appears in `text`, and every key in `text` is in the schema.
void check_keys_match_schema(const std::string& text, const entry_names& e) {
  auto header_for = [&](std::string_view table) {
    std::string name(table);
    if (table == "prices.*") name = "prices.standard";
    if (table == "printers.*") name = "printers." + e.printer;
    if (table == "queues.*") name = "queues." + e.queue;
    if (table == "raw.*") name = "raw." + e.raw;
    if (table == "quotas.*") name = "quotas." + e.quota;
    if (table == "projects.*") name = "projects." + e.project;
    // Appending, not "[" + name: GCC 12 warns wrongly (-Wrestrict) on the latter.
    std::string header = "[";
    header.append(name).append("]");
    return header;
  };
  for (const detail::key_spec& k : detail::schema()) {
    auto keys = keys_of(text, header_for(k.table));
    CHECK_MESSAGE(std::find(keys.begin(), keys.end(), k.key) != keys.end(), k.table, ".", k.key);
  }
  std::vector<std::string_view> tables(std::begin(detail::fixed_sections), std::end(detail::fixed_sections));
  for (std::string_view named : detail::named_sections) tables.push_back(find_key_table(named));
  for (std::string_view table : tables)
    for (const std::string& key : keys_of(text, header_for(table)))
      CHECK_MESSAGE(detail::find_key(table, key) != nullptr, table, ".", key);
}

// The example file shows its raw listener, quota and project commented out
// ("# [raw.lab9100]" and the "# key = value" lines under it); this is the
// file with those blocks uncommented, as a user would enable them.
std::string with_examples(const std::string& text) {
  for (const char* start : {"\n# [raw.", "\n# [quotas.", "\n# [projects."})
    CHECK_MESSAGE(text.find(start) != std::string::npos, start);
  std::string out;
  std::istringstream in(text);
  std::string line;
  bool block = false;
  while (std::getline(in, line)) {
    bool header = line.rfind("# [", 0) == 0 && line.find('.') != std::string::npos && line.back() == ']';
    bool key = line.rfind("# ", 0) == 0 && line.find(" = ") != std::string::npos;
    block = header || (block && key);
    out += (block ? line.substr(2) : line) + "\n";
  }
  return out;
}

}  // namespace

TEST_CASE("to_toml prints every key with the effective values") {
  config c = load_ok("", {"raw.lab9100.listen=0.0.0.0:9100", "raw.lab9100.queue=secure",
                          R"(quotas.students={groups = ["students"], sheets = 500})",
                          R"(projects.research={groups = ["staff"]})"});
  std::string text = to_toml(c);
  CHECK(text.find("\n[server]\ndata_dir = \"/srv/quire\"\nuser = \"\"\nname = \"Quire\"\n") !=
        std::string::npos);
  CHECK(text.find("\n[ipp]\nenabled = true\nlisten = \"127.0.0.1:8631\"\n") != std::string::npos);
  CHECK(text.find("\n[tls]\nenabled = true\ncertificate = \"\"\nprivate_key = \"\"\n") != std::string::npos);
  CHECK(text.find("\nmax_document_bytes = 104857600\n") != std::string::npos);
  CHECK(text.find("\n[printers.demo]\ndevice_uri = \"file:///srv/quire/sink/demo\"\n") !=
        std::string::npos);
  CHECK(text.find("\n[queues.demo]\ntype = \"direct\"\nprinters = [\"demo\"]\n") != std::string::npos);
  // Sorted: demo before secure.
  CHECK(text.find("[queues.demo]") < text.find("[queues.secure]"));
  CHECK(text.find("\n[lpd]\nenabled = true\nlisten = \"127.0.0.1:8515\"\nmax_control_bytes = 65536\n") !=
        std::string::npos);
  CHECK(text.find("\n[intake]\nuser_from = [\"pjl\", \"dsc\", \"control\"]\n"
                  "name_from = [\"pjl\", \"dsc\", \"control\"]\nknown_users_only = false\n"
                  "unknown_user = \"host\"\n") != std::string::npos);
  CHECK(text.find("\n[raw]\n\n[raw.lab9100]\nlisten = \"0.0.0.0:9100\"\nqueue = \"secure\"\n") !=
        std::string::npos);
  CHECK(text.find("\n[accounting]\ncurrency = \"EUR\"\nminor_digits = 2\nprepaid = false\ninitial_credit = 0\n"
                  "unlimited_groups = []\n") != std::string::npos);
  CHECK(text.find("\n[terminals]\nsession_idle_s = 60\npin_login_min_digits = 6\nmax_login_failures = 5\n"
                  "lockout_s = 300\n") != std::string::npos);
  CHECK(text.find("\nprice_list = \"standard\"\nlogin = [\"card\", \"password\"]\n"
                  "print_all_on_login = false\n# snmp unset: the default for the device (not polled)\n"
                  "snmp_address = \"\"\nsnmp_community = \"\"\nsnmp_version = \"\"\n") != std::string::npos);
  CHECK(text.find("\n[monitoring]\nenabled = true\ninterval_s = 60\nbusy_interval_s = 15\njitter_percent = 10\n"
                  "timeout_ms = 2000\nretries = 1\noffline_after = 3\nmax_backoff_s = 600\n"
                  "community = \"(set)\"\nversion = \"2c\"\nlow_percent = 10\nmax_rows = 64\nsnapshot_s = 900\n"
                  "snapshot_days = 400\n") != std::string::npos);
  CHECK(text.find("public") == std::string::npos);  // the community is a secret
  CHECK(text.find("\nauthentication = \"none\"\nfailover = false\n") != std::string::npos);
  CHECK(text.find("\n[quotas]\n\n[quotas.students]\ngroups = [\"students\"]\nusers = []\nperiod = \"month\"\n"
                  "sheets = 500\n") != std::string::npos);
  CHECK(text.find("\n[projects]\n\n[projects.research]\ndescription = \"\"\ngroups = [\"staff\"]\n") !=
        std::string::npos);
  check_keys_match_schema(text, {"demo", "secure", "lab9100", "students", "research"});
}

TEST_CASE("to_toml prints the fixed sections in schema order, then printers, queues, raw") {
  std::string text = to_toml(load_ok(""));
  size_t last = 0;
  for (std::string_view section : detail::fixed_sections) {
    std::string header = "\n[";
    header.append(section).append("]\n");
    size_t at = text.find(header);
    CHECK_MESSAGE(at != std::string::npos, section);
    CHECK_MESSAGE(at > last, section);
    last = at;
  }
  CHECK(text.find("\n[printers]\n") > last);
  CHECK(text.find("\n[printers]\n") < text.find("\n[queues]\n"));
  CHECK(text.find("\n[queues]\n") < text.find("\n[raw]\n"));
  CHECK(text.find("\n[raw]\n") < text.find("\n[quotas]\n"));
  CHECK(text.find("\n[quotas]\n") < text.find("\n[projects]\n"));
}

TEST_CASE("the example file documents every key of the schema") {
  std::string example = with_examples(embedded_defaults_toml());
  check_keys_match_schema(example, {"demo", "secure", "lab9100", "students", "research"});
  // The commented examples work once uncommented.
  config c = load_ok(example);
  REQUIRE(c.raw.size() == 1);
  CHECK(c.raw[0].name == "lab9100");
  CHECK(c.raw[0].listen.to_string() == "0.0.0.0:9100");
  CHECK(c.raw[0].queue == "secure");
  REQUIRE(c.quotas.size() == 1);
  CHECK(c.quotas[0].name == "students");
  CHECK(c.quotas[0].groups == std::vector<std::string>{"students"});
  CHECK(c.quotas[0].period == quota_period::month);
  CHECK(c.quotas[0].sheets == 500);
  REQUIRE(c.projects.size() == 1);
  CHECK(c.projects[0].name == "research");
  CHECK(c.projects[0].groups == std::vector<std::string>{"staff"});
  // Uncommenting changes nothing else.
  config d = load_ok("");
  c.raw.clear();
  c.quotas.clear();
  c.projects.clear();
  quire::test::check_same(c, d);
}

TEST_CASE("to_toml round trip: defaults") {
  config c = load_ok("");
  quire::test::check_same(reload(c), c);
  config no_data_dir_override = load_config({}).value();
  quire::test::check_same(reload(no_data_dir_override), no_data_dir_override);
}

TEST_CASE("to_toml round trip: every field changed, odd strings, odd names") {
  config c = load_ok(R"(
[server]
user = "quire"
name = "Büro \"Nord\" \\ Drucker\t😀"
[log]
level = "off"
file = "/var/log/quire log.txt"
[ipp]
enabled = false
listen = "[fe80::1]:0"
[tls]
enabled = false
certificate = "/etc/quire/tls \"cert\".pem"
private_key = "/etc/quire/key.pem"
[limits]
max_document_bytes = 1
max_ipp_attributes_bytes = 1024
inline_document_bytes = 0
request_timeout_ms = 100
idle_timeout_ms = 86400000
max_connections = 1000000
[jobs]
held_expiry_s = 1
history_s = 0
[printers."lab.1"]
device_uri = "ipps://[::1]:631/ipp/print"
language = "image/pwg-raster"
location = "Room 'A' \"B\" C:\\temp"
info = "line1\nline2\u0001\u007f"
make_and_model = "ÆØÅ 中文 \U0001F5A8"
[printers.a-b_c]
device_uri = "file://${data_dir}/sink/a b"
[queues."q.1"]
type = "direct"
printers = ["lab.1"]
location = "#not a comment"
info = "[not a table]"
[queues.z]
printers = ["a-b_c", "lab.1"]
)");
  CHECK(c.server.name == "Büro \"Nord\" \\ Drucker\t😀");
  CHECK(c.printers[1].info == "line1\nline2\x01\x7f");
  CHECK(c.printers[0].device_uri == "file:///srv/quire/sink/a b");
  std::string text = to_toml(c);
  CHECK(text.find(R"(name = "Büro \"Nord\" \\ Drucker\t😀")") != std::string::npos);
  CHECK(text.find(R"(info = "line1\nline2\u0001\u007F")") != std::string::npos);
  CHECK(text.find("[printers.\"lab.1\"]") != std::string::npos);
  CHECK(text.find("[printers.a-b_c]") != std::string::npos);
  CHECK(text.find("printers = [\"a-b_c\", \"lab.1\"]") != std::string::npos);
  config back = reload(c);
  quire::test::check_same(back, c);
  CHECK(to_toml(back) == text);
}

TEST_CASE("to_toml round trip: the intake sections changed") {
  config c = load_ok(R"(
[lpd]
enabled = false
listen = "[::1]:515"
max_control_bytes = 1048576
[intake]
user_from = ["control"]
name_from = ["dsc", "control", "pjl"]
known_users_only = true
unknown_user = "reject"
[raw."lab.9100"]
listen = "0.0.0.0:9100"
queue = "secure"
[raw.z]
listen = "[::]:0"
queue = "demo"
[raw.a-b_c]
listen = "[::ffff:10.0.0.1]:9101"
queue = "demo"
)");
  REQUIRE(c.raw.size() == 3);
  std::string text = to_toml(c);
  CHECK(text.find("\n[lpd]\nenabled = false\nlisten = \"[::1]:515\"\nmax_control_bytes = 1048576\n") !=
        std::string::npos);
  CHECK(text.find("\nuser_from = [\"control\"]\nname_from = [\"dsc\", \"control\", \"pjl\"]\n"
                  "known_users_only = true\nunknown_user = \"reject\"\n") != std::string::npos);
  CHECK(text.find("[raw.\"lab.9100\"]") != std::string::npos);
  CHECK(text.find("\n[raw.a-b_c]\nlisten = \"[::ffff:10.0.0.1]:9101\"\n") != std::string::npos);
  config back = reload(c);
  quire::test::check_same(back, c);
  CHECK(to_toml(back) == text);
}

TEST_CASE("to_toml round trip: no printers and no queues stays empty") {
  config c = load_ok("[printers]\n[queues]\n");
  REQUIRE(c.printers.empty());
  config back = reload(c);
  CHECK(back.printers.empty());  // not the default demo printer
  CHECK(back.queues.empty());
}

TEST_CASE("a --set of a whole section to {} gives the same as the defaults") {
  // Keys missing from a section read as the documented defaults: the values
  // in the code and in quire.example.toml agree.
  config c = load_ok("", {"server={}", "log={}", "ipp={}", "tls={}", "api={}", "lpd={}", "intake={}",
                          "privacy={}", "limits={}", "jobs={}", "processors={}", "delivery={}",
                          "accounting={}", "terminals={}", "monitoring={}", "directory={}", "server.data_dir=/srv/quire"});
  quire::test::check_same(c, load_ok(""));
  config p = load_ok("", {"printers.demo={device_uri = \"file://${data_dir}/sink/demo\"}",
                          "queues.secure={printers = [\"demo\"]}"});
  CHECK(p.printers[0].language == "application/octet-stream");
  CHECK(p.printers[0].info == "");
  CHECK(p.queues[1].kind == queue_kind::pull);
  CHECK(p.printers[0].login == std::vector<std::string>{"card", "password"});
  CHECK_FALSE(p.printers[0].print_all_on_login);
  CHECK_FALSE(p.printers[0].snmp.has_value());
  CHECK(p.printers[0].snmp_address == "");
  CHECK(p.printers[0].snmp_community == "");
  CHECK(p.printers[0].snmp_version == "");
  CHECK_FALSE(p.queues[1].failover);
}

TEST_CASE("to_toml round trip: the release-at-the-printer keys changed") {
  config c = load_ok(R"(
[accounting]
initial_credit = 1000000000
unlimited_groups = ["staff", "Büro \"Nord\"", "*x"]
[terminals]
session_idle_s = 3600
pin_login_min_digits = 4
max_login_failures = 100
lockout_s = 1
[printers."lab.1"]
device_uri = "socket://10.0.0.1"
login = ["card+pin", "pin", "password", "card"]
print_all_on_login = true
[printers.b]
device_uri = "socket://10.0.0.2"
login = ["pin"]
[queues.pull]
printers = ["lab.1", "b"]
failover = true
[queues.group]
type = "group"
printers = ["b"]
failover = true
[quotas."all.users"]
groups = ["*"]
period = "year"
sheets = 100000000
[quotas.day]
groups = ["students", "guests"]
period = "day"
sheets = 1
[quotas.w]
groups = ["w"]
period = "week"
sheets = 7
[projects."p.1"]
description = "line1\nline2 \"q\""
groups = ["staff", "ÆØÅ"]
[projects.open]
)");
  std::string text = to_toml(c);
  CHECK(text.find("[quotas.\"all.users\"]") != std::string::npos);
  CHECK(text.find("login = [\"card+pin\", \"pin\", \"password\", \"card\"]") != std::string::npos);
  CHECK(text.find(R"(description = "line1\nline2 \"q\"")") != std::string::npos);
  config back = reload(c);
  quire::test::check_same(back, c);
  CHECK(to_toml(back) == text);
}

TEST_CASE("to_toml round trip: no quotas and no projects stays empty") {
  config c = load_ok("");
  std::string text = to_toml(c);
  CHECK(text.find("\n[quotas]\n\n[projects]\n") != std::string::npos);
  config back = reload(c);
  CHECK(back.quotas.empty());
  CHECK(back.projects.empty());
}

TEST_CASE("to_toml round trip: the monitoring keys changed, communities hidden") {
  config c = load_ok(R"(
[monitoring]
enabled = false
interval_s = 86400
busy_interval_s = 1
jitter_percent = 50
timeout_ms = 60000
retries = 0
offline_after = 100
max_backoff_s = 5
community = "Campus \"secret\" ~"
version = "1"
low_percent = 100
max_rows = 1
snapshot_s = 60
snapshot_days = 3650
[printers."lab.1"]
device_uri = "socket://10.0.0.1"
snmp = true
snmp_address = "[fe80::1]:1161"
snmp_community = "lab-one-secret"
snmp_version = "2c"
[printers.off]
device_uri = "ipp://10.0.0.2/ipp/print"
snmp = false
[printers.unset]
device_uri = "lpd://10.0.0.3/raw"
snmp_version = "1"
[printers.sink]
device_uri = "file://${data_dir}/sink/s"
snmp = true
snmp_address = "10.0.0.4"
[queues.pull]
printers = ["lab.1", "off", "unset", "sink"]
)");
  std::string text = to_toml(c);
  CHECK(text.find("secret") == std::string::npos);
  CHECK(text.find("\nenabled = false\ninterval_s = 86400\nbusy_interval_s = 1\n") != std::string::npos);
  CHECK(text.find("\ncommunity = \"(set)\"\nversion = \"1\"\n") != std::string::npos);
  CHECK(text.find("\n[printers.\"lab.1\"]\n") != std::string::npos);
  CHECK(text.find("\nsnmp = true\nsnmp_address = \"[fe80::1]:1161\"\nsnmp_community = \"(set)\"\n"
                  "snmp_version = \"2c\"\n") != std::string::npos);
  CHECK(text.find("\nsnmp = false\nsnmp_address = \"\"\nsnmp_community = \"\"\nsnmp_version = \"\"\n") !=
        std::string::npos);
  // monitoring.enabled is false, so an unset snmp means not polled.
  CHECK(text.find("\n# snmp unset: the default for the device (not polled)\nsnmp_address = \"\"\n"
                  "snmp_community = \"\"\nsnmp_version = \"1\"\n") != std::string::npos);
  config back = reload(c);  // checks that the communities read back as "(set)"
  quire::test::check_same(back, c);
  CHECK_FALSE(back.find_printer("unset")->snmp.has_value());
  CHECK(to_toml(back) == text);
  // With monitoring on, the comment says the unset printer is polled.
  config on = load_ok("", {"printers.demo.device_uri=socket://10.0.0.1"});
  CHECK(to_toml(on).find("\n# snmp unset: the default for the device (polled)\n") != std::string::npos);
}

TEST_CASE("to_toml: the metrics token prints as \"(set)\", which is refused on the way back in") {
  const std::string token = "prometheus-scrape-secret-0123";
  config c = load_ok("", {"api.metrics_token=" + token});
  std::string text = to_toml(c);
  CHECK(text.find(token) == std::string::npos);
  CHECK(text.find("\n[api]\nallow_plain_loopback = false\nmetrics_token = \"(set)\"\n") != std::string::npos);
  auto back = load_config_text(text, config_sources{});
  REQUIRE_FALSE(back.ok());
  CHECK(back.err().message.rfind("api.metrics_token: ", 0) == 0);
  CHECK(to_toml(load_ok("")).find("\nmetrics_token = \"\"\n") != std::string::npos);
}
