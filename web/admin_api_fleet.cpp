// The fleet facet of the admin API (admin_api.hpp): printers and queues
// added, changed and removed at run time through fleet_service, and a
// printer's settings beside its state. The bodies are fleet_json.hpp's.
#include "web/admin_api_detail.hpp"
#include "web/fleet_json.hpp"

namespace quire::web::admin_detail {

namespace {

// 201 with the new resource's Location, or 200.
io::http_response created_or_ok(int status, std::string body, const char* collection, const std::string& name) {
  auto resp = json_response(status, std::move(body));
  if (status == 201) {
    std::string location(api_root);
    location.append("/").append(collection).append("/").append(percent_encode_segment(name));
    resp.headers.push_back({"Location", std::move(location)});
  }
  return resp;
}

// A service's refusal may quote a device URI (config/'s checks of a
// printer's do): never its user-info. `uri` is the one the request gave, if any.
io::http_response fleet_error(const error& e, const std::string& uri) {
  error shown = e;
  shown.message = redact_device_uris_in(e.message, uri);
  return service_error(shown);
}

printer_record_callback answer_printer(const call_ptr& c, int status, std::string uri = {}) {
  return [c, status, uri = std::move(uri)](result<printer_record> r) {
    guarded(c, [&] {
      if (!r.ok()) return c->reply(fleet_error(r.err(), uri));
      c->reply(created_or_ok(status, printer_record_json(*r), "printers", r->name));
    });
  };
}

queue_record_callback answer_queue(const call_ptr& c, int status) {
  return [c, status](result<queue_record> r) {
    guarded(c, [&] {
      if (!r.ok()) return c->reply(service_error(r.err()));
      c->reply(created_or_ok(status, queue_record_json(*r), "queues", r->name));
    });
  };
}

fleet_done_callback answer_removed(const call_ptr& c) {
  return [c](status s) { guarded(c, [&] { c->reply(s ? fleet_error(s, {}) : no_content()); }); };
}

// A create's audit entry names what the body names (the path has no name).
void audit_name(const call_ptr& c, const std::string& name) {
  if (c->audit_target) *c->audit_target = name;
}

void create_printer(const call_ptr& c) {
  auto p = parse_new_printer(c->body);
  if (!p.ok()) return c->reply(invalid(p.err()));
  audit_name(c, p->name);
  std::string uri = p->device_uri;
  c->fleet->create_printer(std::move(*p), answer_printer(c, 201, std::move(uri)));
}

void update_printer(const call_ptr& c) {
  auto patch = parse_printer_patch(c->body);
  if (!patch.ok()) return c->reply(invalid(patch.err()));
  std::string uri = patch->device_uri.value_or("");
  c->fleet->update_printer(c->user, std::move(*patch), answer_printer(c, 200, std::move(uri)));
}

void create_queue(const call_ptr& c) {
  auto q = parse_new_queue(c->body);
  if (!q.ok()) return c->reply(invalid(q.err()));
  audit_name(c, q->name);
  c->fleet->create_queue(std::move(*q), answer_queue(c, 201));
}

void update_queue(const call_ptr& c) {
  auto patch = parse_queue_patch(c->body);
  if (!patch.ok()) return c->reply(invalid(patch.err()));
  c->fleet->update_queue(c->user, std::move(*patch), answer_queue(c, 200));
}

}  // namespace

void dispatch_fleet(const call_ptr& c) {
  switch (c->what) {
    case endpoint::create_printer: return create_printer(c);
    case endpoint::update_printer: return update_printer(c);
    case endpoint::delete_printer: return c->fleet->remove_printer(c->user, answer_removed(c));
    case endpoint::get_queue: return c->fleet->get_queue(c->user, answer_queue(c, 200));
    case endpoint::create_queue: return create_queue(c);
    case endpoint::update_queue: return update_queue(c);
    case endpoint::delete_queue: return c->fleet->remove_queue(c->user, answer_removed(c));
    default: return;
  }
}

void get_printer(const call_ptr& c) {
  c->printers->get(c->user, [c](result<printer_view> state) {
    guarded(c, [&] {
      if (!state.ok()) return c->reply(service_error(state.err()));
      std::string state_json = printer_json(*state);
      if (!c->fleet) return c->reply(json_response(200, std::move(state_json)));
      c->fleet->get_printer(c->user, [c, state_json = std::move(state_json)](result<printer_record> r) {
        guarded(c, [&] {
          // A printer the state knows but the fleet does not (it is being
          // removed, or the two disagree for a moment): its state alone.
          if (!r.ok() && r.err().code == errc::not_found) return c->reply(json_response(200, state_json));
          if (!r.ok()) return c->reply(fleet_error(r.err(), {}));
          c->reply(json_response(200, printer_with_settings_json(state_json, *r)));
        });
      });
    });
  });
}

}  // namespace quire::web::admin_detail
