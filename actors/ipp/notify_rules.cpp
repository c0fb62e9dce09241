#include "actors/ipp/notify_rules.hpp"

#include <algorithm>

namespace quire {

namespace {

constexpr uint8_t terminal_states[] = {6, 7, 8, 9};  // done, failed, canceled, expired (storage/records.hpp)

bool is_terminal_state(uint8_t s) {
  return std::find(std::begin(terminal_states), std::end(terminal_states), s) != std::end(terminal_states);
}

// The keyword of `e` the subscription asked for, most specific first; "" for none.
std::string_view pick(const ipp_subscription& s, const event& e) {
  for (auto k : ipp_events_of(e))
    if (std::find(s.events.begin(), s.events.end(), k) != s.events.end()) return k;
  return {};
}

void push(ipp_subscription& s, const event& e, std::string_view keyword, int64_t now_ms, size_t max_kept) {
  notification n;
  n.seq = ++s.last_seq;
  n.keyword = std::string(keyword);
  n.at_ms = now_ms;
  n.what = e;
  s.kept.push_back(std::move(n));
  while (s.kept.size() > max_kept) s.kept.pop_front();
}

}  // namespace

const std::vector<std::string>& ipp_events_supported() {
  static const std::vector<std::string> all = {"job-completed",         "job-created",
                                               "job-state-changed",     "printer-config-changed",
                                               "printer-state-changed", "printer-stopped"};
  return all;
}

std::vector<std::string_view> ipp_events_of(const event& e) {
  switch (e.type) {
    case event_type::job_received: return {"job-created", "job-state-changed"};
    case event_type::job_held:
    case event_type::job_analysed:
    case event_type::job_released:
    case event_type::job_printing: return {"job-state-changed"};
    case event_type::job_printed:
    case event_type::job_failed:
    case event_type::job_canceled:
    case event_type::job_expired: return {"job-completed", "job-state-changed"};
    case event_type::job_forgotten: return {};
    case event_type::printer_state:
      if (e.printer_state == 5) return {"printer-stopped", "printer-state-changed"};
      return {"printer-state-changed"};
    case event_type::printer_supply:  // the state reasons that follow from them come as printer.state
    case event_type::printer_alert: return {};
    case event_type::queue_changed: return {"printer-config-changed"};
    case event_type::balance_changed:  // not IPP's: WebSocket and the event flow only
    case event_type::job_charged:
    case event_type::session_opened:
    case event_type::session_closed:
    case event_type::directory_synced: return {};
  }
  return {};
}

bool subscription_set::add(ipp_subscription s) {
  if (all_.size() >= limits_.max_subscriptions || all_.count(s.id)) return false;
  if (per_user_[s.owner] >= limits_.max_per_user) return false;
  per_user_[s.owner] += 1;
  if (s.job_id != 0)
    by_job_[s.job_id].insert(s.id);
  else
    by_queue_[s.queue].insert(s.id);
  uint32_t id = s.id;
  all_.emplace(id, std::move(s));
  return true;
}

ipp_subscription* subscription_set::find(uint32_t id) {
  auto it = all_.find(id);
  return it == all_.end() ? nullptr : &it->second;
}

void subscription_set::unindex(const ipp_subscription& s) {
  if (s.job_id != 0) {
    auto it = by_job_.find(s.job_id);
    if (it != by_job_.end() && (it->second.erase(s.id), it->second.empty())) by_job_.erase(it);
  } else {
    auto it = by_queue_.find(s.queue);
    if (it != by_queue_.end() && (it->second.erase(s.id), it->second.empty())) by_queue_.erase(it);
  }
  auto u = per_user_.find(s.owner);
  if (u != per_user_.end() && --u->second == 0) per_user_.erase(u);
}

bool subscription_set::remove(uint32_t id) {
  auto it = all_.find(id);
  if (it == all_.end()) return false;
  unindex(it->second);
  all_.erase(it);
  return true;
}

std::vector<uint32_t> subscription_set::record(const event& e, const std::vector<std::string>& queues_of_printer,
                                               int64_t now_ms) {
  std::vector<uint32_t> touched;
  auto visit = [&](uint32_t id) {
    auto it = all_.find(id);
    if (it == all_.end()) return;
    auto& s = it->second;
    if (s.job_id != 0 && is_job_event(e.type) && is_terminal_state(e.job_state) && !s.job_finished) {
      s.job_finished = true;
      s.finished_ms = now_ms;
    }
    auto k = pick(s, e);
    if (k.empty()) return;
    push(s, e, k, now_ms, limits_.max_kept);
    touched.push_back(id);
  };
  if (is_job_event(e.type) && e.job_id != 0)
    if (auto it = by_job_.find(e.job_id); it != by_job_.end())
      for (uint32_t id : std::vector<uint32_t>(it->second.begin(), it->second.end())) visit(id);
  std::vector<std::string> queues;
  if (e.type == event_type::printer_state)
    queues = queues_of_printer;
  else if (!e.queue.empty())
    queues.push_back(e.queue);
  for (const auto& q : queues)
    if (auto it = by_queue_.find(q); it != by_queue_.end())
      for (uint32_t id : std::vector<uint32_t>(it->second.begin(), it->second.end())) visit(id);
  return touched;
}

std::vector<uint32_t> subscription_set::expire(int64_t now_ms) {
  std::vector<uint32_t> gone;
  for (auto& [id, s] : all_) {
    while (!s.kept.empty() && s.kept.front().at_ms + limits_.event_life_ms <= now_ms) s.kept.pop_front();
    bool lease_over = s.expires_ms != 0 && s.expires_ms <= now_ms;
    bool job_over = s.job_finished && s.kept.empty() && s.finished_ms + limits_.event_life_ms <= now_ms;
    if (lease_over || job_over) gone.push_back(id);
  }
  for (uint32_t id : gone) remove(id);
  return gone;
}

std::vector<const notification*> subscription_set::since(const ipp_subscription& s, uint32_t from) {
  std::vector<const notification*> out;
  for (const auto& n : s.kept)
    if (n.seq >= from) out.push_back(&n);
  return out;
}

std::vector<const ipp_subscription*> subscription_set::list(const std::string& queue, uint64_t job_id,
                                                            const std::string& owner) const {
  std::vector<const ipp_subscription*> out;
  for (const auto& [id, s] : all_) {
    if (s.queue != queue) continue;
    if (job_id != 0 && s.job_id != job_id) continue;
    if (!owner.empty() && s.owner != owner) continue;
    out.push_back(&s);
  }
  std::sort(out.begin(), out.end(), [](auto* a, auto* b) { return a->id < b->id; });
  return out;
}

}  // namespace quire
