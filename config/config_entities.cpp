// [prices.<name>], [printers.<name>], [queues.<name>] and [raw.<name>]: the
// named entries. Price lists are read first because a printer may only name
// a list that exists, then printers because a queue may only name printers
// that exist, and raw listeners last because each names a queue; the lists come out
// sorted by name (toml++ tables iterate in key order, and we sort anyway so
// the contract does not rest on a library detail).
#include <algorithm>

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

// A rate in minor units; `fallback` when absent. -1 is allowed where the
// key means "as the one-sided rate".
status read_rate(const toml::table& t, const std::string& key, const char* name, bool may_be_unset,
                 int64_t& out) {
  const auto* v = t.get_as<int64_t>(name);
  if (v == nullptr) return {};
  int64_t n = v->get();
  int64_t lo = may_be_unset ? -1 : 0;
  if (n < lo || n > pdl::max_rate)
    return bad_value(key + "." + name,
                     "must be between " + std::to_string(lo) + " and " + std::to_string(pdl::max_rate) +
                         " (minor units of the currency)",
                     std::to_string(n));
  out = n;
  return {};
}

status read_price_list(const toml::table& t, const std::string& key, pdl::price_list& p) {
  std::string per = string_or(t, "per", "sheet");
  if (per != "sheet" && per != "impression") return bad_value(key + ".per", "expected sheet or impression", per);
  p.per = per == "sheet" ? pdl::price_unit::sheet : pdl::price_unit::impression;
  if (status s = read_rate(t, key, "mono", false, p.base.mono)) return s;
  if (status s = read_rate(t, key, "colour", false, p.base.colour)) return s;
  if (status s = read_rate(t, key, "duplex_mono", true, p.base.duplex_mono)) return s;
  if (status s = read_rate(t, key, "duplex_colour", true, p.base.duplex_colour)) return s;
  if (const auto* list = t.get_as<toml::array>("sizes"))
    for (const toml::node& n : *list) {
      auto entry = pdl::parse_size_rate(n.as_string()->get());
      if (!entry) return invalid(key + ".sizes: " + entry.err().message);
      for (const auto& [media, r] : p.sizes)
        if (media == entry->first) return invalid(key + ".sizes: " + media + " is priced twice");
      p.sizes.push_back(std::move(entry).value());
    }
  if (const auto* v = t.get_as<bool>("mono_only")) p.mono_only = v->get();
  return {};
}

status read_printer(const toml::table& t, const std::string& key, const std::string& data_dir,
                    const std::vector<pdl::price_list>& prices, printer_config& p) {
  p.price_list = string_or(t, "price_list", "");
  auto same = [&](const pdl::price_list& l) { return l.name == p.price_list; };
  if (!p.price_list.empty() && std::none_of(prices.begin(), prices.end(), same))
    return invalid(key + ".price_list: unknown price list '" + p.price_list + "'");
  const auto* uri = t.get_as<std::string>("device_uri");
  if (uri == nullptr) return invalid(key + ".device_uri: missing; every printer needs one");
  auto checked = check_device_uri(uri->get(), data_dir);
  if (!checked) return invalid(key + ".device_uri: " + checked.err().message);
  p.device_uri = std::move(checked).value();
  p.language = string_or(t, "language", "application/octet-stream");
  if (!valid_mime_type(p.language))
    return bad_value(key + ".language", "expected a MIME type like application/pdf", p.language);
  p.location = string_or(t, "location", "");
  p.info = string_or(t, "info", "");
  p.make_and_model = string_or(t, "make_and_model", "");
  return {};
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
  std::string list_key = key + ".printers";
  if (q.kind != queue_kind::direct && q.printers.empty())
    return bad_value(list_key, "a pull or group queue needs at least one printer", array_text(q.printers));
  if (q.kind == queue_kind::direct && q.printers.size() != 1)
    return bad_value(list_key, "a direct queue needs exactly one printer", array_text(q.printers));
  for (size_t i = 0; i < q.printers.size(); ++i) {
    const std::string& name = q.printers[i];
    auto same = [&](const printer_config& p) { return p.name == name; };
    if (std::none_of(printers.begin(), printers.end(), same))
      return invalid(list_key + ": unknown printer '" + name + "'");
    if (std::find(q.printers.begin(), q.printers.begin() + static_cast<long>(i), name) !=
        q.printers.begin() + static_cast<long>(i))
      return invalid(list_key + ": printer '" + name + "' is listed twice");
  }
  q.location = string_or(t, "location", "");
  q.info = string_or(t, "info", "");
  std::string auth = string_or(t, "authentication", "none");
  if (auth != "none" && auth != "required")
    return bad_value(key + ".authentication", "expected none or required", auth);
  q.authentication = auth == "required";
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

}  // namespace

status read_prices(const toml::table* t, std::vector<pdl::price_list>& out) {
  if (t == nullptr) return {};
  for (auto&& [name, node] : *t) {
    auto table = entry("prices", name.str(), node);
    if (!table) return table.err();
    pdl::price_list p;
    p.name = std::string(name.str());
    if (status s = read_price_list(*table.value(), "prices." + p.name, p)) return s;
    out.push_back(std::move(p));
  }
  std::sort(out.begin(), out.end(),
            [](const pdl::price_list& a, const pdl::price_list& b) { return a.name < b.name; });
  return {};
}

status read_printers(const toml::table* t, const std::string& data_dir,
                     const std::vector<pdl::price_list>& prices, std::vector<printer_config>& out) {
  if (t == nullptr) return {};
  for (auto&& [name, node] : *t) {
    auto table = entry("printers", name.str(), node);
    if (!table) return table.err();
    printer_config p;
    p.name = std::string(name.str());
    if (status s = read_printer(*table.value(), "printers." + p.name, data_dir, prices, p)) return s;
    out.push_back(std::move(p));
  }
  std::sort(out.begin(), out.end(),
            [](const printer_config& a, const printer_config& b) { return a.name < b.name; });
  return {};
}

status read_queues(const toml::table* t, const std::vector<printer_config>& printers,
                   std::vector<queue_config>& out) {
  if (t == nullptr) return {};
  for (auto&& [name, node] : *t) {
    auto table = entry("queues", name.str(), node);
    if (!table) return table.err();
    queue_config q;
    q.name = std::string(name.str());
    if (status s = read_queue(*table.value(), "queues." + q.name, printers, q)) return s;
    out.push_back(std::move(q));
  }
  std::sort(out.begin(), out.end(),
            [](const queue_config& a, const queue_config& b) { return a.name < b.name; });
  return {};
}

status read_raw(const toml::table* t, const std::vector<queue_config>& queues,
                std::vector<raw_listener_config>& out) {
  if (t == nullptr) return {};
  for (auto&& [name, node] : *t) {
    auto table = entry("raw", name.str(), node);
    if (!table) return table.err();
    raw_listener_config r;
    r.name = std::string(name.str());
    if (status s = read_raw_listener(*table.value(), "raw." + r.name, queues, r)) return s;
    out.push_back(std::move(r));
  }
  std::sort(out.begin(), out.end(), [](const raw_listener_config& a, const raw_listener_config& b) {
    return a.name < b.name;
  });
  return {};
}

}  // namespace quire::detail
