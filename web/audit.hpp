// The audit log: every request through the admin API that changes
// something (POST, PUT, PATCH, DELETE), by whom, on what, from where, and
// what it was answered, kept for `api.audit_days` (storage: the events
// family, storage/keys.hpp). Read with GET /api/v1/audit (administrators).
// Secrets are never in it: the entry names the endpoint and its {name} or
// {id}, never a body.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/result.hpp"
#include "storage/records.hpp"
#include "web/user_service.hpp"

namespace quire::web {

struct audit_query {
  int64_t from_ms = 0;  // inclusive
  int64_t to_ms = 0;    // exclusive
  std::string actor;    // "" = everyone
  uint32_t limit = 100;
};

/// from=YYYY-MM-DD&to=YYYY-MM-DD (UTC days, both included; default the last
/// 30 days), user=NAME, limit=1..1000 (default 100).
result<audit_query> parse_audit_query(std::string_view query, int64_t now_ms);

/// {"entries": [{"time", "user", "action", "target", "status", "peer"}]}.
std::string audit_json(const std::vector<audit_record>& entries);

using audit_callback = std::function<void(result<std::vector<audit_record>>)>;

class audit_service {
 public:
  virtual ~audit_service() = default;
  /// Keeps `entry` (fire and forget: an entry that cannot be stored is
  /// logged, the request it describes is not failed for it).
  virtual void record(audit_record entry) = 0;
  /// The entries `q` selects, newest first.
  virtual void list(const principal& by, audit_query q, audit_callback cb) = 0;
};

}  // namespace quire::web
