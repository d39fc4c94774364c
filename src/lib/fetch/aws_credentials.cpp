// Credential lookup for s3:// URLs (see aws_credentials.hpp). The files are
// INI-style; a file that cannot be read is skipped, as the AWS CLI does.
#include "fetch/aws_credentials.hpp"

#include <cstdlib>
#include <fstream>
#include <map>

namespace yumda {

namespace {

using Section = std::map<std::string, std::string>;

std::string trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  auto e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

// The keys of section [WANTED] in the INI file PATH; nullopt when absent.
std::optional<Section> read_section(const std::string& path, const std::string& wanted) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::optional<Section> found;
  bool inside = false;
  std::string line;
  while (std::getline(in, line)) {
    std::string t = trim(line);
    if (t.empty() || t[0] == '#' || t[0] == ';') continue;
    if (t.front() == '[' && t.back() == ']') {
      inside = trim(t.substr(1, t.size() - 2)) == wanted;
      if (inside && !found) found = Section{};
      continue;
    }
    auto eq = t.find('=');
    if (!inside || eq == std::string::npos) continue;
    (*found)[trim(t.substr(0, eq))] = trim(t.substr(eq + 1));
  }
  return found;
}

std::string get(const EnvLookup& env, const std::string& name, const std::string& fallback = "") {
  auto v = env(name);
  return v && !v->empty() ? *v : fallback;
}

std::string home_file(const EnvLookup& env, const std::string& override_var, const std::string& rel) {
  if (auto v = get(env, override_var); !v.empty()) return v;
  std::string home = get(env, "HOME");
  return home.empty() ? "" : home + "/.aws/" + rel;
}

std::string profile_name(const EnvLookup& env) { return get(env, "AWS_PROFILE", get(env, "AWS_DEFAULT_PROFILE", "default")); }

// The config file names non-default profiles "[profile NAME]".
std::optional<Section> config_section(const EnvLookup& env, std::string& path) {
  path = home_file(env, "AWS_CONFIG_FILE", "config");
  if (path.empty()) return std::nullopt;
  std::string profile = profile_name(env);
  auto s = read_section(path, profile == "default" ? "default" : "profile " + profile);
  if (!s && profile == "default") s = read_section(path, "profile default");
  return s;
}

AwsCredentials from_section(const Section& s, const std::string& source) {
  AwsCredentials c;
  auto val = [&](const char* k) {
    auto it = s.find(k);
    return it == s.end() ? std::string() : it->second;
  };
  c.access_key_id = val("aws_access_key_id");
  c.secret_access_key = val("aws_secret_access_key");
  c.session_token = val("aws_session_token");
  if (c.session_token.empty()) c.session_token = val("aws_security_token");
  c.source = source;
  return c;
}

}  // namespace

EnvLookup process_env() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (!v) return std::nullopt;
    return std::string(v);
  };
}

AwsCredentials load_aws_credentials(const EnvLookup& env) {
  AwsCredentials c;
  c.access_key_id = get(env, "AWS_ACCESS_KEY_ID");
  c.secret_access_key = get(env, "AWS_SECRET_ACCESS_KEY");
  if (!c.empty()) {
    c.session_token = get(env, "AWS_SESSION_TOKEN");
    c.source = "environment (AWS_ACCESS_KEY_ID)";
    return c;
  }
  std::string profile = profile_name(env);
  std::string cred_path = home_file(env, "AWS_SHARED_CREDENTIALS_FILE", "credentials");
  if (!cred_path.empty())
    if (auto s = read_section(cred_path, profile)) {
      c = from_section(*s, "profile " + profile + " in " + cred_path);
      if (!c.empty()) return c;
    }
  std::string config_path;
  if (auto s = config_section(env, config_path)) {
    c = from_section(*s, "profile " + profile + " in " + config_path);
    if (!c.empty()) return c;
  }
  return {};
}

std::string load_aws_region(const EnvLookup& env) {
  if (auto r = get(env, "AWS_REGION"); !r.empty()) return r;
  if (auto r = get(env, "AWS_DEFAULT_REGION"); !r.empty()) return r;
  std::string config_path;
  if (auto s = config_section(env, config_path))
    if (auto it = s->find("region"); it != s->end() && !it->second.empty()) return it->second;
  return "us-east-1";
}

}  // namespace yumda
