#include "web/quirectl_cli.hpp"

#include <nlohmann/json.hpp>

#include <arpa/inet.h>

#include <charconv>

#include "storage/credentials.hpp"
#include "storage/users.hpp"
#include "web/api_request.hpp"

namespace quire::quirectl {

namespace {

error usage(std::string message) { return error(errc::invalid_argument, std::move(message)); }

enum class scope {
  global, add, set, add_set, groups, no_groups, list, user_list, jobs_list, credit, delegates, tokens_add, report,
  printer_fields, queue_fields, fleet_text, reprint,  // quirectl_cli_fleet.cpp
  price_fields, price_set, project_fields,             // quirectl_cli_prices.cpp
  quota_fields, quota_set,                             // quirectl_cli_prices.cpp too
  directory_sync,                                      // quirectl_cli_directory.cpp
};

struct option_spec {
  const char* name;
  bool takes_value;
  scope where;
};

constexpr option_spec options[] = {
    {"--server", true, scope::global},         {"--user", true, scope::global},
    {"--password-file", true, scope::global},  {"--cacert", true, scope::global},
    {"--insecure", false, scope::global},      {"--json", false, scope::global},
    {"--help", false, scope::global},          {"--display-name", true, scope::add_set},
    {"--group", true, scope::groups},          {"--admin", false, scope::add_set},
    {"--disabled", false, scope::add},         {"--password-stdin", false, scope::add},
    {"--no-groups", false, scope::no_groups},  {"--no-admin", false, scope::set},
    {"--disable", false, scope::set},          {"--enable", false, scope::set},
    {"--after", true, scope::user_list},       {"--limit", true, scope::list},
    {"--owner", true, scope::jobs_list},       {"--queue", true, scope::jobs_list},
    {"--which", true, scope::jobs_list},       {"--adjust", false, scope::credit},
    {"--note", true, scope::credit},           {"--none", false, scope::delegates},
    {"--token-file", true, scope::global},     {"--days", true, scope::tokens_add},
    {"--from", true, scope::report},           {"--to", true, scope::report},
    {"--by", true, scope::report},             {"--csv", false, scope::report},
    {"--uri", true, scope::printer_fields},    {"--model", true, scope::printer_fields},
    {"--language", true, scope::printer_fields}, {"--price-list", true, scope::printer_fields},
    {"--location", true, scope::fleet_text},   {"--info", true, scope::fleet_text},
    {"--type", true, scope::queue_fields},     {"--printers", true, scope::queue_fields},
    {"--auth", false, scope::queue_fields},    {"--no-auth", false, scope::queue_fields},
    {"--failover", false, scope::queue_fields}, {"--no-failover", false, scope::queue_fields},
    {"--printer", true, scope::reprint},
    {"--per", true, scope::price_fields},      {"--mono", true, scope::price_fields},
    {"--colour", true, scope::price_fields},   {"--duplex-mono", true, scope::price_fields},
    {"--duplex-colour", true, scope::price_fields}, {"--size", true, scope::price_fields},
    {"--mono-only", false, scope::price_fields}, {"--no-sizes", false, scope::price_set},
    {"--no-mono-only", false, scope::price_set}, {"--description", true, scope::project_fields},
    {"--sheets", true, scope::quota_fields},   {"--period", true, scope::quota_fields},
    {"--member", true, scope::quota_fields},   {"--no-members", false, scope::quota_set},
    {"--full", false, scope::directory_sync},  {"--wait", false, scope::directory_sync},
};

bool applies(scope where, action what) {
  switch (where) {
    case scope::global: return true;
    case scope::add: return what == action::user_add;
    case scope::set: return what == action::user_set;
    case scope::add_set: return what == action::user_add || what == action::user_set;
    case scope::groups:
      return what == action::user_add || what == action::user_set || what == action::projects_add ||
             what == action::projects_set || what == action::quotas_add || what == action::quotas_set;
    case scope::no_groups:
      return what == action::user_set || what == action::projects_set || what == action::quotas_set;
    case scope::list:
      return what == action::user_list || what == action::jobs_list || what == action::ledger ||
             what == action::printers_counters;
    case scope::user_list: return what == action::user_list;
    case scope::jobs_list: return what == action::jobs_list;
    case scope::credit: return what == action::credit;
    case scope::delegates: return what == action::delegates_show || what == action::delegates_set;
    case scope::tokens_add: return what == action::tokens_add;
    case scope::report: return what == action::report;
    case scope::printer_fields: return what == action::printers_add || what == action::printers_set;
    case scope::queue_fields: return what == action::queues_add || what == action::queues_set;
    case scope::fleet_text:
      return what == action::printers_add || what == action::printers_set || what == action::queues_add ||
             what == action::queues_set;
    case scope::reprint: return what == action::jobs_reprint;
    case scope::price_fields: return what == action::prices_add || what == action::prices_set;
    case scope::price_set: return what == action::prices_set;
    case scope::project_fields: return what == action::projects_add || what == action::projects_set;
    case scope::quota_fields: return what == action::quotas_add || what == action::quotas_set;
    case scope::quota_set: return what == action::quotas_set;
    case scope::directory_sync: return what == action::directory_sync;
  }
  return false;
}

struct given_option {
  const option_spec* spec;
  std::string value;
};

// The command words, and the number of NAME arguments it takes.
result<action> match_command(const std::vector<std::string>& words, size_t& consumed) {
  auto is = [&](std::initializer_list<const char*> w) {
    if (words.size() < w.size()) return false;
    size_t i = 0;
    for (const char* s : w)
      if (words[i++] != s) return false;
    consumed = w.size();
    return true;
  };
  if (words.empty() || is({"help"})) return action::help;
  if (is({"whoami"})) return action::whoami;
  if (is({"user", "list"})) return action::user_list;
  if (is({"user", "show"})) return action::user_show;
  if (is({"user", "add"})) return action::user_add;
  if (is({"user", "set"})) return action::user_set;
  if (is({"user", "passwd"})) return action::user_passwd;
  if (is({"user", "card", "add"})) return action::user_card_add;
  if (is({"user", "card", "del"})) return action::user_card_del;
  if (is({"user", "pin", "set"})) return action::user_pin_set;
  if (is({"user", "pin", "clear"})) return action::user_pin_clear;
  if (is({"user", "pin", "mail"})) return action::user_pin_mail;
  if (is({"user", "del"})) return action::user_del;
  if (is({"jobs", "list"})) return action::jobs_list;
  if (is({"jobs", "show"})) return action::jobs_show;
  if (is({"jobs", "reprint"})) return action::jobs_reprint;
  if (is({"printers", "list"})) return action::printers_list;
  if (is({"printers", "show"})) return action::printers_show;
  if (is({"printers", "counters"})) return action::printers_counters;
  if (is({"printers", "add"})) return action::printers_add;
  if (is({"printers", "set"})) return action::printers_set;
  if (is({"printers", "remove"})) return action::printers_remove;
  if (is({"printers"})) return action::printers_list;
  if (is({"queues", "list"})) return action::queues_list;
  if (is({"queues", "show"})) return action::queues_show;
  if (is({"queues", "add"})) return action::queues_add;
  if (is({"queues", "set"})) return action::queues_set;
  if (is({"queues", "remove"})) return action::queues_remove;
  if (is({"queues"})) return action::queues_list;
  if (is({"prices", "list"})) return action::prices_list;
  if (is({"prices", "show"})) return action::prices_show;
  if (is({"prices", "add"})) return action::prices_add;
  if (is({"prices", "set"})) return action::prices_set;
  if (is({"prices", "remove"})) return action::prices_remove;
  if (is({"prices"})) return action::prices_list;
  if (is({"projects", "list"})) return action::projects_list;
  if (is({"projects", "show"})) return action::projects_show;
  if (is({"projects", "add"})) return action::projects_add;
  if (is({"projects", "set"})) return action::projects_set;
  if (is({"projects", "remove"})) return action::projects_remove;
  if (is({"projects"})) return action::projects_list;
  if (is({"quotas", "list"})) return action::quotas_list;
  if (is({"quotas", "show"})) return action::quotas_show;
  if (is({"quotas", "add"})) return action::quotas_add;
  if (is({"quotas", "set"})) return action::quotas_set;
  if (is({"quotas", "remove"})) return action::quotas_remove;
  if (is({"quotas"})) return action::quotas_list;
  if (is({"tokens", "list"})) return action::tokens_list;
  if (is({"tokens", "add"})) return action::tokens_add;
  if (is({"tokens", "revoke"})) return action::tokens_revoke;
  if (is({"report"})) return action::report;
  if (is({"directory", "status"})) return action::directory_status;
  if (is({"directory", "sync"})) return action::directory_sync;
  if (is({"directory"})) return action::directory_status;
  if (is({"account"})) return action::account;
  if (is({"credit"})) return action::credit;
  if (is({"ledger"})) return action::ledger;
  if (is({"delegates"})) return action::delegates_show;  // delegates_set when NAMEs follow
  if (is({"terminals", "list"})) return action::terminals_list;
  if (is({"terminals", "add"})) return action::terminals_add;
  if (is({"terminals", "revoke"})) return action::terminals_revoke;
  std::string said;
  for (size_t i = 0; i < words.size() && i < 3; ++i) said += (i ? " " : "") + words[i];
  return usage("unknown command '" + said + "'");
}

status apply_option(invocation& inv, const given_option& o) {
  std::string_view n = o.spec->name;
  if (is_fleet_option(n)) return apply_fleet_option(inv, n, o.value);
  if (is_price_option(n)) return apply_price_option(inv, n, o.value);
  auto once = [&](std::string& field) -> status {
    if (!field.empty()) return usage(std::string(n) + " is given twice");
    if (o.value.empty()) return usage(std::string(n) + " needs a non-empty value");
    field = o.value;
    return {};
  };
  auto flag = [&](std::optional<bool>& field, bool v) -> status {
    if (field && *field != v) return usage(std::string(n) + " contradicts an earlier option");
    field = v;
    return {};
  };
  if (n == "--server") return once(inv.server);
  if (n == "--user") return once(inv.user);
  if (n == "--password-file") return once(inv.password_file);
  if (n == "--token-file") return once(inv.token_file);
  if (n == "--from") return once(inv.from);
  if (n == "--to") return once(inv.to);
  if (n == "--by") return once(inv.by);
  if (n == "--csv") return inv.csv = true, status{};
  if (n == "--full") return inv.full = true, status{};
  if (n == "--wait") return inv.wait = true, status{};
  if (n == "--days") {
    uint32_t v = 0;
    auto [end, ec] = std::from_chars(o.value.data(), o.value.data() + o.value.size(), v);
    if (ec != std::errc() || end != o.value.data() + o.value.size() || v < 1 || v > 3650)
      return usage("--days must be a whole number from 1 to 3650");
    inv.days = v;
    return {};
  }
  if (n == "--cacert") return once(inv.cacert);
  if (n == "--insecure") return inv.insecure = true, status{};
  if (n == "--json") return inv.json = true, status{};
  if (n == "--display-name") {
    if (inv.display_name) return usage("--display-name is given twice");
    inv.display_name = o.value;
    return {};
  }
  if (n == "--group") {
    if (o.value.empty()) return usage("--group needs a non-empty value");
    inv.groups.push_back(o.value);
    inv.groups_given = true;
    return {};
  }
  if (n == "--no-groups") return inv.groups_given = true, status{};
  if (n == "--admin") return flag(inv.admin, true);
  if (n == "--no-admin") return flag(inv.admin, false);
  if (n == "--disabled" || n == "--disable") return flag(inv.disabled, true);
  if (n == "--enable") return flag(inv.disabled, false);
  if (n == "--password-stdin") return inv.password_stdin = true, status{};
  if (n == "--adjust") return inv.adjust = true, status{};
  if (n == "--none") return {};  // finish_accounting
  if (n == "--note") {
    if (inv.note) return usage("--note is given twice");
    inv.note = o.value;
    return {};
  }
  if (n == "--after") return once(inv.after);
  if (n == "--owner") return once(inv.owner);
  if (n == "--queue") return once(inv.queue);
  if (n == "--which") {
    if (o.value != "active" && o.value != "completed" && o.value != "all")
      return usage("--which must be active, completed or all");
    return once(inv.which);
  }
  if (n == "--limit") {
    uint32_t v = 0;
    auto [end, ec] = std::from_chars(o.value.data(), o.value.data() + o.value.size(), v);
    uint32_t max = max_limit_of(inv.what);
    if (ec != std::errc() || end != o.value.data() + o.value.size() || v < 1 || v > max)
      return usage("--limit must be a number from 1 to " + std::to_string(max));
    if (inv.limit) return usage("--limit is given twice");
    inv.limit = v;
    return {};
  }
  return usage("unknown option " + std::string(n));
}

// Splits the arguments into command words and options (with their values).
status scan(const std::vector<std::string>& args, std::vector<std::string>& words, std::vector<given_option>& given) {
  bool options_end = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    bool negative_number = a.size() >= 2 && a[0] == '-' && a[1] >= '0' && a[1] <= '9';  // credit's -1.25
    if (options_end || a.size() < 2 || a[0] != '-' || negative_number) {
      words.push_back(a);
      continue;
    }
    if (a == "--") {
      options_end = true;
      continue;
    }
    size_t eq = a.find('=');
    std::string name = a == "-h" ? std::string("--help") : a.substr(0, eq);
    const option_spec* spec = nullptr;
    for (const auto& o : options)
      if (name == o.name) spec = &o;
    if (!spec) return usage("unknown option " + (a.rfind("--", 0) == 0 ? name : std::string("'") + a + "'"));
    given_option g{spec, {}};
    if (spec->takes_value) {
      if (eq != std::string::npos) {
        g.value = a.substr(eq + 1);
      } else if (i + 1 < args.size()) {
        g.value = args[++i];
      } else {
        return usage(name + " needs a value");
      }
    } else if (eq != std::string::npos) {
      return usage(name + " takes no value");
    }
    given.push_back(std::move(g));
  }
  return {};
}

status apply_options(invocation& inv, const std::vector<given_option>& given) {
  for (const auto& g : given) {
    if (!applies(g.spec->where, inv.what)) return usage(std::string(g.spec->name) + " does not apply to this command");
    if (auto s = apply_option(inv, g)) return s;
  }
  if (inv.insecure && !inv.cacert.empty()) return usage("--insecure and --cacert contradict each other");
  return {};
}

// parse_command_line for the accounting commands (quirectl_cli_accounting.cpp).
result<invocation> parse_accounting(invocation& inv, const std::vector<std::string>& words, size_t consumed,
                                    const std::vector<given_option>& given) {
  if (auto s = take_accounting_words(inv, std::vector<std::string>(words.begin() + consumed, words.end()))) return s;
  if (auto s = apply_options(inv, given)) return s;
  bool none = false;
  for (const auto& g : given) none = none || std::string_view(g.spec->name) == "--none";
  if (auto s = finish_accounting(inv, none)) return s;
  return inv;
}

// parse_command_line for the price-list, project and quota commands
// (quirectl_cli_prices.cpp): "--no-sizes", "--no-groups" and "--no-members"
// contradict the options that give sizes, groups and users.
result<invocation> parse_prices(invocation& inv, const std::vector<std::string>& words, size_t consumed,
                                std::vector<given_option> given) {
  if (auto s = take_price_words(inv, std::vector<std::string>(words.begin() + consumed, words.end()))) return s;
  if (auto s = apply_options(inv, given)) return s;
  for (const auto& g : given) {
    std::string_view n = g.spec->name;
    if (n == "--no-sizes" && !inv.sizes.empty()) return usage("--no-sizes contradicts --size");
    if (n == "--no-groups" && !inv.groups.empty()) return usage("--no-groups contradicts --group");
    if (n == "--no-members" && !inv.quota_users.empty()) return usage("--no-members contradicts --member");
  }
  if (auto s = finish_prices(inv)) return s;
  return inv;
}

// parse_command_line for the printer commands (quirectl_cli_printers.cpp).
result<invocation> parse_printers(invocation& inv, const std::vector<std::string>& words, size_t consumed,
                                  const std::vector<given_option>& given) {
  if (auto s = take_printer_words(inv, std::vector<std::string>(words.begin() + consumed, words.end()))) return s;
  if (auto s = apply_options(inv, given)) return s;
  return inv;
}

}  // namespace

result<invocation> parse_command_line(const std::vector<std::string>& args) {
  std::vector<std::string> words;
  std::vector<given_option> given;
  if (auto s = scan(args, words, given)) return s;

  invocation inv;
  for (const auto& g : given)
    if (std::string_view(g.spec->name) == "--help") return inv;  // what = help

  size_t consumed = 0;
  auto what = match_command(words, consumed);
  if (!what.ok()) return what.err();
  inv.what = *what;
  if (inv.what >= action::account) return parse_accounting(inv, words, consumed, given);
  if (is_printer_action(inv.what)) return parse_printers(inv, words, consumed, given);
  if (is_price_action(inv.what)) return parse_prices(inv, words, consumed, given);
  if (is_fleet_action(inv.what)) {
    if (auto s = take_fleet_words(inv, std::vector<std::string>(words.begin() + consumed, words.end()))) return s;
    if (auto s = apply_options(inv, given)) return s;
    if (auto s = finish_fleet(inv)) return s;
    return inv;
  }
  if (inv.what == action::report) {
    if (words.size() > consumed) return usage("unexpected argument '" + words[consumed] + "'");
    if (auto s = apply_options(inv, given)) return s;
    // The server checks the values; the query carries them as typed.
    for (const std::string* v : {&inv.from, &inv.to, &inv.by})
      for (char c : *v)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || c == '-'))
          return usage("--from and --to are YYYY-MM-DD, --by a word such as printer");
    return inv;
  }
  if (is_directory_action(inv.what)) {
    if (auto s = take_directory_words(inv, std::vector<std::string>(words.begin() + consumed, words.end()))) return s;
    if (auto s = apply_options(inv, given)) return s;
    return inv;
  }
  if (is_token_action(inv.what)) {
    if (auto s = take_token_words(inv, std::vector<std::string>(words.begin() + consumed, words.end()))) return s;
    if (auto s = apply_options(inv, given)) return s;
    return inv;
  }
  bool takes_name = inv.what != action::help && inv.what != action::whoami && inv.what != action::user_list &&
                    inv.what != action::jobs_list;
  size_t want = consumed + (takes_name ? 1 : 0);
  if (words.size() < want) return usage(inv.what == action::jobs_show ? "this command needs a job ID"
                                                                      : "this command needs a user NAME");
  if (words.size() > want) {
    // A command that reads a secret does not quote its extra argument: it
    // may be the secret, typed where it does not belong.
    if (secret_of(inv) != stdin_secret::none || inv.what == action::user_add)
      return usage("unexpected argument after NAME (secrets are read from stdin, never from the command line)");
    return usage("unexpected argument '" + words[want] + "'");
  }
  if (inv.what == action::jobs_show) {
    if (!web::parse_job_id(words[consumed], inv.job)) return usage("the job ID must be a positive whole number");
  } else if (takes_name) {
    inv.name = words[consumed];
    if (auto s = validate_user_name(inv.name)) return usage(s.message);
  }

  if (auto s = apply_options(inv, given)) return s;
  if (inv.what == action::user_set && !inv.display_name && !inv.groups_given && !inv.admin && !inv.disabled)
    return usage("user set: nothing to change (--display-name, --group, --no-groups, --admin, --disable...)");
  if (!inv.groups.empty() && inv.groups_given && inv.what == action::user_set) {
    for (const auto& g : given)
      if (std::string_view(g.spec->name) == "--no-groups") return usage("--no-groups contradicts --group");
  }
  if (!inv.after.empty())
    if (auto s = validate_user_name(inv.after)) return usage("--after: " + s.message);
  if (!inv.owner.empty())
    if (auto s = validate_user_name(inv.owner)) return usage("--owner: " + s.message);
  if (!inv.queue.empty() && !web::valid_queue_name(inv.queue))
    return usage("--queue must be 1 to 64 of A-Z a-z 0-9 _ . -");
  return inv;
}

std::string server_url::authority() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return h + ":" + std::to_string(port);
}

result<server_url> parse_server_url(std::string_view url) {
  server_url out;
  auto bad = [&]() { return usage("--server must look like https://HOST[:PORT]"); };
  size_t sep = url.find("://");
  if (sep == std::string_view::npos) return bad();
  std::string_view scheme = url.substr(0, sep);
  if (scheme == "https" || scheme == "ipps") {
    out.tls = true;
  } else if (scheme == "http" || scheme == "ipp") {
    out.tls = false;
  } else {
    return usage("--server: the scheme must be https or http");
  }
  std::string_view rest = url.substr(sep + 3);
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (rest.empty() || rest.find_first_of("/?#@ ") != std::string_view::npos) return bad();
  std::string_view port;
  bool port_given = false;
  if (rest.front() == '[') {
    size_t close = rest.find(']');
    if (close == std::string_view::npos) return bad();
    out.host = std::string(rest.substr(1, close - 1));
    std::string_view after = rest.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return bad();
      port = after.substr(1);
      port_given = true;
    }
    unsigned char buf[16];
    if (::inet_pton(AF_INET6, out.host.c_str(), buf) != 1) return bad();
  } else {
    size_t colon = rest.find(':');
    out.host = std::string(rest.substr(0, colon));
    if (colon != std::string_view::npos) {
      port = rest.substr(colon + 1);
      port_given = true;
    }
  }
  if (out.host.empty()) return bad();
  if (port_given) {
    uint32_t p = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
    if (ec != std::errc() || end != port.data() + port.size() || p == 0 || p > 65535)
      return usage("--server: the port must be 1 to 65535");
    out.port = static_cast<uint16_t>(p);
  }
  return out;
}

stdin_secret secret_of(const invocation& inv) {
  switch (inv.what) {
    case action::user_add: return inv.password_stdin ? stdin_secret::password : stdin_secret::none;
    case action::user_passwd: return stdin_secret::password;
    case action::user_card_add:
    case action::user_card_del: return stdin_secret::card_id;
    case action::user_pin_set: return stdin_secret::pin;
    default: return stdin_secret::none;
  }
}

api_request build_request(const invocation& inv, std::string_view secret, const std::string* after) {
  using json = nlohmann::ordered_json;
  const std::string users = std::string(web::api_root) + "/users";
  const std::string user = users + "/" + web::percent_encode_segment(inv.name);
  auto body_of = [](const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); };
  auto secret_body = [&](const char* key) { return body_of(json{{key, std::string(secret)}}); };
  if (is_fleet_action(inv.what)) return fleet_request(inv);
  if (is_price_action(inv.what)) return prices_request(inv);
  if (is_directory_action(inv.what)) return directory_request(inv);
  switch (inv.what) {
    case action::help: return {};
    case action::whoami: return {"GET", std::string(web::api_root) + "/whoami", {}};
    case action::user_list: {
      std::string path = users;
      std::string sep = "?";
      const std::string& from = after ? *after : inv.after;
      if (!from.empty()) {
        path += sep + "after=" + web::percent_encode_segment(from);
        sep = "&";
      }
      if (inv.limit) path += sep + "limit=" + std::to_string(*inv.limit);
      return {"GET", path, {}};
    }
    case action::user_show: return {"GET", user, {}};
    case action::user_add: {
      json j;
      j["name"] = inv.name;
      if (inv.display_name) j["display_name"] = *inv.display_name;
      if (!inv.groups.empty()) j["groups"] = inv.groups;
      if (inv.admin) j["admin"] = *inv.admin;
      if (inv.disabled) j["disabled"] = *inv.disabled;
      if (inv.password_stdin) j["password"] = std::string(secret);
      return {"POST", users, body_of(j)};
    }
    case action::user_set: {
      json j = json::object();
      if (inv.display_name) j["display_name"] = *inv.display_name;
      if (inv.groups_given) j["groups"] = inv.groups;
      if (inv.admin) j["admin"] = *inv.admin;
      if (inv.disabled) j["disabled"] = *inv.disabled;
      return {"PATCH", user, body_of(j)};
    }
    case action::user_passwd: return {"PUT", user + "/password", secret_body("password")};
    case action::user_card_add: return {"POST", user + "/cards", secret_body("card_id")};
    case action::user_card_del: return {"DELETE", user + "/cards", secret_body("card_id")};
    case action::user_pin_set: return {"PUT", user + "/pin", secret_body("pin")};
    case action::user_pin_clear: return {"DELETE", user + "/pin", {}};
    case action::user_pin_mail: return {"POST", user + "/pin/generate", {}};
    case action::user_del: return {"DELETE", user, {}};
    case action::jobs_list: {
      std::string query;
      auto add = [&](const char* key, const std::string& value) {
        if (!value.empty()) query.append(query.empty() ? "?" : "&").append(key).append("=").append(value);
      };
      add("user", web::percent_encode_segment(inv.owner));
      add("queue", inv.queue);
      add("which", inv.which);
      add("after", after ? *after : std::string());
      add("limit", inv.limit ? std::to_string(*inv.limit) : std::string());
      return {"GET", std::string(web::api_root).append("/jobs").append(query), {}};
    }
    case action::jobs_show:
      return {"GET", std::string(web::api_root).append("/jobs/").append(std::to_string(inv.job)), {}};
    case action::printers_list:
    case action::printers_show:
    case action::printers_counters: return printers_request(inv);
    case action::tokens_list:
    case action::tokens_add:
    case action::tokens_revoke: return tokens_request(inv);
    case action::report: return report_request(inv);
    default: return accounting_request(inv);
  }
}

std::string format_request(const server_url& server, const api_request& req, std::string_view user,
                           std::string_view password) {
  std::string out = req.method + " " + req.path + " HTTP/1.1\r\n";
  out += "Host: " + server.authority() + "\r\n";
  out += "User-Agent: quirectl\r\n";
  out += "Accept: application/json\r\n";
  if (user.empty()) {
    out.append("Authorization: Bearer ").append(password).append("\r\n");
  } else {
    std::string credentials = std::string(user) + ":" + std::string(password);
    out += "Authorization: Basic " + web::base64_encode(credentials) + "\r\n";
    wipe(credentials);
  }
  out += "Connection: close\r\n";
  if (!req.body.empty()) {
    out += "Content-Type: application/json\r\n";
    out += "Content-Length: " + std::to_string(req.body.size()) + "\r\n";
  }
  out += "\r\n";
  out += req.body;
  return out;
}

}  // namespace quire::quirectl
