// The request facet of terminal_json.hpp: login and release bodies.
#include "web/terminal_json.hpp"

#include <nlohmann/json.hpp>

#include <initializer_list>
#include <set>
#include <vector>

#include "storage/credentials.hpp"
#include "storage/users.hpp"
#include "web/api_request.hpp"

namespace quire::web {

namespace {

using json = nlohmann::json;

error bad(std::string message) { return error(errc::invalid_argument, std::move(message)); }

// The first pass over a body: syntax, depth and duplicate keys, without
// building a tree (nlohmann's DOM silently keeps the last of two equal
// keys). The same rules as api_json.cpp's check, whose class is private.
class structure_check final : public nlohmann::json_sax<json> {
 public:
  std::string problem;

  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return open(); }
  bool key(string_t& k) override {
    if (keys_.back().insert(k).second) return true;
    problem = "a key appears twice in one object";
    return false;
  }
  bool end_object() override { return close(); }
  bool start_array(std::size_t) override { return open(); }
  bool end_array() override { return close(); }
  // `last_token` may hold part of a secret: it is not used.
  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception&) override {
    problem = "the body is not valid JSON (at byte " + std::to_string(position) + ")";
    return false;
  }

 private:
  bool open() {
    if (keys_.size() >= static_cast<size_t>(max_json_depth)) {
      problem = "the body nests deeper than " + std::to_string(max_json_depth) + " levels";
      return false;
    }
    keys_.emplace_back();  // an array's level stays empty
    return true;
  }
  bool close() {
    keys_.pop_back();
    return true;
  }
  std::vector<std::set<std::string>> keys_;
};

// Overwrites every string of a parsed body before it is freed: a card id or
// a PIN should not linger in freed memory longer than it must.
void scrub(json& j) {
  if (j.is_string()) {
    wipe(j.get_ref<std::string&>());
  } else if (j.is_structured()) {
    for (auto& v : j) scrub(v);
  }
}

struct scrubbed {
  json value;
  ~scrubbed() { scrub(value); }
};

status parse_object(std::string_view body, json& out) {
  if (body.empty()) return bad("the body must be a JSON object");
  structure_check check;
  if (!json::sax_parse(body.begin(), body.end(), &check, json::input_format_t::json, true, false))
    return bad(check.problem.empty() ? "the body is not valid JSON" : check.problem);
  out = json::parse(body.begin(), body.end(), nullptr, false, false);
  if (out.is_discarded()) return bad("the body is not valid JSON");
  if (!out.is_object()) return bad("the body must be a JSON object");
  return {};
}

// A field name as sent, quoted only when it cannot carry anything but a
// field name (a client that puts a PIN in a key does not see it back).
std::string field_label(const std::string& key) {
  bool plain = !key.empty() && key.size() <= 32;
  for (char c : key) plain = plain && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_');
  return plain ? "\"" + key + "\"" : "with an unexpected name";
}

status check_keys(const json& obj, std::initializer_list<std::string_view> known) {
  for (const auto& [key, value] : obj.items()) {
    bool ok = false;
    for (auto k : known) ok = ok || key == k;
    if (!ok) return bad("unknown field " + field_label(key));
  }
  return {};
}

// The string field `key`, when present: nullptr when absent.
result<const std::string*> find_string(const json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end()) return static_cast<const std::string*>(nullptr);
  if (!it->is_string()) return bad(std::string("field \"") + key + "\" must be a string");
  return &it->get_ref<const std::string&>();
}

bool all_digits(std::string_view s) {
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

status check_card(const std::string& card, const credential_limits& limits) {
  bool printable = !card.empty() && card.size() <= limits.max_card_id_chars;
  for (char c : card) printable = printable && c > 0x20 && c < 0x7f;
  if (printable) return {};
  return bad("field \"card\" must be 1 to " + std::to_string(limits.max_card_id_chars) +
             " printable ASCII characters without spaces");
}

status check_login_pin(const std::string& pin, const credential_limits& limits) {
  if (pin.size() >= limits.min_pin_digits && pin.size() <= limits.max_pin_digits && all_digits(pin)) return {};
  return bad("field \"pin\" must be " + std::to_string(limits.min_pin_digits) + " to " +
             std::to_string(limits.max_pin_digits) + " digits");
}

status check_password(const std::string& password) {
  if (password.empty()) return bad("the password must not be empty");
  if (password.size() > max_password_bytes)
    return bad("the password must be at most " + std::to_string(max_password_bytes) + " bytes");
  if (password.find('\0') != std::string::npos) return bad("the password must not contain a 0 character");
  return {};
}

// Wipes what it holds when it goes: the caller gets a copy, this is the
// only other one.
struct login_scratch {
  login_request req;
  ~login_scratch() {
    wipe(req.card);
    wipe(req.pin);
    wipe(req.user);
    wipe(req.password);
  }
};

struct release_scratch {
  release_request req;
  ~release_scratch() {
    for (auto& [id, pin] : req.pins) wipe(pin);
  }
};

status parse_jobs(const json& jobs, std::vector<uint64_t>& out) {
  if (!jobs.is_array() || jobs.empty() || jobs.size() > max_release_jobs)
    return bad("field \"jobs\" must be an array of 1 to " + std::to_string(max_release_jobs) + " job ids");
  std::set<uint64_t> seen;
  for (const auto& id : jobs) {
    // Positive integers parse as unsigned; a sign, a fraction or an exponent
    // (or a value past 2^64-1, which becomes a float) does not.
    if (!id.is_number_unsigned() || id.get<uint64_t>() == 0)
      return bad("field \"jobs\" must hold job ids (integers of 1 or more)");
    if (!seen.insert(id.get<uint64_t>()).second) return bad("field \"jobs\" names a job twice");
    out.push_back(id.get<uint64_t>());
  }
  return {};
}

status parse_pins(const json& pins, const std::vector<uint64_t>& jobs, std::map<uint64_t, std::string>& out) {
  if (!pins.is_object() || pins.size() > max_release_jobs)
    return bad("field \"pins\" must be an object of at most " + std::to_string(max_release_jobs) +
               " job ids and their PINs");
  std::set<uint64_t> listed(jobs.begin(), jobs.end());
  for (const auto& [key, value] : pins.items()) {
    uint64_t id = 0;
    if (!parse_job_id(key, id)) return bad("field \"pins\" must be keyed by job ids (decimal integers of 1 or more)");
    if (!jobs.empty() && !listed.count(id)) return bad("field \"pins\" names a job that \"jobs\" does not");
    if (out.count(id)) return bad("field \"pins\" names a job twice");
    if (!value.is_string()) return bad("a PIN in \"pins\" must be a string of digits (quote it: leading zeros count)");
    const auto& pin = value.get_ref<const std::string&>();
    if (pin.size() < min_job_pin_digits || pin.size() > max_job_pin_digits || !all_digits(pin))
      return bad("a PIN in \"pins\" must be " + std::to_string(min_job_pin_digits) + " to " +
                 std::to_string(max_job_pin_digits) + " digits");
    out.emplace(id, pin);
  }
  return {};
}

}  // namespace

result<login_request> parse_login(std::string_view body, const credential_limits& limits) {
  scrubbed doc;
  if (auto s = parse_object(body, doc.value)) return s;
  const json& obj = doc.value;
  if (auto s = check_keys(obj, {"card", "pin", "user", "password"})) return s;
  auto card = find_string(obj, "card");
  if (!card.ok()) return card.err();
  auto pin = find_string(obj, "pin");
  if (!pin.ok()) return pin.err();
  auto user = find_string(obj, "user");
  if (!user.ok()) return user.err();
  auto password = find_string(obj, "password");
  if (!password.ok()) return password.err();

  bool c = *card, p = *pin, u = *user, w = *password;
  bool one_way = (c && !p && !u && !w) || (!c && p && !u && !w) || (!c && !p && u && w) || (c && p && !u && !w);
  if (!one_way) return bad("give one of: card; pin; user and password; card and pin");

  login_scratch out;
  if (c) {
    if (auto s = check_card(**card, limits)) return s;
    out.req.card = **card;
  }
  if (p) {
    if (auto s = check_login_pin(**pin, limits)) return s;
    out.req.pin = **pin;
  }
  if (u) {
    if (auto s = validate_user_name(**user)) return bad("field \"user\": " + s.message);
    if (auto s = check_password(**password)) return s;
    out.req.user = **user;
    out.req.password = **password;
  }
  return login_request(out.req);  // a copy: `out` wipes its own
}

result<release_request> parse_release(std::string_view body) {
  scrubbed doc;
  if (auto s = parse_object(body, doc.value)) return s;
  const json& obj = doc.value;
  if (auto s = check_keys(obj, {"jobs", "all", "project", "pins"})) return s;

  release_scratch out;
  auto jobs = obj.find("jobs");
  auto all = obj.find("all");
  if ((jobs == obj.end()) == (all == obj.end())) return bad("give either \"jobs\" or \"all\": true");
  if (all != obj.end()) {
    if (!all->is_boolean() || !all->get<bool>()) return bad("field \"all\" must be true (or give \"jobs\")");
    out.req.all = true;
  } else if (auto s = parse_jobs(*jobs, out.req.jobs)) {
    return s;
  }

  auto project = find_string(obj, "project");
  if (!project.ok()) return project.err();
  if (*project) {
    if (auto s = validate_user_name(**project)) return bad("field \"project\": " + s.message);
    out.req.project = **project;
  }
  auto pins = obj.find("pins");
  if (pins != obj.end())
    if (auto s = parse_pins(*pins, out.req.jobs, out.req.pins)) return s;
  return release_request(out.req);  // a copy: `out` wipes its PINs
}

}  // namespace quire::web
