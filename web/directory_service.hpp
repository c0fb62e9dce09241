// What the admin API needs from the server for the directory (LDAP, Active
// Directory) sync: its state and last reports, and starting a sync now.
//
// The same contract as the other services: every call returns at once and
// answers exactly once through its callback, from any thread, possibly
// before the call returns. The API has checked the caller is an
// administrator. Without a [directory] section the server has no
// directory_service and the endpoints answer 404 ("no directory is
// configured").
//
// Nothing here carries a secret: not the service account's password, not a
// card number. Reports name users and directory entries (DNs).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "protocols/result.hpp"

namespace quire::web {

/// One sync's report (actors/directory_rules.hpp, directory_report).
struct directory_report_view {
  bool full = false;
  int64_t started_ms = 0;
  int64_t finished_ms = 0;
  std::string error;  // "" when applied
  uint64_t users_read = 0;
  uint64_t groups_read = 0;
  uint64_t created = 0;
  uint64_t updated = 0;
  uint64_t unchanged = 0;
  uint64_t gone = 0;
  uint64_t returned = 0;
  uint64_t cards_added = 0;
  uint64_t cards_removed = 0;
  uint64_t problem_count = 0;
  std::vector<std::string> problems;  // the first 100
};

/// GET /api/v1/directory.
struct directory_view {
  std::string url;      // where the directory is (no credentials in it)
  std::string base_dn;
  bool running = false;
  bool running_full = false;
  uint64_t entries_read = 0;  // by the running sync so far
  int64_t started_ms = 0;
  int64_t last_full_ms = 0;
  int64_t next_ms = 0;
  std::string watermark;
  std::optional<directory_report_view> last;
  std::optional<directory_report_view> last_full;
};

using directory_view_callback = std::function<void(result<directory_view>)>;
/// true: a sync started; false: one was already running (a full one asked
/// for then runs after it).
using sync_started_callback = std::function<void(result<bool>)>;

class directory_service {
 public:
  virtual ~directory_service() = default;
  virtual void directory_status(directory_view_callback cb) = 0;
  virtual void start_sync(bool full, sync_started_callback cb) = 0;
};

}  // namespace quire::web
