#include <doctest/doctest.h>

#include <algorithm>

#include "actors/ipp/ipp_render.hpp"
#include "protocols/ipp/codec.hpp"

using namespace quire;

namespace {

ipp::message get_jobs_request() {
  ipp::message req(ippNewRequest(IPP_OP_GET_JOBS));
  ippSetRequestId(req.get(), 77);
  ippAddString(req.get(), IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", nullptr, "ipp://h:1/ipp/print/q");
  return req;
}

// The same listing built attribute by attribute with libcups.
std::string slow_listing(ipp_t* req, const std::vector<uint64_t>& ids, size_t first,
                         const std::vector<std::string>& requested) {
  auto resp = ipp::make_response(req, IPP_STATUS_OK);
  ipp::attribute_filter want(requested, {});
  job_view view{"h:1", "someone", false, 0};
  for (size_t i = first; i < ids.size(); ++i) {
    if (i > first) ippAddSeparator(resp.get());
    job_record j;
    j.id = ids[i];
    j.queue = "q";
    add_job_attributes(resp.get(), j, view, want);
  }
  return ipp::encode(resp.get());
}

}  // namespace

TEST_CASE("the direct job-id listing is byte for byte what libcups would encode") {
  auto req = get_jobs_request();
  std::vector<uint64_t> ids = {90210, 4242, 7, 1};
  std::string prefix = printer_uri("h:1", "q") + "/";
  CHECK(encode_job_id_listing(req.get(), ids, 0, prefix, true, true) ==
        slow_listing(req.get(), ids, 0, {"job-id", "job-uri"}));
  CHECK(encode_job_id_listing(req.get(), ids, 0, prefix, true, false) ==
        slow_listing(req.get(), ids, 0, {"job-id"}));
  CHECK(encode_job_id_listing(req.get(), ids, 2, prefix, false, true) ==
        slow_listing(req.get(), ids, 2, {"job-uri"}));
  CHECK(encode_job_id_listing(req.get(), {}, 0, prefix, true, true) == slow_listing(req.get(), {}, 0, {"job-id"}));
  std::string err;
  auto back = ipp::decode(encode_job_id_listing(req.get(), ids, 0, prefix, true, true), err);
  REQUIRE(back);
  CHECK(ippGetRequestId(back.get()) == 77);
  CHECK(ippGetInteger(ippFindAttribute(back.get(), "job-id", IPP_TAG_INTEGER), 0) == 90210);
}

TEST_CASE("job states as IPP shows them") {
  job_record j;
  j.state = job_state::held;
  CHECK(to_ipp_state(j).state == IPP_JSTATE_HELD);
  j.state = job_state::delivering;
  CHECK(to_ipp_state(j).state == IPP_JSTATE_PROCESSING);
  CHECK(std::string(to_ipp_state(j).reasons.at(0)) == "job-printing");
  j.state = job_state::done;
  CHECK(to_ipp_state(j).state == IPP_JSTATE_COMPLETED);
  j.state = job_state::expired;
  CHECK(to_ipp_state(j).state == IPP_JSTATE_CANCELED);
}

TEST_CASE("others see a job without its private values") {
  job_record j;
  j.id = 5;
  j.queue = "q";
  j.owner = "alice";
  j.name = "secret thesis";
  ipp::attribute_filter all({"all"}, {});
  auto as = [&](const std::string& who, bool admin = false, bool mask = true) {
    auto req = get_jobs_request();
    auto resp = ipp::make_response(req.get(), IPP_STATUS_OK);
    add_job_attributes(resp.get(), j, job_view{"h:1", who, admin, 0, mask}, all);
    return ippFindAttribute(resp.get(), "job-name", IPP_TAG_ZERO) != nullptr;
  };
  CHECK(as("alice"));
  CHECK_FALSE(as("bob"));
  CHECK(as("root", true));          // administrators see all
  CHECK(as("bob", false, false));   // privacy.mask_other_users = false
}

TEST_CASE("queue UUIDs are stable per server and queue") {
  CHECK(queue_uuid("urn:uuid:1", "q") == queue_uuid("urn:uuid:1", "q"));
  CHECK(queue_uuid("urn:uuid:1", "q") != queue_uuid("urn:uuid:1", "r"));
  CHECK(queue_uuid("urn:uuid:1", "q") != queue_uuid("urn:uuid:2", "q"));
  CHECK(queue_uuid("urn:uuid:1", "q").size() == 45);
}

namespace {

ipp::message printer_attributes(const queue_view& v, const std::vector<std::string>& requested) {
  auto req = get_jobs_request();
  auto resp = ipp::make_response(req.get(), IPP_STATUS_OK);
  add_printer_attributes(resp.get(), v, ipp::attribute_filter(requested, {"all"}));
  return resp;
}

std::vector<std::string> strings_of(ipp_t* r, const char* name) {
  std::vector<std::string> out;
  ipp_attribute_t* a = ippFindAttribute(r, name, IPP_TAG_ZERO);
  for (int i = 0; a && i < ippGetCount(a); ++i) out.emplace_back(ippGetString(a, i, nullptr));
  return out;
}

}  // namespace

TEST_CASE("printer attributes: ipp and ipps URIs with parallel security lists") {
  queue_record q;
  q.name = "lab";
  q.type = queue_type::pull;
  queue_view v;
  v.queue = &q;
  v.authority = "print.example.edu:631";
  v.server_name = "Quire";
  v.server_uuid = "urn:uuid:1";
  v.now_s = 1700000000;
  auto plain = printer_attributes(v, {});
  CHECK(strings_of(plain.get(), "printer-uri-supported") ==
        std::vector<std::string>{"ipp://print.example.edu:631/ipp/print/lab", "ipps://print.example.edu:631/ipp/print/lab"});
  CHECK(strings_of(plain.get(), "uri-security-supported") == std::vector<std::string>{"none", "tls"});
  CHECK(strings_of(plain.get(), "uri-authentication-supported").size() == 2);
  CHECK(strings_of(plain.get(), "printer-icons") ==
        std::vector<std::string>{"http://print.example.edu:631/icons/queue.png"});
  v.secure = true;
  auto tls = printer_attributes(v, {});
  CHECK(strings_of(tls.get(), "printer-uri-supported").front().rfind("ipps://", 0) == 0);
  CHECK(strings_of(tls.get(), "uri-security-supported") == std::vector<std::string>{"tls", "none"});
  CHECK(strings_of(tls.get(), "printer-more-info") == std::vector<std::string>{"https://print.example.edu:631/"});
  v.tls_available = false;
  v.secure = false;
  auto no_tls = printer_attributes(v, {});
  CHECK(strings_of(no_tls.get(), "printer-uri-supported").size() == 1);
  CHECK(strings_of(no_tls.get(), "uri-security-supported") == std::vector<std::string>{"none"});
}

TEST_CASE("printer attributes: the job template values come from the offer, in their own group") {
  queue_record q;
  q.name = "lab";
  queue_view v;
  v.queue = &q;
  v.authority = "h:1";
  auto all = printer_attributes(v, {"all"});
  CHECK(strings_of(all.get(), "media-default") == std::vector<std::string>{ipp::job_ticket{}.media});
  CHECK(strings_of(all.get(), "media-supported").size() == ipp::offer().media.size());
  CHECK(strings_of(all.get(), "sides-supported").size() == ipp::offer().sides.size());
  CHECK(ippFindAttribute(all.get(), "media-col-database", IPP_TAG_BEGIN_COLLECTION));
  CHECK(ippGetCount(ippFindAttribute(all.get(), "media-col-database", IPP_TAG_ZERO)) ==
        static_cast<int>(ipp::offer().media.size()));
  CHECK(ippGetValueTag(ippFindAttribute(all.get(), "printer-geo-location", IPP_TAG_ZERO)) == IPP_TAG_UNKNOWN);
  CHECK(ippGetInteger(ippFindAttribute(all.get(), "multiple-operation-time-out", IPP_TAG_ZERO), 0) == 300);
  auto features = strings_of(all.get(), "ipp-features-supported");
  CHECK(std::find(features.begin(), features.end(), "ipp-everywhere") != features.end());

  auto desc = printer_attributes(v, {"printer-description"});
  CHECK(ippFindAttribute(desc.get(), "printer-name", IPP_TAG_ZERO));
  CHECK_FALSE(ippFindAttribute(desc.get(), "copies-default", IPP_TAG_ZERO));
  CHECK_FALSE(ippFindAttribute(desc.get(), "media-col-database", IPP_TAG_ZERO));
  auto tmpl = printer_attributes(v, {"job-template"});
  CHECK(ippFindAttribute(tmpl.get(), "copies-default", IPP_TAG_ZERO));
  CHECK(ippFindAttribute(tmpl.get(), "media-col-database", IPP_TAG_ZERO));
  CHECK_FALSE(ippFindAttribute(tmpl.get(), "printer-name", IPP_TAG_ZERO));
}

TEST_CASE("job ticket: stored in the record and rendered back") {
  ipp::job_ticket t;
  t.copies = 4;
  t.media = "iso_a3_297x420mm";
  t.sides = "two-sided-long-edge";
  t.color_mode = "monochrome";
  t.print_quality = IPP_QUALITY_DRAFT;
  t.orientation = IPP_ORIENT_LANDSCAPE;
  t.resolution_dpi = 300;
  t.page_ranges = {{1, 2}, {7, 7}};
  t.number_up = 4;
  t.job_priority = 10;
  t.banner = true;
  t.uncollated = true;
  t.print_scaling = "none";
  job_record j;
  store_ticket(t, j);
  CHECK(j.copies == 4);
  CHECK(j.sides == "two-sided-long-edge");
  CHECK(j.page_ranges == std::vector<uint32_t>{1, 2, 7, 7});
  CHECK(ticket_of(j) == t);
  // A record from before the ticket existed reads as the defaults.
  job_record old;
  CHECK(ticket_of(old) == ipp::job_ticket{});
  // Through msgpack, as storage keeps it.
  job_record back;
  REQUIRE_FALSE(decode_record(encode_record(j), back));
  CHECK(ticket_of(back) == t);

  j.id = 3;
  j.queue = "q";
  j.owner = "alice";
  auto req = get_jobs_request();
  auto resp = ipp::make_response(req.get(), IPP_STATUS_OK);
  add_job_attributes(resp.get(), j, job_view{"h:1", "alice", false, 0}, ipp::attribute_filter({"job-template"}, {}));
  CHECK(ippGetInteger(ippFindAttribute(resp.get(), "copies", IPP_TAG_INTEGER), 0) == 4);
  CHECK(strings_of(resp.get(), "media") == std::vector<std::string>{"iso_a3_297x420mm"});
  CHECK(strings_of(resp.get(), "job-sheets") == std::vector<std::string>{"standard"});
  CHECK(ippGetCount(ippFindAttribute(resp.get(), "page-ranges", IPP_TAG_RANGE)) == 2);
  CHECK(ippGetInteger(ippFindAttribute(resp.get(), "orientation-requested", IPP_TAG_ENUM), 0) == IPP_ORIENT_LANDSCAPE);
  CHECK(ippFindAttribute(resp.get(), "media-col", IPP_TAG_BEGIN_COLLECTION));
  CHECK_FALSE(ippFindAttribute(resp.get(), "job-name", IPP_TAG_ZERO));  // a description attribute
}
