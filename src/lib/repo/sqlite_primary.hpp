// Loading yum's sqlite metadata (primary_db, filelists_db) into a libsolv repo,
// for repos that offer no primary.xml (Amazon Linux 2's do offer only these).
#pragma once
#include <string>

struct s_Repo;

namespace yumda {

// Adds every package of PRIMARY_DB (any compression libsolvext knows) to REPO,
// with its deps and primary file list; FILELISTS_DB, when not "", adds the full
// file lists. Compressed files are unpacked into TMPDIR first. Does not
// internalize. Throws Error naming the file when it is not such a database.
void add_sqlite_primary(s_Repo* repo, const std::string& primary_db, const std::string& filelists_db,
                        const std::string& tmpdir);

}  // namespace yumda
