// Serialising HTTP/1.1 response heads. Pure: the caller adds a Date header
// if it has a clock, and writes the bytes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/http/request_parser.hpp"

namespace quire::http {

/// The standard reason phrase of `status` ("Not Found"), or "Unknown".
const char* reason_phrase(int status) noexcept;

/// "HTTP/1.1 <status> <reason>\r\n" + Content-Type (when non-empty) +
/// Content-Length + "Connection: close" when !keep_alive + extra + "\r\n".
std::string response_head(int status, std::string_view content_type, uint64_t content_length,
                          bool keep_alive, const std::vector<header>& extra = {});

/// A complete small response with a text body (error pages and the like).
std::string text_response(int status, std::string_view body, bool keep_alive);

/// The interim response that tells a client to send its body.
inline constexpr std::string_view continue_response = "HTTP/1.1 100 Continue\r\n\r\n";

}  // namespace quire::http
