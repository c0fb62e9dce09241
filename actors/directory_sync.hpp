// Directory sync: the site's users, groups, e-mail addresses and card
// numbers, taken from the university's LDAP or Active Directory.
//
// One actor keeps the schedule and the reports; one detached worker (libldap
// blocks) reads the directory and plans the changes (directory_rules.hpp);
// the user directory actor applies a plan as one batch, after checking that
// no user in it changed meanwhile (else the sync is planned again). So the
// users are only ever written by the user directory, and a sync that fails
// half-way (the directory goes down, a page times out) changes nothing: the
// last synced state keeps working.
//
// Two kinds of sync:
//   - full: every user and group under the configured bases; users no longer
//     there are marked gone (disabled, kept with their ledger);
//   - incremental: only entries whose change-time attribute (modifyTimestamp,
//     AD: whenChanged) is at or after the newest change the last sync saw
//     (the watermark, in the directory's own clock). Deletions are seen by
//     the next full sync.
// The first sync is full; then incremental every `interval`, full every
// `full_interval`; an administrator starts either at any time (REST, quirectl).
// Each sync ends with a directory.synced event (admin topic) and a report.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "actors/directory_rules.hpp"
#include "actors/messages.hpp"
#include "config/directory_config.hpp"

namespace quire {

class store;

/// Where the directory is and how to read it: [directory] in quire.toml.
struct directory_options {
  ldap::client_options client;
  std::string bind_dn;        // the service account the sync reads with
  std::string bind_password;  // a secret: never logged
  std::string base_dn;        // users are searched under it (subtree)
  std::string user_filter = "(objectClass=inetOrgPerson)";
  std::string group_base_dn;  // "" = base_dn
  std::string group_filter = "(objectClass=groupOfNames)";
  std::string changed_attribute = "modifyTimestamp";
  int page_size = 500;
  directory_map map;
  std::chrono::seconds interval{900};
  std::chrono::seconds full_interval{86400};
  std::chrono::milliseconds first_delay{1000};  // after start, before the first sync
  std::function<int64_t()> now_ms;               // wall clock
};

/// What GET /api/v1/directory shows.
struct directory_status {
  bool running = false;
  bool running_full = false;
  uint64_t entries_read = 0;  // by the running sync so far
  int64_t started_ms = 0;     // of the running sync
  int64_t last_full_ms = 0;   // when the last applied full sync finished
  int64_t next_ms = 0;        // when the next scheduled sync starts
  std::string watermark;      // generalized time; "" before the first sync
  std::optional<directory_report> last;       // the last sync, applied or failed
  std::optional<directory_report> last_full;  // the last applied full sync
};

/// The sync state kept in `meta` with each applied plan.
struct directory_sync_state {
  std::string watermark;
  int64_t last_full_ms = 0;
  directory_report last;
  directory_report last_full;
  MSGPACK_DEFINE_MAP(watermark, last_full_ms, last, last_full)
};

/// The `meta` key of directory_sync_state.
inline constexpr const char* directory_state_key = "directory_sync";

/// Reads and plans one sync (blocking: on the worker's thread). `progress`
/// is called now and then with the entries read so far. On failure the
/// plan's report carries the error and the plan has no changes.
directory_plan run_directory_sync(const directory_options& o, const store& st, bool full,
                                  const std::string& watermark, std::string& new_watermark,
                                  const std::function<void(uint64_t)>& progress);

/// The LDAP connection settings of [directory].
ldap::client_options ldap_options_of(const directory_config& c);
/// [directory] as the sync's options; `bind_password` is the service
/// account's (read from bind_password_file by the caller).
directory_options directory_options_of(const directory_config& c, std::string bind_password);

directory_sync_actor spawn_directory_sync(caf::actor_system& sys, directory_options opts, store& st,
                                          user_directory_actor users, event_bus_actor events);

}  // namespace quire
