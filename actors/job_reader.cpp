#include "actors/job_reader.hpp"

namespace quire {

namespace {

reader_actor::behavior_type reader_behavior(reader_actor::pointer, const store* st) {
  return {
      [st](list_atom, job_query& q) -> std::vector<job_record> {
        return st->get_jobs(st->list_job_ids({q.queue, q.owner, static_cast<job_set>(q.which), q.limit}));
      },
      [st](ids_atom, job_query& q) -> std::vector<uint64_t> {
        return st->list_job_ids({q.queue, q.owner, static_cast<job_set>(q.which), q.limit});
      },
      [st](fetch_atom, uint64_t id) -> caf::result<job_record> {
        auto rec = st->get_job(id);
        if (!rec.ok()) return make_caf_error(rec.err());
        return std::move(rec.value());
      },
  };
}

}  // namespace

std::vector<reader_actor> spawn_job_readers(caf::actor_system& sys, const store* st, size_t n) {
  std::vector<reader_actor> out;
  for (size_t i = 0; i < n; ++i) out.push_back(sys.spawn<caf::detached>(reader_behavior, st));
  return out;
}

}  // namespace quire
