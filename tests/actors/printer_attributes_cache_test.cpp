#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "actors/ipp/notify_render.hpp"
#include "actors/ipp/printer_attributes_cache.hpp"
#include "protocols/ipp/codec.hpp"

using namespace quire;

namespace {

ipp::message gpa_request(int id) {
  ipp::message req(ippNewRequest(IPP_OP_GET_PRINTER_ATTRIBUTES));
  ippSetRequestId(req.get(), id);
  ippAddString(req.get(), IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", nullptr, "ipp://h:1/ipp/print/lab");
  return req;
}

// Every attribute of a message as "group name value..." lines, sorted: the
// message's content without the order of attributes inside a group.
std::vector<std::string> content(const std::string& encoded) {
  std::string err;
  auto m = ipp::decode(encoded, err);
  REQUIRE_MESSAGE(m, err);
  std::vector<std::string> out;
  for (ipp_attribute_t* a = ippFirstAttribute(m.get()); a; a = ippNextAttribute(m.get())) {
    char value[16384];
    ippAttributeString(a, value, sizeof value);
    out.push_back(std::to_string(ippGetGroupTag(a)) + " " + ippGetName(a) + " " +
                  std::to_string(ippGetValueTag(a)) + " " + value);
  }
  std::sort(out.begin(), out.end());
  out.push_back("request-id " + std::to_string(ippGetRequestId(m.get())) + " status " +
                std::to_string(ippGetStatusCode(m.get())));
  return out;
}

// The answer built attribute by attribute, as before the cache.
std::string built(ipp_t* req, const queue_view& v, const std::vector<std::string>& requested) {
  auto resp = ipp::make_response(req, IPP_STATUS_OK);
  ipp::attribute_filter want(requested, {"all"});
  add_printer_attributes(resp.get(), v, want);
  add_notify_printer_attributes(resp.get(), notify_limits{}, want);
  return ipp::encode(resp.get());
}

struct fixture {
  queue_record q;
  queue_view v;
  fixture() {
    q.name = "lab";
    q.type = queue_type::pull;
    v.queue = &q;
    v.authority = "print.example.edu:631";
    v.server_name = "Quire";
    v.server_uuid = "urn:uuid:1";
    v.now_s = 1700000000;
  }
};

}  // namespace

TEST_CASE("a cached Get-Printer-Attributes answer holds what building it would") {
  fixture f;
  printer_attributes_cache cache;
  int config = 0;
  const std::vector<std::vector<std::string>> asks = {
      {}, {"all"}, {"printer-description"}, {"job-template"}, {"printer-state", "queued-job-count"},
      {"printer-uri-supported", "media-col-database"}, {"no-such-attribute"}};
  for (const auto& requested : asks) {
    CAPTURE(requested.size());
    auto req = gpa_request(7);
    CHECK(content(cache.answer(req.get(), f.v, requested, &config)) == content(built(req.get(), f.v, requested)));
  }
}

TEST_CASE("the state part follows every request, the rest is reused per client view") {
  fixture f;
  printer_attributes_cache cache;
  int config = 0;
  auto first = gpa_request(1);
  cache.answer(first.get(), f.v, {}, &config);
  CHECK(cache.entries() == 1);

  f.v.status.state = printer_state::stopped;
  f.v.status.queued = 12;
  f.v.now_s += 60;
  auto second = gpa_request(2);
  std::string again = cache.answer(second.get(), f.v, {}, &config);
  CHECK(cache.entries() == 1);
  CHECK(content(again) == content(built(second.get(), f.v, {})));

  f.v.secure = true;  // ipps:// first: another entry
  CHECK(content(cache.answer(second.get(), f.v, {}, &config)) == content(built(second.get(), f.v, {})));
  CHECK(cache.entries() == 2);

  int new_config = 0;  // a new configuration snapshot: the queue may have changed
  f.q.info = "Library, ground floor";
  CHECK(content(cache.answer(second.get(), f.v, {}, &new_config)) == content(built(second.get(), f.v, {})));
  CHECK(cache.entries() == 1);
}

TEST_CASE("the cache stays bounded") {
  fixture f;
  printer_attributes_cache cache(4);
  int config = 0;
  auto req = gpa_request(1);
  for (int i = 0; i < 20; ++i) {
    f.v.authority = "host" + std::to_string(i) + ":631";
    cache.answer(req.get(), f.v, {}, &config);
    CHECK(cache.entries() <= 4);
  }
}
