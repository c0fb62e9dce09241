// The printer commands of quirectl_cli.hpp: printers (list), printers show
// and printers counters; their arguments in, their REST requests out.
#include "web/api_request.hpp"
#include "web/quirectl_cli.hpp"

namespace quire::quirectl {

bool is_printer_action(action what) noexcept {
  return what == action::printers_list || what == action::printers_show || what == action::printers_counters;
}

uint32_t max_limit_of(action what) noexcept {
  return what == action::printers_counters ? web::counters_max_limit : 1000;
}

status take_printer_words(invocation& inv, const std::vector<std::string>& words) {
  auto usage = [](std::string message) { return error(errc::invalid_argument, std::move(message)); };
  size_t want = inv.what == action::printers_list ? 0 : 1;
  if (words.size() < want) return usage("this command needs a printer NAME");
  if (want == 1) {
    if (!web::valid_printer_name(words[0])) return usage("the printer NAME must be 1 to 64 of A-Z a-z 0-9 _ . -");
    inv.name = words[0];
  }
  if (words.size() > want) return usage("unexpected argument '" + words[want] + "'");
  return {};
}

api_request printers_request(const invocation& inv) {
  const std::string printers = std::string(web::api_root).append("/printers");
  // A valid printer name needs no escape; encoding it anyway costs nothing.
  const std::string printer = printers + "/" + web::percent_encode_segment(inv.name);
  switch (inv.what) {
    case action::printers_list: return {"GET", printers, {}};
    case action::printers_show: return {"GET", printer, {}};
    case action::printers_counters:
      return {"GET", printer + "/counters" + (inv.limit ? "?limit=" + std::to_string(*inv.limit) : ""), {}};
    default: return {};
  }
}

}  // namespace quire::quirectl
