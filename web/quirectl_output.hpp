// quirectl's side of a response, as pure functions: the HTTP response bytes
// into status and body, and the JSON bodies into what a person reads.
//
// Everything printed from the server passes through printable(): a server
// (or a man in the middle of an --insecure connection) cannot drive the
// terminal with escape sequences.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/result.hpp"
#include "web/quirectl_cli.hpp"

namespace quire::quirectl {

struct http_reply {
  int status = 0;
  std::string content_type;
  std::string body;
};

/// Parses a response from the bytes read so far. nullopt: it is not
/// complete yet (read more; `eof` says no more will come). A body is framed
/// by Content-Length, chunked encoding, or the end of the connection.
/// invalid_argument when the bytes are not an HTTP/1.x response, or the
/// connection ended early.
result<std::optional<http_reply>> parse_http_response(std::string_view raw, bool eof);

/// `text` with control characters (C0, DEL, C1) and invalid UTF-8 replaced by '?'.
std::string printable(std::string_view text);

/// What to print on stderr for a refusal: the server's JSON "message" and
/// HTTP status ("quirectl: no such user (HTTP 404 not_found)").
std::string describe_refusal(const http_reply& reply);

/// The `next` of a user or job listing's page, if any (a job id as text).
std::optional<std::string> next_page(std::string_view list_body);

/// The `key` items of every page as one JSON listing ({"users": [...],
/// "next": null}).
std::string merge_pages(const std::vector<std::string>& pages, const char* key = "users");

/// A table of the users of every page: NAME, DISPLAY NAME, ADMIN, DISABLED,
/// PASSWORD, CARDS, PIN, GROUPS.
std::string user_table(const std::vector<std::string>& pages);

/// One user, one "field: value" line each.
std::string user_details(std::string_view user_body);

/// A table of the jobs of every page: ID, OWNER, QUEUE, STATE, PAGES, PRICE,
/// CREATED, NAME.
std::string job_table(const std::vector<std::string>& pages);

/// One job, one "field: value" line each.
std::string job_details(std::string_view job_body);

/// "alice (administrator)"
std::string whoami_line(std::string_view body);

/// The line a successful command without output prints: "password set for bob".
std::string done_line(const invocation& inv);
/// "a new PIN for NAME was e-mailed to ADDRESS": POST .../pin/generate's answer.
std::string pin_mailed_line(const invocation& inv, std::string_view body);

// ---- Printers (quirectl_output_printers.cpp) ----

/// A table of printers: NAME, STATE, REASONS, ONLINE ("-" when the device
/// is not monitored), PAGES (the device's page count, "-" when it has none)
/// and LOWEST SUPPLY (the consumed supply with the lowest level).
std::string printer_table(std::string_view printers_body);

/// One printer: "field: value" lines (its settings too, when the answer
/// has them), then its supplies and its device's alerts one per line.
std::string printer_details(std::string_view printer_body);

/// A table of page counter snapshots: TIME, PAGES, SERIAL, DELIVERED.
std::string counters_table(std::string_view counters_body);

// ---- Printers and queues changed at run time (quirectl_output_fleet.cpp) ----

/// One printer record (printers add/set): name, location, info, device
/// uri (as the server shows it: without credentials), language, model,
/// price list, origin.
std::string printer_record_details(std::string_view printer_body);
/// The queues users print to (GET /api/v1/queues): NAME, TYPE, PRINTERS,
/// DESCRIPTION.
std::string queue_table(std::string_view queues_body);
/// One queue record (queues show/add/set), one "field: value" line each.
std::string queue_details(std::string_view queue_body);

// ---- Price lists, projects and quotas (quirectl_output_prices.cpp) ----

/// The price lists (GET /api/v1/prices): NAME, PER, MONO, COLOUR, DUPLEX
/// (mono/colour; "-" for "as the one-sided rate"), SIZES (how many media
/// sizes have rates of their own), MONO ONLY, ORIGIN. Rates in minor units.
std::string price_table(std::string_view prices_body);
/// One price list (prices show/add/set), one "field: value" line each,
/// then its size entries one per line.
std::string price_details(std::string_view price_body);
/// The projects (GET /api/v1/projects): NAME, DESCRIPTION and, when the
/// answer has them (an administrator's), GROUPS ("everyone" for none) and
/// ORIGIN.
std::string project_table(std::string_view projects_body);
/// One project (projects show/add/set), one "field: value" line each.
std::string project_details(std::string_view project_body);
/// The quotas (GET /api/v1/quotas): NAME, SHEETS, PERIOD, GROUPS ("*" is
/// every user), USERS ("-" for none), ORIGIN.
std::string quota_table(std::string_view quotas_body);
/// One quota (quotas show/add/set), one "field: value" line each.
std::string quota_details(std::string_view quota_body);

// ---- The directory sync (quirectl_output_directory.cpp) ----

/// directory status: where the directory is, whether a sync runs (and how
/// many entries it read), the last sync's report (sync_report_lines), the
/// last full sync's time, the next sync's, one "field: value" line each.
std::string directory_details(std::string_view directory_body);
/// The "last" report of a GET /api/v1/directory answer as directory status
/// prints it: its kind and times, its counts, its error, and its problems
/// (at most 20 lines, then "... N more"); "last sync: none yet" without one.
std::string sync_report_lines(std::string_view directory_body);
/// The "last" report's error ("" when it applied, or there is none).
std::string sync_error(std::string_view directory_body);
/// directory sync without --wait: "full directory sync started", or
/// "a directory sync is running already; ...".
std::string sync_started_line(const invocation& inv, std::string_view started_body);
/// The "started" of POST /api/v1/directory/sync's answer; nullopt when it
/// has none.
std::optional<bool> sync_started(std::string_view started_body);

/// What directory status and directory sync print for the answer `body`
/// (GET /api/v1/directory's; the POST's for sync without --wait, the last
/// GET's with it): `out` for stdout (the JSON itself with --json), `err`
/// for stderr ("the directory sync failed: ..." when the sync waited for
/// failed). The exit status: exit_refused for that failure, else exit_ok.
int directory_output(const invocation& inv, std::string_view body, std::string& out, std::string& err);

/// Where directory sync --wait stands after one GET /api/v1/directory.
enum class sync_wait {
  pending,     // a sync runs, or the last report started before the one waited for
  done,        // nothing runs, and the last report started at or after it
  unreadable,  // the answer is no directory status
};
/// sync_wait for `directory_body`, waiting for a report whose "started_ms"
/// is at least `since_ms`.
sync_wait sync_wait_state(std::string_view directory_body, int64_t since_ms);

// ---- Accounting ----

/// The "minor_digits" of an account's JSON (0..4), if it has them.
std::optional<uint32_t> minor_digits_of(std::string_view account_body);

/// One account, one "field: value" line each: balance, reserved,
/// available, unlimited, quota.
std::string account_details(std::string_view account_body);

/// A table of ledger entries: TIME, KIND, AMOUNT, BALANCE, JOB, SHEETS,
/// PRINTER, BY, NOTE.
std::string ledger_table(std::string_view ledger_body);

/// "delegates of alice: bob, carol" or "alice has no delegates".
std::string delegates_line(const invocation& inv, std::string_view delegates_body);

/// A table of terminals: NAME, PRINTER, CREATED BY, CREATED.
std::string terminal_table(std::string_view terminals_body);

/// A registered terminal and its token, with a line saying the token is
/// shown only this once.
std::string terminal_added(std::string_view terminal_body);

}  // namespace quire::quirectl
