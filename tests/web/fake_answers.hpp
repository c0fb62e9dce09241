// What the in-memory fake services of tests/web share: answering at once or
// later, and failing a call on demand.
//
// Answers come at once, inside the call, unless `deferred` is set: then
// they wait in `pending` until run_pending(), which lets a test destroy the
// request handler first (the server may do so) and answer afterwards.
// `fail_next` makes the next call that consults it (take_failure) answer
// with that error; each fake says which of its calls do.
#pragma once

#include <functional>
#include <optional>
#include <utility>
#include <vector>

#include "protocols/result.hpp"

namespace quire::testing {

class fake_answers {
 public:
  std::optional<error> fail_next;
  bool deferred = false;
  std::vector<std::function<void()>> pending;

  /// Runs the answers queued so far; those they queue wait for the next call.
  void run_pending() {
    auto p = std::move(pending);
    pending.clear();
    for (auto& f : p) f();
  }

 protected:
  template <class Fn>
  void answer(Fn fn) {
    if (deferred)
      pending.push_back(std::move(fn));
    else
      fn();
  }

  std::optional<error> take_failure() {
    auto e = std::move(fail_next);
    fail_next.reset();
    return e;
  }
};

}  // namespace quire::testing
