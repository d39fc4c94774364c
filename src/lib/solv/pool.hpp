// The one place that sees libsolv's structs: an RAII Pool with typed
// accessors (NEVRA, dependencies as strings, the live solvables), and owners
// for the Solver, Transaction, Dataiterator and Queue handles. repo/ and
// resolve/ ask it instead of doing Id arithmetic on pool->solvables.
// (Shaped after dnf5's libdnf5/solv/.)
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "solv/queue.hpp"
#include "solv/solv.hpp"
#include "yumda/c_unique.hpp"
#include "yumda/nevra.hpp"

namespace yumda {

using UniqueSolver = c_unique<Solver, solver_free>;
using UniqueTransaction = c_unique<Transaction, transaction_free>;

// Owns a libsolv Pool set up for RPM (checked), for ARCH.
class Pool {
 public:
  // Throws Error when libsolv lacks RPM support, UsageError for an unknown ARCH.
  explicit Pool(const std::string& arch);
  ~Pool();
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;
  ::Pool* get() const { return pool_; }

  Solvable* solvable(Id id) const { return pool_->solvables + id; }
  const char* str(Id id) const { return pool_id2str(pool_, id); }
  Id id(std::string_view s, bool create = true) const {
    return pool_strn2id(pool_, s.data(), static_cast<unsigned>(s.size()), create ? 1 : 0);
  }
  // "name op evr", or a rich dep, as rpm and dnf print it.
  const char* dep_str(Id dep) const { return pool_dep2str(pool_, dep); }
  int evrcmp(Id a, Id b) const { return pool_evrcmp(pool_, a, b, EVRCMP_COMPARE); }

  Nevra nevra(Id id) const;
  // ID's dependencies of KEY (SOLVABLE_PROVIDES, SOLVABLE_REQUIRES...) as
  // strings, libsolv's pre-requires and file markers left out.
  std::vector<std::string> deps(Id id, Id key) const;
  // "name", "name op evr" or a rich "(a or b)", as deps() prints them, back to
  // a dependency Id; 0 for blank text.
  Id parse_dep(const std::string& text) const;

  bool in_installed(Id id) const { return solvable(id)->repo == pool_->installed; }
  // In a repo that is not the installed one.
  bool available(Id id) const {
    const Solvable* s = solvable(id);
    return s->repo && s->repo != pool_->installed;
  }
  bool is_source(Id id) const { return solvable(id)->arch == ARCH_SRC || solvable(id)->arch == ARCH_NOSRC; }
  const char* repo_name(Id id) const {
    const char* n = solvable(id)->repo->name;
    return n ? n : "";
  }

  // The Ids of the solvables that belong to a repo (libsolv leaves freed
  // slots and its two reserved ones empty), ascending: for (Id id : pool.solvables()).
  class Solvables {
   public:
    class iterator {
     public:
      iterator(const ::Pool* p, Id id) : p_(p), id_(id) { skip(); }
      Id operator*() const { return id_; }
      iterator& operator++() {
        ++id_;
        skip();
        return *this;
      }
      bool operator!=(const iterator& o) const { return id_ != o.id_; }

     private:
      void skip() {
        while (id_ < p_->nsolvables && !p_->solvables[id_].repo) ++id_;
      }
      const ::Pool* p_;
      Id id_;
    };
    explicit Solvables(const ::Pool* p) : p_(p) {}
    iterator begin() const { return {p_, 2}; }
    iterator end() const { return {p_, p_->nsolvables}; }

   private:
    const ::Pool* p_;
  };
  Solvables solvables() const { return Solvables(pool_); }

  // Calls F(dep) for each dependency at OFFSET of ID's repo (an Offset field
  // of its Solvable: provides, solv_requires...), markers skipped.
  template <typename F>
  void for_each_dep(Id id, Offset offset, F&& f) const {
    if (!offset) return;
    for (Id* dp = solvable(id)->repo->idarraydata + offset; *dp; ++dp)
      if (*dp != SOLVABLE_PREREQMARKER && *dp != SOLVABLE_FILEMARKER) f(*dp);
  }

 private:
  ::Pool* pool_;
};

// Walks the values of KEY of solvable ID (SOLVABLE_FILELIST: its paths).
class DataIterator {
 public:
  DataIterator(const Pool& pool, Id id, Id key, int flags) {
    dataiterator_init(&di_, pool.get(), nullptr, id, key, nullptr, flags);
  }
  ~DataIterator() { dataiterator_free(&di_); }
  DataIterator(const DataIterator&) = delete;
  DataIterator& operator=(const DataIterator&) = delete;
  bool step() { return dataiterator_step(&di_) != 0; }
  const char* str() const { return di_.kv.str; }

 private:
  Dataiterator di_;
};

}  // namespace yumda
