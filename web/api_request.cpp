// api_request.hpp's routing (which endpoint a method and path name), its
// percent-encoding and its query strings. The credentials and the loopback
// check are api_credentials.cpp's.
#include "web/api_request.hpp"

#include <charconv>

#include "storage/credentials.hpp"
#include "storage/users.hpp"
#include "web/terminal_api.hpp"
#include "web/token_json.hpp"
#include "web/token_service.hpp"

namespace quire::web {

const char* to_string(endpoint e) noexcept {
  switch (e) {
    case endpoint::whoami: return "GET /api/v1/whoami";
    case endpoint::list_users: return "GET /api/v1/users";
    case endpoint::create_user: return "POST /api/v1/users";
    case endpoint::get_user: return "GET /api/v1/users/{name}";
    case endpoint::update_user: return "PATCH /api/v1/users/{name}";
    case endpoint::delete_user: return "DELETE /api/v1/users/{name}";
    case endpoint::set_password: return "PUT /api/v1/users/{name}/password";
    case endpoint::add_card: return "POST /api/v1/users/{name}/cards";
    case endpoint::remove_card: return "DELETE /api/v1/users/{name}/cards";
    case endpoint::set_pin: return "PUT /api/v1/users/{name}/pin";
    case endpoint::clear_pin: return "DELETE /api/v1/users/{name}/pin";
    case endpoint::generate_pin: return "POST /api/v1/users/{name}/pin/generate";
    case endpoint::enrolment_code: return "POST /api/v1/users/{name}/enrolment-code";
    case endpoint::list_tokens: return "GET /api/v1/users/{name}/tokens";
    case endpoint::create_token: return "POST /api/v1/users/{name}/tokens";
    case endpoint::revoke_token: return "DELETE /api/v1/users/{name}/tokens/{id}";
    case endpoint::list_jobs: return "GET /api/v1/jobs";
    case endpoint::get_job: return "GET /api/v1/jobs/{id}";
    case endpoint::cancel_job: return "DELETE /api/v1/jobs/{id}";
    case endpoint::release_job: return "POST /api/v1/jobs/{id}/release";
    case endpoint::reprint_job: return "POST /api/v1/jobs/{id}/reprint";
    case endpoint::list_queues: return "GET /api/v1/queues";
    case endpoint::print_document: return "POST /api/v1/print";
    case endpoint::usage_report: return "GET /api/v1/reports/usage";
    case endpoint::audit_log: return "GET /api/v1/audit";
    case endpoint::list_printers: return "GET /api/v1/printers";
    case endpoint::get_printer: return "GET /api/v1/printers/{name}";
    case endpoint::printer_counters: return "GET /api/v1/printers/{name}/counters";
    case endpoint::create_printer: return "POST /api/v1/printers";
    case endpoint::update_printer: return "PATCH /api/v1/printers/{name}";
    case endpoint::delete_printer: return "DELETE /api/v1/printers/{name}";
    case endpoint::get_queue: return "GET /api/v1/queues/{name}";
    case endpoint::create_queue: return "POST /api/v1/queues";
    case endpoint::update_queue: return "PATCH /api/v1/queues/{name}";
    case endpoint::delete_queue: return "DELETE /api/v1/queues/{name}";
    case endpoint::list_prices: return "GET /api/v1/prices";
    case endpoint::get_price_list: return "GET /api/v1/prices/{name}";
    case endpoint::create_price_list: return "POST /api/v1/prices";
    case endpoint::update_price_list: return "PATCH /api/v1/prices/{name}";
    case endpoint::delete_price_list: return "DELETE /api/v1/prices/{name}";
    case endpoint::list_projects: return "GET /api/v1/projects";
    case endpoint::get_project: return "GET /api/v1/projects/{name}";
    case endpoint::create_project: return "POST /api/v1/projects";
    case endpoint::update_project: return "PATCH /api/v1/projects/{name}";
    case endpoint::delete_project: return "DELETE /api/v1/projects/{name}";
    case endpoint::list_quotas: return "GET /api/v1/quotas";
    case endpoint::get_quota: return "GET /api/v1/quotas/{name}";
    case endpoint::create_quota: return "POST /api/v1/quotas";
    case endpoint::update_quota: return "PATCH /api/v1/quotas/{name}";
    case endpoint::delete_quota: return "DELETE /api/v1/quotas/{name}";
    case endpoint::get_directory: return "GET /api/v1/directory";
    case endpoint::sync_directory: return "POST /api/v1/directory/sync";
    case endpoint::get_account: return "GET /api/v1/users/{name}/account";
    case endpoint::credit: return "POST /api/v1/users/{name}/credit";
    case endpoint::ledger: return "GET /api/v1/users/{name}/ledger";
    case endpoint::get_delegates: return "GET /api/v1/users/{name}/delegates";
    case endpoint::set_delegates: return "PUT /api/v1/users/{name}/delegates";
    case endpoint::list_terminals: return "GET /api/v1/terminals";
    case endpoint::register_terminal: return "POST /api/v1/terminals";
    case endpoint::revoke_terminal: return "DELETE /api/v1/terminals/{name}";
  }
  return "?";
}

bool takes_body(endpoint e) noexcept {
  switch (e) {
    case endpoint::create_user:
    case endpoint::update_user:
    case endpoint::set_password:
    case endpoint::add_card:
    case endpoint::remove_card:
    case endpoint::set_pin:
    case endpoint::credit:
    case endpoint::set_delegates:
    case endpoint::register_terminal:
    case endpoint::create_token:
    case endpoint::release_job:
    case endpoint::reprint_job:
    case endpoint::create_printer:
    case endpoint::update_printer:
    case endpoint::create_queue:
    case endpoint::update_queue:
    case endpoint::create_price_list:
    case endpoint::update_price_list:
    case endpoint::create_project:
    case endpoint::update_project:
    case endpoint::create_quota:
    case endpoint::update_quota:
    case endpoint::sync_directory:
      return true;
    default:
      return false;
  }
}

bool body_optional(endpoint e) noexcept {
  return e == endpoint::release_job || e == endpoint::reprint_job || e == endpoint::sync_directory;
}

bool takes_query(endpoint e) noexcept {
  return e == endpoint::list_users || e == endpoint::list_jobs || e == endpoint::ledger ||
         e == endpoint::printer_counters || e == endpoint::print_document || e == endpoint::usage_report ||
         e == endpoint::audit_log;
}

bool needs_admin(endpoint e) noexcept {
  return e != endpoint::whoami && !is_self_service(e) && !is_user_endpoint(e);
}

bool is_user_endpoint(endpoint e) noexcept {
  switch (e) {
    case endpoint::list_jobs:
    case endpoint::get_job:
    case endpoint::cancel_job:
    case endpoint::release_job:
    case endpoint::reprint_job:
    case endpoint::list_queues:
    case endpoint::print_document:
    case endpoint::list_projects:
      return true;
    default:
      return false;
  }
}

bool is_self_service(endpoint e) noexcept {
  switch (e) {
    case endpoint::get_user:
    case endpoint::set_pin:
    case endpoint::clear_pin:
    case endpoint::generate_pin:
    case endpoint::enrolment_code:
    case endpoint::get_account:
    case endpoint::ledger:
    case endpoint::get_delegates:
    case endpoint::set_delegates:
    case endpoint::list_tokens:
    case endpoint::create_token:
    case endpoint::revoke_token:
      return true;
    default:
      return false;
  }
}

bool needs_accounting(endpoint e) noexcept {
  switch (e) {
    case endpoint::get_account:
    case endpoint::credit:
    case endpoint::ledger:
    case endpoint::get_delegates:
    case endpoint::set_delegates:
    case endpoint::list_terminals:
    case endpoint::register_terminal:
    case endpoint::revoke_terminal:
      return true;
    default:
      return false;
  }
}

bool needs_printers(endpoint e) noexcept {
  return e == endpoint::list_printers || e == endpoint::get_printer || e == endpoint::printer_counters;
}

bool needs_fleet(endpoint e) noexcept {
  switch (e) {
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
    case endpoint::delete_quota:
      return true;
    default:
      return false;
  }
}

bool needs_directory(endpoint e) noexcept { return e == endpoint::get_directory || e == endpoint::sync_directory; }

bool is_path_under(std::string_view path, std::string_view root) noexcept {
  if (path.substr(0, root.size()) != root) return false;
  return path.size() == root.size() || path[root.size()] == '/';
}

bool is_admin_api_path(std::string_view path) noexcept { return is_path_under(path, api_root); }

namespace {

route_match pick(std::string_view method, std::initializer_list<method_entry<endpoint>> methods) {
  return pick_method<route_match>(method, methods);
}

route_match not_found() { return route_error<route_match>(404, "no such API resource"); }

route_match bad_segment(route_match m, std::string message) {
  m.status = 400;
  m.message = std::move(message);
  return m;
}

// /api/v1/jobs/{id}[/release|/reprint]: `rest` is what follows "/jobs/".
route_match match_job(std::string_view method, std::string_view rest) {
  size_t slash = rest.find('/');
  std::string_view raw_id = rest.substr(0, slash);
  std::string_view sub = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
  if (raw_id.empty()) return not_found();
  route_match m;
  if (sub.empty())
    m = pick(method, {{"GET", endpoint::get_job}, {"DELETE", endpoint::cancel_job}});
  else if (sub == "/release")
    m = pick(method, {{"POST", endpoint::release_job}});
  else if (sub == "/reprint")
    m = pick(method, {{"POST", endpoint::reprint_job}});
  else
    return not_found();
  if (m.status != 0) return m;
  std::string id;
  if (!percent_decode(raw_id, false, id))
    return bad_segment(std::move(m), "the job id in the path has a malformed %-escape");
  if (!parse_job_id(id, m.job)) return bad_segment(std::move(m), "the job id must be a positive decimal integer");
  return m;
}

// The {name} of a matched user or terminal path: decoded and valid.
route_match with_name(route_match m, std::string_view raw_name, const char* what) {
  std::string name;
  if (!percent_decode(raw_name, false, name))
    return bad_segment(std::move(m), std::string("the ") + what + " name in the path has a malformed %-escape");
  if (auto s = validate_user_name(name)) return bad_segment(std::move(m), s.message);
  m.user = std::move(name);
  return m;
}

// /api/v1/terminals/{name}: `rest` is what follows "/terminals/".
route_match match_terminal(std::string_view method, std::string_view rest) {
  if (rest.empty() || rest.find('/') != std::string_view::npos) return not_found();
  route_match m = pick(method, {{"DELETE", endpoint::revoke_terminal}});
  if (m.status != 0) return m;
  return with_name(std::move(m), rest, "terminal");
}

// /api/v1/printers/{name}[/counters]: `rest` is what follows "/printers/".
// A name that is not a printer name as config/ allows one (valid_printer_name)
// names no printer: 404, as for one the site does not have.
route_match match_printer(std::string_view method, std::string_view rest) {
  size_t slash = rest.find('/');
  std::string_view raw_name = rest.substr(0, slash);
  std::string_view sub = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
  route_match m;
  if (sub.empty())
    m = pick(method, {{"GET", endpoint::get_printer},
                      {"PATCH", endpoint::update_printer},
                      {"DELETE", endpoint::delete_printer}});
  else if (sub == "/counters")
    m = pick(method, {{"GET", endpoint::printer_counters}});
  else
    return not_found();
  std::string name;
  if (!percent_decode(raw_name, false, name) || !valid_printer_name(name))
    return route_error<route_match>(404, "no such printer");
  if (m.status != 0) return m;
  m.user = std::move(name);
  return m;
}

// /api/v1/queues/{name}: `rest` is what follows "/queues/". As for
// printers, a name that is no valid queue name names no queue: 404.
route_match match_queue(std::string_view method, std::string_view rest) {
  if (rest.empty() || rest.find('/') != std::string_view::npos) return not_found();
  route_match m = pick(method, {{"GET", endpoint::get_queue},
                                {"PATCH", endpoint::update_queue},
                                {"DELETE", endpoint::delete_queue}});
  std::string name;
  if (!percent_decode(rest, false, name) || !valid_queue_name(name))
    return route_error<route_match>(404, "no such queue");
  if (m.status != 0) return m;
  m.user = std::move(name);
  return m;
}

// A collection of named fleet entries (/api/v1/prices, /projects,
// /quotas): the endpoints of one entry, its name rule, what a path that
// names none is told.
struct fleet_entries {
  endpoint get, update, remove;
  bool (*valid)(std::string_view) noexcept;
  const char* missing;
};

constexpr fleet_entries price_entries{endpoint::get_price_list, endpoint::update_price_list,
                                      endpoint::delete_price_list, valid_price_list_name, "no such price list"};
constexpr fleet_entries project_entries{endpoint::get_project, endpoint::update_project, endpoint::delete_project,
                                        valid_project_name, "no such project"};
constexpr fleet_entries quota_entries{endpoint::get_quota, endpoint::update_quota, endpoint::delete_quota,
                                      valid_quota_name, "no such quota"};

// /api/v1/prices/{name}, /api/v1/projects/{name}, /api/v1/quotas/{name}:
// `rest` is what follows the collection's "/". As for printers, a name
// that is no valid name names nothing: 404.
route_match match_fleet_entry(std::string_view method, std::string_view rest, const fleet_entries& in) {
  if (rest.empty() || rest.find('/') != std::string_view::npos) return not_found();
  route_match m = pick(method, {{"GET", in.get}, {"PATCH", in.update}, {"DELETE", in.remove}});
  std::string name;
  if (!percent_decode(rest, false, name) || !in.valid(name)) return route_error<route_match>(404, in.missing);
  if (m.status != 0) return m;
  m.user = std::move(name);
  return m;
}

// The resources under /api/v1/users/{name}: `sub` is what follows the name.
route_match match_user_sub(std::string_view method, std::string_view sub) {
  if (sub.empty())
    return pick(method,
                {{"GET", endpoint::get_user}, {"PATCH", endpoint::update_user}, {"DELETE", endpoint::delete_user}});
  if (sub == "/password") return pick(method, {{"PUT", endpoint::set_password}});
  if (sub == "/cards") return pick(method, {{"POST", endpoint::add_card}, {"DELETE", endpoint::remove_card}});
  if (sub == "/pin") return pick(method, {{"PUT", endpoint::set_pin}, {"DELETE", endpoint::clear_pin}});
  if (sub == "/pin/generate") return pick(method, {{"POST", endpoint::generate_pin}});
  if (sub == "/enrolment-code") return pick(method, {{"POST", endpoint::enrolment_code}});
  if (sub == "/account") return pick(method, {{"GET", endpoint::get_account}});
  if (sub == "/credit") return pick(method, {{"POST", endpoint::credit}});
  if (sub == "/ledger") return pick(method, {{"GET", endpoint::ledger}});
  if (sub == "/delegates") return pick(method, {{"GET", endpoint::get_delegates}, {"PUT", endpoint::set_delegates}});
  if (sub == "/tokens") return pick(method, {{"GET", endpoint::list_tokens}, {"POST", endpoint::create_token}});
  static constexpr std::string_view tokens = "/tokens/";
  if (sub.substr(0, tokens.size()) == tokens && valid_token_id(sub.substr(tokens.size()))) {
    route_match m = pick(method, {{"DELETE", endpoint::revoke_token}});
    m.token_id = std::string(sub.substr(tokens.size()));
    return m;
  }
  return not_found();
}

}  // namespace

route_match match_route(std::string_view method, std::string_view path) {
  if (!is_admin_api_path(path)) return not_found();
  std::string_view rest = path.substr(api_root.size());
  if (rest == "/whoami") return pick(method, {{"GET", endpoint::whoami}});
  if (rest == "/users") return pick(method, {{"GET", endpoint::list_users}, {"POST", endpoint::create_user}});
  if (rest == "/jobs") return pick(method, {{"GET", endpoint::list_jobs}});
  if (rest == "/queues") return pick(method, {{"GET", endpoint::list_queues}, {"POST", endpoint::create_queue}});
  if (rest == "/print") return pick(method, {{"POST", endpoint::print_document}});
  if (rest == "/terminals")
    return pick(method, {{"GET", endpoint::list_terminals}, {"POST", endpoint::register_terminal}});
  if (rest == "/printers") return pick(method, {{"GET", endpoint::list_printers}, {"POST", endpoint::create_printer}});
  if (rest == "/reports/usage") return pick(method, {{"GET", endpoint::usage_report}});
  if (rest == "/audit") return pick(method, {{"GET", endpoint::audit_log}});
  if (rest == "/prices") return pick(method, {{"GET", endpoint::list_prices}, {"POST", endpoint::create_price_list}});
  if (rest == "/projects")
    return pick(method, {{"GET", endpoint::list_projects}, {"POST", endpoint::create_project}});
  if (rest == "/quotas") return pick(method, {{"GET", endpoint::list_quotas}, {"POST", endpoint::create_quota}});
  if (rest == "/directory") return pick(method, {{"GET", endpoint::get_directory}});
  if (rest == "/directory/sync") return pick(method, {{"POST", endpoint::sync_directory}});
  static constexpr std::string_view prices = "/prices/";
  if (rest.substr(0, prices.size()) == prices)
    return match_fleet_entry(method, rest.substr(prices.size()), price_entries);
  static constexpr std::string_view projects = "/projects/";
  if (rest.substr(0, projects.size()) == projects)
    return match_fleet_entry(method, rest.substr(projects.size()), project_entries);
  static constexpr std::string_view quotas = "/quotas/";
  if (rest.substr(0, quotas.size()) == quotas)
    return match_fleet_entry(method, rest.substr(quotas.size()), quota_entries);
  static constexpr std::string_view printers = "/printers/";
  if (rest.substr(0, printers.size()) == printers) return match_printer(method, rest.substr(printers.size()));
  static constexpr std::string_view queues = "/queues/";
  if (rest.substr(0, queues.size()) == queues) return match_queue(method, rest.substr(queues.size()));
  static constexpr std::string_view jobs = "/jobs/";
  if (rest.substr(0, jobs.size()) == jobs) return match_job(method, rest.substr(jobs.size()));
  static constexpr std::string_view terminals = "/terminals/";
  if (rest.substr(0, terminals.size()) == terminals) return match_terminal(method, rest.substr(terminals.size()));
  static constexpr std::string_view users = "/users/";
  if (rest.substr(0, users.size()) != users) return not_found();
  rest.remove_prefix(users.size());
  size_t slash = rest.find('/');
  std::string_view raw_name = rest.substr(0, slash);
  std::string_view sub = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
  if (raw_name.empty()) return not_found();

  route_match m = match_user_sub(method, sub);
  if (m.status != 0) return m;
  return with_name(std::move(m), raw_name, "user");
}

std::string authority_or(const std::string* host, std::string_view fallback) {
  if (host && !host->empty() && host->size() <= 255) {
    bool ok = true;
    for (char c : *host)
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
            c == ':' || c == '[' || c == ']'))
        ok = false;
    if (ok) return *host;
  }
  return std::string(fallback);
}

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

bool percent_decode(std::string_view in, bool plus_is_space, std::string& out) {
  out.clear();
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return false;  // fewer than two hex digits follow
      int hi = hex_value(in[i + 1]);
      int lo = hex_value(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      char b = static_cast<char>(hi * 16 + lo);
      if (b == '\0') return false;
      out.push_back(b);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return true;
}

std::string percent_encode_segment(std::string_view in) {
  static constexpr char hex[] = "0123456789ABCDEF";
  bool all_dots = !in.empty() && in.size() <= 2 && in.find_first_not_of('.') == std::string_view::npos;
  std::string out;
  out.reserve(in.size() * 3);
  for (char c : in) {
    auto b = static_cast<unsigned char>(c);
    bool unreserved = (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') || b == '-' ||
                      b == '_' || b == '~' || (b == '.' && !all_dots);
    if (unreserved) {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(hex[b >> 4]);
      out.push_back(hex[b & 15]);
    }
  }
  return out;
}

result<std::vector<query_param>> parse_query(std::string_view query) {
  std::vector<query_param> out;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    query_param p;
    if (!percent_decode(pair.substr(0, eq), true, p.name) ||
        (eq != std::string_view::npos && !percent_decode(pair.substr(eq + 1), true, p.value)))
      return error(errc::invalid_argument, "the query string has a malformed %-escape");
    for (const auto& q : out)
      if (q.name == p.name) return error(errc::invalid_argument, "a query parameter is given twice");
    out.push_back(std::move(p));
  }
  return out;
}

bool parse_job_id(std::string_view text, uint64_t& out) noexcept {
  // For an unsigned type from_chars takes digits only (no sign, no space);
  // the whole text must be read.
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v == 0) return false;
  out = v;
  return true;
}

bool valid_queue_name(std::string_view name) noexcept {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
              c == '-';
    if (!ok) return false;
  }
  return true;
}

namespace {

bool parse_limit(const std::string& text, uint32_t max_limit, uint32_t& out) {
  uint32_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size() || n < 1 || n > max_limit) return false;
  out = n;
  return true;
}

}  // namespace

result<job_list_query> parse_job_query(std::string_view query, uint32_t default_limit, uint32_t max_limit) {
  auto bad = [](std::string message) { return error(errc::invalid_argument, std::move(message)); };
  auto q = parse_query(query);
  if (!q.ok()) return q.err();
  job_list_query out;
  out.limit = default_limit;
  for (auto& p : *q) {
    if (p.name == "user") {
      if (auto s = validate_user_name(p.value)) return bad(std::string("user: ").append(s.message));
      out.owner = std::move(p.value);
    } else if (p.name == "queue") {
      if (!valid_queue_name(p.value)) return bad("queue must be 1 to 64 of A-Z a-z 0-9 _ . -");
      out.queue = std::move(p.value);
    } else if (p.name == "which") {
      if (p.value == "active") out.which = job_filter::active;
      else if (p.value == "completed") out.which = job_filter::completed;
      else if (p.value == "all") out.which = job_filter::all;
      else return bad("which must be active, completed or all");
    } else if (p.name == "after") {
      if (!parse_job_id(p.value, out.after)) return bad("after must be a job id (a positive decimal integer)");
    } else if (p.name == "limit") {
      if (!parse_limit(p.value, max_limit, out.limit))
        return bad(std::string("limit must be 1 to ").append(std::to_string(max_limit)));
    } else {
      return bad("unknown query parameter (use user, queue, which, after, limit)");
    }
  }
  return out;
}

result<uint32_t> parse_ledger_query(std::string_view query, uint32_t default_limit, uint32_t max_limit) {
  auto q = parse_query(query);
  if (!q.ok()) return q.err();
  uint32_t limit = default_limit;
  for (const auto& p : *q) {
    if (p.name != "limit") return error(errc::invalid_argument, "unknown query parameter (use limit)");
    if (!parse_limit(p.value, max_limit, limit))
      return error(errc::invalid_argument, "limit must be 1 to " + std::to_string(max_limit));
  }
  return limit;
}

namespace {

// A time in the counters' query: decimal milliseconds, 0 or more.
bool parse_ms(const std::string& text, int64_t& out) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty() || text[0] == '-') return false;
  out = v;
  return true;
}

}  // namespace

result<counters_query> parse_counters_query(std::string_view query, int64_t now_ms) {
  auto bad = [](std::string message) { return error(errc::invalid_argument, std::move(message)); };
  auto q = parse_query(query);
  if (!q.ok()) return q.err();
  counters_query out;
  out.to_ms = now_ms < INT64_MAX ? now_ms + 1 : now_ms;
  out.limit = counters_default_limit;
  for (const auto& p : *q) {
    if (p.name == "from") {
      if (!parse_ms(p.value, out.from_ms)) return bad("from must be milliseconds since the Unix epoch (0 or more)");
    } else if (p.name == "to") {
      if (!parse_ms(p.value, out.to_ms)) return bad("to must be milliseconds since the Unix epoch (0 or more)");
    } else if (p.name == "limit") {
      if (!parse_limit(p.value, counters_max_limit, out.limit))
        return bad("limit must be 1 to " + std::to_string(counters_max_limit));
    } else {
      return bad("unknown query parameter (use from, to, limit)");
    }
  }
  if (out.from_ms >= out.to_ms) return bad("from must be before to");
  return out;
}

}  // namespace quire::web
