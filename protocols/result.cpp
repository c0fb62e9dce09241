#include "protocols/result.hpp"

namespace quire {

const char* to_string(errc code) noexcept {
  switch (code) {
    case errc::ok: return "ok";
    case errc::invalid_argument: return "invalid_argument";
    case errc::not_found: return "not_found";
    case errc::already_exists: return "already_exists";
    case errc::io_error: return "io_error";
    case errc::corruption: return "corruption";
    case errc::busy: return "busy";
    case errc::timeout: return "timeout";
    case errc::permission_denied: return "permission_denied";
    case errc::not_possible: return "not_possible";
    case errc::unsupported: return "unsupported";
    case errc::not_accepting: return "not_accepting";
    case errc::limit_exceeded: return "limit_exceeded";
    case errc::unavailable: return "unavailable";
    case errc::shutting_down: return "shutting_down";
    case errc::internal: return "internal";
  }
  return "unknown";
}

std::string error::describe() const {
  if (message.empty()) return to_string(code);
  return std::string(to_string(code)) + ": " + message;
}

}  // namespace quire
