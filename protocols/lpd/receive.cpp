#include "protocols/lpd/receive.hpp"

#include <algorithm>
#include <cstdio>

namespace quire::lpd {

namespace {

bool is_white(char c) { return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r'; }

std::string hex_octet(unsigned char c) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02x", c);
  return buf;
}

// A name for messages: the name itself only if it is harmless to log.
std::string shown(std::string_view name) {
  if (valid_file_name(name)) return std::string(name);
  return "(" + std::to_string(name.size()) + " octets)";
}

}  // namespace

const char* to_string(subcommand_kind kind) noexcept {
  switch (kind) {
    case subcommand_kind::abort: return "abort";
    case subcommand_kind::control_file: return "control-file";
    case subcommand_kind::data_file: return "data-file";
  }
  return "unknown";
}

bool valid_file_name(std::string_view name) noexcept {
  if (name.empty() || name.size() > 255) return false;
  for (char c : name)
    if (c <= ' ' || c > '~' || c == '/') return false;
  return true;
}

std::optional<file_name_parts> parse_file_name(std::string_view name) {
  if (name.size() < 6 || !valid_file_name(name)) return std::nullopt;
  file_name_parts p;
  if (name.substr(0, 2) == "cf") {
    p.control = true;
  } else if (name.substr(0, 2) != "df") {
    return std::nullopt;
  }
  p.letter = name[2];
  bool letter_ok = (p.letter >= 'A' && p.letter <= 'Z') || (p.letter >= 'a' && p.letter <= 'z');
  // Section 6.2: a control file is always "cfA".
  if (!letter_ok || (p.control && p.letter != 'A')) return std::nullopt;
  for (size_t i = 3; i < 6; ++i) {
    if (name[i] < '0' || name[i] > '9') return std::nullopt;
    p.job_number = p.job_number * 10 + static_cast<unsigned>(name[i] - '0');
  }
  p.host.assign(name.substr(6));
  return p;
}

result<subcommand> parse_subcommand(std::string_view line, const limits& lim) {
  auto bad = [](std::string m) { return error(errc::invalid_argument, std::move(m)); };
  if (line.empty()) return bad("empty subcommand line");
  const auto code = static_cast<unsigned char>(line[0]);
  subcommand sc;
  if (code == 1) return sc;  // 6.1 defines no operands; ignore any
  if (code != 2 && code != 3) return bad("unknown receive-job subcommand code " + hex_octet(code));
  sc.kind = static_cast<subcommand_kind>(code);
  const char* what = code == 2 ? "control file" : "data file";
  std::string_view rest = line.substr(1);
  size_t at = 0;
  while (at < rest.size() && is_white(rest[at])) ++at;
  size_t digits = 0;
  for (; at < rest.size() && rest[at] >= '0' && rest[at] <= '9'; ++at, ++digits) {
    auto d = static_cast<uint64_t>(rest[at] - '0');
    if (sc.count > (UINT64_MAX - d) / 10) return bad(std::string(what) + ": count too large");
    sc.count = sc.count * 10 + d;
  }
  if (digits == 0) return bad(std::string(what) + ": missing or malformed octet count");
  if (at < rest.size() && !is_white(rest[at]))
    return bad(std::string(what) + ": malformed octet count");
  while (at < rest.size() && is_white(rest[at])) ++at;
  size_t start = at;
  while (at < rest.size() && !is_white(rest[at])) ++at;
  std::string_view name = rest.substr(start, at - start);
  while (at < rest.size() && is_white(rest[at])) ++at;
  if (name.empty()) return bad(std::string(what) + ": missing file name");
  if (at != rest.size()) return bad(std::string(what) + ": text after the file name");
  if (!valid_file_name(name))
    return bad(std::string(what) + ": bad file name " + shown(name) +
               " (1..255 printable ASCII characters, no space or '/')");
  sc.name.assign(name);
  if (sc.kind == subcommand_kind::control_file) {
    if (sc.count == 0) return bad("control file " + sc.name + " is empty");
    if (sc.count > lim.max_control_bytes)
      return error(errc::limit_exceeded, "control file " + sc.name + " has " +
                                             std::to_string(sc.count) + " octets, more than " +
                                             std::to_string(lim.max_control_bytes));
  } else {
    if (sc.count == 0)
      return error(errc::unsupported,
                   "data file " + sc.name + " has count 0 (\"until the connection closes\"), "
                   "which Quire does not accept: turn on byte counting in the sender");
    if (lim.max_data_bytes != 0 && sc.count > lim.max_data_bytes)
      return error(errc::limit_exceeded, "data file " + sc.name + " has " +
                                             std::to_string(sc.count) + " octets, more than " +
                                             std::to_string(lim.max_data_bytes));
  }
  return sc;
}

receive_session::receive_session() : receive_session(limits{}) {}

receive_session::receive_session(limits lim) : lim_(lim), lines_(lim.max_line) {}

void receive_session::fail(status st, std::vector<event>& out) {
  error_ = std::move(st);
  phase_ = phase::failed;
  event e;
  e.kind = event_kind::error;
  e.text = error_.message;
  out.push_back(std::move(e));
}

size_t receive_session::feed(std::string_view in, std::vector<event>& out) {
  size_t used = 0;
  while (used < in.size()) {
    std::string_view rest = in.substr(used);
    switch (phase_) {
      case phase::line: used += read_line(rest, out); break;
      case phase::content: used += read_content(rest, out); break;
      case phase::trailer:
        // Stop after a file: the client waits for its ack anyway (6.2/6.3),
        // and the connection may need to pause (e.g. to submit the job).
        return used + read_trailer(rest, out);
      case phase::decide:
      case phase::aborted:
      case phase::failed: return used;
    }
  }
  return used;
}

size_t receive_session::read_line(std::string_view in, std::vector<event>& out) {
  auto step = lines_.feed(in);
  if (lines_.failed()) {
    fail(status(errc::limit_exceeded, "subcommand " + lines_.error().message), out);
    return step.consumed;
  }
  if (!step.complete) return step.consumed;
  auto sc = parse_subcommand(step.line, lim_);
  if (!sc) {
    fail(sc.err(), out);
    return step.consumed;
  }
  current_ = std::move(*sc);
  phase_ = current_.kind == subcommand_kind::abort ? phase::aborted : phase::decide;
  event e;
  e.kind = event_kind::subcommand;
  e.sub = current_;
  out.push_back(std::move(e));
  return step.consumed;
}

size_t receive_session::read_content(std::string_view in, std::vector<event>& out) {
  size_t take = static_cast<size_t>(std::min<uint64_t>(remaining_, in.size()));
  if (current_.kind == subcommand_kind::control_file) {
    control_.append(in.substr(0, take));
  } else {
    event e;
    e.kind = event_kind::body;
    e.sub = current_;
    e.chunk = in.substr(0, take);
    out.push_back(std::move(e));
  }
  remaining_ -= take;
  if (remaining_ == 0) phase_ = phase::trailer;
  return take;
}

// Sections 6.2/6.3: the file's octets are followed by one zero octet.
size_t receive_session::read_trailer(std::string_view in, std::vector<event>& out) {
  const auto octet = static_cast<unsigned char>(in[0]);
  if (octet != 0) {
    fail(status(errc::invalid_argument, std::string(to_string(current_.kind)) + " " +
                                            current_.name + " is followed by " +
                                            hex_octet(octet) + " instead of a zero octet"),
         out);
    return 1;
  }
  if (current_.kind == subcommand_kind::control_file) {
    event e;
    e.kind = event_kind::control_file_complete;
    e.sub = current_;
    e.text = std::move(control_);
    control_.clear();
    out.push_back(std::move(e));
  }
  event e;
  e.kind = event_kind::file_end;
  e.sub = current_;
  out.push_back(std::move(e));
  ++files_complete_;
  phase_ = phase::line;
  return 1;
}

void receive_session::accept() {
  QUIRE_ASSERT(phase_ == phase::decide, "receive_session::accept without a pending subcommand");
  remaining_ = current_.count;
  control_.clear();
  if (current_.kind == subcommand_kind::control_file)
    control_.reserve(static_cast<size_t>(current_.count));
  phase_ = phase::content;
}

void receive_session::refuse() {
  QUIRE_ASSERT(phase_ == phase::decide, "receive_session::refuse without a pending subcommand");
  phase_ = phase::line;
}

bool receive_session::at_boundary() const noexcept {
  return phase_ == phase::line && lines_.pending() == 0;
}

status receive_session::finish() const {
  const std::string file = std::string(to_string(current_.kind)) + " " + current_.name;
  switch (phase_) {
    case phase::failed: return error_;
    case phase::aborted: return {};
    case phase::line:
      if (lines_.pending() == 0) return {};
      return status(errc::io_error, "connection closed in the middle of a subcommand line");
    case phase::decide:
      return status(errc::io_error, "connection closed before " + file + " was accepted");
    case phase::content:
      return status(errc::io_error,
                    "connection closed after " + std::to_string(current_.count - remaining_) +
                        " of " + std::to_string(current_.count) + " octets of " + file);
    case phase::trailer:
      return status(errc::io_error, "connection closed before the zero octet after " + file);
  }
  return {};
}

}  // namespace quire::lpd
