// Configuration vs. state (ARCHITECTURE.md): the config file declares
// price lists, printers, queues, projects and quotas; at start they are written to
// storage, which is the source of truth at run time (the fleet actor,
// fleet_keeper.hpp, changes them from then on).
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

project_record to_record(const project_config& p) {
  project_record r;
  r.name = p.name;
  r.description = p.description;
  r.groups = p.groups;
  r.origin = record_origin::config;
  return r;
}

quota_record to_record(const quota_config& q) {
  return quota_record{q.name, q.groups, q.users, to_string(q.period), q.sheets, record_origin::config};
}

// Writes the file's entries of one family and erases the ones an earlier
// file declared and this one no longer does; what the API made stays.
template <class Config, class Record, class ToRecord>
void apply_family(write_batch& batch, cf family, const std::vector<Config>& declared,
                  const std::vector<Record>& stored, ToRecord to_record) {
  std::set<std::string> names;
  for (const auto& c : declared) {
    names.insert(c.name);
    batch.put(family, c.name, encode_record(to_record(c)));
  }
  for (const auto& r : stored)
    if (r.origin == record_origin::config && !names.count(r.name)) batch.erase(family, r.name);
}

}  // namespace

status apply_config(store& st, const config& cfg) {
  write_batch batch;
  auto list = [](const pdl::price_list& l) { return to_price_list_record(l, record_origin::config); };
  apply_family(batch, cf::price_lists, cfg.prices, st.list_price_lists(), list);
  apply_family(batch, cf::printers, cfg.printers, st.list_printers(),
               [](const printer_config& p) { return to_record(p); });
  apply_family(batch, cf::queues, cfg.queues, st.list_queues(), [](const queue_config& q) { return to_record(q); });
  apply_family(batch, cf::projects, cfg.projects, st.list_projects(),
               [](const project_config& p) { return to_record(p); });
  apply_family(batch, cf::quotas, cfg.quotas, st.list_quotas(), [](const quota_config& q) { return to_record(q); });
  std::promise<status> done;
  auto result = done.get_future();
  st.commit(std::move(batch), [&done](const status& s) { done.set_value(s); });
  return result.get();
}

}  // namespace quire
