#include "actors/job.hpp"

#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <deque>
#include <optional>
#include <unordered_map>

#include "actors/job_rules.hpp"

namespace quire {

namespace {

struct job_state_data {
  job_env_ptr env;
  registry_actor registry;
  job_record job;       // the newest version, committed or on its way
  bool exists = false;  // the job's first commit has landed
  bool parking = false; // a park request is out
  uint64_t next_seq = 1;
  std::unordered_map<uint64_t, std::function<void(const error&)>> pending;  // commit seq -> then
  std::deque<std::function<void()>> waiting;  // commands that arrived before the job existed
  // Conversions in flight, by variant (job_rules.hpp conversion), and who
  // waits for each: a second ask joins the first rather than converting twice.
  using converted_fn = std::function<void(jobproc::convert_reply&, const std::string& path)>;
  std::unordered_map<std::string, std::vector<converted_fn>> converting;
  uint64_t next_part = 1;
  // Deliveries waiting for the document's analysis (so a job is priced, and
  // PostScript normalised, before it prints); run when it lands or times out.
  std::vector<std::function<void()>> after_analysis;
  // A release waiting for its account's reservation: commands that arrive
  // meanwhile wait too (a second release then finds the job queued).
  bool releasing = false;
  static inline const char* name = "job";
};

using job_self = job_actor::stateful_pointer<job_state_data>;

job_context context_of(job_self self) {
  const auto& st = self->state;
  job_context ctx;
  ctx.now_ms = st.env->now_ms();
  ctx.held_expiry_ms = st.env->held_expiry_ms;
  ctx.history_ms = st.env->history_ms;
  ctx.reprint_ms = st.env->reprint_ms;
  ctx.receiving_timeout_ms = st.env->receiving_timeout_ms;
  ctx.pin_matches = st.env->pin_matches;
  ctx.prices = st.env->prices.get();
  if (const auto* q = st.env->printers_and_queues->queue(st.job.queue)) {
    ctx.release_printers = q->record.printers;
    ctx.failover = q->record.failover;
  }
  return ctx;
}

// "pages 12, colour 3, price 0.60 EUR" (a range while it is an estimate).
std::string analysis_text(const job_env& env, const job_record& j) {
  std::string s = "pages " + std::to_string(j.analysis.pages) + ", colour " + std::to_string(j.analysis.colour_pages);
  const job_price& p = j.price;
  if (p.status == 0) return s;
  s += ", price " + pdl::format_money(p.low, env.minor_digits, p.low == p.high ? env.currency : "");
  if (p.low != p.high) s += " to " + pdl::format_money(p.high, env.minor_digits, env.currency);
  return s;
}

// Announces `types` for the job as it is in `j` on the event bus.
void announce(job_self self, const std::vector<event_type>& types, const job_record& j) {
  const auto& bus = self->state.env->events;
  if (!bus) return;
  for (auto t : types) {
    event e;
    e.type = t;
    e.job_id = j.id;
    e.user = j.owner;
    e.queue = j.queue;
    e.printer = j.printer;
    e.job_state = static_cast<uint8_t>(j.state);
    e.job_name = j.name;
    e.text = t == event_type::job_analysed ? analysis_text(*self->state.env, j) : j.state_message;
    self->send(bus, publish_atom::value, std::move(e));
  }
}

// The account side of a durable change: a job that leaves its printer's
// queue printed is charged (settle); one that leaves it otherwise (failed,
// canceled, held again) gets its reservation back. Both are keyed by (job,
// release number): sent twice, or again by the reconciliation after a
// crash, they change nothing the second time.
void account_effects(job_self self, job_state before, const job_record& after) {
  const auto& accounts = self->state.env->accounts;
  bool was_out = before == job_state::queued || before == job_state::delivering;
  if (!accounts || !was_out || after.state == job_state::queued || after.state == job_state::delivering) return;
  std::string payer = after.payer.empty() ? after.owner : after.payer;
  if (after.state != job_state::done) {
    if (after.release_no > 0) self->send(accounts, unreserve_atom::value, payer, after.id, after.release_no);
    return;
  }
  self->send(accounts, settle_atom::value, charge_settle{std::move(payer), settle_of(after)});
}

// Hands `batch` to the storage writer; `then` runs on the actor once the
// batch is durable (or failed). `before` is the version the batch replaces
// (null: a new job): once durable, the change is announced.
void submit(job_self self, write_batch batch, const job_record* before, std::function<void(const error&)> then) {
  auto& st = self->state;
  uint64_t seq = st.next_seq++;
  if (before && before->state != st.job.state) {
    then = [self, from = before->state, after = st.job, then = std::move(then)](const error& e) {
      if (!e) account_effects(self, from, after);
      then(e);
    };
  }
  auto types = events_of(before, st.job);
  if (!types.empty()) {
    then = [self, types = std::move(types), after = st.job, then = std::move(then)](const error& e) {
      if (!e) announce(self, types, after);
      then(e);
    };
  }
  st.pending.emplace(seq, std::move(then));
  auto me = caf::actor_cast<job_actor>(self);
  st.env->storage->commit(std::move(batch), [me, seq](const status& s) {
    caf::anon_send(me, committed_atom::value, seq, s);
  });
}

// Submits the change from the current version to `t.next`; `then` runs
// once it is durable (or failed).
void commit(job_self self, const transition& t, std::function<void(const error&)> then) {
  auto& st = self->state;
  write_batch batch;
  batch.put_job(t.next, &st.job);
  if (t.drop_document) batch.erase_document(st.job);
  job_record before = std::move(st.job);
  st.job = t.next;
  submit(self, std::move(batch), &before, std::move(then));
}

void enqueue_at_printer(job_self self);

// A job at rest, with nothing in flight, asks to be parked.
void settle(job_self self) {
  auto& st = self->state;
  if (!st.exists || st.parking || st.releasing || !st.pending.empty() || !st.converting.empty() ||
      !st.after_analysis.empty())
    return;
  if (st.job.state == job_state::queued || st.job.state == job_state::delivering) return;
  st.parking = true;
  self->request(st.registry, caf::infinite, park_atom::value, st.job.id, st.job.state)
      .then(
          [self](bool stop) {
            self->state.parking = false;
            if (stop) self->quit();
          },
          [self](caf::error&) { self->quit(); });
}

// After a change lands: a queued job goes to its printer, a resting one parks.
void after_change(job_self self) {
  if (self->state.job.state == job_state::queued)
    enqueue_at_printer(self);
  else
    settle(self);
}

// A job processor's answer (through the registry): stored on the job, and a
// broken or hostile document fails it; then the job rests again.
void convert_ahead(job_self self);

void run_after_analysis(job_self self) {
  auto waiters = std::move(self->state.after_analysis);
  self->state.after_analysis.clear();
  for (auto& w : waiters) w();
}

void on_analysed(job_self self, const jobproc::analyse_reply& reply, caf::typed_response_promise<job_record> rp) {
  auto& st = self->state;
  auto t = apply_analysis(st.job, reply, context_of(self));
  if (!t.ok()) {
    rp.deliver(make_caf_error(t.err()));
    settle(self);
    return;
  }
  if (!reply.ok) spdlog::info("job {}: analysis: {}", st.job.id, reply.reason);
  // Not answer_then_move_on: the analysis moves a job nowhere (a queued one
  // is at its printer already); it only rests again.
  commit(self, *t, [self, rp](const error& e) mutable {
    if (e) {
      rp.deliver(make_caf_error(e));
    } else {
      rp.deliver(self->state.job);
      convert_ahead(self);
    }
    run_after_analysis(self);
    settle(self);
  });
}

void fail_job(job_self self, const std::string& why) {
  job_record next = self->state.job;
  next.state = job_state::failed;
  next.state_message = why;
  next.completed_ms = self->state.env->now_ms();
  next.document_deleted = true;
  spdlog::warn("job {} failed: {}", next.id, why);
  commit(self, transition{next, true, {}}, [self](const error&) { settle(self); });
}

void enqueue_at_printer(job_self self) {
  auto& st = self->state;
  const auto* p = st.env->printers_and_queues->printer(st.job.printer);
  if (!p) {
    fail_job(self, "printer " + st.job.printer + " no longer exists");
    return;
  }
  self->send(p->actor, enqueue_atom::value, st.job.id, caf::actor_cast<job_actor>(self));
}

// Runs `fn` now, or once the job's creation (or a release waiting for its
// reservation) has landed.
template <class F>
void when_exists(job_self self, F fn) {
  if (self->state.exists && !self->state.releasing)
    fn();
  else
    self->state.waiting.emplace_back(std::move(fn));
}

void run_waiting(job_self self) {
  auto& s = self->state;
  while (!s.waiting.empty() && s.exists && !s.releasing) {
    auto fn = std::move(s.waiting.front());
    s.waiting.pop_front();
    fn();
  }
}

caf::result<job_record> on_create(job_self self, new_job& nj) {
  auto& st = self->state;
  st.job = std::move(nj.record);
  if (!nj.pin_material.empty()) {
    if (!st.env->pin_hash) {
      self->quit();
      return make_caf_error(errc::internal, "this server cannot keep job PINs");
    }
    st.job.pin_hash = st.env->pin_hash(st.job.id, nj.pin_encryption, nj.pin_material);
    std::fill(nj.pin_material.begin(), nj.pin_material.end(), '\0');
  }
  write_batch batch;
  batch.put_job(st.job, nullptr);
  if (!nj.upload_path.empty())
    batch.adopt_upload(std::move(nj.upload_path), st.job.id);
  else if (!nj.awaiting_document)
    batch.put_document(st.job.id, std::move(nj.inline_document));
  auto rp = self->make_response_promise<job_record>();
  submit(self, std::move(batch), nullptr, [self, rp](const error& e) mutable {
    auto& s = self->state;
    if (e) {
      spdlog::error("job {} could not be stored: {}", s.job.id, e.describe());
      rp.deliver(make_caf_error(e));
      self->quit();
      return;
    }
    s.exists = true;
    rp.deliver(s.job);
    after_change(self);
    run_waiting(self);
  });
  return rp;
}

// Erases a finished job whose history period is over, then parks for good.
void forget(job_self self, caf::typed_response_promise<job_record> rp) {
  auto& st = self->state;
  if (auto e = may_forget(st.job, context_of(self))) {
    rp.deliver(make_caf_error(e));
    settle(self);
    return;
  }
  write_batch batch;
  batch.erase_job(st.job);
  submit(self, std::move(batch), &self->state.job, [self, rp](const error& e) mutable {
    if (e) {
      rp.deliver(make_caf_error(e));
      return;
    }
    announce(self, {event_type::job_forgotten}, self->state.job);
    rp.deliver(self->state.job);
  });
}

// What follows a change a client asked for: answer with the new version
// once it is durable, then move on (to the printer, or park).
std::function<void(const error&)> answer_then_move_on(job_self self, caf::typed_response_promise<job_record> rp) {
  return [self, rp](const error& e) mutable {
    if (e) {
      rp.deliver(make_caf_error(e));
      self->quit();  // the stored version is unknown now; the registry reloads it
      return;
    }
    rp.deliver(self->state.job);
    after_change(self);
  };
}

// A release holds the job's price on the payer's account first (credit and
// quota are the account's to check, one charge at a time), then commits the
// job queued. Should that commit fail, the reservation goes back.
void reserve_then_release(job_self self, transition t, caf::typed_response_promise<job_record> rp) {
  auto& st = self->state;
  const job_record& next = t.next;
  st.releasing = true;
  self->request(st.env->accounts, caf::infinite, reserve_atom::value, charge_hold{next.payer, reservation_of(next)})
      .then(
          [self, t = std::move(t), rp](account_view&) mutable {
            self->state.releasing = false;
            std::string payer = t.next.payer;
            uint32_t release_no = t.next.release_no;
            auto answer = answer_then_move_on(self, rp);
            commit(self, t, [self, answer, payer, release_no](const error& e) mutable {
              if (e)
                self->send(self->state.env->accounts, unreserve_atom::value, payer, self->state.job.id, release_no);
              answer(e);
            });
            run_waiting(self);
          },
          [self, rp](caf::error& e) mutable {
            self->state.releasing = false;
            rp.deliver(std::move(e));
            run_waiting(self);
            settle(self);
          });
}

void run_command(job_self self, const job_command& cmd, caf::typed_response_promise<job_record> rp) {
  auto& st = self->state;
  if (!cmd.queue.empty() && cmd.queue != st.job.queue) {
    rp.deliver(make_caf_error(errc::not_found, "job " + std::to_string(cmd.job_id) + " is not in queue " + cmd.queue));
    settle(self);
    return;
  }
  if (cmd.kind == command_kind::forget) {
    forget(self, rp);
    return;
  }
  auto t = apply_command(st.job, cmd, context_of(self));
  if (!t.ok()) {
    rp.deliver(make_caf_error(t.err()));
    settle(self);
    return;
  }
  if (t->refusal) {
    // A wrong PIN: the count is durable before the client hears "no", so a
    // crash (or a kill provoked on purpose) gives no fresh attempts.
    auto refusal = t->refusal;
    commit(self, *t, [self, rp, refusal](const error& e) mutable {
      rp.deliver(make_caf_error(e ? e : refusal));
      settle(self);
    });
    return;
  }
  if (t->next.state == st.job.state && t->next.printer == st.job.printer &&
      t->next.pin_wrong == st.job.pin_wrong) {  // nothing changes
    rp.deliver(st.job);
    settle(self);
    return;
  }
  if (cmd.kind == command_kind::release && st.env->accounts) {
    reserve_then_release(self, std::move(*t), rp);
    return;
  }
  commit(self, *t, answer_then_move_on(self, rp));
}

// Send-Document / Close-Job: the document lands in the same batch as the
// job's next version, so a job never moves on without it.
void run_document(job_self self, job_document& doc, caf::typed_response_promise<job_record> rp) {
  auto& st = self->state;
  if (!doc.queue.empty() && doc.queue != st.job.queue) {
    rp.deliver(make_caf_error(errc::not_found, "job " + std::to_string(doc.job_id) + " is not in queue " + doc.queue));
    settle(self);
    return;
  }
  auto t = add_document(st.job, doc, context_of(self));
  if (!t.ok()) {
    rp.deliver(make_caf_error(t.err()));
    settle(self);
    return;
  }
  write_batch batch;
  batch.put_job(t->next, &st.job);
  if (doc.has_document && t->next.state != job_state::failed) {
    if (!doc.upload_path.empty())
      batch.adopt_upload(std::move(doc.upload_path), st.job.id);
    else
      batch.put_document(st.job.id, std::move(doc.inline_document));
  }
  job_record before = std::move(st.job);
  st.job = t->next;
  submit(self, std::move(batch), &before, answer_then_move_on(self, rp));
}

// The printer's delivery failed before it began (the document could not be
// made into the printer's language): the job fails, the printer skips it.
void fail_delivery(job_self self, const std::string& why) {
  auto t = finish_delivery(self->state.job, delivery_outcome{self->state.job.id, false, why}, context_of(self));
  if (!t.ok()) return;
  spdlog::warn("job {} failed on {}: {}", t->next.id, t->next.printer, why);
  commit(self, *t, [self](const error&) { settle(self); });
}

// What delivery starts from: the document as it came, or, for PostScript
// normalised at analysis, the PDF that was counted (so what prints is what
// was charged). Should that PDF be gone, the original goes, with a warning.
struct sendable : document {
  std::string format;
};

// spool/converted/<id>/<name>: the job's conversions and normalised PDF.
std::string converted_file(job_self self, const std::string& name) {
  return self->state.env->storage->converted_folder(self->state.job.id) + "/" + name;
}

result<sendable> document_to_send(job_self self) {
  auto& st = self->state;
  sendable out;
  if (st.job.analysis.normalised) {
    std::string pdf = converted_file(self, normalised_name);
    struct ::stat sb{};
    if (::stat(pdf.c_str(), &sb) == 0) {
      out.in_file = true;
      out.path = std::move(pdf);
      out.format = "application/pdf";
      return out;
    }
    spdlog::warn("job {}: its normalised PDF is gone; the PostScript it came as is sent", st.job.id);
  }
  auto doc = st.env->storage->get_document(st.job);
  if (!doc.ok()) return doc.err();
  static_cast<document&>(out) = std::move(*doc);
  out.format = st.job.document_format;
  return out;
}

// Answers everyone waiting for `variant`.
void conversion_done(job_self self, const std::string& variant, jobproc::convert_reply& r, const std::string& path) {
  auto& st = self->state;
  auto it = st.converting.find(variant);
  if (it == st.converting.end()) return;
  auto waiters = std::move(it->second);
  st.converting.erase(it);
  for (auto& w : waiters) w(r, path);
  settle(self);
}

// Has a job processor convert the job's document (`path` or `bytes`) as
// `plan` says, into spool/converted/<id>/<variant>: written under a name of
// its own and renamed when complete, so a file under the variant's name is
// always whole. `then` gets the reply and that path.
void request_conversion(job_self self, conversion plan, std::string path, std::string bytes, bool urgent,
                        job_state_data::converted_fn then) {
  auto& st = self->state;
  auto [it, first] = st.converting.try_emplace(plan.variant);
  it->second.push_back(std::move(then));
  if (!first) return;
  std::string folder = st.env->storage->converted_folder(st.job.id);
  std::string done = converted_file(self, plan.variant);
  auto fail = [self, variant = plan.variant, done](std::string why, errc code) {
    jobproc::convert_reply r;
    r.job_id = self->state.job.id;
    r.reason = std::move(why);
    r.failure = to_string(code);
    conversion_done(self, variant, r, done);
  };
  if (::mkdir(folder.c_str(), 0700) != 0 && errno != EEXIST) return fail("cannot create " + folder, errc::io_error);
  std::string part = done + ".part" + std::to_string(st.next_part++);
  auto req = std::move(plan.req);
  req.job_id = st.job.id;
  req.path = std::move(path);
  req.document = std::move(bytes);
  req.output_path = part;
  req.timeout_ms = st.env->convert_timeout_ms;
  self->request(st.env->processors, caf::infinite, convert_atom::value, std::move(req), urgent)
      .then(
          [self, variant = plan.variant, done, part](jobproc::convert_reply& r) {
            if (r.ok && !r.passthrough && ::rename(part.c_str(), done.c_str()) != 0) {
              r.ok = false;
              r.reason = "the converted document was lost";
            }
            if (!r.ok) ::unlink(part.c_str());
            conversion_done(self, variant, r, done);
          },
          [fail, part](caf::error& e) {
            ::unlink(part.c_str());
            fail(message_of(e), errc::unavailable);
          });
}

// Whether a file of the variant exists already (made ahead, or by an
// earlier attempt): then it is sent without converting again.
std::string converted_before(job_self self, const conversion& plan) {
  std::string done = converted_file(self, plan.variant);
  struct ::stat sb{};
  return ::stat(done.c_str(), &sb) == 0 && sb.st_size > 0 ? done : std::string();
}

bool mono_only_at(job_self self, const std::string& printer) {
  const auto& prices = self->state.env->prices;
  if (!prices) return false;
  auto it = prices->find(printer);
  return it != prices->end() && it->second.mono_only;
}

// The ticket with the document in the printer's language: converted by a job
// processor (cached per job, language and options beside the spool file, so
// a retry or a reprint converts once), or as it is when the printer takes it.
void convert_for_printer(job_self self, delivery_ticket ticket, caf::typed_response_promise<delivery_ticket> rp,
                         std::string language) {
  auto& st = self->state;
  const auto* printer = st.env->printers_and_queues->printer(st.job.printer);
  if (!printer) return void(rp.deliver(std::move(ticket)));
  // The printer says which language its device takes (its configuration,
  // or what an "auto" device reported); "" from a caller that does not know.
  if (language.empty()) language = printer->record.language;
  auto plan = conversion_for(st.job, language, mono_only_at(self, st.job.printer));
  if (!plan.needed) return void(rp.deliver(std::move(ticket)));
  if (!st.env->processors) {
    spdlog::warn("job {}: printer {} takes {}, but no job processor runs to convert {}; sent as it is", st.job.id,
                 st.job.printer, language, plan.req.source_format);
    return void(rp.deliver(std::move(ticket)));
  }
  if (std::string done = converted_before(self, plan); !done.empty()) {
    ticket.path = std::move(done);
    ticket.bytes.clear();
    ticket.format = plan.req.target_format;
    return void(rp.deliver(std::move(ticket)));
  }
  std::string path = ticket.path, bytes = ticket.bytes;
  request_conversion(self, std::move(plan), std::move(path), std::move(bytes), true,
                     [self, rp, ticket](jobproc::convert_reply& r, const std::string& done) mutable {
                       std::string printer = self->state.job.printer;
                       if (r.ok && !r.passthrough) {
                         spdlog::info("job {}: converted to {} for {} ({} bytes, {} ms)", ticket.job_id, r.format,
                                      printer, r.output_bytes, r.elapsed_us / 1000);
                         ticket.path = done;
                         ticket.bytes.clear();
                         ticket.format = r.format;
                       } else if (!r.ok) {
                         fail_delivery(self, "its document could not be converted for printer " + printer + ": " +
                                                 r.reason);
                         ticket = delivery_ticket{};
                         ticket.job_id = self->state.job.id;
                       }
                       rp.deliver(std::move(ticket));
                     });
}

// Conversion ahead of release: a held job of a pull queue is converted for
// the languages of the queue's printers now, while nobody waits, when that
// is cheap — a vector language (PDF, PostScript, PCL XL) and at most
// ahead_max_pages pages. Raster languages (PWG, URF: large files, seconds
// per page at 600 dpi) are converted at release, for the one printer chosen.
constexpr uint32_t ahead_max_pages = 100;

void convert_ahead(job_self self) {
  auto& st = self->state;
  const job_record& j = st.job;
  if (!st.env->processors || j.state != job_state::held || j.analysis.status != 1 || j.analysis.pages > ahead_max_pages)
    return;
  const auto* q = st.env->printers_and_queues->queue(j.queue);
  if (!q || q->record.type != queue_type::pull) return;
  std::optional<sendable> doc;
  for (const auto& name : q->record.printers) {
    const auto* p = st.env->printers_and_queues->printer(name);
    if (!p || is_raster_language(p->record.language) || p->record.language == auto_language) continue;
    auto plan = conversion_for(j, p->record.language, mono_only_at(self, name));
    if (!plan.needed || st.converting.count(plan.variant) || !converted_before(self, plan).empty()) continue;
    if (!doc) {
      auto got = document_to_send(self);
      if (!got.ok()) return;
      doc = std::move(*got);
    }
    request_conversion(self, std::move(plan), doc->in_file ? doc->path : "", doc->in_file ? "" : doc->bytes, false,
                       [id = j.id, name](jobproc::convert_reply& r, const std::string&) {
                         if (!r.ok) spdlog::info("job {}: no conversion ahead for {}: {}", id, name, r.reason);
                       });
  }
}

// The printer may send the job now: its document, in the printer's language.
void start_now(job_self self, caf::typed_response_promise<delivery_ticket> rp, const std::string& language) {
  auto& st = self->state;
  delivery_ticket ticket;
  ticket.job_id = st.job.id;
  auto t = start_delivery(st.job, context_of(self));
  if (!t.ok()) return void(rp.deliver(std::move(ticket)));  // canceled, held or failed meanwhile: skip it
  auto doc = document_to_send(self);
  if (!doc.ok()) {
    fail_job(self, "its document is missing: " + doc.err().message);
    return void(rp.deliver(std::move(ticket)));
  }
  // Delivery starts now; the "delivering" mark only needs to be durable
  // before the outcome, which the writer's ordering guarantees.
  commit(self, *t, [self](const error& e) {
    if (e) spdlog::error("job {}: {}", self->state.job.id, e.describe());
  });
  ticket.go = true;
  ticket.title = st.job.name;
  ticket.user = st.job.owner;
  ticket.host = st.job.origin_host;
  ticket.format = doc->format;
  ticket.copies = st.job.copies;
  if (doc->in_file)
    ticket.path = std::move(doc->path);
  else
    ticket.bytes = std::move(doc->bytes);
  convert_for_printer(self, std::move(ticket), std::move(rp), language);
}

// A job is not sent before its document is analysed (its price known,
// PostScript normalised), unless no processor runs or the analysis takes
// longer than its own time limit and then some: then it goes as it is.
caf::result<delivery_ticket> on_start(job_self self, const std::string& language) {
  auto& st = self->state;
  auto rp = self->make_response_promise<delivery_ticket>();
  bool waits = st.env->processors && st.job.analysis.status == 0 && !st.job.document_deleted &&
               st.job.state == job_state::queued;
  if (!waits) {
    start_now(self, rp, language);
    return rp;
  }
  if (st.after_analysis.empty())
    self->delayed_send(self, std::chrono::milliseconds(st.env->analysis_timeout_ms + 15000), tick_atom::value);
  st.after_analysis.push_back([self, rp, language]() mutable { start_now(self, rp, language); });
  return rp;
}

job_actor::behavior_type job_behavior(job_self self, job_env_ptr env, registry_actor registry,
                                      job_record stored, bool exists) {
  self->state.env = std::move(env);
  self->state.registry = std::move(registry);
  self->state.job = std::move(stored);
  self->state.exists = exists;
  return {
      [self](create_atom, new_job& nj) -> caf::result<job_record> { return on_create(self, nj); },
      [self](command_atom, job_command& cmd) -> caf::result<job_record> {
        auto rp = self->make_response_promise<job_record>();
        when_exists(self, [self, cmd, rp]() mutable { run_command(self, cmd, rp); });
        return rp;
      },
      [self](document_atom, job_document& doc) -> caf::result<job_record> {
        auto rp = self->make_response_promise<job_record>();
        when_exists(self, [self, doc = std::move(doc), rp]() mutable { run_document(self, doc, rp); });
        return rp;
      },
      [self](resume_atom) -> caf::result<job_record> {
        auto& st = self->state;
        auto t = resume_after_restart(st.job, context_of(self));
        if (!t.ok()) return make_caf_error(t.err());
        if (t->next.state != st.job.state)
          commit(self, *t, [](const error&) {});  // ordered before anything that follows
        enqueue_at_printer(self);
        return st.job;
      },
      [self](analysed_atom, jobproc::analyse_reply& reply) -> caf::result<job_record> {
        auto rp = self->make_response_promise<job_record>();
        when_exists(self, [self, reply = std::move(reply), rp]() mutable { on_analysed(self, reply, rp); });
        return rp;
      },
      [self](start_atom, std::string& language) -> caf::result<delivery_ticket> { return on_start(self, language); },
      [self](fleet_atom, job_env_ptr& env) {
        // The fleet changed: a queued job goes to its printer's actor again
        // (a replaced printer has a new one; the same one ignores a second
        // enqueue of a job it holds).
        auto& st = self->state;
        st.env = std::move(env);
        if (st.exists && !st.releasing && st.job.state == job_state::queued) enqueue_at_printer(self);
      },
      [self](tick_atom) {  // the analysis a delivery waits for is late: send without it
        if (self->state.after_analysis.empty()) return;
        spdlog::warn("job {}: no analysis in time; sent without it", self->state.job.id);
        run_after_analysis(self);
        settle(self);
      },
      [self](delivered_atom, delivery_outcome& outcome) {
        if (auto moved = fail_over(self->state.job, outcome, context_of(self)); moved.ok()) {
          spdlog::warn("job {}: {}", moved->next.id, moved->next.state_message);
          commit(self, *moved, [self](const error&) { after_change(self); });
          return;
        }
        auto t = finish_delivery(self->state.job, outcome, context_of(self));
        if (!t.ok()) return;
        if (outcome.ok)
          spdlog::info("job {} printed on {}", t->next.id, t->next.printer);
        else
          spdlog::warn("job {} failed on {}: {}", t->next.id, t->next.printer, t->next.state_message);
        commit(self, *t, [self](const error&) { settle(self); });
      },
      [self](committed_atom, uint64_t seq, error& e) {
        auto it = self->state.pending.find(seq);
        if (it == self->state.pending.end()) return;
        auto then = std::move(it->second);
        self->state.pending.erase(it);
        then(e);
        settle(self);
      },
  };
}

}  // namespace

job_actor spawn_job(caf::actor_system& sys, job_env_ptr env, registry_actor registry, const job_record* stored) {
  if (stored) return sys.spawn<caf::lazy_init>(job_behavior, std::move(env), std::move(registry), *stored, true);
  return sys.spawn<caf::lazy_init>(job_behavior, std::move(env), std::move(registry), job_record{}, false);
}

}  // namespace quire
