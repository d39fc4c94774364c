// Keeping a repo's metadata current in the cache: repomd.xml (refetched when
// older than metadata_expire), then the primary/filelists files it lists, each
// checked against repomd's checksum. file:// repos are read in place, as dnf
// does, so only the solv cache lands in the cache dir. With repo_gpgcheck=1
// repomd.xml must first verify against repomd.xml.asc and the gpgkey= keys.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <ctime>
#include <filesystem>
#include <optional>
#include <sstream>

#include "yumda/checksum.hpp"
#include "yumda/error.hpp"
#include "yumda/fs.hpp"
#include "yumda/repo.hpp"
#include "yumda/verify.hpp"

namespace yumda {
namespace {

std::string basename_of(const std::string& href) {
  auto slash = href.rfind('/');
  return slash == std::string::npos ? href : href.substr(slash + 1);
}

std::string unavailable_hint(const RepoConfig& repo) {
  return " (check baseurl=, or use --disablerepo=" + repo.id + " / skip_if_unavailable=1)";
}

std::string join_list(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

// Files already checked against repomd, so a warm run does not hash them
// again: one line per file, "checksum size mtime_ns path".
class VerifiedStamps {
 public:
  explicit VerifiedStamps(std::string path) : path_(std::move(path)) {
    if (!path_exists(path_)) return;
    std::istringstream in(read_file(path_));
    std::string line;
    while (std::getline(in, line)) lines_.push_back(line);
  }
  bool has(const std::string& file, const std::string& checksum) const {
    std::string key = stamp(file, checksum);
    if (key.empty()) return false;
    for (const auto& l : lines_)
      if (l == key) return true;
    return false;
  }
  void add(const std::string& file, const std::string& checksum) {
    std::string key = stamp(file, checksum);
    if (key.empty()) return;
    std::erase_if(lines_, [&](const std::string& l) { return l.ends_with(" " + file); });
    lines_.push_back(key);
    std::string text;
    for (const auto& l : lines_) text += l + "\n";
    write_file_atomic(path_, text);
  }

 private:
  static std::string stamp(const std::string& file, const std::string& checksum) {
    struct stat st;
    if (stat(file.c_str(), &st) != 0) return "";
    // dev, inode, size, mtime and ctime: a file replaced or rewritten in place
    // (mtime put back) no longer matches; ctime cannot be set back.
    std::string id = file_identity(st);
    std::replace(id.begin(), id.end(), ' ', ':');
    return checksum + " " + id + " " + file;
  }
  std::string path_;
  std::vector<std::string> lines_;
};

// What a repo without repomd.xml.asc can do about it.
constexpr const char* kSignHint =
    " (repo_gpgcheck=1 needs repodata/repomd.xml.asc beside repomd.xml: sign it with "
    "`gpg --detach-sign --armor repodata/repomd.xml`, or set repo_gpgcheck=0)";

// repo_gpgcheck=1: TEXT, the repomd.xml about to be trusted, against the
// detached signature in the file SIGNATURE (which came from SOURCE). Throws
// Error naming the repo and the key id or the problem.
void verify_repomd(const std::string& text, const std::string& signature, const std::string& source,
                   const Keyring& keys, const RepoConfig& repo) {
  verify_detached(text, read_file_capped(signature, kMaxSmallFile, signature), keys, "repomd.xml of repo " + repo.id, source);
}

// TRUST_STAMP false (repo_gpgcheck=1): hash every time, so the stat stamp
// never stands in for the check against the signed repomd.xml.
bool checksum_matches(const std::string& path, const RepomdRecord& rec, VerifiedStamps& stamps, bool trust_stamp) {
  if (trust_stamp && stamps.has(path, rec.checksum)) return true;
  if (!path_exists(path)) return false;
  if (file_digest(path, rec.checksum_type) != rec.checksum) return false;
  stamps.add(path, rec.checksum);
  return true;
}

// primary/filelists with no size in repomd.xml stop here (a 65k-package
// repo's primary.xml.gz is ~30 MB; uncompressed sqlite some hundred MB).
constexpr uint64_t kMaxMetadataFile = uint64_t{4} << 30;

// A metadata record is trusted only through a strong checksum in repomd.xml:
// none, md5, sha1 or an unknown type would let the file be anything.
void check_record(const RepomdRecord& rec, const RepoConfig& repo) {
  std::string what = "repomd.xml of repo " + repo.id + " lists " + rec.type + " (" + rec.location + ")";
  std::string type = rec.checksum_type;
  std::transform(type.begin(), type.end(), type.begin(), [](unsigned char c) { return std::tolower(c); });
  if (rec.checksum.empty() || type.empty())
    throw Error(what + " with no checksum; refusing metadata that cannot be checked (rebuild the repo with createrepo_c)");
  if (type == "md5" || type == "sha" || type == "sha1")
    throw Error(what + " with a " + type + " checksum, too weak to trust; rebuild the repo with createrepo_c's "
                "default sha256");
  if (type != "sha224" && type != "sha256" && type != "sha384" && type != "sha512")
    throw Error(what + " with an unknown checksum type '" + rec.checksum_type + "'; refusing it");
}

// "https://Host:443/x" -> "https://host:443"; s3://bucket/key -> "s3://bucket".
std::string origin_of(const std::string& url) {
  auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return "";
  auto host_end = url.find_first_of("/?#", scheme_end + 3);
  std::string origin = url.substr(0, host_end == std::string::npos ? url.size() : host_end);
  auto at = origin.rfind('@');  // user:password@ is not part of the origin
  if (at != std::string::npos && at > scheme_end) origin.erase(scheme_end + 3, at - scheme_end - 2);
  std::transform(origin.begin(), origin.end(), origin.begin(), [](unsigned char c) { return std::tolower(c); });
  return origin;
}

// A remote repo may name only files of its own scheme and host: an absolute
// href elsewhere (file:///root/secret, another host) would have yumda, often
// as root, copy what it names into the cache.
void check_href(const RepomdRecord& rec, const std::string& base, const RepoConfig& repo) {
  if (rec.location.find("://") == std::string::npos) return;  // relative: joined onto the base
  if (origin_of(rec.location) != origin_of(base))
    throw Error("repomd.xml of repo " + repo.id + " names " + rec.type + " at " + rec.location +
                ", not on the repo's own origin " + origin_of(base) + "; refusing it");
}

// The records we load: primary (xml, else sqlite) and optionally filelists.
struct Wanted {
  const RepomdRecord* primary = nullptr;
  bool primary_sqlite = false;
  const RepomdRecord* filelists = nullptr;
  bool filelists_sqlite = false;
};

Wanted pick_records(const Repomd& repomd, const RepoConfig& repo, bool with_filelists) {
  Wanted w;
  if ((w.primary = repomd.find("primary")) == nullptr) {
    w.primary = repomd.find("primary_db");
    w.primary_sqlite = w.primary != nullptr;
  }
  if (!w.primary)
    throw Error("repomd.xml of repo " + repo.id + " lists no primary metadata: the repo is not usable" +
                unavailable_hint(repo));
  if (with_filelists) {
    // Keep the pair in one format, so the filelists extend what primary loaded.
    if (w.primary_sqlite) {
      w.filelists = repomd.find("filelists_db");
      w.filelists_sqlite = w.filelists != nullptr;
    } else {
      w.filelists = repomd.find("filelists");
    }
  }
  check_record(*w.primary, repo);
  if (w.filelists) check_record(*w.filelists, repo);
  return w;
}

RepoMetadata local_metadata(const MainConfig& main, const RepoConfig& repo, const std::vector<std::string>& bases,
                            bool with_filelists, const Keyring* keys, bool defer_primary_check) {
  RepoMetadata md;
  md.repo_id = repo.id;
  md.dir = make_repo_cache_dir(main, repo);
  md.baseurls = bases;
  for (const auto& base : bases) {
    std::string root = file_url_path(base);
    if (root.empty()) continue;
    std::string repomd = root + "/repodata/repomd.xml";
    if (!path_exists(repomd)) continue;
    md.baseurl = base;
    md.repomd_path = repomd;
    break;
  }
  if (md.repomd_path.empty())
    throw Error("cannot download repomd.xml of repo " + repo.id + " from " + join_list(bases) +
                ": no repodata/repomd.xml there" + unavailable_hint(repo));
  std::string text = read_file_capped(md.repomd_path, kMaxSmallFile, md.repomd_path);
  if (keys) {
    const std::string signature = md.repomd_path + ".asc";
    if (!path_exists(signature))
      throw Error("repomd.xml of repo " + repo.id + " is not signed: " + signature + " does not exist" + kSignHint);
    verify_repomd(text, signature, signature, *keys, repo);
  }
  md.repomd = parse_repomd(text, md.repomd_path);
  md.repomd_checksum = string_digest(text, "sha256");
  Wanted w = pick_records(md.repomd, repo, with_filelists);
  std::string root = file_url_path(md.baseurl);
  VerifiedStamps stamps(md.dir + "/verified");
  auto check = [&](const RepomdRecord& rec, bool defer) {
    std::string path = root + "/" + rec.location;
    if (!path_exists(path))
      throw Error("repo " + repo.id + ": " + path + " (listed in repomd.xml) is missing: the repo is incomplete, "
                  "re-run createrepo_c on it");
    // A device (/dev/zero) would be hashed forever: only a regular file of a sane size.
    struct stat st;
    if (stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode) || static_cast<uint64_t>(st.st_size) > kMaxMetadataFile)
      throw Error("repo " + repo.id + ": " + path + " (listed in repomd.xml) is not a regular file of at most " +
                  cap_text(kMaxMetadataFile) + "; refusing it");
    std::string mismatch = "repo " + repo.id + ": checksum of " + path + " does not match repomd.xml (" +
                           rec.checksum_type + " " + rec.checksum + "): the repo's metadata is inconsistent, "
                           "re-run createrepo_c on it";
    const bool trust_stamp = keys == nullptr;
    if (defer && !(trust_stamp && stamps.has(path, rec.checksum)))
      md.primary_check = std::make_shared<PrimaryCheck>(path, rec, md.dir + "/verified", trust_stamp, mismatch);
    else if (!checksum_matches(path, rec, stamps, trust_stamp))
      throw Error(mismatch);
    return path;
  };
  md.primary_path = check(*w.primary, defer_primary_check && !w.primary_sqlite);
  md.primary_is_sqlite = w.primary_sqlite;
  if (w.filelists) {
    md.filelists_path = check(*w.filelists, false);
    md.filelists_is_sqlite = w.filelists_sqlite;
  }
  return md;
}

bool younger_than(const std::string& path, long seconds) {
  if (seconds == kNever) return true;
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return false;
  return std::time(nullptr) - st.st_mtime < seconds;
}

// The pid in NAME when it is one of a run's own repomd names
// ("repomd.xml.new.PID", "repomd.xml.asc.new.PID", and their ".part"), else 0.
pid_t repomd_new_pid(const std::string& name) {
  for (const std::string prefix : {"repomd.xml.new.", "repomd.xml.asc.new."}) {
    if (name.rfind(prefix, 0) != 0) continue;
    std::string digits = name.substr(prefix.size());
    if (digits.ends_with(".part")) digits.resize(digits.size() - 5);
    if (digits.empty() || digits.size() > 9 || digits.find_first_not_of("0123456789") != std::string::npos) return 0;
    return static_cast<pid_t>(std::stol(digits));
  }
  return 0;
}

// Drops what a run killed while refreshing repomd.xml (kill -9: no cleanup)
// left behind; a live run's files are its own business.
void prune_dead_runs(const std::string& dir) {
  std::error_code ec;
  for (auto& e : std::filesystem::directory_iterator(dir, ec)) {
    pid_t pid = repomd_new_pid(e.path().filename().string());
    if (pid > 0 && pid != getpid() && kill(pid, 0) != 0 && errno == ESRCH) std::filesystem::remove(e.path(), ec);
  }
}

// Drops metadata files the current repomd no longer lists (old revisions).
// What yumda derives from them (solv caches, the dep index and its stamp)
// stays: each carries the repomd checksum it was made from.
void prune_old_files(const std::string& dir, const Repomd& repomd) {
  std::error_code ec;
  for (auto& e : std::filesystem::directory_iterator(dir, ec)) {
    std::string name = e.path().filename().string();
    if (name == "repomd.xml" || name == "repomd.xml.asc" || name == "repomd.xml.from" || name == "verified" ||
        name == "mirrorlist" ||
        name.ends_with(".solv") || name == "deps.idx" || name == "deps.idx.ok")
      continue;
    // Another run's download or atomic write in progress (the cache is shared).
    if (name.find(".part") != std::string::npos || name.find(".tmp") != std::string::npos ||
        name.find(".new") != std::string::npos)
      continue;
    bool listed = false;
    for (const auto& r : repomd.records) listed = listed || basename_of(r.location) == name;
    if (!listed) std::filesystem::remove(e.path(), ec);
  }
}

// Base URLs from a mirrorlist: one a line; blank lines, # comments and lines
// that are not URLs are skipped (yum's format; AL2's mirror.list is one URL).
std::vector<std::string> parse_mirrorlist(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    auto b = line.find_first_not_of(" \t\r");
    if (b == std::string::npos || line[b] == '#') continue;
    auto e = line.find_last_not_of(" \t\r");
    std::string url = line.substr(b, e - b + 1);
    if (url.find("://") == std::string::npos || url.find_first_of(" \t") != std::string::npos) continue;
    if (std::find(out.begin(), out.end(), url) == out.end()) out.push_back(url);
  }
  return out;
}

// The base URLs REPO's mirrorlist= gives (none without one), cached in
// DIR/mirrorlist and refetched when older than metadata_expire. With
// baseurl= present a failing mirrorlist is a warning; without, an error.
std::vector<std::string> mirrorlist_baseurls(const RepoConfig& repo, const std::string& dir, Fetcher& fetcher,
                                             bool cacheonly, Reporter& reporter) {
  if (repo.mirrorlist.empty()) return {};
  std::string path = dir + "/mirrorlist";
  bool have = path_exists(path);
  if (!have && cacheonly) {
    if (!repo.baseurls.empty()) return {};
    throw Error("no cached mirrorlist for repo " + repo.id + " in " + dir +
                ": run `yumda makecache` first, or drop --cacheonly");
  }
  if (!have || (!cacheonly && !younger_than(path, repo.metadata_expire))) {
    reporter.info("Downloading mirrorlist of " + repo.id);
    FetchItem item = repo_fetch_item(repo);
    item.urls = {repo.mirrorlist};
    item.dest = path;
    item.label = "mirrorlist of repo " + repo.id;
    item.max_size = kMaxSmallFile;
    FetchResult r = fetcher.fetch_all({item}).front();
    if (!r.ok) {
      if (have) {
        reporter.warning(r.error + "; using the mirrorlist cached before");
      } else if (!repo.baseurls.empty()) {
        reporter.warning(r.error + "; using baseurl= only");
        return {};
      } else {
        throw Error(r.error + unavailable_hint(repo));
      }
    }
  }
  std::string text = read_cache_file_capped(path, kMaxSmallFile, path);
  if (text.find("<metalink") != std::string::npos)
    throw Error("mirrorlist " + repo.mirrorlist + " of repo " + repo.id +
                " is a metalink, which yumda does not read: use baseurl= with one of its URLs");
  std::vector<std::string> urls = parse_mirrorlist(text);
  if (urls.empty() && repo.baseurls.empty()) {
    unlink(path.c_str());  // so the next run asks again
    throw Error("mirrorlist " + repo.mirrorlist + " of repo " + repo.id + " lists no base URL" +
                unavailable_hint(repo));
  }
  return urls;
}

// A repomd.xml older than the cached one (TUF's rollback rule): its revision
// (when both are numbers, as createrepo_c writes it) or its newest record
// timestamp went back. Throws Error naming the repo, the URL and both values.
void refuse_rollback(const Repomd& cached, const Repomd& fresh, const RepoConfig& repo, const std::string& url) {
  auto number = [](const std::string& s) -> std::optional<uint64_t> {
    if (s.empty() || s.size() > 19 || !std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); }))
      return std::nullopt;
    return std::stoull(s);
  };
  auto newest = [](const Repomd& md) {
    uint64_t t = 0;
    for (const auto& r : md.records) t = std::max(t, r.timestamp);
    return t;
  };
  std::string what;
  auto old_rev = number(cached.revision), new_rev = number(fresh.revision);
  if (old_rev && new_rev && *new_rev < *old_rev)
    what = "revision " + fresh.revision + " < " + cached.revision;
  else if (newest(fresh) && newest(fresh) < newest(cached))
    what = "newest timestamp " + std::to_string(newest(fresh)) + " < " + std::to_string(newest(cached));
  if (what.empty()) return;
  throw Error("repomd.xml of repo " + repo.id + " from " + url + " is older than the one in the cache (" + what +
              "): a mirror that is behind, or old metadata replayed (a rollback); keeping the cached one (if the "
              "repo really went back, run `yumda clean metadata`)");
}

// Fetches repomd.xml (and under repo_gpgcheck its signature) for MD's repo
// beside the cache, checks it (signature, not older than the cached copy) and
// only then renames it over the cached one, so a refused repomd.xml is never
// trusted by a later run. Sets MD.baseurl to the mirror that answered and
// MD.repomd; returns the text.
std::string download_repomd(RepoMetadata& md, const RepoConfig& repo, const std::vector<std::string>& repomd_urls,
                            const Keyring* keys, Fetcher& fetcher, Reporter& reporter) {
  // The base URL the cached copy came from: a mirror list's URLs may be other
  // repos (AL2023 names one directory per release), so its copy is compared
  // only with what the same URL serves; baseurl= URLs are mirrors of one repo.
  const std::string from_path = md.repomd_path + ".from";
  const std::string from = path_exists(from_path) ? read_cache_file_capped(from_path, kMaxSmallFile, from_path) : "";
  std::optional<Repomd> cached;
  if (path_exists(md.repomd_path)) {
    try {
      cached = parse_repomd(read_cache_file_capped(md.repomd_path, kMaxSmallFile, md.repomd_path), md.repomd_path);
    } catch (const Error&) {
      // damaged: nothing to compare against
    }
  }
  reporter.info("Downloading repomd.xml of " + repo.id);
  // Names of this run's own: another run may be refreshing the same repo.
  const std::string mine = ".new." + std::to_string(getpid());
  const std::string dest = md.repomd_path + mine;
  const std::string signature_path = md.repomd_path + ".asc";
  const std::string signature_dest = signature_path + mine;
  FetchItem item = repo_fetch_item(repo);
  item.urls = repomd_urls;
  item.dest = dest;
  item.label = "repomd.xml of repo " + repo.id;
  item.max_size = kMaxSmallFile;  // an endless body must not fill the disk
  FetchResult r = fetcher.fetch_all({item}).front();
  if (!r.ok) throw Error(r.error + unavailable_hint(repo));  // names the item and the URL already
  for (size_t i = 0; i < repomd_urls.size(); ++i)
    if (repomd_urls[i] == r.url) md.baseurl = md.baseurls[i];
  std::string text;
  try {
    text = read_cache_file_capped(dest, kMaxSmallFile, dest);
    if (keys) {
      // The signature from the mirror that served repomd.xml, and no other.
      const std::string signature_url = join_url(md.baseurl, "repodata/repomd.xml.asc");
      FetchItem sig = repo_fetch_item(repo);
      sig.urls = {signature_url};
      sig.dest = signature_dest;
      sig.label = "repomd.xml.asc of repo " + repo.id;
      sig.max_size = kMaxSmallFile;
      FetchResult sr = fetcher.fetch_all({sig}).front();
      if (!sr.ok) throw Error("cannot check the signature of repomd.xml of repo " + repo.id + ": " + sr.error + kSignHint);
      verify_repomd(text, signature_dest, signature_url, *keys, repo);
    }
    md.repomd = parse_repomd(text, r.url);
    if (cached && (repo.mirrorlist.empty() || from == md.baseurl)) refuse_rollback(*cached, md.repomd, repo, r.url);
  } catch (const Error&) {
    unlink(dest.c_str());
    unlink(signature_dest.c_str());
    throw;
  }
  if ((keys && rename(signature_dest.c_str(), signature_path.c_str()) != 0) ||
      rename(dest.c_str(), md.repomd_path.c_str()) != 0)
    throw Error("cannot update " + md.repomd_path + ": " + errno_text(errno) + " (check the cache dir's permissions)");
  write_file_atomic(from_path, md.baseurl);
  return text;
}

}  // namespace

PrimaryCheck::PrimaryCheck(std::string path, RepomdRecord record, std::string stamps, bool trust_stamp,
                           std::string error)
    : path_(std::move(path)),
      record_(std::move(record)),
      stamps_(std::move(stamps)),
      trust_stamp_(trust_stamp),
      error_(std::move(error)) {}

void PrimaryCheck::verify() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (result_ == Result::unknown) {
    VerifiedStamps stamps(stamps_);  // read now: the fetch's copy may have changed since
    result_ = checksum_matches(path_, record_, stamps, trust_stamp_) ? Result::matched : Result::mismatched;
  }
  if (result_ == Result::mismatched) throw Error(error_);
}

bool PrimaryCheck::failed() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return result_ == Result::mismatched;
}

namespace {

// REPO's directory under CACHEDIR/repos: its id and a digest of its URLs, so
// a repo id pointed at other URLs gets a fresh cache.
std::string repo_cache_name(const RepoConfig& repo) {
  std::string urls;
  for (const auto& u : repo.baseurls) urls += u + "\n";
  urls += repo.mirrorlist;
  return repo.id + "-" + string_digest(urls, "sha256").substr(0, 16);
}

}  // namespace

std::string repo_cache_dir(const MainConfig& main, const RepoConfig& repo) {
  return main.cachedir + "/repos/" + repo_cache_name(repo);
}

std::string make_repo_cache_dir(const MainConfig& main, const RepoConfig& repo) {
  return make_cache_dirs(main.cachedir, "repos/" + repo_cache_name(repo));
}

RepoMetadata fetch_repo_metadata(const MainConfig& main, const RepoConfig& repo, Fetcher& fetcher, bool cacheonly,
                                 bool with_filelists, Reporter& reporter, bool defer_primary_check) {
  if (repo.baseurls.empty() && repo.mirrorlist.empty())
    throw Error("repo " + repo.id + " has no baseurl=" + (repo.origin.empty() ? "" : " (" + repo.origin + ")") +
                ": add one, or use --disablerepo=" + repo.id);
  // Every download below is a repo_fetch_item: the repo's own timeout=,
  // retries= and sslverify= win over the caller's.
  RepoMetadata md;
  md.repo_id = repo.id;
  md.dir = make_repo_cache_dir(main, repo);
  md.repomd_path = md.dir + "/repomd.xml";
  prune_dead_runs(md.dir);
  md.baseurls = repo.baseurls;
  for (auto& u : mirrorlist_baseurls(repo, md.dir, fetcher, cacheonly, reporter))
    if (std::find(md.baseurls.begin(), md.baseurls.end(), u) == md.baseurls.end()) md.baseurls.push_back(u);
  const std::vector<std::string>& bases = md.baseurls;
  // Keys before any download: a key that cannot be had stops the repo first.
  std::unique_ptr<Keyring> keys;
  if (repo.repo_gpgcheck) keys = load_keyring(main, repo, fetcher, cacheonly, "repo_gpgcheck", reporter);
  // The keys that verified repomd.xml are shown once per cache, as dnf shows
  // an import (package keys are shown where packages are verified).
  auto verified = [&](RepoMetadata m) {
    if (keys) announce_keys(*keys, main.cachedir, reporter);
    return m;
  };
  if (!file_url_path(bases.front()).empty())
    return verified(local_metadata(main, repo, bases, with_filelists, keys.get(), defer_primary_check));
  bool have_cache = path_exists(md.repomd_path);
  if (cacheonly && !have_cache)
    throw Error("no cached metadata for repo " + repo.id + " in " + md.dir +
                ": run `yumda makecache` first, or drop --cacheonly");

  const std::string signature_path = md.repomd_path + ".asc";
  std::vector<std::string> repomd_urls;
  for (const auto& b : bases) repomd_urls.push_back(join_url(b, "repodata/repomd.xml"));
  // A cached copy that is damaged, or that names files the mirrors no longer
  // serve as it says, is fetched again once rather than failing every run.
  bool force_refresh = false;
  for (;;) {
    bool refreshed = false;
    bool refresh = force_refresh || !have_cache || (!cacheonly && !younger_than(md.repomd_path, repo.metadata_expire));
    md.baseurl = bases.front();
    std::string text;
    if (!refresh) {
      text = read_cache_file_capped(md.repomd_path, kMaxSmallFile, md.repomd_path);
      // A cached repomd.xml counts only while its cached signature verifies: it
      // may date from repo_gpgcheck=0, or gpgkey= may have changed since.
      if (keys && !path_exists(signature_path)) {
        if (cacheonly)
          throw Error("the cached repomd.xml of repo " + repo.id + " was not verified (no " + signature_path +
                      "): run `yumda makecache` first, or drop --cacheonly");
        refresh = true;
      } else if (keys) {
        try {
          verify_repomd(text, signature_path, signature_path, *keys, repo);
        } catch (const Error& e) {
          if (cacheonly) throw Error(std::string(e.what()) + " (in the cache, which -C cannot refresh)");
          refresh = true;
        }
      }
    }
    if (!refresh) {
      try {
        md.repomd = parse_repomd(text, md.repomd_path);
      } catch (const Error&) {
        // A damaged cached copy is dropped, so a later run fetches it again.
        unlink(md.repomd_path.c_str());
        if (cacheonly) throw;
        refresh = true;
      }
    }
    if (refresh) {
      text = download_repomd(md, repo, repomd_urls, keys.get(), fetcher, reporter);
      refreshed = true;
    }
    md.repomd_checksum = string_digest(text, "sha256");
    Wanted w = pick_records(md.repomd, repo, with_filelists);
    if (refreshed) prune_old_files(md.dir, md.repomd);

    VerifiedStamps stamps(md.dir + "/verified");
    std::vector<const RepomdRecord*> recs = {w.primary};
    if (w.filelists) recs.push_back(w.filelists);
    std::vector<FetchItem> items;
    for (const RepomdRecord* rec : recs) {
      check_href(*rec, md.baseurl, repo);  // the mirror that served repomd.xml
      std::string path = md.dir + "/" + basename_of(rec->location);
      if (checksum_matches(path, *rec, stamps, /*trust_stamp=*/keys == nullptr)) continue;
      if (cacheonly)
        throw Error("cached metadata of repo " + repo.id + " lacks a current " + basename_of(rec->location) +
                    ": run `yumda makecache` first, or drop --cacheonly");
      FetchItem item = repo_fetch_item(repo);
      // The answering base URL first, then the others as failover.
      item.urls.push_back(join_url(md.baseurl, rec->location));
      for (const auto& b : bases)
        if (b != md.baseurl) item.urls.push_back(join_url(b, rec->location));
      item.dest = path;
      item.expected_size = rec->size;
      item.max_size = kMaxMetadataFile;  // repomd gave no size: still not endless
      item.checksum_type = rec->checksum_type;
      item.checksum = rec->checksum;
      item.label = basename_of(rec->location) + " of " + repo.id;
      items.push_back(std::move(item));
    }
    if (!items.empty()) {
      reporter.info("Downloading metadata of " + repo.id);
      auto results = fetcher.fetch_all(items);
      bool failed = false;
      for (size_t i = 0; i < items.size(); ++i) {
        if (!results[i].ok) {
          if (!refreshed) {
            failed = true;
            break;
          }
          // The fetcher's error names the file, the repo and the URL already.
          throw Error(results[i].error + unavailable_hint(repo));
        }
        stamps.add(items[i].dest, items[i].checksum);
      }
      if (failed) {  // the cached repomd.xml may be what is wrong (altered, or the repo moved on)
        force_refresh = true;
        continue;
      }
    }
    md.primary_path = md.dir + "/" + basename_of(w.primary->location);
    md.primary_is_sqlite = w.primary_sqlite;
    if (w.filelists) {
      md.filelists_path = md.dir + "/" + basename_of(w.filelists->location);
      md.filelists_is_sqlite = w.filelists_sqlite;
    }
    return verified(std::move(md));
  }
}

}  // namespace yumda
