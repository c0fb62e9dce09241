// The directory commands of quirectl_cli.hpp: directory status and
// directory sync [--full] [--wait]; their arguments in, their REST requests
// out (admin_api.hpp, directory_json.hpp), and the wait for a sync to end.
#include <nlohmann/json.hpp>

#include "web/api_request.hpp"
#include "web/quirectl_cli.hpp"
#include "web/quirectl_output.hpp"

namespace quire::quirectl {

bool is_directory_action(action what) noexcept {
  return what == action::directory_status || what == action::directory_sync;
}

status take_directory_words(invocation&, const std::vector<std::string>& words) {
  if (!words.empty()) return error(errc::invalid_argument, "unexpected argument '" + words[0] + "'");
  return {};
}

api_request directory_request(const invocation& inv) {
  std::string path = resource_path("directory", {});
  if (inv.what == action::directory_status) return {"GET", std::move(path), {}};
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  if (inv.full) j["full"] = true;
  return {"POST", path + "/sync", j.dump()};
}

int64_t sync_wait_since(bool full, bool started, int64_t asked_ms) noexcept {
  // An incremental sync asked for while one ran was not started: the one
  // running is the one to wait for, whenever it began.
  return !started && !full ? 0 : asked_ms;
}

result<std::string> wait_for_sync(const std::function<result<std::string>()>& fetch,
                                  const std::function<void()>& pause, int64_t since_ms) {
  for (;;) {
    pause();
    auto body = fetch();
    if (!body.ok()) return body.err();
    switch (sync_wait_state(*body, since_ms)) {
      case sync_wait::pending: continue;
      case sync_wait::done: return std::move(*body);
      case sync_wait::unreadable:
        return error(errc::invalid_argument, "the server's answer to GET /api/v1/directory is not a directory status");
    }
  }
}

}  // namespace quire::quirectl
