#include "web/job_service.hpp"

#include <algorithm>

namespace quire::web {

const char* to_string(job_filter f) noexcept {
  switch (f) {
    case job_filter::active: return "active";
    case job_filter::completed: return "completed";
    case job_filter::all: return "all";
  }
  return "?";
}

bool may_see_job(const principal& by, const job_record& job) noexcept {
  return by.admin || (!by.name.empty() && by.name == job.owner);
}

error no_such_job(uint64_t id) { return error(errc::not_found, "there is no job " + std::to_string(id)); }

status restrict_job_query(const principal& by, job_list_query& q) {
  if (by.admin) return {};
  if (q.owner.empty()) q.owner = by.name;
  if (q.owner != by.name)
    return error(errc::permission_denied, "only an administrator may list another user's jobs");
  return {};
}

page_slice select_page(const std::vector<uint64_t>& listing, const job_list_query& q) {
  // Completed jobs are listed newest first: "after" an id is then below it.
  bool descending = q.which == job_filter::completed;
  auto from = listing.begin();
  if (q.after != 0)
    from = std::find_if(listing.begin(), listing.end(),
                        [&](uint64_t id) { return descending ? id < q.after : id > q.after; });
  page_slice out;
  size_t left = static_cast<size_t>(listing.end() - from);
  size_t take = std::min<size_t>(left, q.limit);
  out.ids.assign(from, from + static_cast<std::ptrdiff_t>(take));
  out.more = left > take;
  return out;
}

}  // namespace quire::web
