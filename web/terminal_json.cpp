// The request facet of terminal_json.hpp: login and release bodies.
#include "web/terminal_json.hpp"

#include <set>
#include <vector>

#include "storage/credentials.hpp"
#include "storage/users.hpp"
#include "web/api_json_detail.hpp"
#include "web/api_request.hpp"

namespace quire::web {

namespace {

using namespace json_detail;

// Wipes what it holds when it goes: the caller gets a copy, this is the
// only other one.
struct login_scratch {
  login_request req;
  ~login_scratch() {
    wipe(req.card);
    wipe(req.pin);
    wipe(req.user);
    wipe(req.password);
    wipe(req.code);
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
  if (auto s = check_keys(obj, {"card", "pin", "user", "password", "code"})) return s;
  auto card = find_string(obj, "card");
  if (!card.ok()) return card.err();
  auto pin = find_string(obj, "pin");
  if (!pin.ok()) return pin.err();
  auto user = find_string(obj, "user");
  if (!user.ok()) return user.err();
  auto password = find_string(obj, "password");
  if (!password.ok()) return password.err();
  auto code = find_string(obj, "code");
  if (!code.ok()) return code.err();

  bool c = *card, p = *pin, u = *user, w = *password, k = *code;
  // card + user + password, or card + code: an unknown card enrolled by its
  // new owner.
  bool one_way = !k && ((c && !p && !u && !w) || (!c && p && !u && !w) || (!c && !p && u && w) ||
                        (c && p && !u && !w) || (c && !p && u && w));
  if (k) one_way = c && !p && !u && !w;
  if (!one_way)
    return bad("give one of: card; pin; user and password; card and pin; card, user and password; card and code");

  login_scratch out;
  if (c) {
    if (auto s = check_card_id("card", **card, limits)) return s;
    out.req.card = **card;
  }
  if (p) {
    if (auto s = check_pin(**pin, limits)) return s;
    out.req.pin = **pin;
  }
  if (u) {
    if (auto s = validate_user_name(**user)) return bad("field \"user\": " + s.message);
    if (auto s = check_password(**password)) return s;
    out.req.user = **user;
    out.req.password = **password;
  }
  if (k) {
    const std::string& v = **code;
    if (v.size() != enrolment_code_digits || !all_digits(v))
      return bad("field \"code\" must be the " + std::to_string(enrolment_code_digits) + " digits the portal showed");
    out.req.code = v;
  }
  return login_request(out.req);  // a copy: `out` wipes its own
}

result<release_request> parse_release(std::string_view body) {
  scrubbed doc;
  if (auto s = parse_object(body, doc.value)) return s;
  const json& obj = doc.value;
  if (auto s = check_keys(obj, {"jobs", "all", "project", "pins", "reprint"})) return s;

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
  if (auto reprint = obj.find("reprint"); reprint != obj.end()) {
    if (!reprint->is_boolean()) return bad("field \"reprint\" must be true or false");
    if (reprint->get<bool>() && out.req.all) return bad("a reprint names its jobs (\"jobs\"), not \"all\"");
    out.req.reprint = reprint->get<bool>();
  }
  auto pins = obj.find("pins");
  if (pins != obj.end())
    if (auto s = parse_pins(*pins, out.req.jobs, out.req.pins)) return s;
  return release_request(out.req);  // a copy: `out` wipes its PINs
}

}  // namespace quire::web
