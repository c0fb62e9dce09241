// validate(): the merged TOML document -> config. The order is fixed so that
// the first error reported is the most useful one: unknown keys and wrong
// types in the fixed sections first (a typo explains everything after it),
// then their values, then printers (which need the data folder), then queues
// (which need the printers), then raw listeners (which need the queues), then
// quotas and projects (which name only user groups);
// each entry checks its own keys before values. Last, the listeners' addresses
// against each other, since a clash involves keys from several sections.
#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <string_view>
#include <utility>
#include <vector>

#include "config/config_internal.hpp"

namespace quire::detail {

// An absolute, lexically normal path without a trailing slash. Lexical only:
// loading must not depend on (or create) what is on disk.
result<std::string> absolute_path(const std::string& key, const std::string& p,
                                  const std::string& cwd) {
  if (p.find('\0') != std::string::npos) return bad_value(key, "a path cannot contain NUL", p);
  std::filesystem::path path(p);
  if (path.is_relative()) {
    if (cwd.empty())
      return bad_value(key, "a relative path needs the working directory, which is unknown", p);
    path = std::filesystem::path(cwd) / path;
  }
  std::string out = path.lexically_normal().string();
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

namespace {

constexpr int64_t no_limit = std::numeric_limits<int64_t>::max();

status check_kind(const std::string& key, value_kind kind, const toml::node& v) {
  bool ok = false;
  switch (kind) {
    case value_kind::string: ok = v.is_string(); break;
    case value_kind::integer: ok = v.is_integer(); break;
    case value_kind::boolean: ok = v.is_boolean(); break;
    case value_kind::string_array: ok = v.is_array(); break;
  }
  if (!ok) return wrong_type(key, expected_name(kind), v);
  if (kind == value_kind::string_array) {
    const toml::array& a = *v.as_array();
    for (size_t i = 0; i < a.size(); ++i)
      if (!a[i].is_string()) return wrong_type(key + "[" + std::to_string(i) + "]", "a string", a[i]);
  }
  return {};
}

// Reads an integer key into `out` (kept when absent) if it is in [lo, hi].
template <class Int>
status read_int(const toml::table& t, const char* section, const char* key, int64_t lo,
                int64_t hi, Int& out) {
  const auto* v = t.get_as<int64_t>(key);
  if (v == nullptr) return {};
  int64_t n = v->get();
  if (n < lo || n > hi) {
    std::string problem = hi == no_limit
                              ? "must be at least " + std::to_string(lo)
                              : "must be between " + std::to_string(lo) + " and " + std::to_string(hi);
    return bad_value(std::string(section) + "." + key, problem, std::to_string(n));
  }
  out = static_cast<Int>(n);
  return {};
}

status read_server(const toml::table& t, const std::string& cwd, server_config& out) {
  std::string dir = string_or(t, "data_dir", "data");
  if (dir.empty()) return bad_value("server.data_dir", "must not be empty", dir);
  // The folder is substituted for ${data_dir} in device URIs; a '$' in it
  // could form a new reference and break the round trip of to_toml().
  if (dir.find('$') != std::string::npos)
    return bad_value("server.data_dir", "must not contain '$'", dir);
  auto abs = absolute_path("server.data_dir", dir, cwd);
  if (!abs) return abs.err();
  out.data_dir = std::move(abs).value();
  out.user = string_or(t, "user", out.user);
  out.name = string_or(t, "name", out.name);
  if (out.name.empty()) return bad_value("server.name", "must not be empty", out.name);
  return {};
}

status read_log(const toml::table& t, const std::string& cwd, log_config& out) {
  out.level = string_or(t, "level", out.level);
  static constexpr std::string_view levels[] = {"trace", "debug", "info", "warn", "error", "off"};
  if (std::find(std::begin(levels), std::end(levels), out.level) == std::end(levels))
    return bad_value("log.level", "expected one of trace, debug, info, warn, error, off", out.level);
  out.file = string_or(t, "file", out.file);
  if (!out.file.empty()) {
    auto abs = absolute_path("log.file", out.file, cwd);
    if (!abs) return abs.err();
    out.file = std::move(abs).value();
  }
  return {};
}

// [ipp] and [lpd] share their listener keys.
template <class Listener>
status read_listener(const toml::table& t, const char* section, const char* default_listen,
                     Listener& out) {
  if (const auto* v = t.get_as<bool>("enabled")) out.enabled = v->get();
  auto ep = parse_listen(std::string(section) + ".listen", string_or(t, "listen", default_listen));
  if (!ep) return ep.err();
  out.listen = std::move(ep).value();
  return {};
}

status read_lpd(const toml::table& t, lpd_config& out) {
  if (status s = read_listener(t, "lpd", "127.0.0.1:8515", out)) return s;
  return read_int(t, "lpd", "max_control_bytes", 1024, 1 << 20, out.max_control_bytes);
}

// An ordered list of identity sources: each a known word, listed once.
status read_sources(const toml::table& t, const char* key, std::vector<identity_source>& out) {
  const auto* list = t.get_as<toml::array>(key);
  if (list == nullptr) return {};
  std::string full = std::string("intake.") + key;
  std::vector<std::string> words;
  for (const toml::node& n : *list) words.push_back(n.as_string()->get());
  if (words.empty())
    return bad_value(full, "expected at least one of pjl, dsc, control", array_text(words));
  static constexpr identity_source all[] = {identity_source::pjl, identity_source::dsc,
                                            identity_source::control};
  out.clear();
  for (const std::string& w : words) {
    auto named = [&](identity_source s) { return w == to_string(s); };
    const identity_source* s = std::find_if(std::begin(all), std::end(all), named);
    if (s == std::end(all)) return bad_value(full, "expected pjl, dsc or control", w);
    if (std::find(out.begin(), out.end(), *s) != out.end())
      return invalid(full + ": '" + w + "' is listed twice");
    out.push_back(*s);
  }
  return {};
}

status read_intake(const toml::table& t, intake_config& out) {
  if (status s = read_sources(t, "user_from", out.user_from)) return s;
  if (status s = read_sources(t, "name_from", out.name_from)) return s;
  if (const auto* v = t.get_as<bool>("known_users_only")) out.known_users_only = v->get();
  std::string action = string_or(t, "unknown_user", "host");
  if (action == "host") {
    out.unknown_user = unknown_user_action::host;
  } else if (action == "reject") {
    out.unknown_user = unknown_user_action::reject;
  } else {
    return bad_value("intake.unknown_user", "expected host or reject", action);
  }
  return {};
}

// Whether `a` and `b` cannot both be bound: the same non-zero port on
// addresses that overlap. libuv binds [::] dual-stack, so it covers every
// IPv4 address too; 0.0.0.0 covers every IPv4 address; an IPv4-mapped IPv6
// address is its IPv4 address.
bool overlaps(const endpoint& a, const endpoint& b) {
  if (a.port != b.port || a.port == 0) return false;
  auto v4 = [](std::string_view host) -> std::string_view {
    constexpr std::string_view mapped = "::ffff:";
    if (host.starts_with(mapped) && host.find('.') != std::string_view::npos)
      return host.substr(mapped.size());
    return host.find(':') == std::string_view::npos ? host : std::string_view();
  };
  std::string_view a4 = v4(a.host), b4 = v4(b.host);
  if (a.host == "::" || b.host == "::") return true;
  if (!a4.empty() && !b4.empty()) return a4 == b4 || a4 == "0.0.0.0" || b4 == "0.0.0.0";
  return a.host == b.host;
}

// Two enabled listeners on the same port must not overlap: the second bind
// would fail at start-up with a message that names only one of them.
status check_listeners(const config& c) {
  std::vector<std::pair<std::string, const endpoint*>> bound;
  if (c.ipp.enabled) bound.emplace_back("ipp.listen", &c.ipp.listen);
  if (c.lpd.enabled) bound.emplace_back("lpd.listen", &c.lpd.listen);
  for (const raw_listener_config& r : c.raw) bound.emplace_back("raw." + r.name + ".listen", &r.listen);
  for (size_t i = 0; i < bound.size(); ++i)
    for (size_t k = 0; k < i; ++k)
      if (overlaps(*bound[k].second, *bound[i].second))
        return invalid(bound[i].first + ": " + bound[i].second->to_string() + " overlaps " +
                       bound[k].first + " (" + bound[k].second->to_string() +
                       "); each listener needs a port of its own (0 picks a free one)");
  return {};
}

// The two files come together: a certificate is useless without its key.
status read_tls(const toml::table& t, const std::string& cwd, tls_config& out) {
  if (const auto* v = t.get_as<bool>("enabled")) out.enabled = v->get();
  out.certificate = string_or(t, "certificate", out.certificate);
  out.private_key = string_or(t, "private_key", out.private_key);
  if (out.certificate.empty() != out.private_key.empty())
    return out.certificate.empty() ? invalid("tls.certificate: must be set when tls.private_key is")
                                   : invalid("tls.private_key: must be set when tls.certificate is");
  auto resolve = [&](const char* key, std::string& path) -> status {
    if (path.empty()) return {};
    auto abs = absolute_path(key, path, cwd);
    if (!abs) return abs.err();
    path = std::move(abs).value();
    return {};
  };
  if (status s = resolve("tls.certificate", out.certificate)) return s;
  return resolve("tls.private_key", out.private_key);
}

// The metrics token is a secret: no message quotes it.
status read_api(const toml::table& t, api_config& out) {
  if (const auto* v = t.get_as<bool>("allow_plain_loopback")) out.allow_plain_loopback = v->get();
  if (status s = read_int(t, "api", "audit_days", 1, 3660, out.audit_days)) return s;
  out.metrics_token = string_or(t, "metrics_token", out.metrics_token);
  const std::string& token = out.metrics_token;
  bool visible = std::all_of(token.begin(), token.end(), [](char c) { return c > 0x20 && c < 0x7F; });
  if (!token.empty() && (token.size() < 16 || token.size() > 256 || !visible))
    return invalid("api.metrics_token: must be \"\" or 16 to 256 visible ASCII characters, no spaces "
                   "(the value is a secret: not shown)");
  return {};
}

status read_limits(const toml::table& t, limits_config& out) {
  constexpr int64_t mib16 = 16 << 20;
  if (status s = read_int(t, "limits", "max_document_bytes", 1, no_limit, out.max_document_bytes))
    return s;
  if (status s = read_int(t, "limits", "max_ipp_attributes_bytes", 1024, mib16,
                          out.max_ipp_attributes_bytes))
    return s;
  if (status s = read_int(t, "limits", "inline_document_bytes", 0, mib16, out.inline_document_bytes))
    return s;
  if (status s = read_int(t, "limits", "request_timeout_ms", 100, 3600000, out.request_timeout_ms))
    return s;
  if (status s = read_int(t, "limits", "idle_timeout_ms", 100, 86400000, out.idle_timeout_ms))
    return s;
  if (status s = read_int(t, "limits", "max_connections", 1, 1000000, out.max_connections)) return s;
  if (status s = read_int(t, "limits", "min_free_disk_bytes", 0, no_limit, out.min_free_disk_bytes)) return s;
  if (status s = read_int(t, "limits", "max_jobs_per_user", 0, no_limit, out.max_jobs_per_user)) return s;
  if (status s = read_int(t, "limits", "max_bytes_per_user", 0, no_limit, out.max_bytes_per_user)) return s;
  if (status s = read_int(t, "limits", "user_submissions_per_minute", 0, 1000000, out.user_submissions_per_minute))
    return s;
  return read_int(t, "limits", "host_submissions_per_minute", 0, 1000000, out.host_submissions_per_minute);
}

status read_jobs(const toml::table& t, jobs_config& out) {
  if (status s = read_int(t, "jobs", "held_expiry_s", 1, no_limit, out.held_expiry_s)) return s;
  if (status s = read_int(t, "jobs", "history_s", 0, no_limit, out.history_s)) return s;
  return read_int(t, "jobs", "reprint_s", 0, 30ull * 86400, out.reprint_s);
}

status read_processors(const toml::table& t, processors_config& out) {
  if (const auto* v = t.get_as<bool>("enabled")) out.enabled = v->get();
  if (status s = read_int(t, "processors", "count", 0, 256, out.count)) return s;
  if (status s = read_int(t, "processors", "timeout_ms", 100, 3600000, out.timeout_ms)) return s;
  if (status s = read_int(t, "processors", "convert_timeout_ms", 100, 3600000, out.convert_timeout_ms)) return s;
  if (status s = read_int(t, "processors", "memory_bytes", 64ull << 20, no_limit, out.memory_bytes)) return s;
  if (const auto* v = t.get_as<std::string>("run_as")) out.run_as = v->get();
  return {};
}

status read_delivery(const toml::table& t, delivery_config& out) {
  if (status s = read_int(t, "delivery", "connect_timeout_ms", 100, 600000, out.connect_timeout_ms)) return s;
  if (status s = read_int(t, "delivery", "progress_timeout_ms", 100, 3600000, out.progress_timeout_ms)) return s;
  if (status s = read_int(t, "delivery", "ack_timeout_ms", 100, 3600000, out.ack_timeout_ms)) return s;
  if (status s = read_int(t, "delivery", "retries", 0, 100, out.retries)) return s;
  if (status s = read_int(t, "delivery", "backoff_ms", 0, 600000, out.backoff_ms)) return s;
  if (status s = read_int(t, "delivery", "ipp_poll_ms", 100, 600000, out.ipp_poll_ms)) return s;
  return read_int(t, "delivery", "job_timeout_s", 1, 604800, out.job_timeout_s);
}

status read_accounting(const toml::table& t, accounting_config& out) {
  out.currency = string_or(t, "currency", out.currency);
  bool code = out.currency.size() == 3 &&
              std::all_of(out.currency.begin(), out.currency.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
  if (!code) return bad_value("accounting.currency", "expected an ISO 4217 code like EUR", out.currency);
  if (status s = read_int(t, "accounting", "minor_digits", 0, 4, out.minor_digits)) return s;
  if (const auto* v = t.get_as<bool>("prepaid")) out.prepaid = v->get();
  if (status s = read_int(t, "accounting", "initial_credit", 0, pdl::max_rate, out.initial_credit)) return s;
  return read_groups(t, "unlimited_groups", "accounting.unlimited_groups", false, out.unlimited_groups);
}

status read_terminals(const toml::table& t, terminals_config& out) {
  if (status s = read_int(t, "terminals", "session_idle_s", 10, 3600, out.session_idle_s)) return s;
  // A PIN alone names its user, so a short one is a guess away from someone's jobs.
  if (status s = read_int(t, "terminals", "pin_login_min_digits", 4, 16, out.pin_login_min_digits)) return s;
  if (status s = read_int(t, "terminals", "max_login_failures", 1, 100, out.max_login_failures)) return s;
  if (const auto* v = t.get_as<bool>("card_enrolment")) out.card_enrolment = v->get();
  if (status s = read_int(t, "terminals", "enrolment_code_s", 60, 86400, out.enrolment_code_s)) return s;
  return read_int(t, "terminals", "lockout_s", 1, 86400, out.lockout_s);
}

status read_monitoring(const toml::table& t, monitoring_config& out) {
  if (const auto* v = t.get_as<bool>("enabled")) out.enabled = v->get();
  if (status s = read_int(t, "monitoring", "interval_s", 5, 86400, out.interval_s)) return s;
  if (status s = read_int(t, "monitoring", "busy_interval_s", 1, 86400, out.busy_interval_s)) return s;
  if (status s = read_int(t, "monitoring", "jitter_percent", 0, 50, out.jitter_percent)) return s;
  if (status s = read_int(t, "monitoring", "timeout_ms", 50, 60000, out.timeout_ms)) return s;
  if (status s = read_int(t, "monitoring", "retries", 0, 10, out.retries)) return s;
  if (status s = read_int(t, "monitoring", "offline_after", 1, 100, out.offline_after)) return s;
  if (status s = read_int(t, "monitoring", "max_backoff_s", 5, 86400, out.max_backoff_s)) return s;
  out.community = string_or(t, "community", out.community);
  if (status s = check_snmp_community("monitoring.community", out.community)) return s;
  out.version = string_or(t, "version", out.version);
  if (status s = check_snmp_version("monitoring.version", out.version)) return s;
  if (status s = read_int(t, "monitoring", "low_percent", 0, 100, out.low_percent)) return s;
  if (status s = read_int(t, "monitoring", "max_rows", 1, 1024, out.max_rows)) return s;
  if (status s = read_int(t, "monitoring", "snapshot_s", 60, 86400, out.snapshot_s)) return s;
  return read_int(t, "monitoring", "snapshot_days", 1, 3650, out.snapshot_days);
}

// Storage's validate_user_name rule, which quire_config cannot call (it does
// not link quire_storage): 1 to 64 characters, no C0, DEL or C1 control
// character. TOML strings are UTF-8 already; is_valid_utf8 keeps the count
// honest for a value that is not.
bool valid_group_name(std::string_view name) {
  size_t chars = 0;
  for (size_t i = 0; i < name.size(); ++i) {
    auto c = static_cast<unsigned char>(name[i]);
    if (c < 0x20 || c == 0x7F) return false;
    // U+0080..U+009F is 0xC2 0x80..0x9F.
    if (c == 0xC2 && i + 1 < name.size() && static_cast<unsigned char>(name[i + 1]) <= 0x9F) return false;
    if ((c & 0xC0) != 0x80) ++chars;
  }
  return chars >= 1 && chars <= 64 && is_valid_utf8(name);
}

}  // namespace

status check_table(const toml::table& t, std::string_view schema_table, const std::string& prefix) {
  for (auto&& [name, node] : t) {
    std::string key = prefix + "." + std::string(name.str());
    const key_spec* spec = find_key(schema_table, name.str());
    if (spec == nullptr) return invalid("unknown key '" + key + "'");
    if (status s = check_kind(key, spec->kind, node)) return s;
  }
  return {};
}

std::string string_or(const toml::table& t, std::string_view key, std::string fallback) {
  if (const auto* v = t.get_as<std::string>(key)) return v->get();
  return fallback;
}

status read_groups(const toml::table& t, std::string_view key, const std::string& full_key,
                   bool allow_everyone, std::vector<std::string>& out, const char* noun) {
  const auto* list = t.get_as<toml::array>(key);
  if (list == nullptr) return {};
  out.clear();
  for (const toml::node& n : *list) {
    const std::string& name = n.as_string()->get();
    // Only a quota needs "every user" spelled out: elsewhere an empty list
    // says it, and "*" would silently match a group of that name instead.
    if (name == "*" && !allow_everyone)
      return bad_value(full_key, "'*' (every user) is only for quotas.<name>.groups", name);
    if (!valid_group_name(name))
      return bad_value(full_key, std::string("a ") + noun + " name must be 1 to 64 characters without control characters",
                       name);
    if (std::find(out.begin(), out.end(), name) != out.end())
      return invalid(full_key + ": " + noun + " '" + name + "' is listed twice");
    out.push_back(name);
  }
  return {};
}

result<config> validate(const toml::table& doc, const std::string& cwd) {
  for (auto&& [name, node] : doc) {
    std::string section(name.str());
    if (!is_fixed_section(section) && !is_named_section(section))
      return invalid("unknown key '" + section + "'");
    if (!node.is_table()) return wrong_type(section, "a table", node);
    if (is_fixed_section(section))
      if (status s = check_table(*node.as_table(), section, section)) return s;
  }
  // Sections are never absent after the merge with the defaults, but one a
  // --set replaced by {} must read as all defaults, and so does a missing one.
  static const toml::table empty;
  auto section = [&](std::string_view name) -> const toml::table& {
    const toml::table* t = doc.get_as<toml::table>(name);
    return t != nullptr ? *t : empty;
  };
  config c;
  if (status s = read_server(section("server"), cwd, c.server)) return s;
  if (status s = read_log(section("log"), cwd, c.log)) return s;
  if (status s = read_listener(section("ipp"), "ipp", "127.0.0.1:8631", c.ipp)) return s;
  if (status s = read_tls(section("tls"), cwd, c.tls)) return s;
  if (status s = read_api(section("api"), c.api)) return s;
  if (status s = read_lpd(section("lpd"), c.lpd)) return s;
  if (status s = read_intake(section("intake"), c.intake)) return s;
  if (const auto* v = section("privacy").get_as<bool>("mask_other_users")) c.privacy.mask_other_users = v->get();
  if (status s = read_limits(section("limits"), c.limits)) return s;
  if (status s = read_jobs(section("jobs"), c.jobs)) return s;
  if (status s = read_processors(section("processors"), c.processors)) return s;
  if (status s = read_delivery(section("delivery"), c.delivery)) return s;
  if (status s = read_accounting(section("accounting"), c.accounting)) return s;
  if (status s = read_terminals(section("terminals"), c.terminals)) return s;
  if (status s = read_monitoring(section("monitoring"), c.monitoring)) return s;
  if (status s = read_directory(section("directory"), cwd, c.directory)) return s;
  if (status s = read_mail(section("mail"), cwd, c.mail)) return s;
  if (status s = read_pins(section("pins"), c.pins)) return s;
  if (status s = read_prices(doc.get_as<toml::table>("prices"), c.prices)) return s;
  if (status s = read_printers(doc.get_as<toml::table>("printers"), c.server.data_dir, c.prices, c.printers))
    return s;
  if (status s = read_queues(doc.get_as<toml::table>("queues"), c.printers, c.queues)) return s;
  if (status s = read_raw(doc.get_as<toml::table>("raw"), c.queues, c.raw)) return s;
  if (status s = read_quotas(doc.get_as<toml::table>("quotas"), c.quotas)) return s;
  if (status s = read_projects(doc.get_as<toml::table>("projects"), c.projects)) return s;
  if (status s = check_listeners(c)) return s;
  return c;
}

}  // namespace quire::detail
