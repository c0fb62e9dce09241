// quirectl's command line, as pure functions: argv in, a typed invocation
// out; an invocation (and the secret read from stdin) in, the REST request
// out. quirectl.cpp does the I/O around them; tests/web/ tests them.
//
//   quirectl [GLOBAL...] whoami
//   quirectl [GLOBAL...] user list [--after NAME] [--limit N]
//   quirectl [GLOBAL...] user show NAME
//   quirectl [GLOBAL...] user add NAME [--display-name S] [--group G]... [--admin] [--disabled]
//                                       [--password-stdin]
//   quirectl [GLOBAL...] user set NAME [--display-name S] [--group G]... [--no-groups]
//                                       [--admin|--no-admin] [--disable|--enable]
//   quirectl [GLOBAL...] user passwd NAME            (new password on stdin)
//   quirectl [GLOBAL...] user card add|del NAME      (card id on stdin)
//   quirectl [GLOBAL...] user pin set NAME           (PIN on stdin)
//   quirectl [GLOBAL...] user pin clear NAME
//   quirectl [GLOBAL...] user del NAME
//   quirectl [GLOBAL...] jobs list [--owner U] [--queue Q] [--which active|completed|all] [--limit N]
//   quirectl [GLOBAL...] jobs show ID
//   quirectl [GLOBAL...] jobs reprint ID [--printer P]
//   quirectl [GLOBAL...] printers [list]
//   quirectl [GLOBAL...] printers show NAME
//   quirectl [GLOBAL...] printers counters NAME [--limit N]
//   quirectl [GLOBAL...] printers add NAME --uri URI [PRINTER OPTION...]
//   quirectl [GLOBAL...] printers set NAME PRINTER OPTION...
//   quirectl [GLOBAL...] printers remove NAME
//   quirectl [GLOBAL...] queues [list]
//   quirectl [GLOBAL...] queues show NAME
//   quirectl [GLOBAL...] queues add NAME --type pull|direct|group [QUEUE OPTION...]
//   quirectl [GLOBAL...] queues set NAME QUEUE OPTION...
//   quirectl [GLOBAL...] queues remove NAME
//   quirectl [GLOBAL...] prices [list] | show NAME | remove NAME
//   quirectl [GLOBAL...] prices add NAME [PRICE OPTION...]
//   quirectl [GLOBAL...] prices set NAME PRICE OPTION... [--no-sizes] [--no-mono-only]
//   quirectl [GLOBAL...] projects [list] | show NAME | remove NAME
//   quirectl [GLOBAL...] projects add NAME [--description T] [--group G]...
//   quirectl [GLOBAL...] projects set NAME [--description T] [--group G]... [--no-groups]
//   quirectl [GLOBAL...] quotas [list] | show NAME | remove NAME
//   quirectl [GLOBAL...] quotas add NAME --sheets N [--period day|week|month|year] [--group G]...
//                                         [--member U]...
//   quirectl [GLOBAL...] quotas set NAME [--sheets N] [--period P] [--group G]... [--no-groups]
//                                         [--member U]... [--no-members]
//   quirectl [GLOBAL...] directory [status]
//   quirectl [GLOBAL...] directory sync [--full] [--wait]
//   quirectl [GLOBAL...] account USER
//   quirectl [GLOBAL...] credit USER AMOUNT [--adjust] [--note TEXT]
//   quirectl [GLOBAL...] ledger USER [--limit N]
//   quirectl [GLOBAL...] delegates USER [NAME...] [--none]
//   quirectl [GLOBAL...] terminals list | add NAME PRINTER | revoke NAME
// GLOBAL: --server URL, --user NAME, --password-file FILE, --insecure,
// --cacert FILE, --json. PRINTER OPTION: --uri URI, --location L, --info I,
// --model M, --language X, --price-list P. QUEUE OPTION: --type T,
// --printers a,b, --location L, --info I, --auth|--no-auth,
// --failover|--no-failover. PRICE OPTION: --per sheet|impression, --mono N,
// --colour N, --duplex-mono N, --duplex-colour N (N in minor units of the
// currency; -1 for a duplex rate: as the one-sided), --size
// MEDIA=MONO/COLOUR[/DMONO/DCOLOUR] (repeatable; on set it replaces every
// size), --mono-only. Options may stand anywhere; "--" ends them.
//
// Secrets never come from argv (any user can read another's with ps): the
// administrator's password from a file, QUIRE_PASSWORD or the terminal;
// new passwords, card ids and PINs from stdin. (A terminal's token is the
// server's answer, printed once; it is never an argument either.)
//
// AMOUNT is in major units as a person types it ("5", "5.50", "-1.25"); the
// number of decimals is the server's currency's, which quirectl learns by
// reading the account first (credit_request()).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/result.hpp"

namespace quire::quirectl {

inline constexpr std::string_view default_server = "https://127.0.0.1:8631";

/// Exit codes.
inline constexpr int exit_ok = 0;
inline constexpr int exit_refused = 1;  // the server said no, or could not be reached
inline constexpr int exit_usage = 2;

enum class action {
  help,
  whoami,
  user_list,
  user_show,
  user_add,
  user_set,
  user_passwd,
  user_card_add,
  user_card_del,
  user_pin_set,
  user_pin_clear,
  user_pin_mail,
  user_del,
  jobs_list,
  jobs_show,
  // The printer commands (quirectl_cli_printers.cpp).
  printers_list,      // printers   or   printers list
  printers_show,      // printers show NAME
  printers_counters,  // printers counters NAME
  // The fleet commands (quirectl_cli_fleet.cpp): printers and queues
  // changed at run time, and a job printed again.
  printers_add,     // printers add NAME --uri URI ...
  printers_set,     // printers set NAME ...
  printers_remove,  // printers remove NAME
  queues_list,      // queues   or   queues list
  queues_show,      // queues show NAME
  queues_add,       // queues add NAME --type T ...
  queues_set,       // queues set NAME ...
  queues_remove,    // queues remove NAME
  jobs_reprint,     // jobs reprint ID [--printer P]
  // Price lists, projects and quotas (quirectl_cli_prices.cpp).
  prices_list,      // prices   or   prices list
  prices_show,      // prices show NAME
  prices_add,       // prices add NAME ...
  prices_set,       // prices set NAME ...
  prices_remove,    // prices remove NAME
  projects_list,    // projects   or   projects list
  projects_show,    // projects show NAME
  projects_add,     // projects add NAME ...
  projects_set,     // projects set NAME ...
  projects_remove,  // projects remove NAME
  quotas_list,      // quotas   or   quotas list
  quotas_show,      // quotas show NAME
  quotas_add,       // quotas add NAME --sheets N ...
  quotas_set,       // quotas set NAME ...
  quotas_remove,    // quotas remove NAME
  // The API-token commands (quirectl_tokens.cpp).
  tokens_list,    // tokens list USER
  tokens_add,     // tokens add USER LABEL [--days N]
  tokens_revoke,  // tokens revoke USER ID
  report,         // report [--from DAY] [--to DAY] [--by KEY] [--csv]
  // The directory sync (quirectl_cli_directory.cpp).
  directory_status,  // directory   or   directory status
  directory_sync,    // directory sync [--full] [--wait]
  // The accounting commands come last (parse_command_line relies on it).
  account,           // account USER
  credit,            // credit USER AMOUNT
  ledger,            // ledger USER
  delegates_show,    // delegates USER
  delegates_set,     // delegates USER NAME...   or   delegates USER --none
  terminals_list,
  terminals_add,     // terminals add NAME PRINTER
  terminals_revoke,  // terminals revoke NAME
};

/// One --size of prices add/set: a media size's rates (minor units).
struct size_rate {
  std::string media;  // a PWG media name (a short one given becomes one)
  int64_t mono = 0;
  int64_t colour = 0;
  int64_t duplex_mono = -1;
  int64_t duplex_colour = -1;
};

struct invocation {
  action what = action::help;
  // Global options; empty strings: not given (quirectl.cpp applies the
  // environment and the defaults).
  std::string server;
  std::string user;
  std::string password_file;
  std::string token_file;  // --token-file: an API token instead of a user and password
  std::string cacert;
  bool insecure = false;
  bool json = false;

  // tokens add / tokens revoke
  std::string label;
  std::string token_id;
  uint32_t days = 0;  // 0: the token does not expire
  // report
  std::string from, to, by;
  bool csv = false;
  // directory sync
  bool full = false;  // --full: every entry, and who is gone, not only the changes
  bool wait = false;  // --wait: poll until the sync is done, then print its report
  std::string name;  // the NAME of user commands, the USER of accounting ones, a terminal's or printer's NAME
  // user add / user set (and --group, --no-groups of projects and quotas add / set)
  std::optional<std::string> display_name;
  std::vector<std::string> groups;
  bool groups_given = false;  // --group or --no-groups: replace the groups
  std::optional<bool> admin;
  std::optional<bool> disabled;
  bool password_stdin = false;
  // user list, jobs list, ledger, printers counters
  std::string after;
  std::optional<uint32_t> limit;  // absent: every page (printers counters: the server's default)
  // jobs list (--owner: --user is who logs in), jobs show
  std::string owner;
  std::string queue;
  std::string which;  // "" = the server's default (active)
  uint64_t job = 0;   // the ID of jobs show
  // credit
  std::string amount;  // AMOUNT as typed (checked: [-]DIGITS[.DIGITS], non-zero)
  bool adjust = false;
  std::optional<std::string> note;
  // delegates USER NAME... (empty with --none)
  std::vector<std::string> delegates;
  // terminals add; jobs reprint --printer
  std::string printer;
  // printers add / set (absent: not given)
  std::optional<std::string> device_uri;  // --uri
  std::optional<std::string> location;    // --location (queues too)
  std::optional<std::string> info;        // --info (queues too)
  std::optional<std::string> model;       // --model
  std::optional<std::string> language;    // --language
  std::optional<std::string> price_list;  // --price-list ("" = prints free)
  // queues add / set
  std::string queue_type;  // --type: "pull", "direct", "group"
  std::optional<std::vector<std::string>> queue_printers;  // --printers a,b
  std::optional<bool> auth;      // --auth / --no-auth
  std::optional<bool> failover;  // --failover / --no-failover
  // prices add / set (absent: not given)
  std::optional<std::string> per;  // --per: "sheet", "impression"
  std::optional<int64_t> mono, colour, duplex_mono, duplex_colour;
  std::vector<size_rate> sizes;  // --size...
  bool sizes_given = false;      // --size or --no-sizes: replace the sizes
  std::optional<bool> mono_only;  // --mono-only / --no-mono-only
  // projects add / set
  std::optional<std::string> description;
  // quotas add / set (and groups above)
  std::optional<uint32_t> sheets;     // --sheets
  std::optional<std::string> period;  // --period: "day", "week", "month", "year"
  std::vector<std::string> quota_users;  // --user... after the command words
  bool users_given = false;              // --member or --no-members: replace the users
};

/// The usage text (quirectl --help; quirectl_usage.cpp).
extern const char* const usage_text;

/// Parses the arguments after argv[0]. invalid_argument, with a message
/// for the user, on any misuse (exit_usage).
result<invocation> parse_command_line(const std::vector<std::string>& args);

/// The command words after the command of an accounting action (account,
/// credit, ledger, delegates, terminals): its USER or NAME and the rest.
/// parse_command_line's part for those commands (quirectl_cli_accounting.cpp).
status take_accounting_words(invocation& inv, const std::vector<std::string>& words);
/// Their checks once the options are applied (`none`: --none was given):
/// AMOUNT's form and sign, --none against NAMEs.
status finish_accounting(invocation& inv, bool none);

/// True for the printer commands (printers_list, printers_show,
/// printers_counters).
bool is_printer_action(action what) noexcept;
/// The command words after `printers list|show|counters`: none, or the
/// printer's NAME (valid_printer_name). parse_command_line's part for those
/// commands (quirectl_cli_printers.cpp).
status take_printer_words(invocation& inv, const std::vector<std::string>& words);
/// True for the fleet commands (printers add/set/remove, queues ..., jobs
/// reprint).
bool is_fleet_action(action what) noexcept;
/// True when `option` ("--uri") is one of the fleet commands' options.
bool is_fleet_option(std::string_view option) noexcept;
/// Applies a fleet option (is_fleet_option) and its value to `inv`:
/// invalid_argument for a value that cannot be right or an option given twice.
status apply_fleet_option(invocation& inv, std::string_view option, const std::string& value);
/// The command words after a fleet command: the printer's or queue's NAME
/// (valid_printer_name, valid_queue_name), a job ID, or none (queues list).
status take_fleet_words(invocation& inv, const std::vector<std::string>& words);
/// Their checks once the options are applied: add needs --uri (printers)
/// or --type (queues); set needs something to change.
status finish_fleet(const invocation& inv);
/// True for the price-list, project and quota commands (prices ...,
/// projects ..., quotas ...).
bool is_price_action(action what) noexcept;
/// True when `option` ("--mono") is one of the price-list, project or
/// quota commands' own options (--group and --no-groups are the user
/// commands', --user the global one).
bool is_price_option(std::string_view option) noexcept;
/// Applies a price option (is_price_option) and its value to `inv`:
/// invalid_argument for a value that cannot be right or an option given
/// twice.
status apply_price_option(invocation& inv, std::string_view option, const std::string& value);
/// The command words after a price-list, project or quota command: its
/// NAME (valid_price_list_name, valid_project_name, valid_quota_name), or
/// none (list).
status take_price_words(invocation& inv, const std::vector<std::string>& words);
/// Their checks once the options are applied: set needs something to
/// change; groups must be group names, none twice ("*" only a quota's,
/// where it is every user), a quota's users user names; quotas add needs
/// --sheets and someone to apply to.
status finish_prices(const invocation& inv);
/// The largest --limit of `what`: web::counters_max_limit for printers
/// counters, 1000 for the rest.
uint32_t max_limit_of(action what) noexcept;

/// AMOUNT ("5", "5.50", "-1.25": optional '-', digits, optionally '.' and
/// at most `minor_digits` digits) in minor units. invalid_argument for
/// another form, 0, more decimals than the currency has, or a magnitude
/// over web::max_credit_amount minor units.
result<int64_t> parse_amount(std::string_view text, uint32_t minor_digits);

struct server_url {
  bool tls = true;
  std::string host;  // no brackets around an IPv6 address
  uint16_t port = 8631;
  /// "host:port" as a Host header wants it (brackets around IPv6).
  std::string authority() const;
};

/// "https://host[:port]", "http://...", "ipps://..." (https), "ipp://..."
/// (http), "[::1]" literals; no path beyond "/", no user info. The port
/// defaults to 8631 (Quire's, for every scheme).
result<server_url> parse_server_url(std::string_view url);

/// What the command reads from stdin.
enum class stdin_secret { none, password, card_id, pin };
stdin_secret secret_of(const invocation& inv);

struct api_request {
  std::string method;
  std::string path;  // with query string
  std::string body;  // JSON, or empty
};

/// The request for `inv`. `secret` is what secret_of(inv) asked for (empty
/// for none). `after` overrides inv.after, for the following pages of a
/// listing. For credit it is the first of two requests (accounting_request).
api_request build_request(const invocation& inv, std::string_view secret, const std::string* after = nullptr);

/// build_request's part for the printer actions.
api_request printers_request(const invocation& inv);
/// build_request's part for the fleet actions (is_fleet_action).
api_request fleet_request(const invocation& inv);
/// build_request's part for the price-list, project and quota actions (is_price_action).
api_request prices_request(const invocation& inv);

/// True for the directory commands (directory status, directory sync).
bool is_directory_action(action what) noexcept;
/// The command words after `directory status|sync`: none.
status take_directory_words(invocation& inv, const std::vector<std::string>& words);
/// build_request's part for the directory actions: GET /api/v1/directory,
/// or POST /api/v1/directory/sync with {"full": true} for --full, else {}.
api_request directory_request(const invocation& inv);

/// What `directory sync --wait` waits for, once the sync was asked for at
/// `asked_ms` (the client's clock) and answered `started`: the sync that
/// began then, or, for an incremental one that found one running, that
/// one (the server starts no other; a full one asked for runs after it).
/// The least "started_ms" of the report to wait for.
int64_t sync_wait_since(bool full, bool started, int64_t asked_ms) noexcept;
/// Polls for `directory sync --wait`: `pause` (a second), then `fetch` (GET
/// /api/v1/directory: the body, or an error, which ends the wait), until
/// the answer says no sync runs and its "last" report started at or after
/// `since_ms` (sync_wait_state). Answers that last GET's body.
result<std::string> wait_for_sync(const std::function<result<std::string>()>& fetch,
                                  const std::function<void()>& pause, int64_t since_ms);

/// The API-token commands (quirectl_tokens.cpp): whether `what` is one,
/// their words after the command (USER, LABEL or ID), their request, and
/// what a person reads of the answer.
bool is_token_action(action what) noexcept;
/// The usage report (quirectl_tokens.cpp too): its request, and its table.
api_request report_request(const invocation& inv);
std::string report_table(std::string_view report_body);
status take_token_words(invocation& inv, const std::vector<std::string>& words);
api_request tokens_request(const invocation& inv);
std::string token_table(std::string_view tokens_body);
std::string token_added(std::string_view token_body);

/// build_request's part for the accounting actions. For credit it is the
/// account's GET, which tells the currency's minor digits; credit_request()
/// is the credit itself once AMOUNT is `minor` units.
api_request accounting_request(const invocation& inv);
api_request credit_request(const invocation& inv, int64_t minor);

/// "/api/v1/<collection>", and "/<name>" (percent-encoded) when `name` is
/// not empty: the path of the fleet's resources (printers, queues, prices,
/// projects, quotas).
std::string resource_path(const char* collection, const std::string& name);

/// The whole HTTP/1.1 request (Connection: close): Basic credentials, or,
/// when `user` is empty, `password` is an API token sent as Bearer.
std::string format_request(const server_url& server, const api_request& req, std::string_view user,
                           std::string_view password);

}  // namespace quire::quirectl
