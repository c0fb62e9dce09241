// The records Quire stores: jobs, printers, queues, and the job state model.
//
// A record is a plain value. It is stored as a msgpack *map* (field names as
// keys), so a later version may add, drop or reorder fields and still read
// what an earlier one wrote; a field missing from a stored map keeps its
// default. Fields never use std::optional: a zero or empty value means
// "absent", which also lets the same structs travel in CAF messages.
//
// Ownership: a job record is owned by that job's actor (ARCHITECTURE.md);
// everyone else only reads committed versions through `store`.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <msgpack.hpp>

#include "protocols/pdl/price.hpp"
#include "protocols/result.hpp"

namespace quire {

/// Quire's own job states, unambiguous after a crash. IPP's job-state and
/// job-state-reasons are derived from them (actors/ipp/ipp_job.cpp).
enum class job_state : uint8_t {
  receiving = 1,   // document still arriving (Create-Job/Send-Document)
  analysing = 2,   // with a job processor
  held = 3,        // waiting for its owner to release it
  queued = 4,      // released, waiting for its printer
  delivering = 5,  // the printer's driver is sending it to the device
  done = 6,
  failed = 7,
  canceled = 8,
  expired = 9,
};

/// True for done, failed, canceled and expired: the job will not move again.
bool is_terminal(job_state s) noexcept;
/// "held", "queued", ...
const char* to_string(job_state s) noexcept;

/// Why a held job is held; drives IPP job-state-reasons.
enum class hold_reason : uint8_t {
  none = 0,
  pull_queue = 1,  // sent to a pull-print queue: waits for release at a printer
  client = 2,      // the client asked (job-hold-until=indefinite)
  operator_ = 3,   // Hold-Job after submission
};

/// What a job processor found in a job's document, and the units derived
/// from it with the job's ticket (protocols/pdl/units.hpp): pages in the
/// document; impressions = N-up impressions x copies; sheets = impressions
/// halved when two-sided. Colour impressions hold at least one colour page.
struct job_analysis {
  uint8_t status = 0;              // 0 not yet, 1 done, 2 failed, 3 not possible for this format
  std::string format;              // detected from the content
  uint32_t pages = 0;
  uint32_t colour_pages = 0;
  uint64_t impressions = 0;
  uint64_t colour_impressions = 0;
  uint64_t sheets = 0;
  uint64_t colour_sheets = 0;      // sheets holding a colour impression
  bool exact = true;               // false: some counts are estimates
  std::string size;                // the media of most pages, PWG name ("iso_a4_210x297mm") or "WxHpt"
  bool mixed_sizes = false;
  std::string method;              // "structure", "structure+render", "render", "normalised+..."
  // PostScript made into PDF at analysis (spool/converted/<id>/normalised.pdf):
  // the counts are that PDF's, and that PDF is what prints.
  bool normalised = false;
  std::string reason;              // status 2 or 3: why
  uint64_t elapsed_us = 0;
  std::string title;               // the document's own title (PDF /Title, DSC %%Title:), printable, <= 256 bytes

  MSGPACK_DEFINE_MAP(status, format, pages, colour_pages, impressions, colour_impressions, sheets, exact, size,
                     mixed_sizes, method, reason, elapsed_us, colour_sheets, normalised, title)
};

/// What a job costs, in minor units of the site currency
/// (protocols/pdl/price.hpp). Before its printer is known the price is an
/// estimate, the range over the printers it may go to; once the printer is
/// known (released, or sent to a direct or group queue) it is final for that
/// printer. Charging it is accounting's (the release issue).
struct job_price {
  uint8_t status = 0;     // 0 unknown (not analysed), 1 estimate, 2 final
  int64_t low = 0;        // estimate: the cheapest printer; final: the price
  int64_t high = 0;       // estimate: the dearest printer; final: the price
  std::string price_list; // final: the list it was priced by ("" = a free printer)

  MSGPACK_DEFINE_MAP(status, low, high, price_list)
};

struct job_record {
  uint64_t id = 0;
  std::string uuid;             // "urn:uuid:..."
  std::string queue;
  std::string owner;            // the user the job belongs to
  std::string origin_host;      // the client's address
  std::string name;             // job-name
  std::string document_name;
  std::string document_format;  // as the client declared it
  uint64_t document_size = 0;
  bool document_in_spool = false;  // true: <data>/spool/<id>; false: docs column family
  bool document_deleted = false;   // the document is gone (job finished or expired)
  job_state state = job_state::receiving;
  hold_reason held_by = hold_reason::none;
  std::string state_message;    // human-readable detail, e.g. why it failed
  std::string printer;          // the printer it was released or sent to
  uint32_t copies = 1;
  uint32_t attempts = 0;        // delivery attempts so far
  uint32_t impressions = 0;     // 0 = not yet known (analysis comes later)
  int64_t created_ms = 0;       // wall-clock milliseconds since the Unix epoch
  int64_t processing_ms = 0;    // when delivery began
  int64_t completed_ms = 0;     // when it reached a terminal state
  int64_t expires_ms = 0;       // held jobs: when they expire; 0 otherwise
  int64_t queued_ms = 0;        // when it was released: its place in the printer FIFO
  // job-password (PWG 5100.11): the PIN's HMAC bound to the job id
  // (storage/credentials.hpp), never the PIN; empty when the job has none.
  std::string pin_hash;
  uint32_t pin_wrong = 0;       // wrong PINs so far; at the limit the job is locked
  // Job ticket: the job template attributes (RFC 8011 §5.2, PWG 5100.7) the
  // job was accepted with, the queue's defaults filled in; `copies` above is
  // one of them. protocols/ipp/job_template.hpp checks them against what the
  // queues offer. Keywords and enum values are IPP's own. Records written
  // before these fields existed read "" and 0, which mean the defaults.
  std::string media;             // media size name, "iso_a4_210x297mm"
  std::string media_source;      // "auto", "main", "manual"
  std::string media_type;        // "stationery", "cardstock", "labels"
  std::string sides;             // "one-sided", "two-sided-long-edge", "two-sided-short-edge"
  std::string color_mode;        // print-color-mode: "auto", "color", "monochrome"
  uint8_t print_quality = 0;     // 3 draft, 4 normal, 5 high
  uint8_t orientation = 0;       // orientation-requested 3-6; 0: none asked
  uint16_t resolution_dpi = 0;   // printer-resolution, square
  uint8_t number_up = 0;
  uint8_t job_priority = 0;      // 1-100
  bool banner = false;           // job-sheets "standard" (else "none")
  bool uncollated = false;       // multiple-document-handling separate-documents-uncollated-copies
  std::vector<uint32_t> page_ranges;  // first, last, first, last...; empty: every page
  std::string print_scaling;     // "auto", "auto-fit", "fill", "fit", "none"
  std::string content_optimize;  // print-content-optimize
  std::string rendering_intent;  // print-rendering-intent
  job_analysis analysis;         // filled in by the processor pool after intake
  job_price price;               // from the analysis and the printers' price lists
  // Accounting (actors/account.hpp). Each release is numbered: the number
  // keys its reservation and its ledger charge (account|job|release_no), so
  // a retried delivery, a restart or a crash never charges twice, and a
  // reprint is a release of its own.
  uint32_t release_no = 0;       // releases so far (0: never released)
  std::string payer;             // the account charged: the owner, or "project:<name>"
  std::string released_by;       // who released it: the owner, a delegate or an administrator
  std::string project;           // the project (cost centre) chosen at release, or ""

  MSGPACK_DEFINE_MAP(id, uuid, queue, owner, origin_host, name, document_name,
                     document_format, document_size, document_in_spool, document_deleted,
                     state, held_by, state_message, printer, copies, attempts, impressions,
                     created_ms, processing_ms, completed_ms, expires_ms, queued_ms, pin_hash, pin_wrong,
                     media, media_source, media_type, sides, color_mode, print_quality, orientation,
                     resolution_dpi, number_up, job_priority, banner, uncollated, page_ranges,
                     print_scaling, content_optimize, rendering_intent, analysis, price,
                     release_no, payer, released_by, project)
};

/// Where a record came from: the config file's declarations are re-applied at
/// every start; what the API created stays until the API removes it.
enum class record_origin : uint8_t { config = 1, api = 2 };

struct printer_record {
  std::string name;
  std::string device_uri;
  std::string language;
  std::string location;
  std::string info;
  std::string make_and_model;
  record_origin origin = record_origin::config;
  std::string price_list;  // the price list jobs printed here are charged by; "" = free

  MSGPACK_DEFINE_MAP(name, device_uri, language, location, info, make_and_model, origin, price_list)
};

enum class queue_type : uint8_t {
  pull = 1,    // held until the owner releases the job at one of the printers
  direct = 2,  // prints at once on its one printer
  group = 3,   // prints at once on the least busy of its printers
};

struct queue_record {
  std::string name;
  queue_type type = queue_type::pull;
  std::vector<std::string> printers;
  std::string location;
  std::string info;
  record_origin origin = record_origin::config;
  bool auth_required = false;  // IPP clients must log in (HTTP Basic over TLS)
  bool failover = false;       // a job whose printer is unreachable goes to the queue's next printer

  MSGPACK_DEFINE_MAP(name, type, printers, location, info, origin, auth_required, failover)
};

/// One rate of a stored price list, in minor units of the currency
/// (protocols/pdl/price.hpp: rate); -1 for a duplex rate: as the one-sided.
struct price_rate {
  int64_t mono = 0;
  int64_t colour = 0;
  int64_t duplex_mono = -1;
  int64_t duplex_colour = -1;

  bool operator==(const price_rate&) const = default;

  MSGPACK_DEFINE_MAP(mono, colour, duplex_mono, duplex_colour)
};

/// A price list as stored (cf::price_lists): the file's [prices.<name>] or
/// one the API made. pdl::price_list is what prices a job (to_price_list).
struct price_list_record {
  std::string name;
  std::string per = "sheet";  // "sheet" or "impression"
  price_rate base;
  std::vector<std::pair<std::string, price_rate>> sizes;  // PWG media name, its rate
  bool mono_only = false;
  record_origin origin = record_origin::config;

  bool operator==(const price_list_record&) const = default;

  MSGPACK_DEFINE_MAP(name, per, base, sizes, mono_only, origin)
};

/// The list that prices jobs; "per" other than "impression" is per sheet.
pdl::price_list to_price_list(const price_list_record& r);
/// The stored form of `list`.
price_list_record to_price_list_record(const pdl::price_list& list, record_origin origin);

/// A project (cost centre) as stored (cf::projects): what a job may be
/// charged to instead of its owner, and who may charge it.
struct project_record {
  std::string name;
  std::string description;
  std::vector<std::string> groups;  // whose members may charge it; empty: every user
  record_origin origin = record_origin::config;

  bool operator==(const project_record&) const = default;

  MSGPACK_DEFINE_MAP(name, description, groups, origin)
};

/// A quota as stored (cf::quotas): the file's [quotas.<name>] or one the
/// API made. Members of `groups` ("*": every user) and the `users` named
/// may print `sheets` sheets per `period`; a user under several gets the
/// largest.
struct quota_record {
  std::string name;
  std::vector<std::string> groups;
  std::vector<std::string> users;
  std::string period = "month";  // "day", "week", "month" or "year" (calendar periods, UTC)
  uint32_t sheets = 0;           // 1..100,000,000
  record_origin origin = record_origin::config;

  bool operator==(const quota_record&) const = default;

  MSGPACK_DEFINE_MAP(name, groups, users, period, sheets, origin)
};

/// Whether a member of `groups` may charge a project open to
/// `project_groups` (empty or "*": everyone). Administrators may charge any.
bool may_charge_project(const std::vector<std::string>& project_groups, const std::vector<std::string>& groups);

/// A page-counter snapshot of a printer's device (SNMP prtMarkerLifeCount),
/// to reconcile what accounting charged with what the device counted.
struct device_counter_record {
  int64_t time_ms = 0;
  uint64_t life_count = 0;   // impressions the device says it has made
  std::string serial;        // the device's serial number ("" if it does not say)
  uint64_t delivered = 0;    // jobs the printer delivered since the server started

  MSGPACK_DEFINE_MAP(time_ms, life_count, serial, delivered)
};

/// One entry of the audit log: a request through the admin API that
/// changed something (or tried to), as its answer went out.
struct audit_record {
  int64_t time_ms = 0;
  std::string actor;   // the authenticated user
  std::string action;  // "POST /api/v1/users/{name}/credit"
  std::string target;  // the {name} or {id} of the path; "" when none
  int status = 0;      // the HTTP status answered
  std::string peer;    // the client's address

  bool operator==(const audit_record&) const = default;

  MSGPACK_DEFINE_MAP(time_ms, actor, action, target, status, peer)
};

/// Encodes a record as a msgpack map.
template <class T>
std::string encode_record(const T& record) {
  msgpack::sbuffer buf;
  msgpack::pack(buf, record);
  return std::string(buf.data(), buf.size());
}

/// Decodes a msgpack map into `out`; errc::corruption when it does not decode.
template <class T>
status decode_record(std::string_view bytes, T& out) {
  try {
    msgpack::object_handle oh = msgpack::unpack(bytes.data(), bytes.size());
    oh.get().convert(out);
    return {};
  } catch (const std::exception& e) {
    return {errc::corruption, std::string("record does not decode: ") + e.what()};
  }
}

}  // namespace quire

MSGPACK_ADD_ENUM(quire::job_state);
MSGPACK_ADD_ENUM(quire::hold_reason);
MSGPACK_ADD_ENUM(quire::record_origin);
MSGPACK_ADD_ENUM(quire::queue_type);
