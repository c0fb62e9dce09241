// An in-memory directory_service for the admin API's tests and fuzz target.
//
// It keeps the rule the real one promises (directory_service.hpp): a sync
// asked for while one runs does not start another (start_sync answers
// false; a full one asked for is remembered in `full_queued`, as the real
// one runs it after). `view` is what directory_status answers, as a test
// sets it; start_sync marks it running. Every call is recorded in `calls`
// ("directory_status", "start_sync full", "start_sync incremental").
//
// Answers, deferred answers and fail_next as fake_answers.hpp says: every
// call consults fail_next.
#pragma once

#include <string>
#include <vector>

#include "fake_answers.hpp"
#include "web/directory_service.hpp"

namespace quire::testing {

class fake_directory_service final : public web::directory_service, public fake_answers {
 public:
  web::directory_view view;
  std::vector<std::string> calls;
  bool full_queued = false;
  int64_t now_ms = 1'700'000'000'000;  // when a sync the fake starts starts

  fake_directory_service() {
    view.url = "ldaps://ldap.example.edu";
    view.base_dn = "dc=example,dc=edu";
  }

  /// A finished sync's report, as the real one keeps it.
  static web::directory_report_view report(bool full, int64_t started_ms, std::string error = {}) {
    web::directory_report_view r;
    r.full = full;
    r.started_ms = started_ms;
    r.finished_ms = started_ms + 4000;
    r.error = std::move(error);
    r.users_read = 120;
    r.groups_read = 8;
    r.created = 3;
    r.updated = 5;
    r.unchanged = 112;
    r.gone = 1;
    r.returned = 0;
    r.cards_added = 2;
    r.cards_removed = 1;
    return r;
  }

  void directory_status(web::directory_view_callback cb) override {
    calls.push_back("directory_status");
    answer([this, cb = std::move(cb)] {
      if (auto e = take_failure()) return cb(*e);
      cb(view);
    });
  }

  void start_sync(bool full, web::sync_started_callback cb) override {
    calls.push_back(full ? "start_sync full" : "start_sync incremental");
    answer([this, full, cb = std::move(cb)] {
      if (auto e = take_failure()) return cb(*e);
      if (view.running) {
        full_queued = full_queued || full;
        return cb(false);
      }
      view.running = true;
      view.running_full = full;
      view.entries_read = 0;
      view.started_ms = now_ms;
      cb(true);
    });
  }
};

}  // namespace quire::testing
