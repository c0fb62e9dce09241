// The receive-job session: what an LPD client sends after the daemon has
// acknowledged a 02 "receive a printer job" command (RFC 1179 sections 5.2
// and 6).
//
// The client sends files, each announced by a subcommand line:
//
//   01 LF                       abort the job (6.1)
//   02 Count SP Name LF         a control file of Count octets follows (6.2)
//   03 Count SP Name LF         a data file of Count octets follows (6.3)
//
// The daemon answers each 02/03 line with one octet, 0 to accept or non-zero
// to refuse; after an accept the client sends Count octets and one zero
// octet, and the daemon answers with 0 again. Files come in any order (BSD
// lpr and CUPS send the control file first, the Windows LPR port the data
// files first); a job has one control file and one or more data files, and
// is complete once the control file and every data file it names are in.
// The client then closes the connection (or, with some senders, starts the
// files of another job).
//
// receive_session is the push-style parser of that stream. It writes
// nothing: the connection owns the socket and the acks. The protocol, as the
// connection sees it:
//
//   subcommand   a 02/03 line was read; feed() stops right after it and
//                consumes nothing more until the connection calls accept()
//                (then answers 0) or refuse() (then answers 1). For 01
//                (abort) no answer is defined; the session ends (aborted()),
//                and the connection drops the job's files and closes, as
//                cups-lpd does.
//   body         data-file octets, streamed: a view into the fed bytes.
//   control_file_complete
//                the whole control file (at most limits::max_control_bytes),
//                after its trailing zero octet; parse it with control_file.hpp.
//   file_end     a file and its trailing zero octet were read: answer 0.
//                feed() returns right after it, so a connection that must
//                wait (to submit a complete job before the last ack) keeps
//                whatever follows in its own buffer.
//   error        the stream is malformed (a bad subcommand line, a count over
//                the limits, a non-zero octet after a file); the session
//                stays failed. Answer a non-zero octet and close.
//
// Not supported, deliberately: a data-file count of 0, which some LPRng and
// Windows senders use for "the data runs until the connection closes". The
// end of such a file cannot be told from a dropped connection, so a job
// could print truncated; the session reports an error instead (the sender
// then needs its "byte counting" option turned on).
//
// Pure: no sockets, no clock; the caller owns timeouts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/lpd/command.hpp"
#include "protocols/result.hpp"

namespace quire::lpd {

struct limits {
  /// The largest control file accepted; it is buffered whole.
  uint64_t max_control_bytes = 64 * 1024;
  /// The largest data file accepted; 0 means no limit (data is streamed).
  uint64_t max_data_bytes = 0;
  /// The longest subcommand line, LF not counted.
  size_t max_line = 1024;
};

enum class subcommand_kind : uint8_t {
  abort = 1,         // 01, section 6.1
  control_file = 2,  // 02, section 6.2
  data_file = 3,     // 03, section 6.3
};

/// "abort", "control-file" or "data-file".
const char* to_string(subcommand_kind kind) noexcept;

struct subcommand {
  subcommand_kind kind = subcommand_kind::abort;
  uint64_t count = 0;  // octets of the file that follows
  std::string name;    // "cfA123host", "dfA123host"; empty for abort
};

/// Parses a complete subcommand line (without its LF). Checks the count
/// against `lim` (over a limit: errc::limit_exceeded; count 0: errc::unsupported)
/// and the name with valid_file_name(); else errc::invalid_argument.
result<subcommand> parse_subcommand(std::string_view line, const limits& lim);

/// The tolerant name rule: 1..255 printable ASCII octets, no space, no '/'.
bool valid_file_name(std::string_view name) noexcept;

/// What RFC 1179 sections 6.2/6.3 put in a file name: "cfA" or "df" plus a
/// letter, three digits of job number, and the host that built the job.
struct file_name_parts {
  bool control = false;  // "cf" (control) or "df" (data)
  char letter = 'A';     // A..Z, a..z: the data file's index in the job
  unsigned job_number = 0;  // 0..999
  std::string host;      // may be empty if the sender left it out
};

/// Splits a name that follows RFC 1179's pattern; nullopt for any other name
/// (which the session still accepts).
std::optional<file_name_parts> parse_file_name(std::string_view name);

class receive_session {
 public:
  enum class event_kind : uint8_t { subcommand, body, control_file_complete, file_end, error };

  struct event {
    event_kind kind = event_kind::error;
    /// subcommand: the line read; body, control_file_complete, file_end: the
    /// file they belong to.
    subcommand sub;
    /// body: data-file octets; points into the bytes given to feed().
    std::string_view chunk;
    /// control_file_complete: the control file; error: the message.
    std::string text;
  };

  receive_session();
  explicit receive_session(limits lim);

  /// Consumes as much of `in` as it may and appends events to `out`. Returns
  /// the octets consumed: all of them, or fewer when it stopped after a 02/03
  /// subcommand (awaiting a decision), after a file_end, after an abort, or
  /// at an error. Octets not consumed are the caller's to feed again.
  size_t feed(std::string_view in, std::vector<event>& out);

  /// The connection takes the announced file (and answers 0): feed() goes
  /// on with its octets. REQUIRES: awaiting_decision().
  void accept();
  /// The connection refuses it (and answers non-zero): the client may send
  /// another subcommand. REQUIRES: awaiting_decision().
  void refuse();

  /// ok if the peer may close now: no file or subcommand line in progress.
  /// Otherwise errc::io_error saying what was cut short (the job is
  /// incomplete), or the session's error. Does not change the session.
  status finish() const;

  bool awaiting_decision() const noexcept { return phase_ == phase::decide; }
  /// True between files: no line, file or decision pending, not failed.
  bool at_boundary() const noexcept;
  bool aborted() const noexcept { return phase_ == phase::aborted; }
  bool failed() const noexcept { return static_cast<bool>(error_); }
  const status& error() const noexcept { return error_; }
  /// Files received whole (control and data) so far.
  unsigned files_complete() const noexcept { return files_complete_; }

 private:
  enum class phase : uint8_t { line, decide, content, trailer, aborted, failed };

  size_t read_line(std::string_view in, std::vector<event>& out);
  size_t read_content(std::string_view in, std::vector<event>& out);
  size_t read_trailer(std::string_view in, std::vector<event>& out);
  void fail(status st, std::vector<event>& out);

  limits lim_;
  line_reader lines_;
  phase phase_ = phase::line;
  subcommand current_;
  uint64_t remaining_ = 0;  // octets of current_ still to come
  std::string control_;     // the control file being buffered
  unsigned files_complete_ = 0;
  status error_;
};

}  // namespace quire::lpd
