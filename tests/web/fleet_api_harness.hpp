// What the fleet endpoint tests share (admin_api_fleet_test.cpp,
// admin_api_prices_test.cpp, admin_api_quotas_test.cpp, and
// admin_api_directory_test.cpp): route_admin_api() over fake services, with
// a fleet_service (or none: with_fleet), a printer_service, a
// directory_service when one is set, and an audit log that keeps what it
// is given. A test's
// own harness derives from it and fills the fakes.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "api_test_util.hpp"
#include "fake_fleet_service.hpp"
#include "fake_printer_service.hpp"

namespace quire::testing {

// An audit_service that keeps what it is given.
struct kept_audit final : web::audit_service {
  std::vector<audit_record> entries;
  void record(audit_record e) override { entries.push_back(std::move(e)); }
  void list(const web::principal&, web::audit_query, web::audit_callback cb) override { cb(entries); }
};

struct fleet_api_harness {
  fake_user_service users;
  fake_job_service jobs;
  fake_printer_service printers;
  fake_fleet_service fleet;
  kept_audit audit;
  web::api_options options;
  bool with_fleet = true;
  web::directory_service* directory = nullptr;  // the directory sync's (admin_api_directory_test.cpp)

  /// Sends a request as `as` ("" for no Authorization header); the handler
  /// is destroyed right after on_end() (as the server may).
  std::shared_ptr<api_reply> start(const std::string& method, const std::string& target,
                                   const std::string& body = "", const std::string& as = "root") {
    auto box = std::make_shared<api_reply>();
    std::vector<http::header> headers;
    if (!as.empty()) headers.push_back({"Authorization", basic(as, users.accounts.at(as).password)});
    http::request_head head = make_head(method, target, body, std::nullopt, false, std::move(headers));
    io::request_info info{head, "192.0.2.7", "127.0.0.1:8631", true};
    drive(web::route_admin_api(info, capture(box), users, jobs, options, nullptr, &printers, nullptr, nullptr,
                               nullptr, &audit, with_fleet ? &fleet : nullptr, directory),
          *box, body);
    return box;
  }

  api_reply send(const std::string& method, const std::string& target, const std::string& body = "",
                 const std::string& as = "root") {
    return *start(method, target, body, as);
  }
};

}  // namespace quire::testing
