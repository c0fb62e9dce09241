// load_config(): the embedded defaults, then the --config file, then
// --data-dir, then each --set, into one TOML document that is validated once.
// Merging documents rather than configs keeps "which source said what" out
// of the validator, and lets --set reach any key with one mechanism.
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>

#include "config/config_internal.hpp"

namespace quire {

namespace detail {

result<toml::table> parse_document(std::string_view text, std::string_view source,
                                   int first_line_shift) {
  try {
    return toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    const toml::source_position& at = e.source().begin;
    int64_t column = at.column;
    if (at.line == 1) column = std::max<int64_t>(1, column - first_line_shift);
    return invalid(std::string(source) + ":" + std::to_string(at.line) + ":" +
                   std::to_string(column) + ": " + std::string(e.description()));
  }
}

}  // namespace detail

namespace {

using detail::invalid;

struct file_closer {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

result<std::string> read_file(const std::string& path) {
  auto cannot_read = [&](int err) { return invalid(path + ": cannot read: " + std::strerror(err)); };
  std::unique_ptr<std::FILE, file_closer> f(std::fopen(path.c_str(), "rb"));
  if (!f) return cannot_read(errno);
  errno = 0;
  std::string text;
  char buf[16384];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f.get())) > 0) text.append(buf, n);
  // A folder opens fine and fails on the first read (EISDIR).
  if (std::ferror(f.get())) return cannot_read(errno != 0 ? errno : EIO);
  return text;
}

// The file's sections merge key by key into the defaults, except [printers]
// and [queues]: a file that lists its printers means exactly those, and
// must not inherit the demo printer.
void merge_file(toml::table& doc, toml::table&& file) {
  for (auto&& [name, node] : file) {
    toml::node* base = doc.get(name.str());
    if (detail::is_named_section(name.str()) || base == nullptr || !base->is_table() ||
        !node.is_table()) {
      doc.insert_or_assign(std::string(name.str()), std::move(node));
      continue;
    }
    for (auto&& [key, value] : *node.as_table())
      base->as_table()->insert_or_assign(std::string(key.str()), std::move(value));
  }
}

// REQUIRES: file_text is null when there is no --config file.
result<config> load(const std::string* file_text, std::string_view file_name,
                    const config_sources& sources) {
  auto defaults = detail::parse_document(embedded_defaults_toml(), "<embedded defaults>");
  if (!defaults) return defaults.err();
  toml::table doc = std::move(defaults).value();
  if (file_text != nullptr) {
    auto file = detail::parse_document(*file_text, file_name);
    if (!file) return file.err();
    merge_file(doc, std::move(file).value());
  }
  if (sources.data_dir)
    if (status s = detail::apply_data_dir(doc, *sources.data_dir)) return s;
  for (const std::string& o : sources.overrides)
    if (status s = detail::apply_override(doc, o)) return s;
  std::error_code ec;
  std::filesystem::path cwd = std::filesystem::current_path(ec);
  return detail::validate(doc, ec ? std::string() : cwd.string());
}

// No exception leaves load_config (the caller is main(), which wants one
// line to print), and every message is made one line here, once.
template <class F>
result<config> guarded(F&& f) {
  try {
    result<config> r = f();
    if (r) return r;
    return error{r.err().code, detail::one_line(r.err().message)};
  } catch (const std::exception& e) {
    return error{errc::internal, detail::one_line(std::string("loading the configuration: ") + e.what())};
  }
}

}  // namespace

result<config> load_config(const config_sources& sources) {
  return guarded([&]() -> result<config> {
    if (!sources.file) return load(nullptr, {}, sources);
    auto text = read_file(*sources.file);
    if (!text) return text.err();
    return load(&text.value(), *sources.file, sources);
  });
}

result<config> load_config_text(const std::string& toml_text, const config_sources& sources) {
  return guarded([&]() -> result<config> { return load(&toml_text, "<text>", sources); });
}

}  // namespace quire
