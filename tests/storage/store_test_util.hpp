// Helpers for tests of the store on a temporary RocksDB.
#pragma once

#include <doctest/doctest.h>

#include <future>
#include <memory>
#include <string>

#include "storage/store.hpp"

namespace quire::testing {

/// Opens (or creates) a store in `dir`; fails the test when it cannot.
inline std::unique_ptr<store> open_store(const std::string& dir) {
  store::options o;
  o.data_dir = dir;
  auto s = store::open(o);
  if (!s.ok()) FAIL("open failed: " << s.err().describe());
  return std::move(s.value());
}

/// Commits `b` and waits until it is durable (or failed).
inline status commit_sync(store& st, write_batch b) {
  std::promise<status> p;
  auto f = p.get_future();
  st.commit(std::move(b), [&p](const status& s) { p.set_value(s); });
  return f.get();
}

}  // namespace quire::testing
