// Where configuration text comes from: files on disk, or the built-in
// repo-config/ compiled into the binary, addressed as "<built-in>/REL". Both
// kinds look the same to load_config, so "reposdir=repos.d" in the built-in
// yumda.conf reads the built-in repos.d/ exactly as it would read a directory.
#pragma once
#include <string>
#include <vector>

#include "config/values.hpp"

namespace yumda::config_files {

// True for "<built-in>" and "<built-in>/...".
bool is_builtin(const std::string& path);

// DIR/NAME, where DIR may be "<built-in>" or "<built-in>/sub".
std::string join(const std::string& dir, const std::string& name);

// A reposdir VALUE made absolute against BASE (a directory on disk or
// "<built-in>"); "<built-in>/..." and absolute paths stay as they are.
std::string resolve_dir(const std::string& value, const std::string& base);

// The text of PATH (on disk or built-in); throws UsageError naming PATH and WHAT
// ("config file", "repo file") when it cannot be read.
std::string read_text(const std::string& path, const std::string& what);

// Whether DIR (on disk or built-in) exists as a directory.
bool dir_exists(const std::string& dir);

// The *.repo files directly in DIR, sorted by name, as full paths.
std::vector<std::string> repo_files(const std::string& dir);

// Custom variables from CONFIG_DIR/vars/NAME (first line of each file), like
// dnf's /etc/dnf/vars. Files whose name is not a variable name are reported in
// WARNINGS and skipped.
config_values::Vars read_vars_dir(const std::string& config_dir, std::vector<std::string>& warnings);

}  // namespace yumda::config_files
