// Walking SNMP tables (RFC 3416 §4.2.2 GetNext, §4.2.3 GetBulk).
//
// A table_walk is the pure half of a table walk: it says which names the next
// request must carry and takes each response's varbinds back, sorting them
// into per-column rows. Sending, retries and timeouts belong to the caller
// (devices/). It guards against hostile or broken agents: a column ends when
// the agent leaves the column, answers with an exception, or stops moving
// forward (a looping agent), and every column keeps at most `max_rows` rows.
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

#include "protocols/snmp/message.hpp"

namespace quire::snmp {

/// Walks one or more table columns side by side with GETNEXT (v1) or GETBULK (v2c).
/// The caller sends a request naming next_names() (GETNEXT: those names;
/// GETBULK: non-repeaters 0, max-repetitions of its choice) and feeds the
/// response's varbinds back, until done().
class table_walk {
 public:
  /// `columns`: the column OIDs (e.g. prtMarkerSuppliesLevel 1.3.6.1.2.1.43.11.1.1.9).
  /// At most `max_rows` rows are kept per column; beyond it the column is
  /// closed and truncated() is true. With no columns the walk is done at once.
  table_walk(std::vector<oid> columns, size_t max_rows);

  /// Names for the next request: for each still-open column, in column order,
  /// the last name seen in it (the column OID at first). Empty when done().
  std::vector<oid> next_names() const;
  bool done() const;

  /// Feeds one response's varbinds, which answer the names of the last
  /// next_names(), repeated: the k-th varbind belongs to the k % n-th column
  /// asked, n = the number of names asked (GETBULK returns row after row and
  /// may stop at any varbind). A column closes when its varbind leaves the
  /// column's subtree, is an exception (endOfMibView...), or is not
  /// lexicographically greater than the column's previous name. Returns false
  /// on an empty response, which fails the walk (done() and failed() become
  /// true). Feeding a walk that is done() returns false and changes nothing.
  bool feed(const std::vector<varbind>& vbs);

  /// Closes the column named at position `k` of the last next_names(), for
  /// the SNMPv1 end of the MIB: a noSuchName error whose error-index is k+1
  /// (RFC 1157 §4.1.3). Its rows are kept; an out-of-range `k` does nothing.
  void close_open_column(size_t k);

  /// True when the agent answered a request with no varbinds.
  bool failed() const { return failed_; }
  /// True when some column had more than `max_rows` rows.
  bool truncated() const { return truncated_; }
  size_t columns() const { return columns_.size(); }
  /// Rows of column i, in walk order: (index = the name with the column
  /// prefix removed, value). REQUIRES: i < columns().
  const std::vector<std::pair<oid, value>>& rows(size_t column) const;

 private:
  struct column_state {
    oid prefix;
    oid last;  // the last name seen; `prefix` until the first row
    bool open = true;
    std::vector<std::pair<oid, value>> rows;
  };
  // Adds one varbind to column `c`, or closes it.
  void take(column_state& c, const varbind& vb);

  std::vector<column_state> columns_;
  size_t max_rows_;
  bool failed_ = false;
  bool truncated_ = false;
};

}  // namespace quire::snmp
