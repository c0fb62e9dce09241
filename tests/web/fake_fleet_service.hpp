// An in-memory fleet_service for the admin API's tests and fuzz target.
//
// It keeps the rules the real one promises (fleet_service.hpp) for the
// plain cases: already_exists for a name taken, not_found for one it does
// not have, not_possible to remove a printer a queue uses, a price list a
// printer names or a record the configuration file declares (origin
// config), invalid_argument for a queue that names a printer it does not
// have, for a rate out of 0..pdl::max_rate and for a quota that would
// apply to no one (or has a period or sheets out of range). Records come back as
// stored, the device URI's credentials included, so that a test can check
// the API never shows them. Every call is recorded in `calls`
// ("create_printer lab-3"; "update_queue secure"; "list_projects"), the
// patches in `printer_patches`, `queue_patches`, `price_patches`,
// `project_patches` and `quota_patches`, so that a test can tell what the
// service was asked.
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
  std::map<std::string, price_list_record> prices;  // by name
  std::map<std::string, project_record> projects;   // by name
  std::vector<web::price_list_patch> price_patches;
  std::vector<web::project_patch> project_patches;
  std::map<std::string, quota_record> quotas;  // by name
  std::vector<web::quota_patch> quota_patches;

  quota_record& add_quota(const std::string& name, std::vector<std::string> groups, std::vector<std::string> users,
                          uint32_t sheets, record_origin origin = record_origin::config) {
    quota_record q;
    q.name = name;
    q.groups = std::move(groups);
    q.users = std::move(users);
    q.sheets = sheets;
    q.origin = origin;
    return quotas[name] = std::move(q);
  }

  price_list_record& add_price_list(const std::string& name, int64_t mono, int64_t colour,
                                    record_origin origin = record_origin::config) {
    price_list_record l;
    l.name = name;
    l.base.mono = mono;
    l.base.colour = colour;
    l.origin = origin;
    return prices[name] = std::move(l);
  }

  project_record& add_project(const std::string& name, std::vector<std::string> groups,
                              record_origin origin = record_origin::config) {
    project_record p;
    p.name = name;
    p.description = "Project " + name;
    p.groups = std::move(groups);
    p.origin = origin;
    return projects[name] = std::move(p);
  }

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

  void list_price_lists(web::price_lists_callback cb) override {
    calls.push_back("list_price_lists");
    answer([this, cb = std::move(cb)] {
      if (auto e = take_failure()) return cb(*e);
      std::vector<price_list_record> out;
      for (const auto& [name, l] : prices) out.push_back(l);
      cb(std::move(out));
    });
  }

  void get_price_list(std::string name, web::price_list_callback cb) override {
    calls.push_back("get_price_list " + name);
    answer([this, name, cb = std::move(cb)] {
      if (auto e = take_failure()) return cb(*e);
      auto it = prices.find(name);
      if (it == prices.end()) return cb(no_price_list(name));
      cb(it->second);
    });
  }

  void create_price_list(price_list_record l, web::price_list_callback cb) override {
    calls.push_back("create_price_list " + l.name);
    answer([this, l = std::move(l), cb = std::move(cb)] {
      if (auto e = take_failure()) return cb(*e);
      if (prices.count(l.name)) return cb(error(errc::already_exists, "there is a price list " + l.name));
      if (auto e = bad_rates(l)) return cb(*e);
      cb(prices[l.name] = l);
    });
  }

  void update_price_list(std::string name, web::price_list_patch patch, web::price_list_callback cb) override {
    calls.push_back("update_price_list " + name);
    price_patches.push_back(patch);
    answer([this, name, patch = std::move(patch), cb = std::move(cb)] {
      if (auto e = take_failure()) return cb(*e);
      auto it = prices.find(name);
      if (it == prices.end()) return cb(no_price_list(name));
      auto changed = web::patched(it->second, patch);
      if (auto e = bad_rates(changed)) return cb(*e);
      cb(it->second = std::move(changed));
    });
  }

  void remove_price_list(std::string name, web::fleet_done_callback cb) override {
    calls.push_back("remove_price_list " + name);
    answer([this, name, cb = std::move(cb)] {
      if (auto e = take_failure()) return cb(*e);
      auto it = prices.find(name);
      if (it == prices.end()) return cb(no_price_list(name));
      if (it->second.origin == record_origin::config)
        return cb(error(errc::not_possible, "price list " + name + " is declared in the configuration file"));
      for (const auto& [pn, p] : printers)
        if (p.price_list == name) return cb(error(errc::not_possible, "printer " + pn + " uses price list " + name));
      prices.erase(it);
      cb(status{});
    });
  }

  void list_projects(web::projects_callback cb) override {
    calls.push_back("list_projects");
    answer([this, cb = std::move(cb)] {
      if (auto e = take_failure()) return cb(*e);
      std::vector<project_record> out;
      for (const auto& [name, p] : projects) out.push_back(p);
      cb(std::move(out));
    });
  }

  void get_project(std::string name, web::project_callback cb) override {
    calls.push_back("get_project " + name);
    answer([this, name, cb = std::move(cb)] {
      if (auto e = take_failure()) return cb(*e);
      auto it = projects.find(name);
      if (it == projects.end()) return cb(no_project(name));
      cb(it->second);
    });
  }

  void create_project(project_record p, web::project_callback cb) override {
    calls.push_back("create_project " + p.name);
    answer([this, p = std::move(p), cb = std::move(cb)] {
      if (auto e = take_failure()) return cb(*e);
      if (projects.count(p.name)) return cb(error(errc::already_exists, "there is a project " + p.name));
      cb(projects[p.name] = p);
    });
  }

  void update_project(std::string name, web::project_patch patch, web::project_callback cb) override {
    calls.push_back("update_project " + name);
    project_patches.push_back(patch);
    answer([this, name, patch = std::move(patch), cb = std::move(cb)] {
      if (auto e = take_failure()) return cb(*e);
      auto it = projects.find(name);
      if (it == projects.end()) return cb(no_project(name));
      it->second = web::patched(it->second, patch);
      cb(it->second);
    });
  }

  void remove_project(std::string name, web::fleet_done_callback cb) override {
    calls.push_back("remove_project " + name);
    answer([this, name, cb = std::move(cb)] {
      if (auto e = take_failure()) return cb(*e);
      auto it = projects.find(name);
      if (it == projects.end()) return cb(no_project(name));
      if (it->second.origin == record_origin::config)
        return cb(error(errc::not_possible, "project " + name + " is declared in the configuration file"));
      projects.erase(it);
      cb(status{});
    });
  }

  void list_quotas(web::quotas_callback cb) override {
    calls.push_back("list_quotas");
    answer([this, cb = std::move(cb)] {
      if (auto e = take_failure()) return cb(*e);
      std::vector<quota_record> out;
      for (const auto& [name, q] : quotas) out.push_back(q);
      cb(std::move(out));
    });
  }

  void get_quota(std::string name, web::quota_callback cb) override {
    calls.push_back("get_quota " + name);
    answer([this, name, cb = std::move(cb)] {
      if (auto e = take_failure()) return cb(*e);
      auto it = quotas.find(name);
      if (it == quotas.end()) return cb(no_quota(name));
      cb(it->second);
    });
  }

  void create_quota(quota_record q, web::quota_callback cb) override {
    calls.push_back("create_quota " + q.name);
    answer([this, q = std::move(q), cb = std::move(cb)] {
      if (auto e = take_failure()) return cb(*e);
      if (quotas.count(q.name)) return cb(error(errc::already_exists, "there is a quota " + q.name));
      if (auto e = bad_quota(q)) return cb(*e);
      cb(quotas[q.name] = q);
    });
  }

  void update_quota(std::string name, web::quota_patch patch, web::quota_callback cb) override {
    calls.push_back("update_quota " + name);
    quota_patches.push_back(patch);
    answer([this, name, patch = std::move(patch), cb = std::move(cb)] {
      if (auto e = take_failure()) return cb(*e);
      auto it = quotas.find(name);
      if (it == quotas.end()) return cb(no_quota(name));
      auto changed = web::patched(it->second, patch);
      if (auto e = bad_quota(changed)) return cb(*e);
      cb(it->second = std::move(changed));
    });
  }

  void remove_quota(std::string name, web::fleet_done_callback cb) override {
    calls.push_back("remove_quota " + name);
    answer([this, name, cb = std::move(cb)] {
      if (auto e = take_failure()) return cb(*e);
      auto it = quotas.find(name);
      if (it == quotas.end()) return cb(no_quota(name));
      if (it->second.origin == record_origin::config)
        return cb(error(errc::not_possible, "quota " + name + " is declared in the configuration file"));
      quotas.erase(it);
      cb(status{});
    });
  }

 private:
  static error no_quota(const std::string& name) { return error(errc::not_found, "there is no quota " + name); }

  // The service's checks of a quota (fleet_service.hpp), with config/'s messages.
  static std::optional<error> bad_quota(const quota_record& q) {
    if (q.groups.empty() && q.users.empty())
      return error(errc::invalid_argument, "a quota needs at least one group (\"*\": every user) or user");
    if (q.period != "day" && q.period != "week" && q.period != "month" && q.period != "year")
      return error(errc::invalid_argument, "period: expected day, week, month or year");
    if (q.sheets < 1 || q.sheets > 100000000)
      return error(errc::invalid_argument, "sheets: must be between 1 and 100000000");
    return std::nullopt;
  }

  static error no_price_list(const std::string& name) {
    return error(errc::not_found, "there is no price list " + name);
  }
  static error no_project(const std::string& name) { return error(errc::not_found, "there is no project " + name); }

  // The service's range check (fleet_service.hpp): 0..max_rate, -1 for a duplex rate.
  static std::optional<error> bad_rates(const price_list_record& l) {
    auto bad = [](const price_rate& r) {
      auto out = [](int64_t v, bool duplex) { return v < (duplex ? -1 : 0) || v > pdl::max_rate; };
      return out(r.mono, false) || out(r.colour, false) || out(r.duplex_mono, true) || out(r.duplex_colour, true);
    };
    bool any = bad(l.base);
    for (const auto& [media, rate] : l.sizes) any = any || bad(rate);
    if (any) return error(errc::invalid_argument, "a rate is out of range (0 to 1000000000)");
    return std::nullopt;
  }

  static error no_printer(const std::string& name) { return error(errc::not_found, "there is no printer " + name); }
  static error no_queue(const std::string& name) { return error(errc::not_found, "there is no queue " + name); }

  std::optional<error> missing_printer(const std::vector<std::string>& names) const {
    for (const auto& n : names)
      if (!printers.count(n)) return error(errc::invalid_argument, "there is no printer " + n);
    return std::nullopt;
  }
};

}  // namespace quire::testing
