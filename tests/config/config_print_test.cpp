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
void check_keys_match_schema(const std::string& text, const std::string& printer,
                             const std::string& queue) {
  auto header_for = [&](std::string_view table) {
    std::string name(table);
    if (table == "printers.*") name = "printers." + printer;
    if (table == "queues.*") name = "queues." + queue;
    // Appending, not "[" + name: GCC 12 warns wrongly (-Wrestrict) on the latter.
    std::string header = "[";
    header.append(name).append("]");
    return header;
  };
  for (const detail::key_spec& k : detail::schema()) {
    auto keys = keys_of(text, header_for(k.table));
    CHECK_MESSAGE(std::find(keys.begin(), keys.end(), k.key) != keys.end(), k.table, ".", k.key);
  }
  for (std::string_view table : {"server", "log", "ipp", "tls", "limits", "jobs", "printers.*", "queues.*"})
    for (const std::string& key : keys_of(text, header_for(table)))
      CHECK_MESSAGE(detail::find_key(table, key) != nullptr, table, ".", key);
}

}  // namespace

TEST_CASE("to_toml prints every key with the effective values") {
  config c = load_ok("");
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
  check_keys_match_schema(text, "demo", "secure");
}

TEST_CASE("the example file documents every key of the schema") {
  check_keys_match_schema(embedded_defaults_toml(), "demo", "secure");
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
  config c = load_ok("", {"server={}", "log={}", "ipp={}", "tls={}", "limits={}", "jobs={}",
                          "server.data_dir=/srv/quire"});
  quire::test::check_same(c, load_ok(""));
  config p = load_ok("", {"printers.demo={device_uri = \"file://${data_dir}/sink/demo\"}",
                          "queues.secure={printers = [\"demo\"]}"});
  CHECK(p.printers[0].language == "application/pdf");
  CHECK(p.printers[0].info == "");
  CHECK(p.queues[1].kind == queue_kind::pull);
}
