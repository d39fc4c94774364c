// The dep index file, written as a stream (each package's record as soon as
// it is read, the rest at the end) and read in parts with pread. Body: the
// records; the byte offset of each record; the packages of the same index
// each package reaches (varint lists, then their offsets); the postings
// (count + packages, three times: providers, obsoleters, supplementers) of
// every key (a name, provide or file path); the keys' text; an
// open-addressing hash table from key to its postings; and a header of
// section offsets, last because it is known last.
// A record is self-contained, so loading a package reads its record (and its
// reach list) alone: varints and length-prefixed strings, in this order:
// name, evr, arch, vendor, 8 dep lists (a dep in prefix order: flags + 1 then
// two operands for a rel, 0 then the text for a name), files, checksum type and
// value, location, media base, summary, url, license, source rpm, download
// size, install size, build time. Optional strings are stored as length + 1,
// 0 meaning absent. A reach list is a count, then deltas.
#include "fastload/dep_index.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <unordered_map>
#include <unordered_set>

#include "solv/pool.hpp"
#include "yumda/cache_file.hpp"
#include "yumda/error.hpp"
#include "yumda/fs.hpp"

namespace yumda {
namespace {

constexpr char kMagic[8] = {'Y', 'D', 'E', 'P', 'I', 'D', 'X', '4'};
constexpr uint32_t kVersionRelBelow = 8;  // rel flags below this compare versions: the right side is an EVR
constexpr int kRequires = 1, kObsoletes = 3, kRecommends = 4, kSupplements = 6;

struct Header {
  char magic[8];
  uint32_t npkgs, table_size;
  // Byte offsets from the start of the body, and sizes in bytes.
  uint64_t recidx, recs, recs_size, reachidx, reach, reach_size, table, post, post_size, keys, keys_size;
};

uint64_t name_hash(std::string_view s) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ULL;
  return h ^ (h >> 32);
}

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

void put_varint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
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

// Reads a record; any overrun throws (the file is damaged).
class Cursor {
 public:
  Cursor(const unsigned char* p, const unsigned char* end) : p_(p), end_(end) {}
  uint64_t varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p_ == end_) damaged();
      unsigned char c = *p_++;
      v |= static_cast<uint64_t>(c & 0x7f) << shift;
      if (!(c & 0x80)) return v;
    }
    damaged();
  }
  std::string_view str() { return bytes(varint()); }
  std::string_view opt(bool* present = nullptr) {
    uint64_t n = varint();
    if (present) *present = n != 0;
    return n ? bytes(n - 1) : std::string_view();
  }
  struct CutShort {};  // DepIndex::package turns it into its Error
  [[noreturn]] static void damaged() { throw CutShort{}; }

 private:
  std::string_view bytes(uint64_t n) {
    if (n > static_cast<uint64_t>(end_ - p_)) damaged();
    std::string_view s(reinterpret_cast<const char*>(p_), n);
    p_ += n;
    return s;
  }
  const unsigned char* p_;
  const unsigned char* end_;
};

// Index I of DEPS and its operands (prefix order): calls F for the names of
// the dep (dep_names' rule) when EMIT, and returns the index after it.
template <class F>
size_t dep_leaves(const std::vector<DepIndex::Dep>& deps, size_t i, bool emit, F&& f) {
  if (i >= deps.size()) throw Error("a dependency of the dependency index is cut short");
  const DepIndex::Dep& d = deps[i];
  if (!d.rel) {
    if (emit) f(d.str);
    return i + 1;
  }
  size_t right = dep_leaves(deps, i + 1, emit, f);
  return dep_leaves(deps, right, emit && d.flags >= kVersionRelBelow, f);
}

template <class F>
void wanted_names(const DepIndex::Package& pk, F&& f) {
  for (int kind : {kRequires, kRecommends})
    for (size_t i = 0; i < pk.deps[kind].size();) i = dep_leaves(pk.deps[kind], i, true, f);
}

template <class F>
void offered_names(const DepIndex::Package& pk, F&& f) {
  f(pk.name);
  for (size_t i = 0; i < pk.deps[0].size();) i = dep_leaves(pk.deps[0], i, true, f);
  for (auto file : pk.files) f(file);
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
    for (uint32_t i = start[r]; i < end[r]; ++i) f(flat[i]);
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

  // Every package's postings, once all are added.
  void collect() {
    nkeys = static_cast<size_t>(pool->ss.nstrings);
    start.assign(3 * nkeys + 1, 0);
    for (uint32_t pkg = 0; pkg < ids.size(); ++pkg)
      for_each_posting(pkg, [&](List list, Id key) { ++start[row(list, key) + 1]; });
    for (size_t r = 0; r < 3 * nkeys; ++r) start[r + 1] += start[r];
    flat.assign(start.back(), 0);
    end.assign(start.begin(), start.end() - 1);
    for (uint32_t pkg = 0; pkg < ids.size(); ++pkg)
      for_each_posting(pkg, [&](List list, Id key) {
        size_t r = row(list, key);
        if (end[r] == start[r] || flat[end[r] - 1] != pkg) flat[end[r]++] = pkg;  // once per package
      });
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

  // Streams the postings, then the keys' text, to OUT and fills the hash
  // table (written last by the caller): only the table is ever whole in
  // memory, which keeps a cold install's peak down by the other two (~9 MB
  // for 65k packages).
  void write_postings_and_keys(Header& h, std::vector<uint32_t>& table) {
    std::vector<Id> used;
    for (size_t k = 0; k < nkeys; ++k)
      for (List list : {kProvides, kObsoleters, kSupplementers})
        if (end[row(list, static_cast<Id>(k))] > start[row(list, static_cast<Id>(k))]) {
          used.push_back(static_cast<Id>(k));
          break;
        }
    size_t size = 2;
    while (size < 2 * used.size()) size *= 2;
    table.assign(2 * size, 0);
    h.post = out.size();
    uint64_t words = 0, key_bytes = 0;
    std::vector<uint32_t> buf;
    for (Id key : used) {
      buf.clear();
      for (List list : {kProvides, kObsoleters, kSupplementers}) {
        size_t r = row(list, key);
        buf.push_back(end[r] - start[r]);
        buf.insert(buf.end(), flat.begin() + start[r], flat.begin() + end[r]);
      }
      std::string_view text = pool_id2str(pool, key);
      size_t b = name_hash(text) & (size - 1);
      while (table[2 * b]) b = (b + 1) & (size - 1);
      table[2 * b] = static_cast<uint32_t>(key_bytes + 1);
      table[2 * b + 1] = static_cast<uint32_t>(words);
      out.append(std::string_view(reinterpret_cast<const char*>(buf.data()), buf.size() * 4));
      words += buf.size();
      key_bytes += text.size() + 1;
    }
    h.post_size = words;
    h.keys = out.size();
    for (Id key : used) {
      const char* text = pool_id2str(pool, key);
      out.append(std::string_view(text, strlen(text) + 1));  // with its NUL
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
    h.reachidx = section(reachidx.data(), reachidx.size() * 8);
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
  std::vector<uint32_t> start, end;      // row -> its span in flat
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

DepIndex::~DepIndex() = default;

void close_dep_index(const DepIndex* index) { delete index; }

DepIndexHandle open_dep_index(const std::string& path, const std::string& tag) {
  return DepIndexHandle(DepIndex::open(path, tag).release());
}

bool dep_index_knows(const DepIndex& index, std::string_view key) { return !index.lookup(key).empty(); }

void add_indexed_packages(const DepIndex& index, Repo* repo, const std::vector<uint32_t>& pkgs) {
  index.add_to(repo, pkgs);
}

std::unique_ptr<DepIndex> DepIndex::open(const std::string& path, const std::string& tag) {
  std::unique_ptr<DepIndex> idx(new DepIndex());
  idx->path_ = path;
  idx->file_ = std::make_unique<CacheFileReader>(path, tag, path + ".ok");
  Header h;
  uint64_t size = idx->file_->body_size();
  auto fits = [&](uint64_t off, uint64_t bytes) { return off <= size && bytes <= size - off; };
  if (!idx->file_->ok() || size < sizeof h || !idx->file_->read(size - sizeof h, &h, sizeof h) || memcmp(h.magic, kMagic, sizeof kMagic) != 0 ||
      !fits(h.recidx, 8ULL * (h.npkgs + 1ULL)) || !fits(h.recs, h.recs_size) ||
      !fits(h.reachidx, 8ULL * (h.npkgs + 1ULL)) || !fits(h.reach, h.reach_size) || !fits(h.table, 8ULL * h.table_size) ||
      h.post_size > size / 4 || !fits(h.post, 4 * h.post_size) || !fits(h.keys, h.keys_size) || h.table_size == 0 ||
      (h.table_size & (h.table_size - 1)) != 0) {
    if (path_exists(path)) unlink(path.c_str());  // stale or damaged: load_repo writes a new one
    return nullptr;
  }
  idx->npkgs_ = h.npkgs;
  idx->table_size_ = h.table_size;
  idx->recidx_ = h.recidx;
  idx->recs_ = h.recs;
  idx->recs_size_ = h.recs_size;
  idx->reachidx_ = h.reachidx;
  idx->reach_ = h.reach;
  idx->reach_size_ = h.reach_size;
  idx->table_ = h.table;
  idx->post_ = h.post;
  idx->post_size_ = h.post_size;
  idx->keys_ = h.keys;
  idx->keys_size_ = h.keys_size;
  return idx;
}

void DepIndex::damaged(const std::string& what) const {
  unlink(path_.c_str());  // the resolve falls back to a full load, which writes a new index
  throw Error("the dependency index is damaged (" + what + "); it is rebuilt on the next load");
}

uint32_t DepIndex::word(uint64_t off) const {
  uint32_t w;
  if (!file_->read(off, &w, sizeof w)) damaged("a table entry is out of range");
  return w;
}

DepIndex::Postings DepIndex::lookup(std::string_view name) const {
  size_t mask = table_size_ - 1;
  std::string buf(name.size() + 1, '\0');
  for (size_t b = name_hash(name) & mask, probes = 0; probes < table_size_; b = (b + 1) & mask, ++probes) {
    uint32_t bucket[2];
    if (!file_->read(table_ + 8 * b, bucket, sizeof bucket)) damaged("a table entry is out of range");
    if (bucket[0] == 0) break;
    uint64_t key = bucket[0] - 1ULL;
    // The key matches when its text is NAME and then its NUL.
    if (key >= keys_size_ || keys_size_ - key < buf.size() || !file_->read(keys_ + key, buf.data(), buf.size()) ||
        buf.back() != '\0' || std::string_view(buf.data(), name.size()) != name)
      continue;
    Postings out;
    uint64_t at = bucket[1];
    for (auto* list : {&out.provides, &out.obsoletes, &out.supplements}) {
      uint32_t n = at < post_size_ ? word(post_ + 4 * at) : 0;
      if (at >= post_size_ || n > post_size_ - at - 1) damaged("a posting list is out of range");
      list->resize(n);
      if (n && !file_->read(post_ + 4 * (at + 1), list->data(), 4ULL * n)) damaged("a posting list is out of range");
      at += 1 + n;
    }
    return out;
  }
  return {};
}

DepIndex::Package DepIndex::package(uint32_t pkg) const {
  // Checked on use, not at open: a resolve reads a few hundred of the
  // records, and reading them all would cost what the index saves.
  uint64_t span[2], reach[2];
  if (pkg >= npkgs_ || !file_->read(recidx_ + 8ULL * pkg, span, sizeof span) || span[0] > span[1] ||
      span[1] > recs_size_ || !file_->read(reachidx_ + 8ULL * pkg, reach, sizeof reach) || reach[0] > reach[1] ||
      reach[1] > reach_size_)
    damaged("package record " + std::to_string(pkg));
  try {
    return decode(pkg, span, reach);
  } catch (const Cursor::CutShort&) {
    damaged("package record " + std::to_string(pkg) + " is cut short");
  }
}

DepIndex::Package DepIndex::decode(uint32_t pkg, const uint64_t span[2], const uint64_t reach[2]) const {
  Package pk;
  pk.record.resize(span[1] - span[0] + reach[1] - reach[0]);
  char* at = pk.record.data();
  size_t nrec = span[1] - span[0];
  if (!file_->read(recs_ + span[0], at, nrec) || !file_->read(reach_ + reach[0], at + nrec, reach[1] - reach[0]))
    damaged("package record " + std::to_string(pkg));
  auto* start = reinterpret_cast<const unsigned char*>(at);
  Cursor r(start + nrec, start + pk.record.size());
  uint64_t n = r.varint(), prev = 0;
  if (n > pk.record.size()) Cursor::damaged();
  for (uint64_t i = 0; i < n; ++i) {
    prev += r.varint();
    if (prev >= npkgs_) Cursor::damaged();
    pk.reaches.push_back(static_cast<uint32_t>(prev));
  }
  Cursor c(start, start + nrec);
  pk.name = c.str();
  pk.evr = c.str();
  pk.arch = c.str();
  pk.vendor = c.opt(&pk.has_vendor);
  for (auto& deps : pk.deps) {
    uint64_t count = c.varint();
    // Each dep is a name, or a rel followed by its two operands.
    for (uint64_t open = count; open > 0; --open) {
      uint64_t tag = c.varint();  // rel flags + 1, 0 for a name
      if (tag > 0xffffffffULL) Cursor::damaged();
      deps.push_back({tag != 0, tag ? static_cast<uint32_t>(tag - 1) : 0, tag ? std::string_view() : c.str()});
      if (tag) open += 2;
      if (deps.size() > pk.record.size()) Cursor::damaged();
    }
  }
  uint64_t nfiles = c.varint();
  for (uint64_t i = 0; i < nfiles; ++i) {
    pk.files.push_back(c.str());
    // libsolv takes the dir as a C string: a NUL would make it "" (dir id 0, an assert).
    if (pk.files.back().find('\0') != std::string_view::npos) Cursor::damaged();
  }
  pk.checksum_type = static_cast<uint32_t>(c.varint());
  pk.checksum = c.opt();
  pk.location = c.opt();
  pk.mediabase = c.opt();
  pk.summary = c.opt();
  pk.url = c.opt();
  pk.license = c.opt();
  pk.sourcerpm = c.opt();
  pk.download_size = c.varint();
  pk.install_size = c.varint();
  pk.build_time = c.varint();
  return pk;
}

void DepIndex::add_to(Repo* repo, const std::vector<uint32_t>& pkgs) const {
  ::Pool* pool = repo->pool;
  Repodata* data = repo_add_repodata(repo, 0);
  if (pkgs.empty()) return;
  std::vector<Package> decoded;
  decoded.reserve(pkgs.size());
  for (uint32_t pkg : pkgs) decoded.push_back(package(pkg));  // all checked before the repo changes
  auto strid = [&](std::string_view s) { return pool_strn2id(pool, s.data(), static_cast<unsigned>(s.size()), 1); };
  // Dep I of DEPS (prefix order) as a pool Id; I moves past it.
  auto to_id = [&](auto&& self, const std::vector<Dep>& deps, size_t& i) -> Id {
    const Dep& d = deps[i++];
    if (!d.rel) return strid(d.str);
    Id name = self(self, deps, i);
    Id evr = self(self, deps, i);
    return pool_rel2id(pool, name, evr, static_cast<int>(d.flags), 1);
  };
  std::string text;  // NUL-terminated copies for the libsolv calls that want them
  auto cstr = [&](std::string_view s) -> const char* {
    text.assign(s);
    return text.c_str();
  };
  Id first = repo_add_solvable_block(repo, static_cast<int>(pkgs.size()));
  for (size_t i = 0; i < decoded.size(); ++i) {
    const Package& pk = decoded[i];
    Id p = first + static_cast<Id>(i);
    Solvable* s = pool->solvables + p;
    s->name = strid(pk.name);
    s->evr = strid(pk.evr);
    s->arch = strid(pk.arch);
    s->vendor = pk.has_vendor ? strid(pk.vendor) : 0;
    Offset* fields[8] = {&s->provides,   &s->solv_requires, &s->conflicts,   &s->obsoletes,
                         &s->recommends, &s->suggests,      &s->supplements, &s->enhances};
    for (int kind = 0; kind < 8; ++kind) {
      Offset o = 0;
      for (size_t j = 0; j < pk.deps[kind].size();) o = repo_addid(repo, o, to_id(to_id, pk.deps[kind], j));
      *fields[kind] = o;
    }
    for (std::string_view path : pk.files) {
      size_t slash = path.rfind('/');
      if (slash == std::string_view::npos) continue;
      std::string dir(slash ? path.substr(0, slash) : "/");
      repodata_add_dirstr(data, p, SOLVABLE_FILELIST, repodata_str2dir(data, dir.c_str(), 1), cstr(path.substr(slash + 1)));
    }
    if (!pk.checksum.empty())
      repodata_set_checksum(data, p, SOLVABLE_CHECKSUM, static_cast<Id>(pk.checksum_type), cstr(pk.checksum));
    if (!pk.location.empty()) repodata_set_location(data, p, 0, nullptr, cstr(pk.location));
    if (!pk.mediabase.empty()) repodata_set_poolstr(data, p, SOLVABLE_MEDIABASE, cstr(pk.mediabase));
    if (!pk.summary.empty()) repodata_set_str(data, p, SOLVABLE_SUMMARY, cstr(pk.summary));
    if (!pk.url.empty()) repodata_set_str(data, p, SOLVABLE_URL, cstr(pk.url));
    if (!pk.license.empty()) repodata_set_poolstr(data, p, SOLVABLE_LICENSE, cstr(pk.license));
    if (!pk.sourcerpm.empty()) repodata_set_sourcepkg(data, p, cstr(pk.sourcerpm));
    if (pk.download_size) repodata_set_num(data, p, SOLVABLE_DOWNLOADSIZE, pk.download_size);
    if (pk.install_size) repodata_set_num(data, p, SOLVABLE_INSTALLSIZE, pk.install_size);
    if (pk.build_time) repodata_set_num(data, p, SOLVABLE_BUILDTIME, pk.build_time);
  }
  repo_internalize(repo);
}

std::vector<std::vector<uint32_t>> reachable_packages(const std::vector<const DepIndex*>& indexes,
                                                      const std::vector<std::string>& roots) {
  std::vector<std::vector<uint32_t>> out(indexes.size());
  std::vector<std::vector<char>> taken;
  for (const DepIndex* idx : indexes) taken.emplace_back(idx->size(), 0);
  std::vector<std::pair<size_t, uint32_t>> todo;
  auto take = [&](size_t k, uint32_t pkg) {
    if (pkg >= indexes[k]->size() || taken[k][pkg]) return;
    taken[k][pkg] = 1;
    out[k].push_back(pkg);
    todo.emplace_back(k, pkg);
  };
  // NAME looked up in every index: a wanted name brings its providers; any
  // name reached brings what obsoletes or supplements it.
  auto look = [&](std::string_view name, bool wanted) {
    for (size_t k = 0; k < indexes.size(); ++k) {
      DepIndex::Postings post = indexes[k]->lookup(name);
      if (wanted)
        for (uint32_t p : post.provides) take(k, p);
      for (uint32_t p : post.obsoletes) take(k, p);
      for (uint32_t p : post.supplements) take(k, p);
    }
  };
  for (const auto& r : roots) look(r, true);
  // Within one index the record lists what a package reaches; with more
  // indexes, all are asked by name too. Each name is asked once.
  std::unordered_set<std::string> asked_wanted, asked_offered;
  while (!todo.empty()) {
    auto [k, pkg] = todo.back();
    todo.pop_back();
    DepIndex::Package pk = indexes[k]->package(pkg);
    for (uint32_t q : pk.reaches) take(k, q);
    if (indexes.size() == 1) continue;
    wanted_names(pk, [&](std::string_view n) {
      if (asked_wanted.emplace(n).second) look(n, true);
    });
    offered_names(pk, [&](std::string_view n) {
      if (asked_offered.emplace(n).second) look(n, false);
    });
  }
  for (auto& v : out) std::sort(v.begin(), v.end());
  return out;
}

}  // namespace yumda
