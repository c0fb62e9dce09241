#include "actors/audit_service_adapter.hpp"

#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <random>

#include "storage/keys.hpp"

namespace quire {

namespace {

constexpr int64_t hour_ms = 3600000;
constexpr int64_t day_ms = 86400000;

class store_audit_service final : public web::audit_service {
 public:
  store_audit_service(caf::actor_system& sys, store& st, uint32_t keep_days, std::function<int64_t()> now_ms)
      : sys_(sys), st_(st), keep_ms_(int64_t(keep_days) * day_ms), now_ms_(std::move(now_ms)) {
    // Entries of one millisecond are told apart by seq; its high half is
    // random per run, so a restart within the same millisecond cannot
    // overwrite an entry.
    seq_ = uint64_t(std::random_device{}()) << 32;
  }

  void record(audit_record entry) override {
    if (entry.time_ms == 0) entry.time_ms = now_ms_();
    write_batch batch;
    batch.put(cf::events, keys::audit(entry.time_ms, seq_.fetch_add(1)), encode_record(entry));
    int64_t last = last_purge_.load();
    if (keep_ms_ > 0 && entry.time_ms - last >= hour_ms && last_purge_.compare_exchange_strong(last, entry.time_ms))
      batch.erase_range(cf::events, keys::audit(0, 0), keys::audit(entry.time_ms - keep_ms_, 0));
    st_.commit(std::move(batch), [](const status& s) {
      if (s) spdlog::warn("audit log: an entry was not stored: {}", s.message);
    });
  }

  void list(const web::principal&, web::audit_query q, web::audit_callback cb) override {
    const store* st = &st_;
    sys_.spawn<caf::detached>([st, q = std::move(q), cb = std::move(cb)]() {
      result<std::vector<audit_record>> r = error{errc::internal, "reading the audit log failed"};
      try {
        r = st->audit_log(q.from_ms, q.to_ms, q.actor, q.limit);
      } catch (const std::exception&) {
      }
      cb(std::move(r));
    });
  }

 private:
  caf::actor_system& sys_;
  store& st_;
  int64_t keep_ms_;
  std::function<int64_t()> now_ms_;
  std::atomic<uint64_t> seq_{0};
  std::atomic<int64_t> last_purge_{0};
};

}  // namespace

std::unique_ptr<web::audit_service> make_audit_service(caf::actor_system& sys, store& st, uint32_t keep_days,
                                                       std::function<int64_t()> now_ms) {
  return std::make_unique<store_audit_service>(sys, st, keep_days, std::move(now_ms));
}

}  // namespace quire
