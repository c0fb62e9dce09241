#include "actors/web_print.hpp"

#include <unistd.h>

#include "actors/ipp/ipp_render.hpp"
#include "actors/lpd/spooled_document.hpp"
#include "protocols/ipp/job_template.hpp"
#include "storage/spool.hpp"

namespace quire {

namespace {

class spooled_upload final : public web::print_upload {
 public:
  spooled_upload(spool& uploads, size_t inline_limit, uint64_t max_bytes) : doc_(uploads, inline_limit, max_bytes) {}
  status append(std::string_view bytes) override { return doc_.append(bytes); }
  uint64_t size() const override { return doc_.size(); }
  status finish_into(stream_document& out) { return doc_.finish_into(out); }

 private:
  spooled_document doc_;
};

// The spool upload of a submission until its job owns it: deleted when the
// submission fails (as an IPP call deletes its upload).
struct owned_upload {
  std::string path;
  owned_upload() = default;
  owned_upload(const owned_upload&) = delete;
  owned_upload& operator=(const owned_upload&) = delete;
  ~owned_upload() {
    if (!path.empty()) ::unlink(path.c_str());
  }
};

class actor_print_service final : public web::print_service {
 public:
  actor_print_service(caf::actor_system& sys, web_print_options opts) : sys_(sys), opts_(std::move(opts)) {}

  bool has_queue(const std::string& name) const override {
    fleet_ptr fl = opts_.fleet ? opts_.fleet->get() : nullptr;
    return fl && fl->queue(name);
  }

  result<std::unique_ptr<web::print_upload>> open_upload(uint64_t max_bytes) override {
    if (!opts_.uploads) return error(errc::unavailable, "no spool");
    return std::unique_ptr<web::print_upload>(
        std::make_unique<spooled_upload>(*opts_.uploads, opts_.inline_document_bytes, max_bytes));
  }

  void submit(const web::principal& by, web::print_ticket ticket, std::string peer,
              std::unique_ptr<web::print_upload> doc, web::job_callback cb) override {
    // Only open_upload() makes uploads: the cast is to our own type.
    auto* up = static_cast<spooled_upload*>(doc.get());
    stream_document sd;
    if (status s = up->finish_into(sd)) return cb(s);
    auto held = std::make_shared<owned_upload>();
    held->path = sd.upload_path;
    doc.reset();
    fleet_ptr fl = opts_.fleet ? opts_.fleet->get() : nullptr;
    const auto* queue = fl ? fl->queue(ticket.queue) : nullptr;
    if (!queue) return cb(error(errc::not_found, "there is no queue " + ticket.queue));
    new_job nj = web_print_job(ticket, by.name, peer, std::move(sd.inline_document), sd.upload_path, sd.size);
    sys_.spawn([to = queue->actor, nj = std::move(nj), held, money = opts_.money,
                cb = std::move(cb)](caf::event_based_actor* self) mutable {
      self->request(to, caf::infinite, submit_atom::value, std::move(nj))
          .then(
              [held, money, cb](job_record& job) {
                held->path.clear();  // the job owns it now
                job.pin_hash.clear();
                cb(web::job_view{std::move(job), money});
              },
              [cb](caf::error& e) { cb(error(code_of(e), message_of(e))); });
    });
  }

 private:
  caf::actor_system& sys_;
  web_print_options opts_;
};

}  // namespace

std::unique_ptr<web::print_service> make_print_service(caf::actor_system& sys, web_print_options opts) {
  return std::make_unique<actor_print_service>(sys, std::move(opts));
}

new_job web_print_job(const web::print_ticket& ticket, const std::string& by, const std::string& peer,
                      std::string inline_document, std::string upload_path, uint64_t size) {
  new_job nj;
  auto& rec = nj.record;
  rec.owner = by;
  rec.origin_host = peer;
  rec.name = ticket.name.empty() ? "Untitled" : ticket.name;
  // IPP's defaults for what the request does not say, as a Print-Job
  // without those attributes gets them.
  ipp::job_ticket t;
  t.copies = ticket.copies;
  if (!ticket.sides.empty()) t.sides = ticket.sides;
  if (!ticket.color_mode.empty()) t.color_mode = ticket.color_mode;
  store_ticket(t, rec);
  rec.held_by = hold_reason::none;  // a pull queue holds it (queue.cpp)
  rec.document_name = ticket.name;
  rec.document_format = ticket.format;
  rec.document_size = size;
  rec.document_in_spool = !upload_path.empty();
  nj.inline_document = std::move(inline_document);
  nj.upload_path = std::move(upload_path);
  return nj;
}

}  // namespace quire
