// Internal to protocols/pdl: small helpers around libqpdf shared by the PDF
// files: bounded stream decoding and type-checked object access (qpdf warns,
// and may throw, when an object has an unexpected type; these never do).
#pragma once

#include <qpdf/Pipeline.hh>
#include <qpdf/QPDFObjectHandle.hh>

#include <cstdint>
#include <string>
#include <vector>

namespace quire::pdl::detail {

/// Collects at most `max` bytes; one more sets overflowed() and throws to
/// stop the decoder (qpdf reports it as a failed decode).
class bounded_sink : public Pipeline {
 public:
  bounded_sink(std::string& out, uint64_t max) : Pipeline("quire bounded sink", nullptr), out_(out), max_(max) {}
  void write(unsigned char const* data, size_t len) override;
  void finish() override {}
  bool overflowed() const { return overflowed_; }

 private:
  std::string& out_;
  uint64_t max_;
  bool overflowed_ = false;
};

/// Decodes `stream` into `out` (replacing it). False when the stream is
/// not a stream, a filter is unsupported at `level`, the data is damaged,
/// or it decodes to more than `max` bytes (`overflowed` then says so).
bool read_stream(QPDFObjectHandle stream, uint64_t max, std::string& out,
                 bool* overflowed = nullptr,
                 qpdf_stream_decode_level_e level = qpdf_dl_generalized);

/// The dictionary of a dictionary or stream; a null object otherwise.
QPDFObjectHandle dict_of(QPDFObjectHandle h);
/// h[key] when h is a dictionary or stream, else null.
QPDFObjectHandle key(QPDFObjectHandle h, const char* k);
/// The name `h` holds ("/DeviceRGB"), or "" when it is not a name.
std::string name_of(QPDFObjectHandle h);
/// The number `h` holds, or `fallback`.
double number_of(QPDFObjectHandle h, double fallback);
/// Elements of an array (at most `max`); empty for anything else.
std::vector<QPDFObjectHandle> items(QPDFObjectHandle h, size_t max = 1u << 20);

}  // namespace quire::pdl::detail
