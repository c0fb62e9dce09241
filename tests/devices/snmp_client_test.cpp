// The SNMP transport and one poll, against agents played on the same libuv
// loop: answers are matched by id, sender, version and community; every
// hostile datagram is dropped without touching a request; a silent agent
// times out after its retries; v2c tables are walked with GETBULK and v1's
// with GETNEXT through noSuchName.
#include <doctest/doctest.h>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "devices/snmp_client.hpp"
#include "devices/snmp_poller.hpp"

using namespace quire;
using namespace quire::devices;
using snmp::oid;

namespace {

// A UDP socket on 127.0.0.1 that answers with whatever `reply` makes of each
// request: a list of datagrams (empty: silence).
struct fake_agent {
  uv_udp_t udp;
  sockaddr_storage address{};
  std::function<std::vector<std::string>(const snmp::message&)> reply;
  uv_udp_t* send_from = nullptr;  // another socket to answer from (the wrong sender)
  int requests = 0;

  explicit fake_agent(uv_loop_t* loop) {
    uv_udp_init(loop, &udp);
    udp.data = this;
    sockaddr_in any{};
    uv_ip4_addr("127.0.0.1", 0, &any);
    REQUIRE(uv_udp_bind(&udp, reinterpret_cast<const sockaddr*>(&any), 0) == 0);
    int len = sizeof address;
    uv_udp_getsockname(&udp, reinterpret_cast<sockaddr*>(&address), &len);
    uv_udp_recv_start(
        &udp,
        [](uv_handle_t*, size_t n, uv_buf_t* buf) {
          static char space[65536];
          *buf = uv_buf_init(space, static_cast<unsigned>(std::min<size_t>(n, sizeof space)));
        },
        [](uv_udp_t* h, ssize_t n, const uv_buf_t* buf, const sockaddr* from, unsigned) {
          auto* self = static_cast<fake_agent*>(h->data);
          if (n <= 0 || !from) return;
          auto req = snmp::decode(std::string_view(buf->base, static_cast<size_t>(n)));
          REQUIRE(req.ok());
          self->requests += 1;
          for (auto& out : self->reply(*req)) self->send(out, from);
        });
  }

  void send(const std::string& bytes, const sockaddr* to) {
    auto* req = new uv_udp_send_t;
    auto* copy = new std::string(bytes);
    req->data = copy;
    uv_buf_t b = uv_buf_init(copy->data(), static_cast<unsigned>(copy->size()));
    uv_udp_send(req, send_from ? send_from : &udp, &b, 1, to, [](uv_udp_send_t* r, int) {
      delete static_cast<std::string*>(r->data);
      delete r;
    });
  }

  void close() { uv_close(reinterpret_cast<uv_handle_t*>(&udp), nullptr); }
};

snmp::value integer(int64_t v) {
  snmp::value x;
  x.kind = snmp::value_kind::integer;
  x.integer = v;
  return x;
}
snmp::value octets(std::string s) {
  snmp::value x;
  x.kind = snmp::value_kind::octets;
  x.octets = std::move(s);
  return x;
}

// A printer's MIB: the scalars of a poll, two supplies, one alert.
std::map<oid, snmp::value> printer_mib(uint64_t pages = 4242) {
  std::map<oid, snmp::value> m;
  const auto& s = scalar_oids();
  m[s[0]] = octets("Fake printer");
  snmp::value ticks;
  ticks.kind = snmp::value_kind::timeticks;
  ticks.number = 100;
  m[s[1]] = ticks;
  m[s[2]] = octets("fake-1");
  m[s[3]] = integer(2);
  m[s[4]] = integer(3);
  m[s[5]] = octets(std::string("\x04\x00", 2));  // jammed
  m[s[6]] = octets("FAKE-SN");
  snmp::value c;
  c.kind = snmp::value_kind::counter32;
  c.number = pages;
  m[s[7]] = c;
  const auto& t = table_columns();
  for (uint32_t row = 1; row <= 2; ++row) {
    auto at = [&](size_t col) {
      oid o = t[col];
      o.push_back(row);
      return o;
    };
    m[at(0)] = integer(3);
    m[at(1)] = integer(3);
    m[at(2)] = octets(row == 1 ? "Black" : "Cyan");
    m[at(3)] = integer(100);
    m[at(4)] = integer(row == 1 ? 40 : 7);
  }
  auto alert = [&](size_t col) {
    oid o = t[col];
    o.push_back(1);
    return o;
  };
  m[alert(5)] = integer(3);
  m[alert(6)] = integer(8);
  m[alert(7)] = integer(8);
  m[alert(8)] = octets("Paper jam");
  oid after{1, 3, 6, 1, 6, 3, 1};  // something past the Printer MIB, as on a real agent
  m[after] = integer(1);
  return m;
}

// An honest agent over `mib` (v1 errors as v1 agents make them).
std::vector<std::string> answer(const std::map<oid, snmp::value>& mib, const snmp::message& req) {
  snmp::message r = req;
  r.type = snmp::pdu_type::response;
  r.error_status = r.error_index = 0;
  r.varbinds.clear();
  bool v1 = req.ver == snmp::version::v1;
  auto fail = [&](size_t i) {
    r.error_status = 2;
    r.error_index = static_cast<int32_t>(i + 1);
    r.varbinds = req.varbinds;
    return std::vector<std::string>{snmp::encode(r)};
  };
  auto next_of = [&](const oid& o) -> std::optional<std::pair<oid, snmp::value>> {
    auto it = mib.upper_bound(o);
    if (it == mib.end()) return std::nullopt;
    return *it;
  };
  if (req.type == snmp::pdu_type::get) {
    for (size_t i = 0; i < req.varbinds.size(); ++i) {
      auto it = mib.find(req.varbinds[i].name);
      if (it == mib.end()) {
        if (v1) return fail(i);
        snmp::value none;
        none.kind = snmp::value_kind::no_such_object;
        r.varbinds.push_back({req.varbinds[i].name, none});
      } else {
        r.varbinds.push_back({it->first, it->second});
      }
    }
  } else {
    size_t reps = req.type == snmp::pdu_type::get_bulk ? static_cast<size_t>(req.error_index) : 1;
    std::vector<oid> cursor;
    for (const auto& vb : req.varbinds) cursor.push_back(vb.name);
    for (size_t rep = 0; rep < reps; ++rep)
      for (size_t i = 0; i < cursor.size(); ++i) {
        auto n = next_of(cursor[i]);
        if (!n) {
          if (v1) return fail(i);
          snmp::value end;
          end.kind = snmp::value_kind::end_of_mib_view;
          r.varbinds.push_back({cursor[i], end});
          continue;
        }
        cursor[i] = n->first;
        r.varbinds.push_back({n->first, n->second});
      }
  }
  return {snmp::encode(r)};
}

struct fixture {
  uv_loop_t loop;
  std::vector<std::string> dropped;
  std::unique_ptr<snmp_client> client;

  fixture(uint32_t timeout_ms = 200, uint32_t retries = 1) {
    uv_loop_init(&loop);
    snmp_client_options o;
    o.timeout_ms = timeout_ms;
    o.retries = retries;
    o.on_drop = [this](const std::string& why) { dropped.push_back(why); };
    client = std::make_unique<snmp_client>(&loop, std::move(o));
  }
  ~fixture() {
    client->close();
    uv_run(&loop, UV_RUN_DEFAULT);
    CHECK(uv_loop_close(&loop) == 0);
  }

  // Runs one request to completion.
  result<snmp::message> ask(fake_agent& agent, snmp::message m) {
    std::optional<result<snmp::message>> got;
    client->request(agent.address, std::move(m), [&](result<snmp::message> r) { got = std::move(r); });
    while (!got) uv_run(&loop, UV_RUN_ONCE);
    return std::move(*got);
  }

  poll_result poll(fake_agent& agent, snmp::version v) {
    std::optional<poll_result> got;
    poll_target t;
    t.address = agent.address;
    t.ver = v;
    poll_device(*client, t, {}, [&](poll_result r) { got = std::move(r); });
    while (!got) uv_run(&loop, UV_RUN_ONCE);
    return std::move(*got);
  }
};

snmp::message get_descr(snmp::version v = snmp::version::v2c) {
  snmp::message m;
  m.ver = v;
  m.community = "public";
  m.type = snmp::pdu_type::get;
  m.varbinds.push_back({scalar_oids()[0], {}});
  return m;
}

}  // namespace

TEST_CASE("snmp client: an answer reaches its request") {
  fixture f;
  fake_agent agent(&f.loop);
  auto mib = printer_mib();
  agent.reply = [&](const snmp::message& m) { return answer(mib, m); };
  auto r = f.ask(agent, get_descr());
  REQUIRE(r.ok());
  REQUIRE(r->varbinds.size() == 1);
  CHECK(r->varbinds[0].val.octets == "Fake printer");
  CHECK(f.client->stats().answered == 1);
  CHECK(f.client->in_flight() == 0);
  agent.close();
}

TEST_CASE("snmp client: hostile datagrams are dropped and the real answer still counts") {
  fixture f;
  fake_agent agent(&f.loop);
  auto mib = printer_mib();
  agent.reply = [&](const snmp::message& m) {
    std::vector<std::string> out;
    out.push_back("\x30\x03garbage");                             // malformed BER
    snmp::message wrong = m;
    wrong.type = snmp::pdu_type::response;
    wrong.request_id = m.request_id + 1;                           // another request's id
    out.push_back(snmp::encode(wrong));
    wrong.request_id = m.request_id;
    wrong.community = "private";                                   // another community
    out.push_back(snmp::encode(wrong));
    wrong.community = m.community;
    wrong.ver = snmp::version::v1;                                 // another version
    out.push_back(snmp::encode(wrong));
    wrong.ver = m.ver;
    wrong.type = snmp::pdu_type::get;                              // not a response
    out.push_back(snmp::encode(wrong));
    auto honest = answer(mib, m);
    out.push_back(honest[0].substr(0, honest[0].size() / 2));      // truncated
    out.push_back(honest[0]);
    return out;
  };
  auto r = f.ask(agent, get_descr());
  REQUIRE(r.ok());
  CHECK(r->varbinds[0].val.octets == "Fake printer");
  CHECK(f.dropped.size() == 6);
  CHECK(f.client->stats().dropped == 6);
  agent.close();
}

TEST_CASE("snmp client: an answer from another address is not the device's") {
  fixture f(150, 0);
  fake_agent agent(&f.loop);
  fake_agent other(&f.loop);
  auto mib = printer_mib();
  agent.reply = [&](const snmp::message& m) { return answer(mib, m); };
  agent.send_from = &other.udp;  // the right answer, from the wrong port
  auto r = f.ask(agent, get_descr());
  CHECK_FALSE(r.ok());
  CHECK(r.err().code == errc::timeout);
  REQUIRE(f.dropped.size() == 1);
  CHECK(f.dropped[0].find("an answer to a request sent to") != std::string::npos);
  agent.close();
  other.close();
}

TEST_CASE("snmp client: a silent agent is asked again, then the request times out") {
  fixture f(100, 2);
  fake_agent agent(&f.loop);
  agent.reply = [](const snmp::message&) { return std::vector<std::string>{}; };
  auto r = f.ask(agent, get_descr());
  CHECK_FALSE(r.ok());
  CHECK(r.err().code == errc::timeout);
  CHECK(agent.requests == 3);
  CHECK(f.client->stats().timeouts == 1);
  CHECK(f.client->stats().sent == 3);
  agent.close();
}

TEST_CASE("snmp client: close fails what is pending and refuses more") {
  fixture f(5000, 0);
  fake_agent agent(&f.loop);
  agent.reply = [](const snmp::message&) { return std::vector<std::string>{}; };
  std::optional<result<snmp::message>> got;
  f.client->request(agent.address, get_descr(), [&](result<snmp::message> r) { got = std::move(r); });
  uv_run(&f.loop, UV_RUN_NOWAIT);
  f.client->close();
  REQUIRE(got);
  CHECK(got->err().code == errc::shutting_down);
  std::optional<result<snmp::message>> later;
  f.client->request(agent.address, get_descr(), [&](result<snmp::message> r) { later = std::move(r); });
  REQUIRE(later);
  CHECK(later->err().code == errc::shutting_down);
  agent.close();
}

TEST_CASE("snmp poll: a v2c device is read in two exchanges") {
  fixture f;
  fake_agent agent(&f.loop);
  auto mib = printer_mib();
  agent.reply = [&](const snmp::message& m) { return answer(mib, m); };
  auto r = f.poll(agent, snmp::version::v2c);
  REQUIRE(r.answered);
  CHECK(r.warnings.empty());
  CHECK(r.requests == 2);  // one GET, one GETBULK (2 rows < 8 repetitions)
  CHECK(r.status.serial == "FAKE-SN");
  CHECK(r.status.life_count == 4242);
  CHECK(r.status.error_bits == jammed);
  REQUIRE(r.status.supplies.size() == 2);
  CHECK(r.status.supplies[1].description == "Cyan");
  CHECK(r.status.supplies[1].level == 7);
  REQUIRE(r.status.alerts.size() == 1);
  CHECK(r.status.alerts[0].description == "Paper jam");
  CHECK(r.status.covers.empty());
  agent.close();
}

TEST_CASE("snmp poll: a v1 device is walked with GETNEXT through noSuchName") {
  fixture f;
  fake_agent agent(&f.loop);
  auto mib = printer_mib();
  mib.erase(scalar_oids()[6]);  // no serial number: v1 fails the whole GET for it
  oid end{1, 3, 6, 1, 6, 3, 1};
  mib.erase(end);               // the Printer MIB ends the agent's view
  agent.reply = [&](const snmp::message& m) { return answer(mib, m); };
  auto r = f.poll(agent, snmp::version::v1);
  REQUIRE(r.answered);
  CHECK(r.status.serial.empty());
  CHECK(r.status.life_count == 4242);
  REQUIRE(r.status.supplies.size() == 2);
  CHECK(r.status.supplies[0].level == 40);
  REQUIRE(r.status.alerts.size() == 1);
  CHECK(r.requests >= 4);
  agent.close();
}

TEST_CASE("snmp poll: a device that never answers is reported silent") {
  fixture f(100, 0);
  fake_agent agent(&f.loop);
  agent.reply = [](const snmp::message&) { return std::vector<std::string>{}; };
  auto r = f.poll(agent, snmp::version::v2c);
  CHECK_FALSE(r.answered);
  CHECK(r.error.find("no answer") != std::string::npos);
  agent.close();
}

TEST_CASE("snmp poll: a looping or endless table is cut, not followed forever") {
  fixture f;
  fake_agent agent(&f.loop);
  auto mib = printer_mib();
  // 500 supply rows: kept to max_rows (64), the walk stops at the request cap.
  const auto& t = table_columns();
  for (uint32_t row = 3; row <= 500; ++row)
    for (size_t col = 0; col < 5; ++col) {
      oid o = t[col];
      o.push_back(row);
      mib[o] = col == 2 ? octets("s" + std::to_string(row)) : integer(50);
    }
  agent.reply = [&](const snmp::message& m) { return answer(mib, m); };
  auto r = f.poll(agent, snmp::version::v2c);
  REQUIRE(r.answered);
  CHECK(r.status.supplies.size() == 64);
  CHECK(r.status.truncated);
  CHECK(r.requests <= 32);
  agent.close();
}
