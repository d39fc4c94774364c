// repoquery: the repos' (or with --installed, the layer's) packages, or what
// they require or provide, their files or URLs, in dnf's formats.
#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <regex>

#include "../console_reporter.hpp"
#include "common.hpp"
#include "yumda/error.hpp"
#include "yumda/fetch.hpp"
#include "yumda/fs.hpp"
#include "yumda/install.hpp"

namespace yumda::cli {

namespace {

struct RepoqueryArgs {
  std::vector<std::string> specs;
  bool requires_ = false, whatrequires = false, list = false, provides = false, location = false;
  bool installed = false, resolve = false;
  std::string queryformat = kDefaultFormat;
  static constexpr const char* kDefaultFormat = "%{name}-%{epoch}:%{version}-%{release}.%{arch}";  // dnf's
};

const char* const kTags[] = {"name",    "epoch",       "version",  "release",   "arch", "repoid",
                             "evr",     "nevra",       "summary",  "size",      "installsize",
                             "location", "sourcerpm",  "url",      "license",   "buildtime", "description"};

// A queried package: its metadata, and whether it is the layer's (dnf's @System).
struct Queried {
  PackageInfo info;
  bool installed = false;
  const InstalledPackage* layer = nullptr;  // --installed: the layer's record
};

std::string tag_value(const Queried& q, const std::string& tag) {
  const PackageInfo& p = q.info;
  const Nevra& n = p.nevra;
  std::string v;
  if (tag == "name") v = n.name;
  else if (tag == "epoch") return n.epoch.empty() ? "0" : n.epoch;
  else if (tag == "version") v = n.version;
  else if (tag == "release") v = n.release;
  else if (tag == "arch") v = n.arch;
  else if (tag == "repoid") v = q.installed ? "@System" : p.repo_id;
  else if (tag == "evr") v = n.evr();
  else if (tag == "nevra") v = n.str();
  else if (tag == "summary") v = p.summary;
  else if (tag == "description") v = p.description;
  else if (tag == "size") return std::to_string(q.installed ? p.install_size : p.download_size);
  else if (tag == "installsize") return std::to_string(p.install_size);
  else if (tag == "location") v = p.location;
  else if (tag == "sourcerpm") v = p.sourcerpm;
  else if (tag == "url") v = p.url;
  else if (tag == "license") v = p.license;
  else if (tag == "buildtime") {  // as dnf: local time, to the minute
    std::time_t t = static_cast<std::time_t>(p.buildtime);
    std::tm tm{};
    char buf[32];
    localtime_r(&t, &tm);
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", &tm);
    return buf;
  }
  return v.empty() ? "(none)" : v;  // dnf prints a missing value so
}

// dnf's --queryformat: %{tag} or %-20{tag} (a width; tags in any case), \n
// and \t; the rest as it is. An unknown tag is a usage error.
std::string format_package(const std::string& fmt, const Queried& q) {
  static const std::regex tag_re(R"(%(-?\d+)?\{([A-Za-z_]+)\})");
  std::string out;
  auto pos = fmt.cbegin();
  for (std::sregex_iterator it(fmt.begin(), fmt.end(), tag_re), end; it != end; ++it) {
    out.append(pos, fmt.cbegin() + it->position());
    pos = fmt.cbegin() + it->position() + it->length();
    std::string tag = (*it)[2];
    std::transform(tag.begin(), tag.end(), tag.begin(), [](unsigned char c) { return std::tolower(c); });
    std::string v = tag_value(q, tag);
    if ((*it)[1].matched) {
      int w = std::stoi((*it)[1]);
      size_t width = static_cast<size_t>(std::abs(w));
      // as dnf 4 (Python's format underneath): %-10{x} pads on the left, %10{x} on the right
      if (v.size() < width) v = w < 0 ? std::string(width - v.size(), ' ') + v : v + std::string(width - v.size(), ' ');
    }
    out += v;
  }
  out.append(pos, fmt.cend());
  for (auto [esc, c] : {std::pair{"\\n", '\n'}, std::pair{"\\t", '\t'}})
    for (size_t i = out.find(esc); i != std::string::npos; i = out.find(esc, i + 1)) out.replace(i, 2, 1, c);
  return out;
}

bool wants_description(const std::string& fmt) {
  static const std::regex re(R"(%-?\d*\{[Dd][Ee][Ss][Cc][Rr][Ii][Pp][Tt][Ii][Oo][Nn]\})");
  return std::regex_search(fmt, re);
}

void check_queryformat(const std::string& fmt) {
  static const std::regex tag_re(R"(%-?\d*\{([A-Za-z_]+)\})");
  for (std::sregex_iterator it(fmt.begin(), fmt.end(), tag_re), end; it != end; ++it) {
    std::string tag = (*it)[1];
    std::transform(tag.begin(), tag.end(), tag.begin(), [](unsigned char c) { return std::tolower(c); });
    if (std::find(std::begin(kTags), std::end(kTags), tag) != std::end(kTags)) continue;
    std::string known;
    for (const char* t : kTags) known += (known.empty() ? "" : ", ") + std::string(t);
    throw UsageError("repoquery --queryformat: unknown tag %{" + std::string((*it)[1]) + "} (known tags: " + known + ")");
  }
}

void check_flags(const RepoqueryArgs& a) {
  if (int(a.requires_) + int(a.whatrequires) + int(a.list) + int(a.provides) + int(a.location) > 1)
    throw UsageError("repoquery takes one of --requires, --whatrequires, --provides, --list, --location");
  if (a.resolve && !a.requires_) throw UsageError("repoquery --resolve goes with --requires (e.g. repoquery --requires --resolve git)");
  if (a.installed && (a.whatrequires || a.location || a.resolve))
    throw UsageError("repoquery --installed takes --requires, --provides, --list or --queryformat, not --whatrequires, --location or --resolve");
  check_queryformat(a.queryformat);
}

// The layer's record as a queried package (the tags it has; no location).
Queried from_layer(const InstalledPackage& p) {
  Queried q;
  q.installed = true;
  q.layer = &p;
  PackageInfo& i = q.info;
  i.nevra = p.nevra, i.repo_id = p.repo_id, i.install_size = p.install_size, i.buildtime = p.buildtime;
  i.license = p.license, i.summary = p.summary, i.url = p.url, i.sourcerpm = p.sourcerpm;
  i.provides = p.provides, i.requirements = p.requirements;
  return q;
}

void run_repoquery(GlobalOptions& g, const RepoqueryArgs& a) {
  check_flags(a);
  Config config = make_config(g);
  ConsoleReporter reporter(g);
  std::string root = a.installed ? layer_root(g) : "";
  if (a.installed && !is_directory(root + "/.yumda"))
    throw Error("repoquery --installed: " + root + " is not a layer (no .yumda/; check --root)");
  RepoSession session(config, root, g.cacheonly, reporter);
  Resolver& r = session.resolver();
  std::vector<InstalledPackage> layer = a.installed ? list_installed(root) : std::vector<InstalledPackage>{};
  std::vector<Queried> found;
  std::vector<std::string> want = a.specs.empty() ? std::vector<std::string>{"*"} : a.specs;
  for (const auto& spec : want) {
    if (a.installed) {
      auto hits = a.specs.empty() ? std::vector<Nevra>{} : r.installed(spec, /*by_provides=*/false);
      for (const auto& p : layer)
        if (a.specs.empty() || std::find(hits.begin(), hits.end(), p.nevra) != hits.end()) found.push_back(from_layer(p));
      continue;
    }
    for (auto& p : a.whatrequires ? r.whatrequires(spec) : r.query(spec)) found.push_back({std::move(p)});
  }

  if (g.json || wants_description(a.queryformat)) {  // read only when shown: the solv cache has none
    std::vector<PackageInfo> infos;
    for (const auto& q : found) infos.push_back(q.info);
    r.describe(infos);
    for (size_t k = 0; k < found.size(); ++k) found[k].info.description = std::move(infos[k].description);
  }
  json j = {{"packages", json::array()}};
  std::vector<std::string> lines;
  for (const auto& q : found) {
    const PackageInfo& p = q.info;
    json pj = q.layer ? package_json(*q.layer) : package_json(p);
    if (q.layer) pj["description"] = p.description;
    if (q.installed) pj["repo"] = installed_from(p.repo_id);
    if (a.requires_ && a.resolve) {
      std::vector<std::string> providers;
      for (const auto& req : p.requirements)
        for (const auto& prov : r.whatprovides(req)) {
          providers.push_back(prov.nevra.str());
          lines.push_back(format_package(a.queryformat, {prov}));
        }
      std::sort(providers.begin(), providers.end());
      providers.erase(std::unique(providers.begin(), providers.end()), providers.end());
      pj["providers"] = providers;
    } else if (a.requires_) {
      pj["requires"] = p.requirements;
      lines.insert(lines.end(), p.requirements.begin(), p.requirements.end());
    } else if (a.provides) {
      pj["provides"] = p.provides;
      lines.insert(lines.end(), p.provides.begin(), p.provides.end());
    } else if (a.list) {
      std::vector<std::string> files;
      if (q.layer)
        for (const auto& f : q.layer->files) files.push_back("/opt/" + f);  // where Lambda sees them
      else
        files = r.files(p);
      pj["files"] = files;
      lines.insert(lines.end(), files.begin(), files.end());
    } else if (a.location) {
      std::string url = p.baseurls.empty() ? p.location : resolve_location(p.baseurls.front(), p.location);
      pj["location"] = redact_urls(url);
      lines.push_back(redact_urls(url));
    } else {
      lines.push_back(format_package(a.queryformat, q));
    }
    j["packages"].push_back(pj);
  }
  if (g.json) return set_document(g, j);
  std::sort(lines.begin(), lines.end());  // dnf prints the set, sorted
  lines.erase(std::unique(lines.begin(), lines.end()), lines.end());
  for (const auto& l : lines) std::cout << l << "\n";
}

}  // namespace

void add_repoquery(CLI::App& app, GlobalOptions& g) {
  auto [repoquery, a] = add_verb<RepoqueryArgs>(
      app, g, "repoquery", "Query the repos' (or the layer's) packages", run_repoquery);
  repoquery->add_option("spec", a.specs, "Package specs (default: all)");
  repoquery->add_flag("--requires", a.requires_, "What the packages require");
  repoquery->add_flag("--resolve", a.resolve, "With --requires: the packages that provide it");
  repoquery->add_flag("--provides", a.provides, "What the packages provide");
  repoquery->add_flag("--whatrequires", a.whatrequires, "Packages that require SPEC");
  repoquery->add_flag("-l,--list", a.list, "The packages' files");
  repoquery->add_flag("--location", a.location, "The URL of each package's RPM");
  repoquery->add_flag("--installed", a.installed, "The layer's packages (--root) instead of the repos'");
  repoquery->add_option("--qf,--queryformat", a.queryformat,
                        "Format of each package line: dnf's %{name}, %{version}, %{evr}, %{repoid}… tags");
}

}  // namespace yumda::cli
