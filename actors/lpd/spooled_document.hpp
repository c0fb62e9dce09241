// One document received from a byte stream, kept the way IPP keeps one:
// in memory while small, in a spool upload file beyond
// `inline_limit` bytes, never more than `max_bytes`. Its first
// sniff::sniff_window bytes are kept apart for protocols/sniff/.
//
// Loop thread (writes are plain write(2) calls, as for IPP uploads; the
// fsync happens when the job's batch adopts the file). The destructor
// deletes an upload that was not taken.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "actors/lpd/stream_job.hpp"
#include "protocols/result.hpp"

namespace quire {

class spool;

class spooled_document {
 public:
  spooled_document(spool& uploads, size_t inline_limit, uint64_t max_bytes)
      : uploads_(uploads), inline_limit_(inline_limit), max_bytes_(max_bytes) {}
  ~spooled_document();
  spooled_document(const spooled_document&) = delete;
  spooled_document& operator=(const spooled_document&) = delete;

  /// Appends bytes. errc::limit_exceeded past max_bytes, errc::io_error when
  /// the spool cannot take them; after an error the document is dropped and
  /// every later call returns the same error.
  status append(std::string_view bytes);

  /// Ends the document (closes the upload) and moves it into `out`, with
  /// what sniff() reads from its start. REQUIRES: no error so far.
  status finish_into(stream_document& out);

  uint64_t size() const { return size_; }
  const status& failure() const { return error_; }

 private:
  void drop();
  status write_all(std::string_view bytes);

  spool& uploads_;
  size_t inline_limit_;
  uint64_t max_bytes_;
  std::string inline_;   // the whole document while it fits inline_limit_
  std::string head_;     // its first sniff_window bytes
  int fd_ = -1;
  std::string path_;
  uint64_t size_ = 0;
  status error_;
};

}  // namespace quire
