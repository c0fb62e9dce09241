// The mailer: sends Quire's e-mails (a user's new PIN) through the site's
// SMTP server, one at a time on its own thread, since the SMTP client
// blocks (devices/mail/smtp_client.hpp). A message is sent once: the
// requester hears whether the server took it, and decides what that means
// (the user directory keeps the old PIN when it did not).
//
// The text is never logged: it holds a secret.
#pragma once

#include "actors/messages.hpp"
#include "devices/mail/smtp_client.hpp"

namespace quire {

struct mailer_options {
  mail::smtp_options smtp;
  std::string from;       // the sender's address
  std::string from_name;  // shown with it
};

/// A detached actor answering mail_atom(to, to_name, subject, text) with
/// true, or the send's error (its code: mail::send's).
mailer_actor spawn_mailer(caf::actor_system& sys, mailer_options opts);

}  // namespace quire
