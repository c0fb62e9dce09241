// [directory]: read, checked and defaulted (config/directory_config.hpp).
#include <algorithm>
#include <cctype>

#include "config/config_internal.hpp"

namespace quire {

void apply_directory_schema_defaults(directory_config& d) {
  bool ad = d.schema == "ad";
  auto fill = [](std::string& key, const char* openldap, const char* active_directory, bool is_ad) {
    if (key.empty()) key = is_ad ? active_directory : openldap;
  };
  fill(d.user_filter, "(objectClass=inetOrgPerson)", "(&(objectCategory=person)(objectClass=user))", ad);
  fill(d.group_filter, "(objectClass=groupOfNames)", "(objectClass=group)", ad);
  fill(d.login_attribute, "uid", "sAMAccountName", ad);
  fill(d.name_attribute, "displayName", "displayName", ad);
  fill(d.email_attribute, "mail", "mail", ad);
  fill(d.group_name_attribute, "cn", "cn", ad);
  fill(d.member_attribute, "member", "member", ad);
  fill(d.changed_attribute, "modifyTimestamp", "whenChanged", ad);
  if (ad && d.disabled_attribute.empty()) d.disabled_attribute = "userAccountControl";
}

namespace detail {

namespace {

status bad(const std::string& key, const std::string& problem, const std::string& value) {
  return bad_value("directory." + key, problem, value);
}

// An attribute description (RFC 4512 §2.5): a letter, then letters, digits
// and hyphens; or a numeric OID.
bool attribute_name(const std::string& a) {
  if (a.empty() || a.size() > 64) return false;
  bool oid = a[0] >= '0' && a[0] <= '9';
  for (char c : a) {
    bool ok = oid ? ((c >= '0' && c <= '9') || c == '.')
                  : ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-');
    if (!ok) return false;
  }
  return oid || std::isalpha(static_cast<unsigned char>(a[0]));
}

// A filter in parentheses with balanced (unescaped) parentheses: what the
// sync can wrap in (&...(changed>=time)). The directory checks the rest.
bool filter_shape(const std::string& f) {
  if (f.size() < 3 || f.front() != '(' || f.back() != ')' || f.size() > 4096) return false;
  int depth = 0;
  for (size_t i = 0; i < f.size(); ++i) {
    char c = f[i];
    if (static_cast<unsigned char>(c) < 0x20) return false;
    if (c == '(') depth += 1;
    if (c == ')' && --depth < 0) return false;
    if (depth == 0 && i + 1 < f.size()) return false;
  }
  return depth == 0;
}

bool dn_shape(const std::string& dn) {
  return !dn.empty() && dn.size() <= 1024 && dn.find('=') != std::string::npos &&
         std::none_of(dn.begin(), dn.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; });
}

bool url_shape(const std::string& u) {
  auto rest = u.rfind("ldaps://", 0) == 0 ? u.substr(8) : u.rfind("ldap://", 0) == 0 ? u.substr(7) : std::string();
  if (rest.empty() || rest.size() > 255) return false;
  while (!rest.empty() && rest.back() == '/') rest.pop_back();
  return !rest.empty() && std::none_of(rest.begin(), rest.end(), [](char c) {
    return c == ' ' || c == '/' || c == '@' || c == '?' || static_cast<unsigned char>(c) < 0x21;
  });
}

}  // namespace

status read_directory(const toml::table& t, const std::string& cwd, directory_config& out) {
  if (const auto* v = t.get_as<bool>("enabled")) out.enabled = v->get();
  out.url = string_or(t, "url", out.url);
  if (const auto* v = t.get_as<bool>("start_tls")) out.start_tls = v->get();
  out.ca_file = string_or(t, "ca_file", out.ca_file);
  if (const auto* v = t.get_as<bool>("verify_server")) out.verify_server = v->get();
  if (const auto* v = t.get_as<int64_t>("timeout_ms")) {
    if (v->get() < 100 || v->get() > 300000)
      return bad("timeout_ms", "must be between 100 and 300000", std::to_string(v->get()));
    out.timeout_ms = static_cast<uint32_t>(v->get());
  }
  out.bind_dn = string_or(t, "bind_dn", out.bind_dn);
  out.bind_password_file = string_or(t, "bind_password_file", out.bind_password_file);
  out.schema = string_or(t, "schema", out.schema);
  if (out.schema != "openldap" && out.schema != "ad") return bad("schema", "expected \"openldap\" or \"ad\"", out.schema);
  out.base_dn = string_or(t, "base_dn", out.base_dn);
  out.user_filter = string_or(t, "user_filter", out.user_filter);
  out.group_base_dn = string_or(t, "group_base_dn", out.group_base_dn);
  out.group_filter = string_or(t, "group_filter", out.group_filter);
  struct attr {
    const char* key;
    std::string* value;
    bool may_be_empty;
  };
  attr attrs[] = {{"login_attribute", &out.login_attribute, false},
                  {"name_attribute", &out.name_attribute, false},
                  {"email_attribute", &out.email_attribute, false},
                  {"card_attribute", &out.card_attribute, true},
                  {"disabled_attribute", &out.disabled_attribute, true},
                  {"group_name_attribute", &out.group_name_attribute, false},
                  {"member_attribute", &out.member_attribute, false},
                  {"changed_attribute", &out.changed_attribute, false}};
  for (auto& a : attrs) *a.value = string_or(t, a.key, *a.value);
  apply_directory_schema_defaults(out);
  for (auto& a : attrs)
    if (!(a.may_be_empty && a.value->empty()) && !attribute_name(*a.value))
      return bad(a.key, "expected an LDAP attribute name", *a.value);
  if (status s = read_groups(t, "admin_groups", "directory.admin_groups", false, out.admin_groups)) return s;
  auto read_u32 = [&](const char* key, int64_t lo, int64_t hi, uint32_t& v) -> status {
    const auto* n = t.get_as<int64_t>(key);
    if (!n) return {};
    if (n->get() < lo || n->get() > hi)
      return bad(key, "must be between " + std::to_string(lo) + " and " + std::to_string(hi), std::to_string(n->get()));
    v = static_cast<uint32_t>(n->get());
    return {};
  };
  if (status s = read_u32("page_size", 1, 10000, out.page_size)) return s;
  if (status s = read_u32("interval_s", 60, 86400, out.interval_s)) return s;
  if (status s = read_u32("full_interval_s", 600, 2592000, out.full_interval_s)) return s;
  if (const auto* v = t.get_as<bool>("password_logins")) out.password_logins = v->get();
  out.offline_logins = string_or(t, "offline_logins", out.offline_logins);
  if (out.offline_logins != "cached" && out.offline_logins != "refuse")
    return bad("offline_logins", "expected \"cached\" or \"refuse\"", out.offline_logins);
  for (auto* f : {&out.user_filter, &out.group_filter})
    if (!filter_shape(*f))
      return bad(f == &out.user_filter ? "user_filter" : "group_filter",
                 "expected one LDAP filter in parentheses, like (objectClass=person)", *f);
  for (auto* p : {&out.ca_file, &out.bind_password_file}) {
    if (p->empty()) continue;
    auto abs = absolute_path(p == &out.ca_file ? "directory.ca_file" : "directory.bind_password_file", *p, cwd);
    if (!abs) return abs.err();
    *p = std::move(abs).value();
  }
  if (!out.enabled) return {};
  if (!url_shape(out.url))
    return bad("url", "expected one ldap://host[:port] or ldaps://host[:port] (no user or path)", out.url);
  if (out.start_tls && out.url.rfind("ldaps://", 0) == 0)
    return bad("start_tls", "ldaps:// is TLS already; StartTLS is for ldap://", "true");
  if (!dn_shape(out.base_dn)) return bad("base_dn", "expected a DN like ou=people,dc=example,dc=edu", out.base_dn);
  if (!out.group_base_dn.empty() && !dn_shape(out.group_base_dn))
    return bad("group_base_dn", "expected a DN or \"\"", out.group_base_dn);
  if (!dn_shape(out.bind_dn)) return bad("bind_dn", "expected the service account's DN", out.bind_dn);
  if (out.bind_password_file.empty())
    return bad("bind_password_file", "is needed: a file whose first line is the service account's password", "");
  return {};
}

}  // namespace detail
}  // namespace quire
