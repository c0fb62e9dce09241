#include <doctest/doctest.h>

#include "actors/job_rules.hpp"

using namespace quire;

namespace {

job_record held_job() {
  job_record j;
  j.id = 5;
  j.state = job_state::held;
  j.copies = 2;
  j.number_up = 2;
  j.sides = "two-sided-long-edge";
  return j;
}

jobproc::analyse_reply five_pages_two_colour() {
  jobproc::analyse_reply r;
  r.job_id = 5;
  r.ok = true;
  r.format = "application/pdf";
  r.pages = 5;
  r.colour_pages = 2;
  r.mono_pages = 3;
  r.colour_page_numbers = {1, 2};
  r.sizes = {{4, 595.3, 841.9}, {1, 612, 792}};
  r.method = "structure";
  r.title = "Thesis\x01 draft\n";
  return r;
}

}  // namespace

TEST_CASE("analysis: pages, impressions, sheets and colour by the one definition") {
  job_context ctx;
  auto t = apply_analysis(held_job(), five_pages_two_colour(), ctx);
  REQUIRE(t.ok());
  const auto& a = t->next.analysis;
  CHECK(a.status == 1);
  CHECK(a.pages == 5);
  CHECK(a.colour_pages == 2);
  // 2-up: impressions {1,2} {3,4} {5} per copy, x2 copies; colour: {1,2} only.
  CHECK(a.impressions == 6);
  CHECK(a.colour_impressions == 2);
  // two-sided: 3 impressions per copy -> 2 sheets per copy.
  CHECK(a.sheets == 4);
  CHECK(a.size == "iso_a4_210x297mm");
  CHECK(a.mixed_sizes);
  CHECK(t->next.state == job_state::held);
  CHECK(t->next.impressions == 6);
  CHECK(a.title == "Thesis draft");  // control characters dropped
  auto before = held_job();
  CHECK(events_of(&before, t->next) == std::vector<event_type>{event_type::job_analysed});
}

TEST_CASE("analysis: a broken or hostile document fails a job that has not started printing") {
  job_context ctx;
  ctx.now_ms = 1234;
  for (const char* failure : {"corruption", "timeout", "limit_exceeded"}) {
    CAPTURE(failure);
    jobproc::analyse_reply r;
    r.job_id = 5;
    r.reason = "the PDF is damaged beyond repair";
    r.failure = failure;
    auto t = apply_analysis(held_job(), r, ctx);
    REQUIRE(t.ok());
    CHECK(t->next.state == job_state::failed);
    CHECK(t->next.state_message.find("damaged beyond repair") != std::string::npos);
    CHECK(t->next.completed_ms == 1234);
    CHECK(t->drop_document);
    CHECK(t->next.analysis.status == 2);
  }
}

TEST_CASE("analysis: an unsupported format or a processor problem leaves the job as it is") {
  job_context ctx;
  jobproc::analyse_reply r;
  r.job_id = 5;
  r.reason = "PCL 5 page counting is not supported";
  r.failure = "unsupported";
  auto t = apply_analysis(held_job(), r, ctx);
  REQUIRE(t.ok());
  CHECK(t->next.state == job_state::held);
  CHECK(t->next.analysis.status == 3);
  r.failure = "unavailable";
  t = apply_analysis(held_job(), r, ctx);
  CHECK(t->next.state == job_state::held);
  CHECK(t->next.analysis.status == 2);
  // A job already printing is not failed by its analysis.
  auto printing = held_job();
  printing.state = job_state::delivering;
  r.failure = "corruption";
  t = apply_analysis(printing, r, ctx);
  CHECK(t->next.state == job_state::delivering);
  auto done = held_job();
  done.state = job_state::done;
  CHECK_FALSE(apply_analysis(done, five_pages_two_colour(), ctx).ok());
}

TEST_CASE("analysis: colour pages past the reply's list are placed last") {
  job_context ctx;
  auto j = held_job();
  j.number_up = 1;
  j.copies = 1;
  j.sides = "one-sided";
  auto r = five_pages_two_colour();
  r.colour_pages = 3;  // one more than listed
  auto t = apply_analysis(j, r, ctx);
  CHECK(t->next.analysis.colour_impressions == 3);
  CHECK(t->next.analysis.sheets == 5);
}

TEST_CASE("media names from points, either orientation") {
  CHECK(media_name_of(595.28, 841.89) == "iso_a4_210x297mm");
  CHECK(media_name_of(841.89, 595.28) == "iso_a4_210x297mm");
  CHECK(media_name_of(612, 792) == "na_letter_8.5x11in");
  CHECK(media_name_of(1000, 500) == "500x1000pt");
}

TEST_CASE("analysis: a long title is cut whole characters at a time") {
  auto r = five_pages_two_colour();
  r.title = std::string(255, 'a');
  r.title.append("\xc3\xa9tude");  // "é" straddles the 256-byte cut
  auto t = apply_analysis(held_job(), r, job_context{});
  REQUIRE(t.ok());
  CHECK(t->next.analysis.title == std::string(255, 'a'));
}

TEST_CASE("analysis: page-ranges and monochrome printing shape the units") {
  job_context ctx;
  auto j = held_job();
  j.copies = 1;
  j.number_up = 1;
  j.sides = "one-sided";
  j.page_ranges = {2, 3};  // pages 2 (colour) and 3 (mono) of 5
  auto t = apply_analysis(j, five_pages_two_colour(), ctx);
  REQUIRE(t.ok());
  CHECK(t->next.analysis.pages == 5);  // the document's pages
  CHECK(t->next.analysis.impressions == 2);
  CHECK(t->next.analysis.colour_impressions == 1);
  j.color_mode = "monochrome";
  t = apply_analysis(j, five_pages_two_colour(), ctx);
  REQUIRE(t.ok());
  CHECK(t->next.analysis.impressions == 2);
  CHECK(t->next.analysis.colour_impressions == 0);
  CHECK(t->next.analysis.colour_sheets == 0);
}

namespace {

// Two printers: "cheap" charges per sheet, "dear" per impression with an A4
// rate of its own; "free" has no list.
std::map<std::string, pdl::price_list> three_printers() {
  std::map<std::string, pdl::price_list> m;
  pdl::price_list cheap;
  cheap.name = "cheap";
  cheap.per = pdl::price_unit::sheet;
  cheap.base = {5, 20, -1, -1};
  pdl::price_list dear;
  dear.name = "dear";
  dear.per = pdl::price_unit::impression;
  dear.base = {1000, 1000, -1, -1};
  dear.sizes.push_back({"iso_a4_210x297mm", {10, 50, 8, 40}});
  m.emplace("cheap", cheap);
  m.emplace("dear", dear);
  return m;
}

}  // namespace

TEST_CASE("price: an estimate over the queue's printers, final once the printer is known") {
  auto prices = three_printers();
  job_context ctx;
  ctx.prices = &prices;
  ctx.release_printers = {"cheap", "dear", "free"};
  auto j = held_job();  // 5 pages, colour 1-2, 2-up, two-sided, 2 copies, size from the document (A4)
  auto t = apply_analysis(j, five_pages_two_colour(), ctx);
  REQUIRE(t.ok());
  const job_record& held = t->next;
  // Per copy: impressions {1,2}c {3,4}m {5}m; sheets (c,m) (m) → 1 colour + 1 mono sheet.
  CHECK(held.analysis.colour_sheets == 2);
  CHECK(held.analysis.sheets == 4);
  CHECK(held.price.status == 1);
  CHECK(held.price.low == 0);  // the free printer
  // dear: A4 two-sided rates, per impression: 4 mono × 8 + 2 colour × 40.
  CHECK(held.price.high == 4 * 8 + 2 * 40);
  // Released at "cheap": final, per sheet: 2 mono × 5 + 2 colour × 20.
  job_command release;
  release.kind = command_kind::release;
  release.who = {"", true};
  release.printer = "cheap";
  auto r = apply_command(held, release, ctx);
  REQUIRE(r.ok());
  CHECK(r->next.price.status == 2);
  CHECK(r->next.price.low == 2 * 5 + 2 * 20);
  CHECK(r->next.price.high == r->next.price.low);
  CHECK(r->next.price.price_list == "cheap");
  // Held again by an operator: back to the estimate.
  job_command hold;
  hold.kind = command_kind::hold;
  hold.who = {"", true};
  auto h = apply_command(r->next, hold, ctx);
  REQUIRE(h.ok());
  CHECK(h->next.price.status == 1);
  CHECK(h->next.price.high == 4 * 8 + 2 * 40);
}

TEST_CASE("price: the job's media picks the rate, unknown without an analysis or price lists") {
  auto prices = three_printers();
  job_context ctx;
  ctx.prices = &prices;
  ctx.release_printers = {"dear"};
  auto j = held_job();
  j.media = "iso_a3_297x420mm";  // fitted onto A3: the base rate
  auto t = apply_analysis(j, five_pages_two_colour(), ctx);
  REQUIRE(t.ok());
  CHECK(t->next.price.low == 6 * 1000);
  // A failed analysis leaves no price.
  auto failed = five_pages_two_colour();
  failed.ok = false;
  failed.failure = "unsupported";
  auto u = apply_analysis(t->next, failed, ctx);
  REQUIRE(u.ok());
  CHECK(u->next.price.status == 0);
  // No price lists at all: nothing is priced.
  job_context bare;
  bare.release_printers = {"dear"};
  CHECK(apply_analysis(j, five_pages_two_colour(), bare)->next.price.status == 0);
}

using size_pt = std::pair<double, double>;

TEST_CASE("media sizes from PWG names") {
  auto a4 = media_size_of("iso_a4_210x297mm");
  CHECK(a4.first == doctest::Approx(595.28).epsilon(0.001));
  CHECK(a4.second == doctest::Approx(841.89).epsilon(0.001));
  CHECK(media_size_of("na_letter_8.5x11in") == size_pt{612, 792});
  CHECK(media_size_of("300x400pt") == size_pt{300, 400});
  for (const char* bad : {"", "auto", "iso_a4", "iso_a4_210x297", "x_210x297cm", "a_0x297mm", "a_210x297x5mm"})
    CHECK_MESSAGE((media_size_of(bad) == size_pt{0, 0}), bad);
}

TEST_CASE("conversion: only when the printer's language, colour or media differ") {
  job_record j = held_job();
  j.document_format = "application/pdf";
  j.media = "iso_a4_210x297mm";
  j.sides = "one-sided";
  j.analysis.status = 1;
  j.analysis.format = "application/pdf";
  j.analysis.size = "iso_a4_210x297mm";
  j.analysis.colour_pages = 1;
  // A PDF printer takes the A4 colour PDF as it is.
  CHECK_FALSE(conversion_for(j, "application/pdf", false).needed);
  // A language the processors do not write: sent as it is.
  CHECK_FALSE(conversion_for(j, "application/vnd.hp-pcl", false).needed);
  // Another language.
  auto pxl = conversion_for(j, "application/vnd.hp-pclxl", false);
  CHECK(pxl.needed);
  CHECK(pxl.req.source_format == "application/pdf");
  CHECK(pxl.req.target_format == "application/vnd.hp-pclxl");
  CHECK_FALSE(pxl.req.monochrome);
  CHECK(pxl.variant == "pclxl");
  // Mono: by the user's choice or a mono-only price list, not for a document without colour.
  j.color_mode = "monochrome";
  auto mono = conversion_for(j, "application/pdf", false);
  CHECK(mono.needed);
  CHECK(mono.req.monochrome);
  CHECK(mono.variant == "pdf-m");
  j.color_mode = "auto";
  CHECK(conversion_for(j, "application/pdf", true).req.monochrome);
  j.analysis.colour_pages = 0;
  CHECK_FALSE(conversion_for(j, "application/pdf", true).needed);
  // Other media: fitted; two-sided and resolution reach raster targets.
  j.analysis.size = "na_letter_8.5x11in";
  j.sides = "two-sided-short-edge";
  j.resolution_dpi = 600;
  auto pwg = conversion_for(j, "image/pwg-raster", false);
  CHECK(pwg.req.media_width_pt == doctest::Approx(595.28).epsilon(0.001));
  CHECK(pwg.req.duplex);
  CHECK(pwg.req.tumble);
  CHECK(pwg.req.resolution_dpi == 600);
  CHECK(pwg.variant == "pwg-t-595x842-600");
  CHECK_FALSE(conversion_for(j, "application/pdf", false).needed);  // a PDF printer scales pages itself
  CHECK(conversion_for(j, "application/vnd.hp-pclxl", false).variant == "pclxl-t-595x842");
  // Not analysed: the declared format is the source, no fitting.
  job_record fresh = held_job();
  fresh.document_format = "application/postscript";
  fresh.media = "iso_a4_210x297mm";
  auto ps = conversion_for(fresh, "application/pdf", false);
  CHECK(ps.needed);
  CHECK(ps.req.source_format == "application/postscript");
  CHECK(ps.req.media_width_pt == 0);
  fresh.document_format = "application/octet-stream";
  CHECK(conversion_for(fresh, "application/pdf", false).req.source_format.empty());
}
