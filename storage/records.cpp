#include "storage/records.hpp"

namespace quire {

bool is_terminal(job_state s) noexcept {
  switch (s) {
    case job_state::done:
    case job_state::failed:
    case job_state::canceled:
    case job_state::expired:
      return true;
    default:
      return false;
  }
}

const char* to_string(job_state s) noexcept {
  switch (s) {
    case job_state::receiving: return "receiving";
    case job_state::analysing: return "analysing";
    case job_state::held: return "held";
    case job_state::queued: return "queued";
    case job_state::delivering: return "delivering";
    case job_state::done: return "done";
    case job_state::failed: return "failed";
    case job_state::canceled: return "canceled";
    case job_state::expired: return "expired";
  }
  return "unknown";
}

}  // namespace quire
