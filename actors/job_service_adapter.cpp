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

const char* type_name(queue_type t) {
  switch (t) {
    case queue_type::pull: return "pull";
    case queue_type::direct: return "direct";
    case queue_type::group: return "group";
  }
  return "pull";
}

// The job `id` if `by` may see it (or, for a release, is a delegate of its
// owner); otherwise the same answer as for a job that does not exist.
result<job_record> visible_job(const store& st, const web::principal& by, uint64_t id, bool delegate_too) {
  auto job = st.get_job(id);
  if (!job.ok()) return web::no_such_job(id);
  if (web::may_see_job(by, *job)) return job;
  if (delegate_too) {
    auto delegates = st.delegates_of(job->owner);
    if (std::find(delegates.begin(), delegates.end(), by.name) != delegates.end()) return job;
  }
  return web::no_such_job(id);
}

class store_job_service final : public web::job_service {
 public:
  store_job_service(caf::actor_system& sys, job_service_options opts)
      : sys_(sys), st_(opts.st), money_(std::move(opts.money)), opts_(std::move(opts)) {}

  void get_job(const web::principal& by, uint64_t id, web::job_callback cb) override {
    run<web::job_view>(
        [st = st_, money = money_, by, id]() -> result<web::job_view> {
          auto job = visible_job(*st, by, id, false);
          if (!job.ok()) return job.err();
          job->pin_hash.clear();
          return web::job_view{std::move(*job), money};
        },
        std::move(cb));
  }

  void cancel_job(const web::principal& by, uint64_t id, web::job_callback cb) override {
    job_command cmd;
    cmd.job_id = id;
    cmd.kind = command_kind::cancel;
    cmd.who = requester{by.name, by.admin};
    act(by, id, false, opts_.registry, command_atom::value, std::move(cmd), std::move(cb));
  }

  void release_job(const web::principal& by, uint64_t id, web::job_release req, web::job_callback cb) override {
    job_command cmd;
    cmd.job_id = id;
    cmd.kind = command_kind::release;
    cmd.who = requester{by.name, by.admin};
    cmd.printer = std::move(req.printer);
    cmd.project = std::move(req.project);
    cmd.reprint = req.reprint;
    act(by, id, true, opts_.releases, release_atom::value, std::move(cmd), std::move(cb));
  }

  void list_queues(const web::principal&, web::queue_list_callback cb) override {
    fleet_ptr fl = opts_.fleet ? opts_.fleet->get() : nullptr;
    if (!fl) return cb(error(errc::unavailable, "the queues are not running yet"));
    cb(queue_infos(*fl));
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

  // A cancel or release: the visibility check on the committed record,
  // then the job's own path (registry or release service). The check reads
  // one record, as the release service itself does inside its actor.
  template <class Handle, class Atom>
  void act(const web::principal& by, uint64_t id, bool delegate_too, Handle to, Atom atom, job_command cmd,
           web::job_callback cb) {
    if (!to) return cb(error(errc::unavailable, "jobs cannot be changed yet"));
    sys_.spawn([st = st_, money = money_, by, id, delegate_too, to, atom, cmd = std::move(cmd),
                cb = std::move(cb)](caf::event_based_actor* self) mutable {
      auto job = visible_job(*st, by, id, delegate_too);
      if (!job.ok()) return cb(job.err());
      self->request(to, caf::infinite, atom, std::move(cmd))
          .then(
              [cb, money](job_record& r) {
                r.pin_hash.clear();
                cb(web::job_view{std::move(r), money});
              },
              [cb](caf::error& e) { cb(error(code_of(e), message_of(e))); });
    });
  }

  caf::actor_system& sys_;
  const store* st_;
  web::money_format money_;
  job_service_options opts_;
};

}  // namespace

std::vector<web::queue_info> queue_infos(const fleet& fl) {
  std::vector<web::queue_info> out;
  for (const auto& [name, q] : fl.queues) {  // a std::map: sorted by name
    web::queue_info info;
    info.name = name;
    info.type = type_name(q.record.type);
    info.description = q.record.info;
    for (const auto& p : q.record.printers)
      if (fl.printer(p)) info.printers.push_back(p);
    out.push_back(std::move(info));
  }
  return out;
}

std::unique_ptr<web::job_service> make_job_service(caf::actor_system& sys, job_service_options opts) {
  return std::make_unique<store_job_service>(sys, std::move(opts));
}

}  // namespace quire
