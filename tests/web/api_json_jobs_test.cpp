// The job facet of api_json.hpp.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "web/api_json.hpp"

using namespace quire;
using namespace quire::web;
using nlohmann::json;

namespace {

job_record sample_job() {
  job_record j;
  j.id = 42;
  j.uuid = "urn:uuid:6f1c0c5e-2f4b-4c1e-9a57-0d1f6a8e3b21";
  j.queue = "secure";
  j.owner = "alice";
  j.origin_host = "192.0.2.9";
  j.name = "report";
  j.document_name = "report.pdf";
  j.document_format = "application/pdf";
  j.document_size = 123456;
  j.state = job_state::held;
  j.held_by = hold_reason::pull_queue;
  j.state_message = "waiting for release";
  j.created_ms = 1714552200250;  // 2024-05-01T08:30:00.250Z
  j.expires_ms = 1714638600000;
  j.attempts = 0;
  j.pin_hash = "aes:c2VjcmV0LWhtYWM";
  j.pin_wrong = 2;
  j.copies = 2;
  j.sides = "two-sided-long-edge";
  j.media = "iso_a4_210x297mm";
  j.color_mode = "auto";
  j.number_up = 2;
  j.page_ranges = {1, 3, 7, 7};
  j.print_quality = 4;
  j.resolution_dpi = 600;
  j.analysis.status = 1;
  j.analysis.format = "application/pdf";
  j.analysis.pages = 5;
  j.analysis.colour_pages = 2;
  j.analysis.impressions = 6;
  j.analysis.colour_impressions = 2;
  j.analysis.sheets = 3;
  j.analysis.colour_sheets = 1;
  j.analysis.exact = true;
  j.analysis.size = "iso_a4_210x297mm";
  j.analysis.method = "structure";
  j.analysis.elapsed_us = 1500;
  j.analysis.title = "Lecture notes";
  j.price.status = 1;
  j.price.low = 40;
  j.price.high = 60;
  return j;
}

}  // namespace

TEST_CASE("rfc3339_utc: UTC with milliseconds, empty when absent or out of range") {
  CHECK(rfc3339_utc(0).empty());
  CHECK(rfc3339_utc(-5).empty());
  CHECK(rfc3339_utc(1) == "1970-01-01T00:00:00.001Z");
  CHECK(rfc3339_utc(1714552200250) == "2024-05-01T08:30:00.250Z");
  CHECK(rfc3339_utc(951782400000) == "2000-02-29T00:00:00.000Z");  // a leap day
  CHECK(rfc3339_utc(253402300799999) == "9999-12-31T23:59:59.999Z");
  CHECK(rfc3339_utc(253402300800000).empty());
  CHECK(rfc3339_utc(INT64_MAX).empty());
}

TEST_CASE("job_json: every documented field, in order, and no secret") {
  std::string text = job_json(sample_job(), money_format{"EUR", 2});
  CHECK(text.find("c2VjcmV0") == std::string::npos);  // pin_hash
  CHECK(text.find("pin") == std::string::npos);
  CHECK(text.find("192.0.2.9") == std::string::npos);  // origin_host
  auto ordered = nlohmann::ordered_json::parse(text);
  std::vector<std::string> keys;
  for (auto& [k, v] : ordered.items()) keys.push_back(k);
  auto j = json::parse(text);
  CHECK(keys == std::vector<std::string>{"id", "uuid", "queue", "owner", "name", "document_name", "document_format",
                                         "document_size", "state", "state_message", "printer", "created",
                                         "completed", "expires", "attempts", "ticket", "analysis", "price",
                                         "release_no", "payer", "released_by", "project"});
  CHECK(j["id"] == 42);
  CHECK(j["state"] == "held");
  CHECK(j["created"] == "2024-05-01T08:30:00.250Z");
  CHECK(j["completed"].is_null());
  CHECK(j["expires"] == "2024-05-02T08:30:00.000Z");
  CHECK(j["document_size"].is_number_integer());

  CHECK(j["ticket"] == json::parse(R"({"copies":2,"sides":"two-sided-long-edge","media":"iso_a4_210x297mm",
      "color_mode":"auto","number_up":2,"page_ranges":[[1,3],[7,7]],"print_quality":4,"resolution_dpi":600})"));

  const auto& a = j["analysis"];
  CHECK(a["status"] == "done");
  CHECK(a["pages"] == 5);
  CHECK(a["colour_pages"] == 2);
  CHECK(a["mono_pages"] == 3);
  CHECK(a["impressions"] == 6);
  CHECK(a["mono_impressions"] == 4);
  CHECK(a["sheets"] == 3);
  CHECK(a["mono_sheets"] == 2);
  CHECK(a["exact"] == true);
  CHECK(a["normalised"] == false);
  CHECK(a["title"] == "Lecture notes");
  CHECK(a["reason"] == "");
  CHECK(a["elapsed_us"] == 1500);
  CHECK(a.size() == 19);

  const auto& p = j["price"];
  CHECK(p == json::parse(R"({"status":"estimate","low":40,"high":60,"currency":"EUR","minor_digits":2,
                             "text":"0.40 to 0.60 EUR","price_list":""})"));
}

TEST_CASE("job_json: analysis and price states") {
  auto job = sample_job();
  money_format yen{"JPY", 0};
  const char* analysis[] = {"pending", "done", "failed", "unsupported", "pending"};
  for (uint8_t s = 0; s <= 4; ++s) {
    job.analysis.status = s;
    CHECK(json::parse(job_json(job, yen))["analysis"]["status"] == analysis[s]);
  }

  job.price = {};
  auto p = json::parse(job_json(job, yen))["price"];
  CHECK(p["status"] == "unknown");
  CHECK(p["text"].is_null());
  CHECK(p["currency"] == "JPY");
  CHECK(p["minor_digits"] == 0);

  job.price.status = 2;
  job.price.low = job.price.high = 120;
  job.price.price_list = "standard";
  p = json::parse(job_json(job, yen))["price"];
  CHECK(p["status"] == "final");
  CHECK(p["text"] == "120 JPY");
  CHECK(p["price_list"] == "standard");

  job.price.status = 1;
  job.price.low = job.price.high = 5;
  CHECK(json::parse(job_json(job, money_format{"EUR", 2}))["price"]["text"] == "0.05 EUR");

  // Counts the colour part exceeds (a corrupt record) do not wrap.
  job.analysis.pages = 1;
  job.analysis.colour_pages = 3;
  CHECK(json::parse(job_json(job, yen))["analysis"]["mono_pages"] == 0);
  job.page_ranges = {4};  // no pair: no range
  CHECK(json::parse(job_json(job, yen))["ticket"]["page_ranges"] == json::array());
  job.name = "bad \xff";
  CHECK(json::parse(job_json(job, yen))["name"] == "bad \xef\xbf\xbd");
}

TEST_CASE("job_list_json: jobs in order and the next cursor") {
  std::vector<job_record> jobs(2);
  jobs[0].id = 9;
  jobs[1].id = 7;
  auto j = json::parse(job_list_json(jobs, {}, uint64_t{7}));
  REQUIRE(j["jobs"].size() == 2);
  CHECK(j["jobs"][0]["id"] == 9);
  CHECK(j["jobs"][1]["state"] == "receiving");
  CHECK(j["next"] == 7);
  j = json::parse(job_list_json({}, {}, std::nullopt));
  CHECK(j["jobs"] == json::array());
  CHECK(j["next"].is_null());
}
