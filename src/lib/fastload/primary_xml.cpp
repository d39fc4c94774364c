// primary.xml without expat. libsolv's repo_add_rpmmd spends most of a cold
// load in expat, in copies of every attribute and in a state lookup per tag;
// here one pass over big decompressed chunks (read ahead by a second thread)
// validates the XML as strictly as expat, decodes only what libsolv keeps and
// calls the same libsolv functions in the same order per package.
//
// The semantics follow libsolv 0.7's ext/repo_rpmmd.c: elements are known
// only in their state (<package> at the top, <name> etc. in a package,
// <format> transparent, rpm:entry in a dependency list); anything unknown is
// skipped with its subtree. Anything this scanner is not sure about throws
// Unsupported, and the whole file is read again by repo_add_rpmmd.
#include "fastload/primary_xml.hpp"

#include <array>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <string_view>
#include <thread>
#include <vector>

#include "fastload/dep_index.hpp"
#include "fastload/primary_xml_lexer.hpp"
#include "solv/solv.hpp"
#include "solv/xml_stream.hpp"
#include "yumda/c_unique.hpp"
#include "yumda/error.hpp"
#include "yumda/reporter.hpp"

namespace yumda {
namespace {

// Reads packages into solvables of REPO. What is not in the Solvable struct
// goes to repodata, or, given an INDEX, only to each package's record there:
// a cold install needs the dep index, never the repo, and building repodata
// (then looking every attribute up again to write the record) was half of
// the work.
class Scanner {
 public:
  Scanner(Repo* repo, ChunkReader& reader, DepIndexWriter* index = nullptr)
      : repo_(repo), pool_(repo->pool), lex_(reader), index_(index) {
    if (!index_) data_ = repo_add_repodata(repo, 0);
  }

  void run() {
    prolog();
    start_tag();
    while (depth_ > 0) {
      const Frame& f = stack_[depth_ - 1];
      bool any = lex_.text(f.st == St::content ? &text_ : nullptr);
      if (any && f.el == El::dropped) dropped_text_ = true;
      if (lex_.get() != '<') unsupported();  // the end of input inside an element
      int c = lex_.peek();
      if (c == '/') {
        lex_.get();
        end_tag();
      } else {
        start_tag();  // '!' (comment, CDATA) and '?' fail there: not a name
      }
    }
    lex_.skip_space();
    if (lex_.peek() >= 0) unsupported();  // anything after the root element
    finish();
  }

 private:
  // An optional BOM and <?xml version="1.0" encoding="UTF-8"?>, then the root.
  void prolog() {
    if (lex_.peek() == 0xEF) {
      lex_.get();
      if (lex_.get() != 0xBB || lex_.get() != 0xBF) unsupported();
    }
    lex_.expect('<');
    if (lex_.peek() == '?') {
      lex_.get();
      std::string target;
      lex_.name(target);
      if (target != "xml") unsupported();
      int n = 0;
      static constexpr std::string_view kOrder[] = {"version", "encoding", "standalone"};
      size_t next = 0;
      for (;;) {
        bool space = lex_.skip_space();
        if (lex_.peek() == '?') break;
        if (!space) unsupported();
        read_attr(n++);
        const Attr& a = attrs_[static_cast<size_t>(n - 1)];
        while (next < 3 && kOrder[next] != a.name) ++next;
        if (next == 3 || (n == 1 && next != 0)) unsupported();
        if (next == 0 && a.value != "1.0") unsupported();
        if (next == 1 && strcasecmp(a.value.c_str(), "UTF-8") != 0) unsupported();
        if (next == 2 && a.value != "yes" && a.value != "no") unsupported();
        ++next;
      }
      lex_.get();
      lex_.expect('>');
      if (n == 0) unsupported();
      lex_.skip_space();
      lex_.expect('<');
    }
  }

  void read_attr(int i) {
    if (static_cast<size_t>(i) == attrs_.size()) attrs_.emplace_back();
    Attr& a = attrs_[static_cast<size_t>(i)];
    lex_.name(a.name);
    lex_.skip_space();
    lex_.expect('=');
    lex_.skip_space();
    int q = lex_.get();
    if (q != '"' && q != '\'') unsupported();
    lex_.attr_value(q, a.value);
    for (int j = 0; j < i; ++j)
      if (attrs_[static_cast<size_t>(j)].name == a.name) unsupported();  // expat rejects duplicates
  }

  // After '<': the element name, its attributes, and what it means.
  void start_tag() {
    if (static_cast<size_t>(depth_) == stack_.size()) stack_.emplace_back();
    Frame& f = stack_[static_cast<size_t>(depth_)];
    lex_.name(f.name);
    nattrs_ = 0;
    bool empty = false;
    for (;;) {
      bool space = lex_.skip_space();
      int c = lex_.peek();
      if (c == '>') {
        lex_.get();
        break;
      }
      if (c == '/') {
        lex_.get();
        lex_.expect('>');
        empty = true;
        break;
      }
      if (!space) unsupported();
      read_attr(nattrs_++);
    }
    ++depth_;
    open(f);
    if (empty) close(f);
    if (empty) --depth_;
  }

  void end_tag() {
    std::string& name = end_name_;
    lex_.name(name);
    lex_.skip_space();
    lex_.expect('>');
    Frame& f = stack_[static_cast<size_t>(depth_ - 1)];
    if (name != f.name) unsupported();  // mismatched tags
    close(f);
    --depth_;
  }

  const std::string* attr(std::string_view name) const {
    for (int i = 0; i < nattrs_; ++i)
      if (attrs_[static_cast<size_t>(i)].name == name) return &attrs_[static_cast<size_t>(i)].value;
    return nullptr;
  }

  // What libsolv's startElement does.
  void open(Frame& f) {
    St parent = depth_ > 1 ? stack_[static_cast<size_t>(depth_ - 2)].st : St::top;
    const ElInfo& info = lookup(f.name);
    f.el = info.el;
    f.dep = info.dep;
    f.closes_package = false;
    f.st = St::skip;
    switch (parent) {
      case St::top:
        if (info.el == El::top) {
          f.st = St::top;
        } else if (info.el == El::package) {
          if (attr("pkgid")) unsupported();  // extension data (other.xml style)
          start_package();
          f.st = St::solvable;
          f.closes_package = true;
        } else if (info.el == El::other_kind) {
          unsupported();
        } else {
          f.el = El::unknown;
        }
        return;
      case St::solvable:
        open_in_solvable(f);
        return;
      case St::deps:
        if (info.el == El::entry) {
          add_dep(stack_[static_cast<size_t>(depth_ - 2)].dep);
        } else {
          f.el = El::unknown;
        }
        return;
      case St::content:
        unsupported();  // libsolv would drop the text around it
      case St::skip:
        f.el = El::unknown;
        return;
    }
  }

  void open_in_solvable(Frame& f) {
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
        text_.clear();
        return;
      case El::summary:
        if (const std::string* lang = attr("lang"); lang && !lang->empty() && *lang != "en")
          unsupported();  // a translated summary goes to another key
        f.st = St::content;
        text_.clear();
        return;
      case El::checksum: {
        const std::string* type = attr("type");
        checksum_type_ = type && !type->empty() ? solv_chksum_str2type(type->c_str()) : 0;
        if (!checksum_type_) unsupported();  // libsolv reports this as an error
        f.st = St::content;
        text_.clear();
        return;
      }
      case El::version:
        identity_changed(kEvr);
        s->evr = evr_from_attrs();
        return;
      case El::location:
        set_location();
        return;
      case El::time:
        if (const std::string* build = attr("build")) {
          auto t = static_cast<unsigned>(atoi(build->c_str()));
          if (t) set_num(SOLVABLE_BUILDTIME, t);
        }
        return;
      case El::size:
        if (const std::string* v = attr("installed")) set_num(SOLVABLE_INSTALLSIZE, strtoull(v->c_str(), nullptr, 10));
        if (const std::string* v = attr("package")) set_num(SOLVABLE_DOWNLOADSIZE, strtoull(v->c_str(), nullptr, 10));
        return;
      case El::dep_list:
        s->*kDepFields[f.dep] = 0;  // a second list replaces the first, as in libsolv
        f.st = St::deps;
        return;
      case El::dropped:
        dropped_text_ = false;
        if (f.name == "rpm:header-range") {
          const std::string* end = attr("end");
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

  // What libsolv's endElement does.
  void close(Frame& f) {
    if (f.closes_package) {
      finish_package();
      return;
    }
    if (f.st == St::content) {
      end_content(f.el);
      return;
    }
    // Dropped keys are not kept, but libsolv still records that the package
    // has data, which decides the repo's filtered-filelist flag.
    if (f.el == El::dropped && depth_ >= 2 && stack_[static_cast<size_t>(depth_ - 2)].st == St::solvable) {
      bool always = f.name == "rpm:group" || f.name == "distribution" || f.name == "changelog";
      if (always || dropped_text_) touched_ = true;
    }
  }

  void end_content(El el) {
    Solvable* s = pool_id2solvable(pool_, handle_);
    switch (el) {
      case El::name:
        identity_changed(kName);
        s->name = str_id(text_);
        break;
      case El::arch:
        identity_changed(kArch);
        s->arch = str_id(text_);
        break;
      case El::vendor:
        s->vendor = str_id(text_);
        break;
      case El::license:
        if (index_) pkg_attrs_.license = text_;
        else repodata_set_poolstr(data_, handle_, SOLVABLE_LICENSE, text_.c_str());
        break;
      case El::summary:
        if (index_) pkg_attrs_.summary = text_;
        else repodata_set_str(data_, handle_, SOLVABLE_SUMMARY, text_.c_str());
        break;
      case El::url:
        if (text_.empty()) break;
        if (index_) pkg_attrs_.url = text_;
        else repodata_set_str(data_, handle_, SOLVABLE_URL, text_.c_str());
        break;
      case El::sourcerpm:
        if (!text_.empty()) set_sourcerpm();
        break;
      case El::checksum:
        set_checksum();
        break;
      case El::file:
        add_file();
        break;
      default:
        break;
    }
  }

  Id str_id(const std::string& s) { return pool_strn2id(pool_, s.data(), static_cast<unsigned>(s.size()), 1); }

  void start_package() {
    handle_ = repo_add_solvable(repo_);
    touched_ = false;
    if (index_) {
      pkg_attrs_.clear();
      files_.clear();
      seen_ = 0;
    }
  }

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

  void set_sourcerpm() {
    if (!index_) return repodata_set_sourcepkg(data_, handle_, text_.c_str());
    if ((seen_ & kIdentity) != kIdentity || pkg_attrs_.sourcerpm) unsupported();
    // name-version-release.src.rpm (or nosrc), as libsolv splits it: other
    // values come back from its lookup changed or cut to the name.
    std::string_view t = text_;
    if (t.size() < 4 || t.substr(t.size() - 4) != ".rpm" || t.find('\0') != std::string_view::npos) unsupported();
    std::string_view stem = t.substr(0, t.size() - 4);
    size_t dot = stem.rfind('.');
    if (dot == std::string_view::npos || dot == 0 || (stem.substr(dot + 1) != "src" && stem.substr(dot + 1) != "nosrc"))
      unsupported();
    size_t rel = stem.rfind('-', dot - 1);
    if (rel == std::string_view::npos || rel == 0) unsupported();
    size_t ver = stem.rfind('-', rel - 1);
    if (ver == std::string_view::npos || ver == 0) unsupported();
    pkg_attrs_.sourcerpm = text_;
    seen_ |= kRelative;
  }

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

  // epoch:version-release from the attributes, as libsolv joins them: an
  // epoch of "0" is left out unless the version itself holds a ':'.
  Id evr_from_attrs() {
    const std::string* e = attr("epoch");
    const std::string* v = attr("ver");
    const std::string* r = attr("rel");
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

  void add_dep(int kind) {
    const std::string *name = nullptr, *flags = nullptr, *dep_kind = nullptr;
    bool is_req = kind == kRequires;
    Id marker = is_req ? -SOLVABLE_PREREQMARKER : 0;
    for (int i = 0; i < nattrs_; ++i) {
      const Attr& a = attrs_[static_cast<size_t>(i)];
      if (a.name == "name")
        name = &a.value;
      else if (a.name == "flags")
        flags = &a.value;
      else if (a.name == "kind")
        dep_kind = &a.value;
      else if (is_req && a.name == "pre" && !a.value.empty() && a.value[0] == '1')
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
      id = pool_rel2id(pool_, id, evr_from_attrs(), rel, 1);
    }
    Offset& field = pool_id2solvable(pool_, handle_)->*kDepFields[kind];
    field = repo_addid_dep(repo_, field, id, marker);
  }

  void set_location() {
    const std::string* href = attr("href");
    if (!href) return;
    const std::string* base = attr("xml:base");
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

  void set_checksum() {
    unsigned char bin[256];
    int len = solv_chksum_len(checksum_type_);
    if (!len || len > static_cast<int>(sizeof bin)) return;
    const char* str = text_.c_str();
    if (solv_hex2bin(&str, bin, len) != len || text_.size() != static_cast<size_t>(2 * len))
      unsupported();  // libsolv reports an invalid checksum
    if (!index_) return repodata_set_bin_checksum(data_, handle_, SOLVABLE_CHECKSUM, checksum_type_, bin);
    std::string hex = text_;
    for (char& c : hex) c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
    pkg_attrs_.checksum = std::move(hex);
    pkg_attrs_.checksum_type = static_cast<uint32_t>(checksum_type_);
  }

  // <file>: its directory (made absolute) and base name; the last directory
  // is remembered, as files come sorted.
  void add_file() {
    if (index_) return add_file_to_index();
    size_t slash = text_.rfind('/');
    const char* base;
    Id dir;
    if (slash == std::string::npos) {
      base = text_.c_str();
      dir = repodata_str2dir(data_, "/", 1);
    } else {
      std::string_view d(text_.data(), slash);
      if (!last_dir_ || d != last_dir_str_) {
        last_dir_str_.assign(d);
        dir_buf_.clear();
        if (d.empty() || d[0] != '/') dir_buf_ += '/';
        dir_buf_ += d;
        last_dir_ = repodata_str2dir(data_, dir_buf_.c_str(), 1);
      }
      dir = last_dir_;
      base = text_.c_str() + slash + 1;
    }
    repodata_add_dirstr(data_, handle_, SOLVABLE_FILELIST, dir, base);
  }

  // The path libsolv gives back for <file>TEXT</file>: the directory made
  // absolute with empty components dropped, then '/' and the base name.
  void add_file_to_index() {
    if (text_.find('\0') != std::string::npos) unsupported();
    size_t slash = text_.rfind('/');
    path_.clear();
    if (slash != std::string::npos) {
      for (size_t i = 0; i < slash;) {
        size_t next = text_.find('/', i);
        if (next == std::string::npos || next > slash) next = slash;
        if (next > i) {
          path_ += '/';
          path_.append(text_, i, next - i);
        }
        i = next + 1;
      }
    }
    path_ += '/';
    path_.append(text_, slash == std::string::npos ? 0 : slash + 1, std::string::npos);
    files_.push_back(pool_strn2id(pool_, path_.data(), static_cast<unsigned>(path_.size()), 1));
  }

  Repo* repo_;
  ::Pool* pool_;
  Repodata* data_ = nullptr;
  Lexer lex_;
  DepIndexWriter* index_;
  IndexAttrs pkg_attrs_;   // the package's attributes, for the index
  std::vector<Id> files_;  // its files, for the index
  std::string path_;
  int seen_ = 0;  // Seen bits of the package, for the index
  std::vector<Frame> stack_;
  int depth_ = 0;
  std::vector<Attr> attrs_;
  int nattrs_ = 0;
  std::string text_, end_name_, evr_, last_dir_str_, dir_buf_;
  Id last_dir_ = 0;
  Id handle_ = 0;
  Id checksum_type_ = 0;
  bool touched_ = false;       // the package got a dropped key libsolv would set
  bool dropped_text_ = false;  // the dropped element being read has text
};

}  // namespace

PrimaryParser add_primary_xml(Repo* repo, const std::string& path, const std::string& repo_id) {
  UniqueFile fp(solv_xfopen(path.c_str(), "r"));
  if (!fp) throw Error("repo " + repo_id + ": cannot open " + path + ": " + errno_text(errno));
  ::Pool* pool = repo->pool;
  Id first = pool->nsolvables;
  int nrepodata = repo->nrepodata;
  try {
    ChunkReader reader(fp.get());
    Scanner(repo, reader).run();
    return PrimaryParser::fast;
  } catch (const Unsupported&) {
  }
  // Undo what the scan added (its solvables and repodata), then let libsolv
  // read the whole file. Strings and relations it interned stay in the pool,
  // unused, which changes nothing a lookup sees.
  if (pool->nsolvables > first) repo_free_solvable_block(repo, first, pool->nsolvables - first, 1);
  if (repo->nrepodata > nrepodata) repodata_free(repo_id2repodata(repo, repo->nrepodata - 1));
  fp.reset();
  add_rpmmd_xml(repo, path, 0, repo_id);
  return PrimaryParser::libsolv;
}

IndexFromPrimary write_dep_index_from_primary(Repo* repo, const std::string& path, const std::string& repo_id,
                                              const std::string& index_path, const std::string& tag) {
  UniqueFile fp(solv_xfopen(path.c_str(), "r"));
  if (!fp) throw Error("repo " + repo_id + ": cannot open " + path + ": " + errno_text(errno));
  DepIndexWriter index(repo, index_path);
  try {
    ChunkReader reader(fp.get());
    Scanner(repo, reader, &index).run();
  } catch (const Unsupported&) {
    return IndexFromPrimary::unsupported;  // the writer, destroyed unfinished, leaves nothing
  }
  pool_freeidhashes(repo->pool);  // nothing is interned from here on: a few MB off the peak
  return index.finish(tag) ? IndexFromPrimary::written : IndexFromPrimary::write_failed;
}

}  // namespace yumda
