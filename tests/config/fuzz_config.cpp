// Fuzz entry point for the configuration loader: any bytes as the --config
// file must give a config or an error, never a crash, a hang or an
// exception. A config that loads must also survive the round trip through
// to_toml() unchanged, so the printer and the loader are fuzzed together.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "config/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  quire::config_sources sources;
  sources.data_dir = "/tmp/quire-fuzz";
  std::string text(reinterpret_cast<const char*>(data), size);
  auto loaded = quire::load_config_text(text, sources);
  if (!loaded) {
    // Errors are one line.
    if (loaded.err().message.find('\n') != std::string::npos) std::abort();
    return 0;
  }
  std::string printed = quire::to_toml(*loaded);
  auto again = quire::load_config_text(printed, sources);
  if (!again || quire::to_toml(*again) != printed) {
    std::fprintf(stderr, "round trip failed for:\n%s\n%s\n", printed.c_str(),
                 again ? "(different config)" : again.err().message.c_str());
    std::abort();
  }
  return 0;
}
