#include "solv/pool.hpp"

#include "yumda/error.hpp"

namespace yumda {

Pool::Pool(const std::string& arch) : pool_(pool_create()) {
  if (!pool_) throw Error("cannot create a libsolv pool (out of memory)");
  if (pool_setdisttype(pool_, DISTTYPE_RPM) == -1) {
    pool_free(pool_);
    throw Error("this libsolv was built without RPM support: install a libsolv with rpm-md support");
  }
  pool_setarch(pool_, arch.c_str());
  if (!pool_->id2arch) {
    pool_free(pool_);
    throw UsageError("unknown architecture '" + arch + "': use x86_64 or aarch64 (--forcearch / arch=)");
  }
}

Pool::~Pool() { pool_free(pool_); }

Nevra Pool::nevra(Id id) const {
  const Solvable* s = solvable(id);
  Nevra n;
  n.name = str(s->name);
  n.arch = str(s->arch);
  std::string_view evr = str(s->evr);
  if (auto colon = evr.find(':'); colon != std::string_view::npos) {
    n.epoch = evr.substr(0, colon);
    evr.remove_prefix(colon + 1);
  }
  if (auto dash = evr.rfind('-'); dash != std::string_view::npos) {
    n.version = evr.substr(0, dash);
    n.release = evr.substr(dash + 1);
  } else {
    n.version = evr;
  }
  return n;
}

std::vector<std::string> Pool::deps(Id id, Id key) const {
  SolvQueue q;
  solvable_lookup_deparray(solvable(id), key, q.get(), 0);
  std::vector<std::string> out;
  out.reserve(static_cast<size_t>(q.size()));
  for (Id dep : q)
    if (dep != SOLVABLE_PREREQMARKER && dep != SOLVABLE_FILEMARKER) out.emplace_back(dep_str(dep));
  return out;
}

Id Pool::parse_dep(const std::string& text) const {
  std::string_view t(text);
  while (!t.empty() && t.front() == ' ') t.remove_prefix(1);
  while (!t.empty() && t.back() == ' ') t.remove_suffix(1);
  if (t.empty()) return 0;
  std::string s(t);
  if (s.front() == '(')
    if (Id id = pool_parserpmrichdep(pool_, s.c_str())) return id;
  auto sp1 = s.find(' ');
  if (sp1 != std::string::npos) {
    auto sp2 = s.find(' ', sp1 + 1);
    if (sp2 != std::string::npos && s.find(' ', sp2 + 1) == std::string::npos) {
      std::string op = s.substr(sp1 + 1, sp2 - sp1 - 1);
      int flags = op == "=" || op == "==" ? REL_EQ
                  : op == "<"             ? REL_LT
                  : op == ">"             ? REL_GT
                  : op == "<="            ? (REL_LT | REL_EQ)
                  : op == ">="            ? (REL_GT | REL_EQ)
                                          : 0;
      if (flags)
        return pool_rel2id(pool_, pool_strn2id(pool_, s.c_str(), static_cast<unsigned>(sp1), 1),
                           pool_str2id(pool_, s.c_str() + sp2 + 1, 1), flags, 1);
    }
  }
  return pool_str2id(pool_, s.c_str(), 1);
}

}  // namespace yumda
