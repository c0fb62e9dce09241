// A set of changes that become durable together, or not at all.
//
// Actors build a write_batch and hand it to store::commit(); the group-commit
// writer merges the batches of many actors into one synced RocksDB write.
// Besides key/value operations a batch may carry spool-file actions that
// must happen around that write: an uploaded document is fsync'd and moved to
// spool/<id> *before* the write (so the record never points at a file that a
// crash could lose), and a finished job's spool file is unlinked *after* it.
//
// put_job() keeps the job indexes of keys.hpp in step with the record, given
// the previously committed version, so callers never write index keys; the
// user and credential operations likewise write both sides of a credential
// (look-up entry and back-reference, keys.hpp) together; put_account keeps
// the account_holds index, put_terminal a terminal's token look-up and
// set_delegates both directions of a delegation in step the same way.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "storage/accounts.hpp"
#include "storage/keys.hpp"
#include "storage/records.hpp"
#include "storage/users.hpp"

namespace quire {

class write_batch {
 public:
  struct op {
    cf family;
    bool erase;
    std::string key;
    std::string value;
    std::string end;  // erase only: when not empty, erases every key in [key, end)
  };

  void put(cf family, std::string key, std::string value);
  void erase(cf family, std::string key);
  /// Erases every key of `family` in [begin, end). REQUIRES: begin < end.
  void erase_range(cf family, std::string begin, std::string end);

  /// Writes a user record (new or changed). Credentials are separate entries
  /// and stay as they are. REQUIRES: validate_user(user) is ok (the name is
  /// asserted: it is a key).
  void put_user(const user_record& user);
  /// Removes a user: its record, every back-reference in its key range, and
  /// the look-up entries of `credentials`, which must be
  /// store::user_credentials(name) read by the actor that owns this user.
  void erase_user(const std::string& name, const std::vector<credential_ref>& credentials);
  /// Makes the credential `hmac` (store::credential_key) identify `user`.
  /// REQUIRES: hmac is 32 bytes; kind is not terminal (put_terminal);
  /// the credential is free or already `user`'s
  /// (store::find_credential): to move it, erase_credential it from its owner
  /// earlier in the same batch (operations apply in order).
  void put_credential(credential_kind kind, const std::string& hmac, const std::string& user);
  /// Removes a credential of `user`, both entries. REQUIRES: hmac is 32
  /// bytes; kind is not terminal.
  void erase_credential(credential_kind kind, const std::string& hmac, const std::string& user);

  /// Writes an account record and the account_holds changes from `before`
  /// (nullptr for a new account): an entry per job holding a reservation.
  /// REQUIRES: validate_account_name(after.name) is ok; before, when given,
  /// is the committed version of the same account.
  void put_account(const account_record& after, const account_record* before);
  /// Writes a ledger entry under (account, job_id, attempt): writing the same
  /// entry again overwrites it. REQUIRES: a valid account name.
  void put_ledger(const ledger_entry& e);

  /// Writes an API token: the look-up entry of its `hmac` (kind api_token
  /// -> t.user) and t.user's back-reference holding the record. It goes
  /// like any credential: erase_credential(api_token, hmac, user), and
  /// erase_user takes it with the user.
  /// REQUIRES: hmac is 32 bytes; t.user is valid.
  void put_api_token(const std::string& hmac, const api_token_record& t);
  /// Writes a terminal record and the look-up entry of its token (kind
  /// terminal -> name). To change the token, erase_terminal the committed
  /// record earlier in the same batch. REQUIRES: a valid name (as a user
  /// name); token_key is 32 bytes and free (store::find_terminal).
  void put_terminal(const terminal_record& t);
  /// Removes a terminal: its record and its token's look-up entry.
  /// REQUIRES: `committed` is the stored record (its token_key is 32 bytes).
  void erase_terminal(const terminal_record& committed);

  /// Makes `owner`'s delegates `after`, given the committed list `before`
  /// (store::delegates_of): writes and erases both directions of the
  /// differences only. REQUIRES: every name is a valid user name.
  void set_delegates(const std::string& owner, const std::vector<std::string>& before,
                     const std::vector<std::string>& after);

  /// Writes `after` and the index changes from `before` (nullptr for a new
  /// job). REQUIRES: before, when given, is the committed version of after.id.
  void put_job(const job_record& after, const job_record* before);
  /// Removes a job, its index entries and its document.
  void erase_job(const job_record& committed);

  void put_document(uint64_t job_id, std::string bytes);
  /// Deletes an inline document, or the spool file after the commit.
  void erase_document(const job_record& job);

  /// Before the write: fsync `upload_path`, rename it to spool/<job_id>, and
  /// fsync the spool folder.
  void adopt_upload(std::string upload_path, uint64_t job_id);

  const std::vector<op>& ops() const { return ops_; }
  struct adoption {
    std::string upload_path;
    uint64_t job_id;
  };
  const std::vector<adoption>& adoptions() const { return adoptions_; }
  const std::vector<uint64_t>& spool_unlinks() const { return spool_unlinks_; }
  bool empty() const { return ops_.empty() && adoptions_.empty() && spool_unlinks_.empty(); }

  /// Moves every change of `other` to the end of this batch.
  void append(write_batch&& other);

 private:
  std::vector<op> ops_;
  std::vector<adoption> adoptions_;
  std::vector<uint64_t> spool_unlinks_;
};

}  // namespace quire
