// Errors and results shared by every layer of Quire.
//
// Quire sorts failures into three kinds (see STYLE.md): hostile input gets a
// protocol status (IPP status, HTTP 4xx, LPD nack) from the protocol layer;
// environment failures (disk, network, device) travel as a `quire::error`
// carrying an `errc` and a human-readable message; broken invariants abort
// through QUIRE_ASSERT. This header is the middle kind. It is pure (std only)
// so that protocols/, storage/, config/ and devices/ can all return it; the
// actor layer converts it to `caf::error` at its edge.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>
#include <variant>

namespace quire {

/// The project's error codes. Stable names: they appear in logs and in
/// job-state messages.
enum class errc : unsigned char {
  ok = 0,
  invalid_argument,  // a value from a trusted source (config, API) is wrong
  not_found,         // the named entity does not exist
  already_exists,
  io_error,          // the disk or the network failed
  corruption,        // stored data does not decode
  busy,              // a resource is held by someone else (a lock, a port)
  timeout,
  permission_denied,
  not_possible,      // the entity's state forbids the operation
  unsupported,       // a valid request for something Quire does not do
  not_accepting,     // the queue takes no new jobs now (e.g. the disk is nearly full)
  limit_exceeded,
  unavailable,       // a peer (device, child process) cannot be reached
  shutting_down,
  internal,
};

/// Returns the stable name of `code`, e.g. "not_found".
const char* to_string(errc code) noexcept;

/// An environment failure: a code for programs, a message for people.
struct error {
  errc code = errc::ok;
  std::string message;

  error() = default;
  error(errc c, std::string msg) : code(c), message(std::move(msg)) {}

  explicit operator bool() const noexcept { return code != errc::ok; }
  /// "not_found: job 42 does not exist"
  std::string describe() const;
};

/// Either a `T` or an `error`. REQUIRES: callers check `ok()` before `value()`.
template <class T>
class result {
 public:
  result(T value) : v_(std::move(value)) {}
  result(error err) : v_(std::move(err)) {}

  bool ok() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const error& err() const { return std::get<1>(v_); }

 private:
  std::variant<T, error> v_;
};

/// A result without a value: an `error` whose `ok` state is errc::ok.
using status = error;

}  // namespace quire

/// Aborts with a message when an invariant is broken. Active in every build
/// type: a broken invariant must never run on into corrupted storage.
#define QUIRE_ASSERT(cond, msg)                                               \
  do {                                                                        \
    if (!(cond)) {                                                            \
      std::fprintf(stderr, "quire: invariant broken at %s:%d: %s (%s)\n",     \
                   __FILE__, __LINE__, #cond, msg);                           \
      std::abort();                                                           \
    }                                                                         \
  } while (false)
