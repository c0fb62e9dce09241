// IPP subscriptions and their notifications (RFC 3995, ippget of RFC 3996),
// as plain values and pure functions.
//
// A subscription watches one queue (Create-Printer-Subscriptions) or one
// job (Create-Job-Subscriptions) for a set of IPP event keywords. Each site
// event (protocols/events) that concerns it and matches one of its keywords
// becomes one notification, numbered by the subscription's own sequence
// (notify-sequence-number, from 1). A subscription keeps its recent
// notifications for ippget-event-life seconds, at most max_kept of them;
// Get-Notifications returns those at or after the sequence number the
// client gives. A job subscription ends when its job has finished and its
// last notification has aged out; a printer subscription when its lease
// runs out (Renew-Subscription extends it).
//
// The subscriptions actor (actors/ipp_notifier.hpp) owns the set and calls
// these; nothing here knows CAF or a clock.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "protocols/events/event.hpp"

namespace quire {

/// The IPP event keywords Quire generates (notify-events-supported).
const std::vector<std::string>& ipp_events_supported();
/// The IPP event keywords `e` stands for, most specific first
/// ("job-completed" before "job-state-changed").
std::vector<std::string_view> ipp_events_of(const event& e);

struct notification {
  uint32_t seq = 0;          // notify-sequence-number
  std::string keyword;       // notify-subscribed-event
  int64_t at_ms = 0;
  event what;
};

struct ipp_subscription {
  uint32_t id = 0;
  std::string owner;          // notify-subscriber-user-name
  std::string queue;          // the printer URI's queue
  uint64_t job_id = 0;        // 0: a printer subscription
  std::vector<std::string> events;
  int32_t lease_s = 0;        // notify-lease-duration as granted (0: none)
  int64_t expires_ms = 0;     // printer subscriptions: lease end (0: never)
  std::string user_data;      // notify-user-data (octets, at most 63)
  int32_t time_interval = 0;  // notify-time-interval
  uint32_t last_seq = 0;      // the newest notification's number
  bool job_finished = false;  // job subscriptions: its job reached a terminal state
  int64_t finished_ms = 0;
  std::deque<notification> kept;
};

struct notify_limits {
  int64_t event_life_ms = 300000;         // ippget-event-life
  size_t max_kept = 100;                  // notifications kept per subscription
  int32_t default_lease_s = 86400;        // notify-lease-duration-default
  int32_t max_lease_s = 86400 * 7;        // longer requests are granted this much
  size_t max_subscriptions = 10000;       // for the whole site
  size_t max_per_user = 100;
};

/// The set of subscriptions with indexes by queue and job.
class subscription_set {
 public:
  explicit subscription_set(notify_limits limits = {}) : limits_(limits) {}

  /// Adds `s` (its id must be new). False when a limit refuses it.
  bool add(ipp_subscription s);
  ipp_subscription* find(uint32_t id);
  /// Removes a subscription; false when there is none.
  bool remove(uint32_t id);

  /// Records `e` in every subscription it concerns; returns their ids.
  /// `queues_of_printer` lists, for printer.state events, the queues whose
  /// jobs that printer prints (a printer subscription sees its own queue's
  /// printers).
  std::vector<uint32_t> record(const event& e, const std::vector<std::string>& queues_of_printer, int64_t now_ms);

  /// Drops notifications past their life, and subscriptions whose lease
  /// ran out or whose job has finished and whose notifications are gone.
  /// Returns the ids removed.
  std::vector<uint32_t> expire(int64_t now_ms);

  /// The notifications of `s` numbered `from` or later.
  static std::vector<const notification*> since(const ipp_subscription& s, uint32_t from);

  /// Subscriptions on `queue` (and on `job_id` when non-zero), optionally of one owner.
  std::vector<const ipp_subscription*> list(const std::string& queue, uint64_t job_id, const std::string& owner) const;

  size_t size() const { return all_.size(); }
  const notify_limits& limits() const { return limits_; }

 private:
  void unindex(const ipp_subscription& s);

  notify_limits limits_;
  std::unordered_map<uint32_t, ipp_subscription> all_;
  std::unordered_map<std::string, std::unordered_set<uint32_t>> by_queue_;  // printer subscriptions
  std::unordered_map<uint64_t, std::unordered_set<uint32_t>> by_job_;
  std::unordered_map<std::string, size_t> per_user_;
};

}  // namespace quire
