// The directory facet of the admin API (admin_api.hpp): the directory
// sync's state and last reports, and a sync started now, through
// directory_service. The bodies are directory_json.hpp's.
#include "web/admin_api_detail.hpp"
#include "web/directory_json.hpp"

namespace quire::web::admin_detail {

namespace {

void directory_status(const call_ptr& c) {
  c->directory->directory_status([c](result<directory_view> r) {
    guarded(c, [&] { c->reply(r.ok() ? json_response(200, directory_json(*r)) : service_error(r.err())); });
  });
}

// 202: the sync runs on after the answer; its report shows in GET
// /api/v1/directory once it is done.
void start_sync(const call_ptr& c) {
  auto req = parse_sync_request(c->body);
  if (!req.ok()) return c->reply(invalid(req.err()));
  // The audit entry names the kind of sync (the path has no name).
  if (c->audit_target) *c->audit_target = req->full ? "full" : "incremental";
  c->directory->start_sync(req->full, [c](result<bool> r) {
    guarded(c, [&] { c->reply(r.ok() ? json_response(202, sync_started_json(*r)) : service_error(r.err())); });
  });
}

}  // namespace

void dispatch_directory(const call_ptr& c) {
  switch (c->what) {
    case endpoint::get_directory: return directory_status(c);
    case endpoint::sync_directory: return start_sync(c);
    default: return;
  }
}

}  // namespace quire::web::admin_detail
