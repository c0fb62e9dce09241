// [directory]: the university's LDAP or Active Directory, where users,
// groups, e-mail addresses and card numbers come from
// (actors/directory_sync.hpp), and whose passwords log users in.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace quire {

struct directory_config {
  bool enabled = false;
  std::string url;                  // one "ldap://host[:port]" or "ldaps://host[:port]"
  bool start_tls = false;           // ldap:// then StartTLS (required: no plain fallback)
  std::string ca_file;              // PEM CA that signs the directory's certificate; "" = the system's
  bool verify_server = true;        // false only for tests: the server's certificate is not checked
  uint32_t timeout_ms = 10000;      // 100..300000: each network step
  std::string bind_dn;              // the service account the sync reads with
  std::string bind_password_file;   // absolute; its first line is that account's password (a secret)
  std::string schema = "openldap";  // "openldap" or "ad": the defaults of the keys below
  std::string base_dn;              // users are searched under it (required when enabled)
  std::string user_filter;          // an LDAP filter in parentheses
  std::string group_base_dn;        // "" = base_dn
  std::string group_filter;
  std::string login_attribute;
  std::string name_attribute;
  std::string email_attribute;
  std::string card_attribute;       // "" = cards are not taken from the directory
  std::string disabled_attribute;   // "" = none; "userAccountControl" for AD
  std::string group_name_attribute;
  std::string member_attribute;
  std::string changed_attribute;    // what incremental syncs filter on (>= the last change seen)
  std::vector<std::string> admin_groups;  // members administer the site ([] = Quire's own flag)
  uint32_t page_size = 500;          // 1..10000 entries per page (RFC 2696)
  uint32_t interval_s = 900;         // 60..86400: between incremental syncs
  uint32_t full_interval_s = 86400;  // 600..2592000: between full syncs (they notice deletions)
  bool password_logins = true;       // directory users' passwords are checked by binding as them
  std::string offline_logins = "cached";  // directory unreachable: "cached" (the last password
                                          // that bound, kept as a scrypt hash) or "refuse"

  bool operator==(const directory_config&) const = default;
};

/// Fills the attribute and filter keys left "" with `schema`'s defaults
/// ("openldap": inetOrgPerson, uid, groupOfNames/member, modifyTimestamp;
/// "ad": user, sAMAccountName, group/member, whenChanged, userAccountControl).
void apply_directory_schema_defaults(directory_config& d);

}  // namespace quire
