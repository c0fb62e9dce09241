// E-mail text: which addresses pass, and compose() read back the way a mail
// reader would (unfolded headers, RFC 2047 words, the base64 body), with
// the injections and malformed values it must refuse.
#include "devices/mail/mail_text.hpp"

#include <doctest/doctest.h>

#include <string>
#include <utility>
#include <vector>

#include "protocols/base64.hpp"

using namespace quire;
using namespace quire::mail;

namespace {

struct parsed {
  std::vector<std::string> lines;                           // without CRLF
  std::vector<std::pair<std::string, std::string>> fields;  // unfolded values
  std::string body;                                         // the base64 decoded
  bool crlf_only = true;
  bool body_decodes = false;
};

parsed parse(const std::string& text) {
  parsed p;
  size_t at = 0;
  while (at < text.size()) {
    const size_t lf = text.find('\n', at);
    if (lf == std::string::npos || lf == at || text[lf - 1] != '\r') {
      p.crlf_only = false;
      break;
    }
    std::string line = text.substr(at, lf - 1 - at);
    if (line.find('\r') != std::string::npos) p.crlf_only = false;
    p.lines.push_back(std::move(line));
    at = lf + 1;
  }
  size_t i = 0;
  for (; i < p.lines.size() && !p.lines[i].empty(); ++i) {
    const std::string& l = p.lines[i];
    if ((l[0] == ' ' || l[0] == '\t') && !p.fields.empty()) {
      p.fields.back().second += l;  // unfolding removes only the CRLF
      continue;
    }
    const size_t colon = l.find(':');
    p.fields.emplace_back(l.substr(0, colon), colon == std::string::npos ? "" : l.substr(colon + 1));
  }
  // "Name: value" and "Name:" CRLF " value" unfold alike.
  for (auto& f : p.fields)
    if (f.second.starts_with(" ")) f.second.erase(0, 1);
  std::string b64;
  for (++i; i < p.lines.size(); ++i) b64 += p.lines[i];
  p.body_decodes = base64_decode(b64, p.body, base64_padding::required);
  return p;
}

int count(const parsed& p, const std::string& name) {
  int n = 0;
  for (const auto& f : p.fields) n += f.first == name;
  return n;
}

std::string field(const parsed& p, const std::string& name) {
  for (const auto& f : p.fields)
    if (f.first == name) return f.second;
  return "<missing>";
}

// RFC 2047 decoding as a reader does it: white space between two encoded
// words is dropped; each word must decode to whole UTF-8 characters.
std::string decode_words(const std::string& value) {
  std::string out;
  bool prev_encoded = false;
  size_t at = 0;
  for (bool first = true; at <= value.size(); first = false) {
    size_t sp = value.find(' ', at);
    if (sp == std::string::npos) sp = value.size();
    const std::string tok = value.substr(at, sp - at);
    const bool encoded = tok.starts_with("=?utf-8?B?") && tok.ends_with("?=") && tok.size() >= 12;
    if (encoded) {
      CHECK(tok.size() <= 75);
      std::string bytes;
      CHECK(base64_decode(tok.substr(10, tok.size() - 12), bytes, base64_padding::required));
      if (!first && !prev_encoded) out += ' ';
      out += bytes;
    } else {
      if (!first) out += ' ';
      out += tok;
    }
    prev_encoded = encoded;
    at = sp + 1;
  }
  return out;
}

// The display name of a "name <address>" value, decoded, and the address.
std::pair<std::string, std::string> mailbox(const std::string& value) {
  if (!value.ends_with(">")) return {"", value};
  const size_t lt = value.rfind(" <");
  if (lt == std::string::npos) return {"?", value};
  return {decode_words(value.substr(0, lt)), value.substr(lt + 2, value.size() - lt - 3)};
}

message pin_mail() {
  message m;
  m.from = "quire@print.test";
  m.from_name = "Quire";
  m.to = "alice@example.test";
  m.subject = "Your new PIN";
  m.body = "Your PIN is 4711.\n.\nFrom here on, keep it secret.\n";
  m.date_ms = 1700000000123;
  m.message_id = "pin-1.1700000000@print.test";
  return m;
}

parsed compose_ok(const message& m) {
  auto r = compose(m);
  REQUIRE_MESSAGE(r.ok(), r.err().message);
  parsed p = parse(*r);
  CHECK(p.crlf_only);
  for (const auto& l : p.lines) CHECK_MESSAGE(l.size() <= 78, l);
  return p;
}

void check_refused(const message& m, const std::string& secret) {
  auto r = compose(m);
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().code == errc::invalid_argument);
  CHECK(r.err().message.find(secret) == std::string::npos);
}

}  // namespace

TEST_CASE("mail text: check_address takes plain addr-specs only") {
  for (std::string ok : {"a@b", "alice@example.test", "first.last+tag@sub.example.test",
                         "o'brien@example.test", "x_y-z!#$%&*/=?^`{|}~@h"}) {
    CAPTURE(ok);
    CHECK_FALSE(check_address(ok));
  }
  const std::string long_ok = std::string(64, 'l') + "@" + std::string(189, 'd');
  REQUIRE(long_ok.size() == 254);
  CHECK_FALSE(check_address(long_ok));
  for (const std::string& bad : std::vector<std::string>{
           "", "ab", "@b.c", "a@", "@", "a@@b", "a@b@c", "ab.c", "a b@c", " a@b", "a@b ",
        "a@b\r\nRCPT TO:<x@y>", "a@b\nBcc: x@y", "<a@b>", "a@b>", "a<b@c", "\"a b\"@c",
        "a(comment)@b", "a@[127.0.0.1]", "a,b@c", "a;b@c", "a:b@c", "a\\b@c", "a\tb@c",
        "J\xc3\xbcrgen@example.test", "a@b\x7f", std::string("a\0b@c", 5), long_ok + "x"}) {
    CAPTURE(bad);
    const status st = check_address(bad);
    CHECK(st.code == errc::invalid_argument);
  }
  // The message quotes nothing of the address (it may be hostile, or private).
  CHECK(check_address("leaky-local-part@exa mple").message.find("leaky") == std::string::npos);
}

TEST_CASE("mail text: compose writes each header once and a base64 body") {
  const message m = pin_mail();
  const parsed p = compose_ok(m);
  const std::vector<std::string> names = {"Date",       "From",         "To",
                                          "Subject",    "Message-ID",   "MIME-Version",
                                          "Content-Type", "Content-Transfer-Encoding"};
  REQUIRE(p.fields.size() == names.size());
  for (size_t i = 0; i < names.size(); ++i) {
    CHECK(p.fields[i].first == names[i]);
    CHECK(count(p, names[i]) == 1);
  }
  CHECK(field(p, "Date") == "Tue, 14 Nov 2023 22:13:20 +0000");
  CHECK(field(p, "From") == "Quire <quire@print.test>");
  CHECK(field(p, "To") == "alice@example.test");
  CHECK(field(p, "Subject") == "Your new PIN");
  CHECK(field(p, "Message-ID") == "<pin-1.1700000000@print.test>");
  CHECK(field(p, "MIME-Version") == "1.0");
  CHECK(field(p, "Content-Type") == "text/plain; charset=utf-8");
  CHECK(field(p, "Content-Transfer-Encoding") == "base64");
  REQUIRE(p.body_decodes);
  CHECK(p.body == "Your PIN is 4711.\r\n.\r\nFrom here on, keep it secret.\r\n");
  // No body line starts with a dot or "From ": base64 has neither.
  bool in_body = false;
  for (const auto& l : p.lines) {
    if (in_body) CHECK((!l.starts_with(".") && !l.starts_with("From ") && l.size() <= 76));
    in_body = in_body || l.empty();
  }
}

TEST_CASE("mail text: non-ASCII names and subjects are encoded words that decode back") {
  message m = pin_mail();
  m.from_name = "Drucker J\xc3\xbcrgens";                   // "Drucker Jürgens"
  m.to_name = "Zo\xc3\xab M\xc3\xbcller";                   // "Zoë Müller"
  m.subject = "Ihre neue PIN \xe2\x80\x93 \xf0\x9f\x94\x91";  // "– 🔑"
  parsed p = compose_ok(m);
  CHECK(field(p, "Subject").starts_with("=?utf-8?B?"));
  CHECK(decode_words(field(p, "Subject")) == m.subject);
  CHECK(mailbox(field(p, "From")) == std::make_pair(m.from_name, m.from));
  CHECK(mailbox(field(p, "To")) == std::make_pair(m.to_name, m.to));

  // Specials that a phrase would have to quote, and text that looks like an
  // encoded word, are encoded too, so they come back literally.
  for (const char* name : {"Smith, John", "J. Smith", "Smith (IT)", "A <boss@example.test>",
                           "\"quoted\"", "a;b", "a:b", "a@b", "a\\b", "[x]", "=?utf-8?B?SGk=?=",
                           " leading", "trailing ", "two  spaces"}) {
    CAPTURE(name);
    m.to_name = name;
    p = compose_ok(m);
    CHECK(field(p, "To").starts_with("=?utf-8?B?"));
    CHECK(mailbox(field(p, "To")) == std::make_pair(m.to_name, m.to));
  }
  m.to_name = "O'Brien-Smith Jr";  // atext and single spaces: shown as it is
  CHECK(field(compose_ok(m), "To") == "O'Brien-Smith Jr <alice@example.test>");
  m.subject = "=?utf-8?B?SGk=?= stays literal";
  p = compose_ok(m);
  CHECK(field(p, "Subject").starts_with("=?utf-8?B?"));
  CHECK(decode_words(field(p, "Subject")) == m.subject);
  m.subject = "Plain: ASCII, (with) <specials> \"is\" fine";
  CHECK(field(compose_ok(m), "Subject") == m.subject);

  // A long subject folds over several lines, each word whole characters.
  m.subject.clear();
  for (int i = 0; i < 200; ++i) m.subject += i % 3 ? "\xc3\xa9" : "\xf0\x9f\x94\x91";
  m.from_name = std::string(150, 'N');  // plain, but too long for one line
  p = compose_ok(m);
  CHECK(decode_words(field(p, "Subject")) == m.subject);
  CHECK(mailbox(field(p, "From")) == std::make_pair(m.from_name, m.from));
  int subject_lines = 0;
  for (const auto& l : p.lines) subject_lines += l.find("=?utf-8?B?") != std::string::npos;
  CHECK(subject_lines > 10);
}

TEST_CASE("mail text: header injection and control characters are refused") {
  message m = pin_mail();
  m.subject = "Your PIN\r\nBcc: victim@example.test";
  check_refused(m, "Bcc");
  m = pin_mail();
  m.subject = "Your PIN\nBcc: victim@example.test";
  check_refused(m, "Bcc");
  m = pin_mail();
  m.to_name = "Alice\r\nBcc: victim@example.test";
  check_refused(m, "Bcc");
  m = pin_mail();
  m.from_name = std::string("Quire\0x", 7);
  check_refused(m, "Quire");
  m = pin_mail();
  m.to = "alice@example.test\r\nBcc: victim@example.test";
  check_refused(m, "victim");
  m = pin_mail();
  m.to = "Alice <alice@example.test>";
  check_refused(m, "Alice");
  m = pin_mail();
  m.from = "quire@print.test>\r\nRCPT TO:<victim@example.test";
  check_refused(m, "victim");
  m = pin_mail();
  m.message_id = "<id@print.test>";
  check_refused(m, "id@");
  m = pin_mail();
  m.subject = "tab\there";
  check_refused(m, "tab");
  m = pin_mail();
  m.subject = "next\xc2\x85line";  // U+0085, a C1 control
  check_refused(m, "next");
  // In the body only "\n" and tabs are allowed: a CR could end a line early.
  for (const std::string& body : std::vector<std::string>{
           "Your PIN\r\n.\r\nMAIL FROM:<x@y>\n", "esc\x1b[2J", std::string("nul\0", 4)}) {
    m = pin_mail();
    m.body = body;
    check_refused(m, "PIN");
  }
  m = pin_mail();
  m.body = "\tindented\n\nlast line without a line end";
  CHECK(compose_ok(m).body == "\tindented\r\n\r\nlast line without a line end");
}

TEST_CASE("mail text: invalid UTF-8 is refused in every text") {
  for (std::string bad : {"cut \xc3", "overlong \xc0\xaf", "overlong \xe0\x80\xaf",
                          "surrogate \xed\xa0\x80", "past U+10FFFF \xf4\x90\x80\x80",
                          "stray \x80", "latin-1 J\xfcrgen", "\xff\xfe"}) {
    CAPTURE(bad);
    message m = pin_mail();
    m.subject = bad;
    check_refused(m, bad);
    m = pin_mail();
    m.from_name = bad;
    check_refused(m, bad);
    m = pin_mail();
    m.to_name = bad;
    check_refused(m, bad);
    m = pin_mail();
    m.body = bad;
    check_refused(m, bad);
  }
}

TEST_CASE("mail text: limits") {
  message m = pin_mail();
  m.subject = std::string(200, 's');
  CHECK(decode_words(field(compose_ok(m), "Subject")) == m.subject);
  m.subject.clear();
  for (int i = 0; i < 200; ++i) m.subject += "\xe2\x82\xac";  // 200 characters, 600 bytes
  CHECK(compose(m).ok());
  m.subject += "x";
  check_refused(m, "xxx");
  m.subject = "";
  check_refused(m, "Your PIN");
  m = pin_mail();
  m.body = std::string(max_body_bytes, 'b');
  const parsed p = compose_ok(m);
  CHECK(p.body == m.body);
  m.body += "b";
  check_refused(m, "bbb");
  // Before 1900 the RFC 5322 date has no form; the far future does.
  m = pin_mail();
  m.date_ms = -1;
  CHECK(field(compose_ok(m), "Date") == "Wed, 31 Dec 1969 23:59:59 +0000");
  m.date_ms = 951782400000;
  CHECK(field(compose_ok(m), "Date") == "Tue, 29 Feb 2000 00:00:00 +0000");
  m.date_ms = 253402300799000;
  CHECK(field(compose_ok(m), "Date") == "Fri, 31 Dec 9999 23:59:59 +0000");
  m.date_ms = -2208988800000;
  CHECK(field(compose_ok(m), "Date") == "Mon, 01 Jan 1900 00:00:00 +0000");
  for (int64_t bad : {int64_t{-2208988800001}, int64_t{253402300800000}, INT64_MIN, INT64_MAX}) {
    m.date_ms = bad;
    check_refused(m, "Your PIN");
  }
}

TEST_CASE("mail text: an address too long for a line gets a line of its own") {
  // RFC 5322 allows no folding inside an address: a 254-character one
  // cannot meet the 78-character line, but it is alone on its line.
  message m = pin_mail();
  m.to = std::string(64, 't') + "@" + std::string(189, 'd');
  m.to_name = "Tom";
  m.message_id = std::string(200, 'i') + "@print.test";
  auto r = compose(m);
  REQUIRE(r.ok());
  const parsed p = parse(*r);
  CHECK(p.crlf_only);
  std::vector<std::string> long_lines;
  for (const auto& l : p.lines)
    if (l.size() > 78) long_lines.push_back(l);
  CHECK(long_lines == std::vector<std::string>{" <" + m.to + ">", " <" + m.message_id + ">"});
  CHECK(mailbox(field(p, "To")) == std::make_pair(m.to_name, m.to));
  CHECK(field(p, "Message-ID") == "<" + m.message_id + ">");
  // One that fits a line of its own but not the field's first line is folded.
  m = pin_mail();
  m.from = std::string(60, 'f') + "@" + std::string(14, 'd');  // 75 characters
  m.from_name = "";
  const parsed q = compose_ok(m);
  CHECK(q.lines[1] == "From:");
  CHECK(q.lines[2] == " " + m.from);
  CHECK(field(q, "From") == m.from);
}
