#include "actors/ipp_listener.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <ctime>

#include "actors/ipp/ipp_render.hpp"
#include "actors/ipp/notify_render.hpp"
#include "actors/ipp/printer_attributes_cache.hpp"
#include "actors/ipp_notifier.hpp"
#include "protocols/ipp/attribute_filter.hpp"
#include "protocols/ipp/job_password.hpp"
#include "protocols/ipp/operations.hpp"
#include "storage/store.hpp"

namespace quire {

namespace {

struct listener_state {
  ipp_listener_config cfg;
  size_t next_reader = 0;
  printer_attributes_cache printer_answers;
  static inline const char* name = "ipp_listener";
};

using listener_self = caf::stateful_actor<listener_state>*;

const reader_actor& reader(listener_self self) {
  auto& st = self->state;
  return st.cfg.readers[st.next_reader++ % st.cfg.readers.size()];
}

// The user a request acts for: the authenticated one, else the name the
// client gave.
std::string user_of(const ipp_call_ptr& call, const ipp::operation_common& c) {
  if (call->authenticated) return call->user;
  return c.requesting_user.empty() ? "anonymous" : c.requesting_user;
}

requester requester_of(const ipp_call_ptr& call, const ipp::operation_common& c) {
  return requester{user_of(call, c), call->authenticated && call->admin};
}

int64_t now_s() { return static_cast<int64_t>(std::time(nullptr)); }

// Target and common attributes; answers the call itself when they are wrong.
const fleet::queue_entry* resolve(listener_self self, const ipp_call_ptr& call, bool needs_job,
                                  ipp::operation_common& common) {
  if (auto c = ipp::parse_common(call->request(), needs_job, common)) {
    call->reply_status(c.status, c.message);
    return nullptr;
  }
  const auto* q = self->state.cfg.printers_and_queues->queue(common.target.queue);
  if (!q) call->reply_status(IPP_STATUS_ERROR_NOT_FOUND, "there is no queue '" + common.target.queue + "'");
  return q;
}

ipp::message ok_response(const ipp_call_ptr& call, const std::vector<std::string>& unsupported) {
  auto resp = ipp::make_response(call->request(),
                                 unsupported.empty() ? IPP_STATUS_OK : IPP_STATUS_OK_IGNORED_OR_SUBSTITUTED);
  ipp::copy_unsupported(call->request(), resp.get(), unsupported);
  return resp;
}

bool format_supported(const std::string& f) {
  const auto& all = supported_document_formats();
  return std::find(all.begin(), all.end(), f) != all.end();
}

// Print-Job, Create-Job and Validate-Job share everything but the job
// itself: the operation attributes and the job ticket (job_template.hpp).
// A refusal is logged, an ignored attribute too.
bool check_job_creation(const ipp_call_ptr& call, ipp::job_creation& jc, ipp::job_password* pin = nullptr) {
  const char* op = ippOpString(call->operation());
  ipp::job_password ignored;
  if (auto c = ipp::parse_job_password(call->request(), ipp::pin_policy{}, pin ? *pin : ignored)) {
    spdlog::info("ipp: {} from {} refused: {}", op, call->peer_host, c.message);
    auto resp = ipp::make_response(call->request(), c.status, c.message);
    ipp::copy_unsupported(call->request(), resp.get(), {"job-password", "job-password-encryption"});
    call->reply(resp.get());
    return false;
  }
  if (auto c = ipp::parse_job_creation(call->request(), jc)) {
    spdlog::info("ipp: {} from {} refused, {}: {}", op, call->peer_host, ippErrorString(c.status), c.message);
    // RFC 8011 §4.1.7: a job refused for fidelity names what it refused.
    auto resp = ipp::make_response(call->request(), c.status, c.message);
    ipp::copy_unsupported(call->request(), resp.get(), jc.unsupported);
    call->reply(resp.get());
    return false;
  }
  if (!format_supported(jc.document_format)) {
    std::string message = "document-format '" + jc.document_format + "' is not supported";
    spdlog::info("ipp: {} from {} refused: {}", op, call->peer_host, message);
    call->reply_status(IPP_STATUS_ERROR_DOCUMENT_FORMAT_NOT_SUPPORTED, message);
    return false;
  }
  if (!jc.unsupported.empty()) {
    std::string names;
    for (const auto& n : jc.unsupported) names += (names.empty() ? "" : ", ") + n;
    spdlog::info("ipp: {} from {}: ignored or substituted {}", op, call->peer_host, names);
  }
  return true;
}

// Print-Job and Create-Job: the new job's record from the request; the
// queue decides where it goes, the registry gives it an id.
void create_job(listener_self self, const ipp_call_ptr& call, bool with_document) {
  ipp::operation_common common;
  const auto* queue = resolve(self, call, false, common);
  if (!queue) return;
  ipp::job_creation jc;
  ipp::job_password pin;
  if (!check_job_creation(call, jc, &pin)) return;
  if (with_document && !call->has_document) {
    call->reply_status(IPP_STATUS_ERROR_BAD_REQUEST, "Print-Job needs a document");
    return;
  }
  if (!with_document && call->has_document) {
    call->reply_status(IPP_STATUS_ERROR_BAD_REQUEST, "Create-Job takes no document; send it with Send-Document");
    return;
  }
  new_job nj;
  auto& rec = nj.record;
  rec.owner = user_of(call, common);
  rec.origin_host = call->peer_host;
  rec.name = !jc.job_name.empty() ? jc.job_name : !jc.document_name.empty() ? jc.document_name : "Untitled";
  store_ticket(jc.ticket, rec);
  rec.held_by = jc.hold_until == "indefinite" ? hold_reason::client : hold_reason::none;
  if (pin.given) {
    // A PIN job waits for its PIN at a printer, on any queue.
    rec.held_by = hold_reason::client;
    nj.pin_material = std::move(pin.material);
    nj.pin_encryption = pin.encryption;
  }
  if (with_document) {
    rec.document_name = jc.document_name;
    rec.document_format = jc.document_format;
    rec.document_size = call->document_size;
    rec.document_in_spool = !call->upload_path.empty();
    nj.inline_document = std::move(call->document);
    nj.upload_path = call->upload_path;
  } else {
    nj.awaiting_document = true;
  }
  std::string authority = call->authority;
  self->request(queue->actor, caf::infinite, submit_atom::value, std::move(nj))
      .then(
          [call, unsupported = std::move(jc.unsupported), authority](job_record& job) {
            call->release_upload();
            auto resp = ok_response(call, unsupported);
            ipp::attribute_filter want({}, {"job-id", "job-uri", "job-state", "job-state-reasons"});
            add_job_attributes(resp.get(), job, job_view{authority, job.owner, false, now_s()}, want);
            call->reply(resp.get());
          },
          [call](caf::error& e) { call->reply_status(ipp_status_of(e), message_of(e)); });
}

// Send-Document and Close-Job: the document of a Create-Job job, and its end.
void send_document(listener_self self, const ipp_call_ptr& call) {
  ipp::operation_common common;
  const auto* queue = resolve(self, call, true, common);
  if (!queue) return;
  ipp::send_document sd;
  if (auto c = ipp::parse_send_document(call->request(), sd)) {
    call->reply_status(c.status, c.message);
    return;
  }
  if (sd.format_given && !format_supported(sd.document_format)) {
    call->reply_status(IPP_STATUS_ERROR_DOCUMENT_FORMAT_NOT_SUPPORTED,
                       "document-format '" + sd.document_format + "' is not supported");
    return;
  }
  if (call->operation() == IPP_OP_CLOSE_JOB && call->has_document) {
    call->reply_status(IPP_STATUS_ERROR_BAD_REQUEST, "Close-Job takes no document");
    return;
  }
  job_document doc;
  doc.job_id = common.target.job_id;
  doc.who = requester_of(call, common);
  doc.queue = queue->record.name;
  doc.has_document = call->has_document;
  doc.last = sd.last;
  doc.name = sd.document_name;
  doc.format = sd.document_format;
  doc.size = call->document_size;
  doc.inline_document = std::move(call->document);
  doc.upload_path = call->upload_path;
  std::string authority = call->authority;
  self->request(self->state.cfg.registry, caf::infinite, document_atom::value, std::move(doc))
      .then(
          [call, authority](job_record& job) {
            call->release_upload();
            auto resp = ok_response(call, {});
            ipp::attribute_filter want({}, {"job-id", "job-uri", "job-state", "job-state-reasons"});
            add_job_attributes(resp.get(), job, job_view{authority, job.owner, false, now_s()}, want);
            call->reply(resp.get());
          },
          [call](caf::error& e) {
            ipp_status_t st = code_of(e) == errc::unsupported ? IPP_STATUS_ERROR_MULTIPLE_JOBS_NOT_SUPPORTED
                                                               : ipp_status_of(e);
            call->reply_status(st, message_of(e));
          });
}

void validate_job(listener_self self, const ipp_call_ptr& call) {
  ipp::operation_common common;
  if (!resolve(self, call, false, common)) return;
  ipp::job_creation jc;
  if (!check_job_creation(call, jc)) return;
  call->reply(ok_response(call, jc.unsupported).get());
}

void get_printer_attributes(listener_self self, const ipp_call_ptr& call) {
  ipp::operation_common common;
  const auto* queue = resolve(self, call, false, common);
  if (!queue) return;
  std::vector<std::string> requested;
  if (auto c = ipp::parse_requested(call->request(), requested)) {
    call->reply_status(c.status, c.message);
    return;
  }
  queue_view view;
  view.queue = &queue->record;
  view.authority = call->authority;
  view.secure = call->secure;
  view.tls_available = self->state.cfg.tls;
  view.server_name = self->state.cfg.server_name;
  view.server_uuid = self->state.cfg.server_uuid;
  auto fleet = self->state.cfg.printers_and_queues;  // keeps view.queue alive
  self->request(queue->actor, caf::infinite, describe_atom::value)
      .then(
          [self, call, view, requested, fleet](printer_status& status) mutable {
            view.status = std::move(status);
            view.now_s = now_s();
            call->reply_encoded(self->state.printer_answers.answer(call->request(), view, requested, fleet.get()));
          },
          [call](caf::error& e) { call->reply_status(ipp_status_of(e), message_of(e)); });
}

void get_jobs(listener_self self, const ipp_call_ptr& call) {
  ipp::operation_common common;
  const auto* queue = resolve(self, call, false, common);
  if (!queue) return;
  ipp::job_list_request lr;
  if (auto c = ipp::parse_get_jobs(call->request(), lr)) {
    call->reply_status(c.status, c.message);
    return;
  }
  ipp::attribute_filter want(lr.requested, {"job-id", "job-uri"});
  job_query q;
  q.queue = queue->record.name;
  auto who = requester_of(call, common);
  // Users see only their own jobs; administrators see everyone's, unless
  // they ask for their own (my-jobs).
  q.owner = who.admin && !lr.my_jobs ? std::string() : who.user;
  q.which = static_cast<uint8_t>(lr.which == ipp::which_jobs::completed ? job_set::completed
                                 : lr.which == ipp::which_jobs::all     ? job_set::all
                                                                        : job_set::active);
  q.limit = lr.limit == 0 ? 0 : lr.limit + lr.first_index - 1;
  uint32_t skip = lr.first_index - 1;
  auto fail = [call](caf::error& e) { call->reply_status(ipp_status_of(e), message_of(e)); };
  if (want.only({"job-id", "job-uri"})) {
    // The common listing needs no job record at all: ids straight from the index.
    bool with_id = want.wants("job-id", ipp::attribute_group::job_description);
    bool with_uri = want.wants("job-uri", ipp::attribute_group::job_description);
    std::string prefix = printer_uri(call->authority, q.queue) + "/";
    self->request(reader(self), caf::infinite, ids_atom::value, q)
        .then(
            [call, skip, prefix, with_id, with_uri](std::vector<uint64_t>& ids) {
              call->reply_encoded(encode_job_id_listing(call->request(), ids, skip, prefix, with_id, with_uri));
            },
            fail);
    return;
  }
  job_view view{call->authority, who.user, who.admin, 0, self->state.cfg.mask_others};
  self->request(reader(self), caf::infinite, list_atom::value, q)
      .then(
          [call, want, view, skip](std::vector<job_record>& jobs) mutable {
            view.now_s = now_s();
            auto resp = ipp::make_response(call->request(), IPP_STATUS_OK);
            for (size_t i = skip; i < jobs.size(); ++i) {
              if (i > skip) ippAddSeparator(resp.get());
              add_job_attributes(resp.get(), jobs[i], view, want);
            }
            call->reply(resp.get());
          },
          fail);
}

void get_job_attributes(listener_self self, const ipp_call_ptr& call) {
  ipp::operation_common common;
  const auto* queue = resolve(self, call, true, common);
  if (!queue) return;
  std::vector<std::string> requested;
  if (auto c = ipp::parse_requested(call->request(), requested)) {
    call->reply_status(c.status, c.message);
    return;
  }
  auto who = requester_of(call, common);
  job_view view{call->authority, who.user, who.admin, 0, self->state.cfg.mask_others};
  std::string queue_name = queue->record.name;
  self->request(reader(self), caf::infinite, fetch_atom::value, common.target.job_id)
      .then(
          [call, view, requested, queue_name](job_record& job) mutable {
            if (job.queue != queue_name) {
              call->reply_status(IPP_STATUS_ERROR_NOT_FOUND, "no such job in queue " + queue_name);
              return;
            }
            view.now_s = now_s();
            auto resp = ipp::make_response(call->request(), IPP_STATUS_OK);
            add_job_attributes(resp.get(), job, view, ipp::attribute_filter(requested, {"all"}));
            call->reply(resp.get());
          },
          [call](caf::error& e) { call->reply_status(ipp_status_of(e), message_of(e)); });
}

// Cancel-Job, Hold-Job and Release-Job: the release service and its
// siblings, reached through the registry like every other door.
void job_operation(listener_self self, const ipp_call_ptr& call, command_kind kind) {
  ipp::operation_common common;
  const auto* queue = resolve(self, call, true, common);
  if (!queue) return;
  std::vector<std::string> unsupported;
  if (kind == command_kind::hold) {
    std::string hold_until;
    if (auto c = ipp::parse_hold_until(call->request(), hold_until, unsupported)) {
      call->reply_status(c.status, c.message);
      return;
    }
  }
  job_command cmd;
  cmd.job_id = common.target.job_id;
  cmd.kind = kind;
  cmd.who = requester_of(call, common);
  cmd.queue = queue->record.name;
  if (kind == command_kind::release) {
    // Quire's extension: Release-Job may carry the job's PIN as job-password,
    // as a printer's panel would take it (PWG 5100.11 leaves the door open).
    if (ipp_attribute_t* pw = ippFindAttribute(call->request(), "job-password", IPP_TAG_STRING)) {
      int len = 0;
      const void* data = ippGetOctetString(pw, 0, &len);
      if (data && len > 0 && len <= 255) cmd.pin.assign(static_cast<const char*>(data), static_cast<size_t>(len));
    }
  }
  auto ok = [call, unsupported](job_record&) { call->reply(ok_response(call, unsupported).get()); };
  auto failed = [call](caf::error& e) { call->reply_status(ipp_status_of(e), message_of(e)); };
  if (kind == command_kind::release && self->state.cfg.releases)
    self->request(self->state.cfg.releases, caf::infinite, release_atom::value, cmd).then(ok, failed);
  else
    self->request(self->state.cfg.registry, caf::infinite, command_atom::value, cmd).then(ok, failed);
}

// Cancel-My-Jobs (the requester's jobs) and Cancel-Jobs (everyone's, for
// administrators), PWG 5100.11 §4.1-4.2: the listed job-ids, or every job
// not yet finished. Listed ids are checked first and nothing is canceled
// when one of them is not the requester's to cancel; jobs already printing
// are left alone.
void cancel_jobs(listener_self self, const ipp_call_ptr& call, bool mine) {
  ipp::operation_common common;
  const auto* queue = resolve(self, call, false, common);
  if (!queue) return;
  std::vector<uint64_t> listed;
  if (auto c = ipp::parse_job_ids(call->request(), listed)) {
    call->reply_status(c.status, c.message);
    return;
  }
  requester who = requester_of(call, common);
  if (!mine && !who.admin) {
    call->reply_status(IPP_STATUS_ERROR_NOT_AUTHORIZED, "only administrators may cancel other users' jobs");
    return;
  }
  job_query q;
  q.queue = queue->record.name;
  q.owner = mine ? who.user : std::string();
  q.which = static_cast<uint8_t>(job_set::active);
  auto registry = self->state.cfg.registry;
  self->request(reader(self), caf::infinite, ids_atom::value, q)
      .then(
          [self, call, listed, who, registry, queue_name = q.queue](std::vector<uint64_t>& active) {
            std::vector<uint64_t> ids = listed.empty() ? active : listed;
            for (uint64_t id : listed)
              if (std::find(active.begin(), active.end(), id) == active.end()) {
                call->reply_status(IPP_STATUS_ERROR_NOT_POSSIBLE,
                                   "job " + std::to_string(id) + " is not an active job of yours in this queue");
                return;
              }
            if (ids.empty()) {
              call->reply(ok_response(call, {}).get());
              return;
            }
            auto left = std::make_shared<size_t>(ids.size());
            for (uint64_t id : ids) {
              job_command cmd;
              cmd.job_id = id;
              cmd.kind = command_kind::cancel;
              cmd.who = who;
              cmd.queue = queue_name;
              auto one_done = [call, left] {
                if (--*left == 0) call->reply(ok_response(call, {}).get());
              };
              self->request(registry, caf::infinite, command_atom::value, cmd)
                  .then([one_done](job_record&) { one_done(); }, [one_done](caf::error&) { one_done(); });
            }
          },
          [call](caf::error& e) { call->reply_status(ipp_status_of(e), message_of(e)); });
}

// Identify-Printer (PWG 5100.13 §4.1.1): a queue is not one device, so there
// is nothing to flash; the request is logged and acknowledged.
void identify_printer(listener_self self, const ipp_call_ptr& call) {
  ipp::operation_common common;
  const auto* queue = resolve(self, call, false, common);
  if (!queue) return;
  spdlog::info("Identify-Printer for queue {} from {}", queue->record.name, call->peer_host);
  call->reply(ok_response(call, {}).get());
}

// The queue a request addresses (printer-uri or job-uri), "" when it names none.
std::string target_queue(const ipp_call_ptr& call) {
  for (const char* name : {"printer-uri", "job-uri"}) {
    ipp_attribute_t* a = ippFindAttribute(call->request(), name, IPP_TAG_URI);
    std::string path;
    ipp::resource r;
    if (a && ippGetString(a, 0, nullptr) && ipp::uri_path(ippGetString(a, 0, nullptr), path) &&
        ipp::parse_resource(path, r))
      return r.queue;
  }
  return {};
}

void run(listener_self self, const ipp_call_ptr& call);

// Who is asking, before the operation runs: credentials are checked, and a
// queue that requires them gets them.
void dispatch(listener_self self, const ipp_call_ptr& call) {
  auto& st = self->state;
  const auto* q = st.cfg.printers_and_queues->queue(target_queue(call));
  bool required = q && q->record.auth_required;
  if (call->has_credentials && st.cfg.users) {
    std::string user = call->auth_user, password = std::move(call->auth_password);
    call->auth_password.clear();
    self->request(st.cfg.users, caf::infinite, auth_atom::value, user, password, call->peer_host)
        .then(
            [self, call](requester& who) {
              call->authenticated = true;
              call->user = who.user;
              call->admin = who.admin;
              run(self, call);
            },
            [call](caf::error& e) {
              if (code_of(e) == errc::busy)
                call->reply_status(IPP_STATUS_ERROR_BUSY, message_of(e));
              else
                call->reply_challenge(message_of(e));
            });
    std::fill(password.begin(), password.end(), '\0');
    return;
  }
  if (required) {
    if (call->secure)
      call->reply_challenge("queue " + q->record.name + " requires you to log in");
    else
      call->reply_status(IPP_STATUS_ERROR_NOT_AUTHENTICATED,
                         "queue " + q->record.name + " requires a login over ipps:// (TLS)");
    return;
  }
  run(self, call);
}

void run(listener_self self, const ipp_call_ptr& call) {
  if (is_subscription_operation(call->operation()) && self->state.cfg.notifier) {
    self->send(self->state.cfg.notifier, call);
    return;
  }
  switch (call->operation()) {
    case IPP_OP_PRINT_JOB: return create_job(self, call, true);
    case IPP_OP_CREATE_JOB: return create_job(self, call, false);
    case IPP_OP_SEND_DOCUMENT:
    case IPP_OP_CLOSE_JOB: return send_document(self, call);
    case IPP_OP_CANCEL_MY_JOBS: return cancel_jobs(self, call, true);
    case IPP_OP_CANCEL_JOBS: return cancel_jobs(self, call, false);
    case IPP_OP_IDENTIFY_PRINTER: return identify_printer(self, call);
    case IPP_OP_VALIDATE_JOB: return validate_job(self, call);
    case IPP_OP_GET_PRINTER_ATTRIBUTES: return get_printer_attributes(self, call);
    case IPP_OP_GET_JOBS: return get_jobs(self, call);
    case IPP_OP_GET_JOB_ATTRIBUTES: return get_job_attributes(self, call);
    case IPP_OP_CANCEL_JOB: return job_operation(self, call, command_kind::cancel);
    case IPP_OP_HOLD_JOB: return job_operation(self, call, command_kind::hold);
    case IPP_OP_RELEASE_JOB: return job_operation(self, call, command_kind::release);
    default:
      call->reply_status(IPP_STATUS_ERROR_OPERATION_NOT_SUPPORTED,
                         std::string(ippOpString(call->operation())) + " is not supported");
  }
}

caf::behavior listener_behavior(caf::stateful_actor<listener_state>* self, ipp_listener_config cfg) {
  self->state.cfg = std::move(cfg);
  return {
      [self](ipp_call_ptr& call) { dispatch(self, call); },
      [self](fleet_atom, fleet_ptr& fl) { self->state.cfg.printers_and_queues = std::move(fl); },
  };
}

}  // namespace

ipp_status_t ipp_status_of(const caf::error& e) {
  switch (code_of(e)) {
    case errc::not_found: return IPP_STATUS_ERROR_NOT_FOUND;
    case errc::permission_denied: return IPP_STATUS_ERROR_FORBIDDEN;
    case errc::not_possible: return IPP_STATUS_ERROR_NOT_POSSIBLE;
    case errc::invalid_argument: return IPP_STATUS_ERROR_BAD_REQUEST;
    case errc::limit_exceeded: return IPP_STATUS_ERROR_REQUEST_ENTITY;
    case errc::busy: return IPP_STATUS_ERROR_BUSY;
    case errc::not_accepting: return IPP_STATUS_ERROR_NOT_ACCEPTING_JOBS;
    case errc::shutting_down:
    case errc::unavailable: return IPP_STATUS_ERROR_SERVICE_UNAVAILABLE;
    default: return IPP_STATUS_ERROR_INTERNAL;
  }
}

caf::actor spawn_ipp_listener(caf::actor_system& sys, ipp_listener_config cfg) {
  return sys.spawn(listener_behavior, std::move(cfg));
}

}  // namespace quire
