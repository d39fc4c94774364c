#include "yumda/cache_file.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

namespace yumda {
namespace {

constexpr size_t kSumSize = 16;  // hex digest of the body
constexpr size_t kTrailer = kCacheTagSize + kSumSize;

// A fast digest of a body, fed in pieces whose sizes (but the last) are
// multiples of 32: libsolv reads a solv file with a flipped byte without
// complaint (and loses deps), so the cache checks itself. Four independent
// lanes keep the multiplier busy (a cold load hashes tens of megabytes).
// Not cryptographic: it guards against damage, not against an attacker.
class BodySum {
 public:
  BodySum() = default;
  void update(const char* data, size_t len) {
    size_t i = 0;
    for (; i + 32 <= len; i += 32)
      for (int k = 0; k < 4; ++k) {
        uint64_t w;
        memcpy(&w, data + i + 8 * k, 8);
        lane_[k] = (lane_[k] ^ w) * 0x100000001B3ULL;
        lane_[k] ^= lane_[k] >> 29;
      }
    for (; i < len; ++i) tail_ = (tail_ ^ static_cast<unsigned char>(data[i])) * 0x100000001B3ULL;
  }
  std::string hex(uint64_t len) const {
    uint64_t h = lane_[0] ^ (lane_[1] * 3) ^ (lane_[2] * 5) ^ (lane_[3] * 7) ^ tail_ ^ (len * 0x9E3779B97F4A7C15ULL);
    h ^= h >> 31;
    char out[kSumSize + 1];
    snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(h));
    return std::string(out, kSumSize);
  }

 private:
  uint64_t lane_[4] = {0x9E3779B97F4A7C15ULL, 0xC2B2AE3D27D4EB4FULL, 0x165667B19E3779F9ULL, 0x27D4EB2F165667C5ULL};
  uint64_t tail_ = 0;
};

std::string body_sum(const char* data, size_t len) {
  BodySum sum;
  sum.update(data, len);
  return sum.hex(len);
}

// A small file (a stamp) replaced by TEXT; best effort, no fsync: a stamp
// lost only costs one more digest.
void replace_small_file(const std::string& path, std::string_view text) {
  std::string tmp = path + ".tmpXXXXXX";
  UniqueFd fd(mkostemp(tmp.data(), O_CLOEXEC));
  if (!fd) return;
  fchmod(fd.get(), 0644);
  bool ok = write(fd.get(), text.data(), text.size()) == static_cast<ssize_t>(text.size());
  fd.reset();
  if (!ok || rename(tmp.c_str(), path.c_str()) != 0) unlink(tmp.c_str());
}


bool pread_all(int fd, uint64_t off, void* dst, size_t len) {
  char* p = static_cast<char*>(dst);
  while (len > 0) {
    ssize_t n = pread(fd, p, len, static_cast<off_t>(off));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    p += n;
    off += static_cast<uint64_t>(n);
    len -= static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

MappedFile::MappedFile(const std::string& path) {
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  struct stat st;
  if (!fd || fstat(fd.get(), &st) != 0 || st.st_size <= 0) return;
  void* p = mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd.get(), 0);
  if (p == MAP_FAILED) return;
  data_ = static_cast<char*>(p);
  size_ = static_cast<size_t>(st.st_size);
}

MappedFile::~MappedFile() {
  if (data_) munmap(data_, size_);
}

std::string_view cache_file_body(const MappedFile& file, const std::string& tag) {
  if (file.size() <= kTrailer) return {};
  size_t body = file.size() - kTrailer;
  std::string_view trailer(file.data() + body, kTrailer);
  if (trailer.substr(0, kCacheTagSize) != tag || trailer.substr(kCacheTagSize) != body_sum(file.data(), body))
    return {};
  return {file.data(), body};
}

CacheFileReader::CacheFileReader(const std::string& path, const std::string& tag, const std::string& stamp_path)
    : fd_(open(path.c_str(), O_RDONLY | O_CLOEXEC)) {
  struct stat st;
  if (!fd_ || fstat(fd_.get(), &st) != 0 || static_cast<uint64_t>(st.st_size) <= kTrailer) return;
  body_size_ = static_cast<uint64_t>(st.st_size) - kTrailer;
  char trailer[kTrailer];
  if (!pread_all(fd_.get(), body_size_, trailer, kTrailer) || std::string_view(trailer, kCacheTagSize) != tag) return;
  std::string stamp = tag + " " + file_identity(st) + "\n";
  char recorded[512];
  ssize_t n = -1;
  if (UniqueFd s(open(stamp_path.c_str(), O_RDONLY | O_CLOEXEC)); s) n = ::read(s.get(), recorded, sizeof recorded);
  if (n > 0 && std::string_view(recorded, static_cast<size_t>(n)) == stamp) {
    ok_ = true;
    return;
  }
  BodySum sum;
  std::vector<char> chunk(1 << 20);
  for (uint64_t off = 0; off < body_size_; off += chunk.size()) {
    size_t len = static_cast<size_t>(std::min<uint64_t>(chunk.size(), body_size_ - off));
    if (!pread_all(fd_.get(), off, chunk.data(), len)) return;
    sum.update(chunk.data(), len);
  }
  if (sum.hex(body_size_) != std::string_view(trailer + kCacheTagSize, kSumSize)) return;
  ok_ = true;
  replace_small_file(stamp_path, stamp);
}

bool CacheFileReader::read(uint64_t off, void* dst, size_t len) const {
  return ok_ && off <= body_size_ && len <= body_size_ - off && pread_all(fd_.get(), off, dst, len);
}

void stamp_cache_file(const std::string& path, const std::string& tag, const std::string& stamp_path) {
  struct stat st;
  if (stat(path.c_str(), &st) == 0) replace_small_file(stamp_path, tag + " " + file_identity(st) + "\n");
}

// Digests the body and writes it to FD. Once a file outgrows one buffer
// this moves to a thread of its own: a cold install writes a ~48 MB dep
// index while its scan keeps the main thread busy, and copying that into
// the page cache was a tenth of the main thread's time. Two buffers at most
// are alive: the one being filled and the one being written.
struct CacheFileWriter::Sink {
  explicit Sink(int fd) : fd(fd), ok(fd >= 0), err(ok ? 0 : errno) {}
  ~Sink() { stop(); }

  // Digests whole 32-byte blocks and keeps the rest for the next piece.
  void digest(std::string_view piece) {
    if (!carry.empty()) {
      size_t take = std::min(piece.size(), 32 - carry.size());
      carry.append(piece.substr(0, take));
      piece.remove_prefix(take);
      if (carry.size() < 32) return;
      sum.update(carry.data(), 32);
      carry.clear();
    }
    size_t whole = piece.size() / 32 * 32;
    sum.update(piece.data(), whole);
    carry.append(piece.substr(whole));
  }
  std::string hex(uint64_t size) {
    sum.update(carry.data(), carry.size());
    carry.clear();
    return sum.hex(size);
  }
  void write_out(std::string_view data) {
    while (ok && !data.empty()) {
      ssize_t w = write(fd, data.data(), data.size());
      if (w < 0 && errno == EINTR) continue;
      ok = w > 0;
      if (ok) data.remove_prefix(static_cast<size_t>(w));
      else err = w < 0 ? errno : ENOSPC;
    }
  }

  // Hands FULL to the thread (started on first use); FULL comes back empty,
  // with the buffer the thread had written before.
  void hand_over(std::string& full) {
    std::unique_lock<std::mutex> lock(mutex);
    if (!thread.joinable() && !inline_only) {
      try {
        thread = std::thread([this] { run(); });
      } catch (const std::system_error&) {
        inline_only = true;  // no thread to be had: write here, as before
      }
    }
    if (inline_only) {
      digest(full);
      write_out(full);
      full.clear();
      return;
    }
    changed.wait(lock, [this] { return !busy; });
    work.swap(full);
    full.clear();
    busy = true;
    changed.notify_all();
  }
  // Until what was handed over is written; then the rest is this thread's.
  void drain() {
    std::unique_lock<std::mutex> lock(mutex);
    changed.wait(lock, [this] { return !busy; });
  }
  void stop() {
    {
      std::lock_guard<std::mutex> lock(mutex);
      stopping = true;
    }
    changed.notify_all();
    if (thread.joinable()) thread.join();
  }

  int fd;
  BodySum sum;
  std::string carry;  // bytes not yet digested (the digest takes 32 at a time)
  bool ok;
  int err;  // errno of the failed write (errno itself is per thread)

 private:
  void run() {
    std::unique_lock<std::mutex> lock(mutex);
    for (;;) {
      changed.wait(lock, [this] { return busy || stopping; });
      if (!busy) return;
      lock.unlock();
      digest(work);
      write_out(work);
      lock.lock();
      busy = false;
      changed.notify_all();
    }
  }

  std::mutex mutex;
  std::condition_variable changed;
  std::string work;  // the buffer being written
  bool busy = false, stopping = false, inline_only = false;
  std::thread thread;
};

namespace {
constexpr size_t kWriteBuffer = 1 << 19;  // two alive: 1 MiB of a cold install's peak
}

CacheFileWriter::CacheFileWriter(std::string path) : path_(std::move(path)), tmp_(path_ + ".tmpXXXXXX") {
  fd_ = UniqueFd(mkostemp(tmp_.data(), O_CLOEXEC));
  if (!fd_) tmp_.clear();
  else fchmod(fd_.get(), 0644);  // like the rest of the cache, not mkstemp's 0600
  sink_ = std::make_unique<Sink>(fd_ ? fd_.get() : -1);
}

CacheFileWriter::~CacheFileWriter() {
  sink_.reset();  // no write after the unlink
  if (!tmp_.empty()) unlink(tmp_.c_str());
}

void CacheFileWriter::append(std::string_view piece) {
  size_ += piece.size();
  if (buffer_.size() + piece.size() > kWriteBuffer) sink_->hand_over(buffer_);
  if (piece.size() >= kWriteBuffer) {  // a big piece goes out as it is, not through a buffer
    sink_->drain();
    sink_->digest(piece);
    sink_->write_out(piece);
    return;
  }
  if (buffer_.capacity() < kWriteBuffer) buffer_.reserve(kWriteBuffer);  // never doubled past it
  buffer_.append(piece);
}

bool CacheFileWriter::commit(const std::string& tag) {
  sink_->drain();
  sink_->digest(buffer_);
  buffer_ += tag + sink_->hex(size_);
  sink_->write_out(buffer_);
  sink_->stop();
  bool ok = sink_->ok;
  int saved = ok ? errno : sink_->err;
  fd_.reset();
  if (!ok || rename(tmp_.c_str(), path_.c_str()) != 0) {
    if (ok) saved = errno;
    errno = saved;
    return false;
  }
  tmp_.clear();
  return true;
}

bool write_cache_file(const std::string& path, std::string_view body, const std::string& tag) {
  CacheFileWriter w(path);
  w.append(body);
  return w.commit(tag);
}

}  // namespace yumda
