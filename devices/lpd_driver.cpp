#include "devices/lpd_driver.hpp"

#include <algorithm>

namespace quire::devices {

namespace {

// A control-file operand: printable, one line, at most `max` octets.
std::string operand(const std::string& value, size_t max, const char* fallback) {
  std::string out;
  for (char c : value) {
    if (out.size() == max) break;
    auto u = static_cast<unsigned char>(c);
    out.push_back(u < 0x20 || u == 0x7F ? ' ' : c);
  }
  return out.empty() ? fallback : out;
}

// The host part of file names: it ends the name, so no space and no '/'.
std::string file_host(const std::string& host) {
  std::string out;
  for (char c : host) {
    if (out.size() == 31) break;
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-')
      out.push_back(c);
  }
  return out.empty() ? "quire" : out;
}

}  // namespace

lpd_job_files lpd_files_for(const job_document& doc) {
  lpd_job_files f;
  f.number = static_cast<unsigned>(doc.job_id % 1000);
  f.host = file_host(doc.host);
  char nnn[4];
  std::snprintf(nnn, sizeof nnn, "%03u", f.number);
  f.data_name.append("dfA").append(nnn).append(f.host);
  f.control_name.append("cfA").append(nnn).append(f.host);
  std::string title = operand(doc.title, 99, "");
  if (title.empty()) title = "job " + std::to_string(doc.job_id);
  f.control.append("H").append(operand(doc.host, 31, "quire")).append("\n");
  f.control.append("P").append(operand(doc.user, 31, "quire")).append("\n");
  f.control.append("J").append(title).append("\n");
  for (uint32_t i = 0; i < std::max<uint32_t>(doc.copies, 1); ++i) f.control.append("l").append(f.data_name).append("\n");
  f.control.append("N").append(title).append("\n");
  return f;
}

namespace {

// "<code><count> <name>\n": the subcommand lines of RFC 1179 6.2 and 6.3.
std::string file_line(char code, uint64_t count, const std::string& name) {
  std::string out(1, code);
  out += std::to_string(count);
  out += ' ';
  out += name;
  out += '\n';
  return out;
}

class lpd_delivery final : public network_delivery {
 public:
  lpd_delivery(uv_loop_t* loop, device_address where, network_options opts, job_document doc,
               driver::callback done, std::string queue)
      : network_delivery(loop, std::move(where), opts, std::move(doc), std::move(done)), queue_(std::move(queue)) {
    keep_replies_ = true;
  }

 private:
  using step = void (*)(lpd_delivery*);

  const char* device_noun() const override { return "LPD server"; }

  void speak() override {
    // A count of 0 means "until the connection closes" to some servers and
    // is refused by others (Quire's among them): send nothing at all.
    if (size_ == 0) return fail("the document is empty; an LPD server cannot be sent an empty file");
    files_ = lpd_files_for(doc_);
    total_ = size_;
    counted_from_ = UINT64_MAX;  // byte counts in messages start with the data file
    // RFC 1179 5.2: receive a printer job.
    line_ = std::string(1, '\x02');
    line_ += queue_;
    line_ += '\n';
    command(line_, "the receive-job command", [](lpd_delivery* self, uint8_t ack) {
      if (ack == 0) return self->send_data();
      std::string why = "the LPD server refused queue '";
      why.append(self->queue_).append("' (nack ").append(std::to_string(ack)).append(")");
      self->retry_or_fail(std::move(why));
    });
  }

  // RFC 1179 6.3: receive data file.
  void send_data() {
    line_ = file_line('\x03', size_, files_.data_name);
    command(line_, "the data file", [](lpd_delivery* self, uint8_t ack) {
      if (ack != 0) return self->fail(nack("the LPD server refused the data file", ack));
      self->mark_accepted();
      self->counted_from_ = self->link_->written();
      self->pump();
    });
  }

  void pump() {
    reader_->next([self = shared_self()](const std::string& err, std::string_view chunk) {
      if (self->finished()) return;
      if (!err.empty()) return self->fail(err);
      if (!chunk.empty()) return self->write(chunk, [](lpd_delivery* s) { s->pump(); });
      // The file ends with one zero octet, which the server acknowledges.
      self->command(std::string_view("\0", 1), "the end of the data file", [](lpd_delivery* s, uint8_t ack) {
        if (ack != 0) return s->fail(nack("the LPD server did not take the data file", ack));
        s->send_control();
      });
    });
  }

  // RFC 1179 6.2: receive control file; its ack completes the job.
  void send_control() {
    line_ = file_line('\x02', files_.control.size(), files_.control_name);
    command(line_, "the control file", [](lpd_delivery* self, uint8_t ack) {
      if (ack != 0) return self->fail(nack("the LPD server refused the control file", ack));
      self->files_.control.push_back('\0');
      self->command(self->files_.control, "the end of the control file", [](lpd_delivery* s, uint8_t a) {
        if (a != 0) return s->fail(nack("the LPD server did not take the control file", a));
        s->succeed("accepted by the LPD server");
      });
    });
  }

  static std::string nack(const char* what, uint8_t ack) {
    std::string out(what);
    return out.append(" (nack ").append(std::to_string(ack)).append(")");
  }

  void write(std::string_view data, step then) {
    link_->write(data, [self = shared_self(), then](link_error e) {
      if (self->finished()) return;
      if (e) return self->failed(e);
      then(self.get());
    });
  }

  // Writes `data` (which must outlive the write) and reads the one-octet answer.
  void command(std::string_view data, const char* what, void (*then)(lpd_delivery*, uint8_t)) {
    waiting_for_ = what;
    link_->write(data, [self = shared_self(), then](link_error e) {
      if (self->finished()) return;
      if (e) return self->failed(e);
      self->link_->read_byte([self, then](link_error e2, uint8_t ack) {
        if (self->finished()) return;
        if (e2) return self->failed(e2);
        then(self.get(), ack);
      });
    });
  }

  // Before the data file was acked, a connection that dropped is like a
  // refused one (retry_or_fail retries only while nothing was accepted).
  void failed(const link_error& e) {
    std::string why = describe(e);
    if (e.kind == link_failure::ack_timeout || e.kind == link_failure::peer_closed ||
        e.kind == link_failure::reset)
      why.append(" (waiting for the acknowledgement of ").append(waiting_for_).append(")");
    if (e.kind == link_failure::peer_closed || e.kind == link_failure::reset) return retry_or_fail(std::move(why));
    fail(std::move(why));
  }

  std::shared_ptr<lpd_delivery> shared_self() { return std::static_pointer_cast<lpd_delivery>(shared_from_this()); }

  std::string queue_;
  lpd_job_files files_;
  std::string line_;  // the command line being sent; lives until its ack
  const char* waiting_for_ = "";
};

}  // namespace

std::shared_ptr<network_delivery> lpd_driver::make_delivery(job_document doc, callback done) {
  return std::make_shared<lpd_delivery>(loop_, where_, opts_, std::move(doc), std::move(done), queue_);
}

}  // namespace quire::devices
