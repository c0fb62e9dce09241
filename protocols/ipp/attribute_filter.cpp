#include "protocols/ipp/attribute_filter.hpp"

#include <algorithm>

namespace quire::ipp {

attribute_filter::attribute_filter(const std::vector<std::string>& requested,
                                   const std::vector<std::string>& defaults) {
  for (const auto& n : requested.empty() ? defaults : requested) {
    if (n == "all")
      all_ = true;
    else if (n == "job-template")
      job_template_ = true;
    else if (n == "job-description")
      job_description_ = true;
    else if (n == "printer-description")
      printer_description_ = true;
    else if (n == "subscription-template")
      subscription_template_ = true;
    else if (n == "subscription-description")
      subscription_description_ = true;
    else
      names_.insert(n);
  }
}

bool attribute_filter::wants(std::string_view name, attribute_group group) const {
  if (all_) return true;
  switch (group) {
    case attribute_group::job_template:
      if (job_template_) return true;
      break;
    case attribute_group::job_description:
      if (job_description_) return true;
      break;
    case attribute_group::printer_description:
      if (printer_description_) return true;
      break;
    case attribute_group::subscription_template:
      if (subscription_template_) return true;
      break;
    case attribute_group::subscription_description:
      if (subscription_description_) return true;
      break;
  }
  return names_.find(name) != names_.end();
}

bool attribute_filter::only(const std::vector<std::string_view>& names) const {
  if (all_ || job_template_ || job_description_ || printer_description_ || subscription_template_ ||
      subscription_description_)
    return false;
  return std::all_of(names_.begin(), names_.end(), [&](const std::string& n) {
    return std::find(names.begin(), names.end(), n) != names.end();
  });
}

}  // namespace quire::ipp
