#include "web/metrics_text.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>
#include <utility>

namespace quire::web {

namespace {

bool name_char(char c, bool first, bool colon) {
  bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon && c == ':');
  return alpha || (!first && c >= '0' && c <= '9');
}

error bad(const metric_family& f, const std::string& why) {
  return error(errc::invalid_argument, "metric " + f.name + ": " + why);
}

// `{a="x",b="y"}`, or "" without labels; `le` (a histogram's bound) last.
std::string label_text(const std::vector<metric_label>& labels, const std::string* le = nullptr) {
  if (labels.empty() && !le) return {};
  std::string out = "{";
  for (const auto& l : labels) {
    if (out.size() > 1) out += ',';
    out.append(l.name).append("=\"").append(escape_label_value(l.value)).append("\"");
  }
  if (le) {
    if (out.size() > 1) out += ',';
    out.append("le=\"").append(*le).append("\"");
  }
  return out + "}";
}

status check_labels(const metric_family& f, const metric_sample& s) {
  std::set<std::string_view> names;
  for (const auto& l : s.labels) {
    if (!valid_label_name(l.name)) return bad(f, "invalid label name '" + l.name + "'");
    if (!names.insert(l.name).second) return bad(f, "label " + l.name + " given twice");
  }
  return {};
}

status check_histogram(const metric_family& f) {
  const histogram& h = f.buckets;
  if (!f.samples.empty()) return bad(f, "a histogram has buckets, not samples");
  if (h.counts.size() != h.bounds.size() + 1) return bad(f, "needs one count per bound and one above them");
  for (size_t i = 0; i < h.bounds.size(); ++i) {
    if (!std::isfinite(h.bounds[i])) return bad(f, "bucket bounds must be finite (+Inf is implied)");
    if (i > 0 && !(h.bounds[i - 1] < h.bounds[i])) return bad(f, "bucket bounds must ascend strictly");
  }
  return {};
}

void line(std::string& out, const std::string& name, const std::string& labels, const std::string& value) {
  out.append(name).append(labels).append(" ").append(value).append("\n");
}

void render_histogram(std::string& out, const metric_family& f) {
  const histogram& h = f.buckets;
  uint64_t cumulative = 0;
  for (size_t i = 0; i < h.bounds.size(); ++i) {
    cumulative += h.counts[i];
    std::string le = format_metric_value(h.bounds[i]);
    line(out, f.name + "_bucket", label_text({}, &le), std::to_string(cumulative));
  }
  cumulative += h.counts.back();
  std::string inf = "+Inf";
  line(out, f.name + "_bucket", label_text({}, &inf), std::to_string(cumulative));
  line(out, f.name + "_sum", "", format_metric_value(h.sum));
  line(out, f.name + "_count", "", std::to_string(cumulative));
}

const char* kind_name(metric_kind k) {
  switch (k) {
    case metric_kind::counter: return "counter";
    case metric_kind::gauge: return "gauge";
    case metric_kind::histogram: return "histogram";
  }
  return "untyped";
}

}  // namespace

histogram::histogram(std::vector<double> upper_bounds)
    : bounds(std::move(upper_bounds)), counts(bounds.size() + 1, 0) {}

void histogram::observe(double v) {
  if (counts.size() != bounds.size() + 1) counts.assign(bounds.size() + 1, 0);
  // The first bound >= v; NaN lands above every bound, as in the Go client.
  auto at = std::lower_bound(bounds.begin(), bounds.end(), v);
  counts[static_cast<size_t>(at - bounds.begin())] += 1;
  sum += v;
}

uint64_t histogram::count() const {
  uint64_t n = 0;
  for (uint64_t c : counts) n += c;
  return n;
}

metric_family& metrics_samples::add(std::string name, std::string help, metric_kind kind) {
  metric_family f;
  f.name = std::move(name);
  f.help = std::move(help);
  f.kind = kind;
  families.push_back(std::move(f));
  return families.back();
}

void metrics_samples::add_value(std::string name, std::string help, metric_kind kind, double value) {
  add(std::move(name), std::move(help), kind).samples.push_back({{}, value});
}

bool valid_metric_name(std::string_view name) noexcept {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i)
    if (!name_char(name[i], i == 0, true)) return false;
  return true;
}

bool valid_label_name(std::string_view name) noexcept {
  if (name.empty() || name.starts_with("__")) return false;
  for (size_t i = 0; i < name.size(); ++i)
    if (!name_char(name[i], i == 0, false)) return false;
  return true;
}

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string escape_help(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string format_metric_value(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  // Integers up to 2^53 are exact in a double: print them as integers, so
  // that counts read "1000000" rather than "1e+06".
  if (v == std::trunc(v) && std::fabs(v) <= 9007199254740992.0) return std::to_string(static_cast<int64_t>(v));
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v);  // shortest form that reads back exactly
  return std::string(buf, r.ptr);
}

result<std::string> render_metrics(const metrics_samples& m) {
  std::set<std::string_view> names;
  for (const auto& f : m.families) {
    if (!valid_metric_name(f.name)) return error(errc::invalid_argument, "invalid metric name '" + f.name + "'");
    if (!names.insert(f.name).second) return bad(f, "two families have this name");
    if (f.kind == metric_kind::histogram) {
      if (status s = check_histogram(f)) return s;
      continue;
    }
    std::set<std::string> series;
    for (const auto& s : f.samples) {
      if (status e = check_labels(f, s)) return e;
      std::vector<metric_label> sorted = s.labels;
      std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
      if (!series.insert(label_text(sorted)).second) return bad(f, "two samples have the same labels");
    }
  }
  std::string out;
  for (const auto& f : m.families) {
    out.append("# HELP ").append(f.name).append(" ").append(escape_help(f.help)).append("\n");
    out.append("# TYPE ").append(f.name).append(" ").append(kind_name(f.kind)).append("\n");
    if (f.kind == metric_kind::histogram) {
      render_histogram(out, f);
      continue;
    }
    for (const auto& s : f.samples) line(out, f.name, label_text(s.labels), format_metric_value(s.value));
  }
  return out;
}

}  // namespace quire::web
