// The fast loader (src/lib/fastload/), one alternative to libsolv's own
// readers, filling the same libsolv repos: a scanner of primary.xml that
// builds the solvables repo_add_rpmmd builds, in a fraction of its time, and
// the dependency index (deps.idx, docs/dep-index.md), from which a resolve
// loads only the packages its request can reach. AL2023's core repo is ~26k
// packages in all their versions, so both are a user's time. repo/ calls
// this header alone; the resolver never sees it.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "yumda/c_unique.hpp"

struct s_Repo;

namespace yumda {

// Which parser made the solvables.
enum class PrimaryParser { fast, libsolv };

// Adds every package of the primary.xml at PATH (plain or any compression
// solv_xfopen reads) to REPO, as repo_add_rpmmd(repo, fp, nullptr, 0) does,
// internalized. What the scanner does not handle (DOCTYPE, CDATA, other
// encodings, extension data...) goes to repo_add_rpmmd, so the result never
// differs. Throws Error naming REPO_ID and PATH when the file cannot be
// opened or is damaged.
PrimaryParser add_primary_xml(s_Repo* repo, const std::string& path, const std::string& repo_id);

enum class IndexFromPrimary { written, unsupported, write_failed };

// Writes the dep index of the primary.xml at PATH to INDEX_PATH (TAG in its
// trailer) straight from the scan, building no repodata: what a cold install
// needs, in half the time of loading the repo and indexing it. REPO (empty,
// in a pool of its own, thrown away after) receives the solvables, for their
// deps. `unsupported` when the scanner would leave the file to libsolv (the
// caller then loads the repo, and libsolv reports any damage); nothing is
// written then. `write_failed` sets errno. Throws Error when PATH cannot be
// opened. CHECK_INPUT (when set; it throws when PATH is not what it should
// be) runs on a thread of its own beside the scan, and the index is written
// only once it has returned; whatever it throws is thrown here, and nothing
// is written. It has returned before `unsupported` is, too.
IndexFromPrimary write_dep_index_from_primary(s_Repo* repo, const std::string& path, const std::string& repo_id,
                                              const std::string& index_path, const std::string& tag,
                                              const std::function<void()>& check_input = {});

// Writes the dep index of REPO (loaded from primary, internalized) to PATH,
// with TAG (what the index was made from) in its trailer. False on failure.
bool write_dep_index(s_Repo* repo, const std::string& path, const std::string& tag);

class DepIndex;  // src/lib/fastload/dep_index.hpp
void close_dep_index(const DepIndex* index);
using DepIndexHandle = c_unique<const DepIndex, close_dep_index>;

// The index at PATH, or null when it is missing, made from other metadata
// (TAG differs) or damaged (such a file is removed).
DepIndexHandle open_dep_index(const std::string& path, const std::string& tag);

// Whether any package of INDEX offers KEY (a name, provide or file path),
// obsoletes it or names it in its supplements.
bool dep_index_knows(const DepIndex& index, std::string_view key);

// The packages of each index a resolve starting from ROOTS can reach: the
// providers of every name wanted, transitively, plus packages that obsolete or
// supplement anything reached. Sorted, one vector per index. Throws Error
// when an index is damaged (the file is removed).
std::vector<std::vector<uint32_t>> reachable_packages(const std::vector<const DepIndex*>& indexes,
                                                      const std::vector<std::string>& roots);

// Adds packages PKGS (ascending) of INDEX to REPO as solvables, with their
// deps and attributes, in the order of the repo they were indexed from.
// Throws Error when a record is damaged, before REPO changes.
void add_indexed_packages(const DepIndex& index, s_Repo* repo, const std::vector<uint32_t>& pkgs);

}  // namespace yumda
