#include "devices/snmp_poller.hpp"

#include <memory>

#include "protocols/snmp/walk.hpp"

namespace quire::devices {

namespace {

struct poll_run {
  snmp_client* client = nullptr;
  poll_target target;
  poll_options opts;
  std::function<void(poll_result)> done;
  std::vector<snmp::oid> scalar_names;
  std::vector<snmp::varbind> scalars;
  std::unique_ptr<snmp::table_walk> walk;
  poll_result out;
};
using run_ptr = std::shared_ptr<poll_run>;

constexpr int32_t no_such_name = 2;  // SNMPv1's error-status for a name it does not have

snmp::message request_of(const poll_run& r, snmp::pdu_type type, const std::vector<snmp::oid>& names) {
  snmp::message m;
  m.ver = r.target.ver;
  m.community = r.target.community;
  m.type = type;
  for (const auto& n : names) m.varbinds.push_back(snmp::varbind{n, {}});
  return m;
}

void finish(const run_ptr& r) {
  std::vector<column_rows> columns;
  if (r->walk)
    for (size_t i = 0; i < r->walk->columns(); ++i) columns.push_back(r->walk->rows(i));
  r->out.status = interpret(r->scalars, columns, r->out.warnings, r->opts.max_rows);
  auto done = std::move(r->done);
  done(std::move(r->out));
}

void walk_tables(const run_ptr& r);

void ask_scalars(const run_ptr& r) {
  r->out.requests += 1;
  r->client->request(
      r->target.address, request_of(*r, snmp::pdu_type::get, r->scalar_names), [r](result<snmp::message> got) {
        if (!got) {
          if (!r->out.answered) {
            r->out.error = got.err().message;
            auto done = std::move(r->done);
            return done(std::move(r->out));
          }
          r->out.warnings.push_back("status request: " + got.err().message);
          return walk_tables(r);
        }
        r->out.answered = true;
        const auto& m = *got;
        if (m.error_status == no_such_name && m.error_index >= 1 &&
            static_cast<size_t>(m.error_index) <= r->scalar_names.size() && r->out.requests < r->opts.max_requests) {
          // SNMPv1 fails the whole GET for one unknown name: ask again without it.
          r->scalar_names.erase(r->scalar_names.begin() + (m.error_index - 1));
          if (!r->scalar_names.empty()) return ask_scalars(r);
        } else if (m.error_status != 0) {
          r->out.warnings.push_back("the device refused the status request (error-status " +
                                    std::to_string(m.error_status) + ")");
        } else {
          r->scalars = m.varbinds;
        }
        walk_tables(r);
      });
}

void walk_tables(const run_ptr& r) {
  if (!r->walk) r->walk = std::make_unique<snmp::table_walk>(table_columns(), r->opts.max_rows + 1);
  auto& w = *r->walk;
  if (w.done()) return finish(r);
  if (r->out.requests >= r->opts.max_requests) {
    r->out.warnings.push_back("the tables need more than " + std::to_string(r->opts.max_requests) +
                              " requests; the rest is left out");
    return finish(r);
  }
  auto names = w.next_names();
  bool bulk = r->target.ver == snmp::version::v2c;
  auto m = request_of(*r, bulk ? snmp::pdu_type::get_bulk : snmp::pdu_type::get_next, names);
  if (bulk) {
    m.error_status = 0;  // non-repeaters
    m.error_index = static_cast<int32_t>(r->opts.max_repetitions);
  }
  r->out.requests += 1;
  r->client->request(r->target.address, std::move(m), [r, asked = names.size()](result<snmp::message> got) {
    if (!got) {
      r->out.warnings.push_back("tables: " + got.err().message);
      return finish(r);
    }
    r->out.answered = true;
    const auto& m = *got;
    if (m.error_status == no_such_name && m.error_index >= 1 && static_cast<size_t>(m.error_index) <= asked) {
      // SNMPv1's end of the MIB for one column: that column is done.
      r->walk->close_open_column(static_cast<size_t>(m.error_index - 1));
      return walk_tables(r);
    }
    if (m.error_status != 0) {
      r->out.warnings.push_back("the device refused a table request (error-status " +
                                std::to_string(m.error_status) + ")");
      return finish(r);
    }
    if (!r->walk->feed(m.varbinds)) r->out.warnings.push_back("a table walk got an empty answer");
    walk_tables(r);
  });
}

}  // namespace

void poll_device(snmp_client& client, const poll_target& target, const poll_options& opts,
                 std::function<void(poll_result)> done) {
  auto r = std::make_shared<poll_run>();
  r->client = &client;
  r->target = target;
  r->opts = opts;
  r->done = std::move(done);
  r->scalar_names = scalar_oids();
  ask_scalars(r);
}

}  // namespace quire::devices
