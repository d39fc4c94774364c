// A text dump of everything yumda keeps of a repo's solvables, one line per
// item: two loaders of the same metadata (the fast primary.xml reader and
// libsolv's repo_add_rpmmd) must dump the same. Likewise for dep indexes
// written two ways. Used by primary_xml_test and fuzz/fuzz_primary.
#pragma once
#include <cstddef>
#include <iterator>
#include <set>
#include <sstream>
#include <string>

#include "yumda/cache_file.hpp"
#include "fastload/dep_index.hpp"
#include "fastload/primary_xml.hpp"
#include "solv/pool.hpp"
#include "yumda/fs.hpp"

namespace yumda {

inline std::string dump_solvables(Repo* repo) {
  static constexpr Offset Solvable::*kDeps[] = {
      &Solvable::provides,   &Solvable::solv_requires, &Solvable::obsoletes, &Solvable::conflicts,
      &Solvable::recommends, &Solvable::supplements,   &Solvable::suggests,  &Solvable::enhances,
  };
  static constexpr const char* kDepNames[] = {"provides",   "requires",    "obsoletes", "conflicts",
                                              "recommends", "supplements", "suggests",  "enhances"};
  auto str_or_dash = [](const char* s) { return s ? s : "-"; };
  ::Pool* pool = repo->pool;
  std::ostringstream out;
  out << "solvables " << repo->nsolvables << " filtered-filelist "
      << repo_lookup_void(repo, SOLVID_META, REPOSITORY_FILTEREDFILELIST) << '\n';
  Id p;
  Solvable* s;
  FOR_REPO_SOLVABLES(repo, p, s) {
    out << "= " << pool_id2str(pool, s->name) << ' ' << pool_id2str(pool, s->evr) << ' '
        << pool_id2str(pool, s->arch) << " vendor=" << (s->vendor ? pool_id2str(pool, s->vendor) : "-") << '\n';
    for (size_t k = 0; k < std::size(kDeps); ++k) {
      Offset off = s->*kDeps[k];
      if (!off) continue;
      out << kDepNames[k] << ':';
      for (Id* ip = repo->idarraydata + off; *ip; ++ip)
        out << " [" << (*ip == SOLVABLE_PREREQMARKER ? "<prereq>" : pool_dep2str(pool, *ip)) << ']';
      out << '\n';
    }
    Id type = 0;
    const char* chk = solvable_lookup_checksum(s, SOLVABLE_CHECKSUM, &type);
    out << "checksum " << (type ? solv_chksum_type2str(type) : "-") << ' ' << str_or_dash(chk) << '\n';
    unsigned medianr = 0;
    const char* loc = solvable_get_location(s, &medianr);
    out << "location " << str_or_dash(loc) << " media " << medianr << " base "
        << str_or_dash(solvable_lookup_str(s, SOLVABLE_MEDIABASE)) << '\n';
    out << "sizes " << solvable_lookup_num(s, SOLVABLE_DOWNLOADSIZE, ~0ULL) << ' '
        << solvable_lookup_num(s, SOLVABLE_INSTALLSIZE, ~0ULL) << " buildtime "
        << solvable_lookup_num(s, SOLVABLE_BUILDTIME, ~0ULL) << '\n';
    out << "license " << str_or_dash(solvable_lookup_str(s, SOLVABLE_LICENSE)) << '\n';
    out << "summary " << str_or_dash(solvable_lookup_str(s, SOLVABLE_SUMMARY)) << '\n';
    out << "url " << str_or_dash(solvable_lookup_str(s, SOLVABLE_URL)) << '\n';
    out << "sourcerpm " << str_or_dash(solvable_lookup_sourcepkg(s)) << '\n';
    Dataiterator di;
    dataiterator_init(&di, pool, repo, p, SOLVABLE_FILELIST, nullptr, SEARCH_FILES | SEARCH_COMPLETE_FILELIST);
    while (dataiterator_step(&di)) out << "file " << di.kv.str << '\n';
    dataiterator_free(&di);
  }
  return out.str();
}

// Every record and reach list of IDX, then the postings of every name the
// records mention (names, dep operands, files), sorted: two indexes of the
// same packages dump the same, whatever order their tables were built in.
// Throws Error when a record is damaged.
inline std::string dump_dep_index(const DepIndex& idx) {
  std::ostringstream out;
  std::set<std::string> names;
  out << "packages " << idx.size() << '\n';
  for (uint32_t i = 0; i < idx.size(); ++i) {
    DepIndex::Package pk = idx.package(i);
    out << "= " << i << ' ' << pk.name << ' ' << pk.evr << ' ' << pk.arch << " vendor "
        << (pk.has_vendor ? "+" + std::string(pk.vendor) : "-") << "\nreaches";
    for (uint32_t q : pk.reaches) out << ' ' << q;
    names.emplace(pk.name);
    for (int kind = 0; kind < 8; ++kind) {
      out << "\ndeps" << kind;
      for (const auto& d : pk.deps[kind]) {
        if (d.rel) {
          out << " <" << d.flags << '>';
        } else {
          out << " [" << d.str << ']';
          names.emplace(d.str);
        }
      }
    }
    for (auto f : pk.files) {
      out << "\nfile " << f;
      names.emplace(f);
    }
    out << "\nchecksum " << pk.checksum_type << ' ' << pk.checksum;
    for (auto v : {pk.location, pk.mediabase, pk.summary, pk.url, pk.license, pk.sourcerpm})
      out << "\n" << (v.data() ? "[" + std::string(v) + "]" : std::string("-"));
    out << "\nsizes " << pk.download_size << ' ' << pk.install_size << ' ' << pk.build_time << '\n';
  }
  for (const auto& n : names) {
    DepIndex::Postings post = idx.lookup(n);
    out << "name [" << n << ']';
    for (const auto* list : {&post.provides, &post.obsoletes, &post.supplements}) {
      out << " |";
      for (uint32_t p : *list) out << ' ' << p;
    }
    out << '\n';
  }
  return out.str();
}

// The dep index of the primary.xml at PATH (which libsolv accepts) written
// both ways into DIR, from the loaded repo and straight from the scan, each
// dumped. SCANNED is false when the scanner left the file to libsolv (then
// FROM_SCAN is empty); PROBLEM names anything that must not happen.
struct IndexDumps {
  std::string from_repo, from_scan, problem;
  bool scanned = false;
};
inline IndexDumps dump_dep_index_both_ways(const std::string& path, const std::string& dir) {
  IndexDumps out;
  auto fail = [&](std::string what) {
    out.problem = std::move(what);
    return out;
  };
  const std::string tag(kCacheTagSize, 'a');
  std::string from_repo = dir + "/repo.idx", from_scan = dir + "/scan.idx";
  {
    Pool pool("x86_64");
    Repo* repo = repo_create(pool.get(), "t");
    add_primary_xml(repo, path, "t");
    repo_internalize(repo);
    if (!write_dep_index(repo, from_repo, tag)) return fail("cannot write " + from_repo);
  }
  IndexFromPrimary made;
  {
    Pool pool("x86_64");
    made = write_dep_index_from_primary(repo_create(pool.get(), "t"), path, "t", from_scan, tag);
  }
  if (made == IndexFromPrimary::write_failed) return fail("cannot write " + from_scan);
  out.scanned = made == IndexFromPrimary::written;
  if (!out.scanned && path_exists(from_scan)) return fail("an unfinished scan left " + from_scan);
  auto want = DepIndex::open(from_repo, tag);
  auto got = out.scanned ? DepIndex::open(from_scan, tag) : nullptr;
  if (!want || (out.scanned && !got)) return fail("an index just written does not open");
  out.from_repo = dump_dep_index(*want);
  if (got) out.from_scan = dump_dep_index(*got);
  return out;
}

// The first line where A (libsolv's) and B (the fast reader's) differ, or ""
// when they are equal.
inline std::string first_dump_difference(const std::string& a, const std::string& b) {
  std::istringstream sa(a), sb(b);
  std::string la, lb;
  for (int line = 1;; ++line) {
    bool ea = !std::getline(sa, la), eb = !std::getline(sb, lb);
    if (ea && eb) return "";
    if (ea != eb || la != lb)
      return "line " + std::to_string(line) + ": libsolv [" + (ea ? "<end>" : la) + "] fast [" + (eb ? "<end>" : lb) +
             "]";
  }
}

}  // namespace yumda
