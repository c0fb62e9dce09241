// jobs_fill: writes a large finished-job history into a data folder, as
// quired would have left it, for benchmarks that need one (rest_jobs_bench.py:
// a user's job list among 1,000,000 stored jobs).
//
//   jobs_fill DATA_DIR JOBS USERS QUEUE
//
// Job k (1..JOBS) belongs to user "u<k mod USERS>", is done on printer
// "bench", printed one page, finished one second after the previous one
// and now at the latest (so the history purge keeps it). The next job id is
// recorded, so quired never reuses one. Prints the time it took.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <string>

#include "storage/store.hpp"

using namespace quire;

namespace {

status commit_sync(store& st, write_batch b) {
  std::promise<status> p;
  auto f = p.get_future();
  st.commit(std::move(b), [&p](const status& s) { p.set_value(s); });
  return f.get();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) return std::fprintf(stderr, "usage: jobs_fill DATA_DIR JOBS USERS QUEUE\n"), 2;
  std::string dir = argv[1];
  uint64_t jobs = std::strtoull(argv[2], nullptr, 10);
  uint64_t users = std::strtoull(argv[3], nullptr, 10);
  std::string queue = argv[4];
  if (jobs == 0 || users == 0) return std::fprintf(stderr, "JOBS and USERS must be positive\n"), 2;
  auto t0 = std::chrono::steady_clock::now();
  auto st = store::open({dir});
  if (!st.ok()) return std::fprintf(stderr, "%s\n", st.err().describe().c_str()), 1;
  uint64_t first = (*st)->next_job_id();
  int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  constexpr uint64_t per_batch = 5000;
  for (uint64_t k = 0; k < jobs; k += per_batch) {
    write_batch b;
    for (uint64_t i = k; i < k + per_batch && i < jobs; ++i) {
      job_record j;
      j.id = first + i;
      // (append, not "literal" + std::string: GCC 12's false -Wrestrict)
      j.uuid.append("urn:uuid:00000000-0000-4000-8000-").append(std::to_string(100000000000 + j.id));
      j.queue = queue;
      j.owner.append("u").append(std::to_string(i % users));
      j.name.append("report-").append(std::to_string(i)).append(".pdf");
      j.document_format = "application/pdf";
      j.document_size = 48000;
      j.document_deleted = true;
      j.state = job_state::done;
      j.printer = "bench";
      j.impressions = 1;
      j.completed_ms = now_ms - static_cast<int64_t>(jobs - i) * 1000;
      j.created_ms = j.completed_ms - 60000;
      j.processing_ms = j.completed_ms - 2000;
      b.put_job(j, nullptr);
    }
    if (k + per_batch >= jobs) put_next_job_id(b, first + jobs);
    if (auto s = commit_sync(**st, std::move(b))) return std::fprintf(stderr, "%s\n", s.describe().c_str()), 1;
  }
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("jobs_fill: %llu jobs of %llu users in %s, ids %llu..%llu, %.1f s\n",
              static_cast<unsigned long long>(jobs), static_cast<unsigned long long>(users), queue.c_str(),
              static_cast<unsigned long long>(first), static_cast<unsigned long long>(first + jobs - 1), s);
  return 0;
}
