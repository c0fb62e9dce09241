// A running site: the whole server, assembled in the order that lets every
// failure be reported before anything is promised to a client.
//
//   1. bind every listener (a taken port fails here, naming the key)
//   2. drop root privileges if configured
//   3. open storage (a data folder in use fails here) and apply the
//      config's printers and queues to it
//   4. spawn printers, registry, queues, readers, listener, supervisor
//   5. start the loop thread: clients are served from here on
//
// stop() reverses it: stop accepting, let in-flight requests finish (up to a
// few seconds), stop the actors, close connections, drain the storage
// writer and close the database.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "config/config.hpp"
#include "protocols/result.hpp"

namespace quire {

class site {
 public:
  /// Starts a site. `on_fatal` runs (on any thread) when the site can no
  /// longer serve and the process should stop.
  static result<std::unique_ptr<site>> start(const config& cfg, std::function<void(const std::string&)> on_fatal);
  ~site();

  /// The bound listeners: ("ipp", "127.0.0.1:8631").
  const std::vector<std::pair<std::string, std::string>>& listeners() const;

  /// Graceful shutdown; idempotent.
  void stop();

  struct impl;

 private:
  explicit site(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

/// Writes the printers and queues the config declares into storage (the
/// file's declarations win; records the API created and the file does not
/// mention stay). Waits until the change is durable.
status apply_config(class store& st, const config& cfg);

}  // namespace quire
