// Configuration vs. state (ARCHITECTURE.md): the config file declares
// printers and queues; at start they are written to storage, which is the
// source of truth at run time.
#include <future>
#include <set>

#include "actors/site.hpp"
#include "storage/store.hpp"

namespace quire {

namespace {

printer_record to_record(const printer_config& p) {
  printer_record r;
  r.name = p.name;
  r.device_uri = p.device_uri;
  r.language = p.language;
  r.location = p.location;
  r.info = p.info;
  r.make_and_model = p.make_and_model;
  r.price_list = p.price_list;
  r.origin = record_origin::config;
  return r;
}

queue_record to_record(const queue_config& q) {
  queue_record r;
  r.name = q.name;
  r.type = q.kind == queue_kind::pull     ? queue_type::pull
           : q.kind == queue_kind::group  ? queue_type::group
                                           : queue_type::direct;
  r.printers = q.printers;
  r.location = q.location;
  r.info = q.info;
  r.auth_required = q.authentication;
  r.failover = q.failover;
  r.origin = record_origin::config;
  return r;
}

}  // namespace

status apply_config(store& st, const config& cfg) {
  write_batch batch;
  std::set<std::string> printers, queues;
  for (const auto& p : cfg.printers) {
    printers.insert(p.name);
    batch.put(cf::printers, p.name, encode_record(to_record(p)));
  }
  for (const auto& q : cfg.queues) {
    queues.insert(q.name);
    batch.put(cf::queues, q.name, encode_record(to_record(q)));
  }
  // What an earlier config declared and this one no longer does goes away.
  for (const auto& p : st.list_printers())
    if (p.origin == record_origin::config && !printers.count(p.name)) batch.erase(cf::printers, p.name);
  for (const auto& q : st.list_queues())
    if (q.origin == record_origin::config && !queues.count(q.name)) batch.erase(cf::queues, q.name);
  std::promise<status> done;
  auto result = done.get_future();
  st.commit(std::move(batch), [&done](const status& s) { done.set_value(s); });
  return result.get();
}

}  // namespace quire
