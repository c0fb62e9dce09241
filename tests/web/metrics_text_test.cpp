// The Prometheus text format (0.0.4): HELP and TYPE lines, label escaping,
// value formatting, cumulative histogram buckets, and the refusals that keep
// a scraper from rejecting the whole page.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "web/metrics_text.hpp"

using namespace quire;
using namespace quire::web;

namespace {

std::string render_ok(const metrics_samples& m) {
  auto r = render_metrics(m);
  INFO((r.ok() ? std::string() : r.err().message));
  REQUIRE(r.ok());
  return *r;
}

std::string refusal(const metrics_samples& m) {
  auto r = render_metrics(m);
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().code == errc::invalid_argument);
  return r.err().message;
}

}  // namespace

TEST_CASE("metrics text: a counter and a labelled gauge, in the order given") {
  metrics_samples m;
  m.add_value("quire_jobs_received_total", "Jobs received since start.", metric_kind::counter, 3);
  auto& g = m.add("quire_printer_state", "1 for the state the printer is in.", metric_kind::gauge);
  g.samples.push_back({{{"printer", "demo"}, {"state", "idle"}}, 1});
  g.samples.push_back({{{"printer", "demo"}, {"state", "stopped"}}, 0});
  CHECK(render_ok(m) ==
        "# HELP quire_jobs_received_total Jobs received since start.\n"
        "# TYPE quire_jobs_received_total counter\n"
        "quire_jobs_received_total 3\n"
        "# HELP quire_printer_state 1 for the state the printer is in.\n"
        "# TYPE quire_printer_state gauge\n"
        "quire_printer_state{printer=\"demo\",state=\"idle\"} 1\n"
        "quire_printer_state{printer=\"demo\",state=\"stopped\"} 0\n");
}

TEST_CASE("metrics text: label values escape backslash, double quote and newline, nothing else") {
  CHECK(escape_label_value(R"(a\b"c)" "\n" "d\té") == R"(a\\b\"c\nd)" "\t\xC3\xA9");
  metrics_samples m;
  m.add("x", "h", metric_kind::gauge).samples.push_back({{{"printer", "lab \"1\"\\\nB"}}, 2});
  CHECK(render_ok(m).find("x{printer=\"lab \\\"1\\\"\\\\\\nB\"} 2\n") != std::string::npos);
}

TEST_CASE("metrics text: HELP escapes backslash and newline, keeps double quotes") {
  CHECK(escape_help("a\\b\n\"c\"") == "a\\\\b\\n\"c\"");
  metrics_samples m;
  m.add("y", "two\nlines", metric_kind::gauge);
  CHECK(render_ok(m) == "# HELP y two\\nlines\n# TYPE y gauge\n");
}

TEST_CASE("metrics text: values are exact, integers without a fraction") {
  CHECK(format_metric_value(0) == "0");
  CHECK(format_metric_value(42) == "42");
  CHECK(format_metric_value(-7) == "-7");
  CHECK(format_metric_value(1e6) == "1000000");
  CHECK(format_metric_value(9007199254740992.0) == "9007199254740992");
  CHECK(format_metric_value(0.005) == "0.005");
  CHECK(format_metric_value(2.5) == "2.5");
  CHECK(format_metric_value(1.5e-7) == "1.5e-07");
  CHECK(std::stod(format_metric_value(0.1 + 0.2)) == 0.1 + 0.2);
  CHECK(format_metric_value(std::numeric_limits<double>::infinity()) == "+Inf");
  CHECK(format_metric_value(-std::numeric_limits<double>::infinity()) == "-Inf");
  CHECK(format_metric_value(std::nan("")) == "NaN");
}

TEST_CASE("metrics text: a histogram's buckets are cumulative and end with +Inf, then sum and count") {
  histogram h({0.005, 0.01, 0.1, 1, 10});
  for (double v : {0.001, 0.005, 0.02, 0.02, 0.5, 11.0}) h.observe(v);
  CHECK(h.count() == 6);
  CHECK(h.counts == std::vector<uint64_t>{2, 0, 2, 1, 0, 1});  // 0.005 counts in le="0.005"
  metrics_samples m;
  auto& f = m.add("quire_release_latency_seconds", "Release latency.", metric_kind::histogram);
  f.buckets = h;
  std::string text = render_ok(m);
  CHECK(text ==
        "# HELP quire_release_latency_seconds Release latency.\n"
        "# TYPE quire_release_latency_seconds histogram\n"
        "quire_release_latency_seconds_bucket{le=\"0.005\"} 2\n"
        "quire_release_latency_seconds_bucket{le=\"0.01\"} 2\n"
        "quire_release_latency_seconds_bucket{le=\"0.1\"} 4\n"
        "quire_release_latency_seconds_bucket{le=\"1\"} 5\n"
        "quire_release_latency_seconds_bucket{le=\"10\"} 5\n"
        "quire_release_latency_seconds_bucket{le=\"+Inf\"} 6\n"
        "quire_release_latency_seconds_sum " + format_metric_value(h.sum) + "\n"
        "quire_release_latency_seconds_count 6\n");
  CHECK(std::fabs(h.sum - 11.546) < 1e-9);
}

TEST_CASE("metrics text: an empty histogram still names every bucket") {
  metrics_samples m;
  m.add("h", "none yet", metric_kind::histogram).buckets = histogram({1, 2});
  CHECK(render_ok(m) ==
        "# HELP h none yet\n# TYPE h histogram\n"
        "h_bucket{le=\"1\"} 0\nh_bucket{le=\"2\"} 0\nh_bucket{le=\"+Inf\"} 0\nh_sum 0\nh_count 0\n");
}

TEST_CASE("metrics text: names follow the format's rules") {
  CHECK(valid_metric_name("quire_jobs_total"));
  CHECK(valid_metric_name("job:rate5m"));
  CHECK(valid_metric_name("_x9"));
  CHECK_FALSE(valid_metric_name(""));
  CHECK_FALSE(valid_metric_name("9lives"));
  CHECK_FALSE(valid_metric_name("a-b"));
  CHECK_FALSE(valid_metric_name("a b"));
  CHECK(valid_label_name("printer"));
  CHECK(valid_label_name("_p1"));
  CHECK_FALSE(valid_label_name("__name__"));
  CHECK_FALSE(valid_label_name("a:b"));
  CHECK_FALSE(valid_label_name("1a"));
  CHECK_FALSE(valid_label_name(""));
}

TEST_CASE("metrics text: refuses what a scraper would reject, naming the family") {
  SUBCASE("an invalid metric name") {
    metrics_samples m;
    m.add_value("quire-jobs", "h", metric_kind::gauge, 1);
    CHECK(refusal(m).find("quire-jobs") != std::string::npos);
  }
  SUBCASE("two families of one name") {
    metrics_samples m;
    m.add_value("a", "h", metric_kind::gauge, 1);
    m.add_value("a", "h", metric_kind::counter, 1);
    CHECK(refusal(m).find("metric a") != std::string::npos);
  }
  SUBCASE("an invalid or repeated label name") {
    metrics_samples m;
    m.add("a", "h", metric_kind::gauge).samples.push_back({{{"le-x", "1"}}, 1});
    refusal(m);
    metrics_samples twice;
    twice.add("a", "h", metric_kind::gauge).samples.push_back({{{"p", "1"}, {"p", "2"}}, 1});
    refusal(twice);
  }
  SUBCASE("two samples with the same labels, in any order") {
    metrics_samples m;
    auto& f = m.add("a", "h", metric_kind::gauge);
    f.samples.push_back({{{"p", "1"}, {"s", "x"}}, 1});
    f.samples.push_back({{{"s", "x"}, {"p", "1"}}, 2});
    refusal(m);
    metrics_samples bare;
    bare.add("b", "h", metric_kind::gauge).samples = {{{}, 1}, {{}, 2}};
    refusal(bare);
  }
  SUBCASE("histogram bounds that do not ascend, or are not finite, or counts that do not fit") {
    metrics_samples m;
    m.add("h", "x", metric_kind::histogram).buckets = histogram({1, 1});
    refusal(m);
    metrics_samples inf;
    inf.add("h", "x", metric_kind::histogram).buckets = histogram({1, std::numeric_limits<double>::infinity()});
    refusal(inf);
    metrics_samples counts;
    histogram h({1, 2});
    h.counts.pop_back();
    counts.add("h", "x", metric_kind::histogram).buckets = h;
    refusal(counts);
  }
}

TEST_CASE("metrics text: a family without samples writes only HELP and TYPE") {
  metrics_samples m;
  m.add("quire_printer_online", "1 while the device answers.", metric_kind::gauge);
  CHECK(render_ok(m) == "# HELP quire_printer_online 1 while the device answers.\n# TYPE quire_printer_online gauge\n");
}
