// An in-memory terminal_service for the terminal API's tests and fuzz target.
//
// Its starting state: terminal "t1" (token "terminal-token-0001") at printer
// "lab-1"; user "alice" (card "CARD1", PIN "123456", password "secret-pw")
// with held jobs 101 (colour, 0.60), 102 (mono, 0.10), 103 (a job-password
// job, PIN "2468"), 105 (not analysed yet) and 104, bob's, delegated to her;
// job 106 is carol's and not hers to touch. It keeps the rules the real one
// promises (terminal_service.hpp): one answer for credentials that identify
// nobody, sessions bound to their terminal, one refused job not stopping the
// others. Secrets are kept in clear so that tests can check what arrived and
// that none of it comes back in a response; `calls` names no secret.
//
// Answers, deferred answers and fail_next as fake_answers.hpp says: every
// call after authenticate_terminal consults fail_next.
#pragma once

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "fake_answers.hpp"
#include "web/terminal_service.hpp"

namespace quire::testing {

class fake_terminal_service final : public web::terminal_service, public fake_answers {
 public:
  struct terminal_entry {
    web::terminal_identity id;
    bool revoked = false;
  };
  struct user_entry {
    std::string display_name;
    std::string card, pin, password;  // clear text: a test double only
    bool disabled = false;
    web::balance_info account;
    std::vector<std::string> projects;
  };
  struct job_entry {
    web::terminal_job job;
    std::string pin;  // a job-password job's PIN, in clear
  };
  struct session_entry {
    std::string terminal;
    std::string user;
  };

  std::map<std::string, terminal_entry> terminals;  // by token
  std::map<std::string, user_entry> users;          // by name
  std::map<uint64_t, job_entry> jobs;               // held jobs
  std::map<uint64_t, error> refuse;                 // release of this job fails with this
  std::map<std::string, session_entry> sessions;    // by session token
  std::set<std::string> blocked_peers;              // authenticate_terminal: limit_exceeded
  bool logins_locked = false;                       // open_session: limit_exceeded
  web::login_methods methods;
  std::vector<std::string> calls;                   // "release t1 101,103": never a secret
  std::string last_peer;
  web::login_request last_login;                    // what open_session got
  web::release_request last_release;                // what release got
  int64_t now_ms = 1'700'000'000'000;
  web::money_format money;
  int next_session = 1;

  fake_terminal_service() {
    terminals["terminal-token-0001"] = {{"t1", "lab-1"}, false};
    methods.pin = true;
    methods.card_pin = true;
    user_entry alice;
    alice.display_name = "Alice A.";
    alice.card = "CARD1";
    alice.pin = "123456";
    alice.password = "secret-pw";
    alice.account.balance = 500;
    alice.account.reserved = 20;
    alice.projects = {"physics", "chemistry"};
    users["alice"] = alice;
    add_job(101, "alice", "report.pdf", 3, 1, 60);
    add_job(102, "alice", "notes.txt", 1, 0, 10);
    auto& payslip = add_job(103, "alice", "payslip.pdf", 2, 0, 20);
    payslip.pin = "2468";
    payslip.job.needs_pin = true;
    add_job(104, "bob", "poster.pdf", 1, 1, 150).job.delegated = true;
    add_job(105, "alice", "scan.ps", 0, 0, 0).job.priced = false;
    add_job(106, "carol", "private.pdf", 1, 0, 10);
  }

  job_entry& add_job(uint64_t id, const std::string& owner, const std::string& name, uint32_t pages,
                     uint32_t colour_pages, int64_t price) {
    job_entry e;
    auto& r = e.job.record;
    r.id = id;
    r.owner = owner;
    r.name = name;
    r.queue = "secure";
    r.state = job_state::held;
    r.created_ms = now_ms - 90'000;
    r.analysis.pages = pages;
    r.analysis.colour_pages = colour_pages;
    r.analysis.sheets = pages;
    e.job.price = price;
    e.job.priced = true;
    return jobs[id] = std::move(e);
  }

  void authenticate_terminal(std::string token, std::string peer, web::terminal_identity_callback cb) override {
    last_peer = peer;
    calls.push_back("authenticate_terminal");
    answer([this, token, peer, cb = std::move(cb)] {
      if (blocked_peers.count(peer)) return cb(error(errc::limit_exceeded, "blocked for 60 s"));
      auto it = terminals.find(token);
      if (it == terminals.end() || it->second.revoked) return cb(error(errc::permission_denied, "unknown terminal"));
      cb(it->second.id);
    });
  }

  void describe(const web::terminal_identity& t, web::terminal_info_callback cb) override {
    calls.push_back("describe " + t.terminal);
    answer([this, t, cb = std::move(cb)] {
      if (auto e = take_failure()) return cb(*e);
      web::terminal_info info;
      info.id = t;
      info.printer_state = "idle";
      info.location = "Room 1.23";
      info.methods = methods;
      info.money = money;
      cb(info);
    });
  }

  void open_session(const web::terminal_identity& t, web::login_request login, web::session_callback cb) override {
    calls.push_back("open_session " + t.terminal + " " + method_of(login));
    last_login = login;
    answer([this, t, login, cb = std::move(cb)] {
      if (auto e = take_failure()) return cb(*e);
      if (logins_locked) return cb(error(errc::limit_exceeded, "too many failed logins: try again in 5 minutes"));
      std::string who = identify(login);
      if (who.empty()) return cb(error(errc::permission_denied, "unknown card, PIN or password"));
      std::string token = "sess-" + std::to_string(next_session++) + "-" + who;
      sessions[token] = {t.terminal, who};
      auto info = session_of(t, who);
      info.session = token;
      cb(info);
    });
  }

  void get_session(const web::terminal_identity& t, std::string session, web::session_callback cb) override {
    calls.push_back("get_session " + t.terminal);
    with_session(t, session, std::move(cb), [this, t](const session_entry& s, const web::session_callback& done) {
      done(session_of(t, s.user));
    });
  }

  void close_session(const web::terminal_identity& t, std::string session,
                     web::terminal_status_callback cb) override {
    calls.push_back("close_session " + t.terminal);
    with_session(t, session, std::move(cb),
                 [this, session](const session_entry&, const web::terminal_status_callback& done) {
                   sessions.erase(session);
                   done(status{});
                 });
  }

  void list_jobs(const web::terminal_identity& t, std::string session, web::terminal_jobs_callback cb) override {
    calls.push_back("list_jobs " + t.terminal);
    with_session(t, session, std::move(cb), [this](const session_entry& s, const web::terminal_jobs_callback& done) {
      web::terminal_job_list list;
      for (const auto& [id, e] : jobs)
        if (visible_to(e, s.user)) list.jobs.push_back(e.job);
      list.now_ms = now_ms;
      list.money = money;
      done(list);
    });
  }

  void release(const web::terminal_identity& t, std::string session, web::release_request req,
               web::release_callback cb) override {
    std::string ids = req.all ? "all" : "";
    for (auto id : req.jobs) {
      if (!ids.empty()) ids += ',';
      ids += std::to_string(id);
    }
    calls.push_back("release " + t.terminal + " " + ids);
    last_release = req;
    with_session(t, session, std::move(cb), [this, req](const session_entry& s, const web::release_callback& done) {
      auto& u = users[s.user];
      if (!req.project.empty() && std::find(u.projects.begin(), u.projects.end(), req.project) == u.projects.end())
        return done(error(errc::invalid_argument, "you may not charge that project"));
      std::vector<uint64_t> ids = req.jobs;
      if (req.all)
        for (const auto& [id, e] : jobs)
          if (visible_to(e, s.user)) ids.push_back(id);
      web::release_report report;
      for (auto id : ids) report.results.push_back(release_one(s.user, id, req));
      report.account = u.account;
      report.money = money;
      done(report);
    });
  }

  void delete_job(const web::terminal_identity& t, std::string session, uint64_t job_id,
                  web::terminal_status_callback cb) override {
    calls.push_back("delete_job " + t.terminal + " " + std::to_string(job_id));
    with_session(t, session, std::move(cb),
                 [this, job_id](const session_entry& s, const web::terminal_status_callback& done) {
                   auto it = jobs.find(job_id);
                   if (it == jobs.end()) return done(error(errc::not_possible, "the job is no longer held"));
                   if (it->second.job.record.owner != s.user)
                     return done(error(errc::permission_denied, "not your job"));
                   jobs.erase(it);
                   done(status{});
                 });
  }

 private:
  // Runs `body` for the session, or answers not_found (none, or another terminal's).
  template <class Callback, class Body>
  void with_session(const web::terminal_identity& t, const std::string& session, Callback cb, Body body) {
    answer([this, t, session, cb = std::move(cb), body] {
      if (auto e = take_failure()) return cb(*e);
      auto it = sessions.find(session);
      if (it == sessions.end() || it->second.terminal != t.terminal)
        return cb(error(errc::not_found, "no such session"));
      body(it->second, cb);
    });
  }

  static std::string method_of(const web::login_request& l) {
    if (!l.card.empty() && !l.pin.empty()) return "card+pin";
    if (!l.card.empty()) return "card";
    if (!l.pin.empty()) return "pin";
    return "password";
  }

  // The user the credentials name under this terminal's methods, or "".
  std::string identify(const web::login_request& l) const {
    std::string m = method_of(l);
    bool allowed = (m == "card" && methods.card && !methods.card_requires_pin) || (m == "pin" && methods.pin) ||
                   (m == "password" && methods.password) || (m == "card+pin" && methods.card_pin);
    if (!allowed) return "";
    for (const auto& [name, u] : users) {
      if (u.disabled) continue;
      bool match = m == "card"       ? u.card == l.card
                   : m == "pin"      ? u.pin == l.pin
                   : m == "card+pin" ? u.card == l.card && u.pin == l.pin
                                     : name == l.user && u.password == l.password;
      if (match) return name;
    }
    return "";
  }

  web::session_info session_of(const web::terminal_identity& t, const std::string& user) {
    const auto& u = users[user];
    web::session_info s;
    s.user = user;
    s.display_name = u.display_name;
    s.printer = t.printer;
    s.expires_ms = now_ms + 60'000;
    s.account = u.account;
    s.projects = u.projects;
    s.money = money;
    return s;
  }

  static bool visible_to(const job_entry& e, const std::string& user) {
    return e.job.record.owner == user || e.job.delegated;
  }

  web::release_outcome release_one(const std::string& user, uint64_t id, const web::release_request& req) {
    web::release_outcome o;
    o.job_id = id;
    auto fail = [&o](errc code, std::string message) {
      o.code = code;
      o.message = std::move(message);
      return o;
    };
    auto it = jobs.find(id);
    if (it == jobs.end() || !visible_to(it->second, user)) return fail(errc::not_found, "no such held job");
    if (auto r = refuse.find(id); r != refuse.end()) return fail(r->second.code, r->second.message);
    if (!it->second.pin.empty()) {
      auto p = req.pins.find(id);
      if (p == req.pins.end()) return fail(errc::permission_denied, "this job needs its PIN");
      if (p->second != it->second.pin) return fail(errc::permission_denied, "wrong PIN");
    }
    o.ok = true;
    o.price = it->second.job.price;
    users[user].account.reserved += o.price;
    jobs.erase(it);
    return o;
  }
};

}  // namespace quire::testing
