#include "devices/driver.hpp"

#include <filesystem>

#include "devices/file_sink.hpp"

namespace quire::devices {

namespace {

bool under(const std::filesystem::path& p, const std::filesystem::path& root) {
  auto pi = p.begin();
  for (auto ri = root.begin(); ri != root.end(); ++ri, ++pi) {
    if (ri->empty()) continue;  // a trailing separator
    if (pi == p.end() || *pi != *ri) return false;
  }
  return true;
}

}  // namespace

result<std::shared_ptr<driver>> make_driver(uv_loop_t* loop, const std::string& uri,
                                            const driver_options& opts) {
  auto colon = uri.find("://");
  if (colon == std::string::npos) return error{errc::invalid_argument, "device URI '" + uri + "' has no scheme"};
  std::string scheme = uri.substr(0, colon);
  if (scheme == "file") {
    std::string path = uri.substr(colon + 3);
    if (path.empty() || path[0] != '/')
      return error{errc::invalid_argument, "file device URI '" + uri + "' must be file:///absolute/path"};
    auto norm = std::filesystem::path(path).lexically_normal();
    auto root = std::filesystem::path(opts.sink_root).lexically_normal();
    if (opts.sink_root.empty() || !under(norm, root) || norm == root)
      return error{errc::permission_denied,
                   "file device " + uri + " is outside the sink folder " + opts.sink_root};
    return std::shared_ptr<driver>(std::make_shared<file_sink>(loop, norm.string()));
  }
  if (scheme == "ipp" || scheme == "ipps" || scheme == "lpd" || scheme == "socket")
    return error{errc::not_possible, "device scheme '" + scheme + "' is not supported by this build yet"};
  return error{errc::invalid_argument, "unknown device scheme '" + scheme + "'"};
}

}  // namespace quire::devices
