// The fleet actor's pure parts: patches, the file's rules applied to API
// records, and the price lists a snapshot carries.
#include <doctest/doctest.h>

#include "actors/account.hpp"
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

// A price list map with one free list `name`.
price_list_map named_list(std::string name) {
  price_list_record l;
  l.name = name;
  return {{name, l}};
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
  CHECK(checked_printer(listed, named_list("standard"), data_dir).ok());
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
  auto m = prices_of({printer("p1", "", "a"), printer("p2", ""), printer("p3", "", "gone")}, named_list("a"));
  REQUIRE(m);
  CHECK(m->size() == 1);
  CHECK(m->at("p1").name == "a");
}

TEST_CASE("price lists: the stored form prices as the file's and the file's rules apply") {
  pdl::price_list l;
  l.name = "colour";
  l.per = pdl::price_unit::impression;
  l.base = {10, 50, 8, -1};
  l.sizes = {{"iso_a3_297x420mm", {20, 100, -1, -1}}};
  l.mono_only = true;
  auto rec = to_price_list_record(l, record_origin::api);
  CHECK(rec.per == "impression");
  CHECK(rec.origin == record_origin::api);
  CHECK(to_price_list(rec) == l);
  price_list_record back;
  REQUIRE_FALSE(decode_record(encode_record(rec), back));
  CHECK(back == rec);
  CHECK_FALSE(check_price_list_record(rec));

  auto bad = rec;
  bad.per = "page";
  CHECK(check_price_list_record(bad).message.find("per") == 0);
  bad = rec;
  bad.base.colour = -1;  // only the duplex rates may be -1
  CHECK(check_price_list_record(bad).code == errc::invalid_argument);
  CHECK(check_price_list_record(bad).message.find("colour") == 0);
  bad = rec;
  bad.base.duplex_mono = pdl::max_rate + 1;
  CHECK(check_price_list_record(bad).message.find("duplex_mono") == 0);
  bad = rec;
  bad.sizes.push_back(bad.sizes.front());
  CHECK(check_price_list_record(bad).message.find("twice") != std::string::npos);
  bad = rec;
  bad.sizes.front().second.mono = -5;
  CHECK(check_price_list_record(bad).message.find("sizes.iso_a3_297x420mm.mono") == 0);
}

TEST_CASE("projects: who may charge, and the fleet finds them by name") {
  CHECK(may_charge_project({}, {}));
  CHECK(may_charge_project({"*"}, {}));
  CHECK(may_charge_project({"staff", "phd"}, {"students", "phd"}));
  CHECK_FALSE(may_charge_project({"staff"}, {"students"}));
  fleet fl;
  CHECK(fl.project("x") == nullptr);  // no map yet
  auto projects = std::make_shared<std::map<std::string, project_record>>();
  (*projects)["research"] = project_record{"research", "Research", {"staff"}, record_origin::api};
  fl.projects = projects;
  REQUIRE(fl.project("research"));
  CHECK(fl.project("research")->groups == std::vector<std::string>{"staff"});
  CHECK(fl.project("nope") == nullptr);
}

TEST_CASE("quotas: the file's rules apply to the stored form, and the accounts read it") {
  quota_record q{"students", {"students"}, {}, "week", 200, record_origin::api};
  CHECK_FALSE(check_quota_record(q));
  auto bad = q;
  bad.period = "semester";
  CHECK(check_quota_record(bad).message.find("period") == 0);
  bad = q;
  bad.groups.clear();
  CHECK(check_quota_record(bad).message.find("at least one group") != std::string::npos);
  bad.users = {"bob"};
  CHECK_FALSE(check_quota_record(bad));  // a user alone is enough
  bad = q;
  bad.sheets = 0;
  CHECK(check_quota_record(bad).message.find("sheets") == 0);
  bad.sheets = 100'000'001;
  CHECK(check_quota_record(bad).code == errc::invalid_argument);

  std::map<std::string, quota_record> stored{{"students", q}, {"staff", {"staff", {"staff"}, {"ann"}, "year", 5000}}};
  auto aq = quotas_of(stored);
  REQUIRE(aq.size() == 2);
  CHECK(aq[0].period == quota_period_kind::year);  // "staff" sorts first
  CHECK(aq[0].users == std::vector<std::string>{"ann"});
  CHECK(aq[1].period == quota_period_kind::week);
  CHECK(aq[1].sheets == 200);
}

TEST_CASE("printers_of: a queue's printers the fleet has, in the queue's order") {
  fleet fl = two_printers();
  queue_record q;
  q.printers = {"lab2", "gone", "lab1"};
  auto ps = fl.printers_of(q);
  REQUIRE(ps.size() == 2);
  CHECK(ps[0].first == "lab2");
  CHECK(ps[1].first == "lab1");
}

}  // namespace
}  // namespace quire
