// [mail] and [pins]: read and checked (config/mail_config.hpp).
#include <algorithm>

#include "config/config_internal.hpp"

namespace quire::detail {

namespace {

bool url_shape(const std::string& u) {
  std::string rest = u.rfind("smtps://", 0) == 0 ? u.substr(8) : u.rfind("smtp://", 0) == 0 ? u.substr(7) : "";
  if (rest.empty() || rest.size() > 255) return false;
  if (rest.back() == '/') rest.pop_back();
  return !rest.empty() && std::none_of(rest.begin(), rest.end(), [](char c) {
    return c == ' ' || c == '/' || c == '@' || c == '?' || c == '#' || static_cast<unsigned char>(c) < 0x21 ||
           static_cast<unsigned char>(c) > 0x7e;
  });
}

// A plain addr-spec (local@domain) of printable ASCII: what an envelope
// and a From header can carry without quoting. The mail layer checks it
// again, byte by byte, before each message.
bool address_shape(const std::string& a) {
  auto at = a.find('@');
  return a.size() >= 3 && a.size() <= 254 && at != std::string::npos && at > 0 && at + 1 < a.size() &&
         a.find('@', at + 1) == std::string::npos && std::none_of(a.begin(), a.end(), [](char c) {
           auto u = static_cast<unsigned char>(c);
           return u <= 0x20 || u >= 0x7f || std::string_view("()<>[]\\,;:\"").find(c) != std::string_view::npos;
         });
}

bool plain_text(const std::string& s, size_t max) {
  return s.size() <= max &&
         std::none_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

status read_int(const toml::table& t, const char* section, const char* key, int64_t lo, int64_t hi, uint32_t& out) {
  const auto* v = t.get_as<int64_t>(key);
  if (v == nullptr) return {};
  if (v->get() < lo || v->get() > hi)
    return bad_value(std::string(section) + "." + key,
                     "must be between " + std::to_string(lo) + " and " + std::to_string(hi), std::to_string(v->get()));
  out = static_cast<uint32_t>(v->get());
  return {};
}

}  // namespace

status read_mail(const toml::table& t, const std::string& cwd, mail_config& out) {
  if (const auto* v = t.get_as<bool>("enabled")) out.enabled = v->get();
  out.url = string_or(t, "url", out.url);
  if (const auto* v = t.get_as<bool>("start_tls")) out.start_tls = v->get();
  out.ca_file = string_or(t, "ca_file", out.ca_file);
  if (const auto* v = t.get_as<bool>("verify_server")) out.verify_server = v->get();
  out.user = string_or(t, "user", out.user);
  out.password_file = string_or(t, "password_file", out.password_file);
  if (status s = read_int(t, "mail", "timeout_ms", 100, 300000, out.timeout_ms)) return s;
  out.from = string_or(t, "from", out.from);
  out.from_name = string_or(t, "from_name", out.from_name);
  out.site_name = string_or(t, "site_name", out.site_name);
  if (!plain_text(out.from_name, 100)) return bad_value("mail.from_name", "expected up to 100 characters without control characters", out.from_name);
  if (out.site_name.empty() || !plain_text(out.site_name, 100))
    return bad_value("mail.site_name", "expected 1 to 100 characters without control characters", out.site_name);
  if (!plain_text(out.user, 255)) return bad_value("mail.user", "expected up to 255 characters without control characters", "");
  for (auto* p : {&out.ca_file, &out.password_file}) {
    if (p->empty()) continue;
    auto abs = absolute_path(p == &out.ca_file ? "mail.ca_file" : "mail.password_file", *p, cwd);
    if (!abs) return abs.err();
    *p = std::move(abs).value();
  }
  if (!out.enabled) return {};
  if (!url_shape(out.url)) return bad_value("mail.url", "expected smtp://host[:port] or smtps://host[:port] (no user or path)", out.url);
  bool smtps = out.url.rfind("smtps://", 0) == 0;
  if (smtps) out.start_tls = false;  // TLS from the first byte already
  if (!out.user.empty() && !smtps && !out.start_tls)
    return bad_value("mail.user", "a password is sent only over TLS: use smtps:// or start_tls = true", out.user);
  if (!out.user.empty() && out.password_file.empty())
    return bad_value("mail.password_file", "is needed with a user: a file whose first line is the password", "");
  if (!address_shape(out.from)) return bad_value("mail.from", "expected the sender's address, like print@example.edu", out.from);
  return {};
}

status read_pins(const toml::table& t, pins_config& out) {
  out.policy = string_or(t, "policy", out.policy);
  if (out.policy != "chosen" && out.policy != "generated" && out.policy != "either")
    return bad_value("pins.policy", "expected \"chosen\", \"generated\" or \"either\"", out.policy);
  if (status s = read_int(t, "pins", "digits", 4, 16, out.digits)) return s;
  if (const auto* v = t.get_as<bool>("refuse_trivial")) out.refuse_trivial = v->get();
  return read_int(t, "pins", "resend_s", 0, 86400, out.resend_s);
}

}  // namespace quire::detail
