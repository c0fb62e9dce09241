// IPP subscriptions and notifications rendered as attributes (RFC 3995 §5.3
// and §9, RFC 3996 §5): pure functions over notify_rules' values.
#pragma once

#include <cups/ipp.h>

#include <string>

#include "actors/ipp/notify_rules.hpp"
#include "protocols/ipp/attribute_filter.hpp"

namespace quire {

/// The subscription description attributes of `s` in a subscription group.
void add_subscription_attributes(ipp_t* resp, const ipp_subscription& s, const std::string& authority,
                                 int64_t now_ms, const ipp::attribute_filter& want);

/// One event-notification-attributes group. Job names are shown only when
/// `full` (the requester owns the job, or is an administrator).
void add_notification(ipp_t* resp, const ipp_subscription& s, const notification& n, const std::string& authority,
                      bool full);

/// The printer attributes that describe notification support.
void add_notify_printer_attributes(ipp_t* resp, const notify_limits& limits, const ipp::attribute_filter& want);

}  // namespace quire
