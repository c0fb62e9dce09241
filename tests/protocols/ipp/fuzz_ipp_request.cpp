// Fuzz entry point for IPP request handling up to the typed operation:
// scan -> decode -> validate -> parse every operation -> build a response.
#include <cstdint>
#include <string>

#include "protocols/ipp/attribute_filter.hpp"
#include "protocols/ipp/codec.hpp"
#include "protocols/ipp/operations.hpp"

using namespace quire::ipp;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto scan = scan_attributes(in, 1 << 16);
  if (scan.state != scan_state::complete) {
    (void)encode_error(in.substr(0, 8), IPP_STATUS_ERROR_BAD_REQUEST, "malformed");
    return 0;
  }
  if (scan.size > in.size()) __builtin_trap();
  std::string err;
  message req = decode(in.substr(0, scan.size), err);
  if (!req) return 0;
  check c = validate_request(req.get());
  message resp = make_response(req.get(), c.status, c.message);
  if (!c) {
    operation_common common;
    (void)parse_common(req.get(), false, common);
    (void)parse_common(req.get(), true, common);
    job_creation jc;
    (void)parse_job_creation(req.get(), jc);
    copy_unsupported(req.get(), resp.get(), jc.unsupported);
    job_list_request jl;
    (void)parse_get_jobs(req.get(), jl);
    attribute_filter f(jl.requested, {"job-id"});
    (void)f.wants("job-state", attribute_group::job_description);
    std::string hold;
    std::vector<std::string> unsupported;
    (void)parse_hold_until(req.get(), hold, unsupported);
  }
  std::string out = encode(resp.get());
  if (out.size() < 8) __builtin_trap();
  return 0;
}
