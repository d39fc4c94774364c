#include "summary.hpp"


#include <algorithm>
#include <cstdio>

#include "yumda/fs.hpp"

namespace yumda::cli {

namespace {

std::string row(const std::string& a, const std::string& b, const std::string& c, const std::string& d,
                const std::string& e, size_t wa, size_t wb, size_t wc, size_t wd) {
  char buf[1024];
  std::snprintf(buf, sizeof buf, " %-*s %-*s %-*s %-*s %8s\n", int(wa), a.c_str(), int(wb), b.c_str(), int(wc),
                c.c_str(), int(wd), d.c_str(), e.c_str());
  return buf;
}

}  // namespace

PlanAction plan_action(const ResolveResult& plan, const PackageInfo& p) {
  for (const auto& r : plan.replaced)
    if (r.name == p.nevra.name)
      return r == p.nevra                               ? PlanAction::kReinstall
             : compare_evr(p.nevra.evr(), r.evr()) < 0 ? PlanAction::kDowngrade
                                                        : PlanAction::kUpgrade;
  return plan.requested.count(p.nevra.str()) ? PlanAction::kInstall : PlanAction::kDependency;
}

const char* plan_action_name(PlanAction a) {
  switch (a) {
    case PlanAction::kReinstall: return "reinstall";
    case PlanAction::kUpgrade: return "upgrade";
    case PlanAction::kDowngrade: return "downgrade";
    case PlanAction::kInstall: return "install";
    case PlanAction::kDependency: return "dependency";
  }
  return "install";
}

std::string format_summary(const ResolveResult& plan) {
  std::string out;
  for (const auto& s : plan.from_baseline)
    out += "Package " + s + " is provided by the Lambda runtime (baseline); nothing to install for it.\n";
  for (const auto& s : plan.already_installed) out += "Package " + s + " is already installed.\n";
  for (const auto& s : plan.no_match) out += "No match for argument: " + s + " (skipped: strict=0)\n";
  // dnf's words for what strict=0 left out.
  std::string skipped;
  if (!plan.skipped_broken.empty()) {
    skipped = "\nSkipping packages with broken dependencies:\n";
    for (const auto& s : plan.skipped_broken) skipped += " " + s + "\n";
  }
  // Layer packages going with no new copy (history undo of an install).
  std::vector<Nevra> removing;
  for (const auto& r : plan.replaced) {
    bool replaced_by_new = std::any_of(plan.install.begin(), plan.install.end(),
                                       [&](const PackageInfo& p) { return p.nevra.name == r.name; });
    for (const auto& [_, olds] : plan.replaces)
      replaced_by_new = replaced_by_new || std::find(olds.begin(), olds.end(), r) != olds.end();
    if (!replaced_by_new) removing.push_back(r);
  }
  if (plan.install.empty() && removing.empty()) return out + "Dependencies resolved.\nNothing to do.\n" + skipped;

  size_t wa = 7, wb = 4, wc = 7, wd = 10;
  for (const auto& p : plan.install) {
    wa = std::max(wa, p.nevra.name.size());
    wb = std::max(wb, p.nevra.arch.size());
    wc = std::max(wc, p.nevra.evr().size());
    wd = std::max(wd, p.repo_id.size());
  }
  for (const auto& r : removing) {
    wa = std::max(wa, r.name.size());
    wb = std::max(wb, r.arch.size());
    wc = std::max(wc, r.evr().size());
  }
  std::string rule(std::min<size_t>(wa + wb + wc + wd + 14, 120), '=');
  out += "Dependencies resolved.\n" + rule + "\n" + row("Package", "Arch", "Version", "Repository", "Size", wa, wb, wc, wd) +
         rule + "\n";
  uint64_t download = 0, installed = 0;
  auto group = [&](const PackageInfo& p) { return static_cast<int>(plan_action(plan, p)); };
  static const char* titles[] = {"Reinstalling:\n", "Upgrading:\n", "Downgrading:\n", "Installing:\n",
                                 "Installing dependencies:\n"};
  size_t counts[5] = {0, 0, 0, 0, 0};
  for (int pass = 0; pass < 5; ++pass) {
    bool header = false;
    for (const auto& p : plan.install) {
      if (group(p) != pass) continue;
      ++counts[pass];
      if (!header) out += titles[pass];
      header = true;
      out += row(p.nevra.name, p.nevra.arch, p.nevra.evr(), p.repo_id, human_size(p.download_size), wa, wb, wc, wd);
      download += p.download_size;
      installed += p.install_size;
    }
  }
  if (!removing.empty()) out += "Removing:\n";
  for (const auto& r : removing) out += row(r.name, r.arch, r.evr(), "@layer", "", wa, wb, wc, wd);
  out += "\nTransaction Summary\n" + rule + "\n";
  auto count_line = [&](const char* verb, size_t n) {
    if (n) out += std::string(verb) + std::to_string(n) + " Package" + (n == 1 ? "" : "s") + "\n";
  };
  count_line("Install  ", counts[3] + counts[4]);
  count_line("Upgrade  ", counts[1]);
  count_line("Downgrade  ", counts[2]);
  count_line("Reinstall  ", counts[0]);
  count_line("Remove  ", removing.size());
  out += "\n";
  out += "Total download size: " + human_size(download) + "\n";
  out += "Installed size: " + human_size(installed) + "\n";
  return out + skipped;
}

}  // namespace yumda::cli
