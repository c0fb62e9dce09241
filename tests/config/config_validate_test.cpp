// Validation: every error is one line that names the key and, for a bad
// value, echoes it. The messages are asserted exactly: they are the user
// interface of a configuration file.
#include <doctest/doctest.h>

#include "config/config.hpp"
#include "config_test_util.hpp"

using namespace quire;
using quire::test::load_error;
using quire::test::load_ok;

namespace {

// Sets the demo printer's device URI (data_dir is /srv/quire).
std::string uri_error(const std::string& uri) {
  return load_error("", {"printers.demo.device_uri=" + uri});
}

std::string uri_ok(const std::string& uri) {
  return load_ok("", {"printers.demo.device_uri=" + uri}).printers[0].device_uri;
}

}  // namespace

TEST_CASE("unknown keys are named with their full path") {
  CHECK(load_error("[ipp]\nlisen = \"0.0.0.0:631\"\n") == "unknown key 'ipp.lisen'");
  CHECK(load_error("[web]\nport = 80\n") == "unknown key 'web'");
  CHECK(load_error("debug = true\n") == "unknown key 'debug'");
  CHECK(load_error("[printers.p]\ndevice_uri = \"socket://h\"\ncolour = true\n") ==
        "unknown key 'printers.p.colour'");
  CHECK(load_error("[queues.secure]\nprinter = \"demo\"\n") == "unknown key 'queues.secure.printer'");
  CHECK(load_error("[server.tls]\ncert = \"x\"\n") == "unknown key 'server.tls'");
}

TEST_CASE("wrong types name the key, the expected type and the one found") {
  CHECK(load_error("[limits]\nmax_connections = \"4096\"\n") ==
        "limits.max_connections: expected an integer, got string");
  CHECK(load_error("[limits]\nmax_connections = 1.5\n") ==
        "limits.max_connections: expected an integer, got float");
  CHECK(load_error("[ipp]\nenabled = \"yes\"\n") == "ipp.enabled: expected a boolean, got string");
  CHECK(load_error("[server]\nname = 5\n") == "server.name: expected a string, got integer");
  CHECK(load_error("[log]\nfile = 1979-05-27\n") == "log.file: expected a string, got date");
  CHECK(load_error("server = 5\n") == "server: expected a table, got integer");
  CHECK(load_error("printers = [1]\n") == "printers: expected a table, got array");
  CHECK(load_error("[printers]\np = 1\n") == "printers.p: expected a table, got integer");
  CHECK(load_error("[queues.secure]\nprinters = \"demo\"\n") ==
        "queues.secure.printers: expected an array of strings, got string");
  CHECK(load_error("[queues.secure]\nprinters = [\"demo\", 2]\n") ==
        "queues.secure.printers[1]: expected a string, got integer");
}

TEST_CASE("ipp.listen must be an IP endpoint") {
  CHECK(load_error("", {"ipp.listen=127.0.0.1"}) == "ipp.listen: expected host:port, got '127.0.0.1'");
  CHECK(load_error("", {"ipp.listen=127.0.0.1:70000"}) ==
        "ipp.listen: the port must be between 0 and 65535, got '127.0.0.1:70000'");
  CHECK(load_error("", {"ipp.listen=printer.example.com:631"}) ==
        "ipp.listen: the host must be an IP address or localhost, got 'printer.example.com:631'");
  config c = load_ok("", {"ipp.listen=[::]:0"});
  CHECK(c.ipp.listen.host == "::");
  CHECK(c.ipp.listen.port == 0);
  CHECK(load_ok("", {"ipp.listen=localhost:631"}).ipp.listen.host == "127.0.0.1");
}

TEST_CASE("integers outside their range") {
  CHECK(load_error("[limits]\nmax_connections = 0\n") ==
        "limits.max_connections: must be between 1 and 1000000, got '0'");
  CHECK(load_error("[limits]\nmax_connections = 1000001\n") ==
        "limits.max_connections: must be between 1 and 1000000, got '1000001'");
  CHECK(load_error("[limits]\nmax_document_bytes = 0\n") ==
        "limits.max_document_bytes: must be at least 1, got '0'");
  CHECK(load_error("[limits]\nmax_ipp_attributes_bytes = 1023\n") ==
        "limits.max_ipp_attributes_bytes: must be between 1024 and 16777216, got '1023'");
  CHECK(load_error("[limits]\ninline_document_bytes = 16777217\n") ==
        "limits.inline_document_bytes: must be between 0 and 16777216, got '16777217'");
  CHECK(load_error("[limits]\nrequest_timeout_ms = 99\n") ==
        "limits.request_timeout_ms: must be between 100 and 3600000, got '99'");
  CHECK(load_error("[limits]\nidle_timeout_ms = 86400001\n") ==
        "limits.idle_timeout_ms: must be between 100 and 86400000, got '86400001'");
  CHECK(load_error("[jobs]\nheld_expiry_s = 0\n") == "jobs.held_expiry_s: must be at least 1, got '0'");
  CHECK(load_error("[jobs]\nhistory_s = -1\n") == "jobs.history_s: must be at least 0, got '-1'");
  CHECK(load_error("[jobs]\nreprint_s = 2592001\n") == "jobs.reprint_s: must be between 0 and 2592000, got '2592001'");

  config c = load_ok("[limits]\ninline_document_bytes = 0\nmax_ipp_attributes_bytes = 16777216\n"
                     "max_document_bytes = 9223372036854775807\n");
  CHECK(c.limits.inline_document_bytes == 0);
  CHECK(c.limits.max_ipp_attributes_bytes == 16777216);
  CHECK(c.limits.max_document_bytes == 9223372036854775807ull);
}

TEST_CASE("strings with a fixed set of values or shapes") {
  CHECK(load_error("", {"log.level=verbose"}) ==
        "log.level: expected one of trace, debug, info, warn, error, off, got 'verbose'");
  CHECK(load_error("", {"server.name="}) == "server.name: must not be empty, got ''");
  CHECK(load_error("", {"server.data_dir=/srv/$HOME"}) ==
        "server.data_dir: must not contain '$', got '/srv/$HOME'");
  CHECK(load_error("", {"queues.secure.type=push"}) ==
        "queues.secure.type: expected pull, direct or group, got 'push'");
  CHECK(load_error("", {"printers.demo.language=pdf"}) ==
        "printers.demo.language: expected a MIME type like application/pdf, or auto, got 'pdf'");
  CHECK(load_ok("", {"printers.demo.language=image/pwg-raster"}).printers[0].language ==
        "image/pwg-raster");
  CHECK(load_error("", {"printers.demo.language=auto"}) ==
        "printers.demo.language: \"auto\" asks an IPP printer what it takes: only for ipp:// and ipps://, got 'auto'");
  CHECK(load_ok("", {"printers.demo.device_uri=ipp://127.0.0.1:8632/ipp/print", "printers.demo.language=auto"})
            .printers[0]
            .language == "auto");
}

TEST_CASE("tls: the certificate and its key come together, paths become absolute") {
  CHECK(load_error("", {"tls.certificate=/etc/quire/cert.pem"}) ==
        "tls.private_key: must be set when tls.certificate is");
  CHECK(load_error("[tls]\nprivate_key = \"key.pem\"\n") ==
        "tls.certificate: must be set when tls.private_key is");
  CHECK(load_error("[tls]\nenabled = 1\n") == "tls.enabled: expected a boolean, got integer");
  CHECK(load_error("[tls]\ncert = \"x\"\n") == "unknown key 'tls.cert'");
  config c = load_ok("", {"tls.certificate=tls/../cert.pem", "tls.private_key=/etc/quire//key.pem"});
  CHECK(c.tls.enabled);
  CHECK(c.tls.certificate == quire::test::cwd() + "/cert.pem");
  CHECK(c.tls.private_key == "/etc/quire/key.pem");
  CHECK_FALSE(load_ok("", {"tls.enabled=false"}).tls.enabled);
}

TEST_CASE("queues name existing printers, as many as their type needs") {
  CHECK(load_error("", {"queues.secure.printers=[\"lab1\"]"}) ==
        "queues.secure.printers: unknown printer 'lab1'");
  CHECK(load_error("", {"printers.p2.device_uri=socket://h", "queues.demo.printers=[\"demo\", \"p2\"]"}) ==
        "queues.demo.printers: a direct queue needs exactly one printer, got '[\"demo\", \"p2\"]'");
  CHECK(load_error("", {"queues.demo.printers=[]"}) ==
        "queues.demo.printers: a direct queue needs exactly one printer, got '[]'");
  CHECK(load_error("", {"queues.secure.printers=[]"}) ==
        "queues.secure.printers: a pull or group queue needs at least one printer, got '[]'");
  CHECK(load_error("", {"queues.new.info=x"}) ==
        "queues.new.printers: a pull or group queue needs at least one printer, got '[]'");
  CHECK(load_error("", {"queues.lab.type=group"}) ==
        "queues.lab.printers: a pull or group queue needs at least one printer, got '[]'");
  CHECK(load_error("", {"queues.secure.printers=[\"demo\", \"demo\"]"}) ==
        "queues.secure.printers: printer 'demo' is listed twice");
  CHECK(load_error("", {"printers.p2.info=x"}) ==
        "printers.p2.device_uri: missing; every printer needs one");
}

TEST_CASE("printer and queue names") {
  CHECK(load_error("", {"printers.\"bad name\".device_uri=socket://h"}) ==
        "printers.bad name: a name must be 1 to 64 of A-Z a-z 0-9 _ . -, got 'bad name'");
  CHECK(load_error("", {"queues.\"\".printers=[\"demo\"]"}) ==
        "queues.: a name must be 1 to 64 of A-Z a-z 0-9 _ . -, got ''");
  std::string long_name(65, 'a');
  CHECK(load_error("", {"printers." + long_name + ".device_uri=socket://h"}) ==
        "printers." + long_name + ": a name must be 1 to 64 of A-Z a-z 0-9 _ . -, got '" +
            long_name + "'");
  config c = load_ok("", {"printers.\"Lab-1_a.b\".device_uri=socket://h",
                          "printers." + std::string(64, 'z') + ".device_uri=socket://h"});
  CHECK(c.find_printer("Lab-1_a.b") != nullptr);
  CHECK(c.find_printer(std::string(64, 'z')) != nullptr);
}

TEST_CASE("file devices write inside <data_dir>/sink/ and nowhere else") {
  CHECK(uri_ok("file://${data_dir}/sink/./a//b/") == "file:///srv/quire/sink/a/b");
  CHECK(uri_ok("file:///srv/quire/sink/x") == "file:///srv/quire/sink/x");
  CHECK(uri_error("file:///etc/passwd") ==
        "printers.demo.device_uri: a file device must write inside /srv/quire/sink/, "
        "got 'file:///etc/passwd'");
  CHECK(uri_error("file://${data_dir}/sink/../../etc") ==
        "printers.demo.device_uri: '..' is not allowed in a file URI, "
        "got 'file://${data_dir}/sink/../../etc'");
  CHECK(uri_error("file:///srv/quire/sink/a/..") ==
        "printers.demo.device_uri: '..' is not allowed in a file URI, got 'file:///srv/quire/sink/a/..'");
  CHECK(uri_error("file://${data_dir}/sink") ==
        "printers.demo.device_uri: a file device must write inside /srv/quire/sink/, "
        "got 'file://${data_dir}/sink'");
  CHECK(uri_error("file:///srv/quire/sinkhole/x") ==
        "printers.demo.device_uri: a file device must write inside /srv/quire/sink/, "
        "got 'file:///srv/quire/sinkhole/x'");
  CHECK(uri_error("file://server/srv/quire/sink/x") ==
        "printers.demo.device_uri: expected file:///absolute/path (no host), "
        "got 'file://server/srv/quire/sink/x'");
  CHECK(uri_error("file:///srv/quire/sink/%2e%2e/x") ==
        "printers.demo.device_uri: a file URI cannot contain '%', '?' or '#', "
        "got 'file:///srv/quire/sink/%2e%2e/x'");
  CHECK(uri_error("file://${data}/sink/x") ==
        "printers.demo.device_uri: only ${data_dir} can be expanded, got 'file://${data}/sink/x'");
  // With the data folder at the root, the sink is /sink/.
  CHECK(load_ok("", {"server.data_dir=/"}).printers[0].device_uri == "file:///sink/demo");
}

TEST_CASE("network device URIs") {
  CHECK(uri_ok("ipp://10.0.0.5/ipp/print") == "ipp://10.0.0.5/ipp/print");
  CHECK(uri_ok("ipps://printer.example.com:443/ipp/print") == "ipps://printer.example.com:443/ipp/print");
  CHECK(uri_ok("ipp://[fe80::1]:631/ipp") == "ipp://[fe80::1]:631/ipp");
  CHECK(uri_ok("lpd://10.0.0.5:515/raw") == "lpd://10.0.0.5:515/raw");
  CHECK(uri_ok("socket://10.0.0.5") == "socket://10.0.0.5");
  CHECK(uri_ok("socket://10.0.0.5:9101") == "socket://10.0.0.5:9101");
  CHECK(uri_error("http://10.0.0.5/") ==
        "printers.demo.device_uri: expected a file, ipp, ipps, lpd or socket URI, got 'http://10.0.0.5/'");
  CHECK(uri_error("/dev/usb/lp0") ==
        "printers.demo.device_uri: expected a file, ipp, ipps, lpd or socket URI, got '/dev/usb/lp0'");
  CHECK(uri_error("ipp://10.0.0.5") ==
        "printers.demo.device_uri: expected ipp://host[:port]/path, got 'ipp://10.0.0.5'");
  CHECK(uri_error("ipp://:631/ipp") == "printers.demo.device_uri: missing host, got 'ipp://:631/ipp'");
  CHECK(uri_error("ipp://h:0/ipp") ==
        "printers.demo.device_uri: the port must be between 1 and 65535, got 'ipp://h:0/ipp'");
  CHECK(uri_error("ipp://user@h/ipp") == "printers.demo.device_uri: bad host name, got 'ipp://user@h/ipp'");
  CHECK(uri_error("lpd://10.0.0.5") ==
        "printers.demo.device_uri: expected lpd://host[:port]/queue, got 'lpd://10.0.0.5'");
  CHECK(uri_error("socket://10.0.0.5:x") == "printers.demo.device_uri: bad port, got 'socket://10.0.0.5:x'");
  CHECK(uri_error("socket://10.0.0.5:9100/path") ==
        "printers.demo.device_uri: expected socket://host[:port], got 'socket://10.0.0.5:9100/path'");
}

TEST_CASE("error messages stay on one line") {
  std::string msg = load_error("", {"log.level=a\nb\tc\x01"});
  CHECK(msg == "log.level: expected one of trace, debug, info, warn, error, off, got 'a\\nb\\tc\\x01'");
  CHECK(load_error("", {"log.level=" + std::string(300, 'x')}).size() < 250);
}

TEST_CASE("[lpd], [intake] and [raw]: unknown keys and wrong types") {
  CHECK(load_error("[lpd]\nport = 515\n") == "unknown key 'lpd.port'");
  CHECK(load_error("[intake]\nusers_from = [\"pjl\"]\n") == "unknown key 'intake.users_from'");
  CHECK(load_error("[raw.a]\nlisten = \"127.0.0.1:9100\"\nqueue = \"demo\"\nqueues = \"x\"\n") ==
        "unknown key 'raw.a.queues'");
  CHECK(load_error("[lpd]\nenabled = \"yes\"\n") == "lpd.enabled: expected a boolean, got string");
  CHECK(load_error("[lpd]\nmax_control_bytes = \"64k\"\n") ==
        "lpd.max_control_bytes: expected an integer, got string");
  CHECK(load_error("[intake]\nuser_from = \"pjl\"\n") ==
        "intake.user_from: expected an array of strings, got string");
  CHECK(load_error("[intake]\nname_from = [\"pjl\", 1]\n") ==
        "intake.name_from[1]: expected a string, got integer");
  CHECK(load_error("[intake]\nknown_users_only = 1\n") ==
        "intake.known_users_only: expected a boolean, got integer");
  CHECK(load_error("[intake]\nunknown_user = false\n") ==
        "intake.unknown_user: expected a string, got boolean");
  CHECK(load_error("raw = 5\n") == "raw: expected a table, got integer");
  CHECK(load_error("[raw]\np = 1\n") == "raw.p: expected a table, got integer");
  CHECK(load_error("[raw.a]\nlisten = 9100\n") == "raw.a.listen: expected a string, got integer");
}

TEST_CASE("lpd.listen is an endpoint, lpd.max_control_bytes is 1024..1048576") {
  CHECK(load_error("", {"lpd.listen=515"}) == "lpd.listen: expected host:port, got '515'");
  CHECK(load_error("", {"lpd.listen=lpd.example.com:515"}) ==
        "lpd.listen: the host must be an IP address or localhost, got 'lpd.example.com:515'");
  CHECK(load_error("", {"lpd.listen=::1:515"}) ==
        "lpd.listen: an IPv6 address needs brackets, as in [::1]:8631, got '::1:515'");
  CHECK(load_ok("", {"lpd.listen=[::]:515"}).lpd.listen.to_string() == "[::]:515");
  // A disabled listener's address is still checked: enabling it later must not
  // turn up a typo.
  CHECK(load_error("", {"lpd.enabled=false", "lpd.listen=x"}) ==
        "lpd.listen: expected host:port, got 'x'");
  CHECK(load_error("[lpd]\nmax_control_bytes = 1023\n") ==
        "lpd.max_control_bytes: must be between 1024 and 1048576, got '1023'");
  CHECK(load_error("[lpd]\nmax_control_bytes = 1048577\n") ==
        "lpd.max_control_bytes: must be between 1024 and 1048576, got '1048577'");
  CHECK(load_ok("[lpd]\nmax_control_bytes = 1024\n").lpd.max_control_bytes == 1024);
  CHECK(load_ok("[lpd]\nmax_control_bytes = 1048576\n").lpd.max_control_bytes == 1048576);
}

TEST_CASE("intake lists name known sources, at least one, each once") {
  CHECK(load_error("", {"intake.user_from=[]"}) ==
        "intake.user_from: expected at least one of pjl, dsc, control, got '[]'");
  CHECK(load_error("", {R"(intake.user_from=["pjl", "ldap"])"}) ==
        "intake.user_from: expected pjl, dsc or control, got 'ldap'");
  CHECK(load_error("", {R"(intake.name_from=["PJL"])"}) ==
        "intake.name_from: expected pjl, dsc or control, got 'PJL'");
  CHECK(load_error("", {R"(intake.name_from=["control-file"])"}) ==
        "intake.name_from: expected pjl, dsc or control, got 'control-file'");
  CHECK(load_error("", {R"(intake.name_from=["dsc", "control", "dsc"])"}) ==
        "intake.name_from: 'dsc' is listed twice");
  CHECK(load_error("", {"intake.unknown_user=drop"}) ==
        "intake.unknown_user: expected host or reject, got 'drop'");
  CHECK(load_error("", {"intake.unknown_user="}) == "intake.unknown_user: expected host or reject, got ''");
}

TEST_CASE("raw listeners need a valid name, an endpoint and an existing queue") {
  CHECK(load_error("", {"raw.lab9100.queue=secure"}) ==
        "raw.lab9100.listen: missing; every raw listener needs one");
  CHECK(load_error("", {"raw.lab9100.listen=0.0.0.0:9100"}) ==
        "raw.lab9100.queue: missing; every raw listener needs one");
  CHECK(load_error("", {"raw.lab9100.listen=0.0.0.0", "raw.lab9100.queue=secure"}) ==
        "raw.lab9100.listen: expected host:port, got '0.0.0.0'");
  CHECK(load_error("", {"raw.lab9100.listen=0.0.0.0:9100", "raw.lab9100.queue=x"}) ==
        "raw.lab9100.queue: unknown queue 'x'");
  CHECK(load_error("", {"raw.\"a b\".listen=0.0.0.0:9100"}) ==
        "raw.a b: a name must be 1 to 64 of A-Z a-z 0-9 _ . -, got 'a b'");
  // A file's [queues] replace the defaults, so the demo queue is gone.
  CHECK(load_error("[printers.p]\ndevice_uri = \"socket://h\"\n[queues.q]\nprinters = [\"p\"]\n"
                   "[raw.r]\nlisten = \"127.0.0.1:9100\"\nqueue = \"demo\"\n") ==
        "raw.r.queue: unknown queue 'demo'");
  // Queue names are case-sensitive, as everywhere else.
  CHECK(load_error("", {"raw.r.listen=127.0.0.1:9100", "raw.r.queue=Secure"}) ==
        "raw.r.queue: unknown queue 'Secure'");
}

TEST_CASE("two listeners may not share a host:port unless the port is 0") {
  const std::string advice = "; each listener needs a port of its own (0 picks a free one)";
  CHECK(load_error("", {"lpd.listen=127.0.0.1:8631"}) ==
        "lpd.listen: 127.0.0.1:8631 overlaps ipp.listen (127.0.0.1:8631)" + advice);
  CHECK(load_error("", {"lpd.listen=localhost:8631"}) ==
        "lpd.listen: 127.0.0.1:8631 overlaps ipp.listen (127.0.0.1:8631)" + advice);
  CHECK(load_error("", {"raw.a.listen=127.0.0.1:8515", "raw.a.queue=demo"}) ==
        "raw.a.listen: 127.0.0.1:8515 overlaps lpd.listen (127.0.0.1:8515)" + advice);
  CHECK(load_error("", {"raw.a.listen=0.0.0.0:9100", "raw.a.queue=demo", "raw.b.listen=0.0.0.0:9100",
                        "raw.b.queue=demo"}) ==
        "raw.b.listen: 0.0.0.0:9100 overlaps raw.a.listen (0.0.0.0:9100)" + advice);
  // A wildcard address covers the specific ones: the second bind would fail.
  CHECK(load_error("", {"lpd.listen=0.0.0.0:8631"}) ==
        "lpd.listen: 0.0.0.0:8631 overlaps ipp.listen (127.0.0.1:8631)" + advice);
  CHECK(load_error("", {"ipp.listen=[::]:9100", "raw.a.listen=10.0.0.1:9100", "raw.a.queue=demo"}) ==
        "raw.a.listen: 10.0.0.1:9100 overlaps ipp.listen ([::]:9100)" + advice);
  CHECK(load_error("", {"lpd.listen=[::ffff:127.0.0.1]:8631"}) ==
        "lpd.listen: [::ffff:127.0.0.1]:8631 overlaps ipp.listen (127.0.0.1:8631)" + advice);
  CHECK(load_error("", {"ipp.listen=[::1]:631", "lpd.listen=[::]:631"}) ==
        "lpd.listen: [::]:631 overlaps ipp.listen ([::1]:631)" + advice);

  // Port 0, different hosts of one family, different families, disabled listeners: fine.
  config c = load_ok("", {"ipp.listen=127.0.0.1:0", "lpd.listen=127.0.0.1:0", "raw.a.listen=127.0.0.1:0",
                          "raw.a.queue=demo", "raw.b.listen=0.0.0.0:0", "raw.b.queue=demo"});
  CHECK(c.raw.size() == 2);
  load_ok("", {"lpd.listen=127.0.0.2:8631"});
  load_ok("", {"lpd.listen=[::1]:8631"});
  load_ok("", {"ipp.listen=[::1]:631", "lpd.listen=[fe80::1]:631"});
  load_ok("", {"lpd.enabled=false", "lpd.listen=127.0.0.1:8631"});
  load_ok("", {"ipp.enabled=false", "raw.a.listen=0.0.0.0:8631", "raw.a.queue=demo"});
}

TEST_CASE("[accounting] credit and unlimited groups") {
  CHECK(load_error("[accounting]\ninitial_credit = -1\n") ==
        "accounting.initial_credit: must be between 0 and 1000000000, got '-1'");
  CHECK(load_error("[accounting]\ninitial_credit = 1000000001\n") ==
        "accounting.initial_credit: must be between 0 and 1000000000, got '1000000001'");
  CHECK(load_error("[accounting]\ninitial_credit = \"5\"\n") ==
        "accounting.initial_credit: expected an integer, got string");
  CHECK(load_error("[accounting]\nunlimited_groups = \"staff\"\n") ==
        "accounting.unlimited_groups: expected an array of strings, got string");
  CHECK(load_error("[accounting]\nunlimited_groups = [\"staff\", 1]\n") ==
        "accounting.unlimited_groups[1]: expected a string, got integer");
  const std::string rule = "a group name must be 1 to 64 characters without control characters";
  CHECK(load_error("[accounting]\nunlimited_groups = [\"\"]\n") ==
        "accounting.unlimited_groups: " + rule + ", got ''");
  CHECK(load_error("[accounting]\nunlimited_groups = [\"a\\tb\"]\n") ==
        "accounting.unlimited_groups: " + rule + ", got 'a\\tb'");
  CHECK(load_error("[accounting]\nunlimited_groups = [\"a\\u0085b\"]\n") ==
        "accounting.unlimited_groups: " + rule + ", got 'a\u0085b'");
  CHECK(load_error("[accounting]\nunlimited_groups = [\"a\\u007fb\"]\n") ==
        "accounting.unlimited_groups: " + rule + ", got 'a\\x7Fb'");
  std::string too_long(65, 'g');
  CHECK(load_error("", {"accounting.unlimited_groups=[\"" + too_long + "\"]"}) ==
        "accounting.unlimited_groups: " + rule + ", got '" + too_long + "'");
  CHECK(load_error("[accounting]\nunlimited_groups = [\"staff\", \"staff\"]\n") ==
        "accounting.unlimited_groups: group 'staff' is listed twice");
  CHECK(load_error("[accounting]\nunlimited_groups = [\"*\"]\n") ==
        "accounting.unlimited_groups: '*' (every user) is only for quotas.<name>.groups, got '*'");
  // 64 characters, not bytes; spaces and punctuation are fine, as in user names.
  std::string umlauts;
  for (int i = 0; i < 64; ++i) umlauts += "ü";
  config c = load_ok("", {"accounting.unlimited_groups=[\"" + umlauts + "\", \"Staff & Guests\", \"a*\"]"});
  CHECK(c.accounting.unlimited_groups.size() == 3);
  CHECK(load_ok("", {"accounting.initial_credit=0"}).accounting.initial_credit == 0);
}

TEST_CASE("[terminals]: each key within its range") {
  CHECK(load_error("[terminals]\nsession_idle_s = 9\n") ==
        "terminals.session_idle_s: must be between 10 and 3600, got '9'");
  CHECK(load_error("[terminals]\nsession_idle_s = 3601\n") ==
        "terminals.session_idle_s: must be between 10 and 3600, got '3601'");
  CHECK(load_error("[terminals]\npin_login_min_digits = 3\n") ==
        "terminals.pin_login_min_digits: must be between 4 and 16, got '3'");
  CHECK(load_error("[terminals]\npin_login_min_digits = 17\n") ==
        "terminals.pin_login_min_digits: must be between 4 and 16, got '17'");
  CHECK(load_error("[terminals]\nmax_login_failures = 0\n") ==
        "terminals.max_login_failures: must be between 1 and 100, got '0'");
  CHECK(load_error("[terminals]\nmax_login_failures = 101\n") ==
        "terminals.max_login_failures: must be between 1 and 100, got '101'");
  CHECK(load_error("[terminals]\nlockout_s = 0\n") == "terminals.lockout_s: must be between 1 and 86400, got '0'");
  CHECK(load_error("[terminals]\nlockout_s = 86401\n") ==
        "terminals.lockout_s: must be between 1 and 86400, got '86401'");
  CHECK(load_error("[terminals]\nlockout_s = true\n") == "terminals.lockout_s: expected an integer, got boolean");
  CHECK(load_error("[terminals]\nidle_s = 60\n") == "unknown key 'terminals.idle_s'");
  CHECK(load_error("terminals = 1\n") == "terminals: expected a table, got integer");
  config c = load_ok("[terminals]\nsession_idle_s = 3600\npin_login_min_digits = 4\n"
                     "max_login_failures = 100\nlockout_s = 1\n");
  CHECK(c.terminals.session_idle_s == 3600);
  CHECK(c.terminals.pin_login_min_digits == 4);
  CHECK(c.terminals.max_login_failures == 100);
  CHECK(c.terminals.lockout_s == 1);
}

TEST_CASE("printers.*.login: known methods, each once, at least one") {
  CHECK(load_error("", {R"(printers.demo.login=["card", "nfc"])"}) ==
        "printers.demo.login: expected card, pin, password or card+pin, got 'nfc'");
  CHECK(load_error("", {R"(printers.demo.login=["Card"])"}) ==
        "printers.demo.login: expected card, pin, password or card+pin, got 'Card'");
  CHECK(load_error("", {R"(printers.demo.login=["pin", "card", "pin"])"}) ==
        "printers.demo.login: 'pin' is listed twice");
  CHECK(load_error("", {"printers.demo.login=[]"}) ==
        "printers.demo.login: expected at least one of card, pin, password, card+pin, got '[]'");
  CHECK(load_error("", {"printers.demo.login=\"card\""}) ==
        "printers.demo.login: expected an array of strings, got string");
  CHECK(load_error("", {"printers.demo.print_all_on_login=1"}) ==
        "printers.demo.print_all_on_login: expected a boolean, got integer");
  CHECK(load_ok("", {R"(printers.demo.login=["card", "pin", "password", "card+pin"])"}).printers[0].login.size() ==
        4);
}

TEST_CASE("queues.*.failover: only where there is another printer to go to") {
  CHECK(load_error("", {"queues.demo.failover=true"}) ==
        "queues.demo.failover: a direct queue has one printer: nothing to fail over to");
  CHECK(load_error("", {"queues.secure.failover=\"yes\""}) ==
        "queues.secure.failover: expected a boolean, got string");
  CHECK(load_ok("", {"queues.secure.failover=true"}).find_queue("secure")->failover);
  CHECK(load_ok("", {"queues.g.type=group", R"(queues.g.printers=["demo"])", "queues.g.failover=true"})
            .find_queue("g")
            ->failover);
}

TEST_CASE("quotas need groups and sheets, and a known period") {
  CHECK(load_error("", {R"(quotas.q.groups=["students"])"}) == "quotas.q.sheets: missing; every quota needs one");
  CHECK(load_error("", {"quotas.q.sheets=10"}) ==
        "quotas.q: a quota needs at least one group (\"*\": every user) or user");
  CHECK(load_error("", {"quotas.q.groups=[]", "quotas.q.sheets=10"}) ==
        "quotas.q: a quota needs at least one group (\"*\": every user) or user");
  CHECK(load_ok("", {R"(quotas.q.users=["jdoe"])", "quotas.q.sheets=10"}).quotas[0].users ==
        std::vector<std::string>{"jdoe"});
  CHECK(load_error("", {R"(quotas.q.users=["*"])", "quotas.q.sheets=10"}).find("quotas.q.users") == 0);
  CHECK(load_error("", {R"(quotas.q.groups=["*"])", "quotas.q.sheets=10", "quotas.q.period=semester"}) ==
        "quotas.q.period: expected day, week, month or year, got 'semester'");
  CHECK(load_error("", {R"(quotas.q.groups=["*"])", "quotas.q.sheets=10", "quotas.q.period=Month"}) ==
        "quotas.q.period: expected day, week, month or year, got 'Month'");
  CHECK(load_error("", {R"(quotas.q.groups=["*"])", "quotas.q.sheets=0"}) ==
        "quotas.q.sheets: must be between 1 and 100000000, got '0'");
  CHECK(load_error("", {R"(quotas.q.groups=["*"])", "quotas.q.sheets=100000001"}) ==
        "quotas.q.sheets: must be between 1 and 100000000, got '100000001'");
  CHECK(load_error("", {R"(quotas.q.groups=["*"])", "quotas.q.sheets=\"10\""}) ==
        "quotas.q.sheets: expected an integer, got string");
  CHECK(load_error("", {R"(quotas.q.groups=["a", "a"])", "quotas.q.sheets=1"}) ==
        "quotas.q.groups: group 'a' is listed twice");
  CHECK(load_error("", {R"(quotas.q.groups=["a", ""])", "quotas.q.sheets=1"}) ==
        "quotas.q.groups: a group name must be 1 to 64 characters without control characters, got ''");
  CHECK(load_error("[quotas.q]\ngroups = [\"*\"]\nsheets = 1\npages = 5\n") == "unknown key 'quotas.q.pages'");
  CHECK(load_error("", {"quotas.\"a b\".sheets=1"}) ==
        "quotas.a b: a name must be 1 to 64 of A-Z a-z 0-9 _ . -, got 'a b'");
  CHECK(load_error("[quotas]\nq = 1\n") == "quotas.q: expected a table, got integer");
}

TEST_CASE("projects: a valid name, groups by the group-name rule") {
  CHECK(load_error("[projects.\"a/b\"]\ndescription = \"x\"\n") ==
        "projects.a/b: a name must be 1 to 64 of A-Z a-z 0-9 _ . -, got 'a/b'");
  CHECK(load_error("", {R"(projects.p.groups=["*"])"}) ==
        "projects.p.groups: '*' (every user) is only for quotas.<name>.groups, got '*'");
  CHECK(load_error("", {R"(projects.p.groups=["staff", "staff"])"}) ==
        "projects.p.groups: group 'staff' is listed twice");
  CHECK(load_error("", {"projects.p.groups=[\"a\\nb\"]"}) ==
        "projects.p.groups: a group name must be 1 to 64 characters without control characters, got 'a\\nb'");
  CHECK(load_error("[projects.p]\ndescription = []\n") == "projects.p.description: expected a string, got array");
  CHECK(load_error("", {"projects.p.owner=x"}) == "unknown key 'projects.p.owner'");
  CHECK(load_error("projects = []\n") == "projects: expected a table, got array");
}

TEST_CASE("[monitoring]: each key within its range") {
  struct range {
    const char* key;
    int64_t lo, hi;
  };
  for (const range& r : {range{"interval_s", 5, 86400}, range{"busy_interval_s", 1, 86400},
                         range{"jitter_percent", 0, 50}, range{"timeout_ms", 50, 60000}, range{"retries", 0, 10},
                         range{"offline_after", 1, 100}, range{"max_backoff_s", 5, 86400},
                         range{"low_percent", 0, 100}, range{"max_rows", 1, 1024}, range{"snapshot_s", 60, 86400},
                         range{"snapshot_days", 1, 3650}}) {
    std::string key = r.key;
    std::string problem = "monitoring." + key + ": must be between " + std::to_string(r.lo) + " and " +
                          std::to_string(r.hi) + ", got '";
    CHECK(load_error("[monitoring]\n" + key + " = " + std::to_string(r.lo - 1) + "\n") ==
          problem + std::to_string(r.lo - 1) + "'");
    CHECK(load_error("[monitoring]\n" + key + " = " + std::to_string(r.hi + 1) + "\n") ==
          problem + std::to_string(r.hi + 1) + "'");
    CHECK(load_error("[monitoring]\n" + key + " = \"1\"\n") ==
          "monitoring." + key + ": expected an integer, got string");
  }
  CHECK(load_error("[monitoring]\nenabled = 1\n") == "monitoring.enabled: expected a boolean, got integer");
  CHECK(load_error("[monitoring]\nversion = 2\n") == "monitoring.version: expected a string, got integer");
  CHECK(load_error("[monitoring]\ncommunity = 1\n") == "monitoring.community: expected a string, got integer");
  CHECK(load_error("[monitoring]\ninterval = 60\n") == "unknown key 'monitoring.interval'");
  // Both ends are accepted.
  config lo = load_ok("[monitoring]\ninterval_s = 5\nbusy_interval_s = 1\njitter_percent = 0\ntimeout_ms = 50\n"
                      "retries = 0\noffline_after = 1\nmax_backoff_s = 5\nlow_percent = 0\nmax_rows = 1\n"
                      "snapshot_s = 60\nsnapshot_days = 1\n");
  CHECK(lo.monitoring.interval_s == 5);
  CHECK(lo.monitoring.busy_interval_s == 1);
  CHECK(lo.monitoring.max_rows == 1);
  config hi = load_ok("[monitoring]\ninterval_s = 86400\nbusy_interval_s = 86400\njitter_percent = 50\n"
                      "timeout_ms = 60000\nretries = 10\noffline_after = 100\nmax_backoff_s = 86400\n"
                      "low_percent = 100\nmax_rows = 1024\nsnapshot_s = 86400\nsnapshot_days = 3650\n");
  CHECK(hi.monitoring.busy_interval_s == 86400);
  CHECK(hi.monitoring.snapshot_days == 3650);
}

TEST_CASE("[monitoring]: busy_interval_s above interval_s is taken as is, a version and a community") {
  // The schedule never polls a busy printer less often than an idle one
  // (monitor_rules: next_poll_delay), so a short interval alone is enough.
  CHECK(load_ok("", {"monitoring.interval_s=10"}).monitoring.busy_interval_s == 15);
  CHECK(load_ok("", {"monitoring.interval_s=15"}).monitoring.busy_interval_s == 15);
  CHECK(load_error("", {"monitoring.version=3"}) == "monitoring.version: expected 1 or 2c, got '3'");
  CHECK(load_error("", {"monitoring.version=v2c"}) == "monitoring.version: expected 1 or 2c, got 'v2c'");
  CHECK(load_error("", {"monitoring.version="}) == "monitoring.version: expected 1 or 2c, got ''");
  // A community is a secret: the message never shows it.
  const std::string bad_community =
      "monitoring.community: must be 1 to 255 printable ASCII characters (the value is a secret: not shown)";
  CHECK(load_error("", {"monitoring.community="}) == bad_community);
  CHECK(load_error("", {"monitoring.community=" + std::string(256, 'x')}) == bad_community);
  CHECK(load_error("", {"monitoring.community=s3cret\tx"}) == bad_community);
  CHECK(load_error("", {"monitoring.community=geheim\xC3\xA9"}) == bad_community);
  CHECK(load_ok("", {"monitoring.community=" + std::string(255, '~')}).monitoring.community.size() == 255);
  CHECK(load_ok("", {"monitoring.community= "}).monitoring.community == " ");
}

TEST_CASE("printers.*.snmp keys: an address, a version, a community, a host to poll") {
  auto snmp_error = [](const std::string& set) { return load_error("", {"printers.demo.device_uri=socket://h", set}); };
  CHECK(snmp_error("printers.demo.snmp_address=x:y:z") ==
        "printers.demo.snmp_address: expected host[:port], got 'x:y:z'");
  CHECK(snmp_error("printers.demo.snmp_address=h:0") == "printers.demo.snmp_address: expected host[:port], got 'h:0'");
  CHECK(snmp_error("printers.demo.snmp_address=h:65536") ==
        "printers.demo.snmp_address: expected host[:port], got 'h:65536'");
  CHECK(snmp_error("printers.demo.snmp_address=h:") == "printers.demo.snmp_address: expected host[:port], got 'h:'");
  CHECK(snmp_error("printers.demo.snmp_address=:161") ==
        "printers.demo.snmp_address: expected host[:port], got ':161'");
  CHECK(snmp_error("printers.demo.snmp_address=[::1") ==
        "printers.demo.snmp_address: expected host[:port], got '[::1'");
  CHECK(snmp_error("printers.demo.snmp_address=[nope]:161") ==
        "printers.demo.snmp_address: expected host[:port], got '[nope]:161'");
  CHECK(snmp_error("printers.demo.snmp_address=udp://h") ==
        "printers.demo.snmp_address: expected host[:port], got 'udp://h'");
  CHECK(snmp_error("printers.demo.snmp_address=a b") == "printers.demo.snmp_address: expected host[:port], got 'a b'");
  CHECK(snmp_error("printers.demo.snmp_version=3") == "printers.demo.snmp_version: expected 1 or 2c, got '3'");
  CHECK(snmp_error("printers.demo.snmp_community=" + std::string(256, 'x')) ==
        "printers.demo.snmp_community: must be 1 to 255 printable ASCII characters (the value is a secret: not shown)");
  CHECK(snmp_error("printers.demo.snmp_community=a\nb") ==
        "printers.demo.snmp_community: must be 1 to 255 printable ASCII characters (the value is a secret: not shown)");
  CHECK(snmp_error("printers.demo.snmp=\"yes\"") == "printers.demo.snmp: expected a boolean, got string");
  CHECK(snmp_error("printers.demo.snmp_port=161") == "unknown key 'printers.demo.snmp_port'");
  for (const char* address : {"h", "h:1", "h:65535", "10.0.0.5:161", "printer_1.example-lab.com", "[::1]", "[fe80::1]:1161"})
    CHECK_MESSAGE(load_ok("", {"printers.demo.snmp_address=" + std::string(address)}).printers[0].snmp_address ==
                      address,
                  address);
  config ok = load_ok("", {"printers.demo.snmp_version=1", "printers.demo.snmp_community=x"});
  CHECK(ok.printers[0].snmp_version == "1");
  CHECK(ok.printers[0].snmp_community == "x");

  // snmp = true asks for a host: a file:// device needs snmp_address.
  CHECK(load_error("", {"printers.demo.snmp=true"}) ==
        "printers.demo.snmp: a file:// device has no host to poll; set snmp_address");
  CHECK(load_ok("", {"printers.demo.snmp=true", "printers.demo.snmp_address=10.0.0.9"}).printers[0].snmp == true);
  CHECK(load_ok("", {"printers.demo.snmp=false"}).printers[0].snmp == false);
  CHECK_FALSE(load_ok("").printers[0].snmp.has_value());
}

TEST_CASE("api.metrics_token: empty by default, 16 to 256 visible characters, never echoed") {
  CHECK(load_ok("").api.metrics_token.empty());
  const std::string token = "Zq3-x_9.kP~w+/7=abc";
  CHECK(load_ok("", {"api.metrics_token=" + token}).api.metrics_token == token);
  CHECK(load_ok("[api]\nmetrics_token = \"" + std::string(256, 'k') + "\"\n").api.metrics_token.size() == 256);
  CHECK(load_ok("", {"api.metrics_token="}).api.metrics_token.empty());
  const std::string refused =
      "api.metrics_token: must be \"\" or 16 to 256 visible ASCII characters, no spaces (the value is a secret: "
      "not shown)";
  for (const std::string& bad : {std::string("short-secret-15"), std::string(257, 'k'),
                                 std::string("sixteen chars ok"), std::string("tab\tinside-the-token"),
                                 std::string("\xC3\xA9-not-ascii-at-all")}) {
    std::string e = load_error("", {"api.metrics_token=" + bad});
    CHECK_MESSAGE(e == refused, bad);
  }
  CHECK(load_error("[api]\nmetrics_token = 42\n") == "api.metrics_token: expected a string, got integer");
}
