// Quire's model rendered as IPP attributes (RFC 8011 §5, PWG 5100.x).
//
// Pure functions over plain values: a queue's description and state become
// printer attributes, a job record becomes job attributes, filtered by what
// the client requested. The job-state mapping of ARCHITECTURE.md lives here:
// Quire's stored states are its own, IPP's job-state and job-state-reasons
// are derived from them.
#pragma once

#include <cups/ipp.h>

#include <cstdint>
#include <string>
#include <vector>

#include "actors/messages.hpp"
#include "protocols/ipp/attribute_filter.hpp"
#include "protocols/ipp/job_template.hpp"
#include "storage/records.hpp"

namespace quire {

/// IPP's view of a job's state.
struct ipp_job_state {
  ipp_jstate_t state;
  std::vector<const char*> reasons;
};
ipp_job_state to_ipp_state(const job_record& job);

/// The document formats every queue accepts (document-format-supported).
const std::vector<std::string>& supported_document_formats();

/// Everything Get-Printer-Attributes shows of a queue.
struct queue_view {
  const queue_record* queue = nullptr;
  printer_status status;     // state, message, active jobs (queued-job-count)
  std::string authority;     // "host:port" the client used
  bool secure = false;       // the request came over TLS: ipps:// and https:// first
  bool tls_available = true; // the port also serves TLS: ipps:// is advertised
  std::string server_name;   // printer-make-and-model prefix
  std::string server_uuid;   // "urn:uuid:...", the server's identity
  int64_t now_s = 0;         // wall clock, seconds
  int64_t changed_s = 0;     // printer-state/config-change-time; 0: server_started_s()
};
/// The printer attributes of a queue (RFC 8011 §5.4, PWG 5100.13/5100.14),
/// those `want` names, in the printer group of `resp`
/// (actors/ipp/printer_attributes.cpp).
void add_printer_attributes(ipp_t* resp, const queue_view& view, const ipp::attribute_filter& want);
/// The two halves of add_printer_attributes: what changes with the queue's
/// state and the clock (printer-state..., queued-job-count, the times), and
/// everything else, which depends only on the queue's configuration and the
/// address and scheme the client used (see printer_attributes_cache.hpp).
void add_printer_state(ipp_t* resp, const queue_view& view, const ipp::attribute_filter& want);
void add_printer_description(ipp_t* resp, const queue_view& view, const ipp::attribute_filter& want);

/// When this process started (wall clock, seconds): the queues' state and
/// configuration date from then.
int64_t server_started_s();

/// The path of the queue icon that printer-icons names; the HTTP server
/// serves a PNG there.
inline constexpr const char* queue_icon_path = "/icons/queue.png";

/// A job's ticket into its record's job template fields, and back (the
/// defaults for fields a record does not have).
void store_ticket(const ipp::job_ticket& ticket, job_record& job);
ipp::job_ticket ticket_of(const job_record& job);

/// How a job is shown: to its owner in full, to others without its private
/// values (names of the job, its document, its user and host).
struct job_view {
  std::string authority;
  std::string requester;
  bool admin = false;
  int64_t now_s = 0;
  bool mask_others = true;  // privacy.mask_other_users: others' jobs without private values
};
/// The job processor's counts as PWG 5100.7 job attributes (job-pages,
/// job-impressions, job-media-sheets and their -col forms with full-color
/// and monochrome members); nothing before the analysis is done.
void add_job_counts(ipp_t* resp, const job_record& job, const ipp::attribute_filter& want);

/// Appends a job's attributes in the job group of `resp`.
void add_job_attributes(ipp_t* resp, const job_record& job, const job_view& view,
                        const ipp::attribute_filter& want);

/// The response to a Get-Jobs that asks only for job-id and/or job-uri,
/// encoded directly: one job group per id from `first` on, each with job-id
/// (when `with_id`) and job-uri (`job_uri_prefix` + id, when `with_uri`).
/// Equivalent to building it with add_job_attributes, without an ipp_t of
/// tens of thousands of attributes.
std::string encode_job_id_listing(ipp_t* request, const std::vector<uint64_t>& ids, size_t first,
                                  const std::string& job_uri_prefix, bool with_id, bool with_uri);

/// ipp://<authority>/ipp/print/<queue>[/<id>]; ipps:// with `secure`.
std::string printer_uri(const std::string& authority, const std::string& queue, bool secure = false);
std::string job_uri(const std::string& authority, const std::string& queue, uint64_t id);

/// The printer UUID of a queue: stable per server and queue name.
std::string queue_uuid(const std::string& server_uuid, const std::string& queue);

}  // namespace quire
