#include "actors/printer_service_adapter.hpp"

#include <utility>

namespace quire {

namespace {

web::printer_run_state run_state_of(printer_state s) {
  switch (s) {
    case printer_state::idle: return web::printer_run_state::idle;
    case printer_state::processing: return web::printer_run_state::processing;
    case printer_state::stopped: return web::printer_run_state::stopped;
  }
  return web::printer_run_state::stopped;
}

web::supply_view supply_of(const devices::supply_info& s, int low_percent) {
  web::supply_view v;
  v.description = s.description;
  v.kind = s.supply_class == 4 ? web::supply_kind::receptacle : web::supply_kind::consumed;
  v.type = s.type;
  v.max_capacity = s.max_capacity;
  v.level = s.level;
  int percent = s.percent();
  if (percent >= 0) v.percent = percent;
  v.state = web::classify_supply(v.kind, s.level, percent, low_percent);
  return v;
}

web::device_info device_of(const device_view& d, int low_percent) {
  const devices::device_status& s = d.status;
  web::device_info v;
  v.monitored = d.monitored;
  v.online = d.online;
  v.last_seen_ms = d.last_seen_ms;
  v.address = d.address;
  v.description = s.description;
  v.name = s.name;
  v.serial = s.serial;
  if (s.has_life_count) v.life_count = s.life_count;
  v.device_state = s.device_state;
  v.printer_state = s.printer_state;
  for (const auto& sup : s.supplies) v.supplies.push_back(supply_of(sup, low_percent));
  for (const auto& a : s.alerts) v.alerts.push_back({web::severity_of(a.severity), a.code, a.group, a.description});
  v.truncated = s.truncated;
  return v;
}

// What `status` says, into a view that already names its printer.
void apply_status(web::printer_view& v, const printer_status& status, int low_percent) {
  v.state = run_state_of(status.state);
  v.state_message = status.state_message;
  v.reasons = status.reasons;
  v.queued = status.queued;
  v.delivered = status.delivered;
  v.device = device_of(status.device, low_percent);
}

error error_of(const caf::error& e, const std::string& printer) {
  if (e == caf::sec::request_timeout) return {errc::timeout, "printer " + printer + " did not answer in time"};
  if (e == caf::sec::request_receiver_down) return {errc::unavailable, "printer " + printer + " is not running"};
  return {code_of(e), message_of(e)};
}

// The answers of one listing, gathered by the actor that asked: every
// callback runs in that actor, one at a time.
struct listing {
  std::vector<web::printer_view> views;  // in the fleet's order: by name
  size_t left = 0;
  web::printer_list_callback cb;

  void answered() {
    if (--left == 0) cb(std::move(views));
  }
};

class actor_printer_service final : public web::printer_service {
 public:
  actor_printer_service(caf::actor_system& sys, fleet_cell_ptr fleet, int low_percent)
      : sys_(sys), fleet_(std::move(fleet)), low_percent_(low_percent) {}

  void list(web::printer_list_callback cb) override {
    fleet_ptr fl = fleet_->get();
    if (fl->printers.empty()) return cb(std::vector<web::printer_view>{});
    auto l = std::make_shared<listing>();
    l->left = fl->printers.size();
    l->cb = std::move(cb);
    // Each view starts as the silent one: an answer replaces it.
    for (const auto& [name, p] : fl->printers) l->views.push_back(silent_printer_view(p.record));
    sys_.spawn([fl, l, low = low_percent_](caf::event_based_actor* self) {
      size_t i = 0;
      for (const auto& [name, p] : fl->printers) {
        self->request(p.actor, describe_timeout, describe_atom::value)
            .then(
                [l, i, low](printer_status& s) {
                  apply_status(l->views[i], s, low);
                  l->answered();
                },
                [l](caf::error&) { l->answered(); });
        ++i;
      }
    });
  }

  void get(std::string name, web::printer_callback cb) override {
    fleet_ptr fl = fleet_->get();
    const fleet::printer_entry* p = fl->printer(name);
    if (!p) return cb(error{errc::not_found, "there is no printer " + name});
    auto view = std::make_shared<web::printer_view>(silent_printer_view(p->record));
    sys_.spawn([actor = p->actor, view, cb = std::move(cb), low = low_percent_](caf::event_based_actor* self) {
      self->request(actor, describe_timeout, describe_atom::value)
          .then(
              [view, cb, low](printer_status& s) {
                apply_status(*view, s, low);
                cb(std::move(*view));
              },
              [view, cb](caf::error&) { cb(std::move(*view)); });
    });
  }

  void counters(std::string name, int64_t from_ms, int64_t to_ms, uint32_t limit,
                web::counters_callback cb) override {
    fleet_ptr fl = fleet_->get();
    const fleet::printer_entry* p = fl->printer(name);
    if (!p) return cb(error{errc::not_found, "there is no printer " + name});
    sys_.spawn([actor = p->actor, name, from_ms, to_ms, limit, cb = std::move(cb)](caf::event_based_actor* self) {
      self->request(actor, counters_timeout, counters_atom::value, from_ms, to_ms, limit)
          .then([cb](std::vector<device_counter_record>& r) { cb(std::move(r)); },
                [cb, name](caf::error& e) { cb(error_of(e, name)); });
    });
  }

 private:
  caf::actor_system& sys_;
  fleet_cell_ptr fleet_;
  int low_percent_;
};

}  // namespace

web::printer_view printer_view_of(const printer_record& record, const printer_status& status, int low_percent) {
  web::printer_view v = silent_printer_view(record);
  apply_status(v, status, low_percent);
  return v;
}

web::printer_view silent_printer_view(const printer_record& record) {
  web::printer_view v;
  v.name = record.name;
  v.location = record.location;
  v.info = record.info;
  v.state = web::printer_run_state::stopped;
  v.state_message = not_answering;
  return v;
}

std::unique_ptr<web::printer_service> make_printer_service(caf::actor_system& sys, fleet_cell_ptr fleet,
                                                           int low_percent) {
  return std::make_unique<actor_printer_service>(sys, std::move(fleet), low_percent);
}

}  // namespace quire
