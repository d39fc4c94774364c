#include "config/config_files.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <filesystem>

#include "config/builtin_data.hpp"
#include "yumda/config.hpp"
#include "yumda/error.hpp"
#include "yumda/fs.hpp"

namespace yumda {

namespace fs = std::filesystem;

namespace config_files {

namespace {

const std::string kPrefix = std::string(kBuiltinConfig) + "/";

// "<built-in>/repos.d" -> "repos.d"; "<built-in>" -> "".
std::string builtin_rel(const std::string& path) {
  return path == kBuiltinConfig ? std::string() : path.substr(kPrefix.size());
}

bool valid_var_name(const std::string& name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '_';
  });
}

// Names of the regular files directly in DIR (on disk or built-in), sorted.
std::vector<std::string> file_names(const std::string& dir) {
  std::vector<std::string> names;
  if (is_builtin(dir)) {
    std::string rel = builtin_rel(dir);
    std::string prefix = rel.empty() ? "" : rel + "/";
    for (const auto& f : builtin::files()) {
      if (f.path.substr(0, prefix.size()) != prefix) continue;
      std::string name(f.path.substr(prefix.size()));
      if (name.find('/') == std::string::npos) names.push_back(name);
    }
  } else {
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      std::error_code ec2;
      if (it->is_regular_file(ec2)) names.push_back(it->path().filename().string());
    }
    if (ec && ec != std::errc::no_such_file_or_directory)
      throw UsageError("cannot list " + dir + ": " + ec.message() + " (check its permissions)");
  }
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

bool is_builtin(const std::string& path) { return path == kBuiltinConfig || path.rfind(kPrefix, 0) == 0; }

std::string join(const std::string& dir, const std::string& name) {
  return dir.empty() || dir.back() == '/' ? dir + name : dir + "/" + name;
}

std::string resolve_dir(const std::string& value, const std::string& base) {
  if (is_builtin(value) || (!value.empty() && value[0] == '/')) return value;
  std::string v = value;
  while (v.rfind("./", 0) == 0) v.erase(0, 2);
  if (v == "." || v.empty()) return base;
  if (is_builtin(base)) return join(base, v);
  return fs::absolute(fs::path(base) / v).lexically_normal().string();
}

std::string read_text(const std::string& path, const std::string& what) {
  if (is_builtin(path)) {
    if (const auto* data = builtin::find(builtin_rel(path))) return std::string(*data);
    throw UsageError(what + " " + path + " is not built into this yumda (name a file on disk instead)");
  }
  try {
    return read_file_capped(path, kMaxSmallFile, what + " " + path);  // -c /dev/zero must not exhaust memory
  } catch (const Error& e) {
    throw UsageError(std::string(e.what()) + " (check the " + what + " path)");
  }
}

bool dir_exists(const std::string& dir) {
  if (!is_builtin(dir)) return is_directory(dir);
  std::string prefix = builtin_rel(dir) + "/";
  for (const auto& f : builtin::files())
    if (prefix == "/" || f.path.substr(0, prefix.size()) == prefix) return true;
  return false;
}

std::vector<std::string> repo_files(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& name : file_names(dir))
    if (name.size() > 5 && name.compare(name.size() - 5, 5, ".repo") == 0) out.push_back(join(dir, name));
  return out;
}

config_values::Vars read_vars_dir(const std::string& config_dir, std::vector<std::string>& warnings) {
  config_values::Vars vars;
  const std::string dir = join(config_dir, "vars");
  for (const auto& name : file_names(dir)) {
    const std::string path = join(dir, name);
    if (!valid_var_name(name)) {
      warnings.push_back(path + ": not a variable name (letters, digits and _ only); file ignored");
      continue;
    }
    std::string text = read_text(path, "variable file");
    std::string value = text.substr(0, text.find('\n'));
    while (!value.empty() && std::isspace(static_cast<unsigned char>(value.back()))) value.pop_back();
    vars[name] = value;
  }
  return vars;
}

}  // namespace config_files

std::optional<std::string> builtin_key_for_url(const std::string& url) {
  static const std::string kInstalled = "file:///etc/yumda/";
  if (url.rfind(kInstalled, 0) != 0) return std::nullopt;
  std::string rel = url.substr(kInstalled.size());
  if (rel.empty() || fs::path(rel).lexically_normal().string() != rel || rel.rfind("..", 0) == 0)
    return std::nullopt;
  if (path_exists("/etc/yumda/" + rel)) return std::nullopt;  // an installed key always wins
  const auto* data = builtin::find(rel);
  if (!data || data->find("-----BEGIN PGP PUBLIC KEY BLOCK-----") == std::string_view::npos) return std::nullopt;
  return std::string(*data);
}

}  // namespace yumda
