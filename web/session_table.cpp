#include "web/session_table.hpp"

#include <algorithm>
#include <utility>
#include <vector>

namespace quire::web {

bool session_table::expired(const web_session& s, int64_t now_ms) const {
  return now_ms >= expires_ms(s);
}

int64_t session_table::expires_ms(const web_session& s) const {
  return std::min(s.last_ms + limits_.idle_ms, s.created_ms + limits_.absolute_ms);
}

void session_table::create(std::string token_hash, web_session s, int64_t now_ms) {
  s.created_ms = now_ms;
  s.last_ms = now_ms;
  // A linear sweep per login: logins are rare next to requests, and it keeps
  // the table free of dead sessions without a timer.
  std::vector<std::pair<int64_t, const std::string*>> mine;
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    if (expired(it->second, now_ms)) {
      it = sessions_.erase(it);
      continue;
    }
    if (it->second.user == s.user) mine.emplace_back(it->second.created_ms, &it->first);
    ++it;
  }
  if (limits_.per_user > 0 && mine.size() >= limits_.per_user) {
    std::sort(mine.begin(), mine.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    size_t drop = mine.size() - limits_.per_user + 1;
    std::vector<std::string> keys;
    for (size_t i = 0; i < drop; ++i) keys.push_back(*mine[i].second);
    for (const auto& k : keys) sessions_.erase(k);
  }
  sessions_.emplace(std::move(token_hash), std::move(s));
}

const web_session* session_table::verify(const std::string& token_hash, int64_t now_ms) {
  auto it = sessions_.find(token_hash);
  if (it == sessions_.end()) return nullptr;
  if (expired(it->second, now_ms)) {
    sessions_.erase(it);
    return nullptr;
  }
  it->second.last_ms = now_ms;
  return &it->second;
}

bool session_table::end(const std::string& token_hash) { return sessions_.erase(token_hash) > 0; }

}  // namespace quire::web
