// The configuration schema: every key Quire reads, the table it lives in and
// its TOML type. It is the one list that both --set (which must know whether
// a value is a string to take it verbatim) and validation (which must name
// unknown keys and wrong types) consult, so the two cannot disagree.
//
// Internal to quire_config; pure data, no toml++.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace quire::detail {

enum class value_kind : uint8_t {
  string,
  integer,
  boolean,
  string_array,
};

struct key_spec {
  std::string_view table;  // "server", ..., or "printers.*" (any named section + ".*") for every entry
  std::string_view key;
  value_kind kind;
};

/// The fixed sections, in the order to_toml() prints them.
inline constexpr std::string_view fixed_sections[] = {"server", "log", "ipp", "tls", "api", "lpd",
                                                     "intake", "privacy", "limits", "jobs",
                                                     "processors", "delivery", "accounting",
                                                     "terminals", "monitoring", "directory", "mail", "pins"};

/// The sections whose entries are named by the user, in the order they are
/// read (a printer names a price list, a queue names printers, a raw
/// listener names a queue; quotas and projects name only user groups) and
/// printed.
inline constexpr std::string_view named_sections[] = {"prices", "printers", "queues", "raw",
                                                     "quotas", "projects"};

/// Every key, grouped by table.
std::span<const key_spec> schema();

/// The spec of `key` in `table` ("printers.*" for any printer), or nullptr.
const key_spec* find_key(std::string_view table, std::string_view key);

/// True for the fixed sections.
bool is_fixed_section(std::string_view name);

/// True for the named sections: "prices", "printers", "queues", "raw",
/// "quotas", "projects".
bool is_named_section(std::string_view name);

/// "a string", "an integer", ... for messages like "expected an integer".
const char* expected_name(value_kind kind);

}  // namespace quire::detail
