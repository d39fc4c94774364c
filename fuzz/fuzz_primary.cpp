// primary.xml from the network: add_primary_xml (the fast scanner, falling
// back to libsolv) must end in solvables or a yumda::Error. Differential:
// libsolv's repo_add_rpmmd reads the same bytes into a pool of its own; the
// two must agree on whether the file is valid and, when it is, on every
// solvable (the scanner claims to build exactly what libsolv builds). And
// when the scanner writes a dep index straight from the file (what a cold
// install does), it must hold what the index written from the loaded repo
// holds.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "fuzz_util.hpp"
#include "fastload/primary_xml.hpp"
#include "solv/pool.hpp"
#include "solv_dump.hpp"
#include "yumda/c_unique.hpp"
#include "yumda/error.hpp"

namespace {

struct Loaded {
  bool ok = false;
  std::string dump, error;
};

Loaded load_fast(const std::string& path) {
  yumda::Pool pool("x86_64");
  Repo* repo = repo_create(pool.get(), "fuzz");
  Loaded r;
  try {
    (void)yumda::add_primary_xml(repo, path, "fuzz");
    r.ok = true;
  } catch (const yumda::Error& e) {
    r.error = e.what();
  }
  r.dump = yumda::dump_solvables(repo);
  return r;
}

Loaded load_libsolv(const std::string& path) {
  yumda::Pool pool("x86_64");
  Repo* repo = repo_create(pool.get(), "fuzz");
  Loaded r;
  yumda::UniqueFile fp(solv_xfopen(path.c_str(), "r"));
  if (!fp) std::abort();  // the file was just written
  r.ok = repo_add_rpmmd(repo, fp.get(), nullptr, 0) == 0;
  if (!r.ok) r.error = pool_errstr(pool.get());
  r.dump = yumda::dump_solvables(repo);
  return r;
}

[[noreturn]] void differ(const char* what, const Loaded& want, const Loaded& got) {
  fprintf(stderr, "fuzz_primary: %s\n--- libsolv (%s) ---\n%s--- fast (%s) ---\n%s--- first difference: %s\n", what,
          want.ok ? "ok" : want.error.c_str(), want.dump.c_str(), got.ok ? "ok" : got.error.c_str(), got.dump.c_str(),
          yumda::first_dump_difference(want.dump, got.dump).c_str());
  std::abort();
}

// The dep index of PATH (valid XML) written from the loaded repo and from
// the scan; the second may be left to the first way (nothing then).
void check_index(const std::string& path, const yumda_fuzz::TempDir& dir) {
  yumda::IndexDumps d = yumda::dump_dep_index_both_ways(path, dir.path.string());
  if (!d.problem.empty()) {
    fprintf(stderr, "fuzz_primary: %s\n", d.problem.c_str());
    std::abort();
  }
  if (d.scanned && d.from_repo != d.from_scan) {
    fprintf(stderr, "fuzz_primary: the dep indexes differ\n--- from the repo ---\n%s--- from the scan ---\n%s--- first difference: %s\n",
            d.from_repo.c_str(), d.from_scan.c_str(), yumda::first_dump_difference(d.from_repo, d.from_scan).c_str());
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  yumda_fuzz::TempDir dir;
  // No compression suffix: solv_xfopen reads it as plain XML.
  std::string path = yumda_fuzz::write_file(dir.path / "primary.xml", data, size);
  Loaded got = load_fast(path);
  Loaded want = load_libsolv(path);
  if (got.ok != want.ok) differ("one parser accepts what the other rejects", want, got);
  if (got.ok && got.dump != want.dump) differ("the solvables differ", want, got);
  if (got.ok) check_index(path, dir);
  return 0;
}
