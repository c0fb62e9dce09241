// The IPP listener actor: IPP operations in, actor requests out.
//
// The loop thread turns each IPP POST into an ipp_call (decoded, checked,
// document spooled) and sends it here. The listener runs the operation: it
// resolves the target queue, parses the operation's attributes into plain
// values, asks the queue, registry or readers, and renders the answer as an
// IPP response. One function per operation, each in the same order: target,
// attributes, permission, action, response.
//
// Identity: a client that sends HTTP Basic credentials over TLS is checked
// with the user directory first, and the authenticated user is who the
// request acts for, whatever requesting-user-name says; wrong credentials
// get HTTP 401 with a challenge. A queue with authentication required
// answers every request without them with the challenge (over TLS) or
// client-error-not-authenticated (over plain HTTP, where no password may
// travel). Otherwise a request acts for its requesting-user-name
// ("anonymous" without one). Get-Jobs lists only the requester's own jobs;
// other users' jobs are shown without their private values; only the
// owner (or an administrator) may cancel, hold or release a job.
#pragma once

#include <string>
#include <vector>

#include "actors/ipp/ipp_request.hpp"
#include "actors/messages.hpp"

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(quire::ipp_call_ptr)

namespace quire {

struct ipp_listener_config {
  fleet_ptr printers_and_queues;
  registry_actor registry;
  release_service_actor releases;  // Release-Job goes through the one release service
  std::vector<reader_actor> readers;
  caf::actor notifier;  // answers the subscription operations (ipp_notifier.hpp)
  user_directory_actor users;  // checks HTTP Basic credentials
  std::string server_name;
  std::string server_uuid;
  bool tls = true;  // the port also serves TLS: ipps:// URIs are advertised
  bool mask_others = true;  // privacy.mask_other_users
};

caf::actor spawn_ipp_listener(caf::actor_system& sys, ipp_listener_config cfg);

/// The IPP status for an error that came back from an actor.
ipp_status_t ipp_status_of(const caf::error& e);

}  // namespace quire
