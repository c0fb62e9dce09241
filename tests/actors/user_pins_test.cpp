// The user directory's PINs and enrolment codes against a real store and a
// stand-in mailer: a generated PIN replaces the old one only once the mail
// server took it, the policy decides who may choose or generate, and a
// one-time code enrols a card once.
#include <doctest/doctest.h>

#include <caf/all.hpp>

#include <condition_variable>
#include <future>
#include <mutex>
#include <regex>

#include "actors/user_directory.hpp"
#include "storage/credentials.hpp"
#include "storage/store.hpp"
#include "test_util.hpp"

using namespace quire;
using quire::testing::temp_dir;

namespace {

// What the stand-in mailer saw, and how it answers: at once (`answer`), or
// when the test says so (hold = true, then release()).
struct mailbox {
  std::mutex m;
  std::condition_variable cv;
  std::vector<std::array<std::string, 4>> sent;  // to, name, subject, text
  errc answer = errc::ok;
  bool hold = false;
  caf::response_promise held;
  bool holding = false;

  // Whether a message arrives and is held within 10 s.
  bool wait_holding() {
    std::unique_lock<std::mutex> l(m);
    return cv.wait_for(l, std::chrono::seconds(10), [this] { return holding; });
  }

  std::string last_pin() {
    std::lock_guard<std::mutex> l(m);
    if (sent.empty()) return {};
    std::smatch found;
    static const std::regex pin(R"(\n    ([0-9]+)\n)");
    const std::string& text = sent.back()[3];
    return std::regex_search(text, found, pin) ? found[1].str() : std::string();
  }
};

caf::behavior fake_mailer(caf::event_based_actor* self, mailbox* box) {
  return {
      [self, box](mail_atom, const std::string& to, const std::string& name, const std::string& subject,
                  const std::string& text) -> caf::result<bool> {
        std::lock_guard<std::mutex> l(box->m);
        box->sent.push_back({to, name, subject, text});
        box->cv.notify_all();
        if (box->hold) {
          box->held = self->make_response_promise();
          box->holding = true;
          return caf::delegated<bool>{};
        }
        if (box->answer != errc::ok) return make_caf_error(box->answer, "550 5.1.1 no such mailbox");
        return true;
      },
      [box](tick_atom, bool ok) {
        std::lock_guard<std::mutex> l(box->m);
        if (!box->holding) return;
        box->holding = false;
        if (ok)
          box->held.deliver(true);
        else
          box->held.deliver(make_caf_error(errc::unavailable, "connection refused"));
      },
  };
}

struct pins_fixture {
  temp_dir dir;
  std::unique_ptr<store> st;
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  std::atomic<int64_t> now{1'000'000};
  mailbox box;
  caf::actor mailer;
  user_directory_actor users;

  explicit pins_fixture(pin_policy policy = {}, bool with_mailer = true, bool enrolment = true) {
    store::options o;
    o.data_dir = dir.path();
    auto s = store::open(o);
    REQUIRE(s.ok());
    st = std::move(s.value());
    put_user("ann", "ann@uni.test", false);
    put_user("nomail", "", false);
    put_user("root", "root@uni.test", true);
    register_message_types(cfg);
    cfg.set("logger.verbosity", caf::atom("quiet"));
    sys = std::make_unique<caf::actor_system>(cfg);
    user_directory_options uo;
    uo.now_ms = [this] { return now.load(); };
    uo.pins = policy;
    uo.site_name = "Test University";
    uo.card_enrolment = enrolment;
    uo.enrolment_code_ms = 600000;
    if (with_mailer) {
      mailer = sys->spawn(fake_mailer, &box);
      uo.mailer = caf::actor_cast<mailer_actor>(mailer);
    }
    users = spawn_user_directory(*sys, *st, uo);
  }

  ~pins_fixture() {
    caf::anon_send_exit(users, caf::exit_reason::user_shutdown);
    if (mailer) caf::anon_send_exit(mailer, caf::exit_reason::user_shutdown);
    sys.reset();
  }

  void put_user(const std::string& name, const std::string& email, bool admin) {
    user_record u;
    u.name = name;
    u.display_name = "User " + name;
    u.email = email;
    u.admin = admin;
    write_batch b;
    b.put_user(u);
    std::promise<status> p;
    st->commit(std::move(b), [&p](const status& s) { p.set_value(s); });
    REQUIRE_FALSE(p.get_future().get());
  }

  // The directory's answer to `r`: the first user_info_msg, or the errc.
  std::pair<user_info_msg, errc> ask(user_request r) {
    caf::scoped_actor self{*sys};
    std::pair<user_info_msg, errc> out{{}, errc::ok};
    self->request(users, std::chrono::seconds(20), users_atom::value, std::move(r))
        .receive([&](std::vector<user_info_msg>& v) { if (!v.empty()) out.first = v.front(); },
                 [&](caf::error& e) { out.second = code_of(e); });
    return out;
  }

  std::pair<user_info_msg, errc> op(user_op what, const std::string& by, const std::string& name,
                                    std::string secret = "", std::string code = "") {
    user_request r;
    r.op = what;
    r.by = requester{by, by == "root"};
    r.name = name;
    r.secret = std::move(secret);
    r.has_secret = !r.secret.empty();
    r.code = std::move(code);
    return ask(std::move(r));
  }

  std::string pin_owner(const std::string& pin) {
    auto o = st->find_credential(credential_kind::pin, pin);
    return o.ok() ? *o : std::string();
  }
};

}  // namespace

TEST_CASE("a generated PIN is e-mailed to its user and then logs them in, and the old one stops") {
  pins_fixture f;
  REQUIRE(f.op(user_op::set_pin, "ann", "ann", "482915").second == errc::ok);
  REQUIRE(f.pin_owner("482915") == "ann");
  auto [info, code] = f.op(user_op::generate_pin, "ann", "ann");
  REQUIRE(code == errc::ok);
  CHECK(info.record.email == "ann@uni.test");
  CHECK(info.pin);
  REQUIRE(f.box.sent.size() == 1);
  CHECK(f.box.sent[0][0] == "ann@uni.test");
  CHECK(f.box.sent[0][1] == "User ann");
  CHECK(f.box.sent[0][2] == "Your new PIN for Test University");
  std::string pin = f.box.last_pin();
  REQUIRE(pin.size() == 6);
  CHECK(f.pin_owner(pin) == "ann");
  CHECK(f.pin_owner("482915").empty());
  CHECK(f.box.sent[0][3].find("Hello User ann") != std::string::npos);
  // One PIN of the user's: the look-up entries hold exactly one.
  int pins = 0;
  for (const auto& c : f.st->user_credentials("ann")) pins += c.kind == credential_kind::pin;
  CHECK(pins == 1);
}

TEST_CASE("a PIN the mail server did not take changes nothing, and says why") {
  pins_fixture f;
  REQUIRE(f.op(user_op::set_pin, "ann", "ann", "482915").second == errc::ok);
  f.box.answer = errc::not_possible;
  CHECK(f.op(user_op::generate_pin, "ann", "ann").second == errc::not_possible);
  CHECK(f.pin_owner("482915") == "ann");
  CHECK(f.pin_owner(f.box.last_pin()).empty());
  f.box.answer = errc::unavailable;
  f.now += 61000;
  CHECK(f.op(user_op::generate_pin, "ann", "ann").second == errc::unavailable);
  CHECK(f.pin_owner("482915") == "ann");
}

TEST_CASE("generating a PIN: who may, for whom, and how often") {
  pins_fixture f;
  CHECK(f.op(user_op::generate_pin, "ann", "root").second == errc::permission_denied);
  CHECK(f.op(user_op::generate_pin, "root", "nomail").second == errc::not_possible);
  CHECK(f.op(user_op::generate_pin, "root", "nobody").second == errc::not_found);
  CHECK(f.op(user_op::generate_pin, "root", "ann").second == errc::ok);  // the print desk, for a student
  CHECK(f.op(user_op::generate_pin, "ann", "ann").second == errc::limit_exceeded);
  f.now += 60000;
  CHECK(f.op(user_op::generate_pin, "ann", "ann").second == errc::ok);
  CHECK(f.box.sent.size() == 2);
  auto [info, code] = f.op(user_op::get, "ann", "ann");
  REQUIRE(code == errc::ok);
  CHECK(info.may_choose_pin);
  CHECK(info.may_generate_pin);
  CHECK_FALSE(f.op(user_op::get, "root", "nomail").first.may_generate_pin);
}

TEST_CASE("without a mailer no PIN is generated, and users are told they cannot") {
  pins_fixture f(pin_policy{}, false);
  CHECK(f.op(user_op::generate_pin, "ann", "ann").second == errc::not_possible);
  CHECK_FALSE(f.op(user_op::get, "ann", "ann").first.may_generate_pin);
}

TEST_CASE("the policy: chosen PINs only, generated PINs only, and no trivial choice") {
  pin_policy chosen;
  chosen.generate = false;
  pins_fixture a(chosen);
  CHECK(a.op(user_op::generate_pin, "ann", "ann").second == errc::permission_denied);
  CHECK(a.op(user_op::set_pin, "ann", "ann", "1234").second == errc::invalid_argument);
  CHECK(a.op(user_op::set_pin, "ann", "ann", "777777").second == errc::invalid_argument);
  CHECK(a.op(user_op::set_pin, "ann", "ann", "5830").second == errc::ok);
  CHECK(a.op(user_op::set_pin, "root", "root", "5830").second == errc::already_exists);
  CHECK(a.box.sent.empty());

  pin_policy generated;
  generated.choose = false;
  pins_fixture b(generated);
  CHECK(b.op(user_op::set_pin, "ann", "ann", "5830").second == errc::permission_denied);
  CHECK(b.op(user_op::set_pin, "root", "ann", "5830").second == errc::permission_denied);
  CHECK(b.op(user_op::generate_pin, "ann", "ann").second == errc::ok);
  CHECK_FALSE(b.op(user_op::get, "ann", "ann").first.may_choose_pin);

  pin_policy lax;
  lax.refuse_trivial = false;
  pins_fixture c(lax);
  CHECK(c.op(user_op::set_pin, "ann", "ann", "1234").second == errc::ok);
}

TEST_CASE("a PIN on its way to one mailbox is nobody else's meanwhile") {
  pins_fixture f;
  f.box.hold = true;
  auto pending = std::async(std::launch::async, [&] { return f.op(user_op::generate_pin, "ann", "ann").second; });
  REQUIRE(f.box.wait_holding());
  std::string pin = f.box.last_pin();
  REQUIRE(pin.size() == 6);
  CHECK(f.op(user_op::set_pin, "root", "root", pin).second == errc::already_exists);
  CHECK(f.op(user_op::update, "root", "ann").second == errc::busy);  // one change to ann at a time
  caf::anon_send(f.mailer, tick_atom::value, true);
  CHECK(pending.get() == errc::ok);
  CHECK(f.pin_owner(pin) == "ann");
}

TEST_CASE("a PIN whose mail failed in flight is free again") {
  pins_fixture f;
  f.box.hold = true;
  auto pending = std::async(std::launch::async, [&] { return f.op(user_op::generate_pin, "ann", "ann").second; });
  REQUIRE(f.box.wait_holding());
  std::string pin = f.box.last_pin();
  caf::anon_send(f.mailer, tick_atom::value, false);
  CHECK(pending.get() == errc::unavailable);
  CHECK(f.pin_owner(pin).empty());
  f.box.hold = false;
  if (!trivial_pin(pin)) CHECK(f.op(user_op::set_pin, "root", "root", pin).second == errc::ok);
}

TEST_CASE("an enrolment code binds a card to its user once") {
  pins_fixture f;
  auto [info, code] = f.op(user_op::enrolment_code, "ann", "ann");
  REQUIRE(code == errc::ok);
  REQUIRE(info.code.size() == 8);
  CHECK(info.code_expires_ms == f.now + 600000);
  CHECK(f.op(user_op::enrolment_code, "ann", "root").second == errc::permission_denied);

  auto bound = f.op(user_op::enroll_card_by_code, "", "", "04A1B2C3", info.code);
  REQUIRE(bound.second == errc::ok);
  CHECK(bound.first.record.name == "ann");
  CHECK(f.st->find_credential(credential_kind::card, "04A1B2C3").ok());
  CHECK(*f.st->find_credential(credential_kind::card, "04A1B2C3") == "ann");
  // Spent: the same code binds nothing more.
  CHECK(f.op(user_op::enroll_card_by_code, "", "", "04FFFFFF", info.code).second == errc::permission_denied);
  CHECK_FALSE(f.st->find_credential(credential_kind::card, "04FFFFFF").ok());
  CHECK(f.op(user_op::enroll_card_by_code, "", "", "04FFFFFF", "00000000").second == errc::permission_denied);
}

TEST_CASE("an expired or replaced enrolment code binds nothing") {
  pins_fixture f;
  auto first = f.op(user_op::enrolment_code, "ann", "ann").first.code;
  auto second = f.op(user_op::enrolment_code, "ann", "ann").first.code;
  REQUIRE(second.size() == 8);
  if (first != second)
    CHECK(f.op(user_op::enroll_card_by_code, "", "", "04000001", first).second == errc::permission_denied);
  f.now += 600000;
  CHECK(f.op(user_op::enroll_card_by_code, "", "", "04000001", second).second == errc::permission_denied);
  CHECK_FALSE(f.st->find_credential(credential_kind::card, "04000001").ok());
}

TEST_CASE("with card enrolment off there are no enrolment codes") {
  pins_fixture f(pin_policy{}, true, false);
  CHECK(f.op(user_op::enrolment_code, "ann", "ann").second == errc::permission_denied);
  CHECK(f.op(user_op::enroll_card_by_code, "", "", "04000001", "12345678").second == errc::permission_denied);
}
