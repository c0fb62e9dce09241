#include "actors/job_env.hpp"

#include <chrono>

namespace quire {

namespace {

class store_port final : public job_store {
 public:
  explicit store_port(store& st) : st_(st) {}
  void commit(write_batch batch, std::function<void(const status&)> done) override {
    st_.commit(std::move(batch), std::move(done));
  }
  result<job_record> get_job(uint64_t id) const override { return st_.get_job(id); }
  result<document> get_document(const job_record& job) const override { return st_.get_document(job); }
  std::vector<uint64_t> expired_held_jobs(int64_t now_ms, uint32_t limit) const override {
    return st_.expired_held_jobs(now_ms, limit);
  }
  std::vector<uint64_t> all_queued_jobs() const override { return st_.all_queued_jobs(); }
  std::string converted_folder(uint64_t id) const override { return st_.spool_folder().converted_folder(id); }
  std::vector<uint64_t> jobs_to_analyse(uint64_t after, uint32_t limit) const override {
    return st_.jobs_to_analyse(after, limit);
  }
  std::vector<uint64_t> oldest_finished_jobs(const std::string& queue, uint32_t limit) const override {
    return st_.terminal_jobs(queue, limit);
  }
  std::vector<std::string> queues_with_jobs() const override { return st_.queues_with_jobs(); }
  store::usage active_usage(const std::string& owner, uint64_t limit) const override {
    return st_.active_usage(owner, limit);
  }
  uint64_t count_active_jobs(const std::string& queue) const override {
    return st_.count_jobs(queue, job_set::active);
  }

 private:
  store& st_;
};

}  // namespace

std::unique_ptr<job_store> make_job_store(store& st) { return std::make_unique<store_port>(st); }

int64_t wall_clock_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace quire
