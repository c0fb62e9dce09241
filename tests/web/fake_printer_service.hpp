// An in-memory printer_service for the admin API's tests.
//
// It keeps the rules the real one promises (printer_service.hpp): the
// printers sorted by name, not_found for a printer it does not have, the
// counters with from_ms <= time < to_ms, oldest first, at most `limit`.
// Every call is recorded in `calls` ("get lab-1"; "counters lab-1 0 99 10"),
// so that a test can tell the service was never asked.
//
// Answers, deferred answers and fail_next as fake_answers.hpp says: every
// call consults fail_next.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "fake_answers.hpp"
#include "web/printer_service.hpp"

namespace quire::testing {

class fake_printer_service final : public web::printer_service, public fake_answers {
 public:
  std::map<std::string, web::printer_view> printers;                      // by name
  std::map<std::string, std::vector<device_counter_record>> snapshots;    // oldest first
  std::vector<std::string> calls;

  /// A printer, idle and not monitored (a test's starting state).
  web::printer_view& add(const std::string& name) {
    web::printer_view p;
    p.name = name;
    return printers[name] = std::move(p);
  }

  void list(web::printer_list_callback cb) override {
    calls.push_back("list");
    answer([this, cb = std::move(cb)] {
      if (auto e = take_failure()) return cb(*e);
      std::vector<web::printer_view> out;
      for (const auto& [name, p] : printers) out.push_back(p);
      cb(std::move(out));
    });
  }

  void get(std::string name, web::printer_callback cb) override {
    calls.push_back("get " + name);
    answer([this, name, cb = std::move(cb)] {
      if (auto e = take_failure()) return cb(*e);
      auto it = printers.find(name);
      if (it == printers.end()) return cb(no_printer(name));
      cb(it->second);
    });
  }

  void counters(std::string name, int64_t from_ms, int64_t to_ms, uint32_t limit,
                web::counters_callback cb) override {
    calls.push_back("counters " + name + " " + std::to_string(from_ms) + " " + std::to_string(to_ms) + " " +
                    std::to_string(limit));
    answer([this, name, from_ms, to_ms, limit, cb = std::move(cb)] {
      if (auto e = take_failure()) return cb(*e);
      if (!printers.count(name)) return cb(no_printer(name));
      std::vector<device_counter_record> out;
      for (const auto& c : snapshots[name])
        if (c.time_ms >= from_ms && c.time_ms < to_ms && out.size() < limit) out.push_back(c);
      cb(std::move(out));
    });
  }

 private:
  static error no_printer(const std::string& name) { return error(errc::not_found, "there is no printer " + name); }
};

}  // namespace quire::testing
