// Typed IPP operations: what a validated request asks for, as plain values.
//
// Each parse_* function reads one operation's attributes (RFC 8011 §4.2-4.3)
// from a request that passed validate_request(), and returns either a typed
// value or the IPP status to answer with. Operation attributes of the wrong
// syntax are a bad request; job template attributes that Quire does not
// support (or values it does not) are listed in `unsupported` so the
// response can return them in the unsupported-attributes group with
// successful-ok-ignored-or-substituted-attributes — or reject the job when
// the client asked for ipp-attribute-fidelity.
//
// Nothing here knows which queues exist or who may do what.
#pragma once

#include <cups/ipp.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/ipp/codec.hpp"
#include "protocols/ipp/job_template.hpp"

namespace quire::ipp {

/// The resource of a printer or job URI: "/ipp/print/<queue>" or
/// "/ipp/print/<queue>/<job-id>".
struct resource {
  std::string queue;
  uint64_t job_id = 0;  // 0: a printer URI
};
/// Parses the path part of a URI or HTTP target. False when it is not one of
/// Quire's printer or job resources.
bool parse_resource(std::string_view path, resource& out);
/// The path of an ipp:// or ipps:// URI ("ipp://h:631/ipp/print/q" -> "/ipp/print/q").
bool uri_path(std::string_view uri, std::string& path);

/// The request's operation, or IPP_OP_CUPS_INVALID for an operation-id that
/// no ipp_op_t can hold. The id is 16 bits on the wire and libcups keeps it
/// as sent; an ipp_op_t holding 0x8000 or more may not even be read as one
/// (UBSan: "not a valid value for type ipp_op_t"), so every caller reads
/// the operation through this, never through ippGetOperation().
ipp_op_t operation_of(ipp_t* req);

/// What every operation carries besides its own attributes.
struct operation_common {
  ipp_op_t op = IPP_OP_CUPS_INVALID;
  resource target;             // from printer-uri (+ job-id) or job-uri
  std::string requesting_user; // requesting-user-name, "" when absent
};

/// Reads the target and requesting-user-name. `needs_job`: the operation acts
/// on a job (job-uri, or printer-uri plus job-id, RFC 8011 §4.1.5).
check parse_common(ipp_t* req, bool needs_job, operation_common& out);

/// Print-Job, Create-Job and Validate-Job.
struct job_creation {
  std::string job_name;
  std::string document_name;
  std::string document_format;  // "application/octet-stream" when absent
  bool format_given = false;
  std::string hold_until = "no-hold";  // "no-hold" or "indefinite"
  job_ticket ticket;                   // the job template attributes (job_template.hpp)
  bool fidelity = false;               // ipp-attribute-fidelity
  std::vector<std::string> unsupported;  // attribute names ignored or substituted
};
/// Reads the operation attributes and the job template (parse_job_template).
/// With ipp-attribute-fidelity, an unsupported attribute rejects the job
/// (client-error-attributes-or-values-not-supported).
check parse_job_creation(ipp_t* req, job_creation& out);

enum class which_jobs : uint8_t { not_completed, completed, all };

/// Get-Jobs.
struct job_list_request {
  which_jobs which = which_jobs::not_completed;
  bool my_jobs = false;
  uint32_t limit = 0;        // 0: no limit
  uint32_t first_index = 1;  // 1-based
  std::vector<std::string> requested;  // requested-attributes; empty = default set
};
check parse_get_jobs(ipp_t* req, job_list_request& out);

/// Send-Document (RFC 8011 §4.3.1) and Close-Job (PWG 5100.7): the
/// document's description and whether it is the job's last.
struct send_document {
  bool last = false;            // last-document (REQUIRED for Send-Document)
  std::string document_name;
  std::string document_format;  // "application/octet-stream" when absent
  bool format_given = false;
};
check parse_send_document(ipp_t* req, send_document& out);

/// job-ids of Cancel-My-Jobs / Cancel-Jobs (PWG 5100.11 §4.1), empty when
/// absent: every job the requester may cancel.
check parse_job_ids(ipp_t* req, std::vector<uint64_t>& out);

/// requested-attributes of any operation (keywords); empty when absent.
check parse_requested(ipp_t* req, std::vector<std::string>& out);

/// Hold-Job's optional job-hold-until ("indefinite" when absent).
check parse_hold_until(ipp_t* req, std::string& out, std::vector<std::string>& unsupported);

/// Copies the named attributes of `req` into the unsupported-attributes
/// group of `resp` (RFC 8011 §4.1.7).
void copy_unsupported(ipp_t* req, ipp_t* resp, const std::vector<std::string>& names);

/// True for text that may become a job or user name: valid UTF-8 without
/// control characters, at most `max` bytes.
bool is_clean_name(std::string_view s, size_t max = 255);

}  // namespace quire::ipp
