#include "actors/messages.hpp"

namespace quire {

caf::error make_caf_error(errc code, std::string message) {
  return caf::error(static_cast<uint8_t>(code), errc_category, caf::make_message(std::move(message)));
}

caf::error make_caf_error(const error& e) { return make_caf_error(e.code, e.message); }

errc code_of(const caf::error& e) {
  if (!e) return errc::ok;
  if (e.category() != errc_category) return errc::internal;
  return static_cast<errc>(e.code());
}

std::string message_of(const caf::error& e) {
  if (e.category() == errc_category && e.context().match_elements<std::string>())
    return e.context().get_as<std::string>(0);
  return caf::to_string(e);
}

const fleet::printer_entry* fleet::printer(const std::string& name) const {
  auto it = printers.find(name);
  return it == printers.end() ? nullptr : &it->second;
}

const fleet::queue_entry* fleet::queue(const std::string& name) const {
  auto it = queues.find(name);
  return it == queues.end() ? nullptr : &it->second;
}

const project_record* fleet::project(const std::string& name) const {
  if (!projects) return nullptr;
  auto it = projects->find(name);
  return it == projects->end() ? nullptr : &it->second;
}

std::vector<std::pair<std::string, printer_actor>> fleet::printers_of(const queue_record& q) const {
  std::vector<std::pair<std::string, printer_actor>> out;
  for (const auto& name : q.printers)
    if (const auto* p = printer(name)) out.emplace_back(name, p->actor);
  return out;
}

void register_message_types(caf::actor_system_config& cfg) {
  cfg.add_message_type<error>("quire_error");
  cfg.add_message_type<job_record>("job_record");
  cfg.add_message_type<requester>("requester");
  cfg.add_message_type<new_job>("new_job");
  cfg.add_message_type<job_command>("job_command");
  cfg.add_message_type<job_document>("job_document");
  cfg.add_message_type<delivery_ticket>("delivery_ticket");
  cfg.add_message_type<delivery_outcome>("delivery_outcome");
  cfg.add_message_type<printer_status>("printer_status");
  cfg.add_message_type<job_query>("job_query");
  cfg.add_message_type<job_actor>("job_actor");
  cfg.add_message_type<event>("event");
  cfg.add_message_type<user_record>("user_record");
  cfg.add_message_type<user_request>("user_request");
  cfg.add_message_type<user_info_msg>("user_info_msg");
  cfg.add_message_type<std::vector<user_info_msg>>("std::vector<user_info_msg>");
  cfg.add_message_type<std::vector<event>>("std::vector<event>");
  cfg.add_message_type<event_backlog>("event_backlog");
  cfg.add_message_type<event_sink_actor>("event_sink_actor");
  cfg.add_message_type<charge_hold>("charge_hold");
  cfg.add_message_type<charge_settle>("charge_settle");
  cfg.add_message_type<account_credit>("account_credit");
  cfg.add_message_type<account_view>("account_view");
  cfg.add_message_type<device_poll>("device_poll");
  cfg.add_message_type<device_counter_record>("device_counter_record");
  cfg.add_message_type<std::vector<device_counter_record>>("std::vector<device_counter_record>");
  cfg.add_error_category(errc_category, [](uint8_t code, caf::atom_value, const caf::message& ctx) {
    std::string out = to_string(static_cast<errc>(code));
    if (ctx.match_elements<std::string>()) out += ": " + ctx.get_as<std::string>(0);
    return out;
  });
}

}  // namespace quire
