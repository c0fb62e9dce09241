#include "protocols/snmp/walk.hpp"

namespace quire::snmp {

table_walk::table_walk(std::vector<oid> columns, size_t max_rows) : max_rows_(max_rows) {
  columns_.reserve(columns.size());
  for (auto& prefix : columns) {
    column_state c;
    c.last = prefix;
    c.prefix = std::move(prefix);
    columns_.push_back(std::move(c));
  }
}

std::vector<oid> table_walk::next_names() const {
  std::vector<oid> names;
  if (failed_) return names;
  for (const auto& c : columns_)
    if (c.open) names.push_back(c.last);
  return names;
}

bool table_walk::done() const {
  if (failed_) return true;
  for (const auto& c : columns_)
    if (c.open) return false;
  return true;
}

bool table_walk::feed(const std::vector<varbind>& vbs) {
  if (done()) return false;
  // Columns close only here, so the open ones are those the last
  // next_names() listed, in the same order.
  std::vector<column_state*> asked;
  for (auto& c : columns_)
    if (c.open) asked.push_back(&c);
  if (vbs.empty()) {
    failed_ = true;
    return false;
  }
  for (size_t k = 0; k < vbs.size(); ++k) {
    column_state& c = *asked[k % asked.size()];
    // GETBULK keeps answering for a column after it has left it.
    if (c.open) take(c, vbs[k]);
  }
  return true;
}

void table_walk::close_open_column(size_t k) {
  if (failed_) return;
  for (auto& c : columns_) {
    if (!c.open) continue;
    if (k == 0) {
      c.open = false;
      return;
    }
    --k;
  }
}

void table_walk::take(column_state& c, const varbind& vb) {
  // RFC 3416 §4.2.3: endOfMibView (or any exception) ends the column; a
  // name outside it or not after the last one (a looping agent, or a v1
  // noSuchName response echoing the request) ends it too.
  if (vb.val.is_exception() || !is_under(vb.name, c.prefix) || !(c.last < vb.name)) {
    c.open = false;
    return;
  }
  if (c.rows.size() >= max_rows_) {
    c.open = false;
    truncated_ = true;
    return;
  }
  c.rows.emplace_back(oid(vb.name.begin() + static_cast<std::ptrdiff_t>(c.prefix.size()), vb.name.end()), vb.val);
  c.last = vb.name;
}

const std::vector<std::pair<oid, value>>& table_walk::rows(size_t column) const {
  QUIRE_ASSERT(column < columns_.size(), "table_walk::rows: no such column");
  return columns_[column].rows;
}

}  // namespace quire::snmp
