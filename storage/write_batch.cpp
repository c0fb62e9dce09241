#include "storage/write_batch.hpp"

#include <iterator>
#include <set>

namespace quire {

void write_batch::put(cf family, std::string key, std::string value) {
  ops_.push_back({family, false, std::move(key), std::move(value), {}});
}

void write_batch::erase(cf family, std::string key) {
  ops_.push_back({family, true, std::move(key), {}, {}});
}

void write_batch::erase_range(cf family, std::string begin, std::string end) {
  QUIRE_ASSERT(begin < end, "erase_range: empty or inverted range");
  ops_.push_back({family, true, std::move(begin), {}, std::move(end)});
}

void write_batch::put_user(const user_record& user) {
  QUIRE_ASSERT(!validate_user_name(user.name), "put_user: invalid user name");
  put(cf::users, keys::user(user.name), encode_user(user));
}

void write_batch::erase_user(const std::string& name, const std::vector<credential_ref>& credentials) {
  QUIRE_ASSERT(!validate_user_name(name), "erase_user: invalid user name");
  for (const auto& c : credentials) {
    QUIRE_ASSERT(c.key.size() == 32, "erase_user: a credential key is not an HMAC-SHA256");
    erase(cf::credentials, keys::credential(c.kind, c.key));
  }
  // The record and every back-reference, including any a moved card left.
  erase_range(cf::users, keys::user(name), keys::user_range_end(name));
}

void write_batch::put_credential(credential_kind kind, const std::string& hmac, const std::string& user) {
  QUIRE_ASSERT(hmac.size() == 32, "put_credential: the key is not an HMAC-SHA256");
  QUIRE_ASSERT(kind != credential_kind::terminal, "put_credential: a terminal token is put_terminal's");
  QUIRE_ASSERT(!validate_user_name(user), "put_credential: invalid user name");
  put(cf::credentials, keys::credential(kind, hmac), user);
  put(cf::users, keys::user_credential(user, kind, hmac), {});
}

void write_batch::put_api_token(const std::string& hmac, const api_token_record& t) {
  QUIRE_ASSERT(hmac.size() == 32, "put_api_token: the key is not an HMAC-SHA256");
  QUIRE_ASSERT(!validate_user_name(t.user), "put_api_token: invalid user name");
  put(cf::credentials, keys::credential(credential_kind::api_token, hmac), t.user);
  put(cf::users, keys::user_credential(t.user, credential_kind::api_token, hmac), encode_api_token(t));
}

void write_batch::erase_credential(credential_kind kind, const std::string& hmac, const std::string& user) {
  QUIRE_ASSERT(hmac.size() == 32, "erase_credential: the key is not an HMAC-SHA256");
  QUIRE_ASSERT(kind != credential_kind::terminal, "erase_credential: a terminal token is erase_terminal's");
  QUIRE_ASSERT(!validate_user_name(user), "erase_credential: invalid user name");
  erase(cf::credentials, keys::credential(kind, hmac));
  erase(cf::users, keys::user_credential(user, kind, hmac));
}

namespace {

std::set<uint64_t> held_jobs(const account_record* a) {
  std::set<uint64_t> ids;
  if (a)
    for (const auto& r : a->reservations) ids.insert(r.job_id);
  return ids;
}

}  // namespace

void write_batch::put_account(const account_record& after, const account_record* before) {
  QUIRE_ASSERT(!validate_account_name(after.name), "put_account: invalid account name");
  QUIRE_ASSERT(!before || before->name == after.name, "put_account: before and after differ in name");
  put(cf::accounts, keys::account(after.name), encode_account(after));
  // One index entry per job, even if a job holds two releases' reservations.
  auto was = held_jobs(before);
  auto is = held_jobs(&after);
  for (uint64_t id : was)
    if (!is.count(id)) erase(cf::account_holds, keys::account_hold(after.name, id));
  for (uint64_t id : is)
    if (!was.count(id)) put(cf::account_holds, keys::account_hold(after.name, id), {});
}

void write_batch::put_ledger(const ledger_entry& e) {
  QUIRE_ASSERT(!validate_account_name(e.account), "put_ledger: invalid account name");
  put(cf::ledger, keys::ledger(e.account, e.job_id, e.attempt), encode_ledger_entry(e));
}

void write_batch::put_terminal(const terminal_record& t) {
  QUIRE_ASSERT(!validate_user_name(t.name), "put_terminal: invalid terminal name");
  QUIRE_ASSERT(t.token_key.size() == 32, "put_terminal: the token key is not an HMAC-SHA256");
  put(cf::terminals, keys::terminal(t.name), encode_terminal(t));
  put(cf::credentials, keys::credential(credential_kind::terminal, t.token_key), t.name);
}

void write_batch::erase_terminal(const terminal_record& committed) {
  QUIRE_ASSERT(!validate_user_name(committed.name), "erase_terminal: invalid terminal name");
  QUIRE_ASSERT(committed.token_key.size() == 32, "erase_terminal: the token key is not an HMAC-SHA256");
  erase(cf::terminals, keys::terminal(committed.name));
  erase(cf::credentials, keys::credential(credential_kind::terminal, committed.token_key));
}

void write_batch::set_delegates(const std::string& owner, const std::vector<std::string>& before,
                                const std::vector<std::string>& after) {
  QUIRE_ASSERT(!validate_user_name(owner), "set_delegates: invalid owner name");
  std::set<std::string> was(before.begin(), before.end());
  std::set<std::string> is(after.begin(), after.end());
  for (const auto& d : is) QUIRE_ASSERT(!validate_user_name(d), "set_delegates: invalid delegate name");
  for (const auto& d : was) {
    if (is.count(d)) continue;
    erase(cf::delegates, keys::delegate(owner, d));
    erase(cf::delegates, keys::delegator(d, owner));
  }
  for (const auto& d : is) {
    if (was.count(d)) continue;
    put(cf::delegates, keys::delegate(owner, d), {});
    put(cf::delegates, keys::delegator(d, owner), {});
  }
}

namespace {

// Index entries that exist only in some states.
// Held jobs expire unreleased; jobs of Create-Job whose document never
// comes are given up (multiple-operation-time-out).
// A printed job whose document is kept for a reprint drops it at expiry.
bool in_expiry_index(const job_record& j) {
  bool kept_for_reprint = j.state == job_state::done && !j.document_deleted;
  return (j.state == job_state::held || j.state == job_state::receiving || kept_for_reprint) && j.expires_ms > 0;
}
bool in_printer_index(const job_record& j) {
  return (j.state == job_state::queued || j.state == job_state::delivering) && !j.printer.empty();
}
bool in_analysis_index(const job_record& j) {
  return j.analysis.status == 0 && !j.document_deleted &&
         (j.state == job_state::held || j.state == job_state::queued);
}

}  // namespace

void write_batch::put_job(const job_record& after, const job_record* before) {
  QUIRE_ASSERT(!before || before->id == after.id, "put_job: before and after differ in id");
  QUIRE_ASSERT(!before || before->owner == after.owner, "put_job: a job's owner never changes");
  put(cf::jobs, keys::job(after.id), encode_record(after));

  if (!before || before->state != after.state || before->queue != after.queue ||
      before->document_size != after.document_size) {
    if (before && is_terminal(before->state) != is_terminal(after.state))
      erase(cf::jobs_by_user, keys::user_job(before->owner, before->state, before->id));
    put(cf::jobs_by_user, keys::user_job(after.owner, after.state, after.id),
        keys::user_job_value(after.state, after.queue, after.document_size));
  }

  if (!before || before->state != after.state || before->queue != after.queue) {
    if (before) erase(cf::jobs_by_state, keys::state_job(before->queue, before->state, before->id));
    put(cf::jobs_by_state, keys::state_job(after.queue, after.state, after.id), {});
  }

  bool was = before && in_expiry_index(*before);
  bool is = in_expiry_index(after);
  if (was && (!is || before->expires_ms != after.expires_ms))
    erase(cf::jobs_by_expiry, keys::expiry_job(before->expires_ms, before->id));
  if (is && (!was || before->expires_ms != after.expires_ms))
    put(cf::jobs_by_expiry, keys::expiry_job(after.expires_ms, after.id), {});

  was = before && in_printer_index(*before);
  is = in_printer_index(after);
  bool moved = was && is && (before->printer != after.printer || before->queued_ms != after.queued_ms);
  if (was && (!is || moved))
    erase(cf::jobs_by_printer, keys::printer_job(before->printer, before->queued_ms, before->id));
  if (is && (!was || moved))
    put(cf::jobs_by_printer, keys::printer_job(after.printer, after.queued_ms, after.id), {});

  was = before && in_analysis_index(*before);
  is = in_analysis_index(after);
  if (was && !is) erase(cf::jobs_to_analyse, keys::job(after.id));
  if (is && !was) put(cf::jobs_to_analyse, keys::job(after.id), {});
}

void write_batch::erase_job(const job_record& j) {
  erase(cf::jobs, keys::job(j.id));
  erase(cf::jobs_by_user, keys::user_job(j.owner, j.state, j.id));
  erase(cf::jobs_by_state, keys::state_job(j.queue, j.state, j.id));
  if (in_expiry_index(j)) erase(cf::jobs_by_expiry, keys::expiry_job(j.expires_ms, j.id));
  if (in_printer_index(j)) erase(cf::jobs_by_printer, keys::printer_job(j.printer, j.queued_ms, j.id));
  if (in_analysis_index(j)) erase(cf::jobs_to_analyse, keys::job(j.id));
  if (!j.document_deleted) erase_document(j);
}

void write_batch::put_document(uint64_t job_id, std::string bytes) {
  put(cf::docs, keys::job(job_id), std::move(bytes));
}

void write_batch::erase_document(const job_record& job) {
  // After the commit the spool removes the file and the job's conversions
  // (an inline document may have some too).
  spool_unlinks_.push_back(job.id);
  if (!job.document_in_spool) erase(cf::docs, keys::job(job.id));
}

void write_batch::adopt_upload(std::string upload_path, uint64_t job_id) {
  adoptions_.push_back({std::move(upload_path), job_id});
}

void write_batch::append(write_batch&& other) {
  ops_.insert(ops_.end(), std::make_move_iterator(other.ops_.begin()),
              std::make_move_iterator(other.ops_.end()));
  adoptions_.insert(adoptions_.end(), std::make_move_iterator(other.adoptions_.begin()),
                    std::make_move_iterator(other.adoptions_.end()));
  spool_unlinks_.insert(spool_unlinks_.end(), other.spool_unlinks_.begin(),
                        other.spool_unlinks_.end());
  other = write_batch{};
}

}  // namespace quire
