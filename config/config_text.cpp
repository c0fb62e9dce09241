// Text helpers for the configuration: TOML string escaping for to_toml(),
// UTF-8 checking for values taken verbatim from the command line, and the
// shapes of error messages, kept in one place so they stay uniform.
#include <cstdio>

#include "config/config_internal.hpp"

namespace quire::detail {

namespace {

// Values echoed in messages are cut here: a fuzzer (or a pasted certificate)
// must not turn one error into a page.
constexpr size_t max_shown_bytes = 120;

void append_hex_escape(std::string& out, const char* format, unsigned char c) {
  char buf[8];
  std::snprintf(buf, sizeof buf, format, c);
  out += buf;
}

}  // namespace

std::string shown(std::string_view value) {
  if (value.size() <= max_shown_bytes) return std::string(value);
  size_t cut = max_shown_bytes;
  // Never cut inside a UTF-8 sequence: back up over continuation bytes.
  while (cut > 0 && (static_cast<unsigned char>(value[cut]) & 0xC0) == 0x80) --cut;
  return std::string(value.substr(0, cut)) + "...";
}

std::string quote(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out += '"';
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\f': out += "\\f"; break;
      case '\r': out += "\\r"; break;
      default:
        // TOML forbids raw control characters (and DEL) in basic strings.
        if (c < 0x20 || c == 0x7F)
          append_hex_escape(out, "\\u%04X", c);
        else
          out += ch;
    }
  }
  out += '"';
  return out;
}

std::string array_text(const std::vector<std::string>& names) {
  std::string out = "[";
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += ", ";
    out += quote(names[i]);
  }
  return out + "]";
}

bool is_valid_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t n;
    uint32_t cp;
    if ((c & 0xE0) == 0xC0) {
      n = 1, cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2, cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3, cp = c & 0x07;
    } else {
      return false;
    }
    if (i + n >= s.size()) return false;  // truncated sequence
    for (size_t k = 1; k <= n; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Overlong forms, UTF-16 surrogates and code points past U+10FFFF are
    // not UTF-8, and TOML parsers reject them.
    static constexpr uint32_t min_for_length[] = {0, 0x80, 0x800, 0x10000};
    if (cp < min_for_length[n] || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) return false;
    i += n + 1;
  }
  return true;
}

std::string one_line(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7F) {
      append_hex_escape(out, "\\x%02X", c);
    } else {
      out += ch;
    }
  }
  return out;
}

const char* type_name(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::table: return "table";
    case toml::node_type::array: return "array";
    case toml::node_type::string: return "string";
    case toml::node_type::integer: return "integer";
    case toml::node_type::floating_point: return "float";
    case toml::node_type::boolean: return "boolean";
    case toml::node_type::date: return "date";
    case toml::node_type::time: return "time";
    case toml::node_type::date_time: return "date-time";
    case toml::node_type::none: break;
  }
  return "nothing";
}

error invalid(std::string message) { return error{errc::invalid_argument, std::move(message)}; }

error bad_value(std::string_view key, std::string_view problem, std::string_view value) {
  std::string msg(key);
  msg += ": ";
  msg += problem;
  msg += ", got '";
  msg += shown(value);
  msg += "'";
  return invalid(std::move(msg));
}

error wrong_type(std::string_view key, std::string_view expected, const toml::node& n) {
  std::string msg(key);
  msg += ": expected ";
  msg += expected;
  msg += ", got ";
  msg += type_name(n);
  return invalid(std::move(msg));
}

}  // namespace quire::detail
