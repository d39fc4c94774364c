// Internal to primary_xml.cpp: the package side of the primary.xml scanner.
// The Scanner there walks the XML (tags, attributes, libsolv's parser
// states); a PackageBuilder is handed each element of a <package> and turns
// it into the solvable, and its attributes into repodata or, given a dep
// index writer, into the package's record there. Included by primary_xml.cpp
// alone, as primary_xml_lexer.hpp is, so it keeps internal linkage (and the
// same code: every call inlines as before the split).
#pragma once
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "fastload/dep_index.hpp"
#include "fastload/primary_xml_lexer.hpp"
#include "solv/solv.hpp"

namespace yumda {
namespace {

// The attributes of the start tag being read: the first N of the scanner's
// reused vector.
class TagAttrs {
 public:
  TagAttrs(const Attr* all, int n) : all_(all), n_(static_cast<size_t>(n)) {}
  const std::string* get(std::string_view name) const {
    for (size_t i = 0; i < n_; ++i)
      if (all_[i].name == name) return &all_[i].value;
    return nullptr;
  }
  const Attr* begin() const { return all_; }
  const Attr* end() const { return all_ + n_; }

 private:
  const Attr* all_;
  size_t n_;
};

// Reads packages into solvables of REPO. What is not in the Solvable struct
// goes to repodata, or, given an INDEX, only to each package's record there:
// a cold install needs the dep index, never the repo, and building repodata
// (then looking every attribute up again to write the record) was half of
// the work.
class PackageBuilder {
 public:
  PackageBuilder(Repo* repo, DepIndexWriter* index) : repo_(repo), pool_(repo->pool), index_(index) {
    if (!index_) data_ = repo_add_repodata(repo, 0);
  }

  void start_package() {
    handle_ = repo_add_solvable(repo_);
    touched_ = false;
    if (index_) {
      pkg_attrs_.clear();
      files_.clear();
      seen_ = 0;
    }
  }

  // An element in a <package> (or its <format>) starts: what it sets, and
  // the parser state it leaves the frame in (St::skip, unless it is read).
  void open(Frame& f, TagAttrs a) {
    Solvable* s = pool_id2solvable(pool_, handle_);
    switch (f.el) {
      case El::format:
        f.st = St::solvable;
        return;
      case El::name:
      case El::arch:
      case El::vendor:
      case El::license:
      case El::sourcerpm:
      case El::url:
      case El::file:
        f.st = St::content;
        return;
      case El::summary:
        if (const std::string* lang = a.get("lang"); lang && !lang->empty() && *lang != "en")
          unsupported();  // a translated summary goes to another key
        f.st = St::content;
        return;
      case El::checksum: {
        const std::string* type = a.get("type");
        checksum_type_ = type && !type->empty() ? solv_chksum_str2type(type->c_str()) : 0;
        if (!checksum_type_) unsupported();  // libsolv reports this as an error
        f.st = St::content;
        return;
      }
      case El::version:
        identity_changed(kEvr);
        s->evr = evr_from_attrs(a);
        return;
      case El::location:
        set_location(a);
        return;
      case El::time:
        if (const std::string* build = a.get("build")) {
          auto t = static_cast<unsigned>(atoi(build->c_str()));
          if (t) set_num(SOLVABLE_BUILDTIME, t);
        }
        return;
      case El::size:
        if (const std::string* v = a.get("installed")) set_num(SOLVABLE_INSTALLSIZE, strtoull(v->c_str(), nullptr, 10));
        if (const std::string* v = a.get("package")) set_num(SOLVABLE_DOWNLOADSIZE, strtoull(v->c_str(), nullptr, 10));
        return;
      case El::dep_list:
        s->*kDepFields[f.dep] = 0;  // a second list replaces the first, as in libsolv
        f.st = St::deps;
        return;
      case El::dropped:
        if (std::string_view(f.name) == "rpm:header-range") {  // length first: no strlen per element
          const std::string* end = a.get("end");
          if (end && atoi(end->c_str()) != 0) touched_ = true;
        }
        return;
      case El::no_op:
        return;
      case El::unhandled:
        unsupported();
      default:
        f.el = El::unknown;
        return;
    }
  }

  // The text of a content element, once it is read.
  void end_content(El el, const std::string& text) {
    Solvable* s = pool_id2solvable(pool_, handle_);
    switch (el) {
      case El::name:
        identity_changed(kName);
        s->name = str_id(text);
        break;
      case El::arch:
        identity_changed(kArch);
        s->arch = str_id(text);
        break;
      case El::vendor:
        s->vendor = str_id(text);
        break;
      case El::license:
        if (index_) pkg_attrs_.license = text;
        else repodata_set_poolstr(data_, handle_, SOLVABLE_LICENSE, text.c_str());
        break;
      case El::summary:
        if (index_) pkg_attrs_.summary = text;
        else repodata_set_str(data_, handle_, SOLVABLE_SUMMARY, text.c_str());
        break;
      case El::url:
        if (text.empty()) break;
        if (index_) pkg_attrs_.url = text;
        else repodata_set_str(data_, handle_, SOLVABLE_URL, text.c_str());
        break;
      case El::sourcerpm:
        if (!text.empty()) set_sourcerpm(text);
        break;
      case El::checksum:
        set_checksum(text);
        break;
      case El::file:
        add_file(text);
        break;
      default:
        break;
    }
  }

  Id str_id(const std::string& s) { return pool_strn2id(pool_, s.data(), static_cast<unsigned>(s.size()), 1); }

  void finish_package() {
    Solvable* s = pool_id2solvable(pool_, handle_);
    if (!s->arch) s->arch = ARCH_NOARCH;
    if (!s->evr) s->evr = ID_EMPTY;
    if (s->name && s->arch != ARCH_SRC && s->arch != ARCH_NOSRC)
      s->provides = repo_addid_dep(repo_, s->provides, pool_rel2id(pool_, s->name, s->evr, REL_EQ, 1), 0);
    repo_rewrite_suse_deps(s, 0);
    if (index_) return index_->add(handle_, pkg_attrs_, files_.data(), files_.size());
    if (touched_) repodata_extend(data_, handle_);
  }

  void finish() {
    if (index_) return;
    repodata_free_dircache(data_);
    if (data_->end > data_->start) {
      repodata_set_filelisttype(data_, REPODATA_FILELIST_FILTERED);
      repodata_set_void(data_, SOLVID_META, REPOSITORY_FILTEREDFILELIST);
    }
    repodata_internalize(data_);
  }

  // An rpm:entry in the dependency list KIND.
  void add_dep(int kind, TagAttrs attrs) {
    const std::string *name = nullptr, *flags = nullptr, *dep_kind = nullptr;
    bool is_req = kind == kRequires;
    Id marker = is_req ? -SOLVABLE_PREREQMARKER : 0;
    // string_view literals: the length is compared first (std::string ==
    // const char* runs strlen and compare for every attribute, 5% of a scan).
    using namespace std::string_view_literals;
    for (const Attr& a : attrs) {
      const std::string_view n = a.name;
      if (n == "name"sv)
        name = &a.value;
      else if (n == "flags"sv)
        flags = &a.value;
      else if (n == "kind"sv)
        dep_kind = &a.value;
      else if (is_req && n == "pre"sv && !a.value.empty() && a.value[0] == '1')
        marker = SOLVABLE_PREREQMARKER;
    }
    if (!name) return;
    if (dep_kind && *dep_kind == "package") dep_kind = nullptr;
    Id id;
    if (dep_kind) {
      id = str_id(*dep_kind + ":" + *name);
    } else if (!flags && !name->empty() && (*name)[0] == '(') {
      id = pool_parserpmrichdep(pool_, name->c_str());
      if (!id) return;  // libsolv drops a rich dep it cannot parse
    } else {
      id = str_id(*name);
    }
    if (flags) {
      static constexpr std::string_view kFlags[] = {"GT", "EQ", "GE", "LT", "NE", "LE"};
      int rel = 0;
      for (int i = 0; i < 6; ++i)
        if (*flags == kFlags[i]) rel = i + 1;  // GT=1 EQ=2 GE=3 LT=4 NE=5 LE=6: libsolv's REL bits
      id = pool_rel2id(pool_, id, evr_from_attrs(attrs), rel, 1);
    }
    Offset& field = pool_id2solvable(pool_, handle_)->*kDepFields[kind];
    field = repo_addid_dep(repo_, field, id, marker);
  }

  // A dropped key is not kept, but libsolv still records that the package
  // has data, which decides the repo's filtered-filelist flag.
  void touch() { touched_ = true; }

 private:
  void set_num(Id key, uint64_t v) {
    if (!index_) return repodata_set_num(data_, handle_, key, v);
    (key == SOLVABLE_INSTALLSIZE    ? pkg_attrs_.install_size
     : key == SOLVABLE_DOWNLOADSIZE ? pkg_attrs_.download_size
                                    : pkg_attrs_.build_time) = v;
  }

  // For the index, the location and source rpm are kept as the text libsolv
  // would give back: its repodata stores them relative to the package's
  // name, evr and arch (as they are when set) and rebuilds them on lookup.
  // So those must come first and stay (createrepo writes them first), and
  // a value libsolv would not store as it is goes to the repodata path.
  enum Seen { kName = 1, kEvr = 2, kArch = 4, kIdentity = 7, kRelative = 8 };
  void identity_changed(int part) {
    if (!index_) return;
    if (seen_ & kRelative) unsupported();
    seen_ |= part;
  }

  void set_sourcerpm(const std::string& text) {
    if (!index_) return repodata_set_sourcepkg(data_, handle_, text.c_str());
    if ((seen_ & kIdentity) != kIdentity || pkg_attrs_.sourcerpm) unsupported();
    // name-version-release.src.rpm (or nosrc), as libsolv splits it: other
    // values come back from its lookup changed or cut to the name.
    std::string_view t = text;
    if (t.size() < 4 || t.substr(t.size() - 4) != ".rpm" || t.find('\0') != std::string_view::npos) unsupported();
    std::string_view stem = t.substr(0, t.size() - 4);
    size_t dot = stem.rfind('.');
    if (dot == std::string_view::npos || dot == 0 || (stem.substr(dot + 1) != "src" && stem.substr(dot + 1) != "nosrc"))
      unsupported();
    size_t rel = stem.rfind('-', dot - 1);
    if (rel == std::string_view::npos || rel == 0) unsupported();
    size_t ver = stem.rfind('-', rel - 1);
    if (ver == std::string_view::npos || ver == 0) unsupported();
    pkg_attrs_.sourcerpm = text;
    seen_ |= kRelative;
  }

  // epoch:version-release from the attributes, as libsolv joins them: an
  // epoch of "0" is left out unless the version itself holds a ':'.
  Id evr_from_attrs(TagAttrs a) {
    const std::string* e = a.get("epoch");
    const std::string* v = a.get("ver");
    const std::string* r = a.get("rel");
    if (e && (e->empty() || *e == "0")) e = nullptr;
    static const std::string kZero = "0";
    if (v && !e) {
      size_t i = 0;
      while (i < v->size() && (*v)[i] >= '0' && (*v)[i] <= '9') ++i;
      if (i > 0 && i < v->size() && (*v)[i] == ':') e = &kZero;
    }
    evr_.clear();
    if (e) {
      evr_ += *e;
      evr_ += ':';
    }
    if (v) evr_ += *v;
    if (r) {
      evr_ += '-';
      evr_ += *r;
    }
    return evr_.empty() ? 0 : str_id(evr_);
  }

  void set_location(TagAttrs a) {
    const std::string* href = a.get("href");
    if (!href) return;
    const std::string* base = a.get("xml:base");
    if (index_) {
      // Kept as written only when libsolv stores it so: once, a path relative
      // to the repo (no leading '/' or "./", which libsolv strips, not a dir),
      // after name, evr, arch. AL2023's "../../../../blobstore/..." stays.
      const std::string& h = *href;
      const bool dot_slash = h[0] == '.' && (h.size() == 1 || h[1] == '/');
      if ((seen_ & kIdentity) != kIdentity || pkg_attrs_.location || h.empty() || h[0] == '/' || dot_slash ||
          h.back() == '/' || h.find('\0') != std::string::npos)
        unsupported();
      pkg_attrs_.location = h;
      if (base) pkg_attrs_.mediabase = *base;
      seen_ |= kRelative;
      return;
    }
    int medianr = 0;
    if (base && base->compare(0, 6, "media:") == 0) {
      // a media number in the fragment: media:...#2
      size_t l = base->size();
      while (l && (*base)[l - 1] >= '0' && (*base)[l - 1] <= '9') --l;
      if (l && (*base)[l - 1] == '#' && l < base->size()) medianr = atoi(base->c_str() + l);
    }
    repodata_set_location(data_, handle_, medianr, nullptr, href->c_str());
    if (base) repodata_set_poolstr(data_, handle_, SOLVABLE_MEDIABASE, base->c_str());
  }

  void set_checksum(const std::string& text) {
    unsigned char bin[256];
    int len = solv_chksum_len(checksum_type_);
    if (!len || len > static_cast<int>(sizeof bin)) return;
    const char* str = text.c_str();
    if (solv_hex2bin(&str, bin, len) != len || text.size() != static_cast<size_t>(2 * len))
      unsupported();  // libsolv reports an invalid checksum
    if (!index_) return repodata_set_bin_checksum(data_, handle_, SOLVABLE_CHECKSUM, checksum_type_, bin);
    std::string hex = text;  // valid hex (solv_hex2bin said so): lower-cased in place, no locale
    for (char& c : hex)
      if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
    pkg_attrs_.checksum = std::move(hex);
    pkg_attrs_.checksum_type = static_cast<uint32_t>(checksum_type_);
  }

  // <file>: its directory (made absolute) and base name; the last directory
  // is remembered, as files come sorted.
  void add_file(const std::string& text) {
    if (index_) return add_file_to_index(text);
    size_t slash = text.rfind('/');
    const char* base;
    Id dir;
    if (slash == std::string::npos) {
      base = text.c_str();
      dir = repodata_str2dir(data_, "/", 1);
    } else {
      std::string_view d(text.data(), slash);
      if (!last_dir_ || d != last_dir_str_) {
        last_dir_str_.assign(d);
        dir_buf_.clear();
        if (d.empty() || d[0] != '/') dir_buf_ += '/';
        dir_buf_ += d;
        last_dir_ = repodata_str2dir(data_, dir_buf_.c_str(), 1);
      }
      dir = last_dir_;
      base = text.c_str() + slash + 1;
    }
    repodata_add_dirstr(data_, handle_, SOLVABLE_FILELIST, dir, base);
  }

  // The path libsolv gives back for <file>TEXT</file>: the directory made
  // absolute with empty components dropped, then '/' and the base name.
  void add_file_to_index(const std::string& text) {
    if (text.find('\0') != std::string::npos) unsupported();
    size_t slash = text.rfind('/');
    path_.clear();
    if (slash != std::string::npos) {
      for (size_t i = 0; i < slash;) {
        size_t next = text.find('/', i);
        if (next == std::string::npos || next > slash) next = slash;
        if (next > i) {
          path_ += '/';
          path_.append(text, i, next - i);
        }
        i = next + 1;
      }
    }
    path_ += '/';
    path_.append(text, slash == std::string::npos ? 0 : slash + 1, std::string::npos);
    files_.push_back(pool_strn2id(pool_, path_.data(), static_cast<unsigned>(path_.size()), 1));
  }

  Repo* repo_;
  ::Pool* pool_;
  Repodata* data_ = nullptr;
  DepIndexWriter* index_;
  IndexAttrs pkg_attrs_;   // the package's attributes, for the index
  std::vector<Id> files_;  // its files, for the index
  std::string path_;
  int seen_ = 0;  // Seen bits of the package, for the index
  std::string evr_, last_dir_str_, dir_buf_;
  Id last_dir_ = 0;
  Id handle_ = 0;
  Id checksum_type_ = 0;
  bool touched_ = false;  // the package got a dropped key libsolv would set
};

}  // namespace
}  // namespace yumda
