// requested-attributes, resolved: which attributes a response should carry.
//
// RFC 8011 §4.2.5.1/§4.2.6.1 and §5.3: a client names attributes or groups of
// them ("all", "job-template", "job-description", "printer-description");
// when it names none, each operation has its own default set.
#pragma once

#include <string>
#include <string_view>
#include <set>
#include <vector>

namespace quire::ipp {

enum class attribute_group : unsigned char {
  job_template,
  job_description,
  printer_description,
  subscription_template,     // RFC 3995 §5.3
  subscription_description,
};

class attribute_filter {
 public:
  /// `requested` as the client sent it; `defaults` apply when it is empty.
  attribute_filter(const std::vector<std::string>& requested, const std::vector<std::string>& defaults);

  /// True when the attribute `name` of `group` belongs in the response.
  bool wants(std::string_view name, attribute_group group) const;
  /// True when the client asked for nothing but these names.
  bool only(const std::vector<std::string_view>& names) const;

 private:
  bool all_ = false;
  bool job_template_ = false;
  bool job_description_ = false;
  bool printer_description_ = false;
  bool subscription_template_ = false;
  bool subscription_description_ = false;
  std::set<std::string, std::less<>> names_;  // heterogeneous: no allocation per lookup
};

}  // namespace quire::ipp
