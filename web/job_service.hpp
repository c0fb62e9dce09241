// What the admin API needs from the server to show jobs: a narrow,
// asynchronous, read-only interface, so that web/ knows neither CAF nor
// RocksDB (the same contract as user_service.hpp).
//
// The server implements it over committed records in the store
// (actors/job_service_adapter.hpp); the tests use an in-memory fake
// (tests/web/fake_job_service.hpp). Every call returns at once and answers
// exactly once through its callback, from any thread, possibly before the
// call returns. The API has validated what it passes (api_request.hpp,
// parse_job_query) and the caller is an authenticated administrator.
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

using job_callback = std::function<void(result<job_view>)>;
using job_page_callback = std::function<void(result<job_page>)>;

class job_service {
 public:
  virtual ~job_service() = default;

  /// The job `id` (1 or more). not_found when there is no such job.
  virtual void get_job(const principal& by, uint64_t id, job_callback cb) = 0;
  /// At most query.limit jobs matching `query`, starting after query.after.
  virtual void list_jobs(const principal& by, job_list_query query, job_page_callback cb) = 0;
};

}  // namespace quire::web
