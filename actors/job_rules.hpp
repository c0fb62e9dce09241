// The job state machine as pure functions: a committed job record and an
// input in, the next record (or the reason for refusing) out.
//
// The job actor calls these and commits what they return; they never touch
// CAF, storage or a clock, so every transition is tested directly
// (tests/actors/job_rules_test.cpp). States and their meaning are those of
// ARCHITECTURE.md: held -> queued -> delivering -> done | failed, with
// canceled and expired as the other ends.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "actors/account_rules.hpp"
#include "actors/messages.hpp"
#include "protocols/jobproc/wire.hpp"
#include "protocols/pdl/price.hpp"
#include "protocols/result.hpp"
#include "storage/records.hpp"

namespace quire {

/// What the rules need to know besides the job.
struct job_context {
  int64_t now_ms = 0;
  int64_t held_expiry_ms = 0;                  // how long a held job waits
  int64_t receiving_timeout_ms = 300000;       // how long a Create-Job job waits for each document
  int64_t history_ms = 0;                      // how long a finished job is kept (0: forever)
  int64_t reprint_ms = 0;                      // how long a printed job's document is kept (0: not)
  std::vector<std::string> release_printers;   // where the job's queue may send it
  bool failover = false;                       // the queue moves jobs off unreachable printers
  uint32_t pin_limit = 5;                      // wrong PINs that lock a job-password job
  // Whether `typed` is the PIN of `job` (job.pin_hash); null: no PIN matches.
  std::function<bool(const job_record& job, const std::string& typed)> pin_matches;
  // The price list of each printer that charges (a printer not in the map
  // prints free); null: nothing is priced (job.price stays unknown).
  const std::map<std::string, pdl::price_list>* prices = nullptr;
};

/// The next version of a job and what committing it implies.
struct transition {
  job_record next;
  bool drop_document = false;  // the job no longer needs its document
  error refusal;               // set: commit `next`, then refuse the command with this
};

/// Release of a job-password job (PWG 5100.11) needs its PIN: without one it
/// is refused (permission_denied); a wrong one is counted in the record
/// (a transition with a refusal: the count is committed before the answer)
/// and the pin_limit-th locks the job (not_possible, even with the right
/// PIN); the right one releases it and clears the count.
///
/// Applies a job command (cancel, hold, release, expire — a held job ends
/// expired, a Create-Job job still waiting for its document fails; forget is
/// may_forget's, since it erases rather than changes the job). Errors:
/// permission_denied (not the owner), not_possible (wrong state), not_found
/// (release to a printer the queue does not name).
result<transition> apply_command(const job_record& job, const job_command& cmd, const job_context& ctx);

/// Send-Document / Close-Job on a job made by Create-Job (receiving): takes
/// the document's description, and on the last one moves the job on — held
/// when its queue or client holds it, queued otherwise; failed when the job
/// ends without any document. Errors: permission_denied (not the owner),
/// not_possible (not receiving), unsupported (a second document).
result<transition> add_document(const job_record& job, const job_document& doc, const job_context& ctx);

/// The events a committed change announces: job.received for a new job,
/// then the event of the state it reached (job.held, job.released, ...),
/// nothing when the state did not change. `before` is null for a new job.
std::vector<event_type> events_of(const job_record* before, const job_record& after);

/// Whether a finished job may be forgotten (its record erased): it ended
/// history_ms or more ago. not_possible otherwise.
status may_forget(const job_record& job, const job_context& ctx);

/// A printer wants to deliver the job: queued -> delivering; otherwise
/// not_possible (the job was canceled or held meanwhile).
result<transition> start_delivery(const job_record& job, const job_context& ctx);

/// The printer reports how delivery went: delivering -> done (the state
/// message says how the device confirmed it) | failed (it says why).
result<transition> finish_delivery(const job_record& job, const delivery_outcome& outcome,
                                   const job_context& ctx);

/// A job processor's reply for the job's document. Success stores the
/// analysis, the units its ticket gives (the pages of page-ranges, copies,
/// number-up, sides, monochrome printing; protocols/pdl/units.hpp) and the
/// price (reprice). A document that is broken or hostile
/// (corruption, timeout, limit_exceeded: it crashed, hung or bloated its
/// processor) fails a job that has not started printing, with the reason;
/// a format that cannot be analysed (unsupported) or a failure of the
/// processors themselves only records the reason: the job may still print.
/// Errors: not_possible when the job is finished.
result<transition> apply_analysis(const job_record& job, const jobproc::analyse_reply& reply,
                                  const job_context& ctx);

/// The job's price (job_record::price) from its analysis, ticket and
/// printers: final for job.printer when it is set, else an estimate over
/// ctx.release_printers; unknown without an analysis or ctx.prices. Every
/// transition that changes the analysis or the printer calls it.
void reprice(job_record& job, const job_context& ctx);

/// The PWG media name of a page size in points ("iso_a4_210x297mm"), in
/// either orientation, or "WxHpt" for a size without a common name.
std::string media_name_of(double width_pt, double height_pt);

/// The size in points (width, height) of a PWG media name
/// ("iso_a4_210x297mm", "na_letter_8.5x11in") or of media_name_of's "WxHpt";
/// {0, 0} when the name says no size.
std::pair<double, double> media_size_of(const std::string& name);

/// How a job's document must be converted for a printer that takes
/// `language` (a MIME type): a convert_request without its paths, job id and
/// timeout (the job fills those), and the name of the cache file that holds
/// the result, one per language and options ("pclxl-m-d-595x842-300").
/// The source is the document delivery starts from: for PostScript
/// normalised at analysis, that PDF (normalised_name in the same folder).
/// Not needed when the printer takes the document as it is (the same format
/// and nothing to change), or when the processors do not write that
/// language (the document is then sent as it is). Monochrome when the user
/// chose it or the printer's price list is mono-only (`mono_only`), unless
/// the analysis found no colour page; pages are fitted onto the job's media
/// when the analysis found other sizes and the language is made for one
/// paper (PCL XL, PWG raster, URF; a PDF or PostScript printer scales pages
/// itself, by the job's print-scaling).
inline constexpr const char* normalised_name = "normalised.pdf";

/// PWG raster and URF: languages rendered at a resolution (slow, large).
bool is_raster_language(const std::string& language);

/// A printer's language "auto": an IPP device is asked (document-format-
/// supported) and language_from_formats picks from its answer.
inline constexpr const char* auto_language = "auto";

/// The language to send to a device that takes `formats`: PDF, else
/// PostScript, PWG raster, URF, PCL XL (what the job processors write, in
/// that order of preference: vector before raster, no PCL XL when anything
/// else will do); "application/octet-stream" (as the job came) when it
/// takes none of them, or said nothing.
std::string language_from_formats(const std::vector<std::string>& formats);

struct conversion {
  bool needed = false;
  jobproc::convert_request req;
  std::string variant;
};
conversion conversion_for(const job_record& job, const std::string& language, bool mono_only);

/// A delivery that failed with the device unreachable (it took nothing of
/// the job), on a queue with failover: the job goes back to queued at the
/// queue's next printer (in the queue's order, wrapping), repriced there;
/// its state message says why. not_possible when the queue does not fail
/// over, the device took part of the job, the queue has no other printer,
/// or the job has already been tried on as many printers as the queue has
/// (attempts): then it fails as finish_delivery says.
result<transition> fail_over(const job_record& job, const delivery_outcome& outcome, const job_context& ctx);

/// What a released job holds back on its payer's account: its price at the
/// printer (the estimate's high end while not analysed), sheets for the
/// quota, and who released it where.
reservation reservation_of(const job_record& job);
/// What a printed job is charged: its final price (0 when it has none), its
/// units, who printed it for whom, keyed by (job, release_no).
settle_request settle_of(const job_record& job);

/// After a restart: a job caught delivering goes back to queued (it will be
/// sent again); queued stays queued. Other states are not resumed.
result<transition> resume_after_restart(const job_record& job, const job_context& ctx);

}  // namespace quire
