#include "web/quirectl_output.hpp"
#include "web/quirectl_output_detail.hpp"

#include <nlohmann/json.hpp>
#include <strings.h>

#include <algorithm>
#include <charconv>

#include "protocols/http/response.hpp"
#include "protocols/pdl/price.hpp"

namespace quire::quirectl {

namespace output_detail {

std::optional<json> parse_json(std::string_view body) {
  json j = json::parse(body.begin(), body.end(), nullptr, false);
  if (j.is_discarded()) return std::nullopt;
  return j;
}

std::string text_of(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? printable(it->get<std::string>()) : std::string();
}

bool bool_of(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_boolean() && it->get<bool>();
}

std::string count_of(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number_unsigned() ? std::to_string(it->get<uint64_t>()) : "?";
}

size_t width(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xc0) != 0x80;
  return n;
}

const char* yes_no(bool b) { return b ? "yes" : "no"; }

std::vector<json> items_of(const std::vector<std::string>& pages, const char* key) {
  std::vector<json> out;
  for (const auto& p : pages) {
    auto j = parse_json(p);
    if (!j || !j->is_object()) continue;
    auto it = j->find(key);
    if (it == j->end() || !it->is_array()) continue;
    for (auto& u : *it)
      if (u.is_object()) out.push_back(u);
  }
  return out;
}

std::string format_table(const std::vector<std::vector<std::string>>& rows, const char* none) {
  std::vector<size_t> widths(rows[0].size(), 0);
  for (const auto& r : rows)
    for (size_t c = 0; c < r.size(); ++c) widths[c] = std::max(widths[c], width(r[c]));
  std::string out;
  for (const auto& r : rows) {
    std::string line;
    for (size_t c = 0; c < r.size(); ++c) {
      line += r[c];
      if (c + 1 < r.size()) line += std::string(widths[c] - width(r[c]) + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  if (rows.size() == 1) out.append(none).append("\n");
  return out;
}

std::string tidy_lines(const std::string& out) {
  std::string tidy;
  for (size_t at = 0; at < out.size();) {
    size_t eol = out.find('\n', at);
    std::string_view line(out.data() + at, eol - at);
    while (!line.empty() && line.back() == ' ') line.remove_suffix(1);
    tidy.append(line).push_back('\n');
    at = eol + 1;
  }
  return tidy;
}

}  // namespace output_detail

using namespace output_detail;

namespace {

constexpr size_t max_head_bytes = 64 * 1024;
constexpr size_t max_body_bytes = 64 * 1024 * 1024;

error bad(std::string message) { return error(errc::invalid_argument, std::move(message)); }

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && ::strncasecmp(a.data(), b.data(), a.size()) == 0;
}

bool parse_size(std::string_view s, size_t& out, int base = 10) {
  if (s.empty()) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out, base);
  return ec == std::errc() && end == s.data() + s.size();
}

// De-chunks `in` (RFC 9112 §7.1). nullopt: incomplete.
result<std::optional<std::string>> dechunk(std::string_view in) {
  std::string out;
  for (;;) {
    size_t eol = in.find("\r\n");
    if (eol == std::string_view::npos) return std::optional<std::string>();
    std::string_view size_text = trim(in.substr(0, std::min(eol, in.find(';'))));
    size_t n = 0;
    if (!parse_size(size_text, n, 16)) return bad("the server sent a malformed chunk");
    if (n > max_body_bytes - out.size()) return bad("the server's answer is too large");
    in.remove_prefix(eol + 2);
    if (n == 0) {
      // Trailers, then an empty line.
      for (;;) {
        size_t t = in.find("\r\n");
        if (t == std::string_view::npos) return std::optional<std::string>();
        in.remove_prefix(t + 2);
        if (t == 0) return std::optional<std::string>(std::move(out));
      }
    }
    if (in.size() < n + 2) return std::optional<std::string>();
    out.append(in.substr(0, n));
    if (in.substr(n, 2) != "\r\n") return bad("the server sent a malformed chunk");
    in.remove_prefix(n + 2);
  }
}

std::string groups_of(const json& j) {
  std::string out;
  auto it = j.find("groups");
  if (it == j.end() || !it->is_array()) return out;
  for (const auto& g : *it)
    if (g.is_string()) out += (out.empty() ? "" : ",") + printable(g.get<std::string>());
  return out;
}

}  // namespace

namespace {

// A response head's framing: what parse_http_response needs of its headers.
struct framing {
  bool chunked = false;
  std::optional<size_t> length;
};

// The status line and headers of `head` (ending with its last CRLF).
status parse_head(std::string_view head, http_reply& reply, framing& frame) {
  size_t eol = head.find("\r\n");
  std::string_view status_line = head.substr(0, eol);
  if (status_line.size() < 12 || status_line.substr(0, 7) != "HTTP/1." || status_line[8] != ' ' ||
      (status_line.size() > 12 && status_line[12] != ' '))
    return bad("the server did not answer in HTTP/1.x");
  size_t code = 0;
  if (!parse_size(status_line.substr(9, 3), code) || code < 100 || code > 599)
    return bad("the server sent a malformed status line");
  reply.status = static_cast<int>(code);
  for (std::string_view h = head.substr(eol + 2); !h.empty();) {
    size_t e = h.find("\r\n");
    std::string_view line = h.substr(0, e);
    h.remove_prefix(e + 2);
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) return bad("the server sent a malformed header");
    std::string_view name = line.substr(0, colon);
    std::string_view value = trim(line.substr(colon + 1));
    if (iequals(name, "Content-Type")) reply.content_type = std::string(value);
    if (iequals(name, "Transfer-Encoding"))
      frame.chunked = value.size() >= 7 && iequals(value.substr(value.size() - 7), "chunked");
    if (iequals(name, "Content-Length")) {
      size_t n = 0;
      if (!parse_size(value, n)) return bad("the server sent a malformed Content-Length");
      frame.length = n;
    }
  }
  return {};
}

}  // namespace

result<std::optional<http_reply>> parse_http_response(std::string_view raw, bool eof) {
  const auto incomplete = [eof]() -> result<std::optional<http_reply>> {
    if (eof) return bad("the server's response ended early");
    return std::optional<http_reply>();
  };
  for (;;) {
    size_t end = raw.find("\r\n\r\n");
    if (end == std::string_view::npos) {
      if (raw.size() > max_head_bytes) return bad("the server's response head is too large");
      if (eof && raw.empty()) return bad("the server closed the connection without answering");
      return incomplete();
    }
    std::string_view rest = raw.substr(end + 4);
    http_reply reply;
    framing frame;
    if (auto s = parse_head(raw.substr(0, end + 2), reply, frame)) return s;
    if (reply.status < 200) {  // an interim response (100 Continue): the real one follows
      raw = rest;
      continue;
    }
    if (reply.status == 204 || reply.status == 304) return std::optional<http_reply>(std::move(reply));
    if (frame.chunked) {
      auto body = dechunk(rest);
      if (!body.ok()) return body.err();
      if (!*body) return incomplete();
      reply.body = std::move(**body);
    } else if (frame.length) {
      if (*frame.length > max_body_bytes) return bad("the server's answer is too large");
      if (rest.size() < *frame.length) return incomplete();
      reply.body = std::string(rest.substr(0, *frame.length));
    } else {
      if (rest.size() > max_body_bytes) return bad("the server's answer is too large");
      if (!eof) return std::optional<http_reply>();
      reply.body = std::string(rest);
    }
    return std::optional<http_reply>(std::move(reply));
  }
}

std::string printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    auto b = static_cast<unsigned char>(text[i]);
    size_t len = b < 0x80 ? 1 : (b & 0xe0) == 0xc0 ? 2 : (b & 0xf0) == 0xe0 ? 3 : (b & 0xf8) == 0xf0 ? 4 : 0;
    bool ok = len > 0 && i + len <= text.size();
    uint32_t cp = len == 1 ? b : len == 2 ? (b & 0x1f) : len == 3 ? (b & 0x0f) : (b & 0x07);
    for (size_t k = 1; ok && k < len; ++k) {
      auto c = static_cast<unsigned char>(text[i + k]);
      ok = (c & 0xc0) == 0x80;
      cp = (cp << 6) | (c & 0x3f);
    }
    static constexpr uint32_t min_for_len[] = {0, 0, 0x80, 0x800, 0x10000};
    ok = ok && cp >= min_for_len[len] && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff);
    ok = ok && !(cp < 0x20 || (cp >= 0x7f && cp <= 0x9f));
    if (ok) {
      out.append(text.substr(i, len));
      i += len;
    } else {
      out.push_back('?');
      i += 1;
    }
  }
  return out;
}

std::string describe_refusal(const http_reply& reply) {
  std::string message, code;
  if (auto j = parse_json(reply.body); j && j->is_object()) {
    message = text_of(*j, "message");
    code = text_of(*j, "error");
  }
  if (message.empty()) message = http::reason_phrase(reply.status);
  if (message == "Unknown") message = "the request failed";
  std::string out = message + " (HTTP " + std::to_string(reply.status);
  if (!code.empty()) out += " " + code;
  return out + ")";
}

std::optional<std::string> next_page(std::string_view list_body) {
  auto j = parse_json(list_body);
  if (!j || !j->is_object()) return std::nullopt;
  auto it = j->find("next");
  if (it != j->end() && it->is_number_unsigned()) return std::to_string(it->get<uint64_t>());
  if (it == j->end() || !it->is_string() || it->get<std::string>().empty()) return std::nullopt;
  return it->get<std::string>();
}

std::string merge_pages(const std::vector<std::string>& pages, const char* key) {
  json j;
  j[key] = json::array();
  for (auto& u : items_of(pages, key)) j[key].push_back(std::move(u));
  j["next"] = nullptr;
  return j.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

namespace {

std::string sub_text(const json& j, const char* object, const char* key) {
  auto it = j.find(object);
  return it != j.end() && it->is_object() ? text_of(*it, key) : std::string();
}

std::string sub_count(const json& j, const char* object, const char* key) {
  auto it = j.find(object);
  return it != j.end() && it->is_object() ? count_of(*it, key) : "?";
}

}  // namespace

std::string user_table(const std::vector<std::string>& pages) {
  std::vector<std::vector<std::string>> rows = {
      {"NAME", "DISPLAY NAME", "ADMIN", "DISABLED", "PASSWORD", "CARDS", "PIN", "GROUPS"}};
  for (const auto& u : items_of(pages, "users")) {
    rows.push_back({text_of(u, "name"), text_of(u, "display_name"), yes_no(bool_of(u, "admin")),
                    yes_no(bool_of(u, "disabled")), yes_no(bool_of(u, "password")), count_of(u, "cards"),
                    yes_no(bool_of(u, "pin")), groups_of(u)});
  }
  return format_table(rows, "(no users)");
}

std::string job_table(const std::vector<std::string>& pages) {
  std::vector<std::vector<std::string>> rows = {
      {"ID", "OWNER", "QUEUE", "STATE", "PAGES", "PRICE", "CREATED", "NAME"}};
  for (const auto& j : items_of(pages, "jobs")) {
    bool counted = sub_text(j, "analysis", "status") == "done";
    rows.push_back({count_of(j, "id"), text_of(j, "owner"), text_of(j, "queue"), text_of(j, "state"),
                    counted ? sub_count(j, "analysis", "pages") : "-", sub_text(j, "price", "text"),
                    text_of(j, "created"), text_of(j, "name")});
  }
  return format_table(rows, "(no jobs)");
}

std::string job_details(std::string_view job_body) {
  auto parsed = parse_json(job_body);
  if (!parsed || !parsed->is_object()) return printable(job_body) + "\n";
  const json& j = *parsed;
  std::string out;
  out.append("id:        ").append(count_of(j, "id")).append("\n");
  out.append("name:      ").append(text_of(j, "name")).append("\n");
  out.append("owner:     ").append(text_of(j, "owner")).append("\n");
  out.append("queue:     ").append(text_of(j, "queue")).append("\n");
  out.append("state:     ").append(text_of(j, "state")).append("  ").append(text_of(j, "state_message"));
  out.append("\n");
  out.append("printer:   ").append(text_of(j, "printer")).append("\n");
  std::string document = text_of(j, "document_name");
  out.append("document:  ").append(document).append(document.empty() ? "(" : " (");
  out.append(text_of(j, "document_format"));
  out.append(", ").append(count_of(j, "document_size")).append(" bytes)\n");
  out.append("created:   ").append(text_of(j, "created")).append("\n");
  out.append("completed: ").append(text_of(j, "completed")).append("\n");
  out.append("analysis:  ").append(sub_text(j, "analysis", "status")).append(", ");
  out.append(sub_count(j, "analysis", "pages")).append(" pages (").append(sub_count(j, "analysis", "colour_pages"));
  out.append(" colour), ").append(sub_count(j, "analysis", "sheets")).append(" sheets\n");
  out.append("price:     ").append(sub_text(j, "price", "status")).append("  ").append(sub_text(j, "price", "text"));
  return tidy_lines(out.append("\n"));
}

std::string user_details(std::string_view user_body) {
  auto j = parse_json(user_body);
  if (!j || !j->is_object()) return printable(user_body) + "\n";
  const json& u = *j;
  std::string out;
  out += "name:          " + text_of(u, "name") + "\n";
  out += "display name:  " + text_of(u, "display_name") + "\n";
  out += "groups:        " + groups_of(u) + "\n";
  out += "administrator: " + std::string(yes_no(bool_of(u, "admin"))) + "\n";
  out += "disabled:      " + std::string(yes_no(bool_of(u, "disabled"))) + "\n";
  out += "password:      " + std::string(bool_of(u, "password") ? "set" : "none") + "\n";
  out += "cards:         " + count_of(u, "cards") + "\n";
  out += "PIN:           " + std::string(bool_of(u, "pin") ? "set" : "none") + "\n";
  return tidy_lines(out);
}

std::string whoami_line(std::string_view body) {
  auto j = parse_json(body);
  if (!j || !j->is_object()) return printable(body) + "\n";
  return text_of(*j, "name") + (bool_of(*j, "admin") ? " (administrator)" : "") + "\n";
}

std::string pin_mailed_line(const invocation& inv, std::string_view body) {
  auto j = parse_json(body);
  std::string to = j && j->is_object() ? text_of(*j, "sent_to") : std::string();
  return "a new PIN for " + printable(inv.name) + " was e-mailed to " + (to.empty() ? "their address" : to) + "\n";
}

std::string done_line(const invocation& inv) {
  std::string name = printable(inv.name);
  switch (inv.what) {
    case action::user_passwd: return "password set for " + name + "\n";
    case action::user_card_add: return "card added to " + name + "\n";
    case action::user_card_del: return "card removed from " + name + "\n";
    case action::user_pin_set: return "PIN set for " + name + "\n";
    case action::user_pin_clear: return "PIN cleared for " + name + "\n";
    case action::user_del: return "user " + name + " deleted\n";
    case action::terminals_revoke: return "terminal " + name + " revoked\n";
    case action::printers_remove: return "printer " + name + " removed\n";
    case action::queues_remove: return "queue " + name + " removed\n";
    case action::prices_remove: return "price list " + name + " removed\n";
    case action::projects_remove: return "project " + name + " removed\n";
    case action::quotas_remove: return "quota " + name + " removed\n";
    case action::tokens_revoke: return "API token " + inv.token_id + " of " + name + " revoked\n";
    default: return {};
  }
}

std::optional<uint32_t> minor_digits_of(std::string_view account_body) {
  auto j = parse_json(account_body);
  if (!j || !j->is_object()) return std::nullopt;
  auto it = j->find("minor_digits");
  if (it == j->end() || !it->is_number_unsigned() || it->get<uint64_t>() > 4) return std::nullopt;
  return static_cast<uint32_t>(it->get<uint64_t>());
}

std::string account_details(std::string_view account_body) {
  auto j = parse_json(account_body);
  if (!j || !j->is_object()) return printable(account_body) + "\n";
  const json& a = *j;
  // Only the balance and the available credit come as text: the reserved
  // amount is written the same way (format_money's form).
  std::string reserved = "?";
  auto digits = minor_digits_of(account_body);
  auto it = a.find("reserved");
  if (digits && it != a.end() && it->is_number_integer())
    reserved = pdl::format_money(it->get<int64_t>(), *digits, text_of(a, "currency"));
  std::string out;
  out += "account:    " + text_of(a, "name") + "\n";
  out += "balance:    " + text_of(a, "balance_text") + "\n";
  out += "reserved:   " + reserved + "\n";
  out += "available:  " + text_of(a, "available_text") + "\n";
  out += "unlimited:  " + std::string(yes_no(bool_of(a, "unlimited"))) + "\n";
  auto quota = a.find("quota");
  if (quota != a.end() && quota->is_object()) {
    auto left = quota->find("sheets_left");
    std::string sheets = left != quota->end() && left->is_number_integer() ? std::to_string(left->get<int64_t>()) : "?";
    std::string resets = text_of(*quota, "resets");
    out += "quota:      " + sheets + " sheets left" + (resets.empty() ? "" : ", resets " + resets) + "\n";
  } else {
    out += "quota:      none\n";
  }
  return out;
}

std::string ledger_table(std::string_view ledger_body) {
  std::vector<std::vector<std::string>> rows = {
      {"TIME", "KIND", "AMOUNT", "BALANCE", "JOB", "SHEETS", "PRINTER", "BY", "NOTE"}};
  for (const auto& e : items_of({std::string(ledger_body)}, "entries")) {
    auto job = e.find("job");
    bool has_job = job != e.end() && job->is_number_unsigned();
    std::string by = text_of(e, "by");
    if (by.empty()) by = text_of(e, "printed_by");
    rows.push_back({text_of(e, "time"), text_of(e, "kind"), text_of(e, "amount_text"),
                    text_of(e, "balance_after_text"), has_job ? std::to_string(job->get<uint64_t>()) : "-",
                    has_job ? count_of(e, "sheets") : "-", text_of(e, "printer"), by, text_of(e, "note")});
  }
  return format_table(rows, "(no entries)");
}

std::string delegates_line(const invocation& inv, std::string_view delegates_body) {
  auto j = parse_json(delegates_body);
  if (!j || !j->is_object()) return printable(delegates_body) + "\n";
  std::string names;
  auto it = j->find("delegates");
  if (it != j->end() && it->is_array())
    for (const auto& d : *it)
      if (d.is_string()) names += (names.empty() ? "" : ", ") + printable(d.get<std::string>());
  std::string name = printable(inv.name);
  return names.empty() ? name + " has no delegates\n" : "delegates of " + name + ": " + names + "\n";
}

std::string terminal_table(std::string_view terminals_body) {
  std::vector<std::vector<std::string>> rows = {{"NAME", "PRINTER", "CREATED BY", "CREATED"}};
  for (const auto& t : items_of({std::string(terminals_body)}, "terminals"))
    rows.push_back({text_of(t, "name"), text_of(t, "printer"), text_of(t, "created_by"), text_of(t, "created")});
  return format_table(rows, "(no terminals)");
}

std::string terminal_added(std::string_view terminal_body) {
  auto j = parse_json(terminal_body);
  if (!j || !j->is_object()) return printable(terminal_body) + "\n";
  return "terminal " + text_of(*j, "name") + " registered for printer " + text_of(*j, "printer") + "\n" +
         "token: " + text_of(*j, "token") + "\n" +
         "This token is shown only this once: enter it in the terminal now (it cannot be shown again;\n"
         "if it is lost, revoke the terminal and register it anew).\n";
}

}  // namespace quire::quirectl
