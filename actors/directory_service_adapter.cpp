#include "actors/directory_service_adapter.hpp"

#include "actors/directory_sync.hpp"

namespace quire {

namespace {

web::directory_report_view view_of(const directory_report& r) {
  web::directory_report_view v;
  v.full = r.full;
  v.started_ms = r.started_ms;
  v.finished_ms = r.finished_ms;
  v.error = r.error;
  v.users_read = r.users_read;
  v.groups_read = r.groups_read;
  v.created = r.created;
  v.updated = r.updated;
  v.unchanged = r.unchanged;
  v.gone = r.gone;
  v.returned = r.returned;
  v.cards_added = r.cards_added;
  v.cards_removed = r.cards_removed;
  v.problem_count = r.problem_count;
  v.problems = r.problems;
  return v;
}

class actor_directory_service final : public web::directory_service {
 public:
  actor_directory_service(caf::actor_system& sys, directory_sync_actor sync, std::string url, std::string base_dn)
      : sys_(sys), sync_(std::move(sync)), url_(std::move(url)), base_dn_(std::move(base_dn)) {}

  void directory_status(web::directory_view_callback cb) override {
    auto sync = sync_;
    sys_.spawn([sync, url = url_, base = base_dn_, cb = std::move(cb)](caf::event_based_actor* self) {
      self->request(sync, std::chrono::seconds(10), status_atom::value)
          .then(
              [cb, url, base](directory_status_ptr& s) {
                web::directory_view v;
                v.url = url;
                v.base_dn = base;
                v.running = s->running;
                v.running_full = s->running_full;
                v.entries_read = s->entries_read;
                v.started_ms = s->started_ms;
                v.last_full_ms = s->last_full_ms;
                v.next_ms = s->next_ms;
                v.watermark = s->watermark;
                if (s->last) v.last = view_of(*s->last);
                if (s->last_full) v.last_full = view_of(*s->last_full);
                cb(std::move(v));
              },
              [cb](caf::error& e) { cb(error{errc::unavailable, message_of(e)}); });
    });
  }

  void start_sync(bool full, web::sync_started_callback cb) override {
    auto sync = sync_;
    sys_.spawn([sync, full, cb = std::move(cb)](caf::event_based_actor* self) {
      self->request(sync, std::chrono::seconds(10), dsync_atom::value, full)
          .then([cb](bool started) { cb(started); },
                [cb](caf::error& e) { cb(error{errc::unavailable, message_of(e)}); });
    });
  }

 private:
  caf::actor_system& sys_;
  directory_sync_actor sync_;
  std::string url_;
  std::string base_dn_;
};

}  // namespace

std::unique_ptr<web::directory_service> make_directory_service(caf::actor_system& sys, directory_sync_actor sync,
                                                                std::string url, std::string base_dn) {
  return std::make_unique<actor_directory_service>(sys, std::move(sync), std::move(url), std::move(base_dn));
}

}  // namespace quire
