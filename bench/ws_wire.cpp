#include "bench/ws_wire.hpp"

#include <openssl/evp.h>

#include <cstdlib>

namespace bench::ws {

std::string base64(const unsigned char* p, size_t n) {
  static const char* abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (size_t i = 0; i < n; i += 3) {
    uint32_t v = uint32_t(p[i]) << 16;
    if (i + 1 < n) v |= uint32_t(p[i + 1]) << 8;
    if (i + 2 < n) v |= p[i + 2];
    out.push_back(abc[(v >> 18) & 63]);
    out.push_back(abc[(v >> 12) & 63]);
    out.push_back(i + 1 < n ? abc[(v >> 6) & 63] : '=');
    out.push_back(i + 2 < n ? abc[v & 63] : '=');
  }
  return out;
}

std::string accept_key(const std::string& key) {
  std::string s = key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(s.data(), s.size(), md, &len, EVP_sha1(), nullptr) != 1) return "";
  return base64(md, len);
}

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "\"";
}

size_t value_at(std::string_view text, std::string_view key, size_t from) {
  std::string pat(1, '"');
  pat.append(key).append("\":");
  size_t at = text.find(pat, from);
  return at == std::string_view::npos ? at : at + pat.size();
}

std::string string_value(std::string_view text, size_t at) {
  if (at == std::string_view::npos || at >= text.size() || text[at] != '"') return "";
  std::string out;
  for (size_t i = at + 1; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size()) {
      out.push_back(text[++i]);
    } else if (text[i] == '"') {
      break;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

int64_t int_value(std::string_view text, size_t at) {
  if (at == std::string_view::npos) return -1;
  return std::strtoll(std::string(text.substr(at, 24)).c_str(), nullptr, 10);
}

}  // namespace bench::ws
