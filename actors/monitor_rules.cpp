#include "actors/monitor_rules.hpp"

#include <algorithm>
#include <cmath>
#include <map>

namespace quire {

namespace {

// Up to `percent` shorter, never longer: a change at a device is then seen
// within one interval, and polls of a fleet started together drift apart.
uint64_t jittered(uint64_t ms, uint32_t percent, double random01) {
  double j = std::clamp<double>(percent, 0, 50) / 100.0;
  double factor = 1.0 - j * std::clamp(random01, 0.0, 1.0);
  return static_cast<uint64_t>(std::llround(static_cast<double>(ms) * factor));
}

// "media-jam-error" -> {"media-jam", "-error"}
std::pair<std::string, std::string> split_severity(const std::string& k) {
  for (const char* suffix : {"-error", "-warning", "-report"}) {
    std::string_view s(suffix);
    if (k.size() > s.size() && k.compare(k.size() - s.size(), s.size(), s) == 0)
      return {k.substr(0, k.size() - s.size()), std::string(s)};
  }
  return {k, ""};
}

}  // namespace

uint64_t next_poll_delay(const monitor_schedule& s, bool busy, uint32_t silent, double random01) {
  uint64_t base = busy && silent == 0 ? std::min(s.busy_interval_ms, s.interval_ms) : s.interval_ms;
  if (silent > 0) {
    uint64_t cap = std::max(s.max_backoff_ms, s.interval_ms);
    base = s.interval_ms;
    for (uint32_t i = 0; i < silent && base < cap; ++i) base *= 2;
    base = std::min(base, cap);
  }
  return std::max<uint64_t>(jittered(base, s.jitter_percent, random01), 1);
}

uint64_t first_poll_delay(const monitor_schedule& s, double random01) {
  return static_cast<uint64_t>(static_cast<double>(s.interval_ms) * std::clamp(random01, 0.0, 1.0));
}

counter_decision judge_counter(bool had, uint64_t last, const std::string& last_serial, uint64_t last_uptime_cs,
                               const devices::device_status& now) {
  counter_decision d;
  if (!now.has_life_count) {
    d.keep = last;
    return d;
  }
  bool other_device = had && !last_serial.empty() && !now.serial.empty() && last_serial != now.serial;
  bool restarted = had && now.uptime_cs < last_uptime_cs;
  if (had && now.life_count < last && !other_device && !restarted) {
    d.keep = last;
    d.warning = "the page counter went back from " + std::to_string(last) + " to " +
                std::to_string(now.life_count) + " without a restart; kept " + std::to_string(last);
    return d;
  }
  d.keep = now.life_count;
  d.changed = !had || now.life_count != last;
  return d;
}

bool snapshot_due(bool have_snapshot, int64_t last_snapshot_ms, bool counter_changed, bool device_changed,
                  int64_t now_ms, int64_t every_ms) {
  if (!have_snapshot || device_changed) return true;
  return counter_changed && now_ms - last_snapshot_ms >= every_ms;
}

std::vector<std::string> printer_reasons(const devices::device_status& last, bool answered_ever, bool online,
                                         int low_percent) {
  std::vector<std::string> out;
  if (answered_ever) out = devices::state_reasons(last, low_percent);
  if (!online) {
    for (auto& k : out) k = split_severity(k).first + "-report";
    out.emplace_back("offline-report");
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<std::string> merge_reasons(const std::vector<std::vector<std::string>>& printers) {
  std::map<std::string, std::pair<std::string, size_t>> seen;  // keyword -> (worst suffix, printers with -error)
  auto rank = [](const std::string& sfx) { return sfx == "-error" ? 3 : sfx == "-warning" ? 2 : sfx == "-report" ? 1 : 0; };
  for (const auto& list : printers)
    for (const auto& k : list) {
      auto [word, sfx] = split_severity(k);
      auto& e = seen[word];
      if (rank(sfx) > rank(e.first)) e.first = sfx;
      if (sfx == "-error") e.second += 1;
    }
  std::vector<std::string> out;
  for (auto& [word, e] : seen) {
    std::string sfx = e.first;
    if (sfx == "-error" && printers.size() > 1 && e.second < printers.size()) sfx = "-warning";
    out.push_back(word + sfx);
  }
  return out;
}

}  // namespace quire
