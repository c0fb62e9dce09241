#include "actors/mailer.hpp"

#include <spdlog/spdlog.h>

#include <chrono>

#include "actors/pin_rules.hpp"
#include "storage/credentials.hpp"

namespace quire {

namespace {

int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A Message-ID unique enough for a few mails a minute: random digits at the
// sender's domain.
std::string message_id(const std::string& from) {
  auto at = from.rfind('@');
  std::string domain = at == std::string::npos ? "quire.invalid" : from.substr(at + 1);
  return "quire." + std::to_string(wall_ms()) + "." + random_digits(12) + "@" + domain;
}

mailer_actor::behavior_type mailer(mailer_actor::pointer, mailer_options o) {
  return {
      [o](mail_atom, const std::string& to, const std::string& to_name, const std::string& subject,
          std::string& text) -> caf::result<bool> {
        mail::message m;
        m.from = o.from;
        m.from_name = o.from_name;
        m.to = to;
        m.to_name = to_name;
        m.subject = subject;
        m.body = std::move(text);
        m.date_ms = wall_ms();
        m.message_id = message_id(o.from);
        status s = mail::send(o.smtp, m);
        wipe(m.body);
        if (s) {
          spdlog::warn("mail: a message to {} was not sent: {}", to, s.message);
          return make_caf_error(s.code, s.message);
        }
        spdlog::info("mail: a message to {} was accepted", to);
        return true;
      },
  };
}

}  // namespace

mailer_actor spawn_mailer(caf::actor_system& sys, mailer_options opts) {
  return sys.spawn<caf::detached>(mailer, std::move(opts));
}

}  // namespace quire
