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

// Loads to_toml(c) as a --config file, with no other source.
config reload(const config& c) {
  auto r = load_config_text(to_toml(c), config_sources{});
  INFO(to_toml(c));
  INFO((r.ok() ? std::string() : r.err().message));
  REQUIRE(r.ok());
  return std::move(r).value();
}

// The "key = ..." lines of table `header` ("[server]") in a TOML text we
// wrote ourselves (one table per header line, one key per line).
std::vector<std::string> keys_of(const std::string& text, const std::string& header) {
  std::vector<std::string> keys;
  size_t at = text.find("\n" + header + "\n");
  REQUIRE(at != std::string::npos);
  std::istringstream in(text.substr(at + header.size() + 2));
  std::string line;
  while (std::getline(in, line) && (line.empty() || line[0] != '[')) {
    size_t eq = line.find(" = ");
    if (!line.empty() && line[0] != '#' && eq != std::string::npos) keys.push_back(line.substr(0, eq));
  }
  return keys;
}

// Every schema key appears in `text`, and every key in `text` is in the schema.
// `printer`, `queue` and `raw` name the entries whose tables are checked.
void check_keys_match_schema(const std::string& text, const std::string& printer,
                             const std::string& queue, const std::string& raw) {
  auto header_for = [&](std::string_view table) {
    std::string name(table);
    if (table == "prices.*") name = "prices.standard";
    if (table == "printers.*") name = "printers." + printer;
    if (table == "queues.*") name = "queues." + queue;
    if (table == "raw.*") name = "raw." + raw;
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
  tables.insert(tables.end(), {"prices.*", "printers.*", "queues.*", "raw.*"});
  for (std::string_view table : tables)
    for (const std::string& key : keys_of(text, header_for(table)))
      CHECK_MESSAGE(detail::find_key(table, key) != nullptr, table, ".", key);
}

// The example file shows its raw listener commented out ("# [raw.lab9100]"
// and the "# key = value" lines under it); this is the file with that block
// uncommented, as a user would enable it.
std::string with_raw_example(std::string text) {
  size_t at = text.find("\n# [raw.");
  REQUIRE(at != std::string::npos);
  std::string out = text.substr(0, at + 1);
  std::istringstream in(text.substr(at + 1));
  std::string line;
  bool block = true;
  while (std::getline(in, line)) {
    bool entry = line.rfind("# ", 0) == 0 && (line.find(" = ") != std::string::npos || line[2] == '[');
    block = block && entry;
    out += (block ? line.substr(2) : line) + "\n";
  }
  return out;
}

}  // namespace

TEST_CASE("to_toml prints every key with the effective values") {
  config c = load_ok("", {"raw.lab9100.listen=0.0.0.0:9100", "raw.lab9100.queue=secure"});
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
  check_keys_match_schema(text, "demo", "secure", "lab9100");
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
}

TEST_CASE("the example file documents every key of the schema") {
  std::string example = with_raw_example(embedded_defaults_toml());
  check_keys_match_schema(example, "demo", "secure", "lab9100");
  // The commented raw listener is a working example once uncommented.
  config c = load_ok(example);
  REQUIRE(c.raw.size() == 1);
  CHECK(c.raw[0].name == "lab9100");
  CHECK(c.raw[0].listen.to_string() == "0.0.0.0:9100");
  CHECK(c.raw[0].queue == "secure");
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
                          "privacy={}", "limits={}", "jobs={}", "server.data_dir=/srv/quire"});
  quire::test::check_same(c, load_ok(""));
  config p = load_ok("", {"printers.demo={device_uri = \"file://${data_dir}/sink/demo\"}",
                          "queues.secure={printers = [\"demo\"]}"});
  CHECK(p.printers[0].language == "application/octet-stream");
  CHECK(p.printers[0].info == "");
  CHECK(p.queues[1].kind == queue_kind::pull);
}
