// Package descriptions, read on demand. The solv cache and the dep index
// leave them out (they are a good part of primary.xml and no resolve needs
// them); the verbs that show them (info, --json, --qf %{description}) ask
// here for the few packages they print. The first ask after a repomd change
// parses primary.xml (checked against repomd.xml when it was fetched) once and
// keeps DIR/descriptions.solv: name, evr, arch, checksum and description
// only, tagged with the repomd checksum as primary.solv is.
#include <map>
#include <set>

#include "repo/descriptions.hpp"
#include "repo/solv_cache.hpp"
#include "solv/pool.hpp"
#include "solv/xml_stream.hpp"
#include "yumda/checksum.hpp"
#include "yumda/repo.hpp"

namespace yumda {
namespace {

std::string descriptions_tag(const RepoMetadata& md) {
  return string_digest(md.repomd_checksum + "|libsolv " LIBSOLV_VERSION_STRING "|yumda-descriptions-1", "sha256");
}

int keep_descriptions(Repo* repo, Repokey* key, void* kfdata) {
  switch (key->name) {
    case SOLVABLE_NAME:
    case SOLVABLE_EVR:
    case SOLVABLE_ARCH:
    case SOLVABLE_CHECKSUM:
    case SOLVABLE_DESCRIPTION:
      return repo_write_stdkeyfilter(repo, key, kfdata);
    default:
      return KEY_STORAGE_DROPPED;
  }
}

std::string key_of(const std::string& nevra, const std::string& checksum) { return nevra + "|" + checksum; }

}  // namespace

std::vector<std::string> read_descriptions(const RepoMetadata& md, const std::string& arch,
                                           const std::vector<DescriptionKey>& wanted) {
  std::vector<std::string> out(wanted.size());
  // sqlite-only repos: yumda's sqlite reader keeps no descriptions (yet)
  if (wanted.empty() || md.primary_path.empty() || md.primary_is_sqlite) return out;
  md.verify_primary();
  Pool pool(arch);
  Repo* repo = repo_create(pool.get(), md.repo_id.c_str());
  std::string path = md.dir + "/descriptions.solv", tag = descriptions_tag(md);
  if (!load_solv_cache(repo, path, tag)) {
    add_rpmmd_xml(repo, md.primary_path, 0, md.repo_id);
    repo_internalize(repo);
    write_solv_cache(repo, path, tag, keep_descriptions);  // a read-only cache only costs the next ask this parse
  }
  // By NEVRA and checksum (two builds may share a NEVRA), else NEVRA alone.
  std::set<std::string> nevras;
  for (const auto& w : wanted) nevras.insert(w.nevra);
  std::map<std::string, std::string> exact, loose;
  Id p;
  Solvable* s;
  FOR_REPO_SOLVABLES(repo, p, s) {
    std::string nevra = pool.nevra(p).str();
    const char* desc = solvable_lookup_str(s, SOLVABLE_DESCRIPTION);
    if (!desc || !*desc || !nevras.count(nevra)) continue;
    Id type = 0;
    const char* ck = solvable_lookup_checksum(s, SOLVABLE_CHECKSUM, &type);
    exact.emplace(key_of(nevra, ck ? ck : ""), desc);
    loose.emplace(nevra, desc);
  }
  for (size_t i = 0; i < wanted.size(); ++i) {
    auto hit = exact.find(key_of(wanted[i].nevra, wanted[i].checksum));
    if (hit != exact.end()) out[i] = hit->second;
    else if (auto l = loose.find(wanted[i].nevra); l != loose.end()) out[i] = l->second;
  }
  return out;
}

}  // namespace yumda
