// The fleet as code outside the actors reads it: the HTTP router on the
// loop thread and the REST adapters (whose calls come from any thread). The
// fleet actor (fleet_keeper.hpp) sets it with each new snapshot, after the
// actors have theirs; a reader copies the pointer and uses that snapshot,
// which never changes. Actors never read it: they get snapshots as messages.
#pragma once

#include <memory>
#include <mutex>
#include <utility>

#include "actors/messages.hpp"

namespace quire {

class fleet_cell {
 public:
  explicit fleet_cell(fleet_ptr first = nullptr) : now_(std::move(first)) {}
  fleet_ptr get() const {
    std::lock_guard<std::mutex> l(m_);
    return now_;
  }
  void set(fleet_ptr next) {
    std::lock_guard<std::mutex> l(m_);
    now_.swap(next);  // the old snapshot goes when `next` does, outside no lock that matters
  }

 private:
  mutable std::mutex m_;
  fleet_ptr now_;
};
using fleet_cell_ptr = std::shared_ptr<fleet_cell>;

}  // namespace quire
