// [mail] and [pins]: off and "either" by default, what sending mail needs,
// and the values refused with a message naming the key.
#include <doctest/doctest.h>

#include "config_test_util.hpp"

using namespace quire;
using quire::test::load_error;
using quire::test::load_ok;

namespace {

std::vector<std::string> mail_on(std::vector<std::string> more = {}) {
  std::vector<std::string> sets = {"mail.enabled=true", "mail.url=smtp://mail.uni.test:587", "mail.from=print@uni.test"};
  sets.insert(sets.end(), more.begin(), more.end());
  return sets;
}

}  // namespace

TEST_CASE("mail and pins: no mail, either kind of PIN, by default") {
  config c = load_ok("");
  CHECK_FALSE(c.mail.enabled);
  CHECK(c.mail.start_tls);
  CHECK(c.mail.verify_server);
  CHECK(c.mail.timeout_ms == 10000);
  CHECK(c.pins.policy == "either");
  CHECK(c.pins.digits == 6);
  CHECK(c.pins.refuse_trivial);
  CHECK(c.pins.resend_s == 60);
  CHECK(c.terminals.enrolment_code_s == 900);
}

TEST_CASE("mail: what sending needs, and TLS for a password") {
  config c = load_ok("", mail_on({"mail.ca_file=/etc/quire/ca.pem"}));
  CHECK(c.mail.url == "smtp://mail.uni.test:587");
  CHECK(c.mail.ca_file == "/etc/quire/ca.pem");
  CHECK(load_error("", {"mail.enabled=true"}).find("mail.url") == 0);
  CHECK(load_error("", {"mail.enabled=true", "mail.url=smtp://h"}).find("mail.from") == 0);
  CHECK(load_error("", mail_on({"mail.user=quire"})).find("mail.password_file") == 0);
  CHECK(load_ok("", mail_on({"mail.user=quire", "mail.password_file=/etc/quire/smtp-pw"})).mail.user == "quire");
  // A password never crosses the network in plain text.
  CHECK(load_error("", mail_on({"mail.start_tls=false", "mail.user=quire", "mail.password_file=/p"}))
            .find("mail.user") == 0);
  // smtps:// is TLS from the first byte: STARTTLS does not apply.
  c = load_ok("", mail_on({"mail.url=smtps://mail.uni.test", "mail.user=q", "mail.password_file=/p"}));
  CHECK_FALSE(c.mail.start_tls);
}

TEST_CASE("mail: bad values are refused, naming the key") {
  for (const char* url : {"mail.url=http://h", "mail.url=smtp://user:pw@h", "mail.url=smtp://h/path",
                          "mail.url=smtp://", "mail.url=smtp://a b"})
    CHECK_MESSAGE(load_error("", mail_on({url})).find("mail.url") == 0, url);
  for (const char* from : {"mail.from=print", "mail.from=<print@uni.test>", "mail.from=a@b@c",
                           "mail.from=Print Desk print@uni.test", "mail.from=print@uni.test\r\nBcc: x@y"})
    CHECK_MESSAGE(load_error("", mail_on({from})).find("mail.from") == 0, from);
  CHECK(load_error("", mail_on({"mail.timeout_ms=10"})).find("mail.timeout_ms") == 0);
  CHECK(load_error("", mail_on({"mail.site_name="})).find("mail.site_name") == 0);
  CHECK(load_error("", mail_on({"mail.from_name=a\nb"})).find("mail.from_name") == 0);
}

TEST_CASE("pins: the policy words and bounds") {
  CHECK(load_ok("", {"pins.policy=generated"}).pins.policy == "generated");
  CHECK(load_ok("", {"pins.policy=chosen", "pins.digits=8", "pins.resend_s=0"}).pins.digits == 8);
  CHECK(load_error("", {"pins.policy=random"}).find("pins.policy") == 0);
  CHECK(load_error("", {"pins.digits=3"}).find("pins.digits") == 0);
  CHECK(load_error("", {"pins.digits=17"}).find("pins.digits") == 0);
  CHECK(load_error("", {"pins.resend_s=-1"}).find("pins.resend_s") == 0);
  CHECK(load_error("", {"terminals.enrolment_code_s=30"}).find("terminals.enrolment_code_s") == 0);
  CHECK(load_ok("", {"terminals.enrolment_code_s=3600"}).terminals.enrolment_code_s == 3600);
}
