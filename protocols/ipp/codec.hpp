// The IPP wire codec (RFC 8010) around libcups.
//
// An IPP request is an attribute section followed by document data. libcups's
// ippReadIO is not a resumable push parser (STACK-NOTES), so a connection
// first collects the attribute section, using scan_attributes() to find where
// it ends (a small TLV walk, bounded in size), then decodes it in one call;
// whatever follows is document data to stream to the spool.
//
// validate_request() applies the rules every request must meet (RFC 8011
// §4.1) before any operation looks at it; its failures are the IPP status
// to answer with. Pure: no I/O, no clock.
#pragma once

#include <cups/ipp.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace quire::ipp {

struct ipp_deleter {
  void operator()(ipp_t* p) const noexcept { ippDelete(p); }
};
/// An owned libcups message.
using message = std::unique_ptr<ipp_t, ipp_deleter>;

enum class scan_state : uint8_t {
  need_more,   // the section has not ended yet; feed more bytes
  complete,    // the section is bytes[0, size)
  malformed,   // not IPP: a reserved tag or an impossible length
  too_large,   // the section would exceed the limit
};

struct scan_result {
  scan_state state;
  size_t size = 0;  // when complete: the attribute section's length, end tag included
};

/// Finds the end of the attribute section at the start of `bytes` without
/// decoding it. REQUIRES: bytes starts at the first byte of the request.
scan_result scan_attributes(std::string_view bytes, size_t max_size);

/// Decodes a complete attribute section. On failure returns nullptr and sets
/// `error` to a one-line reason.
message decode(std::string_view section, std::string& error);

/// Encodes a message (response or request) to its wire form.
std::string encode(ipp_t* msg);

/// The outcome of a check: IPP_STATUS_OK or the status to answer with.
struct check {
  ipp_status_t status = IPP_STATUS_OK;
  std::string message;  // for status-message
  explicit operator bool() const { return status != IPP_STATUS_OK; }
};

/// RFC 8011 §4.1 checks common to every request: a supported version (1.x,
/// 2.x), a request-id in 1..2^31-1, attribute groups in non-decreasing order
/// with the operation group first, attributes-charset then
/// attributes-natural-language as its first two attributes, and a supported
/// charset (utf-8 or us-ascii).
check validate_request(ipp_t* request);

/// Starts a response to `request` with `status`, copying its version and
/// request-id and adding the operation group's charset and language, plus
/// a status-message when `message` is not empty.
message make_response(ipp_t* request, ipp_status_t status, const std::string& message = {});

/// A response built only from the first 8 bytes of a request (for input
/// that does not decode at all). `header` may be shorter than 8 bytes.
std::string encode_error(std::string_view header, ipp_status_t status, const std::string& message);

}  // namespace quire::ipp
