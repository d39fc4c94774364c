// What libsolv's expat parser reads of rpm-md XML. expat 2.5 (Debian 12)
// parses a token that spans its 8 KiB reads again from the token's start on
// every read, so one huge comment or start tag takes quadratic time (issue
// #14: a 66 KB primary.xml.gz, 229 s), and SIGTERM is not looked at meanwhile.
// This stream cuts comments into pieces of about kCommentPiece bytes (each a
// comment of its own, so expat still validates every byte of them), refuses
// any other tag longer than kMaxXmlTag, and ends the input when an interrupt
// is requested: every parse through it is linear and interruptible.
#pragma once
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

struct s_Repo;

namespace yumda {

// Longer than any tag createrepo_c writes (file names are text, not tags); a
// tag this long costs expat about 4 times its length to parse.
constexpr uint64_t kMaxXmlTag = 64 * 1024;
// Well under expat's 8 KiB read: a piece is parsed again at most once.
constexpr uint64_t kCommentPiece = 4 * 1024;

class XmlStream {
 public:
  // PATH (of repo REPO_ID) as solv_xfopen reads it, compressed or not.
  XmlStream(const std::string& path, const std::string& repo_id);
  ~XmlStream();
  XmlStream(const XmlStream&) = delete;
  XmlStream& operator=(const XmlStream&) = delete;

  FILE* get() const { return fp_; }
  // After the parser is done with get(), whatever it made of the input:
  // throws Interrupted when the stream was cut by an interrupt, an Error naming
  // the tag when one was too long. FIX is added to that error.
  void check(const std::string& fix) const;

  struct State;

 private:
  std::unique_ptr<State> state_;
  FILE* fp_ = nullptr;
};

// libsolv's repo_add_rpmmd(REPO, ..., FLAGS) reading the rpm-md file at
// PATH (of repo REPO_ID) through an XmlStream. Throws Error naming the repo
// and the file when it is damaged, Interrupted when an interrupt cut it.
void add_rpmmd_xml(s_Repo* repo, const std::string& path, int flags, const std::string& repo_id);

}  // namespace yumda
