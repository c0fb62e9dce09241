// The Prometheus text exposition format, version 0.0.4: what GET /metrics
// answers. Pure: a plain struct of samples in, the text out; no clock, no
// I/O, no CAF. The server fills a metrics_samples (actors/metrics.hpp) and
// renders it here; Prometheus, VictoriaMetrics and the OpenMetrics parsers
// all read the result.
//
// The format, as https://prometheus.io/docs/instrumenting/exposition_formats/
// gives it: per family a `# HELP name text` line (backslash and newline
// escaped), a `# TYPE name counter|gauge|histogram` line, then its samples,
// `name{label="value",...} value`, each on one line ending in '\n'. Label
// values escape backslash, double quote and newline. A histogram's samples
// are `name_bucket{le="<bound>"}` with cumulative counts, ending with
// le="+Inf" (the total), then `name_sum` and `name_count`.
//
// render_metrics() checks what the format requires of the names and refuses
// the whole text rather than emit something a scraper would reject: names
// are fixed by the server's code, so a refusal is a bug to fix, not input.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/result.hpp"

namespace quire::web {

/// The Content-Type of the rendered text.
inline constexpr std::string_view metrics_content_type = "text/plain; version=0.0.4; charset=utf-8";

enum class metric_kind : uint8_t { counter, gauge, histogram };

struct metric_label {
  std::string name;   // [a-zA-Z_][a-zA-Z0-9_]*, not starting with "__"
  std::string value;  // any UTF-8; escaped when rendered
};

/// One sample of a counter or gauge family.
struct metric_sample {
  std::vector<metric_label> labels;  // no name twice; no two samples of a family with the same set
  double value = 0;
};

/// Cumulative-on-render buckets of observed values, without labels.
/// REQUIRES (checked by render_metrics): `bounds` finite and strictly
/// ascending; counts.size() == bounds.size() + 1.
struct histogram {
  std::vector<double> bounds;    // the buckets' upper bounds ("le"), +Inf excluded
  std::vector<uint64_t> counts;  // per bucket, not cumulative: counts[i] for
                                 // bounds[i-1] < v <= bounds[i]; the last one above every bound
  double sum = 0;

  histogram() = default;
  /// Empty buckets for `upper_bounds` (REQUIRES: as above).
  explicit histogram(std::vector<double> upper_bounds);

  /// Counts `v` in the first bucket whose bound is >= v, and adds it to sum.
  void observe(double v);
  /// Every observation so far.
  uint64_t count() const;
};

struct metric_family {
  std::string name;  // [a-zA-Z_:][a-zA-Z0-9_:]*; unique in a metrics_samples
  std::string help;  // one line or more; escaped when rendered
  metric_kind kind = metric_kind::gauge;
  std::vector<metric_sample> samples;  // counter, gauge (none: only HELP and TYPE are written)
  histogram buckets;                   // histogram
};

/// What one scrape exports, in the order it is rendered.
struct metrics_samples {
  std::vector<metric_family> families;

  /// Appends a family and returns it, to add samples to.
  metric_family& add(std::string name, std::string help, metric_kind kind);
  /// Appends a family of one unlabelled sample.
  void add_value(std::string name, std::string help, metric_kind kind, double value);
};

/// The text of `m`; invalid_argument naming the first family that breaks a
/// rule above (a name, a label, a duplicate, a histogram's buckets).
result<std::string> render_metrics(const metrics_samples& m);

// The pieces, for tests and for other renderings.

/// True for a valid metric name: [a-zA-Z_:][a-zA-Z0-9_:]*.
bool valid_metric_name(std::string_view name) noexcept;
/// True for a valid label name: [a-zA-Z_][a-zA-Z0-9_]*, not "__"-prefixed.
bool valid_label_name(std::string_view name) noexcept;
/// A label value between its double quotes: \ -> \\, " -> \", newline -> \n.
std::string escape_label_value(std::string_view value);
/// A HELP text: \ -> \\, newline -> \n.
std::string escape_help(std::string_view text);
/// A sample value or bucket bound: integers without a fraction ("42"),
/// others in the shortest form that reads back exactly ("0.005",
/// "1.5e-07"), and "+Inf", "-Inf", "NaN".
std::string format_metric_value(double v);

}  // namespace quire::web
