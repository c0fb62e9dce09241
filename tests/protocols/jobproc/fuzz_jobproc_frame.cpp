// Fuzz entry point for the job processor's frames: the frame reader, the
// four decoders (analysis and conversion) and frame_type. The first byte picks the size of the pieces the
// rest is fed in, as a pipe would split it. Whatever decodes must re-encode
// to bytes that decode to the same value (encode is stable on its output).
#include <cstdint>
#include <string>

#include "protocols/jobproc/wire.hpp"

using namespace quire::jobproc;

namespace {

template <class T, class Enc, class Dec>
void check_stable(const T& value, Enc encode, Dec decode) {
  auto e1 = encode(value);
  if (!e1.ok()) return;  // over the limit: refused, fine
  auto d2 = decode(std::string_view(*e1).substr(4));
  if (!d2.ok()) __builtin_trap();  // the encoder wrote something its decoder rejects
  auto e2 = encode(*d2);
  if (!e2.ok() || *e2 != *e1) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  size_t step = 1 + data[0] % 64;
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  frame_reader fr(1u << 20);
  std::string payload;
  for (size_t at = 0; at < in.size() && !fr.failed(); at += step) {
    fr.feed(in.substr(at, step));
    while (fr.next(payload) == frame_reader::status::frame) {
      (void)frame_type(payload);
      if (auto req = decode_request(payload); req.ok()) {
        (void)validate(*req);
        check_stable(*req, [](const analyse_request& r) { return encode_request(r); }, decode_request);
      }
      if (auto rep = decode_reply(payload); rep.ok())
        check_stable(*rep, [](const analyse_reply& r) { return encode_reply(r); }, decode_reply);
      if (auto req = decode_convert_request(payload); req.ok()) {
        (void)validate(*req);
        check_stable(*req, [](const convert_request& r) { return encode_convert_request(r); },
                     decode_convert_request);
      }
      if (auto rep = decode_convert_reply(payload); rep.ok())
        check_stable(*rep, [](const convert_reply& r) { return encode_convert_reply(r); }, decode_convert_reply);
    }
  }
  (void)fr.mid_frame();
  return 0;
}
