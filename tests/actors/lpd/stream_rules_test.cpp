#include <doctest/doctest.h>

#include <set>

#include "actors/lpd/stream_rules.hpp"

using namespace quire;

namespace {

const std::string pjl_pdf =
    "\x1b%-12345X@PJL JOB NAME=\"Word - thesis.docx\"\r\n@PJL SET USERNAME=\"s1234567\"\r\n"
    "@PJL ENTER LANGUAGE=PDF\r\n%PDF-1.7\n";
const std::string dsc_ps = "%!PS-Adobe-3.0\n%%Title: (report.pdf)\n%%For: (Alice Example)\n%%EndComments\n";

stream_job job_of(const std::string& head, const char* control_text = nullptr) {
  stream_job j;
  j.listener = "lpd";
  j.queue = "secure";
  j.peer_host = "10.1.2.3";
  j.documents.emplace_back();
  j.documents.back().sniffed = sniff::sniff(head);
  j.documents.back().file_name = "dfA001host";
  if (control_text) {
    auto cf = lpd::parse_control_file(control_text);
    REQUIRE(cf.ok());
    j.control = *cf;
  }
  return j;
}

const auto nobody_known = [](const std::string&) { return false; };
const auto everyone_known = [](const std::string&) { return true; };

}  // namespace

TEST_CASE("stream identity: the configured order decides between PJL, DSC and the control file") {
  intake_config cfg;  // pjl, dsc, control
  auto pjl = job_of(pjl_pdf, "Hhost\nPSYSTEM\nJprinted\nldfA001host\n");
  auto who = decide_identity(pjl, cfg, nobody_known);
  REQUIRE(who.ok());
  CHECK(who->owner == "s1234567");
  CHECK(who->owner_source == "pjl");
  CHECK(who->name == "Word - thesis.docx");

  auto dsc = job_of(dsc_ps, "Hhost\nPlpuser\nJprinted\nldfA001host\n");
  who = decide_identity(dsc, cfg, nobody_known);
  CHECK(who->owner == "Alice Example");
  CHECK(who->name == "report.pdf");

  cfg.user_from = {identity_source::control, identity_source::pjl};
  cfg.name_from = {identity_source::control};
  who = decide_identity(pjl, cfg, nobody_known);
  CHECK(who->owner == "SYSTEM");
  CHECK(who->owner_source == "control");
  CHECK(who->name == "printed");
}

TEST_CASE("stream identity: no user, or no known user, goes to the host or is refused") {
  intake_config cfg;
  auto bare = job_of("%PDF-1.4\n");
  auto who = decide_identity(bare, cfg, nobody_known);
  REQUIRE(who.ok());
  CHECK(who->owner == "10.1.2.3");
  CHECK(who->owner_source == "host");
  CHECK(who->name == "Untitled");

  cfg.known_users_only = true;
  auto pjl = job_of(pjl_pdf, "Hhost\nPalice\nldfA001host\n");
  who = decide_identity(pjl, cfg, [](const std::string& n) { return n == "alice"; });
  CHECK(who->owner == "alice");  // s1234567 is unknown: the next source counts
  who = decide_identity(pjl, cfg, everyone_known);
  CHECK(who->owner == "s1234567");

  cfg.unknown_user = unknown_user_action::reject;
  auto refused = decide_identity(pjl, cfg, nobody_known);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.err().code == errc::permission_denied);
}

TEST_CASE("stream jobs: format from the bytes, else from the LPD print command") {
  auto ps = job_of(dsc_ps);
  CHECK(document_format_of(ps.documents[0], ps.control) == "application/postscript");
  auto unknown = job_of(std::string("\x01\x02\x03", 3), "Hh\nPu\nodfA001host\n");
  CHECK(document_format_of(unknown.documents[0], unknown.control) == "application/postscript");
  auto raw = job_of(std::string("\x01\x02\x03", 3), "Hh\nPu\nldfA001host\n");
  CHECK(document_format_of(raw.documents[0], raw.control) == "application/octet-stream");
}

TEST_CASE("stream jobs: one record per document, named in order, copies kept") {
  auto j = job_of(dsc_ps);
  j.documents.emplace_back();
  j.documents[1].copies = 3;
  j.documents[1].size = 1234;
  j.documents[1].upload_path = "/spool/incoming/x";
  stream_identity who{"bob", "control", "two"};
  auto first = stream_job_record(j, 0, who);
  auto second = stream_job_record(j, 1, who);
  CHECK(first.name == "two (1/2)");
  CHECK(second.name == "two (2/2)");
  CHECK(second.copies == 3);
  CHECK(second.document_size == 1234);
  CHECK(second.document_in_spool);
  CHECK(first.origin_host == "10.1.2.3");
}

TEST_CASE("lpd queue state: the asker's jobs in full, others masked, filtered by the list") {
  std::vector<job_record> jobs(3);
  jobs[0].id = 101, jobs[0].owner = "alice", jobs[0].origin_host = "10.0.0.1", jobs[0].name = "a.pdf";
  jobs[0].state = job_state::held;
  jobs[1].id = 102, jobs[1].owner = "bob", jobs[1].origin_host = "10.0.0.2", jobs[1].name = "secret-plan.pdf";
  jobs[2].id = 103, jobs[2].owner = "alice", jobs[2].origin_host = "10.0.0.1", jobs[2].name = "b.ps";
  jobs[2].state = job_state::queued;
  std::string text = lpd_queue_state("secure", true, false, jobs, "10.0.0.1", true, {}, {});
  CHECK(text.find("secure is ready") == 0);
  CHECK(text.find("a.pdf") != std::string::npos);
  CHECK(text.find("secret-plan") == std::string::npos);
  CHECK(text.find("bob") == std::string::npos);
  CHECK(text.find("(hidden)") != std::string::npos);
  CHECK(text.find("3rd") != std::string::npos);

  std::string unmasked = lpd_queue_state("secure", true, false, jobs, "10.0.0.1", false, {}, {});
  CHECK(unmasked.find("secret-plan") != std::string::npos);

  std::string only = lpd_queue_state("secure", false, true, jobs, "10.0.0.1", true, {}, {103});
  CHECK(only.find("not accepting") != std::string::npos);
  CHECK(only.find("[job 103 10.0.0.1]") != std::string::npos);
  CHECK(only.find("101") == std::string::npos);
  CHECK(lpd_queue_state("q", true, false, jobs, "h", true, {"zed"}, {}).find("no entries") != std::string::npos);
}

TEST_CASE("lpd remove: only the owner, from the host the job came from") {
  job_record j;
  j.id = 7;
  j.owner = "alice";
  j.origin_host = "10.0.0.1";
  CHECK(lpd_may_remove(j, "alice", "10.0.0.1", {}, {}));
  CHECK(lpd_may_remove(j, "alice", "10.0.0.1", {}, {7}));
  CHECK_FALSE(lpd_may_remove(j, "alice", "10.0.0.1", {}, {8}));
  CHECK_FALSE(lpd_may_remove(j, "alice", "10.0.0.9", {}, {}));
  CHECK_FALSE(lpd_may_remove(j, "mallory", "10.0.0.1", {"alice"}, {7}));
}
