// Lookups on a loaded config, and the names of its enumerations. The lists
// are short (a site has tens of printers) and looked up rarely (once per
// job), so a linear scan is the simplest thing that is also right for a
// config built by hand in a test, whose vectors might not be sorted.
#include "config/config.hpp"

namespace quire {

const char* to_string(identity_source s) noexcept {
  switch (s) {
    case identity_source::pjl: return "pjl";
    case identity_source::dsc: return "dsc";
    case identity_source::control: return "control";
  }
  return "?";
}

const printer_config* config::find_printer(const std::string& name) const {
  for (const printer_config& p : printers)
    if (p.name == name) return &p;
  return nullptr;
}

const queue_config* config::find_queue(const std::string& name) const {
  for (const queue_config& q : queues)
    if (q.name == name) return &q;
  return nullptr;
}

const pdl::price_list* config::find_price_list(const std::string& name) const {
  for (const pdl::price_list& p : prices)
    if (p.name == name) return &p;
  return nullptr;
}

}  // namespace quire
