#include "storage/keys.hpp"

#include <algorithm>

namespace quire {

const char* cf_name(cf family) noexcept {
  switch (family) {
    case cf::meta: return "meta";
    case cf::jobs: return "jobs";
    case cf::docs: return "docs";
    case cf::jobs_by_user: return "jobs_by_user";
    case cf::jobs_by_state: return "jobs_by_state";
    case cf::jobs_by_expiry: return "jobs_by_expiry";
    case cf::jobs_by_printer: return "jobs_by_printer";
    case cf::users: return "users";
    case cf::credentials: return "credentials";
    case cf::printers: return "printers";
    case cf::queues: return "queues";
    case cf::ledger: return "ledger";
    case cf::events: return "events";
    case cf::jobs_to_analyse: return "jobs_to_analyse";
    case cf::accounts: return "accounts";
    case cf::account_holds: return "account_holds";
    case cf::terminals: return "terminals";
    case cf::delegates: return "delegates";
    case cf::device_counters: return "device_counters";
    case cf::price_lists: return "price_lists";
    case cf::projects: return "projects";
    case cf::quotas: return "quotas";
  }
  return "?";
}

namespace keys {

void append_be64(std::string& out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xff));
}

uint64_t read_be64(std::string_view bytes, size_t at) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(bytes[at + i]);
  return v;
}

namespace {
std::string text_part(std::string_view text) {
  std::string k;
  k.reserve(text.size() + 18);
  k.append(text);
  k.push_back('\0');
  return k;
}
}  // namespace

std::string job(uint64_t id) {
  std::string k;
  append_be64(k, id);
  return k;
}

std::string user_prefix(std::string_view owner, bool finished) {
  std::string k = text_part(owner);
  k.push_back(finished ? '\1' : '\0');
  return k;
}

std::string user_job(std::string_view owner, job_state s, uint64_t id) {
  std::string k = user_prefix(owner, is_terminal(s));
  append_be64(k, ~id);
  return k;
}

uint64_t user_job_id(std::string_view key) { return ~read_be64(key, key.size() - 8); }

std::string state_prefix(std::string_view queue, job_state s) {
  std::string k = text_part(queue);
  k.push_back(static_cast<char>(s));
  return k;
}

std::string state_job(std::string_view queue, job_state s, uint64_t id) {
  std::string k = state_prefix(queue, s);
  append_be64(k, id);
  return k;
}

std::string expiry_job(int64_t expires_ms, uint64_t id) {
  std::string k;
  append_be64(k, static_cast<uint64_t>(expires_ms));
  append_be64(k, id);
  return k;
}

std::string printer_prefix(std::string_view printer) { return text_part(printer); }

std::string printer_job(std::string_view printer, int64_t queued_ms, uint64_t id) {
  std::string k = text_part(printer);
  append_be64(k, static_cast<uint64_t>(queued_ms));
  append_be64(k, id);
  return k;
}

uint64_t trailing_id(std::string_view key) { return read_be64(key, key.size() - 8); }

std::string user(std::string_view name) { return text_part(name); }

std::string user_range_end(std::string_view name) {
  std::string k(name);
  k.push_back('\1');
  return k;
}

std::string user_credentials_prefix(std::string_view name) {
  std::string k = text_part(name);
  k.push_back('\1');
  return k;
}

std::string user_credential(std::string_view name, credential_kind kind, std::string_view hmac) {
  std::string k = user_credentials_prefix(name);
  k.append(credential(kind, hmac));
  return k;
}

std::string credential(credential_kind kind, std::string_view hmac) {
  std::string k;
  k.reserve(1 + hmac.size());
  k.push_back(static_cast<char>(kind));
  k.append(hmac);
  return k;
}

bool parse_credential(std::string_view key, credential_ref& out) {
  if (key.size() != 33 || !credential_kind_from_byte(static_cast<uint8_t>(key[0]), out.kind)) return false;
  out.key.assign(key.substr(1));
  return true;
}

bool is_user_record_key(std::string_view key) { return !key.empty() && key.find('\0') == key.size() - 1; }

std::string account(std::string_view name) { return text_part(name); }

std::string account_hold(std::string_view account, uint64_t job_id) {
  std::string k = text_part(account);
  append_be64(k, job_id);
  return k;
}

bool parse_account_hold(std::string_view key, std::string& account) {
  if (key.size() < 10 || key[key.size() - 9] != '\0') return false;
  std::string_view name = key.substr(0, key.size() - 9);
  if (name.find('\0') != std::string_view::npos) return false;
  account.assign(name);
  return true;
}

std::string ledger_prefix(std::string_view account) { return text_part(account); }

std::string ledger_job_prefix(std::string_view account, uint64_t job_id) {
  std::string k = text_part(account);
  append_be64(k, job_id);
  return k;
}

std::string ledger(std::string_view account, uint64_t job_id, uint64_t attempt) {
  std::string k = ledger_job_prefix(account, job_id);
  append_be64(k, attempt);
  return k;
}

std::string terminal(std::string_view name) { return text_part(name); }

namespace {
constexpr char delegate_mark = '\1';   // owner 0 delegate
constexpr char delegator_mark = '\2';  // delegate 0 owner

std::string marked(char mark, std::string_view first) {
  std::string k(1, mark);
  k.append(text_part(first));
  return k;
}
}  // namespace

std::string delegates_prefix(std::string_view owner) { return marked(delegate_mark, owner); }

std::string device_counters_prefix(std::string_view printer) { return text_part(printer); }

std::string device_counter(std::string_view printer, int64_t time_ms) {
  std::string k = text_part(printer);
  append_be64(k, static_cast<uint64_t>(std::max<int64_t>(time_ms, 0)));
  return k;
}

std::string audit(int64_t time_ms, uint64_t seq) {
  std::string k;
  append_be64(k, static_cast<uint64_t>(std::max<int64_t>(time_ms, 0)));
  append_be64(k, seq);
  return k;
}
std::string delegators_prefix(std::string_view delegate) { return marked(delegator_mark, delegate); }

std::string delegate(std::string_view owner, std::string_view to) {
  std::string k = delegates_prefix(owner);
  k.append(to);
  return k;
}

std::string delegator(std::string_view to, std::string_view owner) {
  std::string k = delegators_prefix(to);
  k.append(owner);
  return k;
}

constexpr uint8_t sized_mark = 0x80;  // the value carries the document size

std::string user_job_value(job_state s, std::string_view queue, uint64_t document_size) {
  std::string v;
  v.push_back(static_cast<char>(sized_mark | static_cast<uint8_t>(s)));
  append_be64(v, document_size);
  v.append(queue);
  return v;
}

bool parse_user_job_value(std::string_view v, job_state& s, std::string& queue, uint64_t* document_size) {
  if (v.empty()) return false;
  auto raw = static_cast<uint8_t>(v[0]);
  bool sized = raw & sized_mark;
  raw &= static_cast<uint8_t>(~sized_mark);
  if (raw < 1 || raw > 9 || (sized && v.size() < 9)) return false;
  s = static_cast<job_state>(raw);
  if (document_size) *document_size = sized ? read_be64(v, 1) : 0;
  queue.assign(v.substr(sized ? 9 : 1));
  return true;
}

}  // namespace keys
}  // namespace quire
