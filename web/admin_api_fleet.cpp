// The fleet facet of the admin API (admin_api.hpp): printers, queues,
// price lists, projects and quotas added, changed and removed at run time
// through fleet_service, a printer's settings beside its state, and the
// projects a user may charge. The bodies are fleet_json.hpp's.
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

price_list_callback answer_price_list(const call_ptr& c, int status) {
  return [c, status](result<price_list_record> r) {
    guarded(c, [&] {
      if (!r.ok()) return c->reply(service_error(r.err()));
      c->reply(created_or_ok(status, price_list_record_json(*r), "prices", r->name));
    });
  };
}

project_callback answer_project(const call_ptr& c, int status) {
  return [c, status](result<project_record> r) {
    guarded(c, [&] {
      if (!r.ok()) return c->reply(service_error(r.err()));
      c->reply(created_or_ok(status, project_record_json(*r), "projects", r->name));
    });
  };
}

quota_callback answer_quota(const call_ptr& c, int status) {
  return [c, status](result<quota_record> r) {
    guarded(c, [&] {
      if (!r.ok()) return c->reply(service_error(r.err()));
      c->reply(created_or_ok(status, quota_record_json(*r), "quotas", r->name));
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

void create_price_list(const call_ptr& c) {
  auto l = parse_new_price_list(c->body);
  if (!l.ok()) return c->reply(invalid(l.err()));
  audit_name(c, l->name);
  c->fleet->create_price_list(std::move(*l), answer_price_list(c, 201));
}

void update_price_list(const call_ptr& c) {
  auto patch = parse_price_list_patch(c->body);
  if (!patch.ok()) return c->reply(invalid(patch.err()));
  c->fleet->update_price_list(c->user, std::move(*patch), answer_price_list(c, 200));
}

void list_prices(const call_ptr& c) {
  c->fleet->list_price_lists([c](result<std::vector<price_list_record>> r) {
    guarded(c, [&] { c->reply(r.ok() ? json_response(200, price_list_list_json(*r)) : service_error(r.err())); });
  });
}

void create_project(const call_ptr& c) {
  auto p = parse_new_project(c->body);
  if (!p.ok()) return c->reply(invalid(p.err()));
  audit_name(c, p->name);
  c->fleet->create_project(std::move(*p), answer_project(c, 201));
}

void update_project(const call_ptr& c) {
  auto patch = parse_project_patch(c->body);
  if (!patch.ok()) return c->reply(invalid(patch.err()));
  c->fleet->update_project(c->user, std::move(*patch), answer_project(c, 200));
}

void create_quota(const call_ptr& c) {
  auto q = parse_new_quota(c->body);
  if (!q.ok()) return c->reply(invalid(q.err()));
  audit_name(c, q->name);
  c->fleet->create_quota(std::move(*q), answer_quota(c, 201));
}

void update_quota(const call_ptr& c) {
  auto patch = parse_quota_patch(c->body);
  if (!patch.ok()) return c->reply(invalid(patch.err()));
  c->fleet->update_quota(c->user, std::move(*patch), answer_quota(c, 200));
}

void list_quotas(const call_ptr& c) {
  c->fleet->list_quotas([c](result<std::vector<quota_record>> r) {
    guarded(c, [&] { c->reply(r.ok() ? json_response(200, quota_list_json(*r)) : service_error(r.err())); });
  });
}

// The projects of `all` that a member of `groups` may charge.
std::vector<project_record> chargeable(std::vector<project_record> all, const std::vector<std::string>& groups) {
  std::vector<project_record> out;
  for (auto& p : all)
    if (may_charge_project(p.groups, groups)) out.push_back(std::move(p));
  return out;
}

// GET /api/v1/projects: administrators every record whole; a user the name
// and description of those they may charge, by their groups (their own
// record, which user_service lets them read).
void list_projects(const call_ptr& c) {
  if (c->who.admin) {
    return c->fleet->list_projects([c](result<std::vector<project_record>> r) {
      guarded(c, [&] { c->reply(r.ok() ? json_response(200, project_list_json(*r, true)) : service_error(r.err())); });
    });
  }
  c->users->get_user(c->who, c->who.name, [c](result<user_info> u) {
    guarded(c, [&] {
      if (!u.ok()) return c->reply(service_error(u.err()));
      c->fleet->list_projects([c, groups = std::move(u->record.groups)](result<std::vector<project_record>> r) {
        guarded(c, [&] {
          if (!r.ok()) return c->reply(service_error(r.err()));
          c->reply(json_response(200, project_list_json(chargeable(std::move(*r), groups), false)));
        });
      });
    });
  });
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
    case endpoint::list_prices: return list_prices(c);
    case endpoint::get_price_list: return c->fleet->get_price_list(c->user, answer_price_list(c, 200));
    case endpoint::create_price_list: return create_price_list(c);
    case endpoint::update_price_list: return update_price_list(c);
    case endpoint::delete_price_list: return c->fleet->remove_price_list(c->user, answer_removed(c));
    case endpoint::list_projects: return list_projects(c);
    case endpoint::get_project: return c->fleet->get_project(c->user, answer_project(c, 200));
    case endpoint::create_project: return create_project(c);
    case endpoint::update_project: return update_project(c);
    case endpoint::delete_project: return c->fleet->remove_project(c->user, answer_removed(c));
    case endpoint::list_quotas: return list_quotas(c);
    case endpoint::get_quota: return c->fleet->get_quota(c->user, answer_quota(c, 200));
    case endpoint::create_quota: return create_quota(c);
    case endpoint::update_quota: return update_quota(c);
    case endpoint::delete_quota: return c->fleet->remove_quota(c->user, answer_removed(c));
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
