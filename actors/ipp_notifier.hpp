// The IPP notifier: IPP subscriptions and ippget (RFC 3995, RFC 3996).
//
// One actor owns every IPP subscription of the site (actors/ipp/
// notify_rules.hpp). It listens to the whole event bus, turns the events a
// subscription asked for into its notifications, and answers the
// subscription operations the IPP listener hands it: Create-Printer-
// Subscriptions, Create-Job-Subscriptions, Get-Notifications (with
// notify-wait: the answer is held until a notification arrives or
// `wait_ms` passes, so clients need not poll), Renew-Subscription,
// Cancel-Subscription, Get-Subscriptions, Get-Subscription-Attributes.
//
// Subscriptions live in memory: after a restart a client's
// Get-Notifications gets client-error-not-found and it subscribes again,
// as RFC 3995 §5.4 allows. Their ids come from `first_id` on, which the
// site takes from a durable counter, so an old id never names a new
// subscription.
#pragma once

#include <chrono>
#include <functional>

#include "actors/ipp/ipp_request.hpp"
#include "actors/ipp/notify_rules.hpp"
#include "actors/messages.hpp"

namespace quire {

struct notifier_config {
  fleet_ptr printers_and_queues;
  event_bus_actor bus;
  reader_actor reader;            // to check the job of a job subscription
  notify_limits limits;
  uint32_t first_id = 1;
  std::chrono::milliseconds wait{30000};  // the longest a notify-wait answer is held
  std::function<int64_t()> now_ms;
  bool mask_others = true;  // privacy.mask_other_users: others' job names stay out of notifications
};

/// Spawns the notifier; it subscribes to the bus at once. It takes
/// ipp_call_ptr messages of the subscription operations.
caf::actor spawn_ipp_notifier(caf::actor_system& sys, notifier_config cfg);

/// True for the operations the notifier answers.
bool is_subscription_operation(ipp_op_t op);

}  // namespace quire
