// The server's configuration: one validated, immutable value.
//
// Sources, later ones winning key by key:
//   1. the embedded defaults, which are config/quire.example.toml compiled in;
//   2. the file given with --config (its [prices] / [printers] / [queues] /
//      [raw] / [quotas] / [projects] tables, when present, replace the
//      default ones wholesale rather than merging, so a production file never
//      inherits the demo printer);
//   3. --data-dir DIR (same as --set server.data_dir=DIR);
//   4. each --set KEY=VALUE, KEY a dotted path ("ipp.listen",
//      "printers.demo.device_uri", "raw.lab9100.queue", TOML quoting for
//      names with a dot: printers."lab.2".info), tables created as needed.
//      VALUE is taken verbatim when the schema says the key is a string, and
//      is otherwise parsed as a TOML value (42, true, ["a","b"]); one that
//      does not parse is an error naming the key.
// The merged document is then validated once into `config`. Unknown keys,
// wrong types and bad values are errors that name the key and the problem;
// so are two enabled listeners (ipp, lpd, raw.*) on overlapping addresses
// with the same non-zero port.
// Relative paths are resolved against the working directory at load time;
// "${data_dir}" inside a device URI expands to the absolute data folder.
//
// Nothing here touches the network or opens storage: load() only reads the
// given file (and never creates folders).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "protocols/pdl/price.hpp"
#include "config/directory_config.hpp"
#include "config/mail_config.hpp"
#include "protocols/result.hpp"

namespace quire {

/// A listening address, "127.0.0.1:8631" or "[::1]:8631". Port 0 asks the
/// kernel for a free port.
struct endpoint {
  std::string host;  // without brackets: "127.0.0.1", "::1", "0.0.0.0"
  uint16_t port = 0;

  /// "127.0.0.1:8631", or "[::1]:8631" for IPv6.
  std::string to_string() const;
  /// Parses "host:port" / "[v6]:port"; the host must be an IP literal or
  /// "localhost" (mapped to 127.0.0.1).
  static result<endpoint> parse(const std::string& text);
};

struct listener_config {
  bool enabled = true;
  endpoint listen;
};

/// TLS (IPPS) on the IPP listener, beside plain HTTP on the same port.
struct tls_config {
  bool enabled = true;
  std::string certificate;  // PEM chain, absolute after load(); "" with private_key "":
  std::string private_key;  // a self-signed pair generated in <data_dir>/tls/
};

struct printer_config {
  std::string name;            // [A-Za-z0-9_.-]{1,64}
  std::string price_list;      // a [prices] entry; "" = printing here is free
  std::string device_uri;      // file:///dir, ipp://host:port/path, lpd://host:port/queue, socket://host:port
  std::string language;        // the document format the device accepts, e.g. "application/pdf"
  std::string location;
  std::string info;
  std::string make_and_model;
  // How a user logs in at this printer's terminal to release jobs, each one of
  // "card" (a badge alone), "pin" (a PIN alone; it identifies its user),
  // "password" (name and password), "card+pin" (a badge, then its owner's PIN).
  // Never empty, no method twice.
  std::vector<std::string> login = {"card", "password"};
  bool print_all_on_login = false;  // true: logging in releases all the user's held jobs here
  // SNMP monitoring of the device. Unset: on for network device URIs when
  // [monitoring] enabled is true, off for file:// ones. Set, it wins over
  // [monitoring] enabled either way.
  std::optional<bool> snmp;
  std::string snmp_address;    // "host", "host:port", "[v6]:port"; "" = the device URI's host, port 161
  std::string snmp_community;  // "" = [monitoring] community; a secret (to_toml prints "(set)")
  std::string snmp_version;    // "" = [monitoring] version; else "1" or "2c"
};

enum class queue_kind : uint8_t {
  pull,    // jobs are held until their owner releases them at a printer
  direct,  // jobs print at once on the queue's printer
  group,   // jobs print at once on the least busy printer of the queue's printers
};

struct queue_config {
  std::string name;                   // [A-Za-z0-9_.-]{1,64}
  queue_kind kind = queue_kind::pull;
  std::vector<std::string> printers;  // pull: where its jobs may be released (first = default
                                      // for IPP Release-Job); direct: exactly one; group: one or more
  std::string location;
  std::string info;
  bool authentication = false;        // true: IPP clients must log in (HTTP Basic over TLS)
  bool failover = false;              // pull and group only: a job whose printer is unreachable
                                      // (down, refusing connections) goes to another of `printers`
};

struct limits_config {
  uint64_t max_document_bytes = 100ull << 20;      // larger: client-error-request-entity-too-large
  uint32_t max_ipp_attributes_bytes = 256u << 10;  // the attribute section of one IPP request
  uint32_t inline_document_bytes = 256u << 10;     // documents up to this size live in the job's
                                                   // synced storage batch, larger ones in spool/
  uint32_t request_timeout_ms = 30000;             // a client silent this long mid-request is closed
  uint32_t idle_timeout_ms = 60000;                // an idle keep-alive connection is closed
  uint32_t max_connections = 4096;
  uint64_t min_free_disk_bytes = 512ull << 20;    // below this free space in the data folder,
                                                  // queues stop accepting jobs
  uint64_t max_jobs_per_user = 500;               // unfinished jobs of one user (0: no cap)
  uint64_t max_bytes_per_user = 2ull << 30;       // their documents' bytes (0: no cap)
  uint32_t user_submissions_per_minute = 300;     // new jobs per user (0: no limit)
  uint32_t host_submissions_per_minute = 0;       // new jobs per client address (0: no limit)

};

/// The job processors (quire-jobproc children) that read every job's
/// document: pages, colour pages, sizes.
struct processors_config {
  bool enabled = true;
  uint32_t count = 0;                     // children; 0 = one per CPU core
  uint32_t timeout_ms = 60000;            // per document's analysis
  uint32_t convert_timeout_ms = 300000;   // per conversion for a printer
  uint64_t memory_bytes = 1ull << 30;     // Ghostscript's address-space limit per document
  std::string run_as;                     // when quired runs as root: the children's Ghostscript runs as this user
};

/// How printers talk to their devices (devices/driver.hpp): the same for
/// every socket://, lpd:// and ipp:// device.
struct delivery_config {
  uint32_t connect_timeout_ms = 10000;   // opening a connection
  uint32_t progress_timeout_ms = 60000;  // a device taking no byte (or, over IPP, silent) this long
  uint32_t ack_timeout_ms = 30000;       // an LPD server's acknowledgement
  uint32_t retries = 3;                  // tries after the first, only while the device has taken nothing
  uint32_t backoff_ms = 1000;            // before the first retry; doubles each time
  uint32_t ipp_poll_ms = 2000;           // how often an IPP printer's job is looked at
  uint32_t job_timeout_s = 3600;         // an IPP printer's job not completed by then fails
};

/// Money: one currency for the site, amounts in its minor units (cents).
struct accounting_config {
  std::string currency = "EUR";  // ISO 4217 code, shown with amounts
  uint32_t minor_digits = 2;     // 0..4: how many digits the minor unit has (EUR 2, JPY 0)
  bool prepaid = false;          // a release needs credit (else everyone is postpaid)
  int64_t initial_credit = 0;    // minor units (0..1000000000): a new account's balance
  std::vector<std::string> unlimited_groups;  // members print without credit (postpaid: charged to
                                              // the ledger all the same, which may go below 0)
};

/// Release terminals at the printers: their sessions and log-in rules.
struct terminals_config {
  uint32_t session_idle_s = 60;       // 10..3600: a session with no request this long is closed
  uint32_t pin_login_min_digits = 6;  // 4..16: the shortest PIN that logs in alone (no card)
  uint32_t max_login_failures = 5;    // 1..100: failed logins at one terminal, or for one user
                                      // by card+PIN, before a lock-out
  uint32_t lockout_s = 300;           // 1..86400: how long a lock-out lasts
  bool card_enrolment = true;         // an unknown card tapped at a terminal that takes cards may be
                                      // bound to a user who logs in with name and password there
  uint32_t enrolment_code_s = 900;    // 60..86400: how long a one-time enrolment code from the
                                      // portal (instead of the password) stays valid
};

/// Printer monitoring over SNMP v1/v2c (devices/snmp_poller.hpp): every
/// printer whose device is polled (snmp_settings_of) is polled with these.
struct monitoring_config {
  bool enabled = true;             // poll network printers (socket://, lpd://, ipp://, ipps://)
                                   // unless they say snmp = false
  uint32_t interval_s = 60;        // 5..86400: between two polls of a device
  uint32_t busy_interval_s = 15;   // 1..86400: while the printer is delivering a job
                                   // (never slower than interval_s)
  uint32_t jitter_percent = 10;    // 0..50: each wait is up to this much shorter (never
                                   // longer), so polls spread out
  uint32_t timeout_ms = 2000;      // 50..60000: waiting for one answer
  uint32_t retries = 1;            // 0..10: tries after the first, per request
  uint32_t offline_after = 3;      // 1..100: silent polls in a row before a device is offline
  uint32_t max_backoff_s = 600;    // 5..86400: the longest wait between polls of a silent device
                                   // (the interval doubles per silent poll up to this)
  std::string community = "public";  // 1..255 printable ASCII characters; a secret
                                     // (to_toml prints "(set)")
  std::string version = "2c";      // "1" or "2c"
  uint32_t low_percent = 10;       // 0..100: a supply at or under this is low
  uint32_t max_rows = 64;          // 1..1024: supplies, alerts and covers kept per table
  uint32_t snapshot_s = 900;       // 60..86400: a printer's page counter is stored at most this
                                   // often (and when it changes)
  uint32_t snapshot_days = 400;    // 1..3650: counter snapshots older than this are deleted
};

/// Where and how a printer's device is polled, after defaults: `monitored`
/// false when it is not. `port` 161 unless snmp_address says otherwise.
struct snmp_settings {
  bool monitored = false;
  std::string host;       // without brackets ("::1"); "" when there is none to poll
  uint16_t port = 161;
  std::string community;  // the printer's, else [monitoring]'s
  std::string version;    // "1" or "2c": the printer's, else [monitoring]'s
};

/// The SNMP settings of a printer whose device is `device_uri`. `p` is its
/// [printers] entry, or nullptr for a printer that is not in the file (made
/// through the API): then the defaults apply from `device_uri` alone. The
/// host is snmp_address's, else the device URI's (file:// has none); without
/// a host the device is not monitored. Pure: no DNS, no I/O.
snmp_settings snmp_settings_of(const printer_config* p, const std::string& device_uri,
                               const monitoring_config& m);

/// The rules a printer's device settings follow wherever they come from
/// (the file's [printers], the REST API): its price list is one of `prices`,
/// its device URI one Quire can drive (a file: URI only under the data
/// folder's sink/), its language a MIME type or "auto" (IPP devices only).
/// `p.device_uri` becomes the URI to store (a file: path normalized). The
/// error names the field: "device_uri: ...".
status check_printer_settings(printer_config& p, const std::vector<pdl::price_list>& prices,
                              const std::string& data_dir);

/// The rules of a price list wherever it comes from (the file's [prices],
/// the REST API): every rate 0..pdl::max_rate (the duplex ones may be -1:
/// "as the one-sided rate"), each media size priced once. The error names
/// the field: "colour: must be between ...", "sizes: iso_a4_210x297mm is
/// priced twice".
status check_price_list(const pdl::price_list& l);

/// The rules of a queue's printers, wherever it comes from: a direct queue
/// has exactly one, a pull or group queue at least one, each known
/// (`printer_exists`) and listed once; failover needs more than one printer
/// kind. The error names the field: "printers: ...".
status check_queue_settings(const queue_config& q, const std::function<bool(const std::string&)>& printer_exists);

/// How often a quota's allowance starts afresh (calendar periods).
enum class quota_period : uint8_t { day, week, month, year };

/// The word quire.toml uses: "day", "week", "month", "year".
const char* to_string(quota_period p) noexcept;

/// [quotas.<name>]: the sheets the members of `groups` may print per period.
struct quota_config {
  std::string name;                 // [A-Za-z0-9_.-]{1,64}
  std::vector<std::string> groups;  // "*": every user
  std::vector<std::string> users;   // users by name; groups and users are never both empty
  quota_period period = quota_period::month;
  uint32_t sheets = 0;              // 1..100000000
};

/// The period named "day", "week", "month" or "year"; nullopt otherwise.
std::optional<quota_period> quota_period_of(std::string_view name) noexcept;

/// The most sheets a quota may allow per period.
inline constexpr int64_t max_quota_sheets = 100'000'000;

/// The rules of a quota wherever it comes from (the file's [quotas], the
/// REST API): at least one group or user ("a quota needs at least one
/// group ..."), sheets 1..max_quota_sheets ("sheets: must be between ...").
status check_quota_settings(const quota_config& q);

/// [projects.<name>]: what a job may be charged to instead of its owner.
struct project_config {
  std::string name;                 // [A-Za-z0-9_.-]{1,64}
  std::string description;
  std::vector<std::string> groups;  // who may charge it; empty: every user
};

struct jobs_config {
  uint64_t held_expiry_s = 86400;     // held jobs expire after this long
  uint64_t history_s = 30ull * 86400; // completed jobs are forgotten after this long (0: never)
  uint64_t reprint_s = 0;             // a printed job's document is kept this long for a reprint (0: not kept)
};

struct log_config {
  std::string level = "info";  // trace, debug, info, warn, error, off
  std::string file;            // empty: standard error
};

struct server_config {
  std::string data_dir;  // absolute after load()
  std::string user;      // when started as root: drop to this user after binding ("" = stay)
  std::string name = "Quire";
};

/// What users may see of each other's jobs.
struct privacy_config {
  bool mask_other_users = true;  // other users' jobs show without names, document, user and host
};

/// The admin REST API under /api/v1 (on the IPP listener's port).
struct api_config {
  bool allow_plain_loopback = false;  // accept plain HTTP from 127.0.0.0/8 and ::1 (else TLS only)
  // GET /metrics also accepts "Authorization: Bearer <this>" (a scraper);
  // "" = administrators only. 16 to 256 visible ASCII characters; a secret
  // (to_toml prints "(set)", which does not read back: set it again).
  std::string metrics_token;
  // The audit log (web/audit.hpp) keeps entries this many days (1..3660).
  uint32_t audit_days = 400;
};

/// LPD (RFC 1179) intake: lpr, Windows' "LPR port", copiers.
struct lpd_config {
  bool enabled = true;
  endpoint listen;                    // default "127.0.0.1:8515" (515 in production)
  uint32_t max_control_bytes = 65536; // a control file larger than this is refused (1024..1048576)
};

/// A raw ("port 9100", AppSocket/JetDirect) intake listener: whatever a sender
/// writes until it closes the connection is one job for `queue`.
struct raw_listener_config {
  std::string name;   // [raw.<name>], same name rules as printers/queues
  endpoint listen;    // required
  std::string queue;  // required; must name a configured queue
};

/// Who a job that arrives as a bare stream (LPD, raw) belongs to, and its name.
enum class identity_source : uint8_t { pjl, dsc, control };
enum class unknown_user_action : uint8_t { host, reject };
struct intake_config {
  // The first source in the list that yields a value wins. pjl: @PJL SET USERNAME / JOBNAME,
  // @PJL JOB NAME; dsc: PostScript %%For: / %%Title:; control: the LPD control file's P / J (or N).
  std::vector<identity_source> user_from = {identity_source::pjl, identity_source::dsc, identity_source::control};
  std::vector<identity_source> name_from = {identity_source::pjl, identity_source::dsc, identity_source::control};
  bool known_users_only = false;      // true: a detected user name must be a Quire user, else it is "unknown"
  unknown_user_action unknown_user = unknown_user_action::host;  // no (known) user found: hold the job under
                                      // the sender's host name ("host") or refuse it ("reject")
};

/// The words quire.toml uses for an identity source: "pjl", "dsc", "control".
const char* to_string(identity_source s) noexcept;

struct config {
  server_config server;
  log_config log;
  listener_config ipp;
  tls_config tls;
  api_config api;
  privacy_config privacy;
  limits_config limits;
  jobs_config jobs;
  processors_config processors;
  delivery_config delivery;
  accounting_config accounting;
  terminals_config terminals;
  monitoring_config monitoring;
  directory_config directory;
  mail_config mail;
  pins_config pins;
  std::vector<pdl::price_list> prices;   // sorted by name
  std::vector<printer_config> printers;  // sorted by name
  std::vector<queue_config> queues;      // sorted by name
  lpd_config lpd;
  intake_config intake;
  std::vector<raw_listener_config> raw;  // sorted by name
  std::vector<quota_config> quotas;      // sorted by name
  std::vector<project_config> projects;  // sorted by name

  const printer_config* find_printer(const std::string& name) const;
  const queue_config* find_queue(const std::string& name) const;
  const pdl::price_list* find_price_list(const std::string& name) const;
  const project_config* find_project(const std::string& name) const;
};

/// What the command line contributes to the configuration.
struct config_sources {
  std::optional<std::string> file;       // --config FILE
  std::optional<std::string> data_dir;   // --data-dir DIR
  std::vector<std::string> overrides;    // each --set KEY=VALUE, in order
};

/// Merges the sources and validates the result. Errors are one line that
/// names the key and the problem, e.g.
///   "ipp.listen: expected host:port, got '127.0.0.1'"
///   "queues.secure.printers: unknown printer 'lab1'"
///   "raw.lab9100.queue: unknown queue 'x'"
///   "unknown key 'ipp.lisen'"
///   "/etc/quire.toml:12:3: expected '=' ..." (TOML syntax errors)
result<config> load_config(const config_sources& sources);

/// As load_config(), with `toml_text` standing for the contents of the --config
/// file (sources.file is ignored; errors name the file "<text>"). It touches
/// the filesystem only to learn the working directory, so tests and fuzzers
/// can feed it anything.
result<config> load_config_text(const std::string& toml_text, const config_sources& sources);

/// The effective configuration as a TOML document that load_config() would
/// read back to the same value (quired --print-config), except for secrets:
/// a set SNMP community prints as "(set)", which reads back as that string.
std::string to_toml(const config& c);

/// The embedded defaults: the text of config/quire.example.toml.
const char* embedded_defaults_toml();

}  // namespace quire
