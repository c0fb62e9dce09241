#include "protocols/lpd/command.hpp"

#include <cstdio>

namespace quire::lpd {

namespace {

error bad(std::string message) { return error(errc::invalid_argument, std::move(message)); }

// RFC 1179 section 3: "white space" is one or more of SP, HT, VT and FF.
bool is_white(char c) { return c == ' ' || c == '\t' || c == '\v' || c == '\f'; }

std::vector<std::string_view> split_operands(std::string_view s) {
  std::vector<std::string_view> out;
  size_t at = 0;
  while (at < s.size()) {
    while (at < s.size() && is_white(s[at])) ++at;
    size_t start = at;
    while (at < s.size() && !is_white(s[at])) ++at;
    if (at > start) out.push_back(s.substr(start, at - start));
  }
  return out;
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

// A user or agent name: no control octets (octets above 0x7f pass; the name
// is compared, not shown, here).
bool valid_user(std::string_view s) {
  if (s.empty() || s.size() > max_user_name) return false;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return false;
  }
  return true;
}

std::string quoted(std::string_view s) {
  std::string out = "\"";
  for (char c : s.substr(0, 64)) {
    auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7f) {
      out += c;
    } else {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", u);
      out += hex;
    }
  }
  if (s.size() > 64) out += "...";
  return out + "\"";
}

status parse_list(const std::vector<std::string_view>& ops, size_t from, command& cmd) {
  for (size_t i = from; i < ops.size(); ++i) {
    std::string_view op = ops[i];
    if (all_digits(op)) {
      uint64_t n = 0;
      for (char c : op) {
        n = n * 10 + static_cast<uint64_t>(c - '0');
        if (n > UINT32_MAX) return bad("job number " + quoted(op) + " is too large");
      }
      cmd.jobs.push_back(static_cast<uint32_t>(n));
    } else if (valid_user(op)) {
      cmd.users.emplace_back(op);
    } else {
      return bad("bad user name " + quoted(op) + " in the list");
    }
  }
  return {};
}

}  // namespace

const char* to_string(command_code code) noexcept {
  switch (code) {
    case command_code::print_waiting: return "print-waiting-jobs";
    case command_code::receive_job: return "receive-job";
    case command_code::queue_state_short: return "send-queue-state-short";
    case command_code::queue_state_long: return "send-queue-state-long";
    case command_code::remove_jobs: return "remove-jobs";
  }
  return "unknown";
}

bool valid_queue_name(std::string_view name) noexcept {
  if (name.empty() || name.size() > max_queue_name) return false;
  for (char c : name)
    if (c <= ' ' || c > '~' || c == '/') return false;
  return true;
}

result<command> parse_command(std::string_view line) {
  if (line.empty()) return bad("empty command line");
  const auto code = static_cast<unsigned char>(line[0]);
  if (code < 1 || code > 5) {
    char msg[64];
    std::snprintf(msg, sizeof msg, "unknown LPD command code 0x%02x", code);
    return bad(msg);
  }
  std::string_view rest = line.substr(1);
  if (!rest.empty() && rest.back() == '\r') rest.remove_suffix(1);
  auto ops = split_operands(rest);
  command cmd;
  cmd.code = static_cast<command_code>(code);
  if (ops.empty()) return bad(std::string(to_string(cmd.code)) + ": missing queue name");
  if (!valid_queue_name(ops[0]))
    return bad("bad queue name " + quoted(ops[0]) +
               " (1..127 printable ASCII characters, no space or '/')");
  cmd.queue.assign(ops[0]);
  switch (cmd.code) {
    case command_code::print_waiting:
    case command_code::receive_job:
      return cmd;  // RFC 1179 5.1/5.2 define no operands; extra ones are ignored
    case command_code::queue_state_short:
    case command_code::queue_state_long:
      if (auto st = parse_list(ops, 1, cmd)) return st;
      return cmd;
    case command_code::remove_jobs:
      if (ops.size() < 2) return bad("remove-jobs: missing agent name");
      if (!valid_user(ops[1])) return bad("remove-jobs: bad agent name " + quoted(ops[1]));
      cmd.agent.assign(ops[1]);
      if (auto st = parse_list(ops, 2, cmd)) return st;
      return cmd;
  }
  return bad("unknown LPD command");
}

line_reader::line_reader(size_t max_line) : max_line_(max_line) {
  QUIRE_ASSERT(max_line_ > 0, "line_reader: max_line must be positive");
}

line_reader::step line_reader::feed(std::string_view in) {
  if (failed()) return {};
  if (deliver_) {
    buf_.clear();
    deliver_ = false;
  }
  size_t lf = in.find('\n');
  size_t take = lf == std::string_view::npos ? in.size() : lf;
  if (buf_.size() + take > max_line_) {
    error_ = status(errc::limit_exceeded,
                    "line longer than " + std::to_string(max_line_) + " octets");
    buf_.clear();
    return {};
  }
  buf_.append(in.substr(0, take));
  if (lf == std::string_view::npos) return {in.size(), false, {}};
  deliver_ = true;
  return {lf + 1, true, buf_};
}

}  // namespace quire::lpd
