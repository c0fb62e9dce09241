#include <doctest/doctest.h>

#include "actors/job_rules.hpp"

using namespace quire;

namespace {

job_record held_job() {
  job_record j;
  j.id = 42;
  j.owner = "alice";
  j.queue = "secure";
  j.state = job_state::held;
  j.held_by = hold_reason::pull_queue;
  j.expires_ms = 5000;
  return j;
}

job_context ctx() {
  job_context c;
  c.now_ms = 1000;
  c.held_expiry_ms = 60000;
  c.release_printers = {"lab-1", "lab-2"};
  return c;
}

job_command cmd(command_kind k, std::string user, std::string printer = "") {
  job_command c;
  c.job_id = 42;
  c.kind = k;
  c.who.user = std::move(user);
  c.printer = std::move(printer);
  return c;
}

}  // namespace

TEST_CASE("release: the owner sends a held job to the queue's first printer or a named one") {
  auto t = apply_command(held_job(), cmd(command_kind::release, "alice"), ctx());
  REQUIRE(t.ok());
  CHECK(t->next.state == job_state::queued);
  CHECK(t->next.printer == "lab-1");
  CHECK(t->next.queued_ms == 1000);
  CHECK(t->next.expires_ms == 0);
  CHECK_FALSE(t->drop_document);
  auto named = apply_command(held_job(), cmd(command_kind::release, "alice", "lab-2"), ctx());
  REQUIRE(named.ok());
  CHECK(named->next.printer == "lab-2");
}

TEST_CASE("release is refused to others, to unknown printers, and for jobs not held") {
  CHECK(apply_command(held_job(), cmd(command_kind::release, "mallory"), ctx()).err().code ==
        errc::permission_denied);
  CHECK(apply_command(held_job(), cmd(command_kind::release, "alice", "elsewhere"), ctx()).err().code ==
        errc::not_found);
  auto queued = apply_command(held_job(), cmd(command_kind::release, "alice"), ctx())->next;
  CHECK(apply_command(queued, cmd(command_kind::release, "alice"), ctx()).err().code == errc::not_possible);
  auto no_printers = ctx();
  no_printers.release_printers.clear();
  CHECK(apply_command(held_job(), cmd(command_kind::release, "alice"), no_printers).err().code ==
        errc::not_possible);
}

TEST_CASE("an administrator may act on anyone's job") {
  auto c = cmd(command_kind::release, "root");
  c.who.admin = true;
  CHECK(apply_command(held_job(), c, ctx()).ok());
}

TEST_CASE("cancel: held and queued jobs end canceled and drop their document, printing ones do not") {
  auto t = apply_command(held_job(), cmd(command_kind::cancel, "alice"), ctx());
  REQUIRE(t.ok());
  CHECK(t->next.state == job_state::canceled);
  CHECK(t->drop_document);
  CHECK(t->next.document_deleted);
  CHECK(t->next.completed_ms == 1000);
  auto delivering = held_job();
  delivering.state = job_state::delivering;
  CHECK(apply_command(delivering, cmd(command_kind::cancel, "alice"), ctx()).err().code == errc::not_possible);
  CHECK(apply_command(t->next, cmd(command_kind::cancel, "alice"), ctx()).err().code == errc::not_possible);
}

TEST_CASE("hold: a queued job goes back to held with a new expiry, a held one stays") {
  auto queued = apply_command(held_job(), cmd(command_kind::release, "alice"), ctx())->next;
  auto t = apply_command(queued, cmd(command_kind::hold, "alice"), ctx());
  REQUIRE(t.ok());
  CHECK(t->next.state == job_state::held);
  CHECK(t->next.held_by == hold_reason::operator_);
  CHECK(t->next.expires_ms == 61000);
  CHECK(t->next.printer.empty());
  auto again = apply_command(held_job(), cmd(command_kind::hold, "alice"), ctx());
  REQUIRE(again.ok());
  CHECK(again->next.state == job_state::held);
}

TEST_CASE("expire applies to held jobs only, whoever asks") {
  auto t = apply_command(held_job(), cmd(command_kind::expire, "quire"), ctx());
  REQUIRE(t.ok());
  CHECK(t->next.state == job_state::expired);
  CHECK(t->drop_document);
  auto queued = apply_command(held_job(), cmd(command_kind::release, "alice"), ctx())->next;
  CHECK(apply_command(queued, cmd(command_kind::expire, "quire"), ctx()).err().code == errc::not_possible);
}

TEST_CASE("delivery: queued -> delivering -> done or failed, once") {
  auto queued = apply_command(held_job(), cmd(command_kind::release, "alice"), ctx())->next;
  auto d = start_delivery(queued, ctx());
  REQUIRE(d.ok());
  CHECK(d->next.state == job_state::delivering);
  CHECK(d->next.attempts == 1);
  CHECK(d->next.processing_ms == 1000);
  CHECK(start_delivery(d->next, ctx()).err().code == errc::not_possible);

  auto ok = finish_delivery(d->next, {42, true, "accepted by the LPD server"}, ctx());
  REQUIRE(ok.ok());
  CHECK(ok->next.state == job_state::done);
  CHECK(ok->next.state_message == "accepted by the LPD server");
  CHECK(ok->drop_document);
  auto bad = finish_delivery(d->next, {42, false, "paper jam"}, ctx());
  REQUIRE(bad.ok());
  CHECK(bad->next.state == job_state::failed);
  CHECK(bad->next.state_message == "paper jam");
  CHECK(finish_delivery(queued, {42, true, ""}, ctx()).err().code == errc::not_possible);
  CHECK(start_delivery(held_job(), ctx()).err().code == errc::not_possible);
}

TEST_CASE("finished jobs may be forgotten once their history period is over") {
  auto c = ctx();
  c.history_ms = 500;
  auto done = apply_command(held_job(), cmd(command_kind::cancel, "alice"), c)->next;  // completed at 1000
  CHECK(may_forget(done, c).code == errc::not_possible);  // ended just now
  c.now_ms = 1500;
  CHECK_FALSE(may_forget(done, c));
  c.history_ms = 0;  // keep forever
  CHECK(may_forget(done, c).code == errc::not_possible);
  c.history_ms = 500;
  CHECK(may_forget(held_job(), c).code == errc::not_possible);  // not finished
}

TEST_CASE("after a restart, a job caught delivering is queued again") {
  auto queued = apply_command(held_job(), cmd(command_kind::release, "alice"), ctx())->next;
  auto delivering = start_delivery(queued, ctx())->next;
  auto r = resume_after_restart(delivering, ctx());
  REQUIRE(r.ok());
  CHECK(r->next.state == job_state::queued);
  CHECK_FALSE(r->next.state_message.empty());
  CHECK(resume_after_restart(queued, ctx())->next.state == job_state::queued);
  CHECK(resume_after_restart(held_job(), ctx()).err().code == errc::not_possible);
}

namespace {

job_record receiving_job(hold_reason held_by) {
  job_record j;
  j.id = 42;
  j.owner = "alice";
  j.queue = "secure";
  j.name = "Untitled";
  j.state = job_state::receiving;
  j.held_by = held_by;
  return j;
}

job_document doc_for(std::string user, bool has_document, bool last) {
  job_document d;
  d.job_id = 42;
  d.who.user = std::move(user);
  d.has_document = has_document;
  d.last = last;
  d.name = "thesis.pdf";
  d.format = "application/pdf";
  d.size = 1234;
  return d;
}

}  // namespace

TEST_CASE("Send-Document: the last document moves a Create-Job job on, held or queued") {
  auto held = add_document(receiving_job(hold_reason::pull_queue), doc_for("alice", true, true), ctx());
  REQUIRE(held.ok());
  CHECK(held->next.state == job_state::held);
  CHECK(held->next.expires_ms == 1000 + 60000);
  CHECK(held->next.document_format == "application/pdf");
  CHECK(held->next.document_size == 1234);
  CHECK(held->next.name == "thesis.pdf");  // the job had no name of its own

  auto direct = receiving_job(hold_reason::none);
  direct.name = "Report";
  auto queued = add_document(direct, doc_for("alice", true, true), ctx());
  REQUIRE(queued.ok());
  CHECK(queued->next.state == job_state::queued);
  CHECK(queued->next.queued_ms == 1000);
  CHECK(queued->next.name == "Report");
}

TEST_CASE("Send-Document without last-document waits, Close-Job ends it") {
  auto first = add_document(receiving_job(hold_reason::none), doc_for("alice", true, false), ctx());
  REQUIRE(first.ok());
  CHECK(first->next.state == job_state::receiving);
  CHECK(first->next.document_format == "application/pdf");
  // A second document is refused: one document per job.
  auto second = add_document(first->next, doc_for("alice", true, true), ctx());
  REQUIRE_FALSE(second.ok());
  CHECK(second.err().code == errc::unsupported);
  auto closed = add_document(first->next, doc_for("alice", false, true), ctx());
  REQUIRE(closed.ok());
  CHECK(closed->next.state == job_state::queued);
}

TEST_CASE("a Create-Job job closed without any document fails, others may not touch it") {
  auto empty = add_document(receiving_job(hold_reason::none), doc_for("alice", false, true), ctx());
  REQUIRE(empty.ok());
  CHECK(empty->next.state == job_state::failed);
  CHECK(empty->drop_document);
  auto other = add_document(receiving_job(hold_reason::none), doc_for("mallory", true, true), ctx());
  REQUIRE_FALSE(other.ok());
  CHECK(other.err().code == errc::permission_denied);
  auto late = add_document(held_job(), doc_for("alice", true, true), ctx());
  REQUIRE_FALSE(late.ok());
  CHECK(late.err().code == errc::not_possible);
}

TEST_CASE("a Create-Job job whose document does not come in time fails, each document restarts the wait") {
  auto c = ctx();
  c.receiving_timeout_ms = 300000;
  auto open = add_document(receiving_job(hold_reason::none), doc_for("alice", true, false), c);
  REQUIRE(open.ok());
  CHECK(open->next.expires_ms == 1000 + 300000);
  auto early = apply_command(open->next, cmd(command_kind::expire, "quire"), c);
  CHECK_FALSE(early.ok());  // not yet due
  c.now_ms = 301000;
  auto late = apply_command(open->next, cmd(command_kind::expire, "quire"), c);
  REQUIRE(late.ok());
  CHECK(late->next.state == job_state::failed);
  CHECK(late->drop_document);
}

namespace {

job_record pin_job() {
  auto j = held_job();
  j.pin_hash = "none:stored";
  return j;
}

job_context pin_ctx() {
  auto c = ctx();
  c.pin_limit = 3;
  c.pin_matches = [](const job_record&, const std::string& typed) { return typed == "2468"; };
  return c;
}

job_command release_with(const std::string& pin) {
  auto c = cmd(command_kind::release, "alice");
  c.pin = pin;
  return c;
}

}  // namespace

TEST_CASE("a job-password job is released only with its PIN") {
  auto none = apply_command(pin_job(), release_with(""), pin_ctx());
  REQUIRE_FALSE(none.ok());
  CHECK(none.err().code == errc::permission_denied);
  auto right = apply_command(pin_job(), release_with("2468"), pin_ctx());
  REQUIRE(right.ok());
  CHECK_FALSE(right->refusal);
  CHECK(right->next.state == job_state::queued);
  CHECK(right->next.pin_wrong == 0);
  // Without a way to check PINs, no PIN matches.
  auto blind = apply_command(pin_job(), release_with("2468"), ctx());
  REQUIRE(blind.ok());
  CHECK(blind->refusal);
  CHECK(blind->next.state == job_state::held);
}

TEST_CASE("wrong PINs are counted in the record and lock the job") {
  auto j = pin_job();
  for (uint32_t i = 1; i <= 2; ++i) {
    auto t = apply_command(j, release_with("1111"), pin_ctx());
    REQUIRE(t.ok());
    REQUIRE(t->refusal);
    CHECK(t->refusal.code == errc::permission_denied);
    CHECK(t->next.state == job_state::held);
    CHECK(t->next.pin_wrong == i);
    j = t->next;
  }
  auto third = apply_command(j, release_with("0000"), pin_ctx());
  REQUIRE(third.ok());
  CHECK(third->refusal.code == errc::not_possible);  // now locked
  j = third->next;
  auto locked = apply_command(j, release_with("2468"), pin_ctx());
  REQUIRE_FALSE(locked.ok());
  CHECK(locked.err().code == errc::not_possible);
  // A right PIN before the limit clears the count.
  auto k = pin_job();
  k.pin_wrong = 2;
  auto ok = apply_command(k, release_with("2468"), pin_ctx());
  REQUIRE(ok.ok());
  CHECK(ok->next.pin_wrong == 0);
  CHECK(ok->next.state == job_state::queued);
}

#include "actors/disk_watch.hpp"

TEST_CASE("the disk rule refuses below the limit and accepts again a quarter above it") {
  disk_rule r;
  r.min_free = 1000;
  CHECK_FALSE(r.update(5000));
  CHECK(r.accepting);
  CHECK(r.update(999));
  CHECK_FALSE(r.accepting);
  CHECK_FALSE(r.update(1100));  // above the limit, within the margin: still refusing
  CHECK_FALSE(r.accepting);
  CHECK(r.update(1250));
  CHECK(r.accepting);
  disk_rule off;
  CHECK_FALSE(off.update(0));  // 0: never refuse
  CHECK(off.accepting);
}

#include "actors/queue.hpp"

TEST_CASE("a group sends a job to its least busy printer, a stopped one last, idle ones in turn") {
  auto p = [](uint64_t queued, printer_state s = printer_state::idle) {
    printer_status st;
    st.queued = queued;
    st.state = s;
    return st;
  };
  CHECK(least_busy({p(3), p(1), p(2)}) == 1);
  CHECK(least_busy({p(0, printer_state::stopped), p(5)}) == 1);
  CHECK(least_busy({p(0, printer_state::stopped), p(0, printer_state::stopped)}) == 0);
  CHECK(least_busy({p(0), p(0), p(0)}, 0) == 0);
  CHECK(least_busy({p(0), p(0), p(0)}, 1) == 1);
  CHECK(least_busy({p(0), p(0), p(0)}, 5) == 2);
  CHECK(least_busy({p(1), p(0), p(1)}, 2) == 1);  // busy beats turn
}

TEST_CASE("release: each release is numbered and names who released it and who pays") {
  auto first = apply_command(held_job(), cmd(command_kind::release, "alice"), ctx());
  REQUIRE(first.ok());
  CHECK(first->next.release_no == 1);
  CHECK(first->next.payer == "alice");
  CHECK(first->next.released_by == "alice");
  CHECK(first->next.project.empty());
  auto again = apply_command(first->next, cmd(command_kind::hold, "alice"), ctx());
  REQUIRE(again.ok());
  auto c = cmd(command_kind::release, "alice");
  c.payer = "project:research";
  c.project = "research";
  auto second = apply_command(again->next, c, ctx());
  REQUIRE(second.ok());
  CHECK(second->next.release_no == 2);  // a new reservation and charge key
  CHECK(second->next.payer == "project:research");
  CHECK(second->next.project == "research");
}

TEST_CASE("release: a delegate the release service checked may release, the owner pays") {
  auto c = cmd(command_kind::release, "bob");
  CHECK(apply_command(held_job(), c, ctx()).err().code == errc::permission_denied);
  c.delegated = true;
  auto t = apply_command(held_job(), c, ctx());
  REQUIRE(t.ok());
  CHECK(t->next.payer == "alice");
  CHECK(t->next.released_by == "bob");
  auto cancel = cmd(command_kind::cancel, "bob");
  cancel.delegated = true;  // delegation is for releasing only
  CHECK(apply_command(held_job(), cancel, ctx()).err().code == errc::permission_denied);
}

TEST_CASE("failover: an unreachable printer passes the job to the queue's next one, once per printer") {
  auto queued = apply_command(held_job(), cmd(command_kind::release, "alice", "lab-1"), ctx())->next;
  auto delivering = start_delivery(queued, ctx())->next;
  delivery_outcome down{42, false, "the printer at 10.0.0.9:9100 refused the connection", true};
  auto c = ctx();
  CHECK_FALSE(fail_over(delivering, down, c).ok());  // the queue does not fail over
  c.failover = true;
  auto moved = fail_over(delivering, down, c);
  REQUIRE(moved.ok());
  CHECK(moved->next.state == job_state::queued);
  CHECK(moved->next.printer == "lab-2");
  CHECK(moved->next.state_message.find("sent to lab-2") != std::string::npos);
  CHECK(moved->next.release_no == queued.release_no);  // the same release: one reservation, one charge
  auto again = start_delivery(moved->next, c)->next;
  CHECK_FALSE(fail_over(again, down, c).ok());  // tried on both printers: it fails
  delivery_outcome partial{42, false, "the printer reset the connection", false};
  CHECK_FALSE(fail_over(delivering, partial, c).ok());  // the device took part of it: never twice
}

TEST_CASE("auto language: the device's formats pick what jobs are sent as") {
  CHECK(language_from_formats({"image/urf", "application/pdf", "image/jpeg"}) == "application/pdf");
  CHECK(language_from_formats({"image/urf", "image/pwg-raster"}) == "image/pwg-raster");
  CHECK(language_from_formats({"application/vnd.hp-pclxl", "application/postscript"}) == "application/postscript");
  CHECK(language_from_formats({"application/vnd.hp-pclxl"}) == "application/vnd.hp-pclxl");
  CHECK(language_from_formats({"image/jpeg"}) == "application/octet-stream");
  CHECK(language_from_formats({}) == "application/octet-stream");
}

TEST_CASE("reprint: a printed job keeps its document for reprint_ms, and a release prints it again") {
  auto c = ctx();
  c.reprint_ms = 3600'000;
  auto queued = apply_command(held_job(), cmd(command_kind::release, "alice", "lab-1"), c)->next;
  auto delivering = start_delivery(queued, c)->next;
  auto done = finish_delivery(delivering, delivery_outcome{42, true, "all bytes accepted"}, c);
  REQUIRE(done.ok());
  CHECK(done->next.state == job_state::done);
  CHECK_FALSE(done->drop_document);
  CHECK_FALSE(done->next.document_deleted);
  CHECK(done->next.expires_ms == c.now_ms + c.reprint_ms);
  // A release repeated (a double tap, a second door) does not print it twice.
  CHECK(apply_command(done->next, cmd(command_kind::release, "alice", "lab-2"), c).err().code == errc::not_possible);
  auto reprint = cmd(command_kind::release, "alice", "lab-2");
  reprint.reprint = true;
  auto again = apply_command(done->next, reprint, c);
  REQUIRE(again.ok());
  CHECK(again->next.state == job_state::queued);
  CHECK(again->next.printer == "lab-2");
  CHECK(again->next.release_no == 2);  // charged as a release of its own
  auto other = reprint;
  other.who.user = "bob";
  CHECK(apply_command(done->next, other, c).err().code == errc::permission_denied);
  // The period ends: the document goes, the job stays done, no reprint any more.
  auto later = c;
  later.now_ms = done->next.expires_ms;
  auto expired = apply_command(done->next, cmd(command_kind::expire, "quire"), later);
  REQUIRE(expired.ok());
  CHECK(expired->drop_document);
  CHECK(expired->next.state == job_state::done);
  CHECK(expired->next.document_deleted);
  CHECK(apply_command(expired->next, reprint, later).err().code == errc::not_possible);
  // Without reprint_ms the document goes at once.
  auto plain = finish_delivery(delivering, delivery_outcome{42, true, "ok"}, ctx());
  CHECK(plain->drop_document);
  CHECK(plain->next.document_deleted);
}
