// Building IPP requests for tests with libcups.
#pragma once

#include <cups/ipp.h>

#include <string>

#include "protocols/ipp/codec.hpp"

namespace quire::testing {

/// A request with the charset, language and printer-uri every test needs.
inline ipp::message printer_request(ipp_op_t op, const std::string& uri = "ipp://localhost/ipp/print/secure") {
  ipp::message m(ippNewRequest(op));
  ippAddString(m.get(), IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", nullptr, uri.c_str());
  return m;
}

/// Encodes, then decodes and validates, as the server does.
inline ipp::message roundtrip(ipp_t* req) {
  std::string err;
  std::string wire = ipp::encode(req);
  return ipp::decode(wire, err);
}

}  // namespace quire::testing
