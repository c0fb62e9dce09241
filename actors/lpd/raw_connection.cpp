#include "actors/lpd/raw_connection.hpp"

#include <spdlog/spdlog.h>

#include "actors/lpd/spooled_document.hpp"

namespace quire {

namespace {

class raw_connection final : public io::stream_handler {
 public:
  raw_connection(io::stream_connection& conn, std::shared_ptr<const raw_context> ctx)
      : conn_(conn), ctx_(std::move(ctx)), doc_(*ctx_->uploads, ctx_->inline_limit, ctx_->max_document_bytes) {}

  void on_data(std::string_view bytes) override {
    if (failed_) return;
    if (status s = doc_.append(bytes)) {
      failed_ = true;
      spdlog::info("{}: {}: job dropped: {}", ctx_->listener, conn_.peer_host(), s.message);
      conn_.close();
    }
  }

  void on_end(bool clean) override {
    if (failed_) return;
    if (!clean) {
      if (doc_.size() > 0)
        spdlog::info("{}: {}: the connection broke after {} bytes; the job is dropped", ctx_->listener,
                     conn_.peer_host(), doc_.size());
      return;
    }
    if (doc_.size() == 0) return conn_.close();  // a connection test, not a job
    auto job = std::make_shared<stream_job>();
    job->door = stream_door::raw;
    job->listener = ctx_->listener;
    job->queue = ctx_->queue;
    job->peer_host = conn_.peer_host();
    job->documents.emplace_back();
    if (status s = doc_.finish_into(job->documents.back())) {
      spdlog::warn("{}: {}: job dropped: {}", ctx_->listener, conn_.peer_host(), s.message);
      return conn_.close();
    }
    io::stream_server* srv = ctx_->server;
    uint64_t id = conn_.id();
    // Closing is the only answer a raw sender understands: it comes once the
    // job is stored (or refused; then the log says why).
    job->reply = [srv, id](status) { srv->post(id, [](io::stream_connection& c) { c.close(); }); };
    conn_.pause();
    ctx_->submit(std::move(job));
  }

 private:
  io::stream_connection& conn_;
  std::shared_ptr<const raw_context> ctx_;
  spooled_document doc_;
  bool failed_ = false;
};

}  // namespace

std::unique_ptr<io::stream_handler> make_raw_connection(io::stream_connection& conn,
                                                        std::shared_ptr<const raw_context> ctx) {
  return std::make_unique<raw_connection>(conn, std::move(ctx));
}

}  // namespace quire
