#include <doctest/doctest.h>

#include <cctype>
#include <fstream>
#include <iterator>

#include "web/api_request.hpp"

using namespace quire;
using namespace quire::web;

TEST_CASE("match_route names every endpoint and decodes {name}") {
  struct row {
    const char* method;
    const char* path;
    endpoint what;
    const char* user;
  };
  for (auto r : {row{"GET", "/api/v1/whoami", endpoint::whoami, ""},
                 row{"GET", "/api/v1/users", endpoint::list_users, ""},
                 row{"POST", "/api/v1/users", endpoint::create_user, ""},
                 row{"GET", "/api/v1/users/bob", endpoint::get_user, "bob"},
                 row{"PATCH", "/api/v1/users/bob", endpoint::update_user, "bob"},
                 row{"DELETE", "/api/v1/users/bob", endpoint::delete_user, "bob"},
                 row{"PUT", "/api/v1/users/bob/password", endpoint::set_password, "bob"},
                 row{"POST", "/api/v1/users/b%2Fo/cards", endpoint::add_card, "b/o"},
                 row{"DELETE", "/api/v1/users/bob/cards", endpoint::remove_card, "bob"},
                 row{"PUT", "/api/v1/users/b+b/pin", endpoint::set_pin, "b+b"},
                 row{"DELETE", "/api/v1/users/%C3%A9/pin", endpoint::clear_pin, "\xc3\xa9"},
                 row{"POST", "/api/v1/users/bob/pin/generate", endpoint::generate_pin, "bob"},
                 row{"POST", "/api/v1/users/bob/enrolment-code", endpoint::enrolment_code, "bob"},
                 row{"GET", "/api/v1/users/bob/account", endpoint::get_account, "bob"},
                 row{"POST", "/api/v1/users/bob/credit", endpoint::credit, "bob"},
                 row{"GET", "/api/v1/users/bob/ledger", endpoint::ledger, "bob"},
                 row{"GET", "/api/v1/users/bob/delegates", endpoint::get_delegates, "bob"},
                 row{"PUT", "/api/v1/users/b%20b/delegates", endpoint::set_delegates, "b b"},
                 row{"GET", "/api/v1/terminals", endpoint::list_terminals, ""},
                 row{"POST", "/api/v1/terminals", endpoint::register_terminal, ""},
                 row{"DELETE", "/api/v1/terminals/panel%201", endpoint::revoke_terminal, "panel 1"}}) {
    CAPTURE(r.path);
    auto m = match_route(r.method, r.path);
    REQUIRE(m.status == 0);
    CHECK(m.what == r.what);
    CHECK(m.user == r.user);
  }
  CHECK(match_route("PUT", "/api/v1/users").status == 405);
  CHECK(match_route("PUT", "/api/v1/users").allow == "GET, POST");
  CHECK(match_route("GET", "/api/v1/users/bob/").status == 404);
  CHECK(match_route("GET", "/api/v1/users//password").status == 404);
  CHECK(match_route("GET", "/api/v2/users").status == 404);
  CHECK(match_route("GET", "/api/v1/users/%").status == 400);
  CHECK(takes_body(endpoint::remove_card));
  CHECK_FALSE(takes_body(endpoint::clear_pin));
  CHECK_FALSE(takes_body(endpoint::generate_pin));
  CHECK_FALSE(takes_body(endpoint::enrolment_code));
  CHECK_FALSE(needs_admin(endpoint::whoami));
  CHECK(needs_admin(endpoint::list_users));
  CHECK(match_route("GET", "/api/v1/users/bob/credit").allow == "POST");
  CHECK(match_route("POST", "/api/v1/users/bob/delegates").allow == "GET, PUT");
  CHECK(match_route("PUT", "/api/v1/terminals").allow == "GET, POST");
  CHECK(match_route("GET", "/api/v1/terminals/t1").allow == "DELETE");
  CHECK(match_route("DELETE", "/api/v1/terminals/t1/x").status == 404);
  CHECK(match_route("DELETE", "/api/v1/terminals/").status == 404);
  CHECK(match_route("DELETE", "/api/v1/terminals/%zz").status == 400);
  CHECK(match_route("GET", "/api/v1/terminal").status == 404);  // the terminal API's, not this one's
  CHECK(match_route("GET", "/api/v1/users/bob/account/x").status == 404);
}

TEST_CASE("who may call what: administrators, the user themself, and which endpoints need accounting") {
  for (int i = 0; i <= static_cast<int>(last_endpoint); ++i) {
    auto e = static_cast<endpoint>(i);
    CAPTURE(to_string(e));
    bool self = e == endpoint::get_account || e == endpoint::ledger || e == endpoint::get_delegates ||
                e == endpoint::set_delegates || e == endpoint::list_tokens || e == endpoint::create_token ||
                e == endpoint::revoke_token || e == endpoint::get_user || e == endpoint::set_pin ||
                e == endpoint::clear_pin || e == endpoint::generate_pin || e == endpoint::enrolment_code;
    CHECK(is_self_service(e) == self);
    CHECK(needs_admin(e) == (e != endpoint::whoami && !self && !is_user_endpoint(e)));
    CHECK(needs_accounting(e) == (e >= endpoint::get_account));
  }
  CHECK(takes_body(endpoint::credit));
  CHECK(takes_body(endpoint::set_delegates));
  CHECK(takes_body(endpoint::register_terminal));
  CHECK_FALSE(takes_body(endpoint::revoke_terminal));
  CHECK(takes_query(endpoint::ledger));
  CHECK_FALSE(takes_query(endpoint::get_account));
}

TEST_CASE("parse_ledger_query: limit only, within bounds") {
  CHECK(*parse_ledger_query("", 100, 1000) == 100);
  CHECK(*parse_ledger_query("limit=7", 100, 1000) == 7);
  CHECK(*parse_ledger_query("limit=1000", 100, 1000) == 1000);
  for (const char* bad : {"limit=0", "limit=1001", "limit=-1", "limit=", "limit=1x", "after=3", "limit=1&limit=1",
                          "limit=%"}) {
    CAPTURE(bad);
    auto r = parse_ledger_query(bad, 100, 1000);
    CHECK_FALSE(r.ok());
    if (!r.ok()) CHECK(r.err().code == errc::invalid_argument);
  }
  CHECK(valid_printer_name("lab-1.a_B"));
  CHECK_FALSE(valid_printer_name(""));
  CHECK_FALSE(valid_printer_name("lab 1"));
  CHECK_FALSE(valid_printer_name(std::string(65, 'p')));
}

TEST_CASE("percent-encoding round-trips any name and escapes dot segments") {
  std::string out;
  for (std::string name : {"bob", "a b/c?d#e%f", "\xc3\xa9mile", "x.y", "~_-"}) {
    CAPTURE(name);
    REQUIRE(percent_decode(percent_encode_segment(name), false, out));
    CHECK(out == name);
  }
  CHECK(percent_encode_segment("x.y") == "x.y");
  CHECK(percent_encode_segment(".") == "%2E");
  CHECK(percent_encode_segment("..") == "%2E%2E");
  CHECK(percent_encode_segment("a b") == "a%20b");
  CHECK(percent_decode("a+b", true, out));
  CHECK(out == "a b");
  CHECK(percent_decode("a+b", false, out));
  CHECK(out == "a+b");
  CHECK_FALSE(percent_decode("%", false, out));
  CHECK_FALSE(percent_decode("%4", false, out));
  CHECK_FALSE(percent_decode("%g0", false, out));
  CHECK_FALSE(percent_decode("a%00b", false, out));
}

TEST_CASE("parse_query decodes pairs and refuses repeats") {
  auto q = parse_query("after=a%20b&limit=5&&flag");
  REQUIRE(q.ok());
  REQUIRE(q->size() == 3);
  CHECK((*q)[0].name == "after");
  CHECK((*q)[0].value == "a b");
  CHECK((*q)[2].name == "flag");
  CHECK((*q)[2].value.empty());
  CHECK_FALSE(parse_query("a=1&a=2").ok());
  CHECK_FALSE(parse_query("a=%x").ok());
  CHECK(parse_query("")->empty());
}

TEST_CASE("base64 and Basic credentials (RFC 7617)") {
  CHECK(base64_encode("") == "");
  CHECK(base64_encode("f") == "Zg==");
  CHECK(base64_encode("fo") == "Zm8=");
  CHECK(base64_encode("foo") == "Zm9v");
  // RFC 7617 §2's example.
  auto c = parse_basic_authorization("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
  REQUIRE(c.ok());
  CHECK(c->user == "Aladdin");
  CHECK(c->password == "open sesame");

  c = parse_basic_authorization("BASIC   " + base64_encode("bob:pa:ss:word") + " ");
  REQUIRE(c.ok());
  CHECK(c->user == "bob");
  CHECK(c->password == "pa:ss:word");  // a password may hold ':', a user id may not

  c = parse_basic_authorization("Basic " + base64_encode("\xc3\xa9mile:\xe2\x82\xac"));
  REQUIRE(c.ok());
  CHECK(c->user == "\xc3\xa9mile");

  for (std::string bad : {std::string(""), std::string("Basic"), std::string("Basic "), std::string("Digest abc"),
                          std::string("BasicQWxh"), std::string("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ"),  // no padding
                          std::string("Basic QWxhZGRpbjpvcGVuIHNlc2FtZR=="),  // non-zero pad bits
                          std::string("Basic QW=hZGRp"), std::string("Basic QWxh ZGRp"),
                          "Basic " + base64_encode("nocolon"), "Basic " + base64_encode(":password"),
                          "Basic " + base64_encode("bob:"), "Basic " + base64_encode(std::string("bob:a\0b", 7)),
                          "Basic " + base64_encode("b\x01ob:password"),
                          "Basic " + base64_encode("bob:" + std::string(1025, 'p'))}) {
    CAPTURE(bad);
    auto r = parse_basic_authorization(bad);
    CHECK_FALSE(r.ok());
    if (!r.ok()) CHECK(r.err().code == errc::invalid_argument);
  }
}

TEST_CASE("is_loopback_address") {
  for (const char* yes : {"127.0.0.1", "127.255.0.9", "::1", "[::1]", "::ffff:127.0.0.1", "0:0:0:0:0:0:0:1"})
    CHECK_MESSAGE(is_loopback_address(yes), yes);
  for (const char* no : {"128.0.0.1", "10.0.0.1", "::", "::2", "::ffff:10.0.0.1", "localhost", "", "127.0.0.1x",
                         "fe80::1"})
    CHECK_FALSE_MESSAGE(is_loopback_address(no), no);
}

TEST_CASE("web/openapi.yaml documents every endpoint") {
  auto read = [](const char* name) {
    std::ifstream in(std::string(QUIRE_SOURCE_DIR).append("/web/").append(name));
    return std::string((std::istreambuf_iterator<char>(in)), {});
  };
  std::string doc = read("openapi.yaml");
  REQUIRE_FALSE(doc.empty());
  for (int i = 0; i <= static_cast<int>(last_endpoint); ++i) {
    std::string_view e = to_string(static_cast<endpoint>(i));  // "PUT /api/v1/users/{name}/pin"
    std::string method(e.substr(0, e.find(' ')));
    std::string path(e.substr(e.find(' ') + 1 + api_root.size()));
    for (auto& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    CAPTURE(e);
    size_t at = doc.find("\n  " + path + ":\n");
    REQUIRE(at != std::string::npos);
    size_t next = doc.find("\n  /", at + 1);
    CHECK(doc.substr(at, next - at).find("\n    " + method + ":\n") != std::string::npos);
  }
}

TEST_CASE("match_route: a user's API tokens, and a token id that is not one") {
  auto list = match_route("GET", "/api/v1/users/alice/tokens");
  CHECK(list.status == 0);
  CHECK(list.what == endpoint::list_tokens);
  CHECK(list.user == "alice");
  CHECK(match_route("POST", "/api/v1/users/alice/tokens").what == endpoint::create_token);
  CHECK(takes_body(endpoint::create_token));
  auto revoke = match_route("DELETE", "/api/v1/users/alice/tokens/0123456789ab");
  CHECK(revoke.status == 0);
  CHECK(revoke.what == endpoint::revoke_token);
  CHECK(revoke.token_id == "0123456789ab");
  CHECK(match_route("GET", "/api/v1/users/alice/tokens/0123456789ab").status == 405);
  for (const char* bad : {"/api/v1/users/alice/tokens/0123456789AB", "/api/v1/users/alice/tokens/123",
                          "/api/v1/users/alice/tokens/0123456789ab/x", "/api/v1/users/alice/tokens/"}) {
    CAPTURE(bad);
    CHECK(match_route("DELETE", bad).status == 404);
  }
}
