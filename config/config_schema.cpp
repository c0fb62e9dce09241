// The schema table. Adding a key means: a row here, a field in config.hpp,
// its reading in config_validate.cpp or config_entities.cpp, its printing in
// config_print.cpp, and its documented default in quire.example.toml (the
// tests check that the last two agree with this table).
#include "config/config_schema.hpp"

#include <algorithm>
#include <iterator>

namespace quire::detail {

namespace {

using enum value_kind;

constexpr key_spec table_[] = {
    {"server", "data_dir", string},
    {"server", "user", string},
    {"server", "name", string},
    {"log", "level", string},
    {"log", "file", string},
    {"ipp", "enabled", boolean},
    {"ipp", "listen", string},
    {"tls", "enabled", boolean},
    {"tls", "certificate", string},
    {"tls", "private_key", string},
    {"api", "allow_plain_loopback", boolean},
    {"api", "metrics_token", string},
    {"api", "audit_days", integer},
    {"privacy", "mask_other_users", boolean},
    {"lpd", "enabled", boolean},
    {"lpd", "listen", string},
    {"lpd", "max_control_bytes", integer},
    {"intake", "user_from", string_array},
    {"intake", "name_from", string_array},
    {"intake", "known_users_only", boolean},
    {"intake", "unknown_user", string},
    {"limits", "max_document_bytes", integer},
    {"limits", "max_ipp_attributes_bytes", integer},
    {"limits", "inline_document_bytes", integer},
    {"limits", "request_timeout_ms", integer},
    {"limits", "idle_timeout_ms", integer},
    {"limits", "max_connections", integer},
    {"limits", "min_free_disk_bytes", integer},
    {"limits", "max_jobs_per_user", integer},
    {"limits", "max_bytes_per_user", integer},
    {"limits", "user_submissions_per_minute", integer},
    {"limits", "host_submissions_per_minute", integer},
    {"jobs", "held_expiry_s", integer},
    {"jobs", "history_s", integer},
    {"jobs", "reprint_s", integer},
    {"processors", "enabled", boolean},
    {"processors", "count", integer},
    {"processors", "timeout_ms", integer},
    {"processors", "convert_timeout_ms", integer},
    {"processors", "memory_bytes", integer},
    {"processors", "run_as", string},
    {"delivery", "connect_timeout_ms", integer},
    {"delivery", "progress_timeout_ms", integer},
    {"delivery", "ack_timeout_ms", integer},
    {"delivery", "retries", integer},
    {"delivery", "backoff_ms", integer},
    {"delivery", "ipp_poll_ms", integer},
    {"delivery", "job_timeout_s", integer},
    {"accounting", "currency", string},
    {"accounting", "minor_digits", integer},
    {"accounting", "prepaid", boolean},
    {"accounting", "initial_credit", integer},
    {"accounting", "unlimited_groups", string_array},
    {"terminals", "session_idle_s", integer},
    {"terminals", "pin_login_min_digits", integer},
    {"terminals", "max_login_failures", integer},
    {"terminals", "lockout_s", integer},
    {"terminals", "card_enrolment", boolean},
    {"terminals", "enrolment_code_s", integer},
    {"monitoring", "enabled", boolean},
    {"monitoring", "interval_s", integer},
    {"monitoring", "busy_interval_s", integer},
    {"monitoring", "jitter_percent", integer},
    {"monitoring", "timeout_ms", integer},
    {"monitoring", "retries", integer},
    {"monitoring", "offline_after", integer},
    {"monitoring", "max_backoff_s", integer},
    {"monitoring", "community", string},
    {"monitoring", "version", string},
    {"monitoring", "low_percent", integer},
    {"monitoring", "max_rows", integer},
    {"monitoring", "snapshot_s", integer},
    {"monitoring", "snapshot_days", integer},
    {"directory", "enabled", boolean},
    {"directory", "url", string},
    {"directory", "start_tls", boolean},
    {"directory", "ca_file", string},
    {"directory", "verify_server", boolean},
    {"directory", "timeout_ms", integer},
    {"directory", "bind_dn", string},
    {"directory", "bind_password_file", string},
    {"directory", "schema", string},
    {"directory", "base_dn", string},
    {"directory", "user_filter", string},
    {"directory", "group_base_dn", string},
    {"directory", "group_filter", string},
    {"directory", "login_attribute", string},
    {"directory", "name_attribute", string},
    {"directory", "email_attribute", string},
    {"directory", "card_attribute", string},
    {"directory", "disabled_attribute", string},
    {"directory", "group_name_attribute", string},
    {"directory", "member_attribute", string},
    {"directory", "changed_attribute", string},
    {"directory", "admin_groups", string_array},
    {"directory", "page_size", integer},
    {"directory", "interval_s", integer},
    {"directory", "full_interval_s", integer},
    {"directory", "password_logins", boolean},
    {"directory", "offline_logins", string},
    {"mail", "enabled", boolean},
    {"mail", "url", string},
    {"mail", "start_tls", boolean},
    {"mail", "ca_file", string},
    {"mail", "verify_server", boolean},
    {"mail", "user", string},
    {"mail", "password_file", string},
    {"mail", "timeout_ms", integer},
    {"mail", "from", string},
    {"mail", "from_name", string},
    {"mail", "site_name", string},
    {"pins", "policy", string},
    {"pins", "digits", integer},
    {"pins", "refuse_trivial", boolean},
    {"pins", "resend_s", integer},
    {"prices.*", "per", string},
    {"prices.*", "mono", integer},
    {"prices.*", "colour", integer},
    {"prices.*", "duplex_mono", integer},
    {"prices.*", "duplex_colour", integer},
    {"prices.*", "sizes", string_array},
    {"prices.*", "mono_only", boolean},
    {"printers.*", "device_uri", string},
    {"printers.*", "language", string},
    {"printers.*", "location", string},
    {"printers.*", "info", string},
    {"printers.*", "make_and_model", string},
    {"printers.*", "price_list", string},
    {"printers.*", "login", string_array},
    {"printers.*", "print_all_on_login", boolean},
    {"printers.*", "snmp", boolean},
    {"printers.*", "snmp_address", string},
    {"printers.*", "snmp_community", string},
    {"printers.*", "snmp_version", string},
    {"queues.*", "type", string},
    {"queues.*", "printers", string_array},
    {"queues.*", "location", string},
    {"queues.*", "info", string},
    {"queues.*", "authentication", string},
    {"queues.*", "failover", boolean},
    {"raw.*", "listen", string},
    {"raw.*", "queue", string},
    {"quotas.*", "groups", string_array},
    {"quotas.*", "users", string_array},
    {"quotas.*", "period", string},
    {"quotas.*", "sheets", integer},
    {"projects.*", "description", string},
    {"projects.*", "groups", string_array},
};

}  // namespace

std::span<const key_spec> schema() { return table_; }

const key_spec* find_key(std::string_view table, std::string_view key) {
  for (const key_spec& k : schema())
    if (k.table == table && k.key == key) return &k;
  return nullptr;
}

bool is_fixed_section(std::string_view name) {
  return std::find(std::begin(fixed_sections), std::end(fixed_sections), name) !=
         std::end(fixed_sections);
}

bool is_named_section(std::string_view name) {
  return std::find(std::begin(named_sections), std::end(named_sections), name) !=
         std::end(named_sections);
}

const char* expected_name(value_kind kind) {
  switch (kind) {
    case string: return "a string";
    case integer: return "an integer";
    case boolean: return "a boolean";
    case string_array: return "an array of strings";
  }
  return "a value";
}

}  // namespace quire::detail
