// The user directory's PINs and enrolment codes ([pins], [mail],
// [terminals] enrolment_code_s): a chosen PIN checked against the policy,
// a generated one e-mailed before it replaces the old, and the one-time
// codes that enrol a card at a terminal in place of the password.
#include <spdlog/spdlog.h>

#include "actors/user_directory_impl.hpp"
#include "devices/mail/mail_text.hpp"
#include "storage/credentials.hpp"
#include "storage/store.hpp"

namespace quire::user_dir {

namespace {

constexpr int max_pin_draws = 32;  // random PINs tried before giving up on finding a free one

std::string pin_mail_text(const std::string& site, const user_record& rec, const std::string& pin) {
  std::string who = rec.display_name.empty() ? rec.name : rec.display_name;
  return "Hello " + who + ",\n\nyour new PIN for " + site + " is\n\n    " + pin +
         "\n\nType it at a printer's terminal to log in and release your jobs. It replaces your\n"
         "previous PIN, which no longer works.\n\n"
         "If you did not ask for a new PIN, tell the print desk.\n";
}

}  // namespace

status check_chosen_pin(directory_self self, const std::string& pin) {
  const auto& p = self->state.opts.pins;
  if (!p.choose)
    return error{errc::permission_denied, "PINs are generated at this site: have a new one e-mailed instead"};
  if (p.refuse_trivial && trivial_pin(pin))
    return error{errc::invalid_argument, "that PIN is too easy to guess (one digit repeated, or a run); choose another"};
  return {};
}

users_result generate_pin(directory_self self, const user_record& rec) {
  auto& st = self->state;
  const auto& o = st.opts;
  if (!o.pins.generate) return fail_with(errc::permission_denied, "PINs are chosen by their users at this site");
  if (!o.mailer) return fail_with(errc::not_possible, "this site sends no e-mail, so no PIN can be sent; ask the print desk");
  if (rec.email.empty()) return fail_with(errc::not_possible, rec.name + " has no e-mail address to send a PIN to");
  if (mail::check_address(rec.email))  // e.g. non-ASCII: Quire's mail speaks no SMTPUTF8
    return fail_with(errc::not_possible, rec.name + "'s e-mail address cannot be used to send mail");
  if (user_disabled(rec)) return fail_with(errc::not_possible, rec.name + " is disabled");
  int64_t now = o.now_ms();
  if (int64_t wait = st.pin_sends.take(rec.name, now))
    return fail_with(errc::limit_exceeded, "a PIN was sent to " + rec.name + " moments ago; try again in " +
                                               std::to_string((wait + 999) / 1000) + " s");
  // A PIN alone finds its user, so a new one must be nobody's: neither
  // stored nor on its way to someone else's mailbox.
  std::string pin, key;
  for (int i = 0; i < max_pin_draws && key.empty(); ++i) {
    pin = random_digits(o.pins.digits);
    if (pin.empty()) return fail_with(errc::internal, "no randomness for a PIN");
    std::string k = st.users->credential_key(credential_kind::pin, pin);
    if (!st.users->credential_owner(credential_kind::pin, k).ok() && !st.reserved_pins.count(k)) key = std::move(k);
  }
  if (key.empty()) {
    wipe(pin);
    return fail_with(errc::busy, "no free PIN was found; ask the print desk to make [pins] digits longer");
  }
  st.reserved_pins.insert(key);
  st.changing.insert(rec.name);
  std::string text = pin_mail_text(o.site_name, rec, pin);
  wipe(pin);
  auto rp = self->make_response_promise<std::vector<user_info_msg>>();
  std::string name = rec.name, address = rec.email;
  auto done = [self, key, name](auto& promise, auto answer) {
    self->state.reserved_pins.erase(key);
    self->state.changing.erase(name);
    promise.deliver(std::move(answer));
  };
  self->request(*o.mailer, std::chrono::milliseconds(o.mail_timeout_ms + 5000), mail_atom::value, address,
                rec.display_name, "Your new PIN for " + o.site_name, std::move(text))
      .then(
          [self, rp, key, name, done](bool) mutable {
            // Taken by the mail server: now the new PIN replaces the old.
            write_batch b;
            for (const auto& c : self->state.users->user_credentials(name))
              if (c.kind == credential_kind::pin) b.erase_credential(c.kind, c.key, name);
            b.put_credential(credential_kind::pin, key, name);
            commit(self, std::move(b), [self, rp, name, done](const error& e) mutable {
              if (e) return done(rp, make_caf_error(e));
              spdlog::info("a new PIN was e-mailed to {}", name);
              auto cur = self->state.users->get_user(name);
              if (!cur.ok()) return done(rp, make_caf_error(cur.err()));
              done(rp, std::vector<user_info_msg>{info_of(self, std::move(*cur))});
            });
          },
          [rp, done](caf::error& e) mutable {
            errc c = code_of(e);
            std::string why = message_of(e);
            if (c == errc::not_possible) return done(rp, make_caf_error(errc::not_possible, "the mail server refused the address: " + why + "; the old PIN still works"));
            done(rp, make_caf_error(errc::unavailable, "the PIN could not be e-mailed (" + why + "); the old PIN still works"));
          });
  return rp;
}

users_result new_enrolment_code(directory_self self, const user_record& rec) {
  auto& st = self->state;
  if (!st.opts.card_enrolment)
    return fail_with(errc::permission_denied, "cards are not enrolled at terminals here; ask the print desk");
  if (user_disabled(rec)) return fail_with(errc::not_possible, rec.name + " is disabled");
  auto code = st.codes.issue(rec.name, st.opts.now_ms());
  if (!code.ok()) return fail_with(code.err().code, code.err().message);
  spdlog::info("an enrolment code was made for {}", rec.name);
  auto info = info_of(self, rec);
  info.code = std::move(code->code);
  info.code_expires_ms = code->expires_ms;
  return std::vector<user_info_msg>{std::move(info)};
}

users_result enroll_by_code(directory_self self, user_request& r) {
  auto& st = self->state;
  int64_t now = st.opts.now_ms();
  auto refuse = [&r](std::string why) {
    wipe(r.secret);
    wipe(r.code);
    return fail_with(errc::permission_denied, std::move(why));
  };
  if (!st.opts.card_enrolment) return refuse("cards are not enrolled at terminals here");
  auto owner = st.codes.owner(r.code, now);
  if (!owner) return refuse("unknown or expired enrolment code");
  auto rec = st.users->get_user(*owner);
  if (!rec.ok() || user_disabled(*rec)) return refuse("unknown or expired enrolment code");
  if (st.changing.count(rec->name)) {
    wipe(r.secret);
    return fail_with(errc::busy, "another change to " + rec->name + " is in progress; try again");
  }
  st.codes.spend(r.code, now);
  wipe(r.code);
  r.op = user_op::enroll_card;
  r.name = rec->name;
  return credential_change(self, r, *rec);
}

}  // namespace quire::user_dir
