#include "devices/ipp_driver.hpp"

#include <cups/cups.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <utility>

namespace quire::devices {

// One document on its way. It travels between the loop thread (queue, waits)
// and the pool (one exchange with the device), never in both at once; libuv's
// work queue orders the hand-offs.
struct ipp_job {
  enum class next : uint8_t { retry, poll, finish };

  job_document doc;
  driver::callback done;
  std::chrono::steady_clock::time_point started;
  int tries = 0;                // Print-Job tries so far
  bool accepted = false;        // the device took the document: never send it again
  int device_job_id = 0;        // its job-id on the device, 0 when it gave none
  http_t* http = nullptr;       // kept open between polls
  // Set by the step just run.
  next then = next::finish;
  bool busy = false;            // the last try met a busy device (else: unreachable)
  std::string problem;          // why the last try or poll failed
  std::string last_seen;        // the device's last job state, for the timeout message
  delivery_result outcome;      // when then == finish
  std::string confirmation;     // what the device confirmed, when ok

  ~ipp_job() {
    if (http) httpClose(http);
  }
};

namespace {

delivery_result succeeded(std::string confirmation) {
  delivery_result r;
  r.ok = true;
  r.confirmation = std::move(confirmation);
  return r;
}

delivery_result failed(std::string why) {
  delivery_result r;
  r.message = std::move(why);
  return r;
}

std::string user_of(const job_document& doc) { return doc.user.empty() ? "quire" : doc.user; }

std::string describe(uint64_t ms) {
  if (ms % 3600000 == 0) return std::to_string(ms / 3600000) + " h";
  if (ms % 60000 == 0) return std::to_string(ms / 60000) + " min";
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + " s";
  return std::to_string(ms) + " ms";
}

double to_seconds(uint64_t ms) { return static_cast<double>(ms) / 1000.0; }

std::string last_cups_error() {
  const char* s = cupsLastErrorString();
  return s && *s ? s : ippErrorString(cupsLastError());
}

std::string trimmed(std::string s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  size_t e = s.find_last_not_of(" \t\r\n");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

// The keywords of a 1setOf keyword attribute, comma-separated, "none" left out.
std::string keywords(ipp_t* resp, const char* name) {
  std::string out;
  ipp_attribute_t* a = ippFindAttribute(resp, name, IPP_TAG_ZERO);
  for (int i = 0; a && i < ippGetCount(a); ++i) {
    const char* k = ippGetString(a, i, nullptr);
    if (!k || std::strcmp(k, "none") == 0) continue;
    if (!out.empty()) out.append(", ");
    out.append(k);
  }
  return out;
}

std::string text_of(ipp_t* resp, const char* name) {
  ipp_attribute_t* a = ippFindAttribute(resp, name, IPP_TAG_ZERO);
  const char* s = a ? ippGetString(a, 0, nullptr) : nullptr;
  return s ? s : "";
}

void add_common(ipp_t* req, const ipp_target& t, const job_document& doc) {
  ippAddString(req, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", nullptr, t.uri.c_str());
  ippAddString(req, IPP_TAG_OPERATION, IPP_TAG_NAME, "requesting-user-name", nullptr, user_of(doc).c_str());
}

// Why a connection could not be opened. libcups folds a refused connection
// into EHOSTDOWN when it gives up on every address.
std::string connect_problem(int err, const ipp_driver_options& o) {
  if (err == ETIMEDOUT) return "no answer within " + describe(o.connect_timeout_ms);
  if (err == EHOSTDOWN || err == ECONNREFUSED) return "connection refused or host down";
  if (err == EHOSTUNREACH || err == ENETUNREACH) return "no route to the host";
  return err ? std::strerror(err) : last_cups_error();
}

http_t* open_connection(const ipp_target& t, const ipp_driver_options& o, std::string& why) {
  // ipps://: printers ship self-signed certificates, and libcups' client
  // checks no trust on its own (callers would, with httpCredentialsGetTrust):
  // any certificate is accepted, so TLS here keeps passive listeners out but
  // not an impostor. Pinning the first certificate seen is later work.
  http_t* http = httpConnect2(t.host.c_str(), t.port, nullptr, AF_UNSPEC,
                              t.tls ? HTTP_ENCRYPTION_ALWAYS : HTTP_ENCRYPTION_IF_REQUESTED, 1, 0, nullptr);
  if (!http) {  // msec 0: only the name lookup ran
    why = "cannot resolve " + t.host;
    return nullptr;
  }
  if (httpReconnect2(http, static_cast<int>(o.connect_timeout_ms), nullptr) != 0) {
    why = cupsLastError() == IPP_STATUS_ERROR_CUPS_PKI ? "TLS failed: " + last_cups_error()
                                                        : connect_problem(httpError(http), o);
    httpClose(http);
    return nullptr;
  }
  httpSetTimeout(http, to_seconds(o.io_timeout_ms), nullptr, nullptr);  // no callback: give up
  return http;
}

// Why an exchange on an open connection brought no IPP response.
std::string exchange_problem(http_t* http, http_status_t st, const ipp_driver_options& o) {
  if (st >= HTTP_STATUS_MULTIPLE_CHOICES)
    return "HTTP " + std::to_string(static_cast<int>(st)) + " " + httpStatus(st);
  int err = httpError(http);
  if (err == ETIMEDOUT) return "no answer within " + describe(o.io_timeout_ms);
  if (err == EPIPE || err == ECONNRESET) return "it closed the connection";
  if (err == EINVAL) return "it does not answer in IPP";  // libcups' verdict on a garbled reply
  if (err) return std::strerror(err);
  ipp_status_t last = cupsLastError();
  if (last != IPP_STATUS_OK && last != IPP_STATUS_ERROR_INTERNAL) return last_cups_error();
  return "its answer is not IPP";
}

// RFC 8011 §5.2.1: copies is optional; send it only where copies-supported
// admits the number, or the printer may reject the whole job.
bool supports_copies(http_t* http, const ipp_target& t, const job_document& doc) {
  ipp_t* req = ippNewRequest(IPP_OP_GET_PRINTER_ATTRIBUTES);
  add_common(req, t, doc);
  ippAddString(req, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes", nullptr, "copies-supported");
  ipp_t* resp = cupsDoRequest(http, req, t.resource.c_str());
  int upper = 1;
  ipp_attribute_t* a = resp ? ippFindAttribute(resp, "copies-supported", IPP_TAG_RANGE) : nullptr;
  if (a) ippGetRange(a, 0, &upper);
  ippDelete(resp);
  return static_cast<int64_t>(upper) >= doc.copies;
}

struct document_source {
  int fd = -1;
  size_t length = 0;
  ~document_source() {
    if (fd >= 0) ::close(fd);
  }
};

// Sends the document after the Print-Job request: from its file in chunks,
// or from memory. Exactly the announced length goes out (a file that grows
// meanwhile is cut; one that shrinks leaves the device waiting until the
// I/O timeout). Returns the HTTP status of the last write.
http_status_t send_document(http_t* http, const job_document& doc, const document_source& src) {
  if (src.fd < 0) return cupsWriteRequestData(http, doc.bytes.data(), doc.bytes.size());
  char buf[1 << 16];
  http_status_t st = HTTP_STATUS_CONTINUE;
  for (size_t left = src.length; left > 0 && st == HTTP_STATUS_CONTINUE;) {
    ssize_t n = ::read(src.fd, buf, std::min(left, sizeof buf));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    left -= static_cast<size_t>(n);
    st = cupsWriteRequestData(http, buf, static_cast<size_t>(n));
  }
  return st;
}

void fail(ipp_job& j, std::string why) {
  j.then = ipp_job::next::finish;
  j.outcome = failed(std::move(why));
}

// What the device said about its job, in a Print-Job or Get-Job-Attributes
// response: finish the delivery or keep polling.
void judge_job_state(ipp_job& j, ipp_t* resp) {
  int state = ippGetInteger(ippFindAttribute(resp, "job-state", IPP_TAG_ENUM), 0);
  std::string reasons = keywords(resp, "job-state-reasons");
  std::string message = trimmed(text_of(resp, "job-state-message"));
  std::string detail = reasons.empty() ? message : message.empty() ? reasons : reasons + " (" + message + ")";
  if (state == IPP_JSTATE_COMPLETED) {
    j.then = ipp_job::next::finish;
    j.outcome = succeeded({});
    j.confirmation = "the printer's job " + std::to_string(j.device_job_id) + " completed";
    ipp_attribute_t* imp = ippFindAttribute(resp, "job-impressions-completed", IPP_TAG_INTEGER);
    if (imp && ippGetInteger(imp, 0) > 0) {
      int n = ippGetInteger(imp, 0);
      j.confirmation.append(" (").append(std::to_string(n)).append(n == 1 ? " impression)" : " impressions)");
    }
    return;
  }
  if (state == IPP_JSTATE_ABORTED || state == IPP_JSTATE_CANCELED) {
    std::string why = state == IPP_JSTATE_ABORTED ? "the printer aborted the job" : "the printer canceled the job";
    if (!detail.empty()) why.append(": ").append(detail);
    return fail(j, std::move(why));
  }
  j.then = ipp_job::next::poll;
  j.last_seen = state ? ippEnumString("job-state", state) : "unknown";
  if (!detail.empty()) j.last_seen.append(", ").append(detail);
}

// One Print-Job try (RFC 8011 §4.2.1). Busy and unreachable devices are
// retried; anything after the device may have taken the document is not.
void submit(ipp_job& j, const ipp_target& t, const ipp_driver_options& o) {
  j.tries += 1;
  document_source src;
  if (!j.doc.path.empty()) {
    src.fd = ::open(j.doc.path.c_str(), O_RDONLY | O_CLOEXEC);
    struct stat st {};
    if (src.fd < 0 || ::fstat(src.fd, &st) != 0)
      return fail(j, "cannot read the document " + j.doc.path + ": " + std::strerror(errno));
    src.length = static_cast<size_t>(st.st_size);
  } else {
    src.length = j.doc.bytes.size();
  }
  if (j.http) httpClose(j.http);
  j.http = open_connection(t, o, j.problem);
  if (!j.http) {
    j.then = ipp_job::next::retry;
    j.busy = false;
    return;
  }
  ipp_t* req = ippNewRequest(IPP_OP_PRINT_JOB);
  add_common(req, t, j.doc);
  std::string name = j.doc.title.empty() ? "job " + std::to_string(j.doc.job_id) : j.doc.title;
  ippAddString(req, IPP_TAG_OPERATION, IPP_TAG_NAME, "job-name", nullptr, name.c_str());
  std::string format = j.doc.format.empty() ? "application/octet-stream" : j.doc.format;
  ippAddString(req, IPP_TAG_OPERATION, IPP_TAG_MIMETYPE, "document-format", nullptr, format.c_str());
  bool copies_dropped = false;
  if (j.doc.copies > 1) {
    if (supports_copies(j.http, t, j.doc))
      ippAddInteger(req, IPP_TAG_JOB, IPP_TAG_INTEGER, "copies", static_cast<int>(j.doc.copies));
    else
      copies_dropped = true;
  }
  // The HTTP body is the IPP message and the document after it.
  http_status_t st = cupsSendRequest(j.http, req, t.resource.c_str(), ippLength(req) + src.length);
  ippDelete(req);
  int err = httpError(j.http);
  if (st == HTTP_STATUS_SERVICE_UNAVAILABLE ||
      (st == HTTP_STATUS_ERROR && (err == ECONNREFUSED || err == ETIMEDOUT))) {
    // Only the request's head went out: the device has nothing to print.
    j.then = ipp_job::next::retry;
    j.busy = st == HTTP_STATUS_SERVICE_UNAVAILABLE;
    j.problem = exchange_problem(j.http, st, o);
    return;
  }
  if (st == HTTP_STATUS_CONTINUE) st = send_document(j.http, j.doc, src);
  ipp_t* resp = nullptr;
  if (st == HTTP_STATUS_CONTINUE || st == HTTP_STATUS_OK) resp = cupsGetResponse(j.http, t.resource.c_str());
  if (!resp) {
    std::string why = "the printer at " + t.where();
    return fail(j, why.append(" did not take the job: ").append(exchange_problem(j.http, st, o)));
  }
  ipp_status_t status = ippGetStatusCode(resp);
  if (status == IPP_STATUS_ERROR_BUSY || status == IPP_STATUS_ERROR_SERVICE_UNAVAILABLE) {
    ippDelete(resp);
    j.then = ipp_job::next::retry;
    j.busy = true;
    j.problem = ippErrorString(status);
    return;
  }
  if (status > IPP_STATUS_OK_EVENTS_COMPLETE) {
    std::string why = "the printer refused the job: ";
    why.append(ippErrorString(status));
    std::string msg = text_of(resp, "status-message");
    if (!msg.empty()) why.append(" (").append(msg).append(")");
    ippDelete(resp);
    return fail(j, std::move(why));
  }
  j.accepted = true;
  j.device_job_id = ippGetInteger(ippFindAttribute(resp, "job-id", IPP_TAG_INTEGER), 0);
  if (j.device_job_id <= 0) {
    j.then = ipp_job::next::finish;
    j.outcome = succeeded({});
    j.confirmation = "the printer accepted the document (it gave no job id to follow)";
  } else {
    judge_job_state(j, resp);
  }
  ippDelete(resp);
  if (copies_dropped && j.outcome.ok)
    j.confirmation.append("; the printer takes no copies, so one was printed");
}

// Best effort, when Quire gives up on a job the device still holds.
void cancel_on_device(ipp_job& j, const ipp_target& t) {
  if (!j.http || j.device_job_id <= 0) return;
  ipp_t* req = ippNewRequest(IPP_OP_CANCEL_JOB);
  add_common(req, t, j.doc);
  ippAddInteger(req, IPP_TAG_OPERATION, IPP_TAG_INTEGER, "job-id", j.device_job_id);
  ippDelete(cupsDoRequest(j.http, req, t.resource.c_str()));
}

ipp_t* get_job_attributes(ipp_job& j, const ipp_target& t) {
  static const char* const wanted[] = {"job-state", "job-state-reasons", "job-state-message",
                                       "job-impressions-completed"};
  ipp_t* req = ippNewRequest(IPP_OP_GET_JOB_ATTRIBUTES);
  add_common(req, t, j.doc);
  ippAddInteger(req, IPP_TAG_OPERATION, IPP_TAG_INTEGER, "job-id", j.device_job_id);
  ippAddStrings(req, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes", 4, nullptr, wanted);
  return cupsDoRequest(j.http, req, t.resource.c_str());
}

// One Get-Job-Attributes poll (RFC 8011 §4.3.4). The device keeps its job
// whatever happens here, so failures only mean "ask again later".
void poll(ipp_job& j, const ipp_target& t, const ipp_driver_options& o) {
  if (std::chrono::steady_clock::now() - j.started > std::chrono::milliseconds(o.job_timeout_ms)) {
    if (!j.http) j.http = open_connection(t, o, j.problem);
    cancel_on_device(j, t);
    std::string why = "the printer did not finish the job in " + describe(o.job_timeout_ms);
    if (!j.last_seen.empty()) why.append(" (last seen: ").append(j.last_seen).append(")");
    return fail(j, std::move(why));
  }
  ipp_t* resp = nullptr;
  // A kept-alive connection the device has since closed fails once: reopen.
  for (int attempt = 0; attempt < 2 && !resp; ++attempt) {
    if (!j.http) j.http = open_connection(t, o, j.problem);
    if (!j.http) break;
    resp = get_job_attributes(j, t);
    if (!resp) {
      j.problem = exchange_problem(j.http, HTTP_STATUS_ERROR, o);
      httpClose(j.http);
      j.http = nullptr;
    }
  }
  j.then = ipp_job::next::poll;
  if (!resp) {
    j.last_seen = "unreachable: " + j.problem;
    return;
  }
  ipp_status_t status = ippGetStatusCode(resp);
  if (status == IPP_STATUS_ERROR_NOT_FOUND || (status >= IPP_STATUS_ERROR_BAD_REQUEST &&
                                               status < IPP_STATUS_ERROR_INTERNAL)) {
    // Small printers forget finished jobs within seconds; some refuse
    // Get-Job-Attributes. The document was accepted: call it done, and say so.
    j.then = ipp_job::next::finish;
    j.outcome = succeeded({});
    j.confirmation = "the printer accepted the document as job " + std::to_string(j.device_job_id);
    if (status == IPP_STATUS_ERROR_NOT_FOUND)
      j.confirmation.append(" and has since forgotten it; assumed completed");
    else
      j.confirmation.append(" but cannot be followed (").append(ippErrorString(status)).append("); assumed completed");
  } else if (status > IPP_STATUS_OK_EVENTS_COMPLETE) {
    j.last_seen = ippErrorString(status);
  } else {
    judge_job_state(j, resp);
  }
  ippDelete(resp);
}

// The thread-pool side of a step.
struct step_work {
  uv_work_t req;
  std::shared_ptr<ipp_driver> driver;
  std::unique_ptr<ipp_job> job;
  ipp_target target;
  ipp_driver_options opts;
};

void run_on_pool(uv_work_t* req) {
  auto* w = static_cast<step_work*>(req->data);
  ipp_job& j = *w->job;
  if (j.accepted)
    poll(j, w->target, w->opts);
  else
    submit(j, w->target, w->opts);
  if (j.then == ipp_job::next::finish && j.http) {
    httpClose(j.http);  // may say goodbye over TLS: keep it off the loop
    j.http = nullptr;
  }
}

void after_pool(uv_work_t* req, int status) {
  std::unique_ptr<step_work> w(static_cast<step_work*>(req->data));
  w->driver->step_done(std::move(w->job), status);
}

// A back-off or poll wait on the loop.
struct wait_timer {
  uv_timer_t handle;
  std::shared_ptr<ipp_driver> driver;
  std::unique_ptr<ipp_job> job;
};

void on_wait_closed(uv_handle_t* h) { delete static_cast<wait_timer*>(h->data); }

void on_wait_over(uv_timer_t* t) {
  auto* w = static_cast<wait_timer*>(t->data);
  auto driver = std::move(w->driver);
  auto job = std::move(w->job);
  uv_close(reinterpret_cast<uv_handle_t*>(t), &on_wait_closed);
  driver->wait_done(std::move(job));
}

uint64_t backoff_ms(const ipp_driver_options& o, int retry) {
  uint64_t d = o.backoff_ms;
  for (int i = 1; i < retry && d < o.max_backoff_ms; ++i) d *= 2;
  return std::min(d, o.max_backoff_ms);
}

}  // namespace

ipp_driver::ipp_driver(uv_loop_t* loop, ipp_target target, ipp_driver_options opts)
    : loop_(loop), target_(std::move(target)), opts_(opts) {}

void ipp_driver::deliver(job_document doc, callback done) {
  auto j = std::make_unique<ipp_job>();
  j->doc = std::move(doc);
  j->done = std::move(done);
  queued_.push_back(std::move(j));
  if (!busy_) start_next();
}

void ipp_driver::start_next() {
  if (queued_.empty()) return;
  auto j = std::move(queued_.front());
  queued_.pop_front();
  busy_ = true;
  j->started = std::chrono::steady_clock::now();
  run_step(std::move(j));
}

void ipp_driver::run_step(std::unique_ptr<ipp_job> job) {
  auto w = std::make_unique<step_work>();
  w->req.data = w.get();
  w->driver = shared_from_this();
  w->job = std::move(job);
  w->target = target_;
  w->opts = opts_;
  int rc = uv_queue_work(loop_, &w->req, &run_on_pool, &after_pool);
  if (rc != 0) return finish(std::move(w->job), failed(std::string("cannot queue the delivery: ").append(uv_strerror(rc))));
  w.release();  // after_pool owns it
}

namespace {

// One Get-Printer-Attributes for document-format-supported, on the pool.
struct probe_work {
  uv_work_t req{};
  std::shared_ptr<ipp_driver> driver;  // alive until the answer
  ipp_target target;
  ipp_driver_options opts;
  driver::formats_callback done;
  std::vector<std::string> formats;
};

void probe_on_pool(uv_work_t* req) {
  auto* w = static_cast<probe_work*>(req->data);
  std::string why;
  http_t* http = open_connection(w->target, w->opts, why);
  if (!http) return;
  ipp_t* rq = ippNewRequest(IPP_OP_GET_PRINTER_ATTRIBUTES);
  ippAddString(rq, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", nullptr, w->target.uri.c_str());
  ippAddString(rq, IPP_TAG_OPERATION, IPP_TAG_NAME, "requesting-user-name", nullptr, "quire");
  ippAddString(rq, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes", nullptr, "document-format-supported");
  ipp_t* resp = cupsDoRequest(http, rq, w->target.resource.c_str());
  if (ipp_attribute_t* a = resp ? ippFindAttribute(resp, "document-format-supported", IPP_TAG_MIMETYPE) : nullptr)
    for (int i = 0; i < ippGetCount(a) && i < 256; ++i)
      if (const char* f = ippGetString(a, i, nullptr)) w->formats.emplace_back(f);
  ippDelete(resp);
  httpClose(http);
}

void probe_after_pool(uv_work_t* req, int) {
  std::unique_ptr<probe_work> w(static_cast<probe_work*>(req->data));
  w->done(std::move(w->formats));
}

}  // namespace

void ipp_driver::probe_formats(formats_callback done) {
  auto w = std::make_unique<probe_work>();
  w->req.data = w.get();
  w->driver = shared_from_this();
  w->target = target_;
  w->opts = opts_;
  w->done = std::move(done);
  if (uv_queue_work(loop_, &w->req, &probe_on_pool, &probe_after_pool) != 0) return w->done({});
  w.release();  // probe_after_pool owns it
}

void ipp_driver::wait_then_step(std::unique_ptr<ipp_job> job, uint64_t delay_ms) {
  auto w = std::make_unique<wait_timer>();
  w->handle.data = w.get();
  uv_timer_init(loop_, &w->handle);
  w->driver = shared_from_this();
  w->job = std::move(job);
  uv_timer_start(&w->handle, &on_wait_over, delay_ms, 0);
  // A wait does not keep the loop alive: a stopping server must not be held
  // up for as long as a printer takes (the loop's owner keeps it running).
  uv_unref(reinterpret_cast<uv_handle_t*>(&w->handle));
  w.release();  // on_wait_closed frees it
}

void ipp_driver::wait_done(std::unique_ptr<ipp_job> job) { run_step(std::move(job)); }

void ipp_driver::step_done(std::unique_ptr<ipp_job> job, int status) {
  if (status == UV_ECANCELED) return finish(std::move(job), failed("delivery canceled: the server is stopping"));
  switch (job->then) {
    case ipp_job::next::finish: {
      delivery_result r = std::move(job->outcome);
      if (r.ok) r.confirmation = std::move(job->confirmation);
      return finish(std::move(job), std::move(r));
    }
    case ipp_job::next::poll:
      return wait_then_step(std::move(job), opts_.poll_interval_ms);
    case ipp_job::next::retry:
      if (static_cast<uint32_t>(job->tries) <= opts_.retries) {
        // The delay first: the order of the arguments is the compiler's, and
        // clang moves `job` out before reading job->tries (found by UBSan).
        uint64_t delay = backoff_ms(opts_, job->tries);
        return wait_then_step(std::move(job), delay);
      }
      std::string why = "the printer at " + target_.where();
      why.append(job->busy ? " is busy (" : " cannot be reached (")
          .append(std::to_string(job->tries))
          .append(job->tries == 1 ? " try): " : " tries): ")
          .append(job->problem);
      auto r = failed(std::move(why));
      r.unreachable = true;  // no Print-Job was accepted: the device has nothing of it
      return finish(std::move(job), std::move(r));
  }
}

void ipp_driver::finish(std::unique_ptr<ipp_job> job, delivery_result r) {
  auto done = std::move(job->done);
  job.reset();  // closes a connection left open (cancellation)
  busy_ = false;
  done(std::move(r));
  if (!busy_) start_next();
}

result<std::shared_ptr<driver>> make_ipp_driver(uv_loop_t* loop, const std::string& uri,
                                                const ipp_driver_options& opts) {
  char scheme[32], userpass[256], host[256], resource[1024];
  int port = 0;
  http_uri_status_t st = httpSeparateURI(HTTP_URI_CODING_ALL, uri.c_str(), scheme, sizeof scheme, userpass,
                                         sizeof userpass, host, sizeof host, &port, resource, sizeof resource);
  if (st < HTTP_URI_STATUS_OK)
    return error{errc::invalid_argument, "device URI '" + uri + "': " + httpURIStatusString(st)};
  ipp_target t;
  t.uri = uri;
  t.tls = std::strcmp(scheme, "ipps") == 0;
  if (!t.tls && std::strcmp(scheme, "ipp") != 0)
    return error{errc::invalid_argument, "device URI '" + uri + "' is not ipp:// or ipps://"};
  if (!*host) return error{errc::invalid_argument, "device URI '" + uri + "' names no host"};
  t.host = host;
  t.port = port > 0 ? port : 631;  // RFC 8010 §8.1.1, RFC 7472 §4: both schemes default to 631
  t.resource = *resource ? resource : "/";
  ipp_driver_options o = opts;
  o.retries = std::min<uint32_t>(o.retries, 100);
  o.backoff_ms = std::max<uint64_t>(o.backoff_ms, 1);
  o.max_backoff_ms = std::max(o.max_backoff_ms, o.backoff_ms);
  o.connect_timeout_ms = std::clamp<uint64_t>(o.connect_timeout_ms, 100, 3'600'000);  // an int for libcups
  o.io_timeout_ms = std::max<uint64_t>(o.io_timeout_ms, 1'000);
  o.poll_interval_ms = std::max<uint64_t>(o.poll_interval_ms, 10);
  o.job_timeout_ms = std::max<uint64_t>(o.job_timeout_ms, 1);
  return std::shared_ptr<driver>(std::make_shared<ipp_driver>(loop, std::move(t), o));
}

}  // namespace quire::devices
