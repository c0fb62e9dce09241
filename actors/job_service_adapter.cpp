#include "actors/job_service_adapter.hpp"

#include <algorithm>
#include <exception>
#include <functional>

namespace quire {

namespace {

job_set to_job_set(web::job_filter f) {
  switch (f) {
    case web::job_filter::active: return job_set::active;
    case web::job_filter::completed: return job_set::completed;
    case web::job_filter::all: return job_set::all;
  }
  return job_set::active;
}

// Every id the listing of `q` holds, in its order, or (on the first page)
// enough of them to fill the page and tell whether more follow. The store
// pages by `limit` only, from the start of a listing: a later page reads
// the listing's ids (index keys, not records) up to its end.
std::vector<uint64_t> listing_ids(const store& st, const web::job_list_query& q) {
  job_listing l;
  l.owner = q.owner;
  l.queue = q.queue;
  l.which = to_job_set(q.which);
  l.limit = q.after == 0 && q.limit < UINT32_MAX ? q.limit + 1 : 0;
  if (!l.owner.empty() || !l.queue.empty()) return st.list_job_ids(l);
  // Every owner and every queue: the store lists by queue (or owner), so
  // merge the queues' listings in the listing's order.
  std::vector<uint64_t> ids;
  for (const auto& queue : st.list_queues()) {
    l.queue = queue.name;
    auto part = st.list_job_ids(l);
    ids.insert(ids.end(), part.begin(), part.end());
  }
  if (l.which == job_set::completed)
    std::sort(ids.begin(), ids.end(), std::greater<>());
  else
    std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

class store_job_service final : public web::job_service {
 public:
  store_job_service(caf::actor_system& sys, const store& st, web::money_format money)
      : sys_(sys), st_(&st), money_(std::move(money)) {}

  void get_job(const web::principal&, uint64_t id, web::job_callback cb) override {
    run<web::job_view>(
        [st = st_, money = money_, id]() -> result<web::job_view> {
          auto job = st->get_job(id);
          if (!job.ok()) return job.err();
          job->pin_hash.clear();
          return web::job_view{std::move(*job), money};
        },
        std::move(cb));
  }

  void list_jobs(const web::principal&, web::job_list_query q, web::job_page_callback cb) override {
    run<web::job_page>(
        [st = st_, money = money_, q = std::move(q)]() -> result<web::job_page> {
          auto slice = web::select_page(listing_ids(*st, q), q);
          web::job_page page;
          // A job the listing named may be gone by now (history purge): skipped.
          page.jobs = st->get_jobs(slice.ids);
          for (auto& job : page.jobs) job.pin_hash.clear();
          page.more = slice.more;
          page.money = money;
          return page;
        },
        std::move(cb));
  }

 private:
  // One detached actor per call: the admin API is not a hot path, and its
  // thread may wait on the disk without holding anyone up. The callback
  // runs once, outside the try: a throw while reading (an allocation) is an
  // internal error, not a second answer.
  template <class T, class Work>
  void run(Work work, std::function<void(result<T>)> cb) {
    sys_.spawn<caf::detached>([work = std::move(work), cb = std::move(cb)]() {
      result<T> r = error{errc::internal, "reading the jobs failed"};
      try {
        r = work();
      } catch (const std::exception&) {
      }
      cb(std::move(r));
    });
  }

  caf::actor_system& sys_;
  const store* st_;
  web::money_format money_;
};

}  // namespace

std::unique_ptr<web::job_service> make_job_service(caf::actor_system& sys, const store& st, web::money_format money) {
  return std::make_unique<store_job_service>(sys, st, std::move(money));
}

}  // namespace quire
