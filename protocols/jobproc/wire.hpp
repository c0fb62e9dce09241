// The wire protocol between quired and its `quire-jobproc` children.
//
// quired writes requests to a child's stdin and reads replies from its
// stdout; both directions carry the same frames:
//
//   +----------------------+---------------------------------+
//   | length: 4 octets, BE | payload: one msgpack map        |
//   +----------------------+---------------------------------+
//
// The payload is a map keyed by field name (the struct members below), plus
// "type": "analyse_request" / "analyse_reply" (analysis, for pricing) or
// "convert_request" / "convert_reply" (conversion to a printer's language,
// for delivery). A request without "type" is an analyse_request (the first
// children spoke no other). Decoders skip keys they do
// not know and keep defaults for keys that are missing or nil, so either side
// may add fields without breaking the other; a known key with a wrong type is
// an error, never a crash (msgpack-c throws: every throw stops in wire.cpp).
//
// Trust: a child analyses hostile documents and may be subverted by one, so
// quired treats replies as hostile input. Replies are small: read them with
// max_reply_frame, which bounds what a reply can make quired allocate
// (msgpack-c allocates up to ~24 bytes per element declared).
//
// Pure: std and msgpack only (msgpack stays inside wire.cpp). No I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protocols/result.hpp"

namespace quire::jobproc {

/// Largest frame a request may be (documents may travel inline).
inline constexpr size_t default_max_frame = 64u << 20;
/// Largest reply frame quired should accept from a child.
inline constexpr size_t max_reply_frame = 1u << 20;
/// Caps the reply encoder applies (the decoder keeps whatever fits the frame).
inline constexpr size_t max_colour_page_numbers = 1000;
inline constexpr size_t max_sizes = 64;
inline constexpr size_t max_notes = 32;

/// One job to analyse. Either `path` (an absolute path the child can read)
/// or `document` (the bytes inline, for small documents) is set.
///
/// `normalised_path` (absolute, optional): where the child may write the
/// document normalised to PDF. When the document is PostScript, the child
/// converts it to PDF there (through normalised_path + ".part", renamed on
/// success) and counts that PDF, so that what prints is what was counted;
/// the reply then says `normalised`. After any other reply the file does not
/// exist. Empty: PostScript is counted by interpreting it, nothing written.
struct analyse_request {
  uint64_t job_id = 0;
  std::string path;
  std::string document;         // travels as msgpack bin
  std::string declared_format;  // the client's document-format, e.g. "application/pdf"
  uint32_t copies = 1;
  uint32_t number_up = 1;
  bool duplex = false;
  uint32_t render_dpi = 20;     // for the pages the structure scan cannot decide
  uint32_t timeout_ms = 60000;
  std::string normalised_path;  // absolute; "" = do not normalise

  bool operator==(const analyse_request&) const = default;
};

/// Pages of one size.
struct page_summary {
  uint32_t count = 0;
  double width_pt = 0;
  double height_pt = 0;

  bool operator==(const page_summary&) const = default;
};

/// What a child found. When `ok` is false only job_id, reason, elapsed_us
/// and notes mean anything.
struct analyse_reply {
  uint64_t job_id = 0;
  bool ok = false;
  std::string reason;  // for the job's owner: "the PDF is damaged beyond repair"
  // What kind of failure (ok false): the quire::errc name, e.g. "corruption",
  // "timeout", "limit_exceeded"; "unsupported" when the format cannot be
  // analysed at all (the job may still print); "" when unknown.
  std::string failure;
  std::string format;  // detected, e.g. "application/pdf" (PostScript stays PostScript when normalised)
  // The document was PostScript and the request's normalised_path now holds
  // the PDF these counts are of: deliver that file (or convert it further),
  // not the original. False: normalised_path does not exist.
  bool normalised = false;
  uint32_t pages = 0;
  uint32_t colour_pages = 0;
  uint32_t mono_pages = 0;
  std::vector<uint32_t> colour_page_numbers;  // 1-based, ascending, at most max_colour_page_numbers
  std::vector<page_summary> sizes;
  std::string title;
  bool exact = true;   // false when some counts are estimates
  std::string method;  // "structure", "structure+render", "render"; "normalised+" before when normalised
  uint64_t elapsed_us = 0;
  std::vector<std::string> notes;

  bool operator==(const analyse_reply&) const = default;
};

/// Target languages a printer may take (MIME types):
///   "application/pdf", "application/postscript", "application/vnd.hp-pclxl",
///   "image/pwg-raster", "image/urf"
/// The child converts the job's document (`path` or inline `document`) into
/// `target_format` and writes the result to `output_path`.
struct convert_request {
  uint64_t job_id = 0;
  std::string path;            // the document, absolute path, or
  std::string document;        // its bytes inline (msgpack bin)
  std::string source_format;   // as analysis detected it ("application/pdf"); "" = detect from content
  std::string target_format;   // one of the targets above
  std::string output_path;     // absolute; the child creates/truncates it (0600) and writes the result there
  bool monochrome = false;     // print in grey only (the user chose mono, or the price list forces it)
  bool duplex = false;         // two-sided
  bool tumble = false;         // two-sided-short-edge
  double media_width_pt = 0;   // 0/0 = keep the document's page sizes; else fit each page onto this media
  double media_height_pt = 0;
  uint32_t resolution_dpi = 0; // raster targets (pwg, urf); 0 = 300
  uint32_t timeout_ms = 120000;

  bool operator==(const convert_request&) const = default;
};

/// What a conversion did. When `ok` is false only job_id, reason, failure,
/// elapsed_us and notes mean anything, and output_path does not exist.
struct convert_reply {
  uint64_t job_id = 0;
  bool ok = false;
  std::string reason;          // for the job's owner, as in analyse_reply
  std::string failure;         // errc name as in analyse_reply ("unsupported" when this source cannot become that target)
  bool passthrough = false;    // ok and nothing to do: deliver the original document as it is; output_path not written
  std::string format;          // what output_path holds (== target_format when ok and not passthrough)
  uint64_t output_bytes = 0;
  uint32_t pages = 0;          // pages written, 0 when unknown
  uint64_t elapsed_us = 0;
  std::vector<std::string> notes;

  bool operator==(const convert_reply&) const = default;
};

/// True for the five target MIME types above (exact, lower-case match).
bool is_convert_target(std::string_view mime);

/// Splits a byte stream into frame payloads. Push-style: feed() whatever the
/// pipe gave, then call next() until it says need_more. A length over the
/// limit, a zero length or a payload that does not start as a msgpack map is
/// an error; the reader stays failed (the stream has lost its framing).
class frame_reader {
 public:
  enum class status : uint8_t { need_more, frame, error };

  explicit frame_reader(size_t max_frame = default_max_frame) : max_frame_(max_frame) {}

  /// Buffers `bytes`. Ignored once failed.
  void feed(std::string_view bytes);
  /// frame: `payload` holds the next frame's payload (without its length).
  status next(std::string& payload);

  bool failed() const { return !error_.empty(); }
  const std::string& error_message() const { return error_; }
  /// True when part of a frame is buffered: at EOF, the peer died mid-frame.
  bool mid_frame() const { return buf_.size() > pos_; }

 private:
  void fail(std::string message);

  size_t max_frame_;
  std::string buf_;
  size_t pos_ = 0;  // start of the unread bytes in buf_
  std::string error_;
};

/// A complete frame (length + map), ready to write. errc::limit_exceeded
/// when the payload would pass `max_frame` (a too-large inline document).
result<std::string> encode_request(const analyse_request& req, size_t max_frame = default_max_frame);
/// As encode_request; lists are cut to the max_* caps above first.
result<std::string> encode_reply(const analyse_reply& rep, size_t max_frame = max_reply_frame);

/// Decodes one payload from frame_reader. errc::corruption names the field
/// that is wrong ("field 'pages': expected an unsigned 32-bit integer").
result<analyse_request> decode_request(std::string_view payload);
result<analyse_reply> decode_reply(std::string_view payload);

/// As encode_request / encode_reply, for conversion ("convert_request",
/// "convert_reply" frames); the reply's notes are cut to max_notes.
result<std::string> encode_convert_request(const convert_request& req, size_t max_frame = default_max_frame);
result<std::string> encode_convert_reply(const convert_reply& rep, size_t max_frame = max_reply_frame);
result<convert_request> decode_convert_request(std::string_view payload);
result<convert_reply> decode_convert_reply(std::string_view payload);

/// The payload's "type" ("" when absent), so a reader can dispatch before
/// decoding. errc::corruption when the payload is not a map.
result<std::string> frame_type(std::string_view payload);

/// Checks what decoding cannot: exactly one of path/document, an absolute
/// path, copies and number_up at least 1, render_dpi in 1..600, timeout_ms in
/// 1..3,600,000, normalised_path empty or absolute and neither the document's
/// path nor that path + ".part" (writing it would destroy the document). The
/// child answers a failed check with ok=false.
status validate(const analyse_request& req);

/// Checks a conversion request: exactly one of path/document, absolute
/// path and output_path (not the same file name), a known target_format, media both 0 or both in
/// 36..14400 pt, resolution_dpi 0 or 72..1200, timeout_ms 1..3,600,000.
status validate(const convert_request& req);

}  // namespace quire::jobproc
