#include "web/admin_api.hpp"

#include <charconv>
#include <chrono>
#include <exception>
#include <utility>

#include "storage/credentials.hpp"
#include "web/admin_api_detail.hpp"

namespace quire::web {

namespace {

using admin_detail::api_call;
using admin_detail::call_ptr;

// RFC 7617 §2 and §2.1: the realm, and the charset the credentials are read in.
constexpr std::string_view basic_challenge = "Basic realm=\"Quire\", charset=\"UTF-8\"";

io::http_response unauthorized(std::string_view message) {
  return unauthorized_response("unauthorized", message, basic_challenge);
}


user_callback answer_user(const call_ptr& c, int status) {
  return [c, status](result<user_info> r) {
    guarded(c, [&] {
      if (!r.ok()) return c->reply(service_error(r.err()));
      auto resp = json_response(status, user_json(*r));
      if (status == 201)
        resp.headers.push_back(
            {"Location", std::string(api_root) + "/users/" + percent_encode_segment(r->record.name)});
      c->reply(std::move(resp));
    });
  };
}

status_callback answer_done(const call_ptr& c) {
  return [c](status s) { c->reply(s ? service_error(s) : no_content()); };
}

// GET /api/v1/users?after=NAME&limit=N
void list_users(const call_ptr& c) {
  auto q = parse_query(c->query);
  if (!q.ok()) return c->reply(invalid(q.err()));
  std::string after;
  uint32_t limit = c->options.default_page_size;
  for (auto& p : *q) {
    if (p.name == "after") {
      if (!p.value.empty())
        if (auto s = validate_user_name(p.value))
          return c->reply(invalid(error(errc::invalid_argument, "after: " + s.message)));
      after = std::move(p.value);
    } else if (p.name == "limit") {
      uint32_t n = 0;
      auto [end, ec] = std::from_chars(p.value.data(), p.value.data() + p.value.size(), n);
      if (ec != std::errc() || end != p.value.data() + p.value.size() || n < 1 || n > c->options.max_page_size)
        return c->reply(invalid(error(errc::invalid_argument,
                                      "limit must be 1 to " + std::to_string(c->options.max_page_size))));
      limit = n;
    } else {
      return c->reply(invalid(error(errc::invalid_argument, "unknown query parameter (use after, limit)")));
    }
  }
  c->users->list_users(c->who, std::move(after), limit, [c, limit](result<std::vector<user_info>> r) {
    guarded(c, [&] {
      if (!r.ok()) return c->reply(service_error(r.err()));
      std::optional<std::string> next;
      if (!r->empty() && r->size() >= limit) next = r->back().record.name;
      c->reply(json_response(200, user_list_json(*r, next)));
    });
  });
}

// GET /api/v1/jobs?user=&queue=&which=&after=&limit=: a user's own jobs,
// or (administrators) anyone's.
void list_jobs(const call_ptr& c) {
  auto q = parse_job_query(c->query, c->options.default_page_size, c->options.max_page_size);
  if (!q.ok()) return c->reply(invalid(q.err()));
  if (auto s = restrict_job_query(c->who, *q)) return c->reply(error_response(403, "forbidden", s.message));
  c->jobs->list_jobs(c->who, std::move(*q), [c](result<job_page> r) {
    guarded(c, [&] {
      if (!r.ok()) return c->reply(service_error(r.err()));
      std::optional<uint64_t> next;
      if (r->more && !r->jobs.empty()) next = r->jobs.back().id;
      c->reply(json_response(200, job_list_json(r->jobs, r->money, next)));
    });
  });
}

job_callback answer_job(const call_ptr& c) {
  return [c](result<job_view> r) {
    guarded(c, [&] {
      if (!r.ok()) return c->reply(service_error(r.err()));
      c->reply(json_response(200, job_json(r->record, r->money)));
    });
  };
}

// POST /api/v1/jobs/{id}/release and /reprint with {"printer", "project"}
// (both optional): one release service for both; a reprint's flag tells it
// to print a finished job again.
void release_job(const call_ptr& c, bool reprint) {
  auto req = parse_job_release(c->body);
  if (!req.ok()) return c->reply(invalid(req.err()));
  req->reprint = reprint;
  c->jobs->release_job(c->who, c->job, std::move(*req), answer_job(c));
}

// GET /api/v1/queues: what users may print to, with the URI to add.
void list_queues(const call_ptr& c) {
  c->jobs->list_queues(c->who, [c](result<std::vector<queue_info>> r) {
    guarded(c, [&] {
      c->reply(r.ok() ? json_response(200, queue_list_json(*r, c->authority)) : service_error(r.err()));
    });
  });
}

void create_user(const call_ptr& c) {
  auto req = parse_new_user(c->body);
  if (!req.ok()) return c->reply(invalid(req.err()));
  std::optional<std::string> password = std::move(req->password);
  req->password.reset();
  c->users->create_user(c->who, std::move(req->user), std::move(password), answer_user(c, 201));
}

void update_user(const call_ptr& c) {
  auto patch = parse_user_patch(c->user, c->body);
  if (!patch.ok()) return c->reply(invalid(patch.err()));
  c->users->update_user(c->who, c->user, std::move(*patch), answer_user(c, 200));
}

// Endpoints whose body is one secret (password, card id, PIN).
template <class Parse, class Call>
void with_secret(const call_ptr& c, Parse parse, Call call) {
  auto secret = parse(c->body);
  if (!secret.ok()) return c->reply(invalid(secret.err()));
  call(std::move(*secret));
}

account_callback answer_account(const call_ptr& c) {
  return [c](result<account_info> r) {
    guarded(c, [&] { c->reply(r.ok() ? json_response(200, account_json(*r)) : service_error(r.err())); });
  };
}

names_callback answer_delegates(const call_ptr& c) {
  return [c](result<std::vector<std::string>> r) {
    guarded(c, [&] { c->reply(r.ok() ? json_response(200, delegates_json(*r)) : service_error(r.err())); });
  };
}

// GET /api/v1/users/{name}/ledger?limit=N. The entries carry amounts only:
// the account's answer says how to write them (currency, minor digits).
void ledger(const call_ptr& c) {
  auto limit = parse_ledger_query(c->query, c->options.default_page_size, c->options.max_page_size);
  if (!limit.ok()) return c->reply(invalid(limit.err()));
  c->accounting->get_account(c->who, c->user, [c, limit = *limit](result<account_info> account) {
    guarded(c, [&] {
      if (!account.ok()) return c->reply(service_error(account.err()));
      c->accounting->ledger(c->who, c->user, limit,
                            [c, money = account->money](result<std::vector<ledger_entry>> r) {
                              guarded(c, [&] {
                                c->reply(r.ok() ? json_response(200, ledger_json(*r, money))
                                                : service_error(r.err()));
                              });
                            });
    });
  });
}

// POST /api/v1/terminals: 201 with the token, the only answer that shows it.
void register_terminal(const call_ptr& c) {
  auto req = parse_terminal_request(c->body);
  if (!req.ok()) return c->reply(invalid(req.err()));
  c->accounting->register_terminal(
      c->who, std::move(req->name), std::move(req->printer), [c](result<terminal_view> r) {
        guarded(c, [&] {
          if (!r.ok()) return c->reply(service_error(r.err()));
          auto resp = json_response(201, terminal_view_json(*r, true));
          resp.headers.push_back(
              {"Location", std::string(api_root) + "/terminals/" + percent_encode_segment(r->name)});
          c->reply(std::move(resp));
        });
      });
}

// GET /api/v1/printers/{name}/counters?from=&to=&limit=
void printer_counters(const call_ptr& c) {
  using namespace std::chrono;
  int64_t now_ms = duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  auto q = parse_counters_query(c->query, now_ms);
  if (!q.ok()) return c->reply(invalid(q.err()));
  c->printers->counters(c->user, q->from_ms, q->to_ms, q->limit,
                        [c](result<std::vector<device_counter_record>> r) {
                          guarded(c, [&] {
                            c->reply(r.ok() ? json_response(200, printer_counters_json(c->user, *r))
                                            : service_error(r.err()));
                          });
                        });
}

void dispatch_printers(const call_ptr& c) {
  switch (c->what) {
    case endpoint::list_printers:
      return c->printers->list([c](result<std::vector<printer_view>> r) {
        guarded(c, [&] { c->reply(r.ok() ? json_response(200, printer_list_json(*r)) : service_error(r.err())); });
      });
    case endpoint::get_printer: return admin_detail::get_printer(c);
    case endpoint::printer_counters: return printer_counters(c);
    default: return;
  }
}

void dispatch_accounting(const call_ptr& c) {
  auto* acc = c->accounting;
  const auto& who = c->who;
  switch (c->what) {
    case endpoint::get_account: return acc->get_account(who, c->user, answer_account(c));
    case endpoint::credit: {
      auto req = parse_credit(c->body);
      if (!req.ok()) return c->reply(invalid(req.err()));
      return acc->credit(who, c->user, std::move(*req), answer_account(c));
    }
    case endpoint::ledger: return ledger(c);
    case endpoint::get_delegates: return acc->get_delegates(who, c->user, answer_delegates(c));
    case endpoint::set_delegates: {
      auto names = parse_delegates(c->user, c->body);
      if (!names.ok()) return c->reply(invalid(names.err()));
      return acc->set_delegates(who, c->user, std::move(*names), answer_delegates(c));
    }
    case endpoint::list_terminals:
      return acc->list_terminals(who, [c](result<std::vector<terminal_view>> r) {
        guarded(c, [&] { c->reply(r.ok() ? json_response(200, terminal_list_json(*r)) : service_error(r.err())); });
      });
    case endpoint::register_terminal: return register_terminal(c);
    case endpoint::revoke_terminal: return acc->revoke_terminal(who, c->user, answer_done(c));
    default: return;
  }
}

// /api/v1/users/{name}/tokens[/{id}]: the token is in the 201 only.
void dispatch_tokens(const call_ptr& c) {
  switch (c->what) {
    case endpoint::list_tokens:
      return c->tokens->list_tokens(c->who, c->user, [c](result<std::vector<api_token_view>> r) {
        guarded(c, [&] { c->reply(r.ok() ? json_response(200, token_list_json(*r)) : service_error(r.err())); });
      });
    case endpoint::create_token: {
      auto req = parse_token_request(c->body);
      if (!req.ok()) return c->reply(invalid(req.err()));
      int64_t expires_ms = 0;
      if (req->expires_days > 0) {
        using namespace std::chrono;
        expires_ms = duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count() +
                     req->expires_days * 86400000;
      }
      return c->tokens->create_token(c->who, c->user, std::move(req->name), expires_ms,
                                     [c](result<new_api_token> r) {
                                       guarded(c, [&] {
                                         if (!r.ok()) return c->reply(service_error(r.err()));
                                         c->reply(json_response(201, new_token_json(*r)));
                                         wipe(r->token);
                                       });
                                     });
    }
    case endpoint::revoke_token: return c->tokens->revoke_token(c->who, c->user, c->token_id, answer_done(c));
    default: return;
  }
}

// GET /api/v1/reports/usage?from=&to=&by=&format=json|csv
void usage_report(const call_ptr& c) {
  using namespace std::chrono;
  int64_t now_ms = duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  auto q = parse_report_query(c->query, now_ms);
  if (!q.ok()) return c->reply(invalid(q.err()));
  c->reports->usage(c->who, *q, [c](result<web::usage_report> r) {
    guarded(c, [&] {
      if (!r.ok()) return c->reply(service_error(r.err()));
      if (!r->query.csv) return c->reply(json_response(200, usage_report_json(*r)));
      io::http_response resp;
      resp.content_type = "text/csv; charset=utf-8";
      resp.body = usage_report_csv(*r);
      resp.headers.push_back({"Cache-Control", "no-store"});
      resp.headers.push_back({"X-Content-Type-Options", "nosniff"});
      resp.headers.push_back(
          {"Content-Disposition", std::string("attachment; filename=\"quire-usage-by-") + to_string(r->query.by) + ".csv\""});
      c->reply(std::move(resp));
    });
  });
}

void dispatch(const call_ptr& c) {
  if (!takes_body(c->what) && !c->body.empty())
    return c->reply(invalid(error(errc::invalid_argument, "this request takes no body")));
  if (!takes_query(c->what) && !c->query.empty())
    return c->reply(invalid(error(errc::invalid_argument, "this request takes no query parameters")));
  auto* users = c->users;
  const auto& who = c->who;
  const auto& limits = c->options.credentials;
  switch (c->what) {
    case endpoint::whoami: return c->reply(json_response(200, principal_json(who)));
    case endpoint::list_users: return list_users(c);
    case endpoint::create_user: return create_user(c);
    case endpoint::get_user: return users->get_user(who, c->user, answer_user(c, 200));
    case endpoint::update_user: return update_user(c);
    case endpoint::delete_user: return users->delete_user(who, c->user, answer_done(c));
    case endpoint::set_password:
      return with_secret(c, parse_password,
                         [&](std::string p) { users->set_password(who, c->user, std::move(p), answer_done(c)); });
    case endpoint::add_card:
      return with_secret(c, [&](std::string_view b) { return parse_card_id(b, limits); },
                         [&](std::string id) { users->add_card(who, c->user, std::move(id), answer_done(c)); });
    case endpoint::remove_card:
      return with_secret(c, [&](std::string_view b) { return parse_card_id(b, limits); },
                         [&](std::string id) { users->remove_card(who, c->user, std::move(id), answer_done(c)); });
    case endpoint::set_pin:
      return with_secret(c, [&](std::string_view b) { return parse_pin(b, limits); },
                         [&](std::string pin) { users->set_pin(who, c->user, std::move(pin), answer_done(c)); });
    case endpoint::clear_pin: return users->clear_pin(who, c->user, answer_done(c));
    case endpoint::generate_pin:
      return users->generate_pin(who, c->user, [c](result<std::string> r) {
        c->reply(r.ok() ? json_response(200, pin_sent_json(*r)) : service_error(r.err()));
      });
    case endpoint::enrolment_code:
      return users->new_enrolment_code(who, c->user, [c](result<enrolment_code> r) {
        c->reply(r.ok() ? json_response(201, enrolment_code_json(*r)) : service_error(r.err()));
      });
    case endpoint::list_jobs: return list_jobs(c);
    case endpoint::get_job: return c->jobs->get_job(who, c->job, answer_job(c));
    case endpoint::cancel_job: return c->jobs->cancel_job(who, c->job, answer_job(c));
    case endpoint::release_job: return release_job(c, false);
    case endpoint::reprint_job: return release_job(c, true);
    case endpoint::list_queues: return list_queues(c);
    case endpoint::print_document: return;  // refused at the head (route_admin_api)
    case endpoint::list_printers:
    case endpoint::get_printer:
    case endpoint::printer_counters: return dispatch_printers(c);
    case endpoint::create_printer:
    case endpoint::update_printer:
    case endpoint::delete_printer:
    case endpoint::get_queue:
    case endpoint::create_queue:
    case endpoint::update_queue:
    case endpoint::delete_queue:
    case endpoint::list_prices:
    case endpoint::get_price_list:
    case endpoint::create_price_list:
    case endpoint::update_price_list:
    case endpoint::delete_price_list:
    case endpoint::list_projects:
    case endpoint::get_project:
    case endpoint::create_project:
    case endpoint::update_project:
    case endpoint::delete_project:
    case endpoint::list_quotas:
    case endpoint::get_quota:
    case endpoint::create_quota:
    case endpoint::update_quota:
    case endpoint::delete_quota: return admin_detail::dispatch_fleet(c);
    case endpoint::get_directory:
    case endpoint::sync_directory: return admin_detail::dispatch_directory(c);
    case endpoint::list_tokens:
    case endpoint::create_token:
    case endpoint::revoke_token: return dispatch_tokens(c);
    case endpoint::usage_report:
      if (!c->reports) return c->reply(error_response(503, "unavailable", "this server makes no reports"));
      return usage_report(c);
    case endpoint::audit_log: {
      if (!c->audit) return c->reply(error_response(503, "unavailable", "this server keeps no audit log"));
      using namespace std::chrono;
      int64_t now_ms = duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
      auto q = parse_audit_query(c->query, now_ms);
      if (!q.ok()) return c->reply(invalid(q.err()));
      return c->audit->list(c->who, std::move(*q), [c](result<std::vector<audit_record>> r) {
        guarded(c, [&] { c->reply(r.ok() ? json_response(200, audit_json(*r)) : service_error(r.err())); });
      });
    }
    case endpoint::get_account:
    case endpoint::credit:
    case endpoint::ledger:
    case endpoint::get_delegates:
    case endpoint::set_delegates:
    case endpoint::list_terminals:
    case endpoint::register_terminal:
    case endpoint::revoke_terminal: return dispatch_accounting(c);
  }
}

void on_authenticated(const call_ptr& c, result<principal> r) {
  if (!r.ok()) {
    return c->reply(login_failure(r.err(), [](std::string_view m) { return unauthorized(m); }));
  }
  c->who = std::move(*r);
  if (c->audit_actor) *c->audit_actor = c->who.name;
  if (needs_admin(c->what) && !c->who.admin)
    return c->reply(error_response(403, "forbidden", "only an administrator may do this"));
  if (is_self_service(c->what) && !c->who.admin && c->who.name != c->user)
    return c->reply(error_response(403, "forbidden", "only the user themself or an administrator may do this"));
  if (needs_accounting(c->what) && !c->accounting)
    return c->reply(error_response(503, "unavailable", "this server keeps no accounts"));
  if (needs_printers(c->what) && !c->printers)
    return c->reply(error_response(503, "unavailable", "this server does not show its printers"));
  if (needs_fleet(c->what) && !c->fleet)
    return c->reply(error_response(503, "unavailable", "this server does not change its fleet at run time"));
  if (needs_directory(c->what) && !c->directory)
    return c->reply(error_response(404, "not_found", "no directory is configured ([directory] in quire.toml)"));
  bool token_endpoint =
      c->what == endpoint::list_tokens || c->what == endpoint::create_token || c->what == endpoint::revoke_token;
  if (token_endpoint && !c->tokens)
    return c->reply(error_response(503, "unavailable", "this server has no API tokens"));
  dispatch(c);
}

// A request authenticated by its session cookie: a state-changing one must
// also carry the session's CSRF token, which a page of another site cannot
// read (SameSite=Strict already keeps the cookie off most cross-site
// requests; the token covers the rest).
void start_session(const call_ptr& c) {
  std::string token = std::move(c->session_token);
  c->sessions->verify(std::move(token), [c](result<session_view> r) {
    guarded(c, [&] {
      if (!r.ok()) {
        if (r.err().code == errc::permission_denied || r.err().code == errc::not_found)
          return c->reply(unauthorized("session expired or unknown: log in again"));
        return c->reply(service_error(r.err()));
      }
      if (c->changes_state && !same_secret(c->csrf, r->csrf_token))
        return c->reply(error_response(403, "csrf_required", "a request with the session cookie that changes "
                                                             "something needs the X-CSRF-Token header of the login"));
      on_authenticated(c, std::move(r->who));
    });
  });
}

void start(const call_ptr& c) {
  if (!c->session_token.empty()) return start_session(c);
  if (!c->api_token.empty()) {
    std::string token = std::move(c->api_token);
    return c->tokens->authenticate(std::move(token), [c](result<principal> r) {
      guarded(c, [&] {
        if (!r.ok() && r.err().code == errc::permission_denied)
          return c->reply(unauthorized("unknown, revoked or expired API token"));
        on_authenticated(c, std::move(r));
      });
    });
  }
  std::string user = std::move(c->credentials.user);
  std::string password = std::move(c->credentials.password);
  c->users->authenticate(std::move(user), std::move(password), c->peer, [c](result<principal> r) {
    guarded(c, [&] { on_authenticated(c, std::move(r)); });
  });
}

}  // namespace

std::unique_ptr<io::request_handler> route_admin_api(const io::request_info& info, io::responder respond,
                                                     user_service& users, job_service& jobs,
                                                     const api_options& options, accounting_service* accounting,
                                                     printer_service* printers, session_service* sessions,
                                                     token_service* tokens, report_service* reports,
                                                     audit_service* audit, fleet_service* fleet,
                                                     directory_service* directory) {
  const auto& head = info.head;
  std::string_view path = head.path();
  if (!is_admin_api_path(path)) return nullptr;
  try {
    route_match m = match_route(head.method, path);
    if (auto r = route_refusal(m.status, m.message, m.allow)) return refuse(respond, std::move(*r));
    // POST /api/v1/print streams a document (print_api.hpp); the server
    // routes it there first, so reaching here means it does not print from the web.
    if (m.what == endpoint::print_document)
      return refuse(respond, error_response(503, "unavailable", "this server does not take documents over the API"));
    if (auto r = check_transport(info, options.allow_plain_loopback, "admin API"))
      return refuse(respond, std::move(*r));

    // An API token is no ambient credential: it needs no CSRF token.
    request_credentials who;
    if (status s = read_credentials(head, sessions != nullptr, tokens != nullptr, who))
      return refuse(respond, unauthorized(s.message));

    // An endpoint whose body is optional takes none when the head declares
    // none: no Content-Type is needed then.
    bool declares_body = head.chunked || (head.has_content_length && head.content_length > 0);
    bool head_takes_body = takes_body(m.what) && (declares_body || !body_optional(m.what));
    if (auto r = check_body_head(head, head_takes_body, options.max_body_bytes))
      return refuse(respond, std::move(*r));

    auto call = std::make_shared<api_call>();
    call->respond = respond;  // a copy: `refuse` still needs one if allocation fails below
    call->takes_body = takes_body(m.what);
    call->max_body_bytes = options.max_body_bytes;
    call->what = m.what;
    call->user = std::move(m.user);
    call->job = m.job;
    call->query = std::string(query_of(head.target));
    call->authority = authority_or(head.find("Host"), info.local);
    call->credentials = std::move(who.basic);
    call->session_token = std::move(who.session_token);
    call->api_token = std::move(who.api_token);
    call->token_id = std::move(m.token_id);
    call->tokens = tokens;
    call->reports = reports;
    call->audit = audit;
    if (const std::string* csrf = head.find("X-CSRF-Token")) call->csrf = *csrf;
    call->changes_state = head.method != "GET" && head.method != "HEAD";
    call->sessions = sessions;
    call->peer = info.peer_host;
    call->users = &users;
    call->jobs = &jobs;
    call->accounting = accounting;
    call->printers = printers;
    call->fleet = fleet;
    call->directory = directory;
    call->options = options;
    if (audit && call->changes_state) {
      // The audit log: once answered, who did what to what, and the answer.
      // Requests refused before anyone was authenticated name nobody and
      // are not kept (a flood of bad passwords must not fill the log).
      auto actor = std::make_shared<std::string>();
      call->audit_actor = actor;
      // The path's {name} (a user, terminal, printer, queue, price list,
      // project or quota) or {id}; a create names what it creates once the body has parsed
      // (admin_api_fleet.cpp), a directory sync its kind (admin_api_directory.cpp).
      auto target = std::make_shared<std::string>(
          !call->token_id.empty() ? std::string(call->user).append("/").append(call->token_id)
          : call->job != 0        ? std::to_string(call->job)
                                  : call->user);
      call->audit_target = target;
      call->respond = [respond, audit, actor, action = std::string(to_string(m.what)), target,
                       peer = info.peer_host](io::http_response r) {
        if (!actor->empty()) audit->record({0, *actor, action, *target, r.status, peer});
        respond(std::move(r));
      };
    }
    return std::make_unique<collecting_handler<api_call>>(std::move(call), start);
  } catch (const std::exception&) {
    return refuse(respond, internal_error());
  }
}

}  // namespace quire::web
