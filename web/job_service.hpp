// What the REST API needs from the server to show jobs and act on them: a
// narrow, asynchronous interface, so that web/ knows neither CAF nor
// RocksDB (the same contract as user_service.hpp).
//
// The server implements it over committed records in the store for reading
// and the jobs' actors for acting (actors/job_service_adapter.hpp); the
// tests use an in-memory fake (tests/web/fake_job_service.hpp). Every call
// returns at once and answers exactly once through its callback, from any
// thread, possibly before the call returns. The API has validated what it
// passes (api_request.hpp, parse_job_query) and authenticated the caller.
//
// Who sees what: an administrator sees every job; a user sees their own
// (may_see_job). A job the caller may not see answers not_found exactly as
// a missing one does (no_such_job), so that ids never tell whether another
// user's job exists. list_jobs trusts its query: the API has narrowed a
// user's listing to their own jobs (restrict_job_query).
//
// Records come back with pin_hash cleared; the JSON rendering
// (api_json.hpp, job_json) never shows it, nor origin_host or pin_wrong.
// Errors are quire::error values mapped to HTTP as for users
// (admin_api.hpp, http_status_for): not_found 404, unavailable 503, ...
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "protocols/result.hpp"
#include "storage/records.hpp"
#include "web/user_service.hpp"

namespace quire::web {

/// How amounts are shown: the site's currency (config [accounting]).
struct money_format {
  std::string currency = "EUR";  // ISO 4217 code
  uint32_t minor_digits = 2;     // 0..4: digits of the minor unit
};

/// Which jobs a listing returns, in the store's order (storage/store.hpp,
/// job_set): active (not yet terminal) oldest first, completed (terminal)
/// newest first, all oldest first. Ids grow with submission time.
enum class job_filter : uint8_t { active, completed, all };

/// "active", "completed", "all".
const char* to_string(job_filter f) noexcept;

/// GET /api/v1/jobs: which jobs, and which page of them.
struct job_list_query {
  std::string owner;  // "" = every owner (a valid user name otherwise)
  std::string queue;  // "" = every queue
  job_filter which = job_filter::active;
  uint64_t after = 0;  // 0: the first page; else the jobs after this id in the listing's order
  uint32_t limit = 100;  // 1 or more
};

/// One job as the API shows it.
struct job_view {
  job_record record;  // pin_hash is always empty: the service clears it
  money_format money;
};

/// One page of a listing.
struct job_page {
  std::vector<job_record> jobs;  // in the listing's order; pin_hash cleared
  bool more = false;             // jobs follow the last one of this page
  money_format money;
};

/// The page of `q` within `listing` (every id the listing holds, in the
/// order of q.which): the ids after q.after in that order (all of them when
/// it is 0), at most q.limit; `more` when ids remain past the page. Pure: for
/// implementations of list_jobs.
struct page_slice {
  std::vector<uint64_t> ids;
  bool more = false;
};
page_slice select_page(const std::vector<uint64_t>& listing, const job_list_query& q);

/// True when `by` may see (and cancel) `job`: an administrator, or its owner.
bool may_see_job(const principal& by, const job_record& job) noexcept;
/// The one answer for a missing job and for another user's job:
/// not_found, "there is no job <id>".
error no_such_job(uint64_t id);
/// Narrows a listing to what `by` may see: an administrator's query is left
/// as it is; a user's gets owner = themself, and permission_denied when it
/// names another owner.
status restrict_job_query(const principal& by, job_list_query& q);

/// POST /api/v1/jobs/{id}/release: where, and who pays (both optional).
struct job_release {
  std::string printer;  // "" = the queue's first printer
  std::string project;  // "" = the owner pays
  bool reprint = false;  // POST /api/v1/jobs/{id}/reprint: a printed job prints again (jobs.reprint_s)
};

/// A queue users can print to (GET /api/v1/queues). Never a device URI.
struct queue_info {
  std::string name;
  std::string type;         // "pull", "direct", "group"
  std::string description;  // the queue's info ("" if none)
  std::vector<std::string> printers;  // where its jobs print or are released
};

using job_callback = std::function<void(result<job_view>)>;
using job_page_callback = std::function<void(result<job_page>)>;
using queue_list_callback = std::function<void(result<std::vector<queue_info>>)>;

class job_service {
 public:
  virtual ~job_service() = default;

  /// The job `id` (1 or more). not_found (no_such_job) when there is no
  /// such job or `by` may not see it.
  virtual void get_job(const principal& by, uint64_t id, job_callback cb) = 0;
  /// At most query.limit jobs matching `query`, starting after query.after.
  virtual void list_jobs(const principal& by, job_list_query query, job_page_callback cb) = 0;
  /// Cancels job `id` through its actor: the job as it is then. not_found
  /// as get_job; not_possible when it has ended or is printing.
  virtual void cancel_job(const principal& by, uint64_t id, job_callback cb) = 0;
  /// Releases held job `id` through the release service (the checks of
  /// every door: owner, administrator or delegate; the queue's printers;
  /// PIN; credit): the job as it is then, queued. not_found as get_job (a
  /// delegate may release a job they cannot otherwise see); not_possible
  /// when it is not held; permission_denied, not_found, limit_exceeded...
  /// with the service's message for its other refusals.
  virtual void release_job(const principal& by, uint64_t id, job_release req, job_callback cb) = 0;
  /// The queues of the site, sorted by name.
  virtual void list_queues(const principal& by, queue_list_callback cb) = 0;
};

}  // namespace quire::web
