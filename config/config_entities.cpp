// [prices.<name>], [printers.<name>], [queues.<name>], [raw.<name>],
// [quotas.<name>] and [projects.<name>]: the named entries. Price lists are
// read first because a printer may only name a list that exists, then
// printers because a queue may only name printers that exist, then raw
// listeners because each names a queue; quotas and projects name only user
// groups, which live in storage and are not checked here. The lists come out
// sorted by name (toml++ tables iterate in key order, and we sort anyway so
// the contract does not rest on a library detail).
#include <algorithm>
#include <functional>

#include "config/config_internal.hpp"

namespace quire::detail {

namespace {

bool valid_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '.' || c == '-';
  });
}

// "type/subtype" made of RFC 6838 restricted-name characters; parameters
// (";charset=...") are not part of a document-format value.
bool valid_mime_type(std::string_view s) {
  auto token = [](std::string_view t) {
    return !t.empty() && t.size() <= 127 && std::all_of(t.begin(), t.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
             std::string_view("!#$&-^_.+").find(c) != std::string_view::npos;
    });
  };
  size_t slash = s.find('/');
  return slash != std::string_view::npos && token(s.substr(0, slash)) && token(s.substr(slash + 1));
}

// The checks every named entry shares: a valid name and a table of known keys.
result<const toml::table*> entry(std::string_view section, std::string_view name,
                                 const toml::node& node) {
  std::string key = std::string(section) + "." + std::string(name);
  if (!valid_name(name)) return bad_value(key, "a name must be 1 to 64 of A-Z a-z 0-9 _ . -", name);
  if (!node.is_table()) return wrong_type(key, "a table", node);
  if (status s = check_table(*node.as_table(), std::string(section) + ".*", key)) return s;
  return node.as_table();
}

// A rate in minor units, when present (check_price_list checks its range).
void read_rate(const toml::table& t, const char* name, int64_t& out) {
  if (const auto* v = t.get_as<int64_t>(name)) out = v->get();
}

status read_price_list(const toml::table& t, const std::string& key, pdl::price_list& p) {
  std::string per = string_or(t, "per", "sheet");
  if (per != "sheet" && per != "impression") return bad_value(key + ".per", "expected sheet or impression", per);
  p.per = per == "sheet" ? pdl::price_unit::sheet : pdl::price_unit::impression;
  read_rate(t, "mono", p.base.mono);
  read_rate(t, "colour", p.base.colour);
  read_rate(t, "duplex_mono", p.base.duplex_mono);
  read_rate(t, "duplex_colour", p.base.duplex_colour);
  if (const auto* list = t.get_as<toml::array>("sizes"))
    for (const toml::node& n : *list) {
      auto entry = pdl::parse_size_rate(n.as_string()->get());
      if (!entry) return invalid(key + ".sizes: " + entry.err().message);
      p.sizes.push_back(std::move(entry).value());
    }
  if (const auto* v = t.get_as<bool>("mono_only")) p.mono_only = v->get();
  if (status s = check_price_list(p)) return invalid(key + "." + s.message);
  return {};
}

// A printer's terminal log-in methods: each a known one, listed once, at
// least one (a terminal nobody can log in at releases nothing).
status read_login(const toml::table& t, const std::string& key, std::vector<std::string>& out) {
  const auto* list = t.get_as<toml::array>("login");
  if (list == nullptr) return {};
  static constexpr std::string_view methods[] = {"card", "pin", "password", "card+pin"};
  out.clear();
  for (const toml::node& n : *list) {
    const std::string& m = n.as_string()->get();
    if (std::find(std::begin(methods), std::end(methods), m) == std::end(methods))
      return bad_value(key, "expected card, pin, password or card+pin", m);
    if (std::find(out.begin(), out.end(), m) != out.end()) return invalid(key + ": '" + m + "' is listed twice");
    out.push_back(m);
  }
  if (out.empty()) return bad_value(key, "expected at least one of card, pin, password, card+pin", "[]");
  return {};
}

status read_printer(const toml::table& t, const std::string& key, const std::string& data_dir,
                    const std::vector<pdl::price_list>& prices, printer_config& p) {
  p.price_list = string_or(t, "price_list", "");
  const auto* uri = t.get_as<std::string>("device_uri");
  if (uri == nullptr) return invalid(key + ".device_uri: missing; every printer needs one");
  p.device_uri = uri->get();
  p.language = string_or(t, "language", "application/octet-stream");
  if (status s = check_printer_settings(p, prices, data_dir)) return invalid(key + "." + s.message);
  p.location = string_or(t, "location", "");
  p.info = string_or(t, "info", "");
  p.make_and_model = string_or(t, "make_and_model", "");
  if (status s = read_login(t, key + ".login", p.login)) return s;
  if (const auto* v = t.get_as<bool>("print_all_on_login")) p.print_all_on_login = v->get();
  return read_printer_snmp(t, key, p);
}

status read_queue(const toml::table& t, const std::string& key,
                  const std::vector<printer_config>& printers, queue_config& q) {
  std::string type = string_or(t, "type", "pull");
  if (type == "pull") {
    q.kind = queue_kind::pull;
  } else if (type == "direct") {
    q.kind = queue_kind::direct;
  } else if (type == "group") {
    q.kind = queue_kind::group;
  } else {
    return bad_value(key + ".type", "expected pull, direct or group", type);
  }
  if (const auto* list = t.get_as<toml::array>("printers"))
    for (const toml::node& n : *list) q.printers.push_back(n.as_string()->get());
  q.location = string_or(t, "location", "");
  q.info = string_or(t, "info", "");
  std::string auth = string_or(t, "authentication", "none");
  if (auth != "none" && auth != "required")
    return bad_value(key + ".authentication", "expected none or required", auth);
  q.authentication = auth == "required";
  if (const auto* v = t.get_as<bool>("failover")) q.failover = v->get();
  auto known = [&](const std::string& name) {
    return std::any_of(printers.begin(), printers.end(), [&](const printer_config& p) { return p.name == name; });
  };
  if (status s = check_queue_settings(q, known)) return invalid(key + "." + s.message);
  return {};
}

// A raw listener turns a bare stream into a job, so it needs both an address
// and the queue the job goes to; neither has a sensible default.
status read_raw_listener(const toml::table& t, const std::string& key,
                         const std::vector<queue_config>& queues, raw_listener_config& r) {
  const auto* listen = t.get_as<std::string>("listen");
  if (listen == nullptr) return invalid(key + ".listen: missing; every raw listener needs one");
  auto ep = parse_listen(key + ".listen", listen->get());
  if (!ep) return ep.err();
  r.listen = std::move(ep).value();
  const auto* queue = t.get_as<std::string>("queue");
  if (queue == nullptr) return invalid(key + ".queue: missing; every raw listener needs one");
  r.queue = queue->get();
  auto same = [&](const queue_config& q) { return q.name == r.queue; };
  if (std::none_of(queues.begin(), queues.end(), same))
    return invalid(key + ".queue: unknown queue '" + r.queue + "'");
  return {};
}

status read_quota(const toml::table& t, const std::string& key, quota_config& q) {
  if (status s = read_groups(t, "groups", key + ".groups", true, q.groups)) return s;
  if (status s = read_groups(t, "users", key + ".users", false, q.users, "user")) return s;
  std::string period = string_or(t, "period", "month");
  auto p = quota_period_of(period);
  if (!p) return bad_value(key + ".period", "expected day, week, month or year", period);
  q.period = *p;
  const auto* sheets = t.get_as<int64_t>("sheets");
  if (sheets == nullptr) return invalid(key + ".sheets: missing; every quota needs one");
  if (sheets->get() < 1 || sheets->get() > max_quota_sheets)
    return bad_value(key + ".sheets", "must be between 1 and " + std::to_string(max_quota_sheets),
                     std::to_string(sheets->get()));
  q.sheets = static_cast<uint32_t>(sheets->get());
  if (status s = check_quota_settings(q)) return invalid(key + ": " + s.message);
  return {};
}

status read_project(const toml::table& t, const std::string& key, project_config& p) {
  p.description = string_or(t, "description", "");
  return read_groups(t, "groups", key + ".groups", false, p.groups);
}

// Every named section reads the same way: each entry's name and keys checked,
// then its values by `read_one`, then the list sorted by name.
template <class Entry, class Read>
status read_entries(const toml::table* t, const char* section, std::vector<Entry>& out, Read read_one) {
  if (t == nullptr) return {};
  for (auto&& [name, node] : *t) {
    auto table = entry(section, name.str(), node);
    if (!table) return table.err();
    Entry e;
    e.name = std::string(name.str());
    if (status s = read_one(*table.value(), std::string(section) + "." + e.name, e)) return s;
    out.push_back(std::move(e));
  }
  std::sort(out.begin(), out.end(), [](const Entry& a, const Entry& b) { return a.name < b.name; });
  return {};
}

}  // namespace

status read_prices(const toml::table* t, std::vector<pdl::price_list>& out) {
  return read_entries(t, "prices", out, read_price_list);
}

status read_printers(const toml::table* t, const std::string& data_dir,
                     const std::vector<pdl::price_list>& prices, std::vector<printer_config>& out) {
  return read_entries(t, "printers", out, [&](const toml::table& e, const std::string& key, printer_config& p) {
    return read_printer(e, key, data_dir, prices, p);
  });
}

status read_queues(const toml::table* t, const std::vector<printer_config>& printers,
                   std::vector<queue_config>& out) {
  return read_entries(t, "queues", out, [&](const toml::table& e, const std::string& key, queue_config& q) {
    return read_queue(e, key, printers, q);
  });
}

status read_raw(const toml::table* t, const std::vector<queue_config>& queues,
                std::vector<raw_listener_config>& out) {
  return read_entries(t, "raw", out, [&](const toml::table& e, const std::string& key, raw_listener_config& r) {
    return read_raw_listener(e, key, queues, r);
  });
}

status read_quotas(const toml::table* t, std::vector<quota_config>& out) {
  return read_entries(t, "quotas", out, read_quota);
}

status read_projects(const toml::table* t, std::vector<project_config>& out) {
  return read_entries(t, "projects", out, read_project);
}

}  // namespace quire::detail

namespace quire {

status check_printer_settings(printer_config& p, const std::vector<pdl::price_list>& prices,
                              const std::string& data_dir) {
  auto same = [&](const pdl::price_list& l) { return l.name == p.price_list; };
  if (!p.price_list.empty() && std::none_of(prices.begin(), prices.end(), same))
    return detail::invalid("price_list: unknown price list '" + p.price_list + "'");
  auto checked = detail::check_device_uri(p.device_uri, data_dir);
  if (!checked) return detail::invalid("device_uri: " + checked.err().message);
  p.device_uri = std::move(checked).value();
  bool ipp = p.device_uri.rfind("ipp://", 0) == 0 || p.device_uri.rfind("ipps://", 0) == 0;
  if (p.language == "auto" && !ipp)
    return detail::bad_value("language", "\"auto\" asks an IPP printer what it takes: only for ipp:// and ipps://",
                     p.language);
  if (p.language != "auto" && !detail::valid_mime_type(p.language))
    return detail::bad_value("language", "expected a MIME type like application/pdf, or auto", p.language);
  return {};
}

status check_price_list(const pdl::price_list& l) {
  auto rate_ok = [](const char* field, int64_t n, bool may_be_unset) -> status {
    int64_t lo = may_be_unset ? -1 : 0;
    if (n < lo || n > pdl::max_rate)
      return detail::bad_value(field,
                               "must be between " + std::to_string(lo) + " and " + std::to_string(pdl::max_rate) +
                                   " (minor units of the currency)",
                               std::to_string(n));
    return {};
  };
  auto check_rate = [&](const pdl::rate& r, const std::string& where) -> status {
    std::string at = where.empty() ? "" : where + ".";
    if (status s = rate_ok((at + "mono").c_str(), r.mono, false)) return s;
    if (status s = rate_ok((at + "colour").c_str(), r.colour, false)) return s;
    if (status s = rate_ok((at + "duplex_mono").c_str(), r.duplex_mono, true)) return s;
    return rate_ok((at + "duplex_colour").c_str(), r.duplex_colour, true);
  };
  if (status s = check_rate(l.base, "")) return s;
  for (size_t i = 0; i < l.sizes.size(); ++i) {
    const auto& [media, r] = l.sizes[i];
    if (media.empty()) return detail::invalid("sizes: a size needs a media name");
    if (status s = check_rate(r, "sizes." + media)) return s;
    for (size_t j = 0; j < i; ++j)
      if (l.sizes[j].first == media) return detail::invalid("sizes: " + media + " is priced twice");
  }
  return {};
}

status check_queue_settings(const queue_config& q, const std::function<bool(const std::string&)>& printer_exists) {
  if (q.kind != queue_kind::direct && q.printers.empty())
    return detail::bad_value("printers", "a pull or group queue needs at least one printer", detail::array_text(q.printers));
  if (q.kind == queue_kind::direct && q.printers.size() != 1)
    return detail::bad_value("printers", "a direct queue needs exactly one printer", detail::array_text(q.printers));
  for (size_t i = 0; i < q.printers.size(); ++i) {
    const std::string& name = q.printers[i];
    if (!printer_exists(name)) return detail::invalid("printers: unknown printer '" + name + "'");
    auto before = q.printers.begin() + static_cast<long>(i);
    if (std::find(q.printers.begin(), before, name) != before)
      return detail::invalid("printers: printer '" + name + "' is listed twice");
  }
  if (q.failover && q.kind == queue_kind::direct)
    return detail::invalid("failover: a direct queue has one printer: nothing to fail over to");
  return {};
}

std::optional<quota_period> quota_period_of(std::string_view name) noexcept {
  for (quota_period p : {quota_period::day, quota_period::week, quota_period::month, quota_period::year})
    if (name == to_string(p)) return p;
  return std::nullopt;
}

status check_quota_settings(const quota_config& q) {
  if (q.groups.empty() && q.users.empty())
    return detail::invalid("a quota needs at least one group (\"*\": every user) or user");
  if (q.sheets < 1 || q.sheets > max_quota_sheets)
    return detail::bad_value("sheets", "must be between 1 and " + std::to_string(max_quota_sheets),
                             std::to_string(q.sheets));
  return {};
}

const char* to_string(quota_period p) noexcept {
  switch (p) {
    case quota_period::day: return "day";
    case quota_period::week: return "week";
    case quota_period::month: return "month";
    case quota_period::year: return "year";
  }
  return "?";
}

const project_config* config::find_project(const std::string& name) const {
  for (const project_config& p : projects)
    if (p.name == name) return &p;
  return nullptr;
}

}  // namespace quire
