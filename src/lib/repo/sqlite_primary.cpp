// yum's sqlite primary: the packages table, one table per dependency kind and
// a files table, tied together by pkgKey. Deps are gathered per package first
// and added in one run per package, because libsolv appends cheaply only to
// the solvable it touched last.
#include "repo/sqlite_primary.hpp"

#include <sqlite3.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "solv/solv.hpp"
#include "yumda/c_unique.hpp"

#include "yumda/error.hpp"

namespace yumda {
namespace {

using UniqueDb = c_unique<sqlite3, sqlite3_close>;
using UniqueStmt = c_unique<sqlite3_stmt, sqlite3_finalize>;

// A decompressed copy of a database, removed with its owner.
class UnpackedDb {
 public:
  UnpackedDb(const std::string& path, const std::string& tmpdir) {
    if (!solv_xfopen_iscompressed(path.c_str())) {
      path_ = path;
      return;
    }
    UniqueFile in(solv_xfopen(path.c_str(), "r"));
    if (!in) throw Error("cannot open " + path + ": " + errno_text(errno));
    std::string tmpl = tmpdir + "/unpacked.sqlite.XXXXXX";
    int fd = mkstemp(tmpl.data());
    if (fd < 0) throw Error("cannot unpack " + path + " into " + tmpdir + ": " + errno_text(errno));
    temp_ = tmpl;
    path_ = tmpl;
    UniqueFile out(fdopen(fd, "w"));
    if (!out) {
      close(fd);
      throw Error("cannot unpack " + path + ": " + errno_text(errno));
    }
    char buf[1 << 16];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in.get())) > 0)
      if (fwrite(buf, 1, n, out.get()) != n) throw Error("cannot unpack " + path + ": " + errno_text(errno));
    if (ferror(in.get())) throw Error("cannot unpack " + path + ": the compressed data is damaged");
    if (fclose(out.release()) != 0) throw Error("cannot unpack " + path + ": " + errno_text(errno));
  }
  ~UnpackedDb() {
    if (!temp_.empty()) unlink(temp_.c_str());
  }
  UnpackedDb(const UnpackedDb&) = delete;
  UnpackedDb& operator=(const UnpackedDb&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::string temp_;
};

class Db {
 public:
  Db(const std::string& path, const std::string& tmpdir) : source_(path), file_(path, tmpdir) {
    sqlite3* db = nullptr;
    int rc = sqlite3_open_v2(file_.path().c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
    db_.reset(db);
    if (rc != SQLITE_OK) fail("cannot open");
  }
  bool has_table(const char* name) {
    UniqueStmt st = prepare("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?");
    sqlite3_bind_text(st.get(), 1, name, -1, SQLITE_STATIC);
    return sqlite3_step(st.get()) == SQLITE_ROW;
  }
  UniqueStmt prepare(const std::string& sql) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db_.get(), sql.c_str(), -1, &st, nullptr) != SQLITE_OK) fail("cannot read");
    return UniqueStmt(st);
  }
  // Steps ST; false at the end, throws on an error.
  bool step(sqlite3_stmt* st) {
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) return true;
    if (rc != SQLITE_DONE) fail("cannot read");
    return false;
  }
  [[noreturn]] void fail(const char* what) {
    throw Error(std::string(what) + " " + source_ + " as a yum sqlite database: " +
                (db_ ? sqlite3_errmsg(db_.get()) : "out of memory") +
                " (the repo's metadata is damaged: re-run createrepo_c on it)");
  }

 private:
  std::string source_;
  UnpackedDb file_;
  UniqueDb db_;
};

std::string_view col(sqlite3_stmt* st, int i) {
  const unsigned char* t = sqlite3_column_text(st, i);
  return t ? std::string_view(reinterpret_cast<const char*>(t), static_cast<size_t>(sqlite3_column_bytes(st, i)))
           : std::string_view();
}

// "epoch:version-release" into BUF, leaving out what is empty.
const char* make_evr(std::string& buf, std::string_view epoch, std::string_view version, std::string_view release) {
  buf.clear();
  if (!epoch.empty() && epoch != "0") {
    buf += epoch;
    buf += ':';
  }
  buf += version;
  if (!release.empty()) {
    buf += '-';
    buf += release;
  }
  return buf.c_str();
}

Id str_id(::Pool* pool, std::string_view s) {
  return pool_strn2id(pool, s.data(), static_cast<unsigned>(s.size()), 1);
}

// One dependency row: name, flags, epoch, version, release.
Id dep_id(::Pool* pool, sqlite3_stmt* st, std::string& buf) {
  std::string_view name = col(st, 1), flags = col(st, 2);
  if (!name.empty() && name.front() == '(') {
    std::string rich(name);
    Id id = pool_parserpmrichdep(pool, rich.c_str());
    return id ? id : str_id(pool, name);
  }
  Id nid = str_id(pool, name);
  if (flags.empty()) return nid;
  int rel = flags == "EQ" ? REL_EQ
            : flags == "LT" ? REL_LT
            : flags == "GT" ? REL_GT
            : flags == "LE" ? (REL_LT | REL_EQ)
            : flags == "GE" ? (REL_GT | REL_EQ)
                            : 0;
  if (!rel) return nid;
  Id evr = pool_str2id(pool, make_evr(buf, col(st, 3), col(st, 4), col(st, 5)), 1);
  return pool_rel2id(pool, nid, evr, rel, 1);
}

struct DepKind {
  const char* table;
  Offset Solvable::*field;
};

constexpr DepKind kDepKinds[] = {
    {"provides", &Solvable::provides},       {"requires", &Solvable::solv_requires},
    {"conflicts", &Solvable::conflicts},     {"obsoletes", &Solvable::obsoletes},
    {"recommends", &Solvable::recommends},   {"suggests", &Solvable::suggests},
    {"supplements", &Solvable::supplements}, {"enhances", &Solvable::enhances},
};

void add_file(Repodata* data, Id p, std::string_view path) {
  auto slash = path.rfind('/');
  if (slash == std::string_view::npos) return;
  std::string dir(path.substr(0, slash == 0 ? 1 : slash));
  std::string base(path.substr(slash + 1));
  Id did = repodata_str2dir(data, dir.c_str(), 1);
  repodata_add_dirstr(data, p, SOLVABLE_FILELIST, did, base.c_str());
}

}  // namespace

void add_sqlite_primary(s_Repo* repo, const std::string& primary_db, const std::string& filelists_db,
                        const std::string& tmpdir) {
  ::Pool* pool = repo->pool;
  Db db(primary_db, tmpdir);
  if (!db.has_table("packages")) db.fail("no packages table in");
  Repodata* data = repo_add_repodata(repo, 0);
  std::string buf;

  // pkgKey -> solvable, and pkgId -> solvable for the filelists database.
  std::unordered_map<sqlite3_int64, Id> by_key;
  std::unordered_map<std::string, Id> by_pkgid;
  UniqueStmt st = db.prepare(
      "SELECT pkgKey, name, arch, epoch, version, release, location_href, checksum_type, pkgId, size_package, "
      "size_installed, time_build, rpm_license, rpm_vendor, summary, url, rpm_sourcerpm FROM packages");
  while (db.step(st.get())) {
    Id p = repo_add_solvable(repo);
    Solvable* s = pool_id2solvable(pool, p);
    by_key.emplace(sqlite3_column_int64(st.get(), 0), p);
    s->name = str_id(pool, col(st.get(), 1));
    s->arch = str_id(pool, col(st.get(), 2));
    s->evr = pool_str2id(pool, make_evr(buf, col(st.get(), 3), col(st.get(), 4), col(st.get(), 5)), 1);
    if (auto vendor = col(st.get(), 13); !vendor.empty()) s->vendor = str_id(pool, vendor);
    repodata_set_location(data, p, 0, nullptr, std::string(col(st.get(), 6)).c_str());
    if (Id type = solv_chksum_str2type(std::string(col(st.get(), 7)).c_str()))
      repodata_set_checksum(data, p, SOLVABLE_CHECKSUM, type, std::string(col(st.get(), 8)).c_str());
    if (filelists_db.size()) by_pkgid.emplace(col(st.get(), 8), p);
    repodata_set_num(data, p, SOLVABLE_DOWNLOADSIZE, static_cast<unsigned long long>(sqlite3_column_int64(st.get(), 9)));
    repodata_set_num(data, p, SOLVABLE_INSTALLSIZE, static_cast<unsigned long long>(sqlite3_column_int64(st.get(), 10)));
    repodata_set_num(data, p, SOLVABLE_BUILDTIME, static_cast<unsigned long long>(sqlite3_column_int64(st.get(), 11)));
    if (auto v = col(st.get(), 12); !v.empty()) repodata_set_poolstr(data, p, SOLVABLE_LICENSE, std::string(v).c_str());
    if (auto v = col(st.get(), 14); !v.empty()) repodata_set_str(data, p, SOLVABLE_SUMMARY, std::string(v).c_str());
    if (auto v = col(st.get(), 15); !v.empty()) repodata_set_str(data, p, SOLVABLE_URL, std::string(v).c_str());
    if (auto v = col(st.get(), 16); !v.empty()) repodata_set_sourcepkg(data, p, std::string(v).c_str());
  }

  // Dependencies: gathered per solvable, then appended in one run each.
  std::vector<std::vector<Id>> deps(static_cast<size_t>(repo->end - repo->start));
  for (const DepKind& kind : kDepKinds) {
    if (!db.has_table(kind.table)) continue;
    bool is_requires = std::strcmp(kind.table, "requires") == 0;
    for (auto& v : deps) v.clear();
    std::vector<std::vector<Id>> prereqs(is_requires ? deps.size() : 0);
    std::string sql = std::string("SELECT pkgKey, name, flags, epoch, version, release") +
                      (is_requires ? ", pre" : "") + " FROM " + kind.table;
    UniqueStmt ds = db.prepare(sql);
    while (db.step(ds.get())) {
      auto it = by_key.find(sqlite3_column_int64(ds.get(), 0));
      if (it == by_key.end()) continue;
      Id id = dep_id(pool, ds.get(), buf);
      size_t idx = static_cast<size_t>(it->second - repo->start);
      bool pre = false;
      if (is_requires) {
        std::string_view v = col(ds.get(), 6);
        pre = v == "TRUE" || v == "1" || v == "true";
      }
      (pre ? prereqs : deps)[idx].push_back(id);
    }
    for (size_t i = 0; i < deps.size(); ++i) {
      if (deps[i].empty() && (!is_requires || prereqs[i].empty())) continue;
      Solvable* s = pool_id2solvable(pool, repo->start + static_cast<Id>(i));
      Offset& off = s->*kind.field;
      for (Id id : deps[i]) off = repo_addid_dep(repo, off, id, 0);
      if (is_requires)
        for (Id id : prereqs[i]) off = repo_addid_dep(repo, off, id, SOLVABLE_PREREQMARKER);
    }
  }
  // rpm's implicit "name = evr" provide, as libsolv's rpm-md parser adds it.
  for (auto& [key, p] : by_key) {
    Solvable* s = pool_id2solvable(pool, p);
    s->provides = repo_addid_dep(repo, s->provides, pool_rel2id(pool, s->name, s->evr, REL_EQ, 1), 0);
  }

  // Files: the primary subset, or the full lists when asked for.
  if (filelists_db.empty()) {
    if (db.has_table("files")) {
      UniqueStmt fs = db.prepare("SELECT pkgKey, name FROM files ORDER BY pkgKey");
      while (db.step(fs.get())) {
        auto it = by_key.find(sqlite3_column_int64(fs.get(), 0));
        if (it != by_key.end()) add_file(data, it->second, col(fs.get(), 1));
      }
    }
    return;
  }
  Db fdb(filelists_db, tmpdir);
  if (!fdb.has_table("filelist")) fdb.fail("no filelist table in");
  UniqueStmt fs = fdb.prepare(
      "SELECT packages.pkgId, filelist.dirname, filelist.filenames FROM filelist JOIN packages "
      "ON packages.pkgKey = filelist.pkgKey ORDER BY filelist.pkgKey");
  while (fdb.step(fs.get())) {
    auto it = by_pkgid.find(std::string(col(fs.get(), 0)));
    if (it == by_pkgid.end()) continue;
    std::string dir(col(fs.get(), 1));
    Id did = repodata_str2dir(data, dir.c_str(), 1);
    std::string_view names = col(fs.get(), 2);
    // filenames are '/'-separated basenames
    size_t start = 0;
    while (start <= names.size()) {
      size_t end = names.find('/', start);
      if (end == std::string_view::npos) end = names.size();
      if (end > start) {
        std::string base(names.substr(start, end - start));
        repodata_add_dirstr(data, it->second, SOLVABLE_FILELIST, did, base.c_str());
      }
      start = end + 1;
    }
  }
}

}  // namespace yumda
