#include "actors/ipp_notifier.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <limits>

#include "actors/ipp/notify_render.hpp"
#include "actors/ipp_listener.hpp"
#include "protocols/ipp/notify_operations.hpp"
#include "protocols/ipp/operations.hpp"
#include "storage/store.hpp"

namespace quire {

namespace {

using sweep_atom = caf::atom_constant<caf::atom("sweep")>;

// A Get-Notifications with notify-wait that found nothing yet.
struct waiter {
  ipp_call_ptr call;
  ipp::notifications_request req;
  std::string user;
  int64_t deadline_ms = 0;
};

struct notifier_state {
  notifier_config cfg;
  subscription_set subs;
  uint32_t next_id = 1;
  std::vector<waiter> waiters;
  static inline const char* name = "ipp_notifier";
};

using notifier_self = caf::stateful_actor<notifier_state>*;

int64_t now(notifier_self self) { return self->state.cfg.now_ms(); }

// The listener authenticated the call when it carried credentials.
std::string user_of(const ipp_call_ptr& call, const ipp::operation_common& c) {
  if (call->authenticated) return call->user;
  return c.requesting_user.empty() ? "anonymous" : c.requesting_user;
}

// The queues whose jobs `printer` prints: a printer subscription on a queue
// sees the state of the queue's printers.
std::vector<std::string> queues_of(const fleet& f, const std::string& printer) {
  std::vector<std::string> out;
  for (const auto& [name, q] : f.queues)
    if (std::find(q.record.printers.begin(), q.record.printers.end(), printer) != q.record.printers.end())
      out.push_back(name);
  return out;
}

bool common_and_queue(notifier_self self, const ipp_call_ptr& call, ipp::operation_common& c) {
  if (auto chk = ipp::parse_common(call->request(), false, c)) {
    call->reply_status(chk.status, chk.message);
    return false;
  }
  if (!self->state.cfg.printers_and_queues->queue(c.target.queue)) {
    call->reply_status(IPP_STATUS_ERROR_NOT_FOUND, "there is no queue '" + c.target.queue + "'");
    return false;
  }
  return true;
}

// Adds the subscriptions `reqs` asks for (for `job_id`'s job, when non-zero)
// and answers with one subscription group each.
void grant(notifier_self self, const ipp_call_ptr& call, std::vector<ipp::subscription_request> reqs,
           const std::string& owner, const std::string& queue, uint64_t job_id) {
  auto& st = self->state;
  auto resp = ipp::make_response(call->request(), IPP_STATUS_OK);
  size_t granted = 0;
  bool substituted = false;
  int64_t t = now(self);
  for (size_t i = 0; i < reqs.size(); ++i) {
    auto& r = reqs[i];
    if (i > 0) ippAddSeparator(resp.get());
    ipp_status_t status = r.status;
    ipp_subscription s;
    if (status == IPP_STATUS_OK) {
      s.id = st.next_id;
      s.owner = owner;
      s.queue = queue;
      s.job_id = job_id != 0 ? job_id : r.job_id;
      s.events = r.events.empty() ? std::vector<std::string>{"job-completed"} : r.events;
      s.user_data = r.user_data;
      s.time_interval = r.time_interval;
      if (s.job_id == 0) {
        int32_t want = r.lease_s < 0 ? st.subs.limits().default_lease_s : r.lease_s;
        s.lease_s = want == 0 || want > st.subs.limits().max_lease_s ? st.subs.limits().max_lease_s : want;
        substituted = substituted || s.lease_s != want;
        s.expires_ms = t + int64_t{s.lease_s} * 1000;
      }
      if (st.subs.add(s))
        st.next_id += 1;
      else
        status = IPP_STATUS_ERROR_TOO_MANY_SUBSCRIPTIONS;
    }
    if (status != IPP_STATUS_OK) {
      ippAddInteger(resp.get(), IPP_TAG_SUBSCRIPTION, IPP_TAG_ENUM, "notify-status-code", status);
      continue;
    }
    granted += 1;
    substituted = substituted || !r.unsupported.empty();
    ippAddInteger(resp.get(), IPP_TAG_SUBSCRIPTION, IPP_TAG_INTEGER, "notify-subscription-id", static_cast<int>(s.id));
    if (s.job_id == 0)
      ippAddInteger(resp.get(), IPP_TAG_SUBSCRIPTION, IPP_TAG_INTEGER, "notify-lease-duration", s.lease_s);
    spdlog::debug("subscription {} for {} on {} (job {})", s.id, owner, queue, s.job_id);
  }
  if (granted == 0)
    ippSetStatusCode(resp.get(), IPP_STATUS_ERROR_IGNORED_ALL_SUBSCRIPTIONS);
  else if (substituted)
    ippSetStatusCode(resp.get(), IPP_STATUS_OK_IGNORED_OR_SUBSTITUTED);
  call->reply(resp.get());
}

void create_subscriptions(notifier_self self, const ipp_call_ptr& call, bool for_job) {
  ipp::operation_common c;
  if (!common_and_queue(self, call, c)) return;
  std::vector<ipp::subscription_request> reqs;
  if (auto chk = ipp::parse_subscription_groups(call->request(), ipp_events_supported(), reqs)) {
    call->reply_status(chk.status, chk.message);
    return;
  }
  std::string owner = user_of(call, c);
  if (!for_job) {
    for (auto& r : reqs)
      if (r.job_id != 0 && r.status == IPP_STATUS_OK) r.status = IPP_STATUS_ERROR_BAD_REQUEST;
    grant(self, call, std::move(reqs), owner, c.target.queue, 0);
    return;
  }
  // RFC 3995 §11.1.1: every group names the job with notify-job-id; Quire
  // takes one job per request and checks that it exists and is the
  // requester's.
  uint64_t job_id = reqs.front().job_id;
  for (auto& r : reqs)
    if (r.job_id == 0 || r.job_id != job_id) {
      call->reply_status(IPP_STATUS_ERROR_BAD_REQUEST, "each group needs the same notify-job-id");
      return;
    }
  self->request(self->state.cfg.reader, caf::infinite, fetch_atom::value, job_id)
      .then(
          [self, call, reqs = std::move(reqs), owner, queue = c.target.queue, job_id](job_record& job) mutable {
            if (job.queue != queue) {
              call->reply_status(IPP_STATUS_ERROR_NOT_FOUND, "no such job in queue " + queue);
              return;
            }
            if (job.owner != owner) {
              call->reply_status(IPP_STATUS_ERROR_NOT_AUTHORIZED, "the job belongs to another user");
              return;
            }
            if (is_terminal(job.state)) {
              call->reply_status(IPP_STATUS_ERROR_NOT_POSSIBLE, "the job has already finished");
              return;
            }
            grant(self, call, std::move(reqs), owner, queue, job_id);
          },
          [call](caf::error& e) { call->reply_status(ipp_status_of(e), message_of(e)); });
}

// The subscription `id` if `user` may see it; otherwise answers the call.
ipp_subscription* owned(notifier_self self, const ipp_call_ptr& call, uint32_t id, const std::string& user) {
  auto* s = self->state.subs.find(id);
  if (!s) {
    call->reply_status(IPP_STATUS_ERROR_NOT_FOUND, "no subscription " + std::to_string(id));
    return nullptr;
  }
  if (s->owner != user) {
    call->reply_status(IPP_STATUS_ERROR_NOT_AUTHORIZED, "subscription " + std::to_string(id) + " is another user's");
    return nullptr;
  }
  return s;
}

// Answers a Get-Notifications with what its subscriptions hold now. With
// `final` false it answers only when there is something to send.
bool answer_notifications(notifier_self self, const waiter& w, bool final) {
  auto& st = self->state;
  std::vector<std::pair<ipp_subscription*, std::vector<const notification*>>> found;
  size_t total = 0;
  bool all_complete = true;
  for (size_t i = 0; i < w.req.ids.size(); ++i) {
    auto* s = st.subs.find(w.req.ids[i]);
    if (!s) {
      w.call->reply_status(IPP_STATUS_ERROR_NOT_FOUND, "no subscription " + std::to_string(w.req.ids[i]));
      return true;
    }
    auto ns = subscription_set::since(*s, w.req.from[i]);
    all_complete = all_complete && s->job_finished;
    total += ns.size();
    found.emplace_back(s, std::move(ns));
  }
  if (total == 0 && !final && !all_complete) return false;
  auto resp = ipp::make_response(w.call->request(), all_complete ? IPP_STATUS_OK_EVENTS_COMPLETE : IPP_STATUS_OK);
  auto wait_s = static_cast<int>(std::chrono::duration_cast<std::chrono::seconds>(st.cfg.wait).count());
  ippAddInteger(resp.get(), IPP_TAG_OPERATION, IPP_TAG_INTEGER, "notify-get-interval", all_complete ? 0 : wait_s);
  ippAddInteger(resp.get(), IPP_TAG_OPERATION, IPP_TAG_INTEGER, "printer-up-time",
                static_cast<int>(now(self) / 1000));
  bool first = true;
  for (auto& [s, ns] : found)
    for (const auto* n : ns) {
      if (!first) ippAddSeparator(resp.get());
      first = false;
      add_notification(resp.get(), *s, *n, w.call->authority,
                       !self->state.cfg.mask_others || n->what.user == w.user || w.call->admin);
    }
  w.call->reply(resp.get());
  return true;
}

void get_notifications(notifier_self self, const ipp_call_ptr& call) {
  ipp::operation_common c;
  if (!common_and_queue(self, call, c)) return;
  waiter w{call, {}, user_of(call, c), 0};
  if (auto chk = ipp::parse_get_notifications(call->request(), w.req)) {
    call->reply_status(chk.status, chk.message);
    return;
  }
  for (uint32_t id : w.req.ids)
    if (!owned(self, call, id, w.user)) return;
  if (answer_notifications(self, w, !w.req.wait)) return;
  w.deadline_ms = now(self) + self->state.cfg.wait.count();
  self->state.waiters.push_back(std::move(w));
}

// Wakes the waiters of `touched` subscriptions, and those whose time is up.
void wake(notifier_self self, const std::vector<uint32_t>& touched, bool timeouts) {
  auto& ws = self->state.waiters;
  int64_t t = now(self);
  std::vector<waiter> keep;
  for (auto& w : ws) {
    bool hit = std::any_of(w.req.ids.begin(), w.req.ids.end(), [&](uint32_t id) {
      return std::find(touched.begin(), touched.end(), id) != touched.end();
    });
    bool due = timeouts && w.deadline_ms <= t;
    if ((hit || due) && answer_notifications(self, w, due)) continue;
    keep.push_back(std::move(w));
  }
  ws = std::move(keep);
}

void renew_or_cancel(notifier_self self, const ipp_call_ptr& call, bool renew) {
  ipp::operation_common c;
  if (!common_and_queue(self, call, c)) return;
  uint32_t id = 0;
  int32_t lease = -1;
  if (auto chk = ipp::parse_subscription_id(call->request(), id, lease)) {
    call->reply_status(chk.status, chk.message);
    return;
  }
  auto* s = owned(self, call, id, user_of(call, c));
  if (!s) return;
  auto& st = self->state;
  if (!renew) {
    st.subs.remove(id);
    wake(self, {id}, false);  // a waiter on it now gets not-found
    call->reply(ipp::make_response(call->request(), IPP_STATUS_OK).get());
    return;
  }
  if (s->job_id != 0) {
    call->reply_status(IPP_STATUS_ERROR_NOT_POSSIBLE, "a job subscription ends with its job");
    return;
  }
  int32_t want = lease < 0 ? st.subs.limits().default_lease_s : lease;
  s->lease_s = want == 0 || want > st.subs.limits().max_lease_s ? st.subs.limits().max_lease_s : want;
  s->expires_ms = now(self) + int64_t{s->lease_s} * 1000;
  auto resp = ipp::make_response(call->request(), s->lease_s == want ? IPP_STATUS_OK : IPP_STATUS_OK_IGNORED_OR_SUBSTITUTED);
  ippAddInteger(resp.get(), IPP_TAG_SUBSCRIPTION, IPP_TAG_INTEGER, "notify-lease-duration", s->lease_s);
  call->reply(resp.get());
}

void get_subscription_attributes(notifier_self self, const ipp_call_ptr& call) {
  ipp::operation_common c;
  if (!common_and_queue(self, call, c)) return;
  uint32_t id = 0;
  int32_t lease = -1;
  std::vector<std::string> requested;
  if (auto chk = ipp::parse_subscription_id(call->request(), id, lease)) {
    call->reply_status(chk.status, chk.message);
    return;
  }
  if (auto chk = ipp::parse_requested(call->request(), requested)) {
    call->reply_status(chk.status, chk.message);
    return;
  }
  auto* s = owned(self, call, id, user_of(call, c));
  if (!s) return;
  auto resp = ipp::make_response(call->request(), IPP_STATUS_OK);
  add_subscription_attributes(resp.get(), *s, call->authority, now(self), ipp::attribute_filter(requested, {"all"}));
  call->reply(resp.get());
}

void get_subscriptions(notifier_self self, const ipp_call_ptr& call) {
  ipp::operation_common c;
  if (!common_and_queue(self, call, c)) return;
  ipp::subscriptions_query q;
  if (auto chk = ipp::parse_get_subscriptions(call->request(), q)) {
    call->reply_status(chk.status, chk.message);
    return;
  }
  // Users see their own subscriptions only (whatever my-subscriptions says)
  // until administrators exist.
  auto list = self->state.subs.list(c.target.queue, q.job_id, user_of(call, c));
  auto resp = ipp::make_response(call->request(), IPP_STATUS_OK);
  ipp::attribute_filter want(q.requested, {"all"});
  size_t n = 0;
  for (const auto* s : list) {
    if (q.limit != 0 && n == q.limit) break;
    if (n++ > 0) ippAddSeparator(resp.get());
    add_subscription_attributes(resp.get(), *s, call->authority, now(self), want);
  }
  call->reply(resp.get());
}

void dispatch(notifier_self self, const ipp_call_ptr& call) {
  switch (call->operation()) {
    case IPP_OP_CREATE_PRINTER_SUBSCRIPTIONS: return create_subscriptions(self, call, false);
    case IPP_OP_CREATE_JOB_SUBSCRIPTIONS: return create_subscriptions(self, call, true);
    case IPP_OP_GET_NOTIFICATIONS: return get_notifications(self, call);
    case IPP_OP_RENEW_SUBSCRIPTION: return renew_or_cancel(self, call, true);
    case IPP_OP_CANCEL_SUBSCRIPTION: return renew_or_cancel(self, call, false);
    case IPP_OP_GET_SUBSCRIPTION_ATTRIBUTES: return get_subscription_attributes(self, call);
    case IPP_OP_GET_SUBSCRIPTIONS: return get_subscriptions(self, call);
    default: call->reply_status(IPP_STATUS_ERROR_OPERATION_NOT_SUPPORTED, "not a subscription operation");
  }
}

caf::behavior notifier_behavior(notifier_self self, notifier_config cfg) {
  auto& st = self->state;
  st.cfg = std::move(cfg);
  st.subs = subscription_set(st.cfg.limits);
  st.next_id = std::max<uint32_t>(st.cfg.first_id, 1);
  if (st.cfg.bus)
    self->request(st.cfg.bus, caf::infinite, subscribe_atom::value, caf::actor_cast<event_sink_actor>(self),
                  std::vector<std::string>{"*"}, std::numeric_limits<uint64_t>::max())
        .then([](event_backlog&) {}, [](caf::error& e) { spdlog::error("notifier: {}", message_of(e)); });
  self->delayed_send(self, std::chrono::seconds(1), sweep_atom::value);
  return {
      [self](ipp_call_ptr& call) { dispatch(self, call); },
      [self](fleet_atom, fleet_ptr& fl) { self->state.cfg.printers_and_queues = std::move(fl); },
      [self](event& e) {
        auto& s = self->state;
        std::vector<std::string> queues;
        if (e.type == event_type::printer_state) queues = queues_of(*s.cfg.printers_and_queues, e.printer);
        auto touched = s.subs.record(e, queues, now(self));
        if (!touched.empty() && !s.waiters.empty()) wake(self, touched, false);
      },
      [self](sweep_atom) {
        self->state.subs.expire(now(self));
        wake(self, {}, true);
        self->delayed_send(self, std::chrono::seconds(1), sweep_atom::value);
      },
  };
}

}  // namespace

bool is_subscription_operation(ipp_op_t op) {
  switch (op) {
    case IPP_OP_CREATE_PRINTER_SUBSCRIPTIONS:
    case IPP_OP_CREATE_JOB_SUBSCRIPTIONS:
    case IPP_OP_GET_NOTIFICATIONS:
    case IPP_OP_RENEW_SUBSCRIPTION:
    case IPP_OP_CANCEL_SUBSCRIPTION:
    case IPP_OP_GET_SUBSCRIPTION_ATTRIBUTES:
    case IPP_OP_GET_SUBSCRIPTIONS: return true;
    default: return false;
  }
}

caf::actor spawn_ipp_notifier(caf::actor_system& sys, notifier_config cfg) {
  return sys.spawn(notifier_behavior, std::move(cfg));
}

}  // namespace quire
