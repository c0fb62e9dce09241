// The pure LDAP text helpers: filter escaping (RFC 4515 section 3) and the
// injection it prevents, GeneralizedTime both ways, and DN map keys.
#include "devices/directory/ldap_text.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <string>

using namespace quire::ldap;

TEST_CASE("ldap text: escape_filter_value escapes the RFC 4515 specials") {
  CHECK(escape_filter_value("") == "");
  CHECK(escape_filter_value("alice") == "alice");
  CHECK(escape_filter_value("a*b") == "a\\2ab");
  CHECK(escape_filter_value("(x)") == "\\28x\\29");
  CHECK(escape_filter_value("back\\slash") == "back\\5cslash");
  CHECK(escape_filter_value(std::string("nul\0end", 7)) == "nul\\00end");
  // UTF-8 and other bytes are kept as they are.
  CHECK(escape_filter_value("J\xc3\xbcrgen") == "J\xc3\xbcrgen");
  CHECK(escape_filter_value("\xff\x80") == "\xff\x80");
  CHECK(escape_filter_value("a=b,c") == "a=b,c");
}

TEST_CASE("ldap text: a hostile user name cannot change the filter") {
  CHECK(escape_filter_value("*)(uid=*") == "\\2a\\29\\28uid=\\2a");
  const std::string filter = "(uid=" + escape_filter_value("admin)(|(uid=*") + ")";
  CHECK(filter == "(uid=admin\\29\\28|\\28uid=\\2a)");
  CHECK(filter.find('*') == std::string::npos);
}

TEST_CASE("ldap text: generalized_time formats UTC") {
  CHECK(generalized_time(0) == "19700101000000Z");
  CHECK(generalized_time(1700000000) == "20231114221320Z");
  CHECK(generalized_time(951782400) == "20000229000000Z");  // a leap day
  CHECK(generalized_time(-1) == "19691231235959Z");
  CHECK(generalized_time(253402300799) == "99991231235959Z");
  CHECK(generalized_time(INT64_MAX) == "99991231235959Z");  // clamped
  CHECK(generalized_time(INT64_MIN) == "00000101000000Z");
}

TEST_CASE("ldap text: parse_generalized_time round trips and takes AD's fraction") {
  for (int64_t t : {int64_t{0}, int64_t{1}, int64_t{-86401}, int64_t{951782400},
                    int64_t{1700000000}, int64_t{4102444800}, int64_t{253402300799}}) {
    int64_t back = 42;
    REQUIRE(parse_generalized_time(generalized_time(t), back));
    CHECK(back == t);
  }
  int64_t t = 0;
  CHECK(parse_generalized_time("20231114221320.0Z", t));  // AD whenChanged
  CHECK(t == 1700000000);
  CHECK(parse_generalized_time("20231114221320.123456Z", t));
  CHECK(t == 1700000000);
  CHECK(parse_generalized_time("20231114221320,5Z", t));
  CHECK(t == 1700000000);
  CHECK(parse_generalized_time("20000229235959Z", t));
  CHECK(t == 951868799);
}

TEST_CASE("ldap text: parse_generalized_time refuses malformed times") {
  int64_t t = 7;
  for (const char* bad : {"",
                          "Z",
                          "20231114221320",
                          "202311142213Z",
                          "2023111422Z",
                          "20231114221320+0200",
                          "20231114221320.Z",
                          "20231114221320.12aZ",
                          "20231114221320Zz",
                          "2023111422132OZ",
                          "20231314221320Z",
                          "20230014221320Z",
                          "20230230000000Z",
                          "21000229000000Z",
                          "20231100221320Z",
                          "20231114241320Z",
                          "20231114226020Z",
                          "20231114221360Z",
                          "-2023111422132Z",
                          " 20231114221320Z",
                          "20231114221320.1.2Z"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_generalized_time(bad, t));
  }
  CHECK(t == 7);  // untouched
}

TEST_CASE("ldap text: lower_dn normalises case and separator spaces") {
  CHECK(lower_dn("") == "");
  CHECK(lower_dn("CN=Alice Smith,OU=People,DC=Example,DC=COM") ==
        "cn=alice smith,ou=people,dc=example,dc=com");
  CHECK(lower_dn("  cn = Alice  Smith ,  ou=People , dc=x  ") == "cn=alice  smith,ou=people,dc=x");
  CHECK(lower_dn("cn=A + sn=B,dc=x") == "cn=a+sn=b,dc=x");
  // Escaped characters are values, not separators or padding.
  CHECK(lower_dn("cn=Smith\\, John,dc=x") == "cn=smith\\, john,dc=x");
  CHECK(lower_dn("cn=trailing\\ ,dc=x") == "cn=trailing\\ ,dc=x");
  CHECK(lower_dn("cn=\\ lead,dc=x") == "cn=\\ lead,dc=x");
  CHECK(lower_dn("cn=a\\2Cb,dc=x") == "cn=a\\2cb,dc=x");
  CHECK(lower_dn("cn=a\\=b") == "cn=a\\=b");
  CHECK(lower_dn("cn=a\\") == "cn=a\\");  // a dangling backslash is kept
  // UTF-8 is left alone (no Unicode case folding).
  CHECK(lower_dn("CN=J\xc3\x9cRGEN") == "cn=j\xc3\x9crgen");
  // Both spellings of the same DN give the same key.
  CHECK(lower_dn("uid=Bob, ou=People, dc=Quire, dc=Test") ==
        lower_dn("UID=bob,OU=people,DC=quire,DC=test"));
}
