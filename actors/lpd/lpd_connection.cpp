#include "actors/lpd/lpd_connection.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <map>

#include "actors/lpd/spooled_document.hpp"

namespace quire {

namespace {

constexpr char ack = '\0';
constexpr char nack = '\1';

void discard(stream_document& d) {
  if (!d.upload_path.empty()) ::unlink(d.upload_path.c_str());
  d.upload_path.clear();
}

class lpd_connection final : public io::stream_handler {
 public:
  lpd_connection(io::stream_connection& conn, std::shared_ptr<const lpd_context> ctx)
      : conn_(conn), ctx_(std::move(ctx)) {}

  ~lpd_connection() override { drop_job(); }

  void on_data(std::string_view bytes) override {
    if (stage_ == stage::waiting) {
      pending_.append(bytes);
      return;
    }
    process(bytes);
  }

  void on_end(bool clean) override {
    if (stage_ == stage::receiving && (has_partial_job() || !session_->at_boundary()))
      spdlog::info("lpd: {}: the connection ended in the middle of a job for '{}'; its files are dropped",
                   conn_.peer_host(), queue_);
    else if (!clean && stage_ != stage::waiting)
      spdlog::debug("lpd: {}: connection dropped", conn_.peer_host());
    drop_job();
    stage_ = stage::done;
    conn_.close();
  }

 private:
  enum class stage : uint8_t { command, receiving, waiting, done };

  void process(std::string_view in) {
    std::vector<lpd::receive_session::event> events;
    while (!in.empty() && (stage_ == stage::command || stage_ == stage::receiving)) {
      if (stage_ == stage::command) {
        auto step = line_.feed(in);
        in.remove_prefix(step.consumed);
        if (line_.failed()) return refuse_and_close("bad command line: " + line_.error().message);
        if (step.complete) run_command(step.line);
        continue;
      }
      events.clear();
      size_t n = session_->feed(in, events);
      in.remove_prefix(n);
      for (const auto& e : events) {
        handle(e);
        if (stage_ != stage::receiving) break;
      }
      if (stage_ == stage::receiving && session_->aborted()) {
        spdlog::info("lpd: {}: the sender aborted its job for '{}'", conn_.peer_host(), queue_);
        drop_job();
        stage_ = stage::done;
        conn_.close();
      }
      if (n == 0 && events.empty()) break;
    }
    if (stage_ == stage::waiting && !in.empty()) pending_.append(in);
  }

  void run_command(std::string_view line) {
    auto cmd = lpd::parse_command(line);
    if (!cmd) return refuse_and_close(cmd.err().message);
    switch (cmd->code) {
      case lpd::command_code::print_waiting:  // jobs start by themselves
        stage_ = stage::done;
        conn_.close();
        return;
      case lpd::command_code::receive_job:
        if (!ctx_->queue_exists(cmd->queue)) return refuse_and_close("there is no queue '" + cmd->queue + "'");
        queue_ = cmd->queue;
        session_ = std::make_unique<lpd::receive_session>(ctx_->session);
        stage_ = stage::receiving;
        conn_.write(std::string(1, ack));
        return;
      case lpd::command_code::queue_state_short:
      case lpd::command_code::queue_state_long:
      case lpd::command_code::remove_jobs: {
        auto req = std::make_shared<lpd_request>();
        req->cmd = std::move(*cmd);
        req->peer_host = conn_.peer_host();
        req->reply = answer_with(std::function<void(std::string)>([this](std::string text) {
          conn_.write(std::move(text));
          stage_ = stage::done;
          conn_.close();
        }));
        stage_ = stage::waiting;
        conn_.pause();
        ctx_->ask(std::move(req));
        return;
      }
    }
  }

  // A callback for another thread that runs `fn` on the loop thread, with
  // this handler, if the connection still exists.
  template <class T>
  std::function<void(T)> answer_with(std::function<void(T)> fn) {
    io::stream_server* srv = ctx_->server;
    uint64_t id = conn_.id();
    return [srv, id, fn = std::move(fn)](T value) {
      srv->post(id, [fn, value = std::move(value)](io::stream_connection&) mutable { fn(std::move(value)); });
    };
  }

  void handle(const lpd::receive_session::event& e) {
    using kind = lpd::receive_session::event_kind;
    switch (e.kind) {
      case kind::subcommand: return decide(e.sub);
      case kind::body:
        if (current_) (void)current_->append(e.chunk);  // an error shows at file_end
        return;
      case kind::control_file_complete: {
        auto cf = lpd::parse_control_file(e.text);
        if (cf)
          control_ = std::move(*cf);
        else
          control_error_ = cf.err().message;
        return;
      }
      case kind::file_end: return file_end(e.sub);
      case kind::error: return refuse_and_close(e.text);
    }
  }

  // A control or data file is announced: take it, or refuse it up front.
  void decide(const lpd::subcommand& sub) {
    if (sub.kind == lpd::subcommand_kind::abort) return;  // aborted(): process() ends the job
    if (sub.kind == lpd::subcommand_kind::data_file && ctx_->max_document_bytes &&
        sub.count > ctx_->max_document_bytes) {
      spdlog::info("lpd: {}: refused data file {} of {} bytes (the limit is {})", conn_.peer_host(), sub.name,
                   sub.count, ctx_->max_document_bytes);
      session_->refuse();
      conn_.write(std::string(1, nack));
      return;
    }
    if (sub.kind == lpd::subcommand_kind::data_file)
      current_ = std::make_unique<spooled_document>(*ctx_->uploads, ctx_->inline_limit, ctx_->max_document_bytes);
    session_->accept();
    conn_.write(std::string(1, ack));
  }

  void file_end(const lpd::subcommand& sub) {
    if (sub.kind == lpd::subcommand_kind::control_file) {
      if (!control_error_.empty()) return refuse_and_close("bad control file " + sub.name + ": " + control_error_);
    } else {
      std::unique_ptr<spooled_document> doc = std::move(current_);
      stream_document d;
      status s = doc ? doc->finish_into(d) : status{errc::internal, "no data file in progress"};
      if (s) return refuse_and_close("data file " + sub.name + ": " + s.message);
      d.file_name = sub.name;
      if (auto old = received_.find(sub.name); old != received_.end()) discard(old->second);
      received_[sub.name] = std::move(d);
    }
    if (job_complete()) return submit();
    conn_.write(std::string(1, ack));
  }

  bool job_complete() const {
    if (!control_) return false;
    auto files = control_->data_files();
    if (files.empty()) return false;
    for (const auto& f : files)
      if (!received_.count(f)) return false;
    return true;
  }

  bool has_partial_job() const { return control_ || !received_.empty() || current_; }

  // Every file of the job is in: the actor makes it durable, then the last
  // ack goes out.
  void submit() {
    auto job = std::make_shared<stream_job>();
    job->door = stream_door::lpd;
    job->listener = "lpd";
    job->queue = queue_;
    job->peer_host = conn_.peer_host();
    for (const auto& name : control_->data_files()) {
      stream_document d = std::move(received_[name]);
      received_.erase(name);
      d.copies = static_cast<uint32_t>(control_->copies_of(name));
      for (const auto& entry : control_->entries)
        if (entry.file == name && !entry.source_name.empty()) d.source_name = entry.source_name;
      job->documents.push_back(std::move(d));
    }
    job->control = std::move(control_);
    control_.reset();
    drop_job();  // data files the control file does not name
    job->reply = answer_with(std::function<void(status)>([this](status s) { submitted(std::move(s)); }));
    stage_ = stage::waiting;
    conn_.pause();
    ctx_->submit(std::move(job));
  }

  void submitted(status s) {
    if (s) {
      conn_.write(std::string(1, nack));
      stage_ = stage::done;
      conn_.close();
      return;
    }
    conn_.write(std::string(1, ack));
    stage_ = stage::receiving;  // another job may follow on this connection
    conn_.resume();
    std::string rest = std::move(pending_);
    pending_.clear();
    if (!rest.empty()) process(rest);
  }

  void refuse_and_close(const std::string& why) {
    spdlog::info("lpd: {}: {}", conn_.peer_host(), why);
    drop_job();
    conn_.write(std::string(1, nack));
    stage_ = stage::done;
    conn_.close();
  }

  void drop_job() {
    for (auto& [name, d] : received_) discard(d);
    received_.clear();
    current_.reset();
    control_.reset();
    control_error_.clear();
  }

  io::stream_connection& conn_;
  std::shared_ptr<const lpd_context> ctx_;
  stage stage_ = stage::command;
  lpd::line_reader line_;
  std::unique_ptr<lpd::receive_session> session_;
  std::string queue_;
  std::string pending_;  // bytes that arrived while the actor worked
  std::optional<lpd::control_file> control_;
  std::string control_error_;
  std::unique_ptr<spooled_document> current_;  // the data file being received
  std::map<std::string, stream_document> received_;
};

}  // namespace

std::unique_ptr<io::stream_handler> make_lpd_connection(io::stream_connection& conn,
                                                        std::shared_ptr<const lpd_context> ctx) {
  return std::make_unique<lpd_connection>(conn, std::move(ctx));
}

}  // namespace quire
