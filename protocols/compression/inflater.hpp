// A streaming decompressor for IPP document data (the `compression`
// operation attribute, RFC 8011 section 5.4.32 / 4.2.1.1).
//
// IPP names two zlib codings a client may apply to the document it sends:
//
//   gzip     RFC 1952. One member or several concatenated members, as gzip
//            allows; bytes after a member that do not start another member
//            are an error.
//   deflate  RFC 1951, raw. RFC 8011 cites RFC 1951, and libcups (ipptool,
//            the CUPS backends, PAPPL) writes raw deflate. Some clients follow
//            HTTP's "deflate" instead and wrap it in zlib (RFC 1950): both
//            are accepted, told apart by the two-byte zlib header. Bytes after
//            the end of the stream are an error.
//
// Push style and no I/O: the connection feeds the document bytes as they
// arrive and the inflater hands decompressed bytes to a sink in pieces of at
// most `options::chunk_bytes`; finish() says whether the stream was complete.
// `options::max_output_bytes` bounds the output so that a zip bomb ends with
// errc::limit_exceeded (answer client-error-request-entity-too-large) instead
// of filling the spool. Damaged or truncated data is errc::corruption (the job
// aborts with job-state-reason compression-error). After any error the
// inflater stays failed and returns that error from every later call.
//
// Not thread-safe; one inflater per document.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "protocols/result.hpp"

namespace quire::compression {

enum class format : uint8_t { gzip, deflate };

/// The IPP keyword for `f`: "gzip" or "deflate".
const char* keyword(format f) noexcept;

/// The format an IPP `compression` keyword names, or nullopt for "none",
/// "compress" and anything else this inflater cannot decode.
std::optional<format> format_from_keyword(std::string_view keyword) noexcept;

/// Receives decompressed bytes, at most options::chunk_bytes per call; the
/// view is valid only during the call. A non-ok status (a full disk) stops
/// decompression and becomes the inflater's error.
using sink = std::function<status(std::string_view chunk)>;

class inflater {
 public:
  struct options {
    format fmt = format::gzip;
    /// The most decompressed bytes the whole document may yield; one byte
    /// more is errc::limit_exceeded. REQUIRES: > 0.
    uint64_t max_output_bytes = uint64_t{1} << 30;
    /// The largest piece handed to the sink. REQUIRES: > 0.
    size_t chunk_bytes = 64 * 1024;
  };

  explicit inflater(options opt);
  ~inflater();
  inflater(const inflater&) = delete;
  inflater& operator=(const inflater&) = delete;

  /// Decompresses all of `in`, handing the output to `out` as it is
  /// produced. Returns ok, or the first error (corruption, limit_exceeded,
  /// a sink's error). An empty `in` is a no-op.
  status feed(std::string_view in, const sink& out);

  /// As above, appending the output to `out`.
  status feed(std::string_view in, std::string& out);

  /// Ends the document: ok if the fed bytes formed one complete stream (or,
  /// for gzip, complete members); errc::corruption if it was cut short,
  /// including when nothing was fed at all (a caller that allows an empty
  /// document checks total_in() first). Feeding after finish() is an error.
  status finish();

  /// True once a complete stream has been read and nothing is pending.
  bool done() const noexcept;
  bool failed() const noexcept { return static_cast<bool>(error_); }
  const status& error() const noexcept { return error_; }

  uint64_t total_in() const noexcept { return total_in_; }
  uint64_t total_out() const noexcept { return total_out_; }
  format fmt() const noexcept { return opt_.fmt; }

 private:
  struct zstate;
  enum class phase : uint8_t { header, body, member_end, finished };

  status fail(errc code, std::string message);
  status start_stream(std::string_view head);
  status inflate_some(std::string_view in, size_t& used, const sink& out);

  options opt_;
  std::unique_ptr<zstate> z_;
  phase phase_ = phase::header;
  std::string head_;  // first bytes of a stream, until its wrapping is known
  std::string buf_;   // output buffer, opt_.chunk_bytes long
  uint64_t total_in_ = 0;
  uint64_t total_out_ = 0;
  uint64_t consumed_ = 0;  // bytes zlib has read, for error messages
  status error_;
};

}  // namespace quire::compression
