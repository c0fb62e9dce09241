// An in-memory job_service for the admin API's tests and fuzz target.
//
// It lists as the store does (storage/store.hpp): active jobs oldest first,
// completed ones newest first, all oldest first; by owner and/or queue. It
// returns records as they were added, pin_hash included unless
// `clear_pins` is set, so that a test can check the JSON never shows it.
// Answers, deferred answers and fail_next as fake_answers.hpp says: every
// call consults fail_next. Who sees what follows job_service.hpp: a user
// sees their own jobs (may_see_job), others' answer no_such_job; a release
// also lets the owner's `delegates` in. Cancel and release change the
// stored job's state as the job's rules would for the plain cases; a
// release with `reprint` takes a job that has ended (and records the flag
// in `releases` and "reprint_job 7 by root" in `calls`).
#pragma once

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "fake_answers.hpp"
#include "web/job_service.hpp"

namespace quire::testing {

class fake_job_service final : public web::job_service, public fake_answers {
 public:
  std::map<uint64_t, job_record> jobs;
  web::money_format money;
  bool clear_pins = false;
  std::vector<std::string> calls;         // "get_job 7 by root"
  std::vector<web::job_list_query> queries;  // what list_jobs was asked
  std::vector<web::job_release> releases;    // what release_job was asked
  std::vector<web::queue_info> queues;       // what list_queues answers
  std::map<std::string, std::vector<std::string>> delegates;  // owner -> who may release

  job_record& add(uint64_t id, const std::string& owner, const std::string& queue, job_state state) {
    job_record j;
    j.id = id;
    j.uuid = "urn:uuid:00000000-0000-4000-8000-" + std::to_string(100000000000 + id);
    j.owner = owner;
    j.queue = queue;
    j.state = state;
    j.name = "job " + std::to_string(id);
    return jobs[id] = std::move(j);
  }

  void get_job(const web::principal& by, uint64_t id, web::job_callback cb) override {
    calls.push_back("get_job " + std::to_string(id) + " by " + by.name);
    answer([this, by, id, cb = std::move(cb)] {
      if (auto e = take_failure()) return cb(*e);
      auto it = jobs.find(id);
      if (it == jobs.end() || !web::may_see_job(by, it->second)) return cb(web::no_such_job(id));
      cb(web::job_view{shown(it->second), money});
    });
  }

  void list_jobs(const web::principal& by, web::job_list_query q, web::job_page_callback cb) override {
    calls.push_back("list_jobs by " + by.name);
    queries.push_back(q);
    answer([this, q, cb = std::move(cb)] {
      if (auto e = take_failure()) return cb(*e);
      std::vector<uint64_t> ids;
      for (const auto& [id, j] : jobs) {
        bool terminal = is_terminal(j.state);
        bool in_set = q.which == web::job_filter::all || (q.which == web::job_filter::completed) == terminal;
        if (in_set && (q.owner.empty() || j.owner == q.owner) && (q.queue.empty() || j.queue == q.queue))
          ids.push_back(id);
      }
      if (q.which == web::job_filter::completed) std::reverse(ids.begin(), ids.end());
      auto slice = web::select_page(ids, q);
      web::job_page page;
      for (uint64_t id : slice.ids) page.jobs.push_back(shown(jobs.at(id)));
      page.more = slice.more;
      page.money = money;
      cb(std::move(page));
    });
  }

  void cancel_job(const web::principal& by, uint64_t id, web::job_callback cb) override {
    calls.push_back("cancel_job " + std::to_string(id) + " by " + by.name);
    answer([this, by, id, cb = std::move(cb)] {
      if (auto e = take_failure()) return cb(*e);
      auto it = jobs.find(id);
      if (it == jobs.end() || !web::may_see_job(by, it->second)) return cb(web::no_such_job(id));
      if (is_terminal(it->second.state) || it->second.state == job_state::delivering)
        return cb(error(errc::not_possible, "job " + std::to_string(id) + " has already ended"));
      it->second.state = job_state::canceled;
      cb(web::job_view{shown(it->second), money});
    });
  }

  void release_job(const web::principal& by, uint64_t id, web::job_release req, web::job_callback cb) override {
    calls.push_back((req.reprint ? "reprint_job " : "release_job ") + std::to_string(id) + " by " + by.name);
    bool reprint = req.reprint;
    releases.push_back(req);
    answer([this, by, id, reprint, cb = std::move(cb)] {
      if (auto e = take_failure()) return cb(*e);
      auto it = jobs.find(id);
      if (it == jobs.end()) return cb(web::no_such_job(id));
      const auto& d = delegates[it->second.owner];
      if (!web::may_see_job(by, it->second) && std::find(d.begin(), d.end(), by.name) == d.end())
        return cb(web::no_such_job(id));
      if (reprint) {
        // A reprint prints a job that has ended, as a new attempt.
        if (!is_terminal(it->second.state))
          return cb(error(errc::not_possible, "job " + std::to_string(id) + " has not ended"));
      } else if (it->second.state != job_state::held) {
        return cb(error(errc::not_possible, "job " + std::to_string(id) + " is not held"));
      }
      it->second.state = job_state::queued;
      it->second.released_by = by.name;
      cb(web::job_view{shown(it->second), money});
    });
  }

  void list_queues(const web::principal& by, web::queue_list_callback cb) override {
    calls.push_back("list_queues by " + by.name);
    answer([this, cb = std::move(cb)] {
      if (auto e = take_failure()) return cb(*e);
      cb(queues);
    });
  }

 private:
  job_record shown(const job_record& j) const {
    job_record out = j;
    if (clear_pins) out.pin_hash.clear();
    return out;
  }
};

}  // namespace quire::testing
