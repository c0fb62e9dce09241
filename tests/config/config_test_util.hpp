// Helpers shared by the config tests: loading from text with a fixed data
// folder, extracting an error message, and comparing two configs field by
// field (config has no operator==, and comparing to_toml() output would hide
// a field that to_toml() forgets).
#pragma once

#include <doctest/doctest.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"

namespace quire::test {

inline const std::string test_data_dir = "/srv/quire";

inline config_sources sources(std::vector<std::string> sets = {},
                              std::optional<std::string> data_dir = test_data_dir) {
  config_sources s;
  s.data_dir = std::move(data_dir);
  s.overrides = std::move(sets);
  return s;
}

/// Loads `text` as the --config file with data_dir /srv/quire; REQUIREs success.
inline config load_ok(const std::string& text, std::vector<std::string> sets = {}) {
  auto r = load_config_text(text, sources(std::move(sets)));
  INFO((r.ok() ? std::string() : r.err().message));
  REQUIRE(r.ok());
  return std::move(r).value();
}

/// Loads `text` with data_dir /srv/quire; REQUIREs failure and returns the message.
inline std::string load_error(const std::string& text, std::vector<std::string> sets = {}) {
  auto r = load_config_text(text, sources(std::move(sets)));
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().code == errc::invalid_argument);
  return r.err().message;
}

inline std::string cwd() { return std::filesystem::current_path().string(); }

inline void check_same(const config& a, const config& b) {
  CHECK(a.server.data_dir == b.server.data_dir);
  CHECK(a.server.user == b.server.user);
  CHECK(a.server.name == b.server.name);
  CHECK(a.log.level == b.log.level);
  CHECK(a.log.file == b.log.file);
  CHECK(a.ipp.enabled == b.ipp.enabled);
  CHECK(a.ipp.listen.host == b.ipp.listen.host);
  CHECK(a.ipp.listen.port == b.ipp.listen.port);
  CHECK(a.tls.enabled == b.tls.enabled);
  CHECK(a.tls.certificate == b.tls.certificate);
  CHECK(a.tls.private_key == b.tls.private_key);
  CHECK(a.limits.max_document_bytes == b.limits.max_document_bytes);
  CHECK(a.limits.max_ipp_attributes_bytes == b.limits.max_ipp_attributes_bytes);
  CHECK(a.limits.inline_document_bytes == b.limits.inline_document_bytes);
  CHECK(a.limits.request_timeout_ms == b.limits.request_timeout_ms);
  CHECK(a.limits.idle_timeout_ms == b.limits.idle_timeout_ms);
  CHECK(a.limits.max_connections == b.limits.max_connections);
  CHECK(a.limits.min_free_disk_bytes == b.limits.min_free_disk_bytes);
  CHECK(a.limits.max_jobs_per_user == b.limits.max_jobs_per_user);
  CHECK(a.limits.max_bytes_per_user == b.limits.max_bytes_per_user);
  CHECK(a.limits.user_submissions_per_minute == b.limits.user_submissions_per_minute);
  CHECK(a.limits.host_submissions_per_minute == b.limits.host_submissions_per_minute);
  CHECK(a.api.allow_plain_loopback == b.api.allow_plain_loopback);
  CHECK(a.api.metrics_token == b.api.metrics_token);
  CHECK(a.privacy.mask_other_users == b.privacy.mask_other_users);
  CHECK(a.lpd.enabled == b.lpd.enabled);
  CHECK(a.lpd.listen.host == b.lpd.listen.host);
  CHECK(a.lpd.listen.port == b.lpd.listen.port);
  CHECK(a.lpd.max_control_bytes == b.lpd.max_control_bytes);
  CHECK(a.intake.user_from == b.intake.user_from);
  CHECK(a.intake.name_from == b.intake.name_from);
  CHECK(a.intake.known_users_only == b.intake.known_users_only);
  CHECK(a.intake.unknown_user == b.intake.unknown_user);
  CHECK(a.jobs.held_expiry_s == b.jobs.held_expiry_s);
  CHECK(a.jobs.history_s == b.jobs.history_s);
  CHECK(a.jobs.reprint_s == b.jobs.reprint_s);
  CHECK(a.accounting.prepaid == b.accounting.prepaid);
  CHECK(a.processors.enabled == b.processors.enabled);
  CHECK(a.processors.count == b.processors.count);
  CHECK(a.processors.timeout_ms == b.processors.timeout_ms);
  CHECK(a.processors.convert_timeout_ms == b.processors.convert_timeout_ms);
  CHECK(a.processors.memory_bytes == b.processors.memory_bytes);
  CHECK(a.processors.run_as == b.processors.run_as);
  CHECK(a.delivery.connect_timeout_ms == b.delivery.connect_timeout_ms);
  CHECK(a.delivery.progress_timeout_ms == b.delivery.progress_timeout_ms);
  CHECK(a.delivery.ack_timeout_ms == b.delivery.ack_timeout_ms);
  CHECK(a.delivery.retries == b.delivery.retries);
  CHECK(a.delivery.backoff_ms == b.delivery.backoff_ms);
  CHECK(a.delivery.ipp_poll_ms == b.delivery.ipp_poll_ms);
  CHECK(a.delivery.job_timeout_s == b.delivery.job_timeout_s);
  CHECK(a.accounting.currency == b.accounting.currency);
  CHECK(a.accounting.minor_digits == b.accounting.minor_digits);
  CHECK(a.accounting.initial_credit == b.accounting.initial_credit);
  CHECK(a.accounting.unlimited_groups == b.accounting.unlimited_groups);
  CHECK(a.terminals.session_idle_s == b.terminals.session_idle_s);
  CHECK(a.terminals.pin_login_min_digits == b.terminals.pin_login_min_digits);
  CHECK(a.terminals.max_login_failures == b.terminals.max_login_failures);
  CHECK(a.terminals.lockout_s == b.terminals.lockout_s);
  CHECK(a.directory == b.directory);
  CHECK(a.mail == b.mail);
  CHECK(a.pins == b.pins);
  CHECK(a.terminals.enrolment_code_s == b.terminals.enrolment_code_s);
  CHECK(a.terminals.card_enrolment == b.terminals.card_enrolment);
  CHECK(a.monitoring.enabled == b.monitoring.enabled);
  CHECK(a.monitoring.interval_s == b.monitoring.interval_s);
  CHECK(a.monitoring.busy_interval_s == b.monitoring.busy_interval_s);
  CHECK(a.monitoring.jitter_percent == b.monitoring.jitter_percent);
  CHECK(a.monitoring.timeout_ms == b.monitoring.timeout_ms);
  CHECK(a.monitoring.retries == b.monitoring.retries);
  CHECK(a.monitoring.offline_after == b.monitoring.offline_after);
  CHECK(a.monitoring.max_backoff_s == b.monitoring.max_backoff_s);
  CHECK(a.monitoring.community == b.monitoring.community);
  CHECK(a.monitoring.version == b.monitoring.version);
  CHECK(a.monitoring.low_percent == b.monitoring.low_percent);
  CHECK(a.monitoring.max_rows == b.monitoring.max_rows);
  CHECK(a.monitoring.snapshot_s == b.monitoring.snapshot_s);
  CHECK(a.monitoring.snapshot_days == b.monitoring.snapshot_days);
  CHECK(a.prices == b.prices);
  REQUIRE(a.printers.size() == b.printers.size());
  for (size_t i = 0; i < a.printers.size(); ++i) {
    const printer_config& p = a.printers[i];
    const printer_config& q = b.printers[i];
    CHECK(p.name == q.name);
    CHECK(p.device_uri == q.device_uri);
    CHECK(p.language == q.language);
    CHECK(p.location == q.location);
    CHECK(p.info == q.info);
    CHECK(p.make_and_model == q.make_and_model);
    CHECK(p.price_list == q.price_list);
    CHECK(p.login == q.login);
    CHECK(p.print_all_on_login == q.print_all_on_login);
    CHECK(p.snmp == q.snmp);
    CHECK(p.snmp_address == q.snmp_address);
    CHECK(p.snmp_community == q.snmp_community);
    CHECK(p.snmp_version == q.snmp_version);
  }
  REQUIRE(a.queues.size() == b.queues.size());
  for (size_t i = 0; i < a.queues.size(); ++i) {
    CHECK(a.queues[i].name == b.queues[i].name);
    CHECK(a.queues[i].kind == b.queues[i].kind);
    CHECK(a.queues[i].printers == b.queues[i].printers);
    CHECK(a.queues[i].location == b.queues[i].location);
    CHECK(a.queues[i].info == b.queues[i].info);
    CHECK(a.queues[i].authentication == b.queues[i].authentication);
    CHECK(a.queues[i].failover == b.queues[i].failover);
  }
  REQUIRE(a.raw.size() == b.raw.size());
  for (size_t i = 0; i < a.raw.size(); ++i) {
    CHECK(a.raw[i].name == b.raw[i].name);
    CHECK(a.raw[i].listen.host == b.raw[i].listen.host);
    CHECK(a.raw[i].listen.port == b.raw[i].listen.port);
    CHECK(a.raw[i].queue == b.raw[i].queue);
  }
  REQUIRE(a.quotas.size() == b.quotas.size());
  for (size_t i = 0; i < a.quotas.size(); ++i) {
    CHECK(a.quotas[i].name == b.quotas[i].name);
    CHECK(a.quotas[i].groups == b.quotas[i].groups);
    CHECK(a.quotas[i].users == b.quotas[i].users);
    CHECK(a.quotas[i].period == b.quotas[i].period);
    CHECK(a.quotas[i].sheets == b.quotas[i].sheets);
  }
  REQUIRE(a.projects.size() == b.projects.size());
  for (size_t i = 0; i < a.projects.size(); ++i) {
    CHECK(a.projects[i].name == b.projects[i].name);
    CHECK(a.projects[i].description == b.projects[i].description);
    CHECK(a.projects[i].groups == b.projects[i].groups);
  }
}

}  // namespace quire::test
