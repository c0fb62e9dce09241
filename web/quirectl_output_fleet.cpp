// The fleet facet of quirectl_output.hpp: printer and queue records (what
// printers add/set and queues show/add/set answer) and the queue listing,
// as a person reads them.
#include "web/quirectl_output.hpp"
#include "web/quirectl_output_detail.hpp"

namespace quire::quirectl {

namespace output_detail {

std::string printer_record_lines(const json& r) {
  std::string out;
  out += "device uri:    " + text_of(r, "device_uri") + "\n";
  out += "language:      " + text_of(r, "language") + "\n";
  out += "model:         " + text_of(r, "make_and_model") + "\n";
  std::string prices = text_of(r, "price_list");
  out += "price list:    " + (prices.empty() ? std::string("none (prints free)") : prices) + "\n";
  out += "origin:        " + text_of(r, "origin") + "\n";
  return out;
}

}  // namespace output_detail

using namespace output_detail;

namespace {

std::string names_of(const json& j, const char* key) {
  std::string out;
  auto it = j.find(key);
  if (it == j.end() || !it->is_array()) return out;
  for (const auto& n : *it)
    if (n.is_string()) out.append(out.empty() ? "" : ",").append(printable(n.get<std::string>()));
  return out;
}

}  // namespace

std::string printer_record_details(std::string_view printer_body) {
  auto parsed = parse_json(printer_body);
  if (!parsed || !parsed->is_object()) return printable(printer_body) + "\n";
  const json& p = *parsed;
  std::string out;
  out += "name:          " + text_of(p, "name") + "\n";
  out += "location:      " + text_of(p, "location") + "\n";
  out += "info:          " + text_of(p, "info") + "\n";
  out += printer_record_lines(p);
  return tidy_lines(out);
}

std::string queue_table(std::string_view queues_body) {
  std::vector<std::vector<std::string>> rows = {{"NAME", "TYPE", "PRINTERS", "DESCRIPTION"}};
  for (const auto& q : items_of({std::string(queues_body)}, "queues")) {
    std::string printers = names_of(q, "printers");
    rows.push_back({text_of(q, "name"), text_of(q, "type"), printers.empty() ? "-" : printers,
                    text_of(q, "description")});
  }
  return format_table(rows, "(no queues)");
}

std::string queue_details(std::string_view queue_body) {
  auto parsed = parse_json(queue_body);
  if (!parsed || !parsed->is_object()) return printable(queue_body) + "\n";
  const json& q = *parsed;
  std::string printers = names_of(q, "printers");
  std::string out;
  out += "name:            " + text_of(q, "name") + "\n";
  out += "type:            " + text_of(q, "type") + "\n";
  out += "printers:        " + (printers.empty() ? std::string("none") : printers) + "\n";
  out += "location:        " + text_of(q, "location") + "\n";
  out += "info:            " + text_of(q, "info") + "\n";
  out += "authentication:  " + std::string(yes_no(bool_of(q, "authentication"))) + "\n";
  out += "failover:        " + std::string(yes_no(bool_of(q, "failover"))) + "\n";
  out += "origin:          " + text_of(q, "origin") + "\n";
  return tidy_lines(out);
}

}  // namespace quire::quirectl
