#include "actors/lpd/stream_rules.hpp"

#include <algorithm>
#include <cstdio>

namespace quire {

namespace {

sniff::source to_sniff(identity_source s) {
  switch (s) {
    case identity_source::pjl: return sniff::source::pjl;
    case identity_source::dsc: return sniff::source::dsc;
    case identity_source::control: return sniff::source::control_file;
  }
  return sniff::source::control_file;
}

sniff::rule rule_of(const std::vector<identity_source>& order) {
  sniff::rule r;
  r.order.clear();
  for (auto s : order) r.order.push_back(to_sniff(s));
  return r;
}

bool listed(const std::vector<std::string>& users, const std::vector<uint32_t>& ids, const job_record& j) {
  if (users.empty() && ids.empty()) return true;
  return std::find(users.begin(), users.end(), j.owner) != users.end() ||
         std::find(ids.begin(), ids.end(), j.id) != ids.end();
}

const char* rank_suffix(size_t n) {
  if (n % 100 >= 11 && n % 100 <= 13) return "th";
  switch (n % 10) {
    case 1: return "st";
    case 2: return "nd";
    case 3: return "rd";
    default: return "th";
  }
}

}  // namespace

result<stream_identity> decide_identity(const stream_job& job, const intake_config& cfg,
                                        const std::function<bool(const std::string&)>& is_known) {
  const sniff::identity& first = job.documents.front().sniffed;
  sniff::candidates users = sniff::user_candidates(first);
  sniff::candidates names = sniff::job_name_candidates(first);
  if (job.control) {
    if (!job.control->user.empty()) users.control_file = job.control->user;
    std::string n = job.control->display_name();
    if (!n.empty()) names.control_file = n;
  }
  stream_identity out;
  sniff::rule user_rule = rule_of(cfg.user_from);
  for (auto s : user_rule.order) {
    const auto& v = users.get(s);
    if (!v || v->empty()) continue;
    if (cfg.known_users_only && !is_known(*v)) continue;
    out.owner = *v;
    out.owner_source = sniff::to_string(s);
    break;
  }
  if (out.owner.empty()) {
    if (cfg.unknown_user == unknown_user_action::reject)
      return error{errc::permission_denied, cfg.known_users_only ? "the job names no known user"
                                                                 : "the job names no user"};
    out.owner = job.peer_host;
    out.owner_source = "host";
  }
  out.name = sniff::choose(rule_of(cfg.name_from), names).value_or("");
  if (out.name.empty()) out.name = job.documents.front().source_name;
  if (out.name.empty()) out.name = "Untitled";
  return out;
}

std::string document_format_of(const stream_document& doc, const std::optional<lpd::control_file>& control) {
  if (doc.sniffed.lang != sniff::language::unknown) return doc.sniffed.mime();
  if (control) {
    for (const auto& e : control->entries) {
      if (e.file != doc.file_name) continue;
      if (e.format() == lpd::print_format::postscript) return "application/postscript";
      if (e.format() == lpd::print_format::formatted_text || e.format() == lpd::print_format::pr_text)
        return "text/plain";
    }
  }
  return "application/octet-stream";
}

job_record stream_job_record(const stream_job& job, size_t index, const stream_identity& who) {
  const stream_document& doc = job.documents[index];
  job_record rec;
  rec.owner = who.owner;
  rec.origin_host = job.peer_host;
  rec.name = who.name;
  if (job.documents.size() > 1)
    rec.name += " (" + std::to_string(index + 1) + "/" + std::to_string(job.documents.size()) + ")";
  rec.document_name = doc.source_name;
  rec.document_format = document_format_of(doc, job.control);
  rec.document_size = doc.size;
  rec.document_in_spool = !doc.upload_path.empty();
  rec.copies = std::max<uint32_t>(1, doc.copies);
  return rec;
}

std::string lpd_queue_state(const std::string& queue, bool accepting, bool long_form,
                            const std::vector<job_record>& jobs, const std::string& peer_host, bool mask_others,
                            const std::vector<std::string>& users, const std::vector<uint32_t>& ids) {
  std::string out = queue + (accepting ? " is ready\n" : " is not accepting jobs\n");
  std::vector<const job_record*> shown;
  for (const auto& j : jobs)
    if (listed(users, ids, j)) shown.push_back(&j);
  if (shown.empty()) return out + "no entries\n";
  char line[256];
  if (!long_form) {
    std::snprintf(line, sizeof line, "%-7s%-11s%-7s%-38s%s\n", "Rank", "Owner", "Job", "File(s)", "Total Size");
    out += line;
  }
  size_t rank = 0;
  for (const job_record* j : shown) {
    ++rank;
    bool full = !mask_others || j->origin_host == peer_host;
    std::string owner = full ? j->owner : "(hidden)";
    std::string file = full ? (j->document_name.empty() ? j->name : j->document_name) : "(hidden)";
    std::string state = j->state == job_state::held ? "held" : std::to_string(rank) + rank_suffix(rank);
    if (long_form) {
      std::snprintf(line, sizeof line, "%s: %-36s[job %llu %s]\n", owner.substr(0, 32).c_str(), state.c_str(),
                    static_cast<unsigned long long>(j->id), full ? j->origin_host.c_str() : "");
      out += line;
      std::snprintf(line, sizeof line, "        %-38s%llu bytes\n", file.substr(0, 37).c_str(),
                    static_cast<unsigned long long>(j->document_size));
    } else {
      std::snprintf(line, sizeof line, "%-7s%-11s%-7llu%-38s%llu bytes\n", state.substr(0, 6).c_str(),
                    owner.substr(0, 10).c_str(), static_cast<unsigned long long>(j->id),
                    file.substr(0, 37).c_str(), static_cast<unsigned long long>(j->document_size));
    }
    out += line;
  }
  return out;
}

bool lpd_may_remove(const job_record& job, const std::string& agent, const std::string& peer_host,
                    const std::vector<std::string>& users, const std::vector<uint32_t>& ids) {
  if (job.owner != agent || job.origin_host != peer_host) return false;
  return listed(users, ids, job);
}

}  // namespace quire
