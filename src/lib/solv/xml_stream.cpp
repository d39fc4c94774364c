#include "solv/xml_stream.hpp"

#include <sys/types.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string_view>

#include "solv/solv.hpp"
#include "yumda/c_unique.hpp"
#include "yumda/error.hpp"
#include "yumda/reporter.hpp"

namespace yumda {

struct XmlStream::State {
  enum class Mode { text, open, bang, bang_dash, cdata_open, comment, cdata, tag };
  UniqueFile in;
  std::string what;
  Mode mode = Mode::text;
  std::string pending;  // "<", "<!", "<!-", a prefix of "<![CDATA[": not yet decided
  uint64_t tag_len = 0;
  uint64_t offset = 0;  // of the byte being looked at, in the decompressed input
  uint64_t long_tag_at = 0;
  char quote = 0;  // in a start tag's quoted value: '>' does not end it there
  bool start_tag = false;
  int run = 0;  // '-' (comment) or ']' (CDATA) seen in a row
  uint64_t piece = 0;  // bytes of the comment piece being passed on
  bool too_long = false, interrupted = false, at_end = false;
  char buf[64 * 1024];

  void to_tag(std::string& out) {
    out += pending;
    tag_len = pending.size();
    start_tag = false;
    quote = 0;
    pending.clear();
    mode = Mode::tag;
  }

  // Feeds one byte, appending to OUT what expat is to see; false once a tag
  // is too long.
  bool feed(char c, std::string& out) {
    ++offset;
    switch (mode) {
      case Mode::text:
        if (c == '<') {
          pending = "<";
          mode = Mode::open;
        } else {
          out += c;
        }
        return true;
      case Mode::open:
        if (c == '!') {
          pending += c;
          mode = Mode::bang;
          return true;
        }
        to_tag(out);
        start_tag = c != '/' && c != '?';
        break;
      case Mode::bang:
        if (c == '-' || c == '[') {
          pending += c;
          mode = c == '-' ? Mode::bang_dash : Mode::cdata_open;
          return true;
        }
        to_tag(out);
        break;
      case Mode::bang_dash:
        if (c == '-') {  // "<!--": a comment, passed on in pieces
          out += "<!--";
          pending.clear();
          run = 0;
          piece = 0;
          mode = Mode::comment;
          return true;
        }
        to_tag(out);
        break;
      case Mode::cdata_open: {
        static constexpr std::string_view kOpen = "<![CDATA[";
        if (c == kOpen[pending.size()]) {
          pending += c;
          if (pending.size() == kOpen.size()) {
            out += pending;
            pending.clear();
            run = 0;
            mode = Mode::cdata;
          }
          return true;
        }
        to_tag(out);
        break;
      }
      case Mode::comment: {
        // A long comment becomes several short ones, cut before a character
        // that starts a UTF-8 sequence and is not next to a '-': expat still
        // checks every byte as it would (libsolv ignores comments), but never
        // holds more than kCommentPiece of one token.
        auto u = static_cast<unsigned char>(c);
        if (piece >= kCommentPiece && run == 0 && c != '-' && (u < 0x80 || u >= 0xC0)) {
          out += "--><!--";
          piece = 0;
        }
        out += c;
        ++piece;
        if (c == '>' && run >= 2) mode = Mode::text;
        run = c == '-' ? run + 1 : 0;
        return true;
      }
      case Mode::cdata:  // text to expat, which reads it in pieces
        out += c;
        if (c == '>' && run >= 2) mode = Mode::text;
        run = c == ']' ? run + 1 : 0;
        return true;
      case Mode::tag:
        break;
    }
    // In a tag: passed on, counted.
    out += c;
    if (++tag_len > kMaxXmlTag) {
      too_long = true;
      long_tag_at = offset - tag_len;
      return false;
    }
    if (quote) {
      if (c == quote) quote = 0;
    } else if (start_tag && (c == '"' || c == '\'')) {
      quote = c;
    } else if (c == '>') {
      mode = Mode::text;
    }
    return true;
  }

  // fopencookie's read: at least one byte, or 0 at the end, -1 when cut.
  ssize_t read(char* dest, size_t size) {
    while (pos == out.size()) {
      out.clear();
      pos = 0;
      if (too_long || interrupted) return -1;
      if (interrupt_requested()) {
        interrupted = true;
        return -1;
      }
      if (at_end) return 0;
      size_t n = fread(buf, 1, sizeof(buf), in.get());
      if (n == 0) {
        at_end = true;
        out += pending;  // an unfinished "<!-" is expat's to refuse
        pending.clear();
        continue;
      }
      for (size_t i = 0; i < n; ++i)
        if (!feed(buf[i], out)) break;
    }
    size_t n = std::min(size, out.size() - pos);
    std::memcpy(dest, out.data() + pos, n);
    pos += n;
    return static_cast<ssize_t>(n);
  }

  std::string out;  // what expat is to see next, from POS on
  size_t pos = 0;
};

namespace {

ssize_t cookie_read(void* cookie, char* buf, size_t size) {
  return static_cast<XmlStream::State*>(cookie)->read(buf, size);
}

}  // namespace

XmlStream::XmlStream(const std::string& path, const std::string& repo_id) : state_(std::make_unique<State>()) {
  state_->what = "repo " + repo_id + ": " + path;
  state_->in.reset(solv_xfopen(path.c_str(), "r"));
  if (!state_->in) throw Error("repo " + repo_id + ": cannot open " + path + ": " + errno_text(errno));
  cookie_io_functions_t io{};
  io.read = cookie_read;
  fp_ = fopencookie(state_.get(), "r", io);
  if (!fp_) throw Error("repo " + repo_id + ": cannot open " + path + ": " + errno_text(errno));
}

XmlStream::~XmlStream() {
  if (fp_) fclose(fp_);
}

void XmlStream::check(const std::string& fix) const {
  if (state_->interrupted) throw Interrupted();
  if (state_->too_long)
    throw Error(state_->what + " has a tag longer than " + std::to_string(kMaxXmlTag / 1024) + " KiB (at byte " +
                std::to_string(state_->long_tag_at) + " of its XML); refusing it" + fix);
}

void add_rpmmd_xml(Repo* repo, const std::string& path, int flags, const std::string& repo_id) {
  const std::string fix = " (the repo's metadata is damaged: re-run createrepo_c on it, or use --disablerepo=" + repo_id + ")";
  XmlStream xml(path, repo_id);  // linear and interruptible, unlike expat alone
  int failed = repo_add_rpmmd(repo, xml.get(), nullptr, flags);
  xml.check(fix);
  if (failed != 0) throw Error("repo " + repo_id + ": cannot parse " + path + ": " + pool_errstr(repo->pool) + fix);
}

}  // namespace yumda
