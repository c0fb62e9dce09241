// The job facet of api_json.hpp: job records as the admin API shows them.
#include <algorithm>
#include <chrono>
#include <cstdio>

#include "protocols/pdl/price.hpp"
#include "web/api_json.hpp"
#include "web/api_json_detail.hpp"
#include "web/api_request.hpp"

namespace quire::web {

namespace {

using namespace json_detail;

// A count and its colour part as stored; the mono part is what remains
// (the same derivation actors/job_rules.cpp prices by).
uint64_t mono_of(uint64_t all, uint64_t colour) { return all - std::min(all, colour); }

const char* analysis_status(uint8_t s) {
  switch (s) {
    case 1: return "done";
    case 2: return "failed";
    case 3: return "unsupported";
    default: return "pending";  // 0, or a value this build does not know
  }
}

const char* price_status(uint8_t s) {
  switch (s) {
    case 1: return "estimate";
    case 2: return "final";
    default: return "unknown";
  }
}

ordered_json ticket_object(const job_record& job) {
  ordered_json t;
  t["copies"] = job.copies;
  t["sides"] = job.sides;
  t["media"] = job.media;
  t["color_mode"] = job.color_mode;
  t["number_up"] = job.number_up;
  ordered_json ranges = ordered_json::array();
  // Stored flat, first, last, first, last...: an odd last value is not a range.
  for (size_t i = 0; i + 1 < job.page_ranges.size(); i += 2)
    ranges.push_back(ordered_json::array({job.page_ranges[i], job.page_ranges[i + 1]}));
  t["page_ranges"] = std::move(ranges);
  t["print_quality"] = job.print_quality;
  t["resolution_dpi"] = job.resolution_dpi;
  return t;
}

ordered_json analysis_object(const job_analysis& a) {
  ordered_json j;
  j["status"] = analysis_status(a.status);
  j["format"] = a.format;
  j["pages"] = a.pages;
  j["colour_pages"] = a.colour_pages;
  j["mono_pages"] = mono_of(a.pages, a.colour_pages);
  j["impressions"] = a.impressions;
  j["colour_impressions"] = a.colour_impressions;
  j["mono_impressions"] = mono_of(a.impressions, a.colour_impressions);
  j["sheets"] = a.sheets;
  j["colour_sheets"] = a.colour_sheets;
  j["mono_sheets"] = mono_of(a.sheets, a.colour_sheets);
  j["exact"] = a.exact;
  j["size"] = a.size;
  j["mixed_sizes"] = a.mixed_sizes;
  j["method"] = a.method;
  j["normalised"] = a.normalised;
  j["title"] = a.title;  // the document's own, cleaned (job_rules.cpp)
  j["reason"] = a.reason;
  j["elapsed_us"] = a.elapsed_us;
  return j;
}

ordered_json price_object(const job_price& p, const money_format& money) {
  ordered_json j;
  j["status"] = price_status(p.status);
  j["low"] = p.low;
  j["high"] = p.high;
  add_money_format(j, money);
  if (p.status == 1 || p.status == 2) {
    std::string text;
    if (p.low != p.high) text.append(pdl::format_money(p.low, money.minor_digits, "")).append(" to ");
    text.append(pdl::format_money(p.high, money.minor_digits, money.currency));
    j["text"] = std::move(text);
  } else {
    j["text"] = nullptr;
  }
  j["price_list"] = p.price_list;
  return j;
}

ordered_json job_object(const job_record& job, const money_format& money) {
  // Built field by field from what may be shown: there is no path from
  // pin_hash (or origin_host, pin_wrong) to this object.
  ordered_json j;
  j["id"] = job.id;
  j["uuid"] = job.uuid;
  j["queue"] = job.queue;
  j["owner"] = job.owner;
  j["name"] = job.name;
  j["document_name"] = job.document_name;
  j["document_format"] = job.document_format;
  j["document_size"] = job.document_size;
  j["state"] = to_string(job.state);
  j["state_message"] = job.state_message;
  j["printer"] = job.printer;
  j["created"] = time_or_null(job.created_ms);
  j["completed"] = time_or_null(job.completed_ms);
  j["expires"] = time_or_null(job.expires_ms);
  j["attempts"] = job.attempts;
  j["ticket"] = ticket_object(job);
  j["analysis"] = analysis_object(job.analysis);
  j["price"] = price_object(job.price, money);
  // Accounting: the release that holds (or held) the job's charge.
  j["release_no"] = job.release_no;
  j["payer"] = job.payer;
  j["released_by"] = job.released_by;
  j["project"] = job.project;
  return j;
}

}  // namespace

std::string rfc3339_utc(int64_t ms) {
  using namespace std::chrono;
  // 253402300800000 ms is 10000-01-01T00:00:00Z: RFC 3339 has four-digit years.
  if (ms <= 0 || ms >= 253402300800000) return {};
  sys_time<milliseconds> t{milliseconds(ms)};
  auto day = floor<days>(t);
  year_month_day date{day};
  hh_mm_ss<milliseconds> time{t - day};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                static_cast<int>(time.hours().count()), static_cast<int>(time.minutes().count()),
                static_cast<int>(time.seconds().count()), static_cast<int>(time.subseconds().count()));
  return buf;
}

std::string job_json(const job_record& job, const money_format& money) { return dump(job_object(job, money)); }

std::string job_list_json(const std::vector<job_record>& jobs, const money_format& money,
                          const std::optional<uint64_t>& next) {
  ordered_json j;
  j["jobs"] = ordered_json::array();
  for (const auto& job : jobs) j["jobs"].push_back(job_object(job, money));
  j["next"] = next ? ordered_json(*next) : ordered_json(nullptr);
  return dump(j);
}

result<job_release> parse_job_release(std::string_view body) {
  job_release req;
  if (body.empty()) return req;
  json obj;
  if (auto s = parse_object(body, obj)) return s;
  if (auto s = check_keys(obj, {"printer", "project"})) return s;
  auto printer = find_string(obj, "printer");
  if (!printer.ok()) return printer.err();
  if (*printer) {
    if (!valid_printer_name(**printer)) return bad("field \"printer\" must be 1 to 64 of A-Z a-z 0-9 _ . -");
    req.printer = **printer;
  }
  auto project = find_string(obj, "project");
  if (!project.ok()) return project.err();
  if (*project) {
    const std::string& p = **project;
    bool ok = !p.empty() && p.size() <= 128 && std::none_of(p.begin(), p.end(), [](char c) {
      return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
    });
    if (!ok) return bad("field \"project\" must be 1 to 128 bytes without control characters");
    req.project = p;
  }
  return req;
}

std::string queue_list_json(const std::vector<queue_info>& queues, std::string_view authority) {
  ordered_json j;
  j["queues"] = ordered_json::array();
  for (const auto& q : queues) {
    ordered_json o;
    o["name"] = q.name;
    o["type"] = q.type;
    o["description"] = q.description;
    o["printers"] = q.printers;
    std::string uri = "ipp://";
    uri.append(authority).append("/ipp/print/").append(q.name);
    o["ipp_uri"] = std::move(uri);
    j["queues"].push_back(std::move(o));
  }
  return dump(j);
}

}  // namespace quire::web
