// The fleet actor's pure parts: patches, the file's rules applied to API
// records, and the price lists a snapshot carries.
#include <doctest/doctest.h>

#include "actors/fleet_keeper.hpp"

namespace quire {
namespace {

const std::string data_dir = "/srv/quire";

printer_record printer(std::string name, std::string uri, std::string list = {}) {
  printer_record p;
  p.name = std::move(name);
  p.device_uri = std::move(uri);
  p.price_list = std::move(list);
  return p;
}

pdl::price_list named_list(std::string name) {
  pdl::price_list l;
  l.name = std::move(name);
  return l;
}

fleet two_printers() {
  fleet fl;
  fl.printers.emplace("lab1", fleet::printer_entry{printer("lab1", "file:///srv/quire/sink/lab1"), {}, false});
  fl.printers.emplace("lab2", fleet::printer_entry{printer("lab2", "file:///srv/quire/sink/lab2"), {}, false});
  return fl;
}

TEST_CASE("checked_printer: a sink device is stored normalized with the default language") {
  auto p = checked_printer(printer("lab1", "file:///srv/quire/sink/./lab1/"), {}, data_dir);
  REQUIRE(p.ok());
  CHECK(p->device_uri == "file:///srv/quire/sink/lab1");
  CHECK(p->language == "application/octet-stream");
}

TEST_CASE("checked_printer: the file's rules refuse what the file would") {
  auto outside = checked_printer(printer("x", "file:///etc/passwd"), {}, data_dir);
  REQUIRE_FALSE(outside.ok());
  CHECK(outside.err().code == errc::invalid_argument);
  CHECK(outside.err().message.find("device_uri") == 0);
  CHECK_FALSE(checked_printer(printer("x", "file:///srv/quire/sink/../x"), {}, data_dir).ok());
  CHECK_FALSE(checked_printer(printer("x", "gopher://host/"), {}, data_dir).ok());
  auto listed = printer("x", "socket://127.0.0.1:9100");
  listed.price_list = "nope";
  auto unknown = checked_printer(listed, {}, data_dir);
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.err().message.find("price_list") == 0);
  auto autolang = printer("x", "socket://127.0.0.1:9100");
  autolang.language = "auto";
  CHECK_FALSE(checked_printer(autolang, {}, data_dir).ok());
  listed.price_list = "standard";
  CHECK(checked_printer(listed, {named_list("standard")}, data_dir).ok());
}

TEST_CASE("check_queue: printers known, counted by type, listed once") {
  fleet fl = two_printers();
  queue_record q;
  q.name = "q";
  q.type = queue_type::direct;
  q.printers = {"lab1"};
  CHECK_FALSE(check_queue(q, fl));
  q.printers = {"lab1", "lab2"};
  CHECK(check_queue(q, fl).code == errc::invalid_argument);
  q.type = queue_type::group;
  CHECK_FALSE(check_queue(q, fl));
  q.printers = {"lab1", "lab1"};
  CHECK(check_queue(q, fl).message.find("twice") != std::string::npos);
  q.printers = {"lab3"};
  CHECK(check_queue(q, fl).message.find("lab3") != std::string::npos);
  q.type = queue_type::pull;
  q.printers = {};
  CHECK(check_queue(q, fl));
  q.type = queue_type::direct;
  q.printers = {"lab1"};
  q.failover = true;
  CHECK(check_queue(q, fl).message.find("failover") == 0);
}

TEST_CASE("patched: only the fields a patch names change") {
  printer_record p = printer("lab1", "file:///srv/quire/sink/lab1");
  p.location = "here";
  web::printer_patch pp;
  pp.info = "by the door";
  auto out = web::patched(p, pp);
  CHECK(out.location == "here");
  CHECK(out.info == "by the door");
  CHECK(out.device_uri == p.device_uri);
  queue_record q;
  q.name = "q";
  q.printers = {"lab1"};
  q.failover = true;
  web::queue_patch qp;
  qp.type = queue_type::group;
  qp.failover = false;
  auto qo = web::patched(q, qp);
  CHECK(qo.type == queue_type::group);
  CHECK_FALSE(qo.failover);
  CHECK(qo.printers == q.printers);
}

TEST_CASE("prices_of: each printer's list by name, none for a free or unknown one") {
  auto m = prices_of({printer("p1", "", "a"), printer("p2", ""), printer("p3", "", "gone")}, {named_list("a")});
  REQUIRE(m);
  CHECK(m->size() == 1);
  CHECK(m->at("p1").name == "a");
}

}  // namespace
}  // namespace quire
