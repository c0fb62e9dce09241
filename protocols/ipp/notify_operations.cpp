#include "protocols/ipp/notify_operations.hpp"

#include <algorithm>
#include <cstring>

#include "protocols/ipp/operations.hpp"

namespace quire::ipp {

namespace {

check bad(std::string msg) { return {IPP_STATUS_ERROR_BAD_REQUEST, std::move(msg)}; }

ipp_attribute_t* find_op(ipp_t* req, const char* name) {
  ipp_attribute_t* a = ippFindAttribute(req, name, IPP_TAG_ZERO);
  return a && ippGetGroupTag(a) == IPP_TAG_OPERATION ? a : nullptr;
}

bool single_int(ipp_attribute_t* a, int lo, int hi, int& v) {
  if (ippGetValueTag(a) != IPP_TAG_INTEGER || ippGetCount(a) != 1) return false;
  v = ippGetInteger(a, 0);
  return v >= lo && v <= hi;
}

// One attribute of a subscription-attributes group into `r`; a wrong
// syntax is a bad request for the whole operation.
check read_template(ipp_attribute_t* a, const std::vector<std::string>& supported, subscription_request& r) {
  const char* name = ippGetName(a);
  ipp_tag_t tag = ippGetValueTag(a);
  int v = 0;
  if (std::strcmp(name, "notify-events") == 0) {
    if (tag != IPP_TAG_KEYWORD) return bad("notify-events must be keywords");
    for (int i = 0; i < ippGetCount(a); ++i) {
      std::string k = ippGetString(a, i, nullptr);
      if (std::find(supported.begin(), supported.end(), k) != supported.end())
        r.events.push_back(k);
      else if (std::find(r.unsupported.begin(), r.unsupported.end(), name) == r.unsupported.end())
        r.unsupported.emplace_back(name);
    }
  } else if (std::strcmp(name, "notify-pull-method") == 0) {
    if (tag != IPP_TAG_KEYWORD || ippGetCount(a) != 1) return bad("notify-pull-method must be a keyword");
    r.pull_method = ippGetString(a, 0, nullptr);
  } else if (std::strcmp(name, "notify-recipient-uri") == 0) {
    if (tag != IPP_TAG_URI || ippGetCount(a) != 1) return bad("notify-recipient-uri must be a uri");
    r.recipient_uri = ippGetString(a, 0, nullptr);
  } else if (std::strcmp(name, "notify-lease-duration") == 0) {
    if (!single_int(a, 0, 67108863, v)) return bad("notify-lease-duration must be an integer(0:67108863)");
    r.lease_s = v;
  } else if (std::strcmp(name, "notify-job-id") == 0) {
    if (!single_int(a, 1, 0x7fffffff, v)) return bad("notify-job-id must be a positive integer");
    r.job_id = static_cast<uint64_t>(v);
  } else if (std::strcmp(name, "notify-user-data") == 0) {
    int len = 0;
    if (tag != IPP_TAG_STRING || ippGetCount(a) != 1) return bad("notify-user-data must be an octetString");
    const void* data = ippGetOctetString(a, 0, &len);
    if (len > 63) return bad("notify-user-data is longer than 63 octets");
    r.user_data.assign(static_cast<const char*>(data), static_cast<size_t>(len));
  } else if (std::strcmp(name, "notify-time-interval") == 0) {
    if (!single_int(a, 0, 0x7fffffff, v)) return bad("notify-time-interval must be an integer");
    r.time_interval = v;
  } else if (std::strcmp(name, "notify-charset") == 0 || std::strcmp(name, "notify-natural-language") == 0) {
    // Notifications are always in utf-8 and English.
  } else {
    r.unsupported.emplace_back(name);
  }
  return {};
}

}  // namespace

check parse_subscription_groups(ipp_t* req, const std::vector<std::string>& events_supported,
                                std::vector<subscription_request>& out) {
  out.clear();
  bool in_group = false;
  for (ipp_attribute_t* a = ippFirstAttribute(req); a; a = ippNextAttribute(req)) {
    if (ippGetGroupTag(a) != IPP_TAG_SUBSCRIPTION || !ippGetName(a)) {
      in_group = false;  // another group, or a separator between two subscription groups
      continue;
    }
    if (!in_group) out.emplace_back();
    in_group = true;
    if (auto c = read_template(a, events_supported, out.back())) return c;
  }
  if (out.empty()) return bad("no subscription-attributes group");
  for (auto& r : out) {
    if (!r.recipient_uri.empty()) {
      r.status = IPP_STATUS_ERROR_URI_SCHEME;  // push delivery is not offered; ippget is
    } else if (r.pull_method.empty()) {
      r.status = IPP_STATUS_ERROR_BAD_REQUEST;
    } else if (r.pull_method != "ippget") {
      r.status = IPP_STATUS_ERROR_ATTRIBUTES_OR_VALUES;
      r.unsupported.emplace_back("notify-pull-method");
    } else if (r.events.empty() && !r.unsupported.empty() &&
               std::find(r.unsupported.begin(), r.unsupported.end(), "notify-events") != r.unsupported.end()) {
      r.status = IPP_STATUS_ERROR_ATTRIBUTES_OR_VALUES;  // it asked only for events Quire never sends
    }
  }
  return {};
}

check parse_get_notifications(ipp_t* req, notifications_request& out) {
  out = {};
  ipp_attribute_t* ids = find_op(req, "notify-subscription-ids");
  if (!ids) return bad("notify-subscription-ids is required");
  if (ippGetValueTag(ids) != IPP_TAG_INTEGER) return bad("notify-subscription-ids must be integers");
  for (int i = 0; i < ippGetCount(ids); ++i) {
    int v = ippGetInteger(ids, i);
    if (v < 1) return bad("notify-subscription-ids must be positive");
    out.ids.push_back(static_cast<uint32_t>(v));
  }
  out.from.assign(out.ids.size(), 1);
  if (ipp_attribute_t* seq = find_op(req, "notify-sequence-numbers")) {
    if (ippGetValueTag(seq) != IPP_TAG_INTEGER) return bad("notify-sequence-numbers must be integers");
    for (int i = 0; i < ippGetCount(seq) && static_cast<size_t>(i) < out.ids.size(); ++i)
      out.from[static_cast<size_t>(i)] = static_cast<uint32_t>(std::max(1, ippGetInteger(seq, i)));
  }
  if (ipp_attribute_t* w = find_op(req, "notify-wait")) {
    if (ippGetValueTag(w) != IPP_TAG_BOOLEAN || ippGetCount(w) != 1) return bad("notify-wait must be a boolean");
    out.wait = ippGetBoolean(w, 0) != 0;
  }
  return {};
}

check parse_subscription_id(ipp_t* req, uint32_t& id, int32_t& lease_s) {
  int v = 0;
  ipp_attribute_t* a = find_op(req, "notify-subscription-id");
  if (!a) return bad("notify-subscription-id is required");
  if (!single_int(a, 1, 0x7fffffff, v)) return bad("notify-subscription-id must be a positive integer");
  id = static_cast<uint32_t>(v);
  lease_s = -1;
  if (ipp_attribute_t* l = ippFindAttribute(req, "notify-lease-duration", IPP_TAG_ZERO)) {
    if (!single_int(l, 0, 67108863, v)) return bad("notify-lease-duration must be an integer(0:67108863)");
    lease_s = v;
  }
  return {};
}

check parse_get_subscriptions(ipp_t* req, subscriptions_query& out) {
  int v = 0;
  if (auto c = parse_requested(req, out.requested)) return c;
  if (ipp_attribute_t* a = find_op(req, "notify-job-id")) {
    if (!single_int(a, 1, 0x7fffffff, v)) return bad("notify-job-id must be a positive integer");
    out.job_id = static_cast<uint64_t>(v);
  }
  if (ipp_attribute_t* a = find_op(req, "limit")) {
    if (!single_int(a, 1, 0x7fffffff, v)) return bad("limit must be a positive integer");
    out.limit = static_cast<uint32_t>(v);
  }
  if (ipp_attribute_t* a = find_op(req, "my-subscriptions")) {
    if (ippGetValueTag(a) != IPP_TAG_BOOLEAN || ippGetCount(a) != 1) return bad("my-subscriptions must be a boolean");
    out.mine = ippGetBoolean(a, 0) != 0;
  }
  return {};
}

}  // namespace quire::ipp
