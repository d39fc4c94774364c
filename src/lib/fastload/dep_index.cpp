// Reading the dep index (docs/dep-index.md) in parts with pread, every
// part checked before use: the file is untrusted input.
#include "fastload/dep_index.hpp"

#include <unistd.h>

#include <cstring>

#include "fastload/dep_index_format.hpp"
#include "solv/pool.hpp"
#include "yumda/cache_file.hpp"
#include "yumda/error.hpp"
#include "yumda/fs.hpp"

namespace yumda {
using namespace depidx;

namespace {

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

}  // namespace

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
  idx->h_ = h;
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
  size_t mask = h_.table_size - 1;
  std::string buf(name.size() + 1, '\0');
  for (size_t b = name_hash(name) & mask, probes = 0; probes < h_.table_size; b = (b + 1) & mask, ++probes) {
    uint32_t bucket[2];
    if (!file_->read(h_.table + 8 * b, bucket, sizeof bucket)) damaged("a table entry is out of range");
    if (bucket[0] == 0) break;
    uint64_t key = bucket[0] - 1ULL;
    // The key matches when its text is NAME and then its NUL.
    if (key >= h_.keys_size || h_.keys_size - key < buf.size() || !file_->read(h_.keys + key, buf.data(), buf.size()) ||
        buf.back() != '\0' || std::string_view(buf.data(), name.size()) != name)
      continue;
    Postings out;
    uint64_t at = bucket[1];
    for (auto* list : {&out.provides, &out.obsoletes, &out.supplements}) {
      uint32_t n = at < h_.post_size ? word(h_.post + 4 * at) : 0;
      if (at >= h_.post_size || n > h_.post_size - at - 1) damaged("a posting list is out of range");
      list->resize(n);
      if (n && !file_->read(h_.post + 4 * (at + 1), list->data(), 4ULL * n)) damaged("a posting list is out of range");
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
  if (pkg >= h_.npkgs || !file_->read(h_.recidx + 8ULL * pkg, span, sizeof span) || span[0] > span[1] ||
      span[1] > h_.recs_size || !file_->read(h_.reachidx + 8ULL * pkg, reach, sizeof reach) || reach[0] > reach[1] ||
      reach[1] > h_.reach_size)
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
  if (!file_->read(h_.recs + span[0], at, nrec) || !file_->read(h_.reach + reach[0], at + nrec, reach[1] - reach[0]))
    damaged("package record " + std::to_string(pkg));
  auto* start = reinterpret_cast<const unsigned char*>(at);
  Cursor r(start + nrec, start + pk.record.size());
  uint64_t n = r.varint(), prev = 0;
  if (n > pk.record.size()) Cursor::damaged();
  for (uint64_t i = 0; i < n; ++i) {
    prev += r.varint();
    if (prev >= h_.npkgs) Cursor::damaged();
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

}  // namespace yumda
