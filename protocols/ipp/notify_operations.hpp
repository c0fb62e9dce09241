// The subscription operations of RFC 3995 (and ippget's Get-Notifications,
// RFC 3996) as typed values.
//
// Create-Printer-Subscriptions and Create-Job-Subscriptions carry one or
// more subscription-attributes groups; each becomes a subscription_request
// with its own status (a group Quire cannot honour is refused alone, its
// notify-status-code returned in the response). The other operations name
// subscriptions by notify-subscription-id.
#pragma once

#include <cups/ipp.h>

#include <cstdint>
#include <string>
#include <vector>

#include "protocols/ipp/codec.hpp"

namespace quire::ipp {

struct subscription_request {
  std::vector<std::string> events;  // notify-events; empty: the printer's default
  std::string pull_method;          // notify-pull-method ("ippget")
  std::string recipient_uri;        // notify-recipient-uri (push: not supported)
  int32_t lease_s = -1;             // notify-lease-duration; -1: absent
  uint64_t job_id = 0;              // notify-job-id (Create-Job-Subscriptions)
  std::string user_data;            // notify-user-data, at most 63 octets
  int32_t time_interval = 0;        // notify-time-interval
  ipp_status_t status = IPP_STATUS_OK;  // what to answer for this group
  std::vector<std::string> unsupported; // attribute names ignored or refused
};

/// Every subscription-attributes group of `req`, in order; bad request when
/// there is none or an attribute has the wrong syntax.
check parse_subscription_groups(ipp_t* req, const std::vector<std::string>& events_supported,
                                std::vector<subscription_request>& out);

/// Get-Notifications: notify-subscription-ids (REQUIRED), the parallel
/// notify-sequence-numbers (1 when absent) and notify-wait.
struct notifications_request {
  std::vector<uint32_t> ids;
  std::vector<uint32_t> from;  // same length as ids
  bool wait = false;
};
check parse_get_notifications(ipp_t* req, notifications_request& out);

/// notify-subscription-id of Get-Subscription-Attributes, Renew-Subscription
/// and Cancel-Subscription; `lease_s` is Renew's notify-lease-duration (-1: absent).
check parse_subscription_id(ipp_t* req, uint32_t& id, int32_t& lease_s);

/// Get-Subscriptions.
struct subscriptions_query {
  uint64_t job_id = 0;     // notify-job-id; 0: printer subscriptions and job ones alike
  uint32_t limit = 0;
  bool mine = false;       // my-subscriptions
  std::vector<std::string> requested;
};
check parse_get_subscriptions(ipp_t* req, subscriptions_query& out);

}  // namespace quire::ipp
