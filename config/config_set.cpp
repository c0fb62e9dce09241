// --set KEY=VALUE and --data-dir: one edit each to the merged document.
//
// KEY follows TOML's dotted-key rules, so a printer whose name holds a dot is
// reachable as printers."lab.2".info. VALUE is taken verbatim when the schema
// says the key is a string (so --set server.name=Lab needs no quotes) and is
// parsed as a TOML value otherwise (42, true, ["a", "b"], {device_uri = ...}).
#include <algorithm>

#include "config/config_internal.hpp"

namespace quire::detail {

namespace {

enum class value_source { verbatim, toml_value, unknown };

std::string joined(const std::vector<std::string>& path) {
  std::string out;
  for (const std::string& part : path) {
    if (!out.empty()) out += '.';
    out += part;
  }
  return out;
}

// How --set reads the value for `path`, from the schema.
value_source source_for(const std::vector<std::string>& path) {
  const std::string& top = path[0];
  const key_spec* spec = nullptr;
  if (path.size() == 1) {
    return is_fixed_section(top) || is_named_section(top) ? value_source::toml_value
                                                          : value_source::unknown;
  } else if (path.size() == 2 && is_named_section(top)) {
    return value_source::toml_value;  // a whole printer or queue, as an inline table
  } else if (path.size() == 2 && is_fixed_section(top)) {
    spec = find_key(top, path[1]);
  } else if (path.size() == 3 && is_named_section(top)) {
    spec = find_key(top + ".*", path[2]);
  }
  if (spec == nullptr) return value_source::unknown;
  return spec->kind == value_kind::string ? value_source::verbatim : value_source::toml_value;
}

// Splits KEY by letting toml++ parse "KEY = true". The characters allowed are
// those of bare and simply-quoted keys, so the text cannot hold anything but
// one key (no '=', '#', brackets, braces or newlines).
result<std::vector<std::string>> parse_key(std::string_view key) {
  auto not_a_key = [&] {
    return invalid("--set " + std::string(key) +
                   ": expected a dotted key like ipp.listen or printers.\"lab.2\".info");
  };
  auto allowed = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '-' || c == '.' || c == '"' || c == '\'' || c == ' ';
  };
  if (key.empty() || !std::all_of(key.begin(), key.end(), allowed)) return not_a_key();
  auto doc = parse_document(std::string(key) + " = true", "--set " + std::string(key));
  if (!doc) return doc.err();
  std::vector<std::string> path;
  const toml::table* t = &doc.value();
  for (;;) {
    if (t->size() != 1) return not_a_key();
    auto it = t->cbegin();  // its pair is a proxy held by the iterator
    path.emplace_back(it->first.str());
    if (!it->second.is_table()) break;
    t = it->second.as_table();
  }
  return path;
}

// Stores `value` at `path`, creating the tables on the way.
status store(toml::table& doc, const std::vector<std::string>& path, toml::node&& value) {
  toml::table* t = &doc;
  for (size_t i = 0; i + 1 < path.size(); ++i) {
    toml::node* next = t->get(path[i]);
    if (next == nullptr) next = &t->insert(path[i], toml::table{}).first->second;
    if (!next->is_table()) {
      std::vector<std::string> prefix(path.begin(), path.begin() + static_cast<long>(i) + 1);
      return wrong_type(joined(prefix), "a table", *next);
    }
    t = next->as_table();
  }
  t->insert_or_assign(path.back(), std::move(value));
  return {};
}

status set_verbatim(toml::table& doc, const std::vector<std::string>& path,
                    std::string_view value, std::string_view origin) {
  if (!is_valid_utf8(value)) return invalid(std::string(origin) + ": the value is not valid UTF-8");
  toml::value<std::string> node{std::string(value)};
  return store(doc, path, std::move(node));
}

}  // namespace

status apply_override(toml::table& doc, std::string_view argument) {
  size_t eq = argument.find('=');
  if (eq == std::string_view::npos || eq == 0)
    return invalid("--set " + std::string(argument) + ": expected KEY=VALUE");
  auto path = parse_key(argument.substr(0, eq));
  if (!path) return path.err();
  std::string_view value = argument.substr(eq + 1);
  std::string key = joined(path.value());
  switch (source_for(path.value())) {
    case value_source::unknown:
      return invalid("unknown key '" + key + "'");
    case value_source::verbatim:
      return set_verbatim(doc, path.value(), value, "--set " + key);
    case value_source::toml_value:
      break;
  }
  // "x = " is 4 columns that the user did not type.
  auto parsed = parse_document("x = " + std::string(value), "--set " + key, 4);
  if (!parsed) return parsed.err();
  toml::node* node = parsed.value().get("x");
  if (parsed.value().size() != 1 || node == nullptr)
    return bad_value("--set " + key, "expected one TOML value", value);
  return store(doc, path.value(), std::move(*node));
}

status apply_data_dir(toml::table& doc, std::string_view dir) {
  return set_verbatim(doc, {"server", "data_dir"}, dir, "--data-dir");
}

}  // namespace quire::detail
