#include "devices/child_process.hpp"

#include <csignal>
#include <cstring>

namespace quire::devices {

struct child_process::state {
  uv_process_t proc{};
  uv_pipe_t in{};
  uv_pipe_t out{};
  output_fn on_output;
  exit_fn on_exit;
  exit_status status;
  int pid = 0;
  bool exited = false;
  bool output_ended = false;
  bool reported = false;
  bool orphaned = false;  // the owner is gone: report nothing
  int open_handles = 0;
  std::vector<char> buffer = std::vector<char>(64 * 1024);

  struct write_req {
    uv_write_t req;
    std::string data;
  };

  static void on_closed(uv_handle_t* h) {
    auto* s = static_cast<state*>(h->data);
    if (--s->open_handles == 0 && s->orphaned) delete s;  // else the owner's destructor frees it
  }

  void close(uv_handle_t* h) {
    if (!uv_is_closing(h)) uv_close(h, &on_closed);
  }

  // Exit is reported once the process ended and its stdout is drained, so
  // the last reply always arrives before the exit.
  void maybe_report() {
    if (reported || !exited || !output_ended) return;
    reported = true;
    close(reinterpret_cast<uv_handle_t*>(&in));
    close(reinterpret_cast<uv_handle_t*>(&out));
    close(reinterpret_cast<uv_handle_t*>(&proc));
    if (!orphaned && on_exit) on_exit(status);
  }

  static void on_exit_cb(uv_process_t* p, int64_t code, int signal) {
    auto* s = static_cast<state*>(p->data);
    s->exited = true;
    s->status = exit_status{code, signal};
    s->maybe_report();
  }

  static void on_alloc(uv_handle_t* h, size_t, uv_buf_t* buf) {
    auto* s = static_cast<state*>(h->data);
    *buf = uv_buf_init(s->buffer.data(), static_cast<unsigned>(s->buffer.size()));
  }

  static void on_read(uv_stream_t* st, ssize_t n, const uv_buf_t* buf) {
    auto* s = static_cast<state*>(st->data);
    if (n > 0) {
      if (!s->orphaned && s->on_output) s->on_output(std::string_view(buf->base, static_cast<size_t>(n)));
      return;
    }
    if (n < 0) {  // EOF or error: nothing more comes from this child
      uv_read_stop(st);
      s->output_ended = true;
      s->maybe_report();
    }
  }
};

result<std::unique_ptr<child_process>> child_process::spawn(uv_loop_t* loop, const std::vector<std::string>& argv,
                                                            const std::vector<std::string>& env, output_fn on_output,
                                                            exit_fn on_exit) {
  auto* s = new state;
  s->on_output = std::move(on_output);
  s->on_exit = std::move(on_exit);
  uv_pipe_init(loop, &s->in, 0);
  uv_pipe_init(loop, &s->out, 0);
  s->in.data = s->out.data = s->proc.data = s;
  s->open_handles = 2;

  std::vector<char*> args, envp;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  for (const auto& e : env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  uv_stdio_container_t stdio[3];
  stdio[0].flags = static_cast<uv_stdio_flags>(UV_CREATE_PIPE | UV_READABLE_PIPE);
  stdio[0].data.stream = reinterpret_cast<uv_stream_t*>(&s->in);
  stdio[1].flags = static_cast<uv_stdio_flags>(UV_CREATE_PIPE | UV_WRITABLE_PIPE);
  stdio[1].data.stream = reinterpret_cast<uv_stream_t*>(&s->out);
  stdio[2].flags = UV_INHERIT_FD;
  stdio[2].data.fd = 2;
  uv_process_options_t opts{};
  opts.file = args[0];
  opts.args = args.data();
  opts.env = envp.data();
  opts.exit_cb = &state::on_exit_cb;
  opts.stdio_count = 3;
  opts.stdio = stdio;
  int rc = uv_spawn(loop, &s->proc, &opts);
  if (rc != 0) {
    // A failed spawn still initialised the process handle: close all three.
    s->orphaned = true;
    s->open_handles = 3;
    s->close(reinterpret_cast<uv_handle_t*>(&s->proc));
    s->close(reinterpret_cast<uv_handle_t*>(&s->in));
    s->close(reinterpret_cast<uv_handle_t*>(&s->out));
    return error{errc::io_error, "cannot start " + argv[0] + ": " + uv_strerror(rc)};
  }
  s->open_handles = 3;
  s->pid = s->proc.pid;
  uv_read_start(reinterpret_cast<uv_stream_t*>(&s->out), &state::on_alloc, &state::on_read);
  return std::unique_ptr<child_process>(new child_process(s));
}

child_process::~child_process() {
  s_->orphaned = true;
  if (s_->open_handles == 0)
    delete s_;
  else
    kill();  // the handles close once it has exited and its output ended; the last frees s_
}

bool child_process::write(std::string bytes) {
  if (s_->exited || uv_is_closing(reinterpret_cast<uv_handle_t*>(&s_->in))) return false;
  auto* w = new state::write_req{};
  w->data = std::move(bytes);
  uv_buf_t buf = uv_buf_init(w->data.data(), static_cast<unsigned>(w->data.size()));
  int rc = uv_write(&w->req, reinterpret_cast<uv_stream_t*>(&s_->in), &buf, 1,
                    [](uv_write_t* req, int) { delete reinterpret_cast<state::write_req*>(req); });
  if (rc != 0) {
    delete w;
    return false;
  }
  return true;
}

void child_process::kill() {
  if (!s_->exited) uv_process_kill(&s_->proc, SIGKILL);
}

int child_process::pid() const { return s_->pid; }
bool child_process::running() const { return !s_->exited; }

size_t child_process::queued_bytes() const {
  return uv_stream_get_write_queue_size(reinterpret_cast<const uv_stream_t*>(&s_->in));
}

}  // namespace quire::devices
