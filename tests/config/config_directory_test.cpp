// [directory]: the schema's defaults, what an enabled directory needs, and
// the values refused with a message naming the key.
#include <doctest/doctest.h>

#include "config_test_util.hpp"

using namespace quire;
using quire::test::load_error;
using quire::test::load_ok;

namespace {

std::vector<std::string> enabled(std::vector<std::string> more = {}) {
  std::vector<std::string> sets = {"directory.enabled=true", "directory.url=ldaps://ldap.uni.test",
                                   "directory.bind_dn=cn=quire,dc=uni,dc=test",
                                   "directory.bind_password_file=/etc/quire/ldap-pw",
                                   "directory.base_dn=ou=people,dc=uni,dc=test"};
  sets.insert(sets.end(), more.begin(), more.end());
  return sets;
}

}  // namespace

TEST_CASE("directory: off by default, with OpenLDAP's defaults filled in") {
  config c = load_ok("");
  CHECK_FALSE(c.directory.enabled);
  CHECK(c.directory.user_filter == "(objectClass=inetOrgPerson)");
  CHECK(c.directory.login_attribute == "uid");
  CHECK(c.directory.changed_attribute == "modifyTimestamp");
  CHECK(c.directory.disabled_attribute.empty());
  CHECK(c.directory.card_attribute.empty());
  CHECK(c.directory.offline_logins == "cached");
  CHECK(c.terminals.card_enrolment);
}

TEST_CASE("directory: the ad schema's defaults, each key still settable") {
  config c = load_ok("", enabled({"directory.schema=ad", "directory.email_attribute=userPrincipalName"}));
  CHECK(c.directory.login_attribute == "sAMAccountName");
  CHECK(c.directory.disabled_attribute == "userAccountControl");
  CHECK(c.directory.changed_attribute == "whenChanged");
  CHECK(c.directory.group_filter == "(objectClass=group)");
  CHECK(c.directory.email_attribute == "userPrincipalName");
  CHECK(c.directory.bind_password_file == "/etc/quire/ldap-pw");
}

TEST_CASE("directory: an enabled directory needs where, who and under what") {
  CHECK(load_error("", {"directory.enabled=true"}).find("directory.url") == 0);
  CHECK(load_error("", {"directory.enabled=true", "directory.url=ldap://h"}).find("directory.base_dn") == 0);
  auto no_pw = enabled();
  no_pw.push_back("directory.bind_password_file=");
  CHECK(load_error("", no_pw).find("directory.bind_password_file") == 0);
}

TEST_CASE("directory: bad values are refused, naming the key") {
  CHECK(load_error("", enabled({"directory.url=http://h"})).find("directory.url") == 0);
  CHECK(load_error("", enabled({"directory.url=ldap://user:pw@h"})).find("directory.url") == 0);
  CHECK(load_error("", enabled({"directory.url=ldap://a ldap://b"})).find("directory.url") == 0);
  CHECK(load_error("", enabled({"directory.start_tls=true"})).find("directory.start_tls") == 0);
  CHECK(load_error("", enabled({"directory.user_filter=uid=*"})).find("directory.user_filter") == 0);
  CHECK(load_error("", enabled({"directory.user_filter=(a=1)(b=2)"})).find("directory.user_filter") == 0);
  CHECK(load_error("", enabled({"directory.group_filter=(cn=x"})).find("directory.group_filter") == 0);
  CHECK(load_error("", enabled({"directory.login_attribute=u id"})).find("directory.login_attribute") == 0);
  CHECK(load_error("", enabled({"directory.card_attribute=(x)"})).find("directory.card_attribute") == 0);
  CHECK(load_error("", enabled({"directory.schema=novell"})).find("directory.schema") == 0);
  CHECK(load_error("", enabled({"directory.offline_logins=always"})).find("directory.offline_logins") == 0);
  CHECK(load_error("", enabled({"directory.page_size=0"})).find("directory.page_size") == 0);
  CHECK(load_error("", enabled({"directory.interval_s=5"})).find("directory.interval_s") == 0);
  CHECK(load_error("", enabled({"directory.admin_groups=[\"\"]"})).find("directory.admin_groups") == 0);
  // Disabled, an unfinished section is fine: only its shape is checked.
  CHECK_FALSE(load_ok("", {"directory.url=http://h"}).directory.enabled);
}
