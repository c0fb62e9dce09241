// quire-snmp-sim: one process that plays N SNMP v1/v2c printers, one UDP
// port each on 127.0.0.1 (base..base+N-1), for bench/snmp_bench.py and for
// trying quired's monitoring by hand against many devices at once.
//
// Each printer serves the objects a poll asks for (devices/printer_mib.hpp):
// the system group, the Host Resources printer rows (RFC 2790) and the
// Printer MIB's general, cover, marker, supplies and alert rows (RFC 3805),
// and answers GET, GETNEXT and GETBULK (RFC 3416 §4.2) over them in
// lexicographic order, in the version it was asked in. A wrong community is
// dropped silently, as a real agent does.
//
// Commands arrive as lines on stdin and, with --control FILE, as lines
// appended to FILE (polled every 200 ms, from its end at start); each gets
// one line on stdout: `ok`, `error: ...`, or the `stats` line. When stdin is
// a pipe or a terminal and it closes, the simulator exits (its controller is
// gone) unless --control was given. SIGINT and SIGTERM exit it cleanly.
//
// One libuv loop, one uv_udp_t per printer; a printer's object list is built
// per request (about 30 rows: cheap next to the syscalls), so there is no
// cache to keep in step with the clock.
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uv.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protocols/snmp/message.hpp"

namespace {

using quire::snmp::message;
using quire::snmp::oid;
using quire::snmp::pdu_type;
using quire::snmp::value;
using quire::snmp::value_kind;
using quire::snmp::varbind;

constexpr size_t max_datagram = 65507;
constexpr size_t max_bulk_varbinds = 1000;  // quired's decoder takes at most 1024
constexpr uint64_t page_every_ms = 5000;    // the life count grows by one every 5 s
constexpr int32_t too_big = 1, no_such_name = 2, not_writable = 17;

enum class mode { normal, garbage, wrong_id, wrong_community, truncated, oversized, many_rows, from_other_port, backwards };
constexpr std::pair<std::string_view, mode> mode_names[] = {
    {"normal", mode::normal},           {"garbage", mode::garbage},
    {"wrong-id", mode::wrong_id},       {"wrong-community", mode::wrong_community},
    {"truncated", mode::truncated},     {"oversized", mode::oversized},
    {"many-rows", mode::many_rows},     {"from-other-port", mode::from_other_port},
    {"backwards", mode::backwards}};

struct fleet;

struct printer {
  uv_udp_t udp{};  // udp.data points here
  fleet* owner = nullptr;
  uint32_t index = 0;
  bool silent = false;
  mode how = mode::normal;
  int32_t device_status = 2;   // running
  int32_t printer_status = 3;  // idle
  uint16_t error_bits = 0;
  bool jam_alert = false;
  int32_t black_level = 80;
  int64_t pages_base = 0;
  uint64_t pages_since_ms = 0;
  uint64_t rng = 0;

  void heal() {
    device_status = 2;
    printer_status = 3;
    error_bits = 0;
    jam_alert = false;
    black_level = 80;
  }
};

struct counters {
  uint64_t received = 0, answered = 0, silent = 0, malformed = 0, wrong_community = 0, unsupported = 0,
           send_errors = 0;
};

struct fleet {
  uv_loop_t* loop = nullptr;
  std::unique_ptr<printer[]> printers;  // handles must not move
  uint32_t count = 0;
  uint16_t base_port = 0;
  std::string community = "public";
  std::string control_path;
  uint64_t start_ms = 0;
  counters stats;
  // Control input.
  uv_pipe_t stdin_pipe{};
  uv_tty_t stdin_tty{};
  uv_timer_t control_timer{};
  uv_signal_t sigint{}, sigterm{};
  std::string stdin_partial, file_partial;
  int control_fd = -1;
  off_t control_offset = -1;  // -1: not opened yet
};

void say(const std::string& line) {
  std::fputs((line + "\n").c_str(), stdout);
  std::fflush(stdout);
}

[[noreturn]] void die(const std::string& why) {
  std::fprintf(stderr, "quire-snmp-sim: %s\n", why.c_str());
  std::exit(2);
}

// --- the objects a printer serves ----------------------------------------------

value integer(int64_t n) { value v; v.kind = value_kind::integer; v.integer = n; return v; }
value octets(std::string s) { value v; v.kind = value_kind::octets; v.octets = std::move(s); return v; }
value numeric(value_kind k, uint64_t n) { value v; v.kind = k; v.number = n; return v; }
value exception(value_kind k) { value v; v.kind = k; return v; }

using entry = std::pair<oid, value>;

oid under(std::initializer_list<uint32_t> tail) {
  oid o{1, 3, 6, 1, 2, 1};
  o.insert(o.end(), tail);
  return o;
}

uint64_t life_count(const printer& p, uint64_t now_ms) {
  int64_t n = p.pages_base + static_cast<int64_t>((now_ms - p.pages_since_ms) / page_every_ms);
  return static_cast<uint64_t>(std::clamp<int64_t>(n, 0, 0xFFFFFFFFLL));  // a Counter32
}

// The printer's objects, built in lexicographic order (checked below).
std::vector<entry> objects_of(const fleet& f, const printer& p, uint64_t now_ms) {
  static const char* const toners[] = {"Black Toner", "Cyan Toner", "Magenta Toner", "Yellow Toner"};
  uint32_t rows = p.how == mode::many_rows ? 10000 : 4;
  std::vector<entry> out;
  out.reserve(16 + 6 * rows);
  std::string descr = p.how == mode::oversized ? std::string(60000, 'x') : "Quire simulated printer";
  out.emplace_back(under({1, 1, 0}), octets(std::move(descr)));
  out.emplace_back(under({1, 3, 0}), numeric(value_kind::timeticks, (now_ms - f.start_ms) / 10));
  out.emplace_back(under({1, 5, 0}), octets("sim-" + std::to_string(p.index)));
  out.emplace_back(under({25, 3, 2, 1, 5, 1}), integer(p.device_status));
  out.emplace_back(under({25, 3, 5, 1, 1, 1}), integer(p.printer_status));
  // RFC 2790: bit 0 is the most significant bit of the first octet.
  std::string bits{static_cast<char>(p.error_bits >> 8), static_cast<char>(p.error_bits & 0xFF)};
  out.emplace_back(under({25, 3, 5, 1, 2, 1}), octets(std::move(bits)));
  out.emplace_back(under({43, 5, 1, 1, 17, 1}), octets("SIM-" + std::to_string(p.index)));
  out.emplace_back(under({43, 6, 1, 1, 2, 1, 1}), octets("Front Cover"));
  out.emplace_back(under({43, 6, 1, 1, 3, 1, 1}), integer(4));  // coverClosed
  out.emplace_back(under({43, 10, 2, 1, 4, 1, 1}), numeric(value_kind::counter32, life_count(p, now_ms)));
  // prtMarkerSuppliesTable columns 4..9: class (3 consumed), type (3 toner),
  // description, unit (19 percent), max capacity, level (RFC 3805 §4.4.12).
  for (uint32_t c = 4; c <= 9; ++c)
    for (uint32_t r = 1; r <= rows; ++r) {
      value v;
      switch (c) {
        case 4: v = integer(3); break;
        case 5: v = integer(3); break;
        case 6: v = octets(r <= 4 ? toners[r - 1] : "Extra Supply " + std::to_string(r)); break;
        case 7: v = integer(19); break;
        case 8: v = integer(100); break;
        default: v = integer(r == 1 ? p.black_level : 80); break;
      }
      out.emplace_back(under({43, 11, 1, 1, c, 1, r}), std::move(v));
    }
  if (p.jam_alert) {  // prtAlertTable: severity critical, group 8, code jam
    out.emplace_back(under({43, 18, 1, 1, 2, 1, 1}), integer(3));
    out.emplace_back(under({43, 18, 1, 1, 4, 1, 1}), integer(8));
    out.emplace_back(under({43, 18, 1, 1, 7, 1, 1}), integer(8));
    out.emplace_back(under({43, 18, 1, 1, 8, 1, 1}), octets("Paper jam"));
  }
  return out;
}

const entry* exact(const std::vector<entry>& mib, const oid& name) {
  auto it = std::lower_bound(mib.begin(), mib.end(), name, [](const entry& e, const oid& n) { return e.first < n; });
  return it != mib.end() && it->first == name ? &*it : nullptr;
}

const entry* successor(const std::vector<entry>& mib, const oid& name) {
  auto it = std::upper_bound(mib.begin(), mib.end(), name, [](const oid& n, const entry& e) { return n < e.first; });
  return it != mib.end() ? &*it : nullptr;
}

// --- answering -------------------------------------------------------------------

// SNMPv1 fails a whole request for one name (RFC 1157 §4.1.2): the request's
// varbinds come back with error-index pointing at it.
message v1_failure(message out, const message& req, size_t k) {
  out.error_status = no_such_name;
  out.error_index = static_cast<int32_t>(k + 1);
  out.varbinds = req.varbinds;
  return out;
}

// RFC 3416 §4.2.3: non-repeaters get one successor each, then the rest are
// walked side by side, max-repetitions times or until all are at the end.
void bulk(const std::vector<entry>& mib, const message& req, message& out) {
  size_t n = static_cast<size_t>(std::clamp<int64_t>(req.error_status, 0, req.varbinds.size()));
  size_t reps = static_cast<size_t>(std::max<int32_t>(req.error_index, 0));
  for (size_t k = 0; k < n; ++k) {
    const entry* e = successor(mib, req.varbinds[k].name);
    out.varbinds.push_back(e ? varbind{e->first, e->second} : varbind{req.varbinds[k].name,
                                                                      exception(value_kind::end_of_mib_view)});
  }
  std::vector<oid> cursor;
  for (size_t k = n; k < req.varbinds.size(); ++k) cursor.push_back(req.varbinds[k].name);
  for (size_t r = 0; r < reps && !cursor.empty() && out.varbinds.size() < max_bulk_varbinds; ++r) {
    bool any = false;
    for (auto& c : cursor) {
      const entry* e = successor(mib, c);
      if (e) {
        c = e->first;
        any = true;
        out.varbinds.push_back({e->first, e->second});
      } else {
        out.varbinds.push_back({c, exception(value_kind::end_of_mib_view)});
      }
    }
    if (!any) break;
  }
}

// The response to `req`, or nothing for a PDU an agent does not answer.
std::optional<message> answer(printer& p, const message& req, uint64_t now_ms) {
  bool v1 = req.ver == quire::snmp::version::v1;
  message out;
  out.ver = req.ver;
  out.community = req.community;
  out.type = pdu_type::response;
  out.request_id = req.request_id;
  if (req.type != pdu_type::get && req.type != pdu_type::get_next && req.type != pdu_type::get_bulk &&
      req.type != pdu_type::set)
    return std::nullopt;
  if (req.type == pdu_type::get_bulk && v1) return std::nullopt;  // no GETBULK in v1
  if (req.type == pdu_type::set) {
    if (v1 || req.varbinds.empty()) return v1_failure(std::move(out), req, 0);
    out.error_status = not_writable;
    out.error_index = 1;
    out.varbinds = req.varbinds;
    return out;
  }
  if (p.how == mode::backwards) p.pages_base -= 100;
  auto mib = objects_of(*p.owner, p, now_ms);
  if (req.type == pdu_type::get_bulk) {
    bulk(mib, req, out);
    return out;
  }
  for (size_t k = 0; k < req.varbinds.size(); ++k) {
    const auto& name = req.varbinds[k].name;
    const entry* e = req.type == pdu_type::get ? exact(mib, name) : successor(mib, name);
    if (e) {
      out.varbinds.push_back({e->first, e->second});
    } else if (v1) {
      return v1_failure(std::move(out), req, k);
    } else {
      auto k2 = req.type == pdu_type::get ? value_kind::no_such_object : value_kind::end_of_mib_view;
      out.varbinds.push_back({name, exception(k2)});
    }
  }
  return out;
}

// Encodes `m`, fitting one datagram: a GETBULK answer loses rows from its
// end (RFC 3416 §4.2.3), any other becomes tooBig (§4.2.1).
std::string encode_fitting(message m, const message& req) {
  std::string bytes = quire::snmp::encode(m);
  while (bytes.size() > max_datagram && req.type == pdu_type::get_bulk && m.varbinds.size() > 1) {
    m.varbinds.resize(m.varbinds.size() * 3 / 4);
    bytes = quire::snmp::encode(m);
  }
  if (bytes.size() > max_datagram) {
    m.error_status = too_big;
    m.error_index = 0;
    m.varbinds.clear();
    if (m.ver == quire::snmp::version::v1) m.varbinds = req.varbinds;
    bytes = quire::snmp::encode(m);
  }
  return bytes;
}

uint64_t next_random(uint64_t& s) {  // xorshift64: deterministic garbage
  s ^= s << 13;
  s ^= s >> 7;
  s ^= s << 17;
  return s;
}

struct send_req {
  uv_udp_send_t req{};
  std::string bytes;
};

void send_to(fleet& f, uv_udp_t* via, std::string bytes, const sockaddr* to) {
  uv_buf_t b = uv_buf_init(bytes.data(), static_cast<unsigned>(bytes.size()));
  int rc = uv_udp_try_send(via, &b, 1, to);
  if (rc >= 0) {
    f.stats.answered += 1;
    return;
  }
  if (rc != UV_EAGAIN) {
    f.stats.send_errors += 1;
    return;
  }
  auto* s = new send_req{};
  s->bytes = std::move(bytes);
  s->req.data = &f;
  b = uv_buf_init(s->bytes.data(), static_cast<unsigned>(s->bytes.size()));
  rc = uv_udp_send(&s->req, via, &b, 1, to, [](uv_udp_send_t* r, int status) {
    auto* s = reinterpret_cast<send_req*>(r);
    auto& fl = *static_cast<fleet*>(r->data);
    (status == 0 ? fl.stats.answered : fl.stats.send_errors) += 1;
    delete s;
  });
  if (rc != 0) {
    f.stats.send_errors += 1;
    delete s;
  }
}

void on_datagram(uv_udp_t* h, ssize_t n, const uv_buf_t* buf, const sockaddr* from, unsigned flags) {
  if (n <= 0 || from == nullptr) return;  // 0 with no sender: nothing more to read
  auto& p = *static_cast<printer*>(h->data);
  auto& f = *p.owner;
  f.stats.received += 1;
  if (p.silent) return void(f.stats.silent += 1);
  auto req = quire::snmp::decode(std::string_view(buf->base, static_cast<size_t>(n)));
  if ((flags & UV_UDP_PARTIAL) || !req) return void(f.stats.malformed += 1);
  if (req->community != f.community) return void(f.stats.wrong_community += 1);
  auto reply = answer(p, *req, uv_now(f.loop));
  if (!reply) return void(f.stats.unsupported += 1);
  if (p.how == mode::wrong_id) reply->request_id = static_cast<int32_t>(static_cast<uint32_t>(req->request_id) + 1);
  if (p.how == mode::wrong_community) reply->community = "not-" + f.community;
  std::string bytes = encode_fitting(std::move(*reply), *req);
  if (p.how == mode::truncated) bytes.resize(bytes.size() / 2);
  if (p.how == mode::garbage) {
    bytes.resize(1 + next_random(p.rng) % 256);
    for (auto& c : bytes) c = static_cast<char>(next_random(p.rng));
  }
  uv_udp_t* via = p.how == mode::from_other_port ? &f.printers[(p.index + 1) % f.count].udp : h;
  send_to(f, via, std::move(bytes), from);
}

void on_alloc(uv_handle_t*, size_t, uv_buf_t* buf) {
  // One loop thread, and each datagram is handled before the next is read.
  static char space[65536];
  *buf = uv_buf_init(space, sizeof space);
}

// --- control -----------------------------------------------------------------------

bool parse_int(std::string_view s, int64_t lo, int64_t hi, int64_t& out) {
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size() && out >= lo && out <= hi;
}

std::string stats_line(const fleet& f) {
  const auto& s = f.stats;
  return "stats received=" + std::to_string(s.received) + " answered=" + std::to_string(s.answered) +
         " silent=" + std::to_string(s.silent) + " malformed=" + std::to_string(s.malformed) +
         " wrong_community=" + std::to_string(s.wrong_community) + " unsupported=" + std::to_string(s.unsupported) +
         " send_errors=" + std::to_string(s.send_errors) + " uptime_ms=" + std::to_string(uv_now(f.loop) - f.start_ms);
}

// Runs one command line; returns the line to print ("" for a blank line).
std::string run_command(fleet& f, std::string_view line) {
  std::vector<std::string_view> w;
  for (size_t i = 0; i < line.size();) {
    while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
    size_t j = i;
    while (j < line.size() && !std::isspace(static_cast<unsigned char>(line[j]))) ++j;
    if (j > i) w.push_back(line.substr(i, j - i));
    i = j;
  }
  if (w.empty()) return "";
  if (w[0] == "stats" && w.size() == 1) return stats_line(f);
  int64_t i = 0, n = 0;
  if (w.size() < 2 || !parse_int(w[1], 0, f.count - 1, i))
    return "error: expected `" + std::string(w[0]) + " PRINTER` with PRINTER in 0.." + std::to_string(f.count - 1);
  printer& p = f.printers[static_cast<size_t>(i)];
  std::string_view cmd = w[0];
  if (w.size() == 2) {
    if (cmd == "jam") {
      p.error_bits |= 0x0400;  // jammed
      p.device_status = 3;     // warning
      p.printer_status = 1;    // other
      p.jam_alert = true;
    } else if (cmd == "clear") {
      p.heal();
    } else if (cmd == "paper") {
      p.error_bits |= 0x4000;  // noPaper
    } else if (cmd == "silent" || cmd == "answer") {
      p.silent = cmd == "silent";
    } else {
      return "error: unknown command '" + std::string(cmd) + "'";
    }
    return "ok";
  }
  if (w.size() == 3 && cmd == "toner" && parse_int(w[2], -3, 0x7FFFFFFF, n)) {
    p.black_level = static_cast<int32_t>(n);
  } else if (w.size() == 3 && cmd == "pages" && parse_int(w[2], 0, 0xFFFFFFFFLL, n)) {
    p.pages_base = n;
    p.pages_since_ms = uv_now(f.loop);
  } else if (w.size() == 3 && cmd == "mode") {
    auto it = std::find_if(std::begin(mode_names), std::end(mode_names), [&](auto& m) { return m.first == w[2]; });
    if (it == std::end(mode_names)) return "error: unknown mode '" + std::string(w[2]) + "'";
    p.how = it->second;
  } else {
    return "error: cannot read '" + std::string(line) + "'";
  }
  return "ok";
}

// Runs every whole line in `partial` + `data`, keeping the unfinished rest.
void take_input(fleet& f, std::string& partial, std::string_view data) {
  partial.append(data);
  size_t start = 0;
  for (size_t nl; (nl = partial.find('\n', start)) != std::string::npos; start = nl + 1) {
    std::string reply = run_command(f, std::string_view(partial).substr(start, nl - start));
    if (!reply.empty()) say(reply);
  }
  partial.erase(0, start);
}

void shut_down(fleet& f) {
  uv_walk(f.loop, [](uv_handle_t* h, void*) { if (!uv_is_closing(h)) uv_close(h, nullptr); }, nullptr);
}

void on_stdin(uv_stream_t* s, ssize_t n, const uv_buf_t* buf) {
  auto& f = *static_cast<fleet*>(s->data);
  if (n > 0) take_input(f, f.stdin_partial, std::string_view(buf->base, static_cast<size_t>(n)));
  if (n < 0) {
    if (!f.stdin_partial.empty()) take_input(f, f.stdin_partial, "\n");
    uv_read_stop(s);
    if (f.control_path.empty()) shut_down(f);  // the controller is gone
  }
}

// Reads what was appended to the control file since the last look.
void poll_control_file(uv_timer_t* t) {
  auto& f = *static_cast<fleet*>(t->data);
  if (f.control_fd < 0) {
    f.control_fd = ::open(f.control_path.c_str(), O_RDONLY | O_CLOEXEC);
    if (f.control_fd < 0) return;  // not there yet
    if (f.control_offset < 0) f.control_offset = 0;  // created after we started: all of it is new
  }
  struct stat st{};
  if (::fstat(f.control_fd, &st) == 0 && st.st_size < f.control_offset) f.control_offset = 0;  // truncated
  char chunk[8192];
  for (ssize_t n; (n = ::pread(f.control_fd, chunk, sizeof chunk, f.control_offset)) > 0;) {
    f.control_offset += n;
    take_input(f, f.file_partial, std::string_view(chunk, static_cast<size_t>(n)));
  }
}

void start_control(fleet& f) {
  uv_handle_type kind = uv_guess_handle(0);
  uv_stream_t* in = nullptr;
  if (kind == UV_NAMED_PIPE && uv_pipe_init(f.loop, &f.stdin_pipe, 0) == 0 && uv_pipe_open(&f.stdin_pipe, 0) == 0)
    in = reinterpret_cast<uv_stream_t*>(&f.stdin_pipe);
  else if (kind == UV_TTY && uv_tty_init(f.loop, &f.stdin_tty, 0, 1) == 0)
    in = reinterpret_cast<uv_stream_t*>(&f.stdin_tty);
  if (in) {
    in->data = &f;
    uv_read_start(
        in, [](uv_handle_t*, size_t, uv_buf_t* b) {
          static char space[8192];
          *b = uv_buf_init(space, sizeof space);
        },
        on_stdin);
  } else {  // a file or /dev/null: its lines once, then run on
    char chunk[8192];
    for (ssize_t n; (n = ::read(0, chunk, sizeof chunk)) > 0;)
      take_input(f, f.stdin_partial, std::string_view(chunk, static_cast<size_t>(n)));
  }
  if (!f.control_path.empty()) {
    f.control_fd = ::open(f.control_path.c_str(), O_RDONLY | O_CLOEXEC);
    struct stat st{};
    if (f.control_fd >= 0 && ::fstat(f.control_fd, &st) == 0) f.control_offset = st.st_size;  // only what comes
    uv_timer_init(f.loop, &f.control_timer);
    f.control_timer.data = &f;
    uv_timer_start(&f.control_timer, poll_control_file, 200, 200);
  }
  for (auto* s : {&f.sigint, &f.sigterm}) {
    uv_signal_init(f.loop, s);
    s->data = &f;
    uv_signal_start(s, [](uv_signal_t* h, int) { shut_down(*static_cast<fleet*>(h->data)); },
                    s == &f.sigint ? SIGINT : SIGTERM);
  }
}

// --- start ---------------------------------------------------------------------------

constexpr const char* usage =
    "usage: quire-snmp-sim --printers N --base-port P [--community public] [--control FILE]\n"
    "Plays N SNMP v1/v2c printers on 127.0.0.1:P..P+N-1. Commands on stdin (and lines appended\n"
    "to FILE): jam I, clear I, paper I, toner I LEVEL, pages I N, silent I, answer I,\n"
    "mode I normal|garbage|wrong-id|wrong-community|truncated|oversized|many-rows|from-other-port|backwards,\n"
    "stats.\n";

void parse_args(int argc, char** argv, fleet& f) {
  int64_t printers = 0, base = 0;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "--help" || a == "-h") {
      std::fputs(usage, stdout);
      std::exit(0);
    }
    if (i + 1 >= argc) die("missing value after " + std::string(a) + "\n" + usage);
    std::string_view v = argv[++i];
    if (a == "--printers" && parse_int(v, 1, 65535, printers)) continue;
    if (a == "--base-port" && parse_int(v, 1, 65535, base)) continue;
    if (a == "--community" && !v.empty()) f.community = v;
    else if (a == "--control" && !v.empty()) f.control_path = v;
    else die("bad argument " + std::string(a) + " " + std::string(v) + "\n" + usage);
  }
  if (printers == 0 || base == 0) die(std::string("--printers and --base-port are required\n") + usage);
  if (base + printers - 1 > 65535) die("the ports would pass 65535");
  f.count = static_cast<uint32_t>(printers);
  f.base_port = static_cast<uint16_t>(base);
}

void raise_file_limit(uint32_t sockets) {
  rlimit r{};
  rlim_t need = sockets + 64;
  if (::getrlimit(RLIMIT_NOFILE, &r) != 0 || r.rlim_cur >= need) return;
  if (r.rlim_max != RLIM_INFINITY && r.rlim_max < need)
    die("need " + std::to_string(need) + " open files, the hard limit is " + std::to_string(r.rlim_max));
  r.rlim_cur = need;
  if (::setrlimit(RLIMIT_NOFILE, &r) != 0) die("cannot raise the open-file limit");
}

}  // namespace

int main(int argc, char** argv) {
  ::signal(SIGPIPE, SIG_IGN);
  fleet f;
  parse_args(argc, argv, f);
  raise_file_limit(f.count);
  f.loop = uv_default_loop();
  f.start_ms = uv_now(f.loop);
  f.printers = std::make_unique<printer[]>(f.count);
  for (uint32_t i = 0; i < f.count; ++i) {
    printer& p = f.printers[i];
    p.owner = &f;
    p.index = i;
    p.pages_base = 1000 + i;
    p.pages_since_ms = f.start_ms;
    p.rng = 0x9E3779B97F4A7C15ULL * (i + 1);
    uv_udp_init(f.loop, &p.udp);
    p.udp.data = &p;
    sockaddr_in addr{};
    uv_ip4_addr("127.0.0.1", f.base_port + static_cast<int>(i), &addr);
    int rc = uv_udp_bind(&p.udp, reinterpret_cast<const sockaddr*>(&addr), 0);
    if (rc == 0) rc = uv_udp_recv_start(&p.udp, on_alloc, on_datagram);
    if (rc != 0)
      die("cannot bind 127.0.0.1:" + std::to_string(f.base_port + i) + ": " + uv_strerror(rc));
  }
  {  // a broken order would make GETNEXT skip objects: check it once
    auto mib = objects_of(f, f.printers[0], f.start_ms);
    if (!std::is_sorted(mib.begin(), mib.end(), [](const entry& a, const entry& b) { return a.first < b.first; }))
      die("internal error: the object list is out of order");
  }
  say("ready " + std::to_string(f.count) + " " + std::to_string(f.base_port));
  start_control(f);
  uv_run(f.loop, UV_RUN_DEFAULT);
  uv_loop_close(f.loop);
  return 0;
}
