// A fast reader of rpm-md primary.xml into a libsolv repo: a scanner made for
// the files createrepo and createrepo_c write, building the same solvables as
// libsolv's repo_add_rpmmd (which spends most of its time in expat and
// string copies). Whatever the scanner does not handle (DOCTYPE, CDATA,
// comments, other encodings, patterns/products, extension data...) goes to
// repo_add_rpmmd instead, so the result never differs.
#pragma once
#include <string>

struct s_Repo;

namespace yumda {

// Which parser made the solvables.
enum class PrimaryParser { fast, libsolv };

// Adds every package of the primary.xml at PATH (plain or any compression
// solv_xfopen reads) to REPO, as repo_add_rpmmd(repo, fp, nullptr, 0) does,
// internalized. Throws Error naming REPO_ID and PATH when the file cannot be
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
// opened.
IndexFromPrimary write_dep_index_from_primary(s_Repo* repo, const std::string& path, const std::string& repo_id,
                                              const std::string& index_path, const std::string& tag);

}  // namespace yumda
