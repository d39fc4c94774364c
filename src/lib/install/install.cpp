// The install job, one stage after another. Each stage lives in its own
// module; this file only wires them together and keeps ROOT all-or-nothing:
// every byte goes to the transaction's stage dir until commit().
#include "yumda/install.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <ctime>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string_view>
#include <unordered_map>

#include "install/expanded_cache.hpp"
#include "install/package_source.hpp"
#include "install/work_pool.hpp"
#include "yumda/check.hpp"
#include "yumda/checksum.hpp"
#include "yumda/error.hpp"
#include "yumda/extract.hpp"
#include "yumda/fetch.hpp"
#include "yumda/fs.hpp"
#include "yumda/relocate.hpp"
#include "yumda/rpm_file.hpp"
#include "yumda/scripts.hpp"
#include "yumda/verify.hpp"

namespace yumda {

namespace {

InstalledPackage to_installed(const PackageInfo& info, const ExtractResult& extracted, bool user_installed) {
  InstalledPackage p;
  static_cast<PackageCore&>(p) = info;  // what the repo said of it, kept in the layer's record
  p.user_installed = user_installed;
  for (const auto& f : extracted.files) {
    p.files.push_back(f.path);
    if (!f.from.empty() && !S_ISDIR(f.mode)) p.moved_from.emplace(f.path, f.from);
  }
  std::sort(p.files.begin(), p.files.end());
  return p;
}

bool same_content(const std::string& a, const std::string& b) {
  struct stat sa, sb;
  if (lstat(a.c_str(), &sa) != 0 || lstat(b.c_str(), &sb) != 0) return false;
  if ((sa.st_mode & S_IFMT) != (sb.st_mode & S_IFMT)) return false;
  if (S_ISDIR(sa.st_mode)) return true;
  if (S_ISLNK(sa.st_mode)) {
    char la[4096], lb[4096];
    ssize_t na = readlink(a.c_str(), la, sizeof la), nb = readlink(b.c_str(), lb, sizeof lb);
    return na == nb && na >= 0 && std::equal(la, la + na, lb);
  }
  return sa.st_size == sb.st_size && file_digest(a, "sha256") == file_digest(b, "sha256");
}

// A file the new packages bring that the layer already has from another
// package, with other content, is a conflict (rpm refuses it the same way).
// Paths are compared where they are (TXN's placed()): lib/x through an owned
// lib -> lib64 is the same file as lib64/x, as rpm sees it.
void check_conflicts_with_layer(const std::string& root, const LayerTransaction& txn, const LayerState& state,
                                const std::vector<InstalledPackage>& incoming) {
  // One placed() call for all: each directory is resolved once.
  std::vector<std::string> names;
  std::vector<const InstalledPackage*> packages;
  auto add = [&](const std::vector<InstalledPackage>& set) {
    for (const auto& p : set)
      for (const auto& f : p.files) names.push_back(f), packages.push_back(&p);
  };
  add(state.packages());
  const size_t layer_files = names.size();
  add(incoming);
  const std::vector<std::string> at = txn.placed(names);
  std::map<std::string, const InstalledPackage*> owner;
  for (size_t i = 0; i < layer_files; ++i) owner.emplace(at[i], packages[i]);
  const std::string& stage = txn.stage_dir();
  for (size_t i = layer_files; i < at.size(); ++i) {
    const InstalledPackage& p = *packages[i];
    auto it = owner.find(at[i]);
    if (it == owner.end() || it->second->nevra.name == p.nevra.name) continue;
    if (!same_content(stage + "/" + at[i], root + "/" + at[i]))
      throw Error("file /opt/" + names[i] + " conflicts between package " + p.nevra.str() + " and installed package " +
                  it->second->nevra.str() + (at[i] == names[i] ? "" : " (both are /opt/" + at[i] + ")"));
  }
}

}  // namespace

namespace {

// Undoes prepare_root() when the install fails: a layer directory (or its
// .yumda/) that did not exist before the run does not exist after it.
class CreatedRootGuard {
 public:
  explicit CreatedRootGuard(const std::string& root)
      : root_(root), had_root_(path_exists(root)), had_state_dir_(path_exists(root + "/.yumda")) {}
  ~CreatedRootGuard() {
    if (done_) return;
    try {
      if (!had_root_) remove_tree(root_);
      else if (!had_state_dir_) remove_tree(root_ + "/.yumda");
    } catch (const Error&) {
    }
  }
  void done() { done_ = true; }

 private:
  std::string root_;
  bool had_root_;
  bool had_state_dir_;
  bool done_ = false;
};

// After an install: binaries whose libraries are neither in the layer nor in
// the runtime would fail on Lambda; say so now rather than at deploy time.
// Only the ELF files this install placed are read (`yumda check` reads all).
void warn_unlinkable(const std::string& root, const Baseline& baseline, const std::string& arch,
                     std::vector<std::string> elf_files, Reporter& reporter) {
  if (elf_files.empty()) return;
  CheckOptions o;
  o.arch = arch;
  o.elf_only = true;
  o.paths = std::move(elf_files);
  size_t shown = 0, errors = 0;
  for (const auto& f : check_layer(root, baseline, o)) {
    if (!f.error) continue;
    if (++errors <= 10) reporter.warning(f.message()), ++shown;
  }
  if (errors > shown)
    reporter.warning(std::to_string(errors - shown) + " more problems: run `yumda check --root " + root + "`");
}

// The layer's record is JSON, which holds only UTF-8: a package with another
// file name is refused by name rather than failing later inside the writer.
bool valid_utf8(const std::string& s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 0 : (c >> 5) == 0x6 ? 1 : (c >> 4) == 0xe ? 2 : (c >> 3) == 0x1e ? 3 : 4;
    if (n == 4 || (n > 0 && c < 0xc2 && n == 1) || i + n >= s.size() + (n ? 0 : 1)) return false;
    for (size_t k = 1; k <= n; ++k)
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) return false;
    i += n + 1;
  }
  return true;
}

std::string files_count(size_t n) { return std::to_string(n) + (n == 1 ? " file" : " files"); }

// The relocation stage, once every package is staged (a path is rewritten
// only where the staged or committed layer provides its new place): each
// package's files on a worker, its report kept in its record.
void relocate_staged(std::vector<InstalledPackage>& incoming, const std::map<std::string, std::vector<PlacedFile>>& placed,
                     const std::string& stage, const std::string& root, const PathMap& map, const Baseline& runtime,
                     WorkPool& workers, Reporter& reporter) {
  if (placed.empty()) return;
  const auto started = std::chrono::steady_clock::now();
  std::atomic<size_t> files_read{0}, files_scanned{0};
  std::atomic<uint64_t> bytes_read{0}, bytes_scanned{0};
  reporter.phase_start("relocate", placed.size());
  for (auto& p : incoming) {
    auto it = placed.find(p.nevra.str());
    if (it == placed.end()) continue;
    workers.submit([&, &p = p, &files = it->second] {
      check_interrupt();
      RelocationReport r = relocate_files(p.nevra.str(), stage, root, files, map, runtime);
      p.rewritten = std::move(r.rewritten);
      p.unrewritable = std::move(r.unrewritable);
      files_read += r.files_read;
      bytes_read += r.bytes_read;
      files_scanned += r.files_scanned;
      bytes_scanned += r.bytes_scanned;
      reporter.package_done("relocate", p.nevra.str());
    });
  }
  workers.wait();
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
  reporter.info("Relocated " + std::to_string(placed.size()) + " packages: read " + std::to_string(files_read) +
                " files (" + human_size(bytes_read) + ") once each in " + std::to_string(ms) + " ms; " +
                std::to_string(files_scanned) + " more files (" + human_size(bytes_scanned) +
                ") scanned while extracting needed no rewrite");
  for (const auto& p : incoming)
    if (!p.unrewritable.empty())
      reporter.warning("package " + p.nevra.str() + ": " + std::to_string(p.unrewritable.size()) +
                       (p.unrewritable.size() == 1 ? " path" : " paths") + " compiled into it could not be rewritten (" +
                       p.unrewritable.front() + (p.unrewritable.size() > 1 ? "; ..." : "") +
                       "): run `yumda check --root " + root + "`");
}

}  // namespace

namespace {

// What the history says a run did: the verb and its arguments.
std::string history_command(const InstallOptions& o, uint64_t undo_id) {
  if (o.mode == InstallMode::kUndo) return "history undo " + std::to_string(undo_id);
  std::string out = o.mode == InstallMode::kUpgrade ? "upgrade" : o.mode == InstallMode::kReinstall ? "reinstall" : "install";
  for (const auto& s : o.specs) out += " " + s;
  return out;
}

// Transaction ID of STATE's history reversed (the last one for 0, and ID is
// set to it): what it brought in goes, what it took out comes back at its
// exact version. Every package it brought in must still be in the layer at
// that version.
ResolveResult plan_undo(const LayerState& state, uint64_t& id, Resolver& resolver) {
  if (state.history().empty()) throw Error("the layer has no history to undo (see yumda history)");
  if (id == 0) id = state.history().back().id;
  const HistoryEntry* entry = state.find_transaction(id);
  if (!entry)
    throw Error("no transaction " + std::to_string(id) + " in the layer's history (see yumda history for the ids)");
  const std::string why = "cannot undo transaction " + std::to_string(id) + ": ";
  std::vector<Nevra> install, erase;
  std::set<std::string> user;  // names that come back as asked for by the user
  for (const auto& item : entry->items) {
    const std::string& a = item.action;
    if (a == "Install" || a == "Upgrade" || a == "Downgrade") {
      // What it brought in must still be there, at that version.
      bool there = std::any_of(state.packages().begin(), state.packages().end(),
                               [&](const InstalledPackage& p) { return p.nevra == item.nevra; });
      if (!there) throw Error(why + item.nevra.str() + " is no longer in the layer (a later transaction changed it)");
      // An up- or downgrade is undone by the old version replacing it.
      if (a == "Install") erase.push_back(item.nevra);
    } else if (a != "Reinstall") {
      install.push_back(item.nevra);
      if (item.user_installed) user.insert(item.nevra.name);
    }
  }
  ResolveResult plan;
  try {
    plan = resolver.undo(install, erase);
  } catch (const Error& e) {
    throw Error(why + e.what());
  }
  for (const auto& p : plan.install)
    if (user.count(p.nevra.name)) plan.requested.insert(p.nevra.str());
  return plan;
}

}  // namespace

static InstallResult install_locked(const Config& config, const InstallOptions& options, Reporter& reporter);

InstallResult install(const Config& config, const InstallOptions& options, Reporter& reporter) {
  if (options.specs.empty() && options.mode != InstallMode::kUpgrade && options.mode != InstallMode::kUndo)
    throw UsageError(options.mode == InstallMode::kReinstall
                         ? "reinstall needs at least one package (e.g. yumda reinstall -y git)"
                         : "install needs at least one package (e.g. yumda install -y git)");

  CreatedRootGuard created(options.root);
  InstallResult r = install_locked(config, options, reporter);
  if (r.performed) created.done();
  return r;
}

static InstallResult install_locked(const Config& config, const InstallOptions& options, Reporter& reporter) {
  InstallResult result;
  // Package files (./x.rpm, 'dir/*.rpm', file:///z.rpm) are named before
  // the layer is touched; the rest are specs.
  std::vector<std::string> specs = options.specs;
  const std::vector<LocalPackage> local = take_local_packages(specs);
  prepare_root(options.root);
  LayerLock lock(options.root, !options.nowait);
  LayerTransaction::recover(options.root);
  LayerState state = LayerState::load(options.root);

  Baseline baseline = load_baseline(config.main.baseline, config.main.arch);
  Fetcher fetcher(fetch_options(config.main), reporter);
  Sack sack(config, fetcher, options.cacheonly, reporter);
  sack.set_local_packages(local);
  Resolver resolver(config, baseline, layer_packages(state), sack, reporter);
  uint64_t undo_id = options.undo_id;
  if (options.mode == InstallMode::kUpgrade) {
    result.plan = resolver.upgrade(specs);
  } else if (options.mode == InstallMode::kReinstall) {
    result.plan = resolver.reinstall(specs);
  } else if (options.mode == InstallMode::kUndo) {
    result.plan = plan_undo(state, undo_id, resolver);
  } else {
    ResolveRequest request;
    request.specs = specs;
    request.install_weak_deps = config.main.install_weak_deps;
    result.plan = resolver.resolve(request);
  }
  if (options.check_plan) options.check_plan(result.plan);
  // The layer without the replaced packages (GOING: their records, shown in
  // the plan); their files that nothing kept or new brings go in the commit.
  LayerState kept;
  std::vector<InstalledPackage> going;
  for (const auto& p : state.packages()) {
    bool replaced = std::any_of(result.plan.replaced.begin(), result.plan.replaced.end(),
                                [&](const Nevra& n) { return n == p.nevra; });
    (replaced ? going : kept.packages()).push_back(p);
  }
  result.removed = going;
  if (result.plan.install.empty() && result.plan.replaced.empty()) return result;  // undo may only take out
  if (options.confirm && !options.confirm(result.plan)) return result;

  LayerTransaction txn(options.root);
  // What only the outgoing versions own may change type (file -> directory...).
  std::set<std::string> kept_owned;
  for (const auto& p : kept.packages()) kept_owned.insert(p.files.begin(), p.files.end());
  std::vector<std::string> replaceable;
  for (const auto& p : going)
    for (const auto& f : p.files)
      if (!kept_owned.count(f)) replaceable.push_back(f);
  txn.replace_paths(replaceable);
  txn.own_paths(state.owners());
  SerializedReporter sreporter(reporter);  // workers report concurrently
  PackageSource source(config, fetcher, options.cacheonly, sreporter);
  std::vector<InstalledPackage> incoming;
  std::map<std::string, std::string> staged_owner;  // path in the stage -> NEVRA, for conflict messages
  std::vector<std::string> new_elf_files;             // for the link check at the end
  std::mutex staged_mu;                               // guards staged_owner and incoming
  // Stock packages are relocated (relocate= of their repo): extraction puts
  // their files where this map says, and the relocation stage below rewrites
  // the paths compiled into them once every package is staged.
  const PathMap path_map = PathMap::standard(config.main.relocate_rules);
  auto relocate_mode = [&](const PackageInfo& pkg) {
    const RepoConfig* repo = config.find_repo(pkg.repo_id);
    return repo ? repo->relocate : config.main.relocate;
  };
  std::map<std::string, std::vector<PlacedFile>> to_relocate;  // NEVRA -> its placed files
  std::vector<StagedSymlink> symlinks;                          // created once all are extracted
  ExtractOptions xopts;
  xopts.nodocs = config.main.nodocs;
  xopts.defer_symlinks = true;
  xopts.owner_of = [&](const std::string& path) {
    std::lock_guard l(staged_mu);
    auto it = staged_owner.find(path);
    return it == staged_owner.end() ? std::string() : it->second;
  };

  // Names that stay in the layer through a new version: their scriptlets see 2.
  std::set<std::string> replaced_names;
  for (const auto& n : result.plan.replaced) replaced_names.insert(n.name);
  std::map<std::string, std::vector<std::string>> post_scripts;  // NEVRA -> %post/%posttrans bodies
  std::map<std::string, std::vector<std::string>> lua_scripts;   // NEVRA -> "%post"...: Lua, not run

  // Downloads run in parallel; each package is verified and extracted by a
  // worker as soon as it is complete, while the others are still arriving.
  ExpandedCache expanded(config.main.cachedir, config.main.keepcache, config.main.link_mode);
  WorkPool workers(WorkPool::default_threads());
  auto unpack = [&](const PackageInfo& pkg, const std::string& path) {
    check_interrupt();
    source.verify(pkg, path);
    RpmHeaderInfo header = read_rpm_header(path);
    if (header.is_source)
      throw Error("package " + pkg.nevra.str() + " is a source RPM; yumda installs binary packages only");
    const Relocate mode = relocate_mode(pkg);
    ExtractOptions pkg_opts = xopts;
    if (mode != Relocate::kNever) {
      pkg_opts.path_map = &path_map;
      // The files relocation will look at: an /opt-built package's are
      // only under relocate=always, and then every one.
      pkg_opts.scan = mode == Relocate::kAlways ? ExtractOptions::Scan::kAll : ExtractOptions::Scan::kMoved;
    }
    ExtractResult x = expanded.extract(pkg, path, header, txn.stage_dir(), pkg_opts);
    if (x.skipped_outside_opt > 0)
      sreporter.warning("package " + pkg.nevra.str() + ": left out " + files_count(x.skipped_outside_opt) +
                        (mode == Relocate::kNever ? " outside /opt (its repo has relocate=never)"
                                                  : " that a layer cannot hold (" + x.skipped_paths.front() +
                                                        (x.skipped_outside_opt > 1 ? ", ..." : "") +
                                                        ": Lambda's /var is read-only and nothing else is mounted)"));
    if (x.dropped_setid > 0)
      sreporter.warning("package " + pkg.nevra.str() + ": dropped setuid/setgid bits of " +
                        files_count(x.dropped_setid) + " (Lambda runs unprivileged)");
    for (const auto& f : x.files)
      if (!valid_utf8(f.path))
        throw Error("package " + pkg.nevra.str() + " has a file name that is not valid UTF-8 (/opt/" +
                    std::string(f.path.begin(), std::find_if(f.path.begin(), f.path.end(), [](char c) {
                      return static_cast<unsigned char>(c) >= 0x80;
                    })) + "...); yumda cannot record it in the layer");
    InstalledPackage done = to_installed(pkg, x, result.plan.requested.count(pkg.nevra.str()) > 0);
    if (auto it = result.plan.replaces.find(pkg.nevra.str()); it != result.plan.replaces.end()) {
      // What it replaces passes its mark on, even across a rename by
      // Obsoletes:; only `install` adds the user's own asking.
      bool carried = false;
      for (const Nevra& n : it->second)
        if (const InstalledPackage* old = state.find(n.name); old && old->user_installed) carried = true;
      done.user_installed = carried || (options.mode == InstallMode::kInstall && done.user_installed);
    }
    {
      std::lock_guard l(staged_mu);
      if (!header.post_scripts.empty()) post_scripts[pkg.nevra.str()] = header.post_scripts;
      if (!header.lua_scripts.empty()) lua_scripts[pkg.nevra.str()] = header.lua_scripts;
      if (mode == Relocate::kAlways || !done.moved_from.empty()) {
        auto& placed = to_relocate[pkg.nevra.str()];
        // The signed header's digest of each file as shipped, for the record.
        std::unordered_map<std::string_view, const std::string*> shipped;
        if (header.file_digest_type == "sha256")
          for (const auto& h : header.files) shipped.emplace(h.path, &h.digest);
        for (const auto& f : x.files) {
          auto d = shipped.find(f.from.empty() ? "/opt/" + f.path : f.from);
          placed.push_back({f.path, f.from, f.mode, f.elf, f.scan, d == shipped.end() ? "" : *d->second});
        }
      }
      for (const auto& f : x.files) {
        staged_owner.emplace(f.path, pkg.nevra.str());
        if (f.elf) new_elf_files.push_back(f.path);
        if (S_ISLNK(f.mode)) symlinks.push_back({f.path, f.link_target, pkg.nevra.str(), f.mtime});
      }
      incoming.push_back(std::move(done));
    }
    sreporter.package_done("install", pkg.nevra.str());
  };
  // Biggest first: the longest decode starts first and the workers finish
  // together, rather than one core decoding libc alone at the end.
  std::vector<PackageInfo> by_size = result.plan.install;
  std::stable_sort(by_size.begin(), by_size.end(),
                   [](const PackageInfo& a, const PackageInfo& b) { return a.download_size > b.download_size; });
  sreporter.transaction_start(by_size.size());
  try {
    try {
      source.fetch(by_size, [&](const PackageInfo& pkg, const std::string& path) {
        if (workers.failed()) workers.wait();  // stop fetching once a package failed
        workers.submit([&unpack, &pkg, path] { unpack(pkg, path); });
      });
    } catch (...) {
      try {
        workers.wait();  // a worker's error names the package: prefer it
      } catch (...) {
      }
      throw;
    }
    workers.wait();
  } catch (const StagedConflict& c) {
    // Every worker is done now, so the package that staged the path first has
    // been recorded even when it was still extracting when the conflict met it.
    const std::string first = xopts.owner_of(c.path);
    if (first.empty()) throw;
    throw Error(c.kind + " /opt/" + c.path + " conflicts between package " + first + " and package " + c.package);
  }
  if (const std::string placed = expanded.summary(); !placed.empty()) sreporter.info(placed);
  if (const std::string checked = expanded.check_summary(); !checked.empty()) sreporter.info(checked);
  std::sort(incoming.begin(), incoming.end(),
            [](const auto& a, const auto& b) { return a.nevra.str() < b.nevra.str(); });
  txn.place_symlinks(std::move(symlinks), xopts.owner_of);
  // From here on the files are where the stage has them: through the owned
  // symlinks their names go through (lib/x is in lib64/x).
  for (auto& [nevra, files] : to_relocate) {
    std::vector<std::string> names;
    for (const auto& f : files) names.push_back(f.path);
    std::vector<std::string> at = txn.placed(names);
    for (size_t i = 0; i < files.size(); ++i) files[i].path = at[i];
  }
  new_elf_files = txn.placed(new_elf_files);
  relocate_staged(incoming, to_relocate, txn.stage_dir(), options.root, path_map, baseline, workers, sreporter);

  check_conflicts_with_layer(options.root, txn, kept, incoming);
  std::set<std::string> still_owned;
  for (const auto* set : {&kept.packages(), &incoming})
    for (const auto& p : *set) still_owned.insert(p.files.begin(), p.files.end());
  std::vector<std::string> stale;
  for (const auto& p : going)
    for (const auto& f : p.files)
      if (!still_owned.count(f)) stale.push_back(f);
  txn.remove_paths(stale);
  LayerState next = kept;
  for (auto& p : incoming) next.packages().push_back(p);
  // Only what a new package took the place of was replaced (reinstalled or
  // obsoleted); an undo's other outgoing packages are plain removals.
  next.record(state, history_command(options, undo_id), result.plan.replaces, static_cast<uint64_t>(time(nullptr)));
  check_interrupt();
  txn.commit(next);
  expanded.finish();  // after the commit: its stamps must not predate the links it made
  source.finish_success();
  result.installed = std::move(incoming);
  result.performed = true;

  std::vector<Scriptlet> scripts;  // in install order
  for (const auto& pkg : result.plan.install)
    if (auto it = post_scripts.find(pkg.nevra.str()); it != post_scripts.end())
      for (const auto& body : it->second) scripts.push_back({it->first, body, replaced_names.count(pkg.nevra.name) ? 2 : 1});
  result.scripts = (options.noscripts || config.main.noscripts) ? skip_scriptlets(scripts, "--noscripts")
                                     : run_scriptlets(options.root, scripts, reporter);
  for (const auto& pkg : result.plan.install)  // Lua scriptlets: not run, never in silence
    if (auto it = lua_scripts.find(pkg.nevra.str()); it != lua_scripts.end())
      for (const auto& tag : it->second) {
        reporter.warning(tag + " scriptlet of " + it->first + " not run: it is Lua (<lua>); yumda runs shell scriptlets only");
        result.scripts.push_back({it->first, ScriptletResult::Status::kSkipped, 0, tag + " is a Lua scriptlet (<lua>): yumda runs shell scriptlets only"});
      }
  warn_unlinkable(options.root, baseline, config.main.arch, std::move(new_elf_files), reporter);
  return result;
}

std::vector<InstalledPackage> list_installed(const std::string& root) {
  auto pkgs = read_layer_state(root).packages();
  std::sort(pkgs.begin(), pkgs.end(), [](const auto& a, const auto& b) { return a.nevra.name < b.nevra.name; });
  return pkgs;
}

LayerState read_layer_state(const std::string& root) {
  if (!is_directory(root)) throw Error("layer directory " + root + " does not exist (check --root)");
  if (!is_directory(root + "/.yumda")) return {};
  std::optional<LayerLock> lock;
  if (access((root + "/.yumda").c_str(), W_OK) != 0 && errno == EROFS) {
    // A read-only mount: no run can be changing it, and nothing there can be
    // locked or finished. It is read as it is, unless a change is unfinished.
    if (LayerTransaction::pending(root))
      throw Error("layer " + root + " is on a read-only mount and holds an unfinished change (.yumda/txn): mount it "
                  "read-write and rerun yumda once to finish or drop it");
  } else {
    lock.emplace(root, /*wait=*/true);  // recover() must never race a running install
    LayerTransaction::recover(root);
  }
  return LayerState::load(root);
}

}  // namespace yumda
