// The pure parts of web print and of the REST API's queue list on the actor
// side: the new job an upload becomes (actors/web_print.hpp) and the queues
// as users see them (actors/job_service_adapter.hpp).
#include <doctest/doctest.h>

#include "actors/job_service_adapter.hpp"
#include "actors/web_print.hpp"

using namespace quire;

TEST_CASE("web_print_job: the caller owns it, the ticket over IPP's defaults, the document as spooled") {
  web::print_ticket t;
  t.queue = "secure";
  t.name = "Essay";
  t.copies = 3;
  t.sides = "two-sided-long-edge";
  t.color_mode = "monochrome";
  t.format = "application/pdf";
  auto nj = web_print_job(t, "alice", "192.0.2.4", "", "/data/spool/incoming/7", 123456);
  CHECK(nj.record.owner == "alice");
  CHECK(nj.record.origin_host == "192.0.2.4");
  CHECK(nj.record.name == "Essay");
  CHECK(nj.record.copies == 3);
  CHECK(nj.record.sides == "two-sided-long-edge");
  CHECK(nj.record.color_mode == "monochrome");
  CHECK(nj.record.document_format == "application/pdf");
  CHECK(nj.record.document_size == 123456);
  CHECK(nj.record.document_in_spool);
  CHECK(nj.upload_path == "/data/spool/incoming/7");
  CHECK(nj.record.held_by == hold_reason::none);  // the queue decides (a pull queue holds)
  CHECK_FALSE(nj.awaiting_document);

  web::print_ticket plain;
  plain.queue = "secure";
  plain.format = "text/plain";
  nj = web_print_job(plain, "bob", "::1", "hello", "", 5);
  CHECK(nj.record.name == "Untitled");
  CHECK(nj.record.copies == 1);
  CHECK(nj.record.sides == "one-sided");  // IPP's default, as a Print-Job without sides gets
  CHECK(nj.record.color_mode == "auto");
  CHECK_FALSE(nj.record.document_in_spool);
  CHECK(nj.inline_document == "hello");
}

TEST_CASE("queue_infos: sorted by name, the printers the fleet has, never a device URI") {
  fleet fl;
  printer_record lab1;
  lab1.name = "lab1";
  lab1.device_uri = "ipp://secret:pw@10.0.0.9/ipp/print";
  fl.printers.emplace("lab1", fleet::printer_entry{lab1, printer_actor{}});
  queue_record secure;
  secure.name = "secure";
  secure.type = queue_type::pull;
  secure.info = "Follow-me printing";
  secure.printers = {"lab1", "gone"};
  queue_record demo;
  demo.name = "demo";
  demo.type = queue_type::group;
  demo.printers = {"lab1"};
  fl.queues.emplace("secure", fleet::queue_entry{secure, queue_actor{}});
  fl.queues.emplace("demo", fleet::queue_entry{demo, queue_actor{}});
  auto qs = queue_infos(fl);
  REQUIRE(qs.size() == 2);
  CHECK(qs[0].name == "demo");
  CHECK(qs[0].type == "group");
  CHECK(qs[0].description.empty());
  CHECK(qs[1].name == "secure");
  CHECK(qs[1].type == "pull");
  CHECK(qs[1].description == "Follow-me printing");
  CHECK(qs[1].printers == std::vector<std::string>{"lab1"});  // "gone" is no printer of the site
}
