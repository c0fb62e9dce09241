#include "actors/supervisor.hpp"

#include <spdlog/spdlog.h>

namespace quire {

namespace {

struct supervisor_state {
  std::vector<caf::actor> children;
  std::function<void(const std::string&)> on_failure;
  bool stopping = false;
  static inline const char* name = "supervisor";
};

caf::behavior supervisor_behavior(caf::stateful_actor<supervisor_state>* self, std::vector<caf::actor> children,
                                  std::function<void(const std::string&)> on_failure) {
  auto& st = self->state;
  st.children = std::move(children);
  st.on_failure = std::move(on_failure);
  for (auto& c : st.children) self->monitor(c);
  self->set_down_handler([self](caf::down_msg& dm) {
    auto& s = self->state;
    if (s.stopping) return;
    std::string what = "an actor of the site stopped: " + caf::to_string(dm.reason);
    spdlog::critical("{}", what);
    s.on_failure(what);
  });
  self->set_exit_handler([self](caf::exit_msg& em) {
    self->state.stopping = true;
    for (auto& c : self->state.children) self->send_exit(c, caf::exit_reason::user_shutdown);
    self->quit(em.reason);
  });
  return {[](tick_atom) {}};
}

}  // namespace

caf::actor spawn_supervisor(caf::actor_system& sys, std::vector<caf::actor> children,
                            std::function<void(const std::string&)> on_failure) {
  return sys.spawn(supervisor_behavior, std::move(children), std::move(on_failure));
}

}  // namespace quire
