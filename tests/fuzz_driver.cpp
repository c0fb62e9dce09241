// A stand-in for libFuzzer's main, so that every fuzz entry point also runs
// as an ordinary test on a compiler without libFuzzer.
//
// Usage: fuzz_<name> [--mutations N] PATH...
// Each PATH is a file or a folder of seed inputs. Every seed is fed to
// LLVMFuzzerTestOneInput as is, then N deterministic mutations of it
// (truncations, bit flips, byte insertions and deletions, spliced seeds),
// so the ordinary test already explores the neighbourhood of the corpus.
// A crash, a sanitizer report or a hang (ctest's timeout) fails the test.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

using bytes = std::vector<uint8_t>;

bytes read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return bytes(std::istreambuf_iterator<char>(in), {});
}

void run(const bytes& input) {
  // Copy into an exactly-sized buffer so that ASan sees reads past the end.
  auto* buf = static_cast<uint8_t*>(std::malloc(input.size() ? input.size() : 1));
  std::copy(input.begin(), input.end(), buf);
  LLVMFuzzerTestOneInput(buf, input.size());
  std::free(buf);
}

bytes mutate(const bytes& seed, const std::vector<bytes>& all, std::mt19937_64& rng) {
  bytes out = seed;
  auto pick = [&](size_t n) { return n == 0 ? 0 : static_cast<size_t>(rng() % n); };
  int steps = 1 + static_cast<int>(rng() % 4);
  for (int i = 0; i < steps; ++i) {
    switch (rng() % 6) {
      case 0:  // truncate
        out.resize(pick(out.size() + 1));
        break;
      case 1:  // flip a bit
        if (!out.empty()) out[pick(out.size())] ^= static_cast<uint8_t>(1u << (rng() % 8));
        break;
      case 2:  // set a byte to an interesting value
        if (!out.empty()) {
          static const uint8_t interesting[] = {0x00, 0x01, 0x03, 0x7f, 0x80, 0xff, '\r', '\n', ':'};
          out[pick(out.size())] = interesting[rng() % sizeof(interesting)];
        }
        break;
      case 3:  // insert random bytes
        out.insert(out.begin() + static_cast<long>(pick(out.size() + 1)), 1 + rng() % 8,
                   static_cast<uint8_t>(rng()));
        break;
      case 4:  // erase a range
        if (!out.empty()) {
          size_t at = pick(out.size());
          size_t n = std::min<size_t>(out.size() - at, 1 + rng() % 16);
          out.erase(out.begin() + static_cast<long>(at), out.begin() + static_cast<long>(at + n));
        }
        break;
      default: {  // splice with another seed
        const bytes& other = all[pick(all.size())];
        size_t cut = pick(out.size() + 1);
        size_t from = pick(other.size() + 1);
        out.resize(cut);
        out.insert(out.end(), other.begin() + static_cast<long>(from), other.end());
        break;
      }
    }
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  long mutations = 500;
  std::vector<bytes> seeds;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--mutations" && i + 1 < argc) {
      mutations = std::strtol(argv[++i], nullptr, 10);
      continue;
    }
    std::filesystem::path p(arg);
    if (std::filesystem::is_directory(p)) {
      std::vector<std::filesystem::path> files;
      for (auto& e : std::filesystem::directory_iterator(p))
        if (e.is_regular_file()) files.push_back(e.path());
      std::sort(files.begin(), files.end());
      for (auto& f : files) seeds.push_back(read_file(f));
    } else if (std::filesystem::is_regular_file(p)) {
      seeds.push_back(read_file(p));
    } else {
      std::fprintf(stderr, "fuzz driver: no such corpus: %s\n", arg.c_str());
      return 2;
    }
  }
  if (seeds.empty()) {
    std::fprintf(stderr, "fuzz driver: empty corpus\n");
    return 2;
  }
  std::mt19937_64 rng(0x5155495245ull);  // fixed: a failure must reproduce
  long runs = 0;
  for (auto& s : seeds) {
    run(s);
    ++runs;
    for (long m = 0; m < mutations; ++m, ++runs) run(mutate(s, seeds, rng));
  }
  std::printf("fuzz driver: %zu seeds, %ld inputs, no crash\n", seeds.size(), runs);
  return 0;
}
