#include "web/api_json_detail.hpp"

#include <set>
#include <vector>

#include "protocols/pdl/price.hpp"
#include "storage/credentials.hpp"

namespace quire::web::json_detail {

error bad(std::string message) { return error(errc::invalid_argument, std::move(message)); }

namespace {

// The first pass over a body: syntax, depth and duplicate keys, without
// building a tree (nlohmann's DOM silently keeps the last of two equal keys).
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

void scrub(json& j) {
  if (j.is_string()) {
    wipe(j.get_ref<std::string&>());
  } else if (j.is_structured()) {
    for (auto& v : j) scrub(v);
  }
}

}  // namespace

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

scrubbed::~scrubbed() { scrub(value); }

std::string field_label(const std::string& key) {
  bool plain = !key.empty() && key.size() <= 32;
  for (char c : key) plain = plain && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_');
  return plain ? "\"" + key + "\"" : "with an unexpected name";
}

const std::string* unknown_key(const json& obj, std::initializer_list<std::string_view> known) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    bool ok = false;
    for (auto k : known) ok = ok || it.key() == k;
    if (!ok) return &it.key();  // the object's own key: lives as long as `obj`
  }
  return nullptr;
}

status check_keys(const json& obj, std::initializer_list<std::string_view> known) {
  if (const std::string* key = unknown_key(obj, known)) return bad("unknown field " + field_label(*key));
  return {};
}

result<const std::string*> find_string(const json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end()) return static_cast<const std::string*>(nullptr);
  if (!it->is_string()) return bad(std::string("field \"") + key + "\" must be a string");
  return &it->get_ref<const std::string&>();
}

status required_string(const json& obj, const char* key, std::string& out) {
  auto it = obj.find(key);
  if (it == obj.end()) return bad(std::string("field \"") + key + "\" is required");
  if (!it->is_string()) return bad(std::string("field \"") + key + "\" must be a string");
  out = it->get<std::string>();
  return {};
}

bool all_digits(std::string_view s) noexcept {
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

status check_password(const std::string& password) {
  if (password.empty()) return bad("the password must not be empty");
  if (password.size() > max_password_bytes)
    return bad("the password must be at most " + std::to_string(max_password_bytes) + " bytes");
  if (password.find('\0') != std::string::npos) return bad("the password must not contain a 0 character");
  return {};
}

status check_card_id(const char* field, const std::string& card, const credential_limits& limits) {
  bool printable = !card.empty() && card.size() <= limits.max_card_id_chars;
  for (char c : card) printable = printable && c > 0x20 && c < 0x7f;
  if (printable) return {};
  return bad(std::string("field \"") + field + "\" must be 1 to " + std::to_string(limits.max_card_id_chars) +
             " printable ASCII characters without spaces");
}

status check_pin(const std::string& pin, const credential_limits& limits) {
  if (pin.size() >= limits.min_pin_digits && pin.size() <= limits.max_pin_digits && all_digits(pin)) return {};
  return bad("field \"pin\" must be " + std::to_string(limits.min_pin_digits) + " to " +
             std::to_string(limits.max_pin_digits) + " digits");
}

std::string dump(const ordered_json& j) { return j.dump(-1, ' ', false, ordered_json::error_handler_t::replace); }

ordered_json time_or_null(int64_t ms) {
  std::string t = rfc3339_utc(ms);
  return t.empty() ? ordered_json(nullptr) : ordered_json(std::move(t));
}

std::string money_text(int64_t amount, const money_format& money) {
  return pdl::format_money(amount, money.minor_digits, money.currency);
}

void add_money_format(ordered_json& j, const money_format& money) {
  j["currency"] = money.currency;
  j["minor_digits"] = money.minor_digits;
}

ordered_json quota_or_null(bool has_quota, int64_t sheets_left, int64_t period_end_ms) {
  if (!has_quota) return nullptr;
  ordered_json q;
  q["sheets_left"] = sheets_left;
  q["resets"] = time_or_null(period_end_ms);
  return q;
}

}  // namespace quire::web::json_detail
