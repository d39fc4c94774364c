#include "config/values.hpp"

#include <fnmatch.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>

#include "yumda/config.hpp"
#include "yumda/error.hpp"

namespace yumda {

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

bool is_var_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

}  // namespace

long parse_duration(const std::string& text) {
  const std::string bad = "bad duration '" + text + "' (use seconds, or a number with s, m, h or d: 90m, 6h; or never)";
  std::string t = lower(text);
  if (t == "never" || t == "-1") return kNever;
  if (t.empty()) throw UsageError(bad);
  long mult = 1;
  switch (t.back()) {
    case 's': mult = 1; t.pop_back(); break;
    case 'm': mult = 60; t.pop_back(); break;
    case 'h': mult = 3600; t.pop_back(); break;
    case 'd': mult = 86400; t.pop_back(); break;
    default: break;
  }
  // libdnf accepts fractions ("1.5h"); digits and at most one dot, nothing else.
  if (t.empty() || t.find_first_not_of("0123456789.") != std::string::npos ||
      std::count(t.begin(), t.end(), '.') > 1 || t == ".")
    throw UsageError(bad);
  double v = std::strtod(t.c_str(), nullptr) * static_cast<double>(mult);
  if (v > 1e12) throw UsageError(bad);
  return static_cast<long>(std::llround(v));
}

namespace config_values {

bool parse_bool(const std::string& text) {
  std::string t = lower(text);
  if (t == "1" || t == "yes" || t == "true" || t == "on") return true;
  if (t == "0" || t == "no" || t == "false" || t == "off") return false;
  throw UsageError("bad boolean '" + text + "' (use 1/0, yes/no, true/false or on/off)");
}

long parse_int(const std::string& text, long min, long max) {
  const std::string range = std::to_string(min) + ".." + std::to_string(max);
  size_t i = (!text.empty() && text[0] == '-') ? 1 : 0;
  if (i == text.size() || text.size() > 18 || text.find_first_not_of("0123456789", i) != std::string::npos)
    throw UsageError("bad number '" + text + "' (use a whole number in " + range + ")");
  long v = std::strtol(text.c_str(), nullptr, 10);
  if (v < min || v > max) throw UsageError(text + " is out of range (use a whole number in " + range + ")");
  return v;
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : text) {
    if (c == ',' || std::isspace(static_cast<unsigned char>(c))) {
      if (!cur.empty()) out.push_back(std::move(cur));
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

bool glob_match(const std::string& pattern, const std::string& text) {
  return fnmatch(pattern.c_str(), text.c_str(), 0) == 0;
}

std::string expand(const std::string& text, const Vars& vars) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    if (text[i] != '$') {
      out += text[i++];
      continue;
    }
    size_t start = i + 1, end;
    bool braced = start < text.size() && text[start] == '{';
    if (braced) ++start;
    end = start;
    while (end < text.size() && is_var_char(text[end])) ++end;
    bool closed = !braced || (end < text.size() && text[end] == '}');
    auto it = vars.find(text.substr(start, end - start));
    if (end > start && closed && it != vars.end()) {
      out += it->second;
      i = braced ? end + 1 : end;
    } else {
      out += text[i++];  // not a known variable: keep the '$' and go on
    }
  }
  return out;
}

std::string first_unexpanded(const std::string& text) {
  for (size_t i = text.find('$'); i != std::string::npos; i = text.find('$', i + 1)) {
    size_t start = i + 1;
    bool braced = start < text.size() && text[start] == '{';
    if (braced) ++start;
    size_t end = start;
    while (end < text.size() && is_var_char(text[end])) ++end;
    if (end > start) return "$" + text.substr(start, end - start);
    if (braced) return text.substr(i, text.find('}', i) == std::string::npos ? std::string::npos
                                                                                 : text.find('}', i) - i + 1);
  }
  return "";
}

}  // namespace config_values
}  // namespace yumda
