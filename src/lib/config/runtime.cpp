#include "yumda/runtime.hpp"

#include <algorithm>

#include "config/builtin_data.hpp"
#include "config/config_files.hpp"
#include "config/ini.hpp"
#include "config/values.hpp"
#include "yumda/error.hpp"

namespace yumda {

namespace {

const std::string kDir = "runtimes/";
const std::string kFile = "/runtime.conf";

std::string choices() {
  std::string out;
  for (const auto& id : builtin_runtimes()) out += (out.empty() ? "" : ", ") + id;
  return out;
}

}  // namespace

bool RuntimeProfile::has_arch(const std::string& arch) const {
  return std::find(architectures.begin(), architectures.end(), arch) != architectures.end();
}

std::vector<std::string> builtin_runtimes() {
  std::vector<std::string> out;
  for (const auto& f : builtin::files()) {
    std::string_view p = f.path;
    if (p.substr(0, kDir.size()) != kDir || p.size() <= kDir.size() + kFile.size() ||
        p.substr(p.size() - kFile.size()) != kFile)
      continue;
    std::string id(p.substr(kDir.size(), p.size() - kDir.size() - kFile.size()));
    if (id.find('/') == std::string::npos) out.push_back(id);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string canonical_arch(const std::string& arch) {
  if (arch == "x86_64" || arch == "amd64") return "x86_64";
  if (arch == "aarch64" || arch == "arm64") return "aarch64";
  throw UsageError("unknown architecture '" + arch + "' (use x86_64 or aarch64; amd64 and arm64 mean the same)");
}

RuntimeProfile load_runtime(const std::string& id) {
  const auto* data = id.find('/') == std::string::npos ? builtin::find(kDir + id + kFile) : nullptr;
  if (!data) throw UsageError("unknown runtime '" + id + "' (choose " + choices() + ")");
  const std::string source = std::string(kBuiltinConfig) + "/" + kDir + id + kFile;
  RuntimeProfile p;
  p.id = id;
  p.source = source;
  p.reposdir = config_files::join(std::string(kBuiltinConfig) + "/" + kDir + id, "repos.d");
  for (const auto& section : ini::parse(std::string(*data), source)) {
    if (section.name != "runtime")
      throw UsageError(section.origin + ": unknown section [" + section.name + "] (a profile has only [runtime])");
    for (const auto& e : section.entries) {
      try {
        if (e.key == "name") p.name = e.value;
        else if (e.key == "lambda_runtimes") p.lambda_runtimes = config_values::split_list(e.value);
        else if (e.key == "architectures") {
          for (const auto& a : config_values::split_list(e.value)) p.architectures.push_back(canonical_arch(a));
        } else if (e.key == "baseline") p.baseline = e.value;
        else if (e.key == "releasever") p.releasever = e.value;
        else if (e.key == "relocate") p.relocate = e.value;
        else if (e.key == "support") p.support = e.value;
        else if (e.key == "date") p.date = e.value;
        else
          throw UsageError("unknown key (a profile has name, lambda_runtimes, architectures, baseline, releasever, "
                           "relocate, support, date)");
      } catch (const UsageError& err) {
        throw UsageError(e.origin + ": " + e.key + ": " + err.what());
      }
    }
  }
  if (p.name.empty() || p.architectures.empty() || p.baseline.empty() || p.releasever.empty())
    throw UsageError(source + ": a profile needs name, architectures, baseline and releasever");
  return p;
}

}  // namespace yumda
