// Writing the dep index (docs/dep-index.md) as a stream: each package's
// record as soon as it is read, the rest (record offsets, reach lists,
// postings, keys, table, header) at the end.
#include <algorithm>
#include <cstring>

#include "fastload/dep_index.hpp"
#include "fastload/dep_index_format.hpp"
#include "solv/pool.hpp"
#include "yumda/cache_file.hpp"

namespace yumda {
using namespace depidx;

namespace {

bool is_marker(Id id) { return id == SOLVABLE_PREREQMARKER || id == SOLVABLE_FILEMARKER; }

// The names a dep is about: the left side of a version comparison, every
// operand of a rich dep (a and b of "(a if b)").
template <class F>
void dep_names(::Pool* pool, Id dep, F&& f) {
  if (ISRELDEP(dep)) {
    Reldep* rd = GETRELDEP(pool, dep);
    dep_names(pool, rd->name, f);
    if (static_cast<uint32_t>(rd->flags) >= kVersionRelBelow) dep_names(pool, rd->evr, f);
    return;
  }
  if (!is_marker(dep)) f(dep);
}

// One append per number, not a push_back (and its capacity check) per byte.
void put_varint(std::string& out, uint64_t v) {
  if (v < 0x80) return out.push_back(static_cast<char>(v));
  char b[10];
  size_t n = 0;
  while (v >= 0x80) {
    b[n++] = static_cast<char>(v | 0x80);
    v >>= 7;
  }
  b[n++] = static_cast<char>(v);
  out.append(b, n);
}
void put_str(std::string& out, std::string_view s) {
  put_varint(out, s.size());
  out.append(s);
}
void put_opt(std::string& out, const char* s) {
  if (!s) return put_varint(out, 0);
  size_t n = strlen(s);
  put_varint(out, n + 1);
  out.append(s, n);
}

}  // namespace

void IndexAttrs::clear() {
  checksum_type = 0;
  download_size = install_size = build_time = 0;
  for (auto* o : {&checksum, &location, &mediabase, &summary, &url, &license, &sourcerpm}) o->reset();
}

struct DepIndexWriter::Impl {
  Impl(Repo* r, const std::string& p) : repo(r), pool(r->pool), path(p), out(p) {}

  enum List { kProvides, kObsoleters, kSupplementers };

  // Postings are rows of one flat array, per list and string Id (counted,
  // then filled, package by package: each row comes out sorted).
  size_t row(List list, Id key) const { return static_cast<size_t>(list) * nkeys + static_cast<size_t>(key); }
  template <class F>
  void for_each_posted(List list, Id key, F&& f) const {
    if (static_cast<size_t>(key) >= nkeys) return;
    size_t r = row(list, key);
    for (uint32_t i = start[r]; i < start[r + 1]; ++i) f(flat[i]);
  }
  // What package PKG is listed under: (list, name) pairs, maybe repeated.
  template <class F>
  void for_each_posting(uint32_t pkg, F&& f) const {
    const Solvable* s = pool->solvables + ids[pkg];
    f(kProvides, s->name);
    for_each_dep(s, 0, [&](Id d) { dep_names(pool, d, [&](Id n) { f(kProvides, n); }); });
    for_each_dep(s, kObsoletes, [&](Id d) { dep_names(pool, d, [&](Id n) { f(kObsoleters, n); }); });
    for_each_dep(s, kSupplements, [&](Id d) { dep_names(pool, d, [&](Id n) { f(kSupplementers, n); }); });
    for (size_t i = file_start[pkg]; i < file_start[pkg + 1]; ++i) f(kProvides, files[i]);
  }

  static Offset dep_offset(const Solvable* s, int kind) {
    const Offset offsets[8] = {s->provides,   s->solv_requires, s->conflicts,   s->obsoletes,
                               s->recommends, s->suggests,      s->supplements, s->enhances};
    return offsets[kind];
  }
  template <class F>
  void for_each_dep(const Solvable* s, int kind, F&& f) const {
    if (Offset o = dep_offset(s, kind))
      for (Id* dp = repo->idarraydata + o; *dp; ++dp) f(*dp);
  }

  void put_dep(std::string& buf, Id dep) const {
    if (ISRELDEP(dep)) {
      Reldep* rd = GETRELDEP(pool, dep);
      put_varint(buf, static_cast<uint64_t>(static_cast<uint32_t>(rd->flags)) + 1);  // a rel's flags may be 0
      put_dep(buf, rd->name);
      put_dep(buf, rd->evr);
    } else {
      put_varint(buf, 0);
      put_str(buf, pool_id2str(pool, dep));
    }
  }

  // The record of the package just added: its solvable, ATTRS, its files.
  void record(const Solvable* s, const IndexAttrs& a) {
    rec.clear();
    put_str(rec, pool_id2str(pool, s->name));
    put_str(rec, pool_id2str(pool, s->evr));
    put_str(rec, pool_id2str(pool, s->arch));
    put_opt(rec, s->vendor ? pool_id2str(pool, s->vendor) : nullptr);
    for (int kind = 0; kind < 8; ++kind) {
      size_t n = 0;
      for_each_dep(s, kind, [&](Id) { ++n; });
      put_varint(rec, n);
      for_each_dep(s, kind, [&](Id d) { put_dep(rec, d); });
    }
    size_t pkg = ids.size() - 1;
    put_varint(rec, file_start[pkg + 1] - file_start[pkg]);
    for (size_t f = file_start[pkg]; f < file_start[pkg + 1]; ++f) put_str(rec, pool_id2str(pool, files[f]));
    put_varint(rec, a.checksum ? a.checksum_type : 0);
    for (const auto* o : {&a.checksum, &a.location, &a.mediabase, &a.summary, &a.url, &a.license, &a.sourcerpm}) {
      if (!*o) {
        put_varint(rec, 0);
      } else {
        put_varint(rec, (*o)->size() + 1);
        rec.append(**o);
      }
    }
    put_varint(rec, a.download_size);
    put_varint(rec, a.install_size);
    put_varint(rec, a.build_time);
  }

  // The rows package PKG is posted in, each once, ascending.
  void rows_of(uint32_t pkg, std::vector<size_t>& out) const {
    out.clear();
    for_each_posting(pkg, [&](List list, Id key) { out.push_back(row(list, key)); });
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
  }

  // Every package's postings, once all are added. Counted exactly (each
  // package once per row), so one offset array serves as the fill cursor and
  // then, shifted back, as the rows' starts: no second array of ends (~3 MB
  // for 65k packages, at a cold install's peak).
  void collect() {
    nkeys = static_cast<size_t>(pool->ss.nstrings);
    start.assign(3 * nkeys + 1, 0);
    std::vector<size_t> rows;
    for (uint32_t pkg = 0; pkg < ids.size(); ++pkg) {
      rows_of(pkg, rows);
      for (size_t r : rows) ++start[r + 1];
    }
    for (size_t r = 0; r < 3 * nkeys; ++r) start[r + 1] += start[r];
    flat.assign(start.back(), 0);
    for (uint32_t pkg = 0; pkg < ids.size(); ++pkg) {
      rows_of(pkg, rows);
      for (size_t r : rows) flat[start[r]++] = pkg;  // start[r] ends as row r + 1's start
    }
    for (size_t r = 3 * nkeys; r > 0; --r) start[r] = start[r - 1];
    start[0] = 0;
  }

  // What package PKG may bring in from this repo: the providers of what it
  // wants, and what obsoletes or supplements what it offers.
  void reaches(uint32_t pkg, std::vector<uint32_t>& out) const {
    out.clear();
    const Solvable* s = pool->solvables + ids[pkg];
    auto add = [&](uint32_t q) {
      if (q != pkg) out.push_back(q);
    };
    for (int kind : {kRequires, kRecommends})
      for_each_dep(s, kind, [&](Id d) { dep_names(pool, d, [&](Id n) { for_each_posted(kProvides, n, add); }); });
    auto offered = [&](Id n) {
      for_each_posted(kObsoleters, n, add);
      for_each_posted(kSupplementers, n, add);
    };
    offered(s->name);
    for_each_dep(s, 0, [&](Id d) { dep_names(pool, d, offered); });
    for (size_t f = file_start[pkg]; f < file_start[pkg + 1]; ++f) offered(files[f]);
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
  }

  uint32_t posted(List list, Id key) const {
    size_t r = row(list, key);
    return start[r + 1] - start[r];
  }

  // Streams the postings, then the keys' text, to OUT and fills the hash
  // table (written last by the caller). Only the table is ever whole in
  // memory, and it is made after the rows are freed: both keep a cold
  // install's peak down (~9 MB and ~4 MB for 65k packages).
  void write_postings_and_keys(Header& h, std::vector<uint32_t>& table) {
    auto is_used = [&](Id key) {
      return posted(kProvides, key) + posted(kObsoleters, key) + posted(kSupplementers, key) != 0;
    };
    size_t nused = 0;
    for (size_t k = 0; k < nkeys; ++k) nused += is_used(static_cast<Id>(k)) ? 1 : 0;
    std::vector<Id> used;        // the keys with any posting, ascending
    std::vector<uint32_t> at;    // where each one's postings start, in words
    used.reserve(nused);
    at.reserve(nused);
    h.post = out.size();
    uint64_t words = 0;
    std::vector<uint32_t> buf;
    for (size_t k = 0; k < nkeys; ++k) {
      Id key = static_cast<Id>(k);
      if (!is_used(key)) continue;
      buf.clear();
      for (List list : {kProvides, kObsoleters, kSupplementers}) {
        size_t r = row(list, key);
        buf.push_back(start[r + 1] - start[r]);
        buf.insert(buf.end(), flat.begin() + start[r], flat.begin() + start[r + 1]);
      }
      used.push_back(key);
      at.push_back(static_cast<uint32_t>(words));
      out.append(std::string_view(reinterpret_cast<const char*>(buf.data()), buf.size() * 4));
      words += buf.size();
    }
    h.post_size = words;
    std::vector<uint32_t>().swap(start);
    std::vector<uint32_t>().swap(flat);
    size_t size = 2;
    while (size < 2 * used.size()) size *= 2;
    table.assign(2 * size, 0);
    h.keys = out.size();
    uint64_t key_bytes = 0;
    for (size_t i = 0; i < used.size(); ++i) {
      const char* text = pool_id2str(pool, used[i]);
      std::string_view key(text, strlen(text));
      size_t b = name_hash(key) & (size - 1);
      while (table[2 * b]) b = (b + 1) & (size - 1);
      table[2 * b] = static_cast<uint32_t>(key_bytes + 1);
      table[2 * b + 1] = at[i];
      out.append(std::string_view(text, key.size() + 1));  // with its NUL
      key_bytes += key.size() + 1;
    }
    h.keys_size = key_bytes;
  }

  // After the records: record offsets, reaches (lists, then offsets),
  // postings, keys, table, then the header (last, when every offset is known).
  void write_rest(Header& h) {
    recidx.push_back(out.size());
    h.npkgs = static_cast<uint32_t>(ids.size());
    h.recs_size = out.size();  // the records start the body
    auto section = [&](const void* data, size_t bytes) {
      uint64_t at = out.size();
      out.append(std::string_view(static_cast<const char*>(data), bytes));
      return at;
    };
    h.recidx = section(recidx.data(), recidx.size() * 8);
    std::vector<uint64_t>().swap(recidx);
    collect();
    std::vector<uint64_t> reachidx;
    reachidx.reserve(ids.size() + 1);
    h.reach = out.size();
    std::vector<uint32_t> r;
    std::string buf;
    for (uint32_t pkg = 0; pkg < ids.size(); ++pkg) {
      reachidx.push_back(out.size() - h.reach);
      reaches(pkg, r);
      buf.clear();
      put_varint(buf, r.size());
      uint32_t prev = 0;
      for (uint32_t q : r) {
        put_varint(buf, q - prev);
        prev = q;
      }
      out.append(buf);
    }
    reachidx.push_back(out.size() - h.reach);
    h.reach_size = out.size() - h.reach;
    // Nothing reads the packages' lists from here on.
    std::vector<Id>().swap(ids);
    std::vector<Id>().swap(files);
    std::vector<size_t>().swap(file_start);
    h.reachidx = section(reachidx.data(), reachidx.size() * 8);
    std::vector<uint64_t>().swap(reachidx);
    std::vector<uint32_t> table;
    write_postings_and_keys(h, table);
    h.table_size = static_cast<uint32_t>(table.size() / 2);
    h.table = section(table.data(), table.size() * 4);
    section(&h, sizeof h);
  }

  Repo* repo;
  ::Pool* pool;
  std::string path;
  CacheFileWriter out;
  std::string rec;
  std::vector<Id> ids;                   // package -> solvable
  std::vector<Id> files;                 // all packages' files, as pool strings
  std::vector<size_t> file_start{0};     // package -> its first file in files
  std::vector<uint64_t> recidx;          // package -> its record's offset
  size_t nkeys = 0;                      // string Ids the rows cover
  std::vector<uint32_t> start;           // row -> its start in flat (row + 1: its end)
  std::vector<uint32_t> flat;            // packages, row after row
};

DepIndexWriter::DepIndexWriter(Repo* repo, const std::string& path) : impl_(std::make_unique<Impl>(repo, path)) {}
DepIndexWriter::~DepIndexWriter() = default;

void DepIndexWriter::add(int p, const IndexAttrs& attrs, const int* files, size_t nfiles) {
  Impl& m = *impl_;
  m.ids.push_back(p);
  m.files.insert(m.files.end(), files, files + nfiles);
  m.file_start.push_back(m.files.size());
  m.recidx.push_back(m.out.size());
  m.record(m.pool->solvables + p, attrs);
  m.out.append(m.rec);
}

bool DepIndexWriter::finish(const std::string& tag) {
  Impl& m = *impl_;
  Header h{};
  memcpy(h.magic, kMagic, sizeof kMagic);
  m.write_rest(h);
  if (!m.out.commit(tag)) return false;
  stamp_cache_file(m.path, tag, m.path + ".ok");
  return true;
}

bool write_dep_index(Repo* repo, const std::string& path, const std::string& tag) {
  ::Pool* pool = repo->pool;
  // One pass over the whole repo's files (as pool strings), in solvable order.
  std::vector<std::vector<Id>> files(static_cast<size_t>(repo->end - repo->start));
  Dataiterator di;
  dataiterator_init(&di, pool, repo, 0, SOLVABLE_FILELIST, nullptr, SEARCH_FILES | SEARCH_COMPLETE_FILELIST);
  while (dataiterator_step(&di))
    if (di.solvid >= repo->start && di.solvid < repo->end)
      files[static_cast<size_t>(di.solvid - repo->start)].push_back(pool_str2id(pool, di.kv.str, 1));
  dataiterator_free(&di);
  DepIndexWriter writer(repo, path);
  IndexAttrs a;
  auto opt = [](std::optional<std::string>& o, const char* s) {
    if (s) o = s;
  };
  Id p;
  Solvable* s;
  FOR_REPO_SOLVABLES(repo, p, s) {
    a.clear();
    Id type = 0;
    if (const char* sum = solvable_lookup_checksum(s, SOLVABLE_CHECKSUM, &type)) {
      a.checksum = sum;
      a.checksum_type = static_cast<uint32_t>(type);
    }
    opt(a.location, solvable_lookup_location(s, nullptr));
    opt(a.mediabase, solvable_lookup_str(s, SOLVABLE_MEDIABASE));
    opt(a.summary, solvable_lookup_str(s, SOLVABLE_SUMMARY));
    opt(a.url, solvable_lookup_str(s, SOLVABLE_URL));
    opt(a.license, solvable_lookup_str(s, SOLVABLE_LICENSE));
    opt(a.sourcerpm, solvable_lookup_sourcepkg(s));
    a.download_size = solvable_lookup_num(s, SOLVABLE_DOWNLOADSIZE, 0);
    a.install_size = solvable_lookup_num(s, SOLVABLE_INSTALLSIZE, 0);
    a.build_time = solvable_lookup_num(s, SOLVABLE_BUILDTIME, 0);
    const std::vector<Id>& f = files[static_cast<size_t>(p - repo->start)];
    writer.add(p, a, f.data(), f.size());
  }
  return writer.finish(tag);
}

}  // namespace yumda
