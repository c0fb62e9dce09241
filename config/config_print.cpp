// to_toml(): the effective configuration, every key spelled out, in a form
// load_config() reads back to the same value. The named sections ([prices],
// [printers], [queues], [raw], [quotas], [projects]) are always written, even
// when empty, because a file without them would inherit the default ones on
// the way back in (the defaults have no raw listener, quota or project today;
// the empty tables keep that from mattering if they ever do).
//
// Two departures: a secret (an SNMP community, the metrics token) prints as
// "(set)", because --print-config output ends up in tickets and chat, so it
// does not survive the round trip (a "(set)" token is even refused: too
// short); and a printer's unset `snmp` prints as a comment, because
// TOML cannot say "unset" (it reads back unset).
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

std::string sources_text(const std::vector<identity_source>& sources) {
  std::vector<std::string> words;
  for (identity_source s : sources) words.emplace_back(to_string(s));
  return detail::array_text(words);
}

// A secret as printed: whether it is set, never what it is.
std::string secret_text(const std::string& value) { return quote(value.empty() ? "" : "(set)"); }

void print_directory(std::string& out, const directory_config& d) {
  out += "\n[directory]\n";
  line(out, "enabled", d.enabled ? "true" : "false");
  line(out, "url", quote(d.url));
  line(out, "start_tls", d.start_tls ? "true" : "false");
  line(out, "ca_file", quote(d.ca_file));
  line(out, "verify_server", d.verify_server ? "true" : "false");
  line(out, "timeout_ms", std::to_string(d.timeout_ms));
  line(out, "bind_dn", quote(d.bind_dn));
  line(out, "bind_password_file", quote(d.bind_password_file));
  line(out, "schema", quote(d.schema));
  line(out, "base_dn", quote(d.base_dn));
  line(out, "user_filter", quote(d.user_filter));
  line(out, "group_base_dn", quote(d.group_base_dn));
  line(out, "group_filter", quote(d.group_filter));
  line(out, "login_attribute", quote(d.login_attribute));
  line(out, "name_attribute", quote(d.name_attribute));
  line(out, "email_attribute", quote(d.email_attribute));
  line(out, "card_attribute", quote(d.card_attribute));
  line(out, "disabled_attribute", quote(d.disabled_attribute));
  line(out, "group_name_attribute", quote(d.group_name_attribute));
  line(out, "member_attribute", quote(d.member_attribute));
  line(out, "changed_attribute", quote(d.changed_attribute));
  line(out, "admin_groups", detail::array_text(d.admin_groups));
  line(out, "page_size", std::to_string(d.page_size));
  line(out, "interval_s", std::to_string(d.interval_s));
  line(out, "full_interval_s", std::to_string(d.full_interval_s));
  line(out, "password_logins", d.password_logins ? "true" : "false");
  line(out, "offline_logins", quote(d.offline_logins));
}

void print_mail(std::string& out, const mail_config& m, const pins_config& p) {
  out += "\n[mail]\n";
  line(out, "enabled", m.enabled ? "true" : "false");
  line(out, "url", quote(m.url));
  line(out, "start_tls", m.start_tls ? "true" : "false");
  line(out, "ca_file", quote(m.ca_file));
  line(out, "verify_server", m.verify_server ? "true" : "false");
  line(out, "user", quote(m.user));
  line(out, "password_file", quote(m.password_file));
  line(out, "timeout_ms", std::to_string(m.timeout_ms));
  line(out, "from", quote(m.from));
  line(out, "from_name", quote(m.from_name));
  line(out, "site_name", quote(m.site_name));
  out += "\n[pins]\n";
  line(out, "policy", quote(p.policy));
  line(out, "digits", std::to_string(p.digits));
  line(out, "refuse_trivial", p.refuse_trivial ? "true" : "false");
  line(out, "resend_s", std::to_string(p.resend_s));
}

void print_monitoring(std::string& out, const monitoring_config& m) {
  out += "\n[monitoring]\n";
  line(out, "enabled", m.enabled ? "true" : "false");
  line(out, "interval_s", std::to_string(m.interval_s));
  line(out, "busy_interval_s", std::to_string(m.busy_interval_s));
  line(out, "jitter_percent", std::to_string(m.jitter_percent));
  line(out, "timeout_ms", std::to_string(m.timeout_ms));
  line(out, "retries", std::to_string(m.retries));
  line(out, "offline_after", std::to_string(m.offline_after));
  line(out, "max_backoff_s", std::to_string(m.max_backoff_s));
  line(out, "community", secret_text(m.community));
  line(out, "version", quote(m.version));
  line(out, "low_percent", std::to_string(m.low_percent));
  line(out, "max_rows", std::to_string(m.max_rows));
  line(out, "snapshot_s", std::to_string(m.snapshot_s));
  line(out, "snapshot_days", std::to_string(m.snapshot_days));
}

// TOML cannot say "unset", so an unset snmp is a comment (the key stays
// unset on the way back in) that tells what the default comes to.
void print_printer_snmp(std::string& out, const printer_config& p, const monitoring_config& m) {
  if (p.snmp) {
    line(out, "snmp", *p.snmp ? "true" : "false");
  } else {
    out += snmp_settings_of(&p, p.device_uri, m).monitored ? "# snmp unset: the default for the device (polled)\n"
                                                           : "# snmp unset: the default for the device (not polled)\n";
  }
  line(out, "snmp_address", quote(p.snmp_address));
  line(out, "snmp_community", secret_text(p.snmp_community));
  line(out, "snmp_version", quote(p.snmp_version));
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
  line(out, "metrics_token", secret_text(c.api.metrics_token));
  line(out, "audit_days", std::to_string(c.api.audit_days));
  out += "\n[lpd]\n";
  line(out, "enabled", c.lpd.enabled ? "true" : "false");
  line(out, "listen", quote(c.lpd.listen.to_string()));
  line(out, "max_control_bytes", std::to_string(c.lpd.max_control_bytes));
  out += "\n[intake]\n";
  line(out, "user_from", sources_text(c.intake.user_from));
  line(out, "name_from", sources_text(c.intake.name_from));
  line(out, "known_users_only", c.intake.known_users_only ? "true" : "false");
  line(out, "unknown_user", quote(c.intake.unknown_user == unknown_user_action::reject ? "reject" : "host"));
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
  line(out, "reprint_s", std::to_string(c.jobs.reprint_s));
  out += "\n[processors]\n";
  line(out, "enabled", c.processors.enabled ? "true" : "false");
  line(out, "count", std::to_string(c.processors.count));
  line(out, "timeout_ms", std::to_string(c.processors.timeout_ms));
  line(out, "convert_timeout_ms", std::to_string(c.processors.convert_timeout_ms));
  line(out, "memory_bytes", std::to_string(c.processors.memory_bytes));
  line(out, "run_as", quote(c.processors.run_as));
  out += "\n[delivery]\n";
  line(out, "connect_timeout_ms", std::to_string(c.delivery.connect_timeout_ms));
  line(out, "progress_timeout_ms", std::to_string(c.delivery.progress_timeout_ms));
  line(out, "ack_timeout_ms", std::to_string(c.delivery.ack_timeout_ms));
  line(out, "retries", std::to_string(c.delivery.retries));
  line(out, "backoff_ms", std::to_string(c.delivery.backoff_ms));
  line(out, "ipp_poll_ms", std::to_string(c.delivery.ipp_poll_ms));
  line(out, "job_timeout_s", std::to_string(c.delivery.job_timeout_s));
  out += "\n[accounting]\n";
  line(out, "currency", quote(c.accounting.currency));
  line(out, "minor_digits", std::to_string(c.accounting.minor_digits));
  line(out, "prepaid", c.accounting.prepaid ? "true" : "false");
  line(out, "initial_credit", std::to_string(c.accounting.initial_credit));
  line(out, "unlimited_groups", detail::array_text(c.accounting.unlimited_groups));
  out += "\n[terminals]\n";
  line(out, "session_idle_s", std::to_string(c.terminals.session_idle_s));
  line(out, "pin_login_min_digits", std::to_string(c.terminals.pin_login_min_digits));
  line(out, "max_login_failures", std::to_string(c.terminals.max_login_failures));
  line(out, "lockout_s", std::to_string(c.terminals.lockout_s));
  line(out, "card_enrolment", c.terminals.card_enrolment ? "true" : "false");
  line(out, "enrolment_code_s", std::to_string(c.terminals.enrolment_code_s));
  print_monitoring(out, c.monitoring);
  print_directory(out, c.directory);
  print_mail(out, c.mail, c.pins);
}

std::string size_rate_text(const std::string& media, const pdl::rate& r) {
  // Appended piece by piece: GCC 12 warns wrongly (-Wrestrict) on a + chain.
  std::string s = media;
  s.append("=").append(std::to_string(r.mono)).append("/").append(std::to_string(r.colour));
  if (r.duplex_mono >= 0 || r.duplex_colour >= 0) {
    // Both or neither: an unset one prints as its one-sided rate.
    s.append("/").append(std::to_string(r.duplex_mono >= 0 ? r.duplex_mono : r.mono));
    s.append("/").append(std::to_string(r.duplex_colour >= 0 ? r.duplex_colour : r.colour));
  }
  return s;
}

void print_prices(std::string& out, const config& c) {
  out += "\n[prices]\n";
  for (const pdl::price_list& p : c.prices) {
    out += "\n[prices." + key_text(p.name) + "]\n";
    line(out, "per", quote(p.per == pdl::price_unit::sheet ? "sheet" : "impression"));
    line(out, "mono", std::to_string(p.base.mono));
    line(out, "colour", std::to_string(p.base.colour));
    line(out, "duplex_mono", std::to_string(p.base.duplex_mono));
    line(out, "duplex_colour", std::to_string(p.base.duplex_colour));
    std::vector<std::string> sizes;
    for (const auto& [media, r] : p.sizes) sizes.push_back(size_rate_text(media, r));
    line(out, "sizes", detail::array_text(sizes));
    line(out, "mono_only", p.mono_only ? "true" : "false");
  }
}

}  // namespace

std::string to_toml(const config& c) {
  std::string out = "# The effective configuration of Quire (quired --print-config).\n\n";
  print_fixed(out, c);
  print_prices(out, c);
  out += "\n[printers]\n";
  for (const printer_config& p : c.printers) {
    out += "\n[printers." + key_text(p.name) + "]\n";
    line(out, "device_uri", quote(p.device_uri));
    line(out, "language", quote(p.language));
    line(out, "location", quote(p.location));
    line(out, "info", quote(p.info));
    line(out, "make_and_model", quote(p.make_and_model));
    line(out, "price_list", quote(p.price_list));
    line(out, "login", detail::array_text(p.login));
    line(out, "print_all_on_login", p.print_all_on_login ? "true" : "false");
    print_printer_snmp(out, p, c.monitoring);
  }
  out += "\n[queues]\n";
  for (const queue_config& q : c.queues) {
    out += "\n[queues." + key_text(q.name) + "]\n";
    line(out, "type", quote(q.kind == queue_kind::direct ? "direct" : q.kind == queue_kind::group ? "group" : "pull"));
    line(out, "printers", detail::array_text(q.printers));
    line(out, "location", quote(q.location));
    line(out, "info", quote(q.info));
    line(out, "authentication", quote(q.authentication ? "required" : "none"));
    line(out, "failover", q.failover ? "true" : "false");
  }
  out += "\n[raw]\n";
  for (const raw_listener_config& r : c.raw) {
    out += "\n[raw." + key_text(r.name) + "]\n";
    line(out, "listen", quote(r.listen.to_string()));
    line(out, "queue", quote(r.queue));
  }
  out += "\n[quotas]\n";
  for (const quota_config& q : c.quotas) {
    out += "\n[quotas." + key_text(q.name) + "]\n";
    line(out, "groups", detail::array_text(q.groups));
    line(out, "users", detail::array_text(q.users));
    line(out, "period", quote(to_string(q.period)));
    line(out, "sheets", std::to_string(q.sheets));
  }
  out += "\n[projects]\n";
  for (const project_config& p : c.projects) {
    out += "\n[projects." + key_text(p.name) + "]\n";
    line(out, "description", quote(p.description));
    line(out, "groups", detail::array_text(p.groups));
  }
  return out;
}

}  // namespace quire
