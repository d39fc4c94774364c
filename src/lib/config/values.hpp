// Typed option values as dnf reads them, and $variable expansion. Each parser
// throws UsageError with a message that names the value and the accepted form;
// callers prefix "FILE:LINE: KEY".
#pragma once
#include <map>
#include <string>
#include <vector>

namespace yumda::config_values {

// 1/0, yes/no, true/false, on/off (any case).
bool parse_bool(const std::string& text);
// A decimal integer in [MIN, MAX].
long parse_int(const std::string& text, long min, long max);
// Items separated by commas and/or whitespace (newlines included); empties dropped.
std::vector<std::string> split_list(const std::string& text);
// fnmatch(3) glob, as dnf matches repo ids and --setopt REPOID patterns.
bool glob_match(const std::string& pattern, const std::string& text);

using Vars = std::map<std::string, std::string>;
// Replaces $name and ${name} (name: letters, digits, '_') with VARS' values.
// Unknown variables stay as they are (dnf does the same); see first_unexpanded.
std::string expand(const std::string& text, const Vars& vars);
// The first "$name" left in TEXT after expand, or "" when none.
std::string first_unexpanded(const std::string& text);

}  // namespace yumda::config_values
