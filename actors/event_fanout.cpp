#include "actors/event_fanout.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <deque>
#include <limits>
#include <unordered_map>

#include "actors/io/websocket.hpp"
#include "web/event_json.hpp"

namespace quire {

namespace {

// One client of the stream, as its session joined.
struct listener {
  std::shared_ptr<io::ws_channel> channel;
  std::string user;
  bool admin = false;
  std::string may_see;  // what the user may see: "*", or "user:<name>" (the bus's rule)
  std::vector<std::string> topics;

  bool wants(const event& e) const {
    return in_topic(e, may_see) &&
           std::any_of(topics.begin(), topics.end(), [&](const std::string& t) { return web::topic_covers(t, e); });
  }
  // Job names are private: their owner and administrators see them.
  bool full_view(const event& e) const { return admin || e.user == user; }
};

struct fanout_state {
  event_bus_actor bus;
  size_t window = 4096;
  std::deque<event> recent;  // the last `window` events, oldest first
  uint64_t last_seq = 0;     // the last event the bus gave
  std::unordered_map<caf::actor_id, listener> listeners;
  static inline const char* name = "event_fanout";
};

using fanout_self = caf::stateful_actor<fanout_state>*;

void remember(fanout_state& st, const event& e) {
  st.last_seq = std::max(st.last_seq, e.seq);
  st.recent.push_back(e);
  while (st.recent.size() > st.window) st.recent.pop_front();
}

// Every listener that wants `e` gets it; the JSON is made once per view.
void fan_out(fanout_self self, const event& e) {
  auto& st = self->state;
  remember(st, e);
  if (st.listeners.empty()) return;
  std::shared_ptr<const io::ws_frame> views[2];  // [0] without the job's name, [1] with it
  std::vector<io::ws_delivery> batch;
  batch.reserve(st.listeners.size());
  for (const auto& [id, l] : st.listeners) {
    if (!l.wants(e)) continue;
    bool full = l.full_view(e);
    auto& frame = views[full ? 1 : 0];
    if (!frame) frame = io::make_text_frame(web::event_message(e, full));
    batch.push_back({l.channel, frame});
  }
  io::ws_channel::send_all(std::move(batch));
}

// A session (re)subscribes: "subscribed", then the retained events after
// its `after`, from this actor's window; the live ones follow from the
// mailbox, so nothing is missed or sent twice.
void join(fanout_self self, const caf::actor& session, fanout_join& j) {
  auto& st = self->state;
  listener l;
  l.channel = std::move(j.channel);
  l.user = std::move(j.user);
  l.admin = j.admin;
  l.may_see = l.admin ? std::string("*") : "user:" + l.user;
  l.topics = std::move(j.topics);
  uint64_t from = j.after == 0 ? std::numeric_limits<uint64_t>::max() : j.after;
  bool gap = false;
  std::vector<const event*> backlog;
  if (from < st.last_seq) {
    uint64_t oldest = st.recent.empty() ? st.last_seq + 1 : st.recent.front().seq;
    gap = from + 1 < oldest;
    for (const auto& e : st.recent)
      if (e.seq > from && l.wants(e)) backlog.push_back(&e);
  }
  if (!l.channel->send_text(web::subscribed_message(l.topics, gap, st.last_seq))) return;
  for (const event* e : backlog)
    if (!l.channel->send_text(web::event_message(*e, l.full_view(*e)))) return;
  auto [it, added] = st.listeners.insert_or_assign(session.id(), std::move(l));
  if (added) self->monitor(session);
}

caf::behavior fanout_behavior(fanout_self self, event_fanout_options opts) {
  auto& st = self->state;
  st.bus = std::move(opts.bus);
  st.window = std::max<size_t>(opts.window, 1);
  self->monitor(st.bus);
  self->set_down_handler([self](caf::down_msg& dm) {
    if (dm.source == self->state.bus.address()) return self->quit();  // shutdown
    self->state.listeners.erase(dm.source.id());
  });
  // Everything the bus still holds first, then every new event; joins wait
  // in the mailbox until the window is filled.
  auto sink = caf::actor_cast<event_sink_actor>(self);
  self->request(st.bus, caf::infinite, subscribe_atom::value, sink, std::vector<std::string>{"*"}, uint64_t{0})
      .await(
          [self](event_backlog& b) {
            auto& s = self->state;
            for (const auto& e : b.events) remember(s, e);
            s.last_seq = std::max(s.last_seq, b.last_seq);
          },
          [self](caf::error& err) {
            spdlog::error("event stream: cannot subscribe to the event bus: {}", caf::to_string(err));
            self->quit(err);
          });
  return {
      [self](const event& e) { fan_out(self, e); },
      [self](join_atom, caf::actor& session, fanout_join& j) { join(self, session, j); },
      [self](unsub_atom, caf::actor& session) {
        if (self->state.listeners.erase(session.id()) > 0) self->demonitor(session);
      },
  };
}

}  // namespace

fanout_actor spawn_event_fanout(caf::actor_system& sys, event_fanout_options opts) {
  return sys.spawn(fanout_behavior, std::move(opts));
}

}  // namespace quire
