// The fleet commands of quirectl_cli.hpp: printers add/set/remove, queues
// list/show/add/set/remove and jobs reprint; their arguments in, their REST
// requests out (admin_api.hpp, fleet_json.hpp). The server checks what only
// it can (a device URI it can drive, printers that exist); here only what
// cannot be right wherever it is sent.
#include <nlohmann/json.hpp>

#include "web/api_request.hpp"
#include "web/quirectl_cli.hpp"

namespace quire::quirectl {

namespace {

error usage(std::string message) { return error(errc::invalid_argument, std::move(message)); }

std::string said(std::string_view option, const char* what) {
  std::string m(option);
  return m.append(" ").append(what);
}

status once(std::string_view option, std::optional<std::string>& field, const std::string& value, bool nonempty) {
  if (field) return usage(said(option, "is given twice"));
  if (nonempty && value.empty()) return usage(said(option, "needs a non-empty value"));
  field = value;
  return {};
}

status flag(std::string_view option, std::optional<bool>& field, bool v) {
  if (field && *field != v) return usage(said(option, "contradicts an earlier option"));
  field = v;
  return {};
}

// "a,b,c" into valid printer names, none twice.
status printer_list(const std::string& value, std::vector<std::string>& out) {
  size_t at = 0;
  while (at <= value.size()) {
    size_t comma = value.find(',', at);
    std::string name = value.substr(at, comma == std::string::npos ? std::string::npos : comma - at);
    if (!web::valid_printer_name(name))
      return usage("--printers must be printer names (1 to 64 of A-Z a-z 0-9 _ . -) separated by commas");
    for (const auto& n : out)
      if (n == name) return usage("--printers names a printer twice");
    out.push_back(std::move(name));
    if (comma == std::string::npos) break;
    at = comma + 1;
  }
  return {};
}

std::string body_of(const nlohmann::ordered_json& j) {
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

nlohmann::ordered_json printer_fields(const invocation& inv) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  if (inv.what == action::printers_add) j["name"] = inv.name;
  if (inv.device_uri) j["device_uri"] = *inv.device_uri;
  if (inv.language) j["language"] = *inv.language;
  if (inv.location) j["location"] = *inv.location;
  if (inv.info) j["info"] = *inv.info;
  if (inv.model) j["make_and_model"] = *inv.model;
  if (inv.price_list) j["price_list"] = *inv.price_list;
  return j;
}

nlohmann::ordered_json queue_fields(const invocation& inv) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  if (inv.what == action::queues_add) j["name"] = inv.name;
  if (!inv.queue_type.empty()) j["type"] = inv.queue_type;
  if (inv.queue_printers) j["printers"] = *inv.queue_printers;
  if (inv.location) j["location"] = *inv.location;
  if (inv.info) j["info"] = *inv.info;
  if (inv.auth) j["authentication"] = *inv.auth;
  if (inv.failover) j["failover"] = *inv.failover;
  return j;
}

}  // namespace

bool is_fleet_action(action what) noexcept {
  switch (what) {
    case action::printers_add:
    case action::printers_set:
    case action::printers_remove:
    case action::queues_list:
    case action::queues_show:
    case action::queues_add:
    case action::queues_set:
    case action::queues_remove:
    case action::jobs_reprint:
      return true;
    default:
      return false;
  }
}

bool is_fleet_option(std::string_view o) noexcept {
  for (std::string_view f : {"--uri", "--location", "--info", "--model", "--language", "--price-list", "--type",
                             "--printers", "--auth", "--no-auth", "--failover", "--no-failover", "--printer"})
    if (o == f) return true;
  return false;
}

status apply_fleet_option(invocation& inv, std::string_view o, const std::string& value) {
  if (o == "--uri") {
    if (auto s = once(o, inv.device_uri, value, true)) return s;
    // The message never quotes a URI: it may hold a password.
    if (value.find("://") == std::string::npos || value.find(' ') != std::string::npos)
      return usage("--uri must be a device URI (scheme://host/...)");
    return {};
  }
  if (o == "--location") return once(o, inv.location, value, false);
  if (o == "--info") return once(o, inv.info, value, false);
  if (o == "--model") return once(o, inv.model, value, false);
  if (o == "--language") return once(o, inv.language, value, true);
  if (o == "--price-list") return once(o, inv.price_list, value, false);
  if (o == "--type") {
    if (!inv.queue_type.empty()) return usage("--type is given twice");
    if (value != "pull" && value != "direct" && value != "group") return usage("--type must be pull, direct or group");
    inv.queue_type = value;
    return {};
  }
  if (o == "--printers") {
    if (inv.queue_printers) return usage("--printers is given twice");
    std::vector<std::string> names;
    if (auto s = printer_list(value, names)) return s;
    inv.queue_printers = std::move(names);
    return {};
  }
  if (o == "--auth") return flag(o, inv.auth, true);
  if (o == "--no-auth") return flag(o, inv.auth, false);
  if (o == "--failover") return flag(o, inv.failover, true);
  if (o == "--no-failover") return flag(o, inv.failover, false);
  if (o == "--printer") {
    if (!inv.printer.empty()) return usage("--printer is given twice");
    if (!web::valid_printer_name(value)) return usage("--printer must be 1 to 64 of A-Z a-z 0-9 _ . -");
    inv.printer = value;
    return {};
  }
  return usage(said(o, "is not a fleet option"));
}

status take_fleet_words(invocation& inv, const std::vector<std::string>& words) {
  size_t want = inv.what == action::queues_list ? 0 : 1;
  bool queue = inv.what == action::queues_show || inv.what == action::queues_add || inv.what == action::queues_set ||
               inv.what == action::queues_remove;
  if (words.size() < want)
    return usage(inv.what == action::jobs_reprint ? "this command needs a job ID"
                 : queue                         ? "this command needs a queue NAME"
                                                 : "this command needs a printer NAME");
  if (words.size() > want) return usage("unexpected argument '" + words[want] + "'");
  if (want == 0) return {};
  if (inv.what == action::jobs_reprint) {
    if (!web::parse_job_id(words[0], inv.job)) return usage("the job ID must be a positive whole number");
    return {};
  }
  // The same rule for both (api_request.hpp).
  if (!web::valid_queue_name(words[0]))
    return usage(queue ? "the queue NAME must be 1 to 64 of A-Z a-z 0-9 _ . -"
                       : "the printer NAME must be 1 to 64 of A-Z a-z 0-9 _ . -");
  inv.name = words[0];
  return {};
}

status finish_fleet(const invocation& inv) {
  switch (inv.what) {
    case action::printers_add:
      if (!inv.device_uri) return usage("printers add needs --uri URI");
      return {};
    case action::printers_set:
      if (printer_fields(inv).empty())
        return usage("printers set: nothing to change (--uri, --location, --info, --model, --language, --price-list)");
      return {};
    case action::queues_add:
      if (inv.queue_type.empty()) return usage("queues add needs --type pull|direct|group");
      return {};
    case action::queues_set:
      if (queue_fields(inv).empty())
        return usage("queues set: nothing to change (--type, --printers, --location, --info, --auth, --failover...)");
      return {};
    default: return {};
  }
}

api_request fleet_request(const invocation& inv) {
  switch (inv.what) {
    case action::printers_add: return {"POST", resource_path("printers", {}), body_of(printer_fields(inv))};
    case action::printers_set: return {"PATCH", resource_path("printers", inv.name), body_of(printer_fields(inv))};
    case action::printers_remove: return {"DELETE", resource_path("printers", inv.name), {}};
    case action::queues_list: return {"GET", resource_path("queues", {}), {}};
    case action::queues_show: return {"GET", resource_path("queues", inv.name), {}};
    case action::queues_add: return {"POST", resource_path("queues", {}), body_of(queue_fields(inv))};
    case action::queues_set: return {"PATCH", resource_path("queues", inv.name), body_of(queue_fields(inv))};
    case action::queues_remove: return {"DELETE", resource_path("queues", inv.name), {}};
    case action::jobs_reprint: {
      nlohmann::ordered_json j = nlohmann::ordered_json::object();
      if (!inv.printer.empty()) j["printer"] = inv.printer;
      std::string path(web::api_root);
      path.append("/jobs/").append(std::to_string(inv.job)).append("/reprint");
      return {"POST", std::move(path), body_of(j)};
    }
    default: return {};
  }
}

std::string resource_path(const char* collection, const std::string& name) {
  std::string p(web::api_root);
  p.append("/").append(collection);
  if (!name.empty()) p.append("/").append(web::percent_encode_segment(name));
  return p;
}

}  // namespace quire::quirectl
