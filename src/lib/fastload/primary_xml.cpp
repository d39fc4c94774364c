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

#include "fastload/beside.hpp"
#include "fastload/dep_index.hpp"
#include "fastload/primary_xml_lexer.hpp"
#include "fastload/primary_xml_package.hpp"
#include "solv/solv.hpp"
#include "solv/xml_stream.hpp"
#include "yumda/c_unique.hpp"
#include "yumda/error.hpp"
#include "yumda/reporter.hpp"

namespace yumda {
namespace {

// Walks primary.xml as libsolv's rpm-md parser does (its states, what it
// skips, what it refuses) and hands each element of a package to a
// PackageBuilder, which fills REPO (or, given an INDEX, the dep index).
class Scanner {
 public:
  Scanner(Repo* repo, ChunkReader& reader, DepIndexWriter* index = nullptr) : lex_(reader), pkg_(repo, index) {}

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
    pkg_.finish();
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

  TagAttrs tag() const { return TagAttrs(attrs_.data(), nattrs_); }

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
          if (tag().get("pkgid")) unsupported();  // extension data (other.xml style)
          pkg_.start_package();
          f.st = St::solvable;
          f.closes_package = true;
        } else if (info.el == El::other_kind) {
          unsupported();
        } else {
          f.el = El::unknown;
        }
        return;
      case St::solvable:
        text_.clear();           // for a content element; unused by others
        dropped_text_ = false;   // for a dropped one
        pkg_.open(f, tag());
        return;
      case St::deps:
        if (info.el == El::entry) {
          pkg_.add_dep(stack_[static_cast<size_t>(depth_ - 2)].dep, tag());
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

  // What libsolv's endElement does.
  void close(Frame& f) {
    if (f.closes_package) {
      pkg_.finish_package();
      return;
    }
    if (f.st == St::content) {
      pkg_.end_content(f.el, text_);
      return;
    }
    // Dropped keys are not kept, but libsolv still records that the package
    // has data, which decides the repo's filtered-filelist flag.
    if (f.el == El::dropped && depth_ >= 2 && stack_[static_cast<size_t>(depth_ - 2)].st == St::solvable) {
      const std::string_view n = f.name;  // length first: ~5 dropped elements a package, no strlen each
      bool always = n == "rpm:group" || n == "distribution" || n == "changelog";
      if (always || dropped_text_) pkg_.touch();
    }
  }

  Lexer lex_;
  PackageBuilder pkg_;
  std::vector<Frame> stack_;
  int depth_ = 0;
  std::vector<Attr> attrs_;
  int nattrs_ = 0;
  std::string text_, end_name_;
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
                                              const std::string& index_path, const std::string& tag,
                                              const std::function<void()>& check_input) {
  UniqueFile fp(solv_xfopen(path.c_str(), "r"));
  if (!fp) throw Error("repo " + repo_id + ": cannot open " + path + ": " + errno_text(errno));
  // The input's check (primary's sha256, ~6% of a cold write's instructions)
  // runs beside the scan rather than before it; the index waits for it.
  Beside check(check_input);
  DepIndexWriter index(repo, index_path);
  try {
    ChunkReader reader(fp.get());
    Scanner(repo, reader, &index).run();
  } catch (const Unsupported&) {
    check.wait();  // libsolv reads the file next: only once it is known good
    return IndexFromPrimary::unsupported;  // the writer, destroyed unfinished, leaves nothing
  }
  pool_freeidhashes(repo->pool);  // nothing is interned from here on: a few MB off the peak
  check.wait();  // on a mismatch the writer, destroyed unfinished, leaves nothing
  return index.finish(tag) ? IndexFromPrimary::written : IndexFromPrimary::write_failed;
}

}  // namespace yumda
