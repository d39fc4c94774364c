#include "config/ini.hpp"

#include "yumda/error.hpp"

namespace yumda::ini {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

std::string trim(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && is_space(s[b])) ++b;
  while (e > b && is_space(s[e - 1])) --e;
  return s.substr(b, e - b);
}

}  // namespace

std::vector<Section> parse(const std::string& text, const std::string& source) {
  std::vector<Section> sections;
  Entry* last = nullptr;  // the value a continuation line would extend
  size_t pos = 0;
  int lineno = 0;
  // A UTF-8 byte order mark from a Windows editor is not part of the first line.
  if (text.compare(0, 3, "\xEF\xBB\xBF") == 0) pos = 3;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    std::string raw = text.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    pos = nl == std::string::npos ? text.size() : nl + 1;
    ++lineno;
    const std::string where = source + ":" + std::to_string(lineno);
    const std::string line = trim(raw);
    // C APIs (libcurl, librpm) would read a value only up to a NUL: refuse it.
    if (line.find('\0') != std::string::npos) {
      const size_t eq = line.find('=');
      std::string key = eq == std::string::npos ? "" : trim(line.substr(0, eq));
      if (!raw.empty() && (raw[0] == ' ' || raw[0] == '\t') && last) key = last->key;
      const bool named = !key.empty() && key.find('\0') == std::string::npos && line[0] != '#' && line[0] != ';';
      throw UsageError(where + ": " + (named ? "the value of '" + key + "' has a NUL byte" : "a NUL byte") +
                       "; a config file is text (remove it)");
    }

    if (line.empty()) {
      last = nullptr;  // a blank line ends a multi-line value
      continue;
    }
    if (line[0] == '#' || line[0] == ';') continue;  // comments do not end a value

    if (is_space(raw[0])) {
      if (!last)
        throw UsageError(where + ": indented line '" + line +
                         "' continues no value (remove the leading whitespace, or put it right under a key=value line)");
      last->value += last->value.empty() ? line : "\n" + line;
      continue;
    }

    if (line[0] == '[') {
      if (line.back() != ']')
        throw UsageError(where + ": bad section header '" + line + "' (write [name] alone on the line)");
      std::string name = trim(line.substr(1, line.size() - 2));
      if (name.empty()) throw UsageError(where + ": empty section name '[]' (write [main] or [repo-id])");
      for (const auto& s : sections)
        if (s.name == name)
          throw UsageError(where + ": section [" + name + "] is already defined at " + s.origin +
                           " (merge the two or rename one)");
      sections.push_back(Section{name, where, {}});
      last = nullptr;
      continue;
    }

    size_t eq = line.find('=');
    if (eq == std::string::npos)
      throw UsageError(where + ": cannot parse '" + line + "' (expected key=value, [section] or a # comment)");
    std::string key = trim(line.substr(0, eq));
    if (key.empty()) throw UsageError(where + ": '" + line + "' has no key before '=' (write key=value)");
    if (sections.empty())
      throw UsageError(where + ": '" + key + "' is outside any section (put it under [main] or a [repo-id] header)");
    sections.back().entries.push_back(Entry{key, trim(line.substr(eq + 1)), where});
    last = &sections.back().entries.back();
  }
  return sections;
}

}  // namespace yumda::ini
