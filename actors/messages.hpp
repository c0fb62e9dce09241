// Every message that travels between Quire's actors, declared once.
//
// Atoms (CAF 0.17: at most 10 characters from [A-Za-z0-9_ ]), the plain
// message structs with their `inspect` overloads, the typed interfaces of the
// actors, and the error category that carries quire::errc inside caf::error.
// Actors exchange ids and values, never pointers into each other's state;
// the only shared pointers are immutable snapshots (fleet) and the io-side
// request objects that never leave this process (io_call types).
#pragma once

#include <caf/all.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "actors/account_rules.hpp"
#include "devices/printer_mib.hpp"
#include "protocols/events/event.hpp"
#include "protocols/jobproc/wire.hpp"
#include "protocols/pdl/price.hpp"
#include "protocols/result.hpp"
#include "storage/records.hpp"
#include "storage/users.hpp"

// Job processor frames travel between actors of this process only.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(quire::jobproc::analyse_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(quire::jobproc::analyse_reply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(quire::jobproc::convert_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(quire::jobproc::convert_reply)

namespace quire {
struct fleet;  // below
/// The fleet as it is now: immutable; a change makes a new one.
using fleet_ptr = std::shared_ptr<const fleet>;
struct job_env;  // job_env.hpp
using job_env_ptr = std::shared_ptr<const job_env>;
struct directory_plan;  // directory_rules.hpp: one directory sync's changes
using directory_plan_ptr = std::shared_ptr<const directory_plan>;
struct directory_status;  // directory_sync.hpp
using directory_status_ptr = std::shared_ptr<const directory_status>;
}  // namespace quire

// Snapshots travel between actors of this process only.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(quire::fleet_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(quire::job_env_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(quire::directory_plan_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(quire::directory_status_ptr)

namespace quire {

// --- atoms -------------------------------------------------------------------

using create_atom = caf::atom_constant<caf::atom("create")>;
using command_atom = caf::atom_constant<caf::atom("command")>;
using park_atom = caf::atom_constant<caf::atom("park")>;
using committed_atom = caf::atom_constant<caf::atom("committed")>;
using enqueue_atom = caf::atom_constant<caf::atom("enqueue")>;
using start_atom = caf::atom_constant<caf::atom("start")>;
using delivered_atom = caf::atom_constant<caf::atom("delivered")>;
using describe_atom = caf::atom_constant<caf::atom("describe")>;
using submit_atom = caf::atom_constant<caf::atom("submit")>;
using list_atom = caf::atom_constant<caf::atom("list")>;
using fetch_atom = caf::atom_constant<caf::atom("fetch")>;
using ids_atom = caf::atom_constant<caf::atom("ids")>;
using count_atom = caf::atom_constant<caf::atom("count")>;
using tick_atom = caf::atom_constant<caf::atom("tick")>;
using resume_atom = caf::atom_constant<caf::atom("resume")>;
using document_atom = caf::atom_constant<caf::atom("document")>;
using publish_atom = caf::atom_constant<caf::atom("publish")>;
using subscribe_atom = caf::atom_constant<caf::atom("subscribe")>;
using unsub_atom = caf::atom_constant<caf::atom("unsub")>;
using auth_atom = caf::atom_constant<caf::atom("auth")>;
using verify_atom = caf::atom_constant<caf::atom("verify")>;
using hash_atom = caf::atom_constant<caf::atom("hash")>;
using users_atom = caf::atom_constant<caf::atom("users")>;
using accept_atom = caf::atom_constant<caf::atom("accept")>;
using analyse_atom = caf::atom_constant<caf::atom("analyse")>;
using analysed_atom = caf::atom_constant<caf::atom("analysed")>;
using convert_atom = caf::atom_constant<caf::atom("convert")>;
using reserve_atom = caf::atom_constant<caf::atom("reserve")>;
using settle_atom = caf::atom_constant<caf::atom("settle")>;
using unreserve_atom = caf::atom_constant<caf::atom("unreserve")>;
using credit_atom = caf::atom_constant<caf::atom("credit")>;
using release_atom = caf::atom_constant<caf::atom("release")>;
using login_atom = caf::atom_constant<caf::atom("login")>;
using logout_atom = caf::atom_constant<caf::atom("logout")>;
using jobs_atom = caf::atom_constant<caf::atom("jobs")>;
using cancel_atom = caf::atom_constant<caf::atom("cancel")>;
using idle_atom = caf::atom_constant<caf::atom("idle")>;
using formats_atom = caf::atom_constant<caf::atom("formats")>;
using poll_atom = caf::atom_constant<caf::atom("poll")>;
using polled_atom = caf::atom_constant<caf::atom("polled")>;
using counters_atom = caf::atom_constant<caf::atom("counters")>;
using latency_atom = caf::atom_constant<caf::atom("latency")>;
using fleet_atom = caf::atom_constant<caf::atom("fleet")>;  // a new fleet snapshot
using dsync_atom = caf::atom_constant<caf::atom("dsync")>;        // a directory sync
using apply_atom = caf::atom_constant<caf::atom("apply")>;        // apply a directory sync's plan
using progress_atom = caf::atom_constant<caf::atom("progress")>;
using status_atom = caf::atom_constant<caf::atom("status")>;
using mail_atom = caf::atom_constant<caf::atom("mail")>;          // send one e-mail
using bind_atom = caf::atom_constant<caf::atom("bind")>;          // an LDAP bind: a directory password

// --- errors ------------------------------------------------------------------

/// The category under which quire::errc travels inside caf::error.
inline constexpr caf::atom_value errc_category = caf::atom("quire");

/// quire::errc as a caf::error with a message.
caf::error make_caf_error(errc code, std::string message);
caf::error make_caf_error(const error& e);
/// The errc inside a caf::error (errc::internal for foreign categories).
errc code_of(const caf::error& e);
/// The message inside a caf::error made by make_caf_error, or its rendering.
std::string message_of(const caf::error& e);

// --- values ------------------------------------------------------------------

/// Who asks: the user an operation acts for.
struct requester {
  std::string user;
  bool admin = false;
};

/// A new job as its queue admitted it, with its document.
struct new_job {
  job_record record;            // id, uuid and times are set by the registry
  std::string inline_document;  // the document, when small
  std::string upload_path;      // or the spool upload holding it
  bool awaiting_document = false;  // Create-Job: the document comes later
  // job-password: what the job actor hashes (with the job id) into
  // record.pin_hash; only in memory, never stored or logged.
  std::string pin_material;
  std::string pin_encryption;
};

/// A document for a job made by Create-Job (Send-Document), or the end of
/// its documents (Close-Job, or Send-Document with no data). Quire keeps one
/// document per job (multiple-document-jobs-supported is false).
struct job_document {
  uint64_t job_id = 0;
  requester who;
  std::string queue;            // the queue the client addressed
  bool has_document = false;    // false: only closes the job
  bool last = true;             // no document follows
  std::string name;             // document-name
  std::string format;           // document-format
  uint64_t size = 0;
  std::string inline_document;  // the document, when small
  std::string upload_path;      // or the spool upload holding it
};

enum class command_kind : uint8_t { cancel = 1, hold = 2, release = 3, expire = 4, forget = 5 };

/// An operation on an existing job, from any door (IPP, terminal, web).
struct job_command {
  uint64_t job_id = 0;
  command_kind kind = command_kind::cancel;
  requester who;
  std::string printer;  // release: where ("" = the queue's first printer)
  std::string queue;    // the queue the client addressed ("" = any): a job of
                        // another queue is not found through it
  std::string pin;      // release of a job-password job: the PIN as typed
  // Release, set by the release service only (actors/release_service.hpp):
  bool delegated = false;  // who.user is a delegate of the owner (checked)
  bool reprint = false;    // the job may have printed: print it again (jobs.reprint_s)
  std::string payer;       // the account to charge ("" = the owner)
  std::string project;     // the project chosen, or ""
};

/// A price held back on an account for a released job (actors/account.hpp):
/// the reservation is keyed by (job, release_no), so asking twice holds it once.
struct charge_hold {
  std::string account;  // the payer: a user, or "project:<name>"
  reservation r;
};

/// A released job printed: its final price is charged, once per (job, release_no).
struct charge_settle {
  std::string account;
  settle_request s;
};

/// An administrator's top-up (kind 2) or adjustment (kind 4) of an account.
struct account_credit {
  std::string account;
  requester by;
  uint8_t kind = 2;
  int64_t amount = 0;
  std::string note;
};

/// What an account holds, as users and administrators see it.
struct account_view {
  std::string name;
  int64_t balance = 0;
  int64_t reserved = 0;
  int64_t available = 0;
  bool unlimited = false;
  bool has_quota = false;
  int64_t quota_sheets_left = 0;
  int64_t period_end_ms = 0;
};

/// What a printer gets when it may deliver a job.
struct delivery_ticket {
  uint64_t job_id = 0;
  bool go = false;        // false: the job left the queue meanwhile; skip it
  std::string title;
  std::string user;       // the job's owner, for the device (LPD's P line, IPP's requesting-user-name)
  std::string host;       // where the job came from
  std::string format;
  uint32_t copies = 1;
  std::string bytes;      // the document, when it lives in storage
  std::string path;       // or its spool file
};

struct delivery_outcome {
  uint64_t job_id = 0;
  bool ok = false;
  std::string message;  // failed: why; done: how the device confirmed it
  bool unreachable = false;  // failed with nothing of it taken by the device (devices/driver.hpp)
};

enum class printer_state : uint8_t { idle = 3, processing = 4, stopped = 5 };

/// A printer's device as its SNMP monitoring last saw it.
struct device_view {
  bool monitored = false;  // the printer polls its device
  bool online = false;     // it answered lately (false after [monitoring] offline_after silent polls)
  int64_t last_seen_ms = 0;  // the last answer (0: none since start)
  std::string address;     // where it is polled, "host:port"
  devices::device_status status;  // the last answer's content
};

/// One poll's outcome, from the loop thread to the printer actor.
struct device_poll {
  uint64_t round = 0;  // the poll it answers
  bool answered = false;
  std::string error;   // not answered: why
  devices::device_status status;
  std::vector<std::string> warnings;
  std::string resolved;  // the address the name resolved to ("" if it was numeric)
};


struct printer_status {
  std::string name;
  printer_state state = printer_state::idle;
  std::string state_message;
  uint64_t queued = 0;      // jobs waiting in its FIFO
  uint64_t delivered = 0;   // jobs delivered since start
  bool accepting = true;    // a queue: takes new jobs
  std::string not_accepting_reason;  // IPP printer-state-reasons keyword, e.g. "spool-area-full"
  // What the device's monitoring says (a printer; a queue: merged from its
  // printers): IPP printer-state-reasons with their severity suffix
  // ("media-jam-error", "offline-report"), and whether the device reports a
  // condition that stops it printing (then `state` is stopped and
  // `state_message` says which).
  std::vector<std::string> reasons;
  bool device_blocked = false;
  device_view device;
};

/// A listing request (Get-Jobs and the like).
struct job_query {
  std::string queue;
  std::string owner;  // "" = every owner
  uint8_t which = 0;  // a storage job_set
  uint32_t limit = 0;
};

/// An administrator's operation on users (the admin API's user_service).
enum class user_op : uint8_t {
  list = 1, get, create, update, set_password, add_card, remove_card, set_pin, clear_pin, remove, set_delegates,
  enroll_card,  // a user binds an unknown card to themself at a terminal (by.user == name, just authenticated)
  generate_pin,  // a new random PIN, e-mailed to the user (answers the user; the PIN is never shown)
  enrolment_code,  // a one-time code to enrol a card with at a terminal (answers it in user_info_msg::code)
  enroll_card_by_code  // the terminals actor: `secret` (a card) becomes the owner of `code`'s; name is ""
};

struct user_request {
  user_op op = user_op::get;
  requester by;
  std::string name;
  std::string after;       // list: page after this name
  uint32_t limit = 0;      // list: page size
  user_record record;      // create: the new user
  std::string secret;      // password, card id or PIN (never logged; wiped after use)
  bool has_secret = false;
  // update: which fields change (set_*), to what
  bool set_display_name = false;
  std::string display_name;
  bool set_groups = false;
  std::vector<std::string> groups;
  int8_t admin = -1;       // -1: unchanged, 0/1
  int8_t disabled = -1;
  std::vector<std::string> delegates;  // set_delegates: who may release the user's jobs
  bool set_email = false;
  std::string email;
  std::string code;        // enroll_card_by_code: the one-time code (never logged; wiped after use)
};

/// What the admin API may see of a user: never a hash, card id or PIN.
struct user_info_msg {
  user_record record;      // password_hash cleared
  bool has_password = false;
  uint32_t cards = 0;
  bool pin = false;
  bool may_choose_pin = false;    // [pins] policy lets the user set their own PIN
  bool may_generate_pin = false;  // ... have one generated and e-mailed ([mail] on, an address)
  std::string code;               // enrolment_code: the new code (shown once)
  int64_t code_expires_ms = 0;
};

/// What a subscriber gets when it subscribes: the retained events after the
/// sequence number it asked from, and whether any were lost in between.
struct event_backlog {
  std::vector<event> events;
  bool gap = false;        // events after `from` are no longer retained
  uint64_t last_seq = 0;   // the newest sequence number so far
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, user_record& x) {
  return f(caf::meta::type_name("user_record"), x.name, x.display_name, x.groups, x.admin, x.password_hash,
           x.disabled, x.created_ms, x.updated_ms, x.email, x.source, x.dn, x.directory_state, x.directory_cards);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, user_request& x) {
  return f(caf::meta::type_name("user_request"), x.op, x.by, x.name, x.after, x.limit, x.record, x.secret,
           x.has_secret, x.set_display_name, x.display_name, x.set_groups, x.groups, x.admin, x.disabled,
           x.delegates, x.set_email, x.email, x.code);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, user_info_msg& x) {
  return f(caf::meta::type_name("user_info_msg"), x.record, x.has_password, x.cards, x.pin, x.may_choose_pin,
           x.may_generate_pin, x.code, x.code_expires_ms);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, event& x) {
  return f(caf::meta::type_name("event"), x.seq, x.time_ms, x.type, x.job_id, x.user, x.queue, x.printer,
           x.job_state, x.printer_state, x.job_name, x.text, x.reasons);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, event_backlog& x) {
  return f(caf::meta::type_name("event_backlog"), x.events, x.gap, x.last_seq);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, error& x) {
  return f(caf::meta::type_name("quire_error"), x.code, x.message);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, job_record& x) {
  return f(caf::meta::type_name("job_record"), x.id, x.uuid, x.queue, x.owner, x.origin_host, x.name,
           x.document_name, x.document_format, x.document_size, x.document_in_spool,
           x.document_deleted, x.state, x.held_by, x.state_message, x.printer, x.copies,
           x.attempts, x.impressions, x.created_ms, x.processing_ms, x.completed_ms,
           x.expires_ms, x.queued_ms, x.pin_hash, x.pin_wrong, x.media, x.media_source, x.media_type,
           x.sides, x.color_mode, x.print_quality, x.orientation, x.resolution_dpi, x.number_up,
           x.job_priority, x.banner, x.uncollated, x.page_ranges, x.print_scaling, x.content_optimize,
           x.rendering_intent, x.analysis, x.price, x.release_no, x.payer, x.released_by, x.project);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, job_analysis& x) {
  return f(caf::meta::type_name("job_analysis"), x.status, x.format, x.pages, x.colour_pages, x.impressions,
           x.colour_impressions, x.sheets, x.exact, x.size, x.mixed_sizes, x.method, x.reason, x.elapsed_us,
           x.colour_sheets, x.normalised, x.title);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, job_price& x) {
  return f(caf::meta::type_name("job_price"), x.status, x.low, x.high, x.price_list);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, requester& x) {
  return f(caf::meta::type_name("requester"), x.user, x.admin);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, new_job& x) {
  return f(caf::meta::type_name("new_job"), x.record, x.inline_document, x.upload_path, x.awaiting_document,
           x.pin_material, x.pin_encryption);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, job_document& x) {
  return f(caf::meta::type_name("job_document"), x.job_id, x.who, x.queue, x.has_document, x.last, x.name,
           x.format, x.size, x.inline_document, x.upload_path);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, job_command& x) {
  return f(caf::meta::type_name("job_command"), x.job_id, x.kind, x.who, x.printer, x.queue, x.pin, x.delegated,
           x.payer, x.project, x.reprint);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, reservation& x) {
  return f(caf::meta::type_name("reservation"), x.job_id, x.release_no, x.amount, x.sheets, x.owner, x.printed_by,
           x.printer, x.project, x.created_ms);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, settle_request& x) {
  return f(caf::meta::type_name("settle_request"), x.job_id, x.release_no, x.amount, x.pages, x.sheets,
           x.colour_sheets, x.owner, x.printed_by, x.printer, x.project, x.price_list, x.already_charged);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, charge_hold& x) {
  return f(caf::meta::type_name("charge_hold"), x.account, x.r);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, charge_settle& x) {
  return f(caf::meta::type_name("charge_settle"), x.account, x.s);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, account_credit& x) {
  return f(caf::meta::type_name("account_credit"), x.account, x.by, x.kind, x.amount, x.note);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, account_view& x) {
  return f(caf::meta::type_name("account_view"), x.name, x.balance, x.reserved, x.available, x.unlimited,
           x.has_quota, x.quota_sheets_left, x.period_end_ms);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, delivery_ticket& x) {
  return f(caf::meta::type_name("delivery_ticket"), x.job_id, x.go, x.title, x.user, x.host, x.format,
           x.copies, x.bytes, x.path);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, delivery_outcome& x) {
  return f(caf::meta::type_name("delivery_outcome"), x.job_id, x.ok, x.message, x.unreachable);
}
}  // namespace quire
namespace quire::devices {
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, supply_info& x) {
  return f(caf::meta::type_name("supply_info"), x.description, x.supply_class, x.type, x.max_capacity, x.level);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, alert_info& x) {
  return f(caf::meta::type_name("alert_info"), x.severity, x.group, x.code, x.description);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, device_status& x) {
  return f(caf::meta::type_name("device_status"), x.description, x.name, x.serial, x.uptime_cs, x.device_state,
           x.printer_state, x.error_bits, x.covers, x.has_life_count, x.life_count, x.supplies, x.alerts,
           x.truncated);
}
}  // namespace quire::devices
namespace quire {
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, device_counter_record& x) {
  return f(caf::meta::type_name("device_counter_record"), x.time_ms, x.life_count, x.serial, x.delivered);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, device_view& x) {
  return f(caf::meta::type_name("device_view"), x.monitored, x.online, x.last_seen_ms, x.address, x.status);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, device_poll& x) {
  return f(caf::meta::type_name("device_poll"), x.round, x.answered, x.error, x.status, x.warnings, x.resolved);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, printer_status& x) {
  return f(caf::meta::type_name("printer_status"), x.name, x.state, x.state_message, x.queued,
           x.delivered, x.accepting, x.not_accepting_reason, x.reasons, x.device_blocked, x.device);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, job_query& x) {
  return f(caf::meta::type_name("job_query"), x.queue, x.owner, x.which, x.limit);
}

// --- actor interfaces ----------------------------------------------------------

/// The site's users: authentication and management. See user_directory.hpp.
/// Passwords, card ids and PINs travel only inside this process, in these
/// messages, and are never logged.
using user_directory_actor = caf::typed_actor<
    caf::replies_to<auth_atom, std::string, std::string, std::string>::with<requester>,
    caf::replies_to<users_atom, user_request>::with<std::vector<user_info_msg>>,
    caf::replies_to<apply_atom, directory_plan_ptr>::with<bool>>;

/// The mailer (actors/mailer.hpp): sends one message (to, to's name,
/// subject, text) and answers true once the mail server accepted it.
using mailer_actor =
    caf::typed_actor<caf::replies_to<mail_atom, std::string, std::string, std::string, std::string>::with<bool>>;

/// The directory sync (actors/directory_sync.hpp): start one now (true: a
/// full one), answering whether it started; and its status.
using directory_sync_actor = caf::typed_actor<caf::replies_to<dsync_atom, bool>::with<bool>,
                                              caf::replies_to<status_atom>::with<directory_status_ptr>>;

/// The site's accounts (actors/account.hpp): one actor per user or project
/// behind one front, so that the charges of an account are serialized.
using accounts_actor = caf::typed_actor<
    caf::replies_to<reserve_atom, charge_hold>::with<account_view>,
    caf::reacts_to<settle_atom, charge_settle>,
    caf::reacts_to<unreserve_atom, std::string, uint64_t, uint32_t>,
    caf::replies_to<credit_atom, account_credit>::with<account_view>,
    caf::replies_to<describe_atom, std::string>::with<account_view>,
    caf::reacts_to<tick_atom>,
    caf::reacts_to<fleet_atom, fleet_ptr>>;  // its quotas

/// The one release service (actors/release_service.hpp): every door's
/// release — IPP Release-Job, a terminal, the web — goes through it.
using release_service_actor = caf::typed_actor<caf::replies_to<release_atom, job_command>::with<job_record>,
                                              caf::reacts_to<fleet_atom, fleet_ptr>>;

/// Whoever wants events pushed to it (see event_bus.hpp).
using event_sink_actor = caf::typed_actor<caf::reacts_to<event>>;

/// The site's event bus (see event_bus.hpp).
using event_bus_actor = caf::typed_actor<
    caf::reacts_to<publish_atom, event>,
    caf::replies_to<subscribe_atom, event_sink_actor, std::vector<std::string>, uint64_t>::with<event_backlog>,
    caf::reacts_to<unsub_atom, event_sink_actor>>;

/// One job while it moves (see job.hpp).
using job_actor = caf::typed_actor<
    caf::replies_to<create_atom, new_job>::with<job_record>,
    caf::replies_to<command_atom, job_command>::with<job_record>,
    caf::replies_to<document_atom, job_document>::with<job_record>,
    caf::replies_to<resume_atom>::with<job_record>,
    caf::replies_to<analysed_atom, jobproc::analyse_reply>::with<job_record>,
    caf::replies_to<start_atom, std::string>::with<delivery_ticket>,  // the printer's language
    caf::reacts_to<delivered_atom, delivery_outcome>,
    caf::reacts_to<committed_atom, uint64_t, error>,
    caf::reacts_to<tick_atom>,
    caf::reacts_to<fleet_atom, job_env_ptr>>;  // the fleet changed: a queued job goes to its printer again

/// The job processors (see processor_pool.hpp).
using processor_pool_actor =
    caf::typed_actor<caf::replies_to<analyse_atom, jobproc::analyse_request>::with<jobproc::analyse_reply>,
                     caf::replies_to<convert_atom, jobproc::convert_request, bool>::with<jobproc::convert_reply>>;

/// One device and its delivery FIFO (see printer.hpp).
using printer_actor = caf::typed_actor<
    caf::reacts_to<enqueue_atom, uint64_t, job_actor>,
    caf::reacts_to<delivered_atom, delivery_outcome>,
    caf::reacts_to<formats_atom, std::vector<std::string>>,  // what an "auto" device takes
    caf::reacts_to<poll_atom, uint64_t>,                      // time to poll the device (round)
    caf::reacts_to<polled_atom, device_poll>,                 // a poll's outcome
    caf::replies_to<counters_atom, int64_t, int64_t, uint32_t>::with<std::vector<device_counter_record>>,
    caf::replies_to<describe_atom>::with<printer_status>>;

/// The site's registry of live job actors (see job_registry.hpp).
using registry_actor = caf::typed_actor<
    caf::replies_to<create_atom, new_job>::with<job_record>,
    caf::replies_to<command_atom, job_command>::with<job_record>,
    caf::replies_to<document_atom, job_document>::with<job_record>,
    caf::replies_to<count_atom, std::string>::with<uint64_t>,
    caf::replies_to<park_atom, uint64_t, job_state>::with<bool>,
    caf::reacts_to<committed_atom, uint64_t, error>,
    caf::reacts_to<resume_atom>,
    caf::reacts_to<tick_atom>,
    caf::reacts_to<fleet_atom, fleet_ptr>>;

/// A job submission as the IPP (or LPD) door hands it to a queue.
using queue_actor = caf::typed_actor<
    caf::replies_to<submit_atom, new_job>::with<job_record>,
    caf::reacts_to<accept_atom, bool, std::string>,
    caf::replies_to<describe_atom>::with<printer_status>,
    caf::reacts_to<fleet_atom, fleet_ptr>>;

/// Read-only queries of committed jobs (see job_reader.hpp).
using reader_actor = caf::typed_actor<
    caf::replies_to<list_atom, job_query>::with<std::vector<job_record>>,
    caf::replies_to<ids_atom, job_query>::with<std::vector<uint64_t>>,
    caf::replies_to<fetch_atom, uint64_t>::with<job_record>>;

/// The printers and queues of the site, with their actors, the price lists,
/// projects and quotas: an immutable snapshot handed to the actors that route jobs
/// and charge them. The fleet actor (fleet_keeper.hpp) owns the fleet; a
/// change builds a new snapshot and sends it to every holder (fleet_atom).
struct fleet {
  struct printer_entry {
    printer_record record;
    printer_actor actor;
    bool monitored = false;  // polls its device over SNMP
  };
  struct queue_entry {
    queue_record record;
    queue_actor actor;
  };
  std::map<std::string, printer_entry> printers;
  std::map<std::string, queue_entry> queues;
  // The price list of each printer that charges (by printer name); a
  // printer not in the map prints free. Never null in a running site.
  std::shared_ptr<const std::map<std::string, pdl::price_list>> prices;
  // Every price list and project by name (shared by snapshots that do not
  // change them). Never null in a running site.
  std::shared_ptr<const std::map<std::string, price_list_record>> price_lists;
  std::shared_ptr<const std::map<std::string, project_record>> projects;
  std::shared_ptr<const std::map<std::string, quota_record>> quotas;

  const printer_entry* printer(const std::string& name) const;
  const queue_entry* queue(const std::string& name) const;
  const project_record* project(const std::string& name) const;
  /// The printers of `q` this fleet has, with their actors, in q's order.
  std::vector<std::pair<std::string, printer_actor>> printers_of(const queue_record& q) const;
};

/// Registers every message type of this header with an actor system config.
void register_message_types(caf::actor_system_config& cfg);

}  // namespace quire
