// Checks the pdl tests share: analyse a document that must analyse (the
// test stops with the reason if it does not), and look for a note.
#pragma once

#include <doctest/doctest.h>

#include <string>
#include <string_view>

#include "protocols/pdl/analysis.hpp"

namespace pdl_test {

inline quire::pdl::analysis must_analyse(const std::string& doc, std::string_view declared,
                                         const quire::pdl::limits& lim = {}) {
  auto r = quire::pdl::analyse(doc, declared, lim);
  std::string why = r.ok() ? std::string() : r.err().describe();
  INFO(why);
  REQUIRE(r.ok());
  return *r;
}

/// Whether one of the analysis' notes contains `part`.
inline bool has_note(const quire::pdl::analysis& a, const std::string& part) {
  for (const auto& n : a.notes)
    if (n.find(part) != std::string::npos) return true;
  return false;
}

}  // namespace pdl_test
