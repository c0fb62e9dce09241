// Get-Printer-Attributes answers, with their unchanging part encoded once.
//
// Every client that adds a queue, and CUPS's everywhere driver each time it
// looks, asks for all ~130 printer attributes (about 9 KB). Built with
// libcups for each request, that costs more than the rest of the request:
// every string value goes through libcups's process-wide string pool, one
// mutex and a sorted-array search per value. But only a dozen attributes
// change with the queue's state and the clock (add_printer_state); the rest
// (add_printer_description, the notification attributes) depend on the
// queue's configuration and on the authority and scheme the client used.
//
// So the cache keeps, per (queue configuration snapshot, queue, authority,
// scheme, requested attributes), the encoded bytes of the description
// attributes, and each answer is: the response head and state attributes
// encoded for this request, then those bytes, then the end tag. Attribute
// order inside a group carries no meaning (RFC 8011 §4.1.3), so the answer is
// the same message add_printer_attributes would build.
//
// One per listener actor (not thread-safe); bounded: when it holds
// `max_entries` answers it starts again empty (a client sending a new Host
// header each time gains nothing from it).
#pragma once

#include <cups/ipp.h>

#include <cstddef>
#include <string>
#include <unordered_map>
#include <vector>

#include "actors/ipp/ipp_render.hpp"

namespace quire {

class printer_attributes_cache {
 public:
  explicit printer_attributes_cache(size_t max_entries = 256) : max_(max_entries) {}

  /// The encoded response to Get-Printer-Attributes `request` for `view`,
  /// with the attributes `requested` names (empty: "all"). `config` is the
  /// configuration snapshot the queue record belongs to: a new one
  /// invalidates everything cached for the old.
  std::string answer(ipp_t* request, const queue_view& view, const std::vector<std::string>& requested,
                     const void* config);

  size_t entries() const { return bytes_.size(); }

 private:
  const std::string& description(const queue_view& view, const ipp::attribute_filter& want,
                                 const std::string& key);

  size_t max_;
  const void* config_ = nullptr;
  std::unordered_map<std::string, std::string> bytes_;
};

}  // namespace quire
