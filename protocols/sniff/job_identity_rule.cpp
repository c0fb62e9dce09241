// The choice between user and job names from several sources (see
// job_identity.hpp): a pure function of the configured order.
#include "protocols/sniff/job_identity.hpp"

namespace quire::sniff {

const char* to_string(source s) noexcept {
  switch (s) {
    case source::pjl: return "pjl";
    case source::dsc: return "dsc";
    case source::control_file: return "control";
    case source::ipp: return "ipp";
  }
  return "unknown";
}

std::optional<source> parse_source(std::string_view word) noexcept {
  if (word == "pjl") return source::pjl;
  if (word == "dsc") return source::dsc;
  if (word == "control" || word == "control-file") return source::control_file;
  if (word == "ipp") return source::ipp;
  return std::nullopt;
}

result<rule> parse_rule(std::string_view list) {
  rule r;
  r.order.clear();
  size_t at = 0;
  while (at < list.size()) {
    size_t end = list.find_first_of(", \t", at);
    if (end == std::string_view::npos) end = list.size();
    std::string_view word = list.substr(at, end - at);
    at = end + 1;
    if (word.empty()) continue;
    auto s = parse_source(word);
    if (!s)
      return error(errc::invalid_argument, "unknown identity source \"" + std::string(word) +
                                               "\" (expected pjl, dsc, control or ipp)");
    for (source seen : r.order)
      if (seen == *s)
        return error(errc::invalid_argument,
                     "identity source \"" + std::string(word) + "\" is listed twice");
    r.order.push_back(*s);
  }
  if (r.order.empty()) return error(errc::invalid_argument, "empty list of identity sources");
  return r;
}

const std::optional<std::string>& candidates::get(source s) const noexcept {
  switch (s) {
    case source::pjl: return pjl;
    case source::dsc: return dsc;
    case source::control_file: return control_file;
    case source::ipp: return ipp;
  }
  return ipp;
}

std::optional<std::string> choose(const rule& r, const candidates& c) {
  for (source s : r.order)
    if (const auto& v = c.get(s); v && !v->empty()) return *v;
  return std::nullopt;
}

candidates user_candidates(const identity& id) {
  candidates c;
  c.pjl = id.pjl_user;
  c.dsc = id.dsc_for;
  return c;
}

candidates job_name_candidates(const identity& id) {
  candidates c;
  c.pjl = id.pjl_job_name;
  c.dsc = id.dsc_title;
  return c;
}

}  // namespace quire::sniff
