// store_bench: how fast the store lists a user's jobs, from the memtable and
// after a flush. Prints ms per listing of N completed jobs.
//
//   store_bench [N]   (default 10000)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <string>

#include "storage/store.hpp"

using namespace quire;
using clock_type = std::chrono::steady_clock;

namespace {

status commit_sync(store& st, write_batch b) {
  std::promise<status> p;
  auto f = p.get_future();
  st.commit(std::move(b), [&p](const status& s) { p.set_value(s); });
  return f.get();
}

double time_listing(store& st, int repeat, size_t& n) {
  auto t0 = clock_type::now();
  for (int i = 0; i < repeat; ++i) n = st.list_job_ids({"demo", "bench", job_set::completed, 0}).size();
  return std::chrono::duration<double, std::milli>(clock_type::now() - t0).count() / repeat;
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t n = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 10000;
  std::string dir = (std::filesystem::temp_directory_path() / "quire-store-bench").string();
  std::filesystem::remove_all(dir);
  {
    auto st = store::open({dir});
    if (!st.ok()) return std::fprintf(stderr, "%s\n", st.err().describe().c_str()), 1;
    // As a printed job goes: queued, delivering, done.
    for (uint64_t id = 1; id <= n; id += 500) {
      write_batch b;
      for (uint64_t k = id; k < id + 500 && k <= n; ++k) {
        job_record j;
        j.id = k;
        j.owner = "bench";
        j.queue = "demo";
        j.state = job_state::queued;
        j.printer = "demo";
        b.put_job(j, nullptr);
        job_record d = j;
        d.state = job_state::delivering;
        b.put_job(d, &j);
        job_record e = d;
        e.state = job_state::done;
        b.put_job(e, &d);
      }
      commit_sync(**st, std::move(b));
    }
    size_t got = 0;
    double warm = time_listing(**st, 50, got);
    std::printf("memtable: %zu jobs listed in %.3f ms per listing\n", got, warm);
  }
  {
    auto st = store::open({dir});  // reopened: the log is replayed into a memtable again
    size_t got = 0;
    double first = time_listing(**st, 1, got);
    double warm = time_listing(**st, 50, got);
    std::printf("reopened: %zu jobs; first listing %.3f ms, then %.3f ms per listing\n", got, first, warm);
  }
  std::filesystem::remove_all(dir);
  return 0;
}
