#include "actors/job_rules.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "protocols/pdl/units.hpp"

#include "actors/auth_rules.hpp"

namespace quire {

namespace {

bool may_act(const job_record& job, const requester& who) { return who.admin || who.user == job.owner; }

error wrong_state(const job_record& job, const char* what) {
  return {errc::not_possible, "job " + std::to_string(job.id) + " is " + to_string(job.state) + ": " + what};
}

transition finish(const job_record& job, job_state end, const job_context& ctx, std::string message) {
  transition t{job, true, {}};
  t.next.state = end;
  t.next.completed_ms = ctx.now_ms;
  t.next.expires_ms = 0;
  t.next.document_deleted = true;
  t.next.state_message = std::move(message);
  return t;
}

result<transition> cancel(const job_record& job, const job_context& ctx) {
  switch (job.state) {
    case job_state::receiving:
    case job_state::analysing:
    case job_state::held:
    case job_state::queued:
      return finish(job, job_state::canceled, ctx, "canceled by its owner");
    case job_state::delivering:
      return wrong_state(job, "it is being printed");
    default:
      return wrong_state(job, "it has already ended");
  }
}

result<transition> hold(const job_record& job, const job_context& ctx) {
  if (job.state == job_state::held) return transition{job, false, {}};  // already
  if (job.state != job_state::queued) return wrong_state(job, "only a queued job can be held");
  transition t{job, false, {}};
  t.next.state = job_state::held;
  t.next.held_by = hold_reason::operator_;
  t.next.expires_ms = ctx.now_ms + ctx.held_expiry_ms;
  t.next.queued_ms = 0;
  t.next.printer.clear();
  t.next.state_message.clear();
  reprice(t.next, ctx);
  return t;
}

// The PIN check of a job-password job: nothing (go on), a refusal to
// commit (a wrong PIN counted) or an error (no PIN, or locked).
result<transition> check_pin(const job_record& job, const std::string& typed, const job_context& ctx) {
  transition t{job, false, {}};
  if (job.pin_hash.empty()) return t;
  pin_attempts attempts{job.pin_wrong, ctx.pin_limit};
  if (attempts.locked())
    return error{errc::not_possible, "job " + std::to_string(job.id) + " is locked after too many wrong PINs"};
  if (typed.empty()) return error{errc::permission_denied, "job " + std::to_string(job.id) + " needs its PIN"};
  bool ok = ctx.pin_matches && ctx.pin_matches(job, typed);
  auto verdict = attempts.submit(ok);
  t.next.pin_wrong = attempts.wrong;
  if (verdict == pin_verdict::accepted) return t;
  t.refusal = verdict == pin_verdict::locked
                  ? error{errc::not_possible, "wrong PIN; job " + std::to_string(job.id) + " is now locked"}
                  : error{errc::permission_denied,
                          "wrong PIN; " + std::to_string(attempts.remaining()) + " attempt(s) left"};
  return t;
}

result<transition> release(const job_record& job, const std::string& wanted, const job_context& ctx) {
  bool reprint = job.state == job_state::done && !job.document_deleted;
  if (job.state != job_state::held && !reprint) return wrong_state(job, "only a held job can be released");
  if (ctx.release_printers.empty())
    return error{errc::not_possible, "queue " + job.queue + " names no printer to release to"};
  std::string printer = wanted.empty() ? ctx.release_printers.front() : wanted;
  if (std::find(ctx.release_printers.begin(), ctx.release_printers.end(), printer) ==
      ctx.release_printers.end())
    return error{errc::not_found, "queue " + job.queue + " does not release to printer " + printer};
  transition t{job, false, {}};
  t.next.state = job_state::queued;
  t.next.held_by = hold_reason::none;
  t.next.printer = printer;
  t.next.queued_ms = ctx.now_ms;
  t.next.expires_ms = 0;
  t.next.completed_ms = 0;
  t.next.state_message.clear();
  reprice(t.next, ctx);
  return t;
}

bool two_sided(const job_record& job) { return job.sides.rfind("two-sided", 0) == 0; }

bool prints_mono(const job_record& job) {
  return job.color_mode == "monochrome" || job.color_mode == "process-monochrome";
}

// Whether page `p` (1-based) is one of the job's page-ranges (none: every page).
bool selected(const job_record& job, uint32_t p) {
  if (job.page_ranges.empty()) return true;
  for (size_t i = 0; i + 1 < job.page_ranges.size(); i += 2)
    if (p >= job.page_ranges[i] && p <= job.page_ranges[i + 1]) return true;
  return false;
}

}  // namespace

void reprice(job_record& job, const job_context& ctx) {
  const job_analysis& a = job.analysis;
  if (a.status != 1 || !ctx.prices) {
    job.price = {};
    return;
  }
  pdl::units u;
  u.pages = a.pages;
  u.impressions = a.impressions;
  u.colour_impressions = a.colour_impressions;
  u.mono_impressions = a.impressions - std::min(a.impressions, a.colour_impressions);
  u.sheets = a.sheets;
  u.colour_sheets = std::min(a.sheets, a.colour_sheets);
  u.mono_sheets = a.sheets - u.colour_sheets;
  // The paper is the media the job asked for (pages are fitted onto it);
  // without one, the document's own size.
  const std::string& media = job.media.empty() ? a.size : job.media;
  auto price_at = [&](const std::string& printer, std::string* list) -> int64_t {
    auto it = ctx.prices->find(printer);
    if (it == ctx.prices->end()) return 0;
    if (list) *list = it->second.name;
    return pdl::price_of(it->second, u, media, two_sided(job));
  };
  job.price = {};
  if (!job.printer.empty()) {
    job.price.status = 2;
    job.price.low = job.price.high = price_at(job.printer, &job.price.price_list);
    return;
  }
  if (ctx.release_printers.empty()) return;
  job.price.status = 1;
  job.price.low = std::numeric_limits<int64_t>::max();
  job.price.high = std::numeric_limits<int64_t>::min();
  for (const std::string& printer : ctx.release_printers) {
    int64_t p = price_at(printer, nullptr);
    job.price.low = std::min(job.price.low, p);
    job.price.high = std::max(job.price.high, p);
  }
}

result<transition> apply_command(const job_record& job, const job_command& cmd, const job_context& ctx) {
  if (cmd.kind == command_kind::expire) {
    if (job.state == job_state::receiving && job.expires_ms > 0 && job.expires_ms <= ctx.now_ms)
      return finish(job, job_state::failed, ctx, "its document did not arrive in time");
    if (job.state == job_state::done && !job.document_deleted && job.expires_ms > 0 && job.expires_ms <= ctx.now_ms) {
      transition t{job, true, {}};  // the reprint period is over: the document goes, the job stays done
      t.next.document_deleted = true;
      t.next.expires_ms = 0;
      return t;
    }
    if (job.state != job_state::held) return wrong_state(job, "only a held job expires");
    return finish(job, job_state::expired, ctx, "expired before it was released");
  }
  bool delegate = cmd.kind == command_kind::release && cmd.delegated;  // checked by the release service
  if (!may_act(job, cmd.who) && !delegate)
    return error{errc::permission_denied, "job " + std::to_string(job.id) + " belongs to another user"};
  switch (cmd.kind) {
    case command_kind::cancel: return cancel(job, ctx);
    case command_kind::hold: return hold(job, ctx);
    case command_kind::release: {
      // A printed job prints again only when a reprint is asked for: a
      // release repeated (a double tap, a second door) must not print twice.
      if (job.state == job_state::done && !cmd.reprint) return wrong_state(job, "it has already been printed");
      if (job.state == job_state::done && job.document_deleted)
        return wrong_state(job, "its document is no longer kept for a reprint");
      if (job.state != job_state::held && job.state != job_state::done)
        return wrong_state(job, "only a held job can be released");
      auto pin = check_pin(job, cmd.pin, ctx);
      if (!pin.ok() || pin->refusal) return pin;
      auto t = release(pin->next, cmd.printer, ctx);
      if (!t.ok()) return t;
      // Each release is numbered: the number keys its reservation and charge.
      t->next.release_no = job.release_no + 1;
      t->next.payer = cmd.payer.empty() ? job.owner : cmd.payer;
      t->next.released_by = cmd.who.user;
      t->next.project = cmd.project;
      return t;
    }
    case command_kind::expire:
    case command_kind::forget: break;
  }
  return error{errc::invalid_argument, "unknown job command"};
}

result<transition> add_document(const job_record& job, const job_document& doc, const job_context& ctx) {
  if (!may_act(job, doc.who))
    return error{errc::permission_denied, "job " + std::to_string(job.id) + " belongs to another user"};
  if (job.state != job_state::receiving) return wrong_state(job, "it takes no more documents");
  bool had_document = !job.document_format.empty();
  if (doc.has_document && had_document)
    return error{errc::unsupported, "a job holds one document; send the next one as a new job"};
  transition t{job, false, {}};
  auto& next = t.next;
  if (doc.has_document) {
    next.document_name = doc.name;
    next.document_format = doc.format;
    next.document_size = doc.size;
    next.document_in_spool = !doc.upload_path.empty();
    if (next.name.empty() || next.name == "Untitled") next.name = doc.name.empty() ? "Untitled" : doc.name;
  }
  if (!doc.last) {
    next.expires_ms = ctx.now_ms + ctx.receiving_timeout_ms;  // the wait starts over
    return t;
  }
  if (!doc.has_document && !had_document) return finish(job, job_state::failed, ctx, "the job ended without a document");
  next.expires_ms = 0;
  if (next.held_by != hold_reason::none) {
    next.state = job_state::held;
    next.expires_ms = ctx.now_ms + ctx.held_expiry_ms;
  } else {
    next.state = job_state::queued;
    next.queued_ms = ctx.now_ms;
  }
  return t;
}

std::vector<event_type> events_of(const job_record* before, const job_record& after) {
  std::vector<event_type> out;
  if (!before) out.push_back(event_type::job_received);
  if (before && before->analysis.status != 1 && after.analysis.status == 1)
    out.push_back(event_type::job_analysed);
  if (before && before->state == after.state) return out;
  switch (after.state) {
    case job_state::receiving:
    case job_state::analysing: break;
    case job_state::held: out.push_back(event_type::job_held); break;
    case job_state::queued: out.push_back(event_type::job_released); break;
    case job_state::delivering: out.push_back(event_type::job_printing); break;
    case job_state::done: out.push_back(event_type::job_printed); break;
    case job_state::failed: out.push_back(event_type::job_failed); break;
    case job_state::canceled: out.push_back(event_type::job_canceled); break;
    case job_state::expired: out.push_back(event_type::job_expired); break;
  }
  return out;
}

status may_forget(const job_record& job, const job_context& ctx) {
  if (!is_terminal(job.state)) return wrong_state(job, "only a finished job is forgotten");
  if (ctx.history_ms <= 0 || job.completed_ms + ctx.history_ms > ctx.now_ms)
    return {errc::not_possible, "job " + std::to_string(job.id) + " is still within the history period"};
  return {};
}

result<transition> start_delivery(const job_record& job, const job_context& ctx) {
  if (job.state != job_state::queued) return wrong_state(job, "not waiting for a printer");
  transition t{job, false, {}};
  t.next.state = job_state::delivering;
  t.next.processing_ms = ctx.now_ms;
  t.next.attempts += 1;
  return t;
}

result<transition> finish_delivery(const job_record& job, const delivery_outcome& outcome,
                                   const job_context& ctx) {
  if (job.state != job_state::delivering) return wrong_state(job, "not being delivered");
  if (outcome.ok) {
    auto t = finish(job, job_state::done, ctx, outcome.message);  // how the device confirmed it
    if (ctx.reprint_ms > 0) {  // kept for a reprint until then
      t.drop_document = false;
      t.next.document_deleted = false;
      t.next.expires_ms = ctx.now_ms + ctx.reprint_ms;
    }
    return t;
  }
  return finish(job, job_state::failed, ctx,
                outcome.message.empty() ? "the printer did not take the job" : outcome.message);
}

reservation reservation_of(const job_record& job) {
  reservation r;
  r.job_id = job.id;
  r.release_no = job.release_no;
  r.amount = job.price.status == 2 ? job.price.low : job.price.high;
  r.sheets = job.analysis.sheets;
  r.owner = job.owner;
  r.printed_by = job.released_by;
  r.printer = job.printer;
  r.project = job.project;
  return r;
}

settle_request settle_of(const job_record& job) {
  settle_request s;
  s.job_id = job.id;
  s.release_no = job.release_no;
  s.amount = job.price.status == 2 ? job.price.low : 0;
  s.pages = job.analysis.pages;
  s.sheets = job.analysis.sheets;
  s.colour_sheets = job.analysis.colour_sheets;
  s.owner = job.owner;
  s.printed_by = job.released_by.empty() ? job.owner : job.released_by;
  s.printer = job.printer;
  s.project = job.project;
  s.price_list = job.price.price_list;
  return s;
}

std::string language_from_formats(const std::vector<std::string>& formats) {
  for (const char* wanted : {"application/pdf", "application/postscript", "image/pwg-raster", "image/urf",
                             "application/vnd.hp-pclxl"})
    if (std::find(formats.begin(), formats.end(), wanted) != formats.end()) return wanted;
  return "application/octet-stream";
}

result<transition> fail_over(const job_record& job, const delivery_outcome& outcome, const job_context& ctx) {
  if (job.state != job_state::delivering) return wrong_state(job, "not being delivered");
  const auto& ps = ctx.release_printers;
  if (!ctx.failover || outcome.ok || !outcome.unreachable || ps.size() < 2 || job.attempts >= ps.size())
    return error{errc::not_possible, "no failover"};
  auto at = std::find(ps.begin(), ps.end(), job.printer);
  size_t next = at == ps.end() ? 0 : static_cast<size_t>(at - ps.begin() + 1) % ps.size();
  transition t{job, false, {}};
  t.next.state = job_state::queued;
  t.next.printer = ps[next];
  t.next.queued_ms = ctx.now_ms;
  t.next.state_message = "printer " + job.printer + " could not be reached (" + outcome.message + "); sent to " +
                         ps[next] + " instead";
  reprice(t.next, ctx);
  return t;
}

result<transition> resume_after_restart(const job_record& job, const job_context& ctx) {
  if (job.state == job_state::queued) return transition{job, false, {}};
  if (job.state != job_state::delivering) return wrong_state(job, "nothing to resume");
  transition t{job, false, {}};
  t.next.state = job_state::queued;
  t.next.state_message = "interrupted while printing; sending it again";
  return t;
}

}  // namespace quire

namespace quire {

namespace {

bool fatal_failure(const std::string& failure) {
  return failure == "corruption" || failure == "timeout" || failure == "limit_exceeded";
}

}  // namespace

std::string media_name_of(double width_pt, double height_pt) {
  struct named {
    long w, h;
    const char* name;
  };
  static const named table[] = {
      {595, 842, "iso_a4_210x297mm"},      {612, 792, "na_letter_8.5x11in"}, {842, 1191, "iso_a3_297x420mm"},
      {420, 595, "iso_a5_148x210mm"},      {612, 1008, "na_legal_8.5x14in"}, {792, 1224, "na_ledger_11x17in"},
      {288, 432, "na_index-4x6_4x6in"},    {499, 709, "iso_b5_176x250mm"},
  };
  long w = std::lround(std::min(width_pt, height_pt)), h = std::lround(std::max(width_pt, height_pt));
  for (const auto& n : table)
    if (std::labs(n.w - w) <= 2 && std::labs(n.h - h) <= 2) return n.name;
  return std::to_string(w) + "x" + std::to_string(h) + "pt";
}

bool is_raster_language(const std::string& language) {
  return language == "image/pwg-raster" || language == "image/urf";
}

std::pair<double, double> media_size_of(const std::string& name) {
  std::string_view dims = name;
  if (size_t us = dims.rfind('_'); us != std::string_view::npos) dims = dims.substr(us + 1);
  double scale = 0;
  if (dims.size() > 2 && dims.substr(dims.size() - 2) == "mm") scale = 72.0 / 25.4;
  if (dims.size() > 2 && dims.substr(dims.size() - 2) == "in") scale = 72.0;
  if (dims.size() > 2 && dims.substr(dims.size() - 2) == "pt") scale = 1.0;
  if (scale == 0) return {0, 0};
  std::string text(dims.substr(0, dims.size() - 2));
  double w = 0, h = 0;
  char x = 0, extra = 0;
  if (std::sscanf(text.c_str(), "%lf%c%lf%c", &w, &x, &h, &extra) != 3 || x != 'x' || !(w > 0) || !(h > 0))
    return {0, 0};
  return {w * scale, h * scale};
}

conversion conversion_for(const job_record& job, const std::string& language, bool mono_only) {
  conversion c;
  if (!jobproc::is_convert_target(language)) return c;
  const job_analysis& a = job.analysis;
  bool analysed = a.status == 1;
  auto& r = c.req;
  r.source_format = !analysed ? job.document_format : a.normalised ? "application/pdf" : a.format;
  if (r.source_format == "application/octet-stream") r.source_format.clear();  // let the processor look
  r.target_format = language;
  r.monochrome = (prints_mono(job) || mono_only) && !(analysed && a.colour_pages == 0);
  r.duplex = two_sided(job);
  r.tumble = job.sides == "two-sided-short-edge";
  // Device languages are made for one paper: fit the pages onto the job's
  // media. A PDF or PostScript printer gets the pages as they are, with the
  // job's media in its ticket, and scales them itself (print-scaling).
  bool device_ready = language != "application/pdf" && language != "application/postscript";
  if (device_ready && analysed && !job.media.empty() && (a.mixed_sizes || a.size != job.media)) {
    auto [w, h] = media_size_of(job.media);
    if (w >= 36 && h >= 36 && w <= 14400 && h <= 14400) r.media_width_pt = w, r.media_height_pt = h;
  }
  if (is_raster_language(language) && job.resolution_dpi >= 72 && job.resolution_dpi <= 1200) r.resolution_dpi = job.resolution_dpi;
  c.needed = r.source_format != language || r.monochrome || r.media_width_pt > 0;
  if (!c.needed) return c;
  static const std::pair<const char*, const char*> ext[] = {
      {"application/pdf", "pdf"},           {"application/postscript", "ps"}, {"application/vnd.hp-pclxl", "pclxl"},
      {"image/pwg-raster", "pwg"},          {"image/urf", "urf"},
  };
  for (const auto& [mime, e] : ext)
    if (language == mime) c.variant = e;
  if (r.monochrome) c.variant += "-m";
  if (r.duplex) c.variant += r.tumble ? "-t" : "-d";
  if (r.media_width_pt > 0)
    c.variant += "-" + std::to_string(std::lround(r.media_width_pt)) + "x" + std::to_string(std::lround(r.media_height_pt));
  if (r.resolution_dpi) c.variant += "-" + std::to_string(r.resolution_dpi);
  return c;
}

result<transition> apply_analysis(const job_record& job, const jobproc::analyse_reply& reply,
                                  const job_context& ctx) {
  if (is_terminal(job.state)) return error{errc::not_possible, "job " + std::to_string(job.id) + " is finished"};
  transition t{job, false, {}};
  job_analysis& a = t.next.analysis;
  a.elapsed_us = reply.elapsed_us;
  if (!reply.ok) {
    a.status = reply.failure == "unsupported" ? 3 : 2;
    a.reason = reply.reason;
    t.next.price = {};
    bool not_started = job.state == job_state::held || job.state == job_state::queued;
    if (fatal_failure(reply.failure) && not_started) {
      t.next.state = job_state::failed;
      t.next.state_message = "the document could not be read: " + reply.reason;
      t.next.completed_ms = ctx.now_ms;
      t.next.expires_ms = 0;
      t.next.document_deleted = true;
      t.drop_document = true;
    }
    return t;
  }
  a.status = 1;
  a.reason.clear();
  a.format = reply.format;
  a.normalised = reply.normalised;
  // The title comes from the document (hostile input): no control
  // characters, bounded, for listings at a terminal.
  a.title.clear();
  bool cut = false;
  for (unsigned char c : reply.title) {
    if (c < 0x20 || c == 0x7f) continue;
    if (a.title.size() == 256) {
      cut = true;
      break;
    }
    a.title.push_back(static_cast<char>(c));
  }
  if (cut) {  // not in the middle of a UTF-8 sequence
    size_t end = a.title.size();
    while (end > 0 && (static_cast<unsigned char>(a.title[end - 1]) & 0xC0) == 0x80) --end;
    if (end > 0 && static_cast<unsigned char>(a.title[end - 1]) >= 0xC0) a.title.resize(end - 1);
  }
  a.pages = reply.pages;
  a.colour_pages = reply.colour_pages;
  a.exact = reply.exact;
  a.method = reply.method;
  // The units, by the one definition (protocols/pdl/units.hpp). Colour
  // pages past the reply's list (it names at most 1,000) are placed last.
  std::vector<pdl::colour> ink(reply.pages, pdl::colour::mono);
  size_t placed = 0;
  for (uint32_t p : reply.colour_page_numbers)
    if (p >= 1 && p <= reply.pages && ink[p - 1] != pdl::colour::colour) ink[p - 1] = pdl::colour::colour, ++placed;
  for (uint32_t p = reply.pages; p >= 1 && placed < reply.colour_pages; --p)
    if (ink[p - 1] != pdl::colour::colour) ink[p - 1] = pdl::colour::colour, ++placed;
  // Only the pages of page-ranges print.
  pdl::analysis doc;
  for (uint32_t p = 1; p <= reply.pages; ++p)
    if (selected(job, p)) doc.page_list.push_back(pdl::page{0, 0, ink[p - 1]});
  doc.pages = static_cast<uint32_t>(doc.page_list.size());
  pdl::ticket_units tu;
  tu.copies = std::max<uint32_t>(1, job.copies);
  tu.number_up = std::max<uint32_t>(1, job.number_up);
  tu.duplex = two_sided(job);
  tu.monochrome = prints_mono(job);
  auto u = pdl::count_units(doc, tu);
  a.impressions = u.impressions;
  a.colour_impressions = u.colour_impressions;
  a.sheets = u.sheets;
  a.colour_sheets = u.colour_sheets;
  const jobproc::page_summary* most = nullptr;
  for (const auto& s : reply.sizes)
    if (!most || s.count > most->count) most = &s;
  a.size = most ? media_name_of(most->width_pt, most->height_pt) : "";
  a.mixed_sizes = reply.sizes.size() > 1;
  t.next.impressions = static_cast<uint32_t>(std::min<uint64_t>(u.impressions, UINT32_MAX));
  reprice(t.next, ctx);
  return t;
}

}  // namespace quire
