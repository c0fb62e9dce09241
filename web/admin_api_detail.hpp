// What the facets of the admin API's dispatch share (internal to web/):
// admin_api.cpp (routing, authentication, users, jobs, accounting, tokens,
// reports), admin_api_fleet.cpp (printers, queues, price lists, projects
// and quotas changed at run time) and admin_api_directory.cpp (the
// directory sync). api_call is one request's
// state once its head has passed: the handler and the services' callbacks
// share it (api_common.hpp explains the lifetimes).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "storage/credentials.hpp"
#include "web/admin_api.hpp"

namespace quire::web::admin_detail {

struct api_call : api_exchange {
  endpoint what = endpoint::whoami;
  std::string user;   // the {name} of the path
  uint64_t job = 0;   // the {id} of the path
  std::string query;  // after the '?', raw
  std::string authority;  // the Host the client reached us by (queue URIs)
  basic_credentials credentials;
  std::string peer;
  user_service* users = nullptr;
  job_service* jobs = nullptr;
  accounting_service* accounting = nullptr;  // may be null: no accounting here
  printer_service* printers = nullptr;       // may be null: printers are not shown
  session_service* sessions = nullptr;       // may be null: no browser sessions
  token_service* tokens = nullptr;           // may be null: no API tokens
  report_service* reports = nullptr;         // may be null: no reports
  audit_service* audit = nullptr;            // may be null: no audit log
  fleet_service* fleet = nullptr;            // may be null: the fleet is the configuration file's
  directory_service* directory = nullptr;    // may be null: no [directory] is configured
  // Who the audit entry names: set once the caller is authenticated (the
  // responder that writes the entry shares it; see route_admin_api).
  std::shared_ptr<std::string> audit_actor;
  // What the audit entry names: the path's {name} or {id}, or, for a
  // create, the name the body gives once it has parsed. Null when the
  // request is not audited.
  std::shared_ptr<std::string> audit_target;
  std::string session_token;                 // the cookie's, when it authenticates (no Authorization)
  std::string api_token;                     // Authorization: Bearer qt_..., when it authenticates
  std::string token_id;                      // revoke_token's {id}
  std::string csrf;                          // X-CSRF-Token as sent
  bool changes_state = false;                // POST, PUT, PATCH, DELETE
  api_options options;
  principal who;

  ~api_call() {
    wipe(session_token);
    wipe(api_token);
  }
};
using call_ptr = std::shared_ptr<api_call>;

/// The fleet endpoints (needs_fleet): c->fleet is not null, the caller an
/// administrator (or, for GET /api/v1/projects, any user: they see the
/// projects they may charge), the body and query checked against the
/// endpoint.
void dispatch_fleet(const call_ptr& c);

/// The directory endpoints (needs_directory): c->directory is not null,
/// the caller an administrator.
void dispatch_directory(const call_ptr& c);

/// GET /api/v1/printers/{name}: the printer's state (printer_service) and,
/// with a fleet service, its record as "settings" (the state alone when the
/// fleet service does not know the printer).
void get_printer(const call_ptr& c);

}  // namespace quire::web::admin_detail
