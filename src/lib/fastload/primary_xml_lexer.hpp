// Internal to primary_xml.cpp: the XML side of the primary.xml scanner (the
// chunked reader, the lexer, and the element table as libsolv's rpm-md parser
// knows it), kept apart from the Scanner that walks the XML (primary_xml.cpp)
// and the PackageBuilder that turns packages into solvables
// (primary_xml_package.hpp). Included by primary_xml.cpp (and its test, for
// plain_run), so it keeps the internal linkage it had there.
#pragma once
#include <array>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "solv/solv.hpp"
#include "yumda/c_unique.hpp"
#include "yumda/error.hpp"
#include "yumda/reporter.hpp"

namespace yumda {
namespace {

// The scanner met something it does not handle, or invalid XML: libsolv's
// parser decides (and reports the error, if it is one).
struct Unsupported {};

[[noreturn]] void unsupported() { throw Unsupported{}; }

// Decompressed input in 512 KiB chunks, read by a thread of its own so that
// zlib/xz work overlaps the scan. A read error ends the input, as it does for
// libsolv's fread loop (the scan then decides whether the XML is complete).
class ChunkReader {
 public:
  explicit ChunkReader(FILE* fp) : fp_(fp), thread_([this] { produce(); }) {}
  ~ChunkReader() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    changed_.notify_all();
    thread_.join();
  }
  ChunkReader(const ChunkReader&) = delete;
  ChunkReader& operator=(const ChunkReader&) = delete;

  // The next chunk (the previous one is given back); false at the end.
  bool next(const char*& begin, const char*& end) {
    check_interrupt();  // SIGTERM is honoured every 512 KiB of a long scan
    std::unique_lock<std::mutex> lock(mutex_);
    if (current_.bytes) spare_.push_back(std::move(current_));
    current_ = Chunk{};
    changed_.notify_all();
    changed_.wait(lock, [this] { return !full_.empty() || done_; });
    if (full_.empty()) return false;
    current_ = std::move(full_.front());
    full_.pop_front();
    changed_.notify_all();
    begin = current_.bytes.get();
    end = begin + current_.size;
    return true;
  }

 private:
  // At most kAhead + 2 chunks are alive (read ahead, scanned, being read):
  // 2.5 MiB of a cold install's peak. Inflating is several times faster
  // than the scan, so a short queue never leaves the scan waiting.
  static constexpr size_t kChunk = 1 << 19;
  static constexpr size_t kAhead = 3;

  // Not a vector: zero-filling a chunk that fread then overwrites costs a small
  // file more than reading it (and makes fuzz_primary 30 times slower).
  struct Chunk {
    std::unique_ptr<char[]> bytes;
    size_t size = 0;
  };

  void produce() {
    try {
      for (;;) {
        Chunk buf;
        {
          std::unique_lock<std::mutex> lock(mutex_);
          changed_.wait(lock, [this] { return stop_ || full_.size() < kAhead; });
          if (stop_) break;
          if (!spare_.empty()) {
            buf = std::move(spare_.back());
            spare_.pop_back();
          }
        }
        if (!buf.bytes) buf.bytes.reset(new char[kChunk]);
        size_t n = fread(buf.bytes.get(), 1, kChunk, fp_);
        if (n == 0) break;
        buf.size = n;
        std::lock_guard<std::mutex> lock(mutex_);
        full_.push_back(std::move(buf));
        changed_.notify_all();
      }
    } catch (...) {
      // out of memory: end the input; the scan falls back to libsolv
    }
    std::lock_guard<std::mutex> lock(mutex_);
    done_ = true;
    changed_.notify_all();
  }

  FILE* fp_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Chunk> full_;
  std::vector<Chunk> spare_;
  Chunk current_;
  bool done_ = false;
  bool stop_ = false;
  std::thread thread_;  // last: started once the rest is ready
};

using Table = std::array<bool, 256>;

// Bytes copied as they are in character data: printable ASCII but for
// '<', '&' and ']' (for "]]>"), plus tab and newline.
constexpr Table kTextPlain = [] {
  Table t{};
  for (int c = 0x20; c < 0x80; ++c) t[c] = c != '<' && c != '&' && c != ']';
  t['\t'] = t['\n'] = true;
  return t;
}();

// The same in attribute values, where whitespace becomes a space.
constexpr Table kAttrPlain = [] {
  Table t{};
  for (int c = 0x20; c < 0x80; ++c) t[c] = c != '<' && c != '&' && c != '"' && c != '\'';
  return t;
}();

// ASCII name characters; other names go to libsolv.
constexpr Table kNameChar = [] {
  Table t{};
  for (int c = 'a'; c <= 'z'; ++c) t[c] = t[c - 'a' + 'A'] = true;
  for (int c = '0'; c <= '9'; ++c) t[c] = true;
  t['_'] = t[':'] = t['.'] = t['-'] = true;
  return t;
}();

// The end of the run of bytes from Q that TABLE (kTextPlain or kAttrPlain)
// calls plain. Descriptions, checksums, file names and versions are long
// runs: on x86-64, 16 bytes are judged at a time (SSE2, always there); the
// tail, and other machines, go byte by byte. TEXT picks the table: both
// take 0x20..0x7F but '<' and '&'; text also keeps tab and newline and stops
// at ']', an attribute value stops at either quote.
template <bool Text>
const char* plain_run(const char* q, const char* end) {
#if defined(__SSE2__)
  const __m128i below_space = _mm_set1_epi8(0x1F);
  while (end - q >= 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(q));
    __m128i stop = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('<')), _mm_cmpeq_epi8(v, _mm_set1_epi8('&')));
    if constexpr (Text) {
      stop = _mm_or_si128(stop, _mm_cmpeq_epi8(v, _mm_set1_epi8(']')));
    } else {
      stop = _mm_or_si128(stop, _mm_cmpeq_epi8(v, _mm_set1_epi8('"')));
      stop = _mm_or_si128(stop, _mm_cmpeq_epi8(v, _mm_set1_epi8('\'')));
    }
    // signed: 0x20..0x7F are greater than 0x1F, bytes >= 0x80 are negative
    __m128i plain = _mm_andnot_si128(stop, _mm_cmpgt_epi8(v, below_space));
    if constexpr (Text)
      plain = _mm_or_si128(plain, _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\t')),
                                               _mm_cmpeq_epi8(v, _mm_set1_epi8('\n'))));
    const unsigned other = ~static_cast<unsigned>(_mm_movemask_epi8(plain)) & 0xFFFFu;
    if (other) return q + __builtin_ctz(other);
    q += 16;
  }
#endif
  const Table& plain = Text ? kTextPlain : kAttrPlain;
  while (q < end && plain[static_cast<unsigned char>(*q)]) ++q;
  return q;
}

constexpr bool name_start(int c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
}
constexpr bool xml_space(int c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

void put_utf8(std::string* out, uint32_t cp) {
  if (!out) return;
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

bool xml_char(uint32_t cp) {
  return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) || (cp >= 0xE000 && cp <= 0xFFFD) ||
         (cp >= 0x10000 && cp <= 0x10FFFF);
}

// Tokens of XML over the chunks: names, attribute values and character data,
// decoded (entities, line ends) and checked the way expat checks them. Runs
// are appended as (pointer, length): the iterator-pair append goes through
// std::string's general replace, ~3% of a cold scan (perf).
class Lexer {
 public:
  explicit Lexer(ChunkReader& reader) : reader_(reader) {}

  int peek() {
    if (p_ == end_ && !reader_.next(p_, end_)) return -1;
    return static_cast<unsigned char>(*p_);
  }
  int get() {
    int c = peek();
    if (c >= 0) ++p_;
    return c;
  }
  void expect(char c) {
    if (get() != static_cast<unsigned char>(c)) unsupported();
  }
  bool skip_space() {
    bool any = false;
    for (;;) {  // over the chunk without peek()'s end check per byte
      const char* q = p_;
      while (q < end_ && xml_space(static_cast<unsigned char>(*q))) ++q;
      any |= q != p_;
      p_ = q;
      if (q < end_ || peek() < 0) return any;
    }
  }

  void name(std::string& out) {
    out.clear();
    if (!name_start(peek())) unsupported();
    for (;;) {
      const char* q = p_;
      while (q < end_ && kNameChar[static_cast<unsigned char>(*q)]) ++q;
      out.append(p_, static_cast<size_t>(q - p_));
      p_ = q;
      if (q < end_ || peek() < 0) return;
    }
  }

  // An attribute value after its opening QUOTE, up to and past the closing one.
  void attr_value(int quote, std::string& out) {
    out.clear();
    for (;;) {
      const char* q = plain_run<false>(p_, end_);
      out.append(p_, static_cast<size_t>(q - p_));
      p_ = q;
      if (p_ == end_) {
        if (!reader_.next(p_, end_)) unsupported();
        continue;
      }
      int c = static_cast<unsigned char>(*p_++);
      if (c == quote) return;
      if (c == '"' || c == '\'') {
        out.push_back(static_cast<char>(c));
      } else if (c == '&') {
        entity(&out);
      } else if (c == '\t' || c == '\n') {
        out.push_back(' ');
      } else if (c == '\r') {
        out.push_back(' ');
        if (peek() == '\n') ++p_;
      } else if (c >= 0x80) {
        utf8(c, &out);
      } else {
        unsupported();  // '<' or a control character
      }
    }
  }

  // Character data up to the next '<' (left unread) or the end of input;
  // appended to OUT unless null. Returns whether there was any.
  bool text(std::string* out) {
    bool any = false;
    for (;;) {
      const char* q = plain_run<true>(p_, end_);
      if (q != p_) {
        any = true;
        if (out) out->append(p_, static_cast<size_t>(q - p_));
        p_ = q;
      }
      if (p_ == end_) {
        if (!reader_.next(p_, end_)) return any;
        continue;
      }
      int c = static_cast<unsigned char>(*p_);
      if (c == '<') return any;
      any = true;
      ++p_;
      if (c == '&') {
        entity(out);
      } else if (c == ']') {
        size_t n = 1;
        while (peek() == ']') {
          ++p_;
          ++n;
        }
        if (n >= 2 && peek() == '>') unsupported();  // "]]>" is not allowed in text
        if (out) out->append(n, ']');
      } else if (c == '\r') {
        if (out) out->push_back('\n');
        if (peek() == '\n') ++p_;
      } else if (c >= 0x80) {
        utf8(c, out);
      } else {
        unsupported();  // a control character
      }
    }
  }

 private:
  // After '&': the five predefined entities and character references.
  void entity(std::string* out) {
    char buf[12];
    size_t n = 0;
    for (int c; (c = get()) != ';';) {
      if (c < 0 || n == sizeof buf) unsupported();
      buf[n++] = static_cast<char>(c);
    }
    std::string_view e(buf, n);
    char c = e == "lt" ? '<' : e == "gt" ? '>' : e == "amp" ? '&' : e == "quot" ? '"' : e == "apos" ? '\'' : 0;
    if (c) {
      if (out) out->push_back(c);
      return;
    }
    if (n < 2 || e[0] != '#') unsupported();  // other entities need a DTD
    bool hex = e[1] == 'x';
    size_t i = hex ? 2 : 1;
    if (i == n) unsupported();
    uint32_t cp = 0;
    for (; i < n; ++i) {
      int d = e[i];
      int v = d >= '0' && d <= '9'                ? d - '0'
              : hex && d >= 'a' && d <= 'f'       ? d - 'a' + 10
              : hex && d >= 'A' && d <= 'F'       ? d - 'A' + 10
                                                  : -1;
      if (v < 0) unsupported();
      cp = cp * (hex ? 16 : 10) + static_cast<uint32_t>(v);
    }
    if (!xml_char(cp)) unsupported();
    put_utf8(out, cp);
  }

  // One UTF-8 sequence whose lead byte C was read; only what expat accepts.
  void utf8(int c, std::string* out) {
    int more;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) {
      more = 1;
      cp = static_cast<uint32_t>(c & 0x1F);
    } else if (c >= 0xE0 && c <= 0xEF) {
      more = 2;
      cp = static_cast<uint32_t>(c & 0x0F);
    } else if (c >= 0xF0 && c <= 0xF4) {
      more = 3;
      cp = static_cast<uint32_t>(c & 0x07);
    } else {
      unsupported();
    }
    for (int i = 0; i < more; ++i) {
      int d = get();
      if (d < 0 || (d & 0xC0) != 0x80) unsupported();
      cp = (cp << 6) | static_cast<uint32_t>(d & 0x3F);
    }
    if ((more == 2 && cp < 0x800) || (more == 3 && cp < 0x10000) || !xml_char(cp)) unsupported();
    put_utf8(out, cp);
  }

  ChunkReader& reader_;
  const char* p_ = nullptr;
  const char* end_ = nullptr;
};

// Element names libsolv's rpm-md parser knows (repo_rpmmd.c stateswitches).
enum class El {
  unknown,
  top,          // metadata, rpmmd, filelists...: transparent at the top
  package,
  other_kind,   // product, pattern, patch
  format,
  name,
  arch,
  version,
  location,
  checksum,
  summary,
  url,
  vendor,       // vendor, rpm:vendor
  license,
  sourcerpm,
  size,
  time,
  file,
  dep_list,     // rpm:provides ... rpm:enhances
  entry,        // rpm:entry
  dropped,      // content keys yumda's cache drops: description, packager, group...
  no_op,        // known to libsolv, but sets nothing for a package
  unhandled,    // pattern/product/SUSE data: left to libsolv
};

struct ElInfo {
  std::string_view name;
  El el;
  int dep = -1;  // index into kDepFields for dep lists
};

constexpr Offset Solvable::*kDepFields[] = {
    &Solvable::provides,  &Solvable::solv_requires, &Solvable::obsoletes, &Solvable::conflicts,
    &Solvable::recommends, &Solvable::supplements,   &Solvable::suggests,  &Solvable::enhances,
};
constexpr int kRequires = 1;

// Most frequent first: lookup() is a linear search.
constexpr ElInfo kElements[] = {
    {"rpm:entry", El::entry},
    {"name", El::name},
    {"arch", El::arch},
    {"version", El::version},
    {"checksum", El::checksum},
    {"summary", El::summary},
    {"description", El::dropped},
    {"packager", El::dropped},
    {"url", El::url},
    {"time", El::time},
    {"size", El::size},
    {"location", El::location},
    {"format", El::format},
    {"rpm:license", El::license},
    {"rpm:vendor", El::vendor},
    {"rpm:group", El::dropped},
    {"rpm:sourcerpm", El::sourcerpm},
    {"rpm:header-range", El::dropped},
    {"rpm:provides", El::dep_list, 0},
    {"rpm:requires", El::dep_list, 1},
    {"file", El::file},
    {"package", El::package},
    {"rpmmd", El::top},
    {"patterns", El::top},
    {"products", El::top},
    {"metadata", El::top},
    {"otherdata", El::top},
    {"filelists", El::top},
    {"diskusagedata", El::top},
    {"susedata", El::top},
    {"product", El::other_kind},
    {"pattern", El::other_kind},
    {"patch", El::other_kind},
    {"vendor", El::vendor},
    {"rpm:obsoletes", El::dep_list, 2},
    {"rpm:conflicts", El::dep_list, 3},
    {"rpm:recommends", El::dep_list, 4},
    {"rpm:supplements", El::dep_list, 5},
    {"rpm:suggests", El::dep_list, 6},
    {"rpm:enhances", El::dep_list, 7},
    {"distribution", El::dropped},
    {"eula", El::dropped},
    {"keyword", El::dropped},
    {"changelog", El::dropped},
    {"archive-size", El::no_op},
    {"install-time", El::no_op},
    {"install-only", El::no_op},
    {"diskusage", El::unhandled},
    {"script", El::unhandled},
    {"icon", El::unhandled},
    {"uservisible", El::unhandled},
    {"category", El::unhandled},
    {"order", El::unhandled},
    {"includes", El::unhandled},
    {"extends", El::unhandled},
    {"default", El::unhandled},
    {"release-notes-url", El::unhandled},
    {"update-url", El::unhandled},
    {"optional-url", El::unhandled},
    {"flag", El::unhandled},
    {"rpm:freshens", El::unhandled},
};

inline const ElInfo& lookup(std::string_view name) {  // inline: the test does not call it
  static const ElInfo unknown{"", El::unknown};
  for (const ElInfo& e : kElements)
    if (e.name.size() == name.size() && e.name == name) return e;
  return unknown;
}

// Where the scanner is, as libsolv's parser state.
enum class St {
  top,       // outside packages
  solvable,  // in <package> or its <format>
  deps,      // in a dependency list
  content,   // a leaf whose text libsolv keeps: no child elements expected
  skip,      // a leaf or unknown element: children are unknown too
};

struct Frame {
  std::string name;
  St st;
  El el;
  int dep;
  bool closes_package;
};

struct Attr {
  std::string name;
  std::string value;
};

}  // namespace
}  // namespace yumda
