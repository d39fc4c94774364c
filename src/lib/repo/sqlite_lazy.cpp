// libsqlite3, loaded on first use (see common/lazy_library.hpp): only a repo
// that publishes primary.sqlite and no primary.xml is read with it, never a
// warm resolve, which loads the solv cache.
#include <sqlite3.h>

#include "common/lazy_library.hpp"

namespace {

YUMDA_LAZY_LIBRARY(sqlite, "libsqlite3.so.0", "libsqlite3-0 (Debian) or sqlite-libs (RPM)")

}  // namespace

extern "C" {

YUMDA_LAZY_FORWARD(sqlite(), int, sqlite3_bind_text, (sqlite3_stmt * s, int i, const char* text, int n, void (*d)(void*)),
                   (s, i, text, n, d))
YUMDA_LAZY_FORWARD(sqlite(), int, sqlite3_close, (sqlite3 * db), (db))
YUMDA_LAZY_FORWARD(sqlite(), int, sqlite3_column_bytes, (sqlite3_stmt * s, int col), (s, col))
YUMDA_LAZY_FORWARD(sqlite(), sqlite3_int64, sqlite3_column_int64, (sqlite3_stmt * s, int col), (s, col))
YUMDA_LAZY_FORWARD(sqlite(), const unsigned char*, sqlite3_column_text, (sqlite3_stmt * s, int col), (s, col))
YUMDA_LAZY_FORWARD(sqlite(), const char*, sqlite3_errmsg, (sqlite3 * db), (db))
YUMDA_LAZY_FORWARD(sqlite(), int, sqlite3_finalize, (sqlite3_stmt * s), (s))
YUMDA_LAZY_FORWARD(sqlite(), int, sqlite3_open_v2, (const char* path, sqlite3** db, int flags, const char* vfs),
                   (path, db, flags, vfs))
YUMDA_LAZY_FORWARD(sqlite(), int, sqlite3_prepare_v2,
                   (sqlite3 * db, const char* sql, int n, sqlite3_stmt** s, const char** tail), (db, sql, n, s, tail))
YUMDA_LAZY_FORWARD(sqlite(), int, sqlite3_step, (sqlite3_stmt * s), (s))

}  // extern "C"
