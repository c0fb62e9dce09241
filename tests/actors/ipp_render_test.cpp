#include <doctest/doctest.h>

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
  auto as = [&](const std::string& who) {
    auto req = get_jobs_request();
    auto resp = ipp::make_response(req.get(), IPP_STATUS_OK);
    add_job_attributes(resp.get(), j, job_view{"h:1", who, false, 0}, all);
    return ippFindAttribute(resp.get(), "job-name", IPP_TAG_ZERO) != nullptr;
  };
  CHECK(as("alice"));
  CHECK_FALSE(as("bob"));
}

TEST_CASE("queue UUIDs are stable per server and queue") {
  CHECK(queue_uuid("urn:uuid:1", "q") == queue_uuid("urn:uuid:1", "q"));
  CHECK(queue_uuid("urn:uuid:1", "q") != queue_uuid("urn:uuid:1", "r"));
  CHECK(queue_uuid("urn:uuid:1", "q") != queue_uuid("urn:uuid:2", "q"));
  CHECK(queue_uuid("urn:uuid:1", "q").size() == 45);
}
