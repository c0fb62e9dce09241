// Small pieces every load generator in bench/ uses: `--key value` options
// and nearest-rank percentiles.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace bench {

/// `--key value` options after the mode word (argv[1]); flags are keys with
/// an empty value.
class options {
 public:
  bool parse(int argc, char** argv, const std::set<std::string>& flags, std::string& err) {
    for (int i = 2; i < argc; ++i) {
      std::string k = argv[i];
      if (k.rfind("--", 0) != 0) return (err = "unexpected argument " + k, false);
      k = k.substr(2);
      if (flags.count(k)) {
        v_[k] = "";
      } else if (i + 1 < argc) {
        v_[k] = argv[++i];
      } else {
        return (err = "--" + k + " needs a value", false);
      }
    }
    return true;
  }
  /// True (and `err`) when an option outside `known` was given.
  bool unknown(const std::set<std::string>& known, std::string& err) const {
    for (const auto& [k, v] : v_)
      if (!known.count(k)) return (err = "unknown option --" + k, true);
    return false;
  }
  bool has(const std::string& k) const { return v_.count(k) > 0; }
  std::string str(const std::string& k, const std::string& def = "") const {
    auto it = v_.find(k);
    return it == v_.end() ? def : it->second;
  }
  double num(const std::string& k, double def) const {
    auto it = v_.find(k);
    return it == v_.end() ? def : std::atof(it->second.c_str());
  }
  long whole(const std::string& k, long def) const {
    auto it = v_.find(k);
    return it == v_.end() ? def : std::atol(it->second.c_str());
  }

 private:
  std::map<std::string, std::string> v_;
};

/// Nearest-rank percentile (q in 0..1) of an ascending vector; 0 when empty.
inline double percentile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  size_t rank = static_cast<size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  return sorted[std::min(sorted.size() - 1, rank == 0 ? 0 : rank - 1)];
}

}  // namespace bench
