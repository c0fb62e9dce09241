#include "actors/release_service.hpp"

#include <algorithm>

#include "storage/accounts.hpp"
#include "storage/store.hpp"

namespace quire {

namespace {

struct release_state {
  release_service_options opts;
  static inline const char* name = "release_service";
};

using release_self = release_service_actor::stateful_pointer<release_state>;

// The owner, an administrator, or a delegate of the owner.
result<bool> authority(const store& st, const job_record& job, const requester& who) {
  if (who.admin || who.user == job.owner) return false;
  auto delegates = st.delegates_of(job.owner);
  if (std::find(delegates.begin(), delegates.end(), who.user) != delegates.end()) return true;
  return error{errc::permission_denied, "job " + std::to_string(job.id) + " belongs to another user"};
}

// The payer of a project, after checking the releaser may charge it.
result<std::string> project_payer(const release_service_options& o, const std::string& project,
                                  const requester& who) {
  const project_record* p = o.fleet->project(project);
  if (!p) return error{errc::invalid_argument, "there is no project " + project};
  std::vector<std::string> groups;
  if (auto u = o.st->get_user(who.user); u.ok()) groups = u->groups;
  if (!who.admin && !may_charge_project(p->groups, groups))
    return error{errc::permission_denied, "you may not charge project " + project};
  return account_of_project(project);
}

using steady = std::chrono::steady_clock;

void answered(release_self self, steady::time_point since) {
  if (const auto& tell = self->state.opts.on_answered) tell(steady::now() - since);
}

// The job's own actor (through the registry: one per job) does the rest.
void to_job(release_self self, caf::typed_response_promise<job_record> rp, job_command cmd,
            steady::time_point since) {
  self->request(self->state.opts.registry, caf::infinite, command_atom::value, std::move(cmd))
      .then(
          [self, rp, since](job_record& r) mutable {
            answered(self, since);
            rp.deliver(std::move(r));
          },
          [self, rp, since](caf::error& e) mutable {
            answered(self, since);
            rp.deliver(std::move(e));
          });
}

caf::result<job_record> on_release(release_self self, job_command cmd) {
  const auto since = steady::now();
  const auto& o = self->state.opts;
  if (cmd.kind != command_kind::release) return make_caf_error(errc::invalid_argument, "not a release");
  auto job = o.st->get_job(cmd.job_id);
  if (!job.ok()) return make_caf_error(errc::not_found, "there is no job " + std::to_string(cmd.job_id));
  if (!cmd.queue.empty() && cmd.queue != job->queue)
    return make_caf_error(errc::not_found, "job " + std::to_string(cmd.job_id) + " is not in queue " + cmd.queue);
  auto delegated = authority(*o.st, *job, cmd.who);
  if (!delegated.ok()) return make_caf_error(delegated.err());
  cmd.delegated = *delegated;
  cmd.payer.clear();
  if (!cmd.project.empty()) {
    auto payer = project_payer(o, cmd.project, cmd.who);
    if (!payer.ok()) return make_caf_error(payer.err());
    cmd.payer = std::move(*payer);
  }
  const auto* queue = o.fleet->queue(job->queue);
  std::string printer = cmd.printer;
  if (printer.empty() && queue && !queue->record.printers.empty()) printer = queue->record.printers.front();
  auto rp = self->make_response_promise<job_record>();
  const auto* p = o.fleet->printer(printer);
  if (!p) {  // the job's rules say why (no printer, or not one of its queue's)
    to_job(self, rp, std::move(cmd), since);
    return rp;
  }
  cmd.printer = printer;
  self->request(p->actor, caf::infinite, describe_atom::value)
      .then(
          [self, rp, cmd, since](printer_status& s) mutable {
            if (s.state == printer_state::stopped) {
              std::string why = "printer " + cmd.printer + " is out of order";
              if (!s.state_message.empty()) why += ": " + s.state_message;
              rp.deliver(make_caf_error(errc::not_possible, why));
              return;
            }
            to_job(self, rp, std::move(cmd), since);
          },
          [rp](caf::error& e) mutable { rp.deliver(std::move(e)); });
  return rp;
}

}  // namespace

release_service_actor spawn_release_service(caf::actor_system& sys, release_service_options opts) {
  return sys.spawn([opts = std::move(opts)](release_self self) mutable -> release_service_actor::behavior_type {
    self->state.opts = std::move(opts);
    return {[self](release_atom, job_command& cmd) { return on_release(self, std::move(cmd)); },
            [self](fleet_atom, fleet_ptr& fl) { self->state.opts.fleet = std::move(fl); }};
  });
}

}  // namespace quire
