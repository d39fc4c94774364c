// The layer zip written by hand, entries deflated with libdeflate on worker
// threads (issue #6: libarchive/zlib on one core is slower than `zip -qry`).
// Each file is read and compressed whole by a worker; the calling thread
// writes finished entries strictly in order, so the bytes never depend on
// thread timing. Times are converted in UTC, so neither do they on the TZ.
#include <fcntl.h>
#include <libdeflate.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <ctime>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>

#include "layer/zip_tree.hpp"
#include "yumda/c_unique.hpp"
#include "yumda/error.hpp"
#include "yumda/fs.hpp"
#include "yumda/reporter.hpp"

namespace yumda::detail {

namespace {

using CompressorPtr = c_unique<libdeflate_compressor, libdeflate_free_compressor>;

constexpr uint16_t kStored = 0;
constexpr uint16_t kDeflated = 8;
// Input bytes the workers may hold ahead of the writer (one bigger file still goes).
constexpr uint64_t kMaxInFlight = 96ull << 20;
constexpr size_t kMaxAhead = 512;

// One entry, ready to write.
struct Packed {
  bool ready = false;
  uint16_t method = kStored;
  uint32_t crc = 0;
  uint64_t size = 0;        // uncompressed
  std::vector<unsigned char> data;  // as stored in the zip
};

void put16(std::string& b, uint32_t v) {
  b.push_back(static_cast<char>(v & 0xff));
  b.push_back(static_cast<char>((v >> 8) & 0xff));
}
void put32(std::string& b, uint32_t v) {
  put16(b, v & 0xffff);
  put16(b, v >> 16);
}

// MS-DOS date and time of T in UTC, clamped to the range DOS can hold.
void dos_datetime(int64_t t, uint16_t& dos_time, uint16_t& dos_date) {
  time_t tt = static_cast<time_t>(t);
  struct tm tm {};
  if (!gmtime_r(&tt, &tm) || tm.tm_year < 80) {
    dos_time = 0;
    dos_date = (1 << 5) | 1;  // 1980-01-01
    return;
  }
  if (tm.tm_year > 207) tm = {59, 59, 23, 31, 11, 207, 0, 0, 0, 0, nullptr};
  dos_time = static_cast<uint16_t>((tm.tm_hour << 11) | (tm.tm_min << 5) | (tm.tm_sec / 2));
  dos_date = static_cast<uint16_t>(((tm.tm_year - 80) << 9) | ((tm.tm_mon + 1) << 5) | tm.tm_mday);
}

// Reads exactly the size lstat saw: a file changing under us is an error, not a torn entry.
std::vector<unsigned char> read_exact(const std::string& path, uint64_t size) {
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) throw Error("cannot read " + path + ": " + errno_text(errno));
  std::vector<unsigned char> buf(size);
  uint64_t got = 0;
  while (got < size) {
    ssize_t n = read(fd.get(), buf.data() + got, std::min<uint64_t>(size - got, 1u << 30));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw Error("cannot read " + path + ": " + errno_text(errno));
    if (n == 0) throw Error("cannot zip " + path + ": it shrank while being read (is another process changing the layer?)");
    got += static_cast<uint64_t>(n);
  }
  return buf;
}

void pack(const std::string& root, const ZipItem& item, libdeflate_compressor* c, Packed& p) {
  if (S_ISDIR(item.st.st_mode)) return;
  if (S_ISLNK(item.st.st_mode)) {
    // Like `zip -y`: the link text is the entry's data.
    p.data.assign(item.target.begin(), item.target.end());
    p.size = p.data.size();
    p.crc = libdeflate_crc32(0, p.data.data(), p.data.size());
    return;
  }
  std::vector<unsigned char> in = read_exact(root + "/" + item.rel, static_cast<uint64_t>(item.st.st_size));
  p.size = in.size();
  p.crc = libdeflate_crc32(0, in.data(), in.size());
  if (!in.empty()) {
    std::vector<unsigned char> out(libdeflate_deflate_compress_bound(c, in.size()));
    size_t n = libdeflate_deflate_compress(c, in.data(), in.size(), out.data(), out.size());
    if (n > 0 && n < in.size()) {  // else stored, as zip does for incompressible data
      out.resize(n);
      p.method = kDeflated;
      p.data = std::move(out);
      return;
    }
  }
  p.data = std::move(in);
}

// Shared between the writer and the compressing workers.
struct Pipeline {
  std::mutex mu;
  std::condition_variable cv;
  size_t next = 0;       // next item a worker takes
  size_t written = 0;    // items the writer is done with
  uint64_t in_flight = 0;
  bool stop = false;
  std::exception_ptr error;
};

uint64_t weight(const ZipItem& item) { return S_ISREG(item.st.st_mode) ? static_cast<uint64_t>(item.st.st_size) : 0; }

void worker(const std::string& root, const std::vector<ZipItem>& items, std::vector<Packed>& packed, Pipeline& pl,
            int level) {
  CompressorPtr c(libdeflate_alloc_compressor(level));
  std::unique_lock<std::mutex> lock(pl.mu);
  if (!c) {
    if (!pl.error) pl.error = std::make_exception_ptr(Error("cannot start a deflate compressor: out of memory"));
    pl.stop = true;
    pl.cv.notify_all();
    return;
  }
  for (;;) {
    pl.cv.wait(lock, [&] {
      if (pl.stop || pl.next >= items.size()) return true;
      uint64_t w = weight(items[pl.next]);
      return pl.next == pl.written ||
             (pl.next - pl.written < kMaxAhead && pl.in_flight + w <= kMaxInFlight);
    });
    if (pl.stop || pl.next >= items.size()) return;
    size_t i = pl.next++;
    pl.in_flight += weight(items[i]);
    lock.unlock();
    Packed p;
    std::exception_ptr err;
    try {
      pack(root, items[i], c.get(), p);
    } catch (...) {
      err = std::current_exception();
    }
    lock.lock();
    if (err) {
      if (!pl.error) pl.error = err;
      pl.stop = true;
    } else {
      p.ready = true;
      packed[i] = std::move(p);
    }
    pl.cv.notify_all();
  }
}

// Joins the workers on every way out of the writer.
struct Workers {
  Pipeline& pl;
  std::vector<std::thread> threads;
  explicit Workers(Pipeline& p) : pl(p) {}
  ~Workers() {
    {
      std::lock_guard<std::mutex> lock(pl.mu);
      pl.stop = true;
    }
    pl.cv.notify_all();
    for (auto& t : threads) t.join();
  }
};

void write_all(int fd, const void* data, size_t len, const std::string& out) {
  const char* p = static_cast<const char*>(data);
  while (len > 0) {
    ssize_t n = write(fd, p, len);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw Error("cannot write " + out + ": " + errno_text(errno));
    p += n;
    len -= static_cast<size_t>(n);
  }
}

}  // namespace

ZipResult write_zip_libdeflate(const std::string& root, const std::vector<ZipItem>& items, const std::string& tmp,
                               const std::string& out, const ZipOptions& options) {
  const std::string too_big = " (a zip without zip64 holds 65535 entries and 4 GiB; Lambda takes 250 MB unzipped)";
  if (items.size() > 0xffff)
    throw Error("cannot zip " + root + ": " + std::to_string(items.size()) + " entries" + too_big);
  UniqueFd fd(open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!fd) throw Error("cannot write " + out + ": " + errno_text(errno));

  uint16_t dos_time, dos_date;
  dos_datetime(options.mtime, dos_time, dos_date);
  const uint32_t mtime32 = static_cast<uint32_t>(std::clamp<int64_t>(options.mtime, 0, 0xffffffff));
  // libdeflate levels run to 12; zip's 0-9 map onto the same numbers.
  const int level = std::clamp(options.level, 0, 9);
  int threads = options.threads > 0 ? options.threads
                                    : static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 1u, 2u));

  std::vector<Packed> packed(items.size());
  Pipeline pl;
  ZipResult result;
  std::string central;
  uint64_t offset = 0;
  {
    Workers workers(pl);
    for (int t = 0; t < threads; ++t)
      workers.threads.emplace_back(worker, std::cref(root), std::cref(items), std::ref(packed), std::ref(pl), level);
    std::string header;
    for (size_t i = 0; i < items.size(); ++i) {
      check_interrupt();
      {
        std::unique_lock<std::mutex> lock(pl.mu);
        pl.cv.wait(lock, [&] { return packed[i].ready || pl.error; });
        if (pl.error) std::rethrow_exception(pl.error);
      }
      const ZipItem& item = items[i];
      Packed& p = packed[i];
      std::string name = zip_name(item);
      if (offset > 0xffffffffull || p.data.size() > 0xffffffffull || p.size > 0xffffffffull)
        throw Error("cannot zip " + root + ": over 4 GiB" + too_big);
      bool utf8 = std::any_of(name.begin(), name.end(), [](char ch) { return static_cast<unsigned char>(ch) >= 0x80; });
      uint16_t flags = utf8 ? (1u << 11) : 0;
      uint16_t needed = (p.method == kDeflated || S_ISDIR(item.st.st_mode)) ? 20 : 10;
      uint32_t mode = (item.st.st_mode & S_IFMT) | (item.st.st_mode & 07777);

      // Shared by the local and the central header: method .. extra length.
      std::string common;
      put16(common, flags);
      put16(common, p.method);
      put16(common, dos_time);
      put16(common, dos_date);
      put32(common, p.crc);
      put32(common, static_cast<uint32_t>(p.data.size()));
      put32(common, static_cast<uint32_t>(p.size));
      put16(common, static_cast<uint32_t>(name.size()));
      put16(common, 9);  // the "UT" extra field below
      std::string ut;
      put16(ut, 0x5455);
      put16(ut, 5);
      ut.push_back(1);  // mtime only
      put32(ut, mtime32);

      header.clear();
      put32(header, 0x04034b50);
      put16(header, needed);
      header += common + name + ut;
      write_all(fd.get(), header.data(), header.size(), out);
      write_all(fd.get(), p.data.data(), p.data.size(), out);

      put32(central, 0x02014b50);
      put16(central, (3u << 8) | 30);  // made by: Unix, spec 3.0
      put16(central, needed);
      central += common;
      put16(central, 0);  // comment length
      put16(central, 0);  // disk number
      put16(central, 0);  // internal attributes
      put32(central, (mode << 16) | (S_ISDIR(item.st.st_mode) ? 0x10 : 0));
      put32(central, static_cast<uint32_t>(offset));
      central += name + ut;

      offset += header.size() + p.data.size();
      if (!S_ISDIR(item.st.st_mode)) result.unzipped_bytes += p.size;
      ++result.entries;
      std::vector<unsigned char>().swap(p.data);
      {
        std::lock_guard<std::mutex> lock(pl.mu);
        pl.in_flight -= weight(item);
        ++pl.written;
      }
      pl.cv.notify_all();
    }
  }
  if (offset > 0xffffffffull) throw Error("cannot zip " + root + ": over 4 GiB" + too_big);
  std::string end;
  put32(end, 0x06054b50);
  put16(end, 0);  // this disk
  put16(end, 0);  // disk with the central directory
  put16(end, static_cast<uint32_t>(items.size()));
  put16(end, static_cast<uint32_t>(items.size()));
  put32(end, static_cast<uint32_t>(central.size()));
  put32(end, static_cast<uint32_t>(offset));
  put16(end, 0);  // comment length
  central += end;
  write_all(fd.get(), central.data(), central.size(), out);
  if (fsync(fd.get()) != 0 || close(fd.release()) != 0) throw Error("cannot write " + out + ": " + errno_text(errno));
  return result;
}

}  // namespace yumda::detail
