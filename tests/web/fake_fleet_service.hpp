// An in-memory fleet_service for the admin API's tests and fuzz target.
//
// It keeps the rules the real one promises (fleet_service.hpp) for the
// plain cases: already_exists for a name taken, not_found for one it does
// not have, not_possible to remove a printer a queue uses or a record the
// configuration file declares (origin config), invalid_argument for a queue
// that names a printer it does not have. Records come back as stored, the
// device URI's credentials included, so that a test can check the API never
// shows them. Every call is recorded in `calls` ("create_printer lab-3";
// "update_queue secure"), the patches in `printer_patches` and
// `queue_patches`, so that a test can tell what the service was asked.
//
// Answers, deferred answers and fail_next as fake_answers.hpp says: every
// call consults fail_next.
#pragma once

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "fake_answers.hpp"
#include "web/fleet_service.hpp"

namespace quire::testing {

class fake_fleet_service final : public web::fleet_service, public fake_answers {
 public:
  std::map<std::string, printer_record> printers;  // by name
  std::map<std::string, queue_record> queues;      // by name
  std::vector<std::string> calls;
  std::vector<web::printer_patch> printer_patches;
  std::vector<web::queue_patch> queue_patches;

  printer_record& add_printer(const std::string& name, const std::string& uri,
                              record_origin origin = record_origin::config) {
    printer_record p;
    p.name = name;
    p.device_uri = uri;
    p.language = "application/pdf";
    p.origin = origin;
    return printers[name] = std::move(p);
  }

  queue_record& add_queue(const std::string& name, queue_type type, std::vector<std::string> on,
                          record_origin origin = record_origin::config) {
    queue_record q;
    q.name = name;
    q.type = type;
    q.printers = std::move(on);
    q.origin = origin;
    return queues[name] = std::move(q);
  }

  void list_queues(web::queue_records_callback cb) override {
    calls.push_back("list_queues");
    answer([this, cb = std::move(cb)] {
      if (auto e = take_failure()) return cb(*e);
      std::vector<queue_record> out;
      for (const auto& [name, q] : queues) out.push_back(q);
      cb(std::move(out));
    });
  }

  void get_queue(std::string name, web::queue_record_callback cb) override {
    calls.push_back("get_queue " + name);
    answer([this, name, cb = std::move(cb)] {
      if (auto e = take_failure()) return cb(*e);
      auto it = queues.find(name);
      if (it == queues.end()) return cb(no_queue(name));
      cb(it->second);
    });
  }

  void get_printer(std::string name, web::printer_record_callback cb) override {
    calls.push_back("get_printer " + name);
    answer([this, name, cb = std::move(cb)] {
      if (auto e = take_failure()) return cb(*e);
      auto it = printers.find(name);
      if (it == printers.end()) return cb(no_printer(name));
      cb(it->second);
    });
  }

  void create_printer(printer_record p, web::printer_record_callback cb) override {
    calls.push_back("create_printer " + p.name);
    answer([this, p = std::move(p), cb = std::move(cb)] {
      if (auto e = take_failure()) return cb(*e);
      if (printers.count(p.name)) return cb(error(errc::already_exists, "there is a printer " + p.name));
      cb(printers[p.name] = p);
    });
  }

  void update_printer(std::string name, web::printer_patch patch, web::printer_record_callback cb) override {
    calls.push_back("update_printer " + name);
    printer_patches.push_back(patch);
    answer([this, name, patch = std::move(patch), cb = std::move(cb)] {
      if (auto e = take_failure()) return cb(*e);
      auto it = printers.find(name);
      if (it == printers.end()) return cb(no_printer(name));
      it->second = web::patched(it->second, patch);
      cb(it->second);
    });
  }

  void remove_printer(std::string name, web::fleet_done_callback cb) override {
    calls.push_back("remove_printer " + name);
    answer([this, name, cb = std::move(cb)] {
      if (auto e = take_failure()) return cb(*e);
      auto it = printers.find(name);
      if (it == printers.end()) return cb(no_printer(name));
      if (it->second.origin == record_origin::config)
        return cb(error(errc::not_possible, "printer " + name + " is declared in the configuration file"));
      for (const auto& [qn, q] : queues)
        if (std::find(q.printers.begin(), q.printers.end(), name) != q.printers.end())
          return cb(error(errc::not_possible, "queue " + qn + " uses printer " + name));
      printers.erase(it);
      cb(status{});
    });
  }

  void create_queue(queue_record q, web::queue_record_callback cb) override {
    calls.push_back("create_queue " + q.name);
    answer([this, q = std::move(q), cb = std::move(cb)] {
      if (auto e = take_failure()) return cb(*e);
      if (queues.count(q.name)) return cb(error(errc::already_exists, "there is a queue " + q.name));
      if (auto e = missing_printer(q.printers)) return cb(*e);
      cb(queues[q.name] = q);
    });
  }

  void update_queue(std::string name, web::queue_patch patch, web::queue_record_callback cb) override {
    calls.push_back("update_queue " + name);
    queue_patches.push_back(patch);
    answer([this, name, patch = std::move(patch), cb = std::move(cb)] {
      if (auto e = take_failure()) return cb(*e);
      auto it = queues.find(name);
      if (it == queues.end()) return cb(no_queue(name));
      if (patch.printers)
        if (auto e = missing_printer(*patch.printers)) return cb(*e);
      it->second = web::patched(it->second, patch);
      cb(it->second);
    });
  }

  void remove_queue(std::string name, web::fleet_done_callback cb) override {
    calls.push_back("remove_queue " + name);
    answer([this, name, cb = std::move(cb)] {
      if (auto e = take_failure()) return cb(*e);
      auto it = queues.find(name);
      if (it == queues.end()) return cb(no_queue(name));
      if (it->second.origin == record_origin::config)
        return cb(error(errc::not_possible, "queue " + name + " is declared in the configuration file"));
      queues.erase(it);
      cb(status{});
    });
  }

 private:
  static error no_printer(const std::string& name) { return error(errc::not_found, "there is no printer " + name); }
  static error no_queue(const std::string& name) { return error(errc::not_found, "there is no queue " + name); }

  std::optional<error> missing_printer(const std::vector<std::string>& names) const {
    for (const auto& n : names)
      if (!printers.count(n)) return error(errc::invalid_argument, "there is no printer " + n);
    return std::nullopt;
  }
};

}  // namespace quire::testing
