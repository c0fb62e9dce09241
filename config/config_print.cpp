// to_toml(): the effective configuration, every key spelled out, in a form
// load_config() reads back to the same value. [printers] and [queues] are
// always written, even when empty, because a file without them would inherit
// the default demo printer and queues on the way back in.
#include <algorithm>

#include "config/config_internal.hpp"

namespace quire {

namespace {

using detail::quote;

// Printer and queue names may hold '.', which a bare TOML key cannot.
std::string key_text(const std::string& name) {
  bool bare = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '-';
  });
  return bare ? name : quote(name);
}

void line(std::string& out, std::string_view key, const std::string& value_text) {
  out.append(key).append(" = ").append(value_text).append("\n");
}

void print_fixed(std::string& out, const config& c) {
  out += "[server]\n";
  line(out, "data_dir", quote(c.server.data_dir));
  line(out, "user", quote(c.server.user));
  line(out, "name", quote(c.server.name));
  out += "\n[log]\n";
  line(out, "level", quote(c.log.level));
  line(out, "file", quote(c.log.file));
  out += "\n[ipp]\n";
  line(out, "enabled", c.ipp.enabled ? "true" : "false");
  line(out, "listen", quote(c.ipp.listen.to_string()));
  out += "\n[tls]\n";
  line(out, "enabled", c.tls.enabled ? "true" : "false");
  line(out, "certificate", quote(c.tls.certificate));
  line(out, "private_key", quote(c.tls.private_key));
  out += "\n[api]\n";
  line(out, "allow_plain_loopback", c.api.allow_plain_loopback ? "true" : "false");
  out += "\n[privacy]\n";
  line(out, "mask_other_users", c.privacy.mask_other_users ? "true" : "false");
  out += "\n[limits]\n";
  line(out, "max_document_bytes", std::to_string(c.limits.max_document_bytes));
  line(out, "max_ipp_attributes_bytes", std::to_string(c.limits.max_ipp_attributes_bytes));
  line(out, "inline_document_bytes", std::to_string(c.limits.inline_document_bytes));
  line(out, "request_timeout_ms", std::to_string(c.limits.request_timeout_ms));
  line(out, "idle_timeout_ms", std::to_string(c.limits.idle_timeout_ms));
  line(out, "max_connections", std::to_string(c.limits.max_connections));
  line(out, "min_free_disk_bytes", std::to_string(c.limits.min_free_disk_bytes));
  line(out, "max_jobs_per_user", std::to_string(c.limits.max_jobs_per_user));
  line(out, "max_bytes_per_user", std::to_string(c.limits.max_bytes_per_user));
  line(out, "user_submissions_per_minute", std::to_string(c.limits.user_submissions_per_minute));
  line(out, "host_submissions_per_minute", std::to_string(c.limits.host_submissions_per_minute));
  out += "\n[jobs]\n";
  line(out, "held_expiry_s", std::to_string(c.jobs.held_expiry_s));
  line(out, "history_s", std::to_string(c.jobs.history_s));
}

}  // namespace

std::string to_toml(const config& c) {
  std::string out = "# The effective configuration of Quire (quired --print-config).\n\n";
  print_fixed(out, c);
  out += "\n[printers]\n";
  for (const printer_config& p : c.printers) {
    out += "\n[printers." + key_text(p.name) + "]\n";
    line(out, "device_uri", quote(p.device_uri));
    line(out, "language", quote(p.language));
    line(out, "location", quote(p.location));
    line(out, "info", quote(p.info));
    line(out, "make_and_model", quote(p.make_and_model));
  }
  out += "\n[queues]\n";
  for (const queue_config& q : c.queues) {
    out += "\n[queues." + key_text(q.name) + "]\n";
    line(out, "type", quote(q.kind == queue_kind::direct ? "direct" : q.kind == queue_kind::group ? "group" : "pull"));
    line(out, "printers", detail::array_text(q.printers));
    line(out, "location", quote(q.location));
    line(out, "info", quote(q.info));
    line(out, "authentication", quote(q.authentication ? "required" : "none"));
  }
  return out;
}

}  // namespace quire
