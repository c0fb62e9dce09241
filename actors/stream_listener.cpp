#include "actors/stream_listener.hpp"

#include <spdlog/spdlog.h>

#include "actors/lpd/stream_rules.hpp"
#include "storage/store.hpp"

namespace quire {

namespace {

struct stream_listener_state {
  stream_listener_config cfg;
  size_t next_reader = 0;
  static inline const char* name = "stream_listener";
};

using self_ptr = caf::stateful_actor<stream_listener_state>*;

// The documents of one stream job on their way into the queue.
struct submission {
  stream_job_ptr job;
  stream_identity who;
  std::vector<uint64_t> accepted;  // job ids
  size_t answered = 0;
  error first_error;
};
using submission_ptr = std::shared_ptr<submission>;

bool known_user(const store* users, const std::string& name) {
  if (!users) return false;
  auto u = users->get_user(name);
  return u.ok() && !user_disabled(*u);
}

// Every document answered: report, and take back what was accepted if the
// job as a whole failed.
void finish(self_ptr self, const submission_ptr& sub) {
  const stream_job& job = *sub->job;
  if (!sub->first_error) {
    std::string ids;
    for (uint64_t id : sub->accepted) ids += (ids.empty() ? "" : ", ") + std::to_string(id);
    spdlog::debug("{}: {}: job {} for '{}' (user from {}) in queue '{}'", job.listener, job.peer_host, ids,
                 sub->who.owner, sub->who.owner_source, job.queue);
    job.reply({});
    return;
  }
  spdlog::info("{}: {}: job for '{}' refused: {}", job.listener, job.peer_host, sub->who.owner,
               sub->first_error.message);
  for (uint64_t id : sub->accepted) {
    job_command cmd;
    cmd.job_id = id;
    cmd.kind = command_kind::cancel;
    cmd.who = requester{sub->who.owner, true};
    self->request(self->state.cfg.registry, caf::infinite, command_atom::value, cmd)
        .then([](job_record&) {}, [id](caf::error& e) {
          spdlog::warn("stream intake: could not cancel job {} of a refused stream job: {}", id, message_of(e));
        });
  }
  job.reply(sub->first_error);
}

void submit(self_ptr self, const stream_job_ptr& job) {
  auto& cfg = self->state.cfg;
  const auto* queue = cfg.printers_and_queues->queue(job->queue);
  if (!queue || job->documents.empty()) {
    job->reply(error{errc::not_found, "there is no queue '" + job->queue + "'"});
    return;
  }
  if (queue->record.auth_required) {
    // LPD and raw carry no credentials: such a queue is for IPP logins only.
    std::string why = "queue '" + job->queue + "' requires a login, which " + job->listener + " cannot carry";
    spdlog::info("{}: {}: job refused: {}", job->listener, job->peer_host, why);
    job->reply(error{errc::permission_denied, why});
    return;
  }
  const store* users = cfg.users;
  auto who = decide_identity(*job, cfg.intake, [users](const std::string& n) { return known_user(users, n); });
  if (!who) {
    spdlog::info("{}: {}: job refused: {}", job->listener, job->peer_host, who.err().message);
    job->reply(who.err());
    return;
  }
  auto sub = std::make_shared<submission>();
  sub->job = job;
  sub->who = std::move(*who);
  for (size_t i = 0; i < job->documents.size(); ++i) {
    new_job nj;
    nj.record = stream_job_record(*job, i, sub->who);
    stream_document& doc = job->documents[i];
    nj.inline_document = std::move(doc.inline_document);
    nj.upload_path = doc.upload_path;
    self->request(queue->actor, caf::infinite, submit_atom::value, std::move(nj))
        .then(
            [self, sub, i](job_record& rec) {
              sub->job->documents[i].upload_path.clear();  // the job owns it now
              sub->accepted.push_back(rec.id);
              if (++sub->answered == sub->job->documents.size()) finish(self, sub);
            },
            [self, sub](caf::error& e) {
              if (!sub->first_error) sub->first_error = error{code_of(e), message_of(e)};
              if (++sub->answered == sub->job->documents.size()) finish(self, sub);
            });
  }
}

void queue_state(self_ptr self, const lpd_request_ptr& req) {
  auto& st = self->state;
  const auto* queue = st.cfg.printers_and_queues->queue(req->cmd.queue);
  if (!queue) {
    req->reply("there is no queue '" + req->cmd.queue + "'\n");
    return;
  }
  job_query q;
  q.queue = queue->record.name;
  q.which = static_cast<uint8_t>(job_set::active);
  q.limit = 1000;
  const auto& reader = st.cfg.readers[st.next_reader++ % st.cfg.readers.size()];
  bool mask = st.cfg.mask_others;
  self->request(queue->actor, caf::infinite, describe_atom::value)
      .then(
          [self, req, q, reader, mask](printer_status& status) {
            bool accepting = status.accepting;
            self->request(reader, caf::infinite, list_atom::value, q)
                .then(
                    [req, accepting, mask](std::vector<job_record>& jobs) {
                      bool long_form = req->cmd.code == lpd::command_code::queue_state_long;
                      req->reply(lpd_queue_state(req->cmd.queue, accepting, long_form, jobs, req->peer_host, mask,
                                                 req->cmd.users, req->cmd.jobs));
                    },
                    [req](caf::error& e) { req->reply("cannot list the queue: " + message_of(e) + "\n"); });
          },
          [req](caf::error& e) { req->reply("cannot list the queue: " + message_of(e) + "\n"); });
}

void remove_jobs(self_ptr self, const lpd_request_ptr& req) {
  auto& st = self->state;
  const auto* queue = st.cfg.printers_and_queues->queue(req->cmd.queue);
  if (!queue) {
    req->reply("");
    return;
  }
  job_query q;
  q.queue = queue->record.name;
  q.owner = req->cmd.agent;
  q.which = static_cast<uint8_t>(job_set::active);
  const auto& reader = st.cfg.readers[st.next_reader++ % st.cfg.readers.size()];
  self->request(reader, caf::infinite, list_atom::value, q)
      .then(
          [self, req](std::vector<job_record>& jobs) {
            for (const auto& j : jobs) {
              if (!lpd_may_remove(j, req->cmd.agent, req->peer_host, req->cmd.users, req->cmd.jobs)) continue;
              job_command cmd;
              cmd.job_id = j.id;
              cmd.kind = command_kind::cancel;
              cmd.who = requester{req->cmd.agent, false};
              cmd.queue = req->cmd.queue;
              uint64_t id = j.id;
              std::string peer = req->peer_host;
              self->request(self->state.cfg.registry, caf::infinite, command_atom::value, cmd)
                  .then([id, peer](job_record&) { spdlog::info("lpd: {}: job {} removed", peer, id); },
                        [id, peer](caf::error& e) {
                          spdlog::info("lpd: {}: job {} not removed: {}", peer, id, message_of(e));
                        });
            }
            req->reply("");
          },
          [req](caf::error&) { req->reply(""); });
}

caf::behavior stream_listener_behavior(caf::stateful_actor<stream_listener_state>* self, stream_listener_config cfg) {
  self->state.cfg = std::move(cfg);
  return {
      [self](stream_job_ptr& job) { submit(self, job); },
      [self](fleet_atom, fleet_ptr& fl) { self->state.cfg.printers_and_queues = std::move(fl); },
      [self](lpd_request_ptr& req) {
        if (req->cmd.code == lpd::command_code::remove_jobs)
          remove_jobs(self, req);
        else
          queue_state(self, req);
      },
  };
}

}  // namespace

caf::actor spawn_stream_listener(caf::actor_system& sys, stream_listener_config cfg) {
  return sys.spawn(stream_listener_behavior, std::move(cfg));
}

}  // namespace quire
