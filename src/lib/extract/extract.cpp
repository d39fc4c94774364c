// Unpacks an RPM's cpio payload into the staging directory with libarchive.
//
// Safety model: every write is made relative to a directory fd that was
// opened inside STAGE_DIR without following any symlink (openat2 with
// RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS, or an O_NOFOLLOW walk), and the final
// component is created with linkat/symlinkat/mkdirat, which never follow it.
// Names with ".." are refused outright. So whatever the payload holds, nothing
// lands outside STAGE_DIR.
#include "yumda/extract.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <rpm/rpmfi.h>  // rpmarchive.h needs it first
#include <rpm/rpmtag.h>
#include <rpm/rpmarchive.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <map>

#include "extract/extractor.hpp"
#include "extract/rpm_handles.hpp"

namespace yumda {

namespace detail {
namespace {

using ArchiveOwner = c_unique<archive, archive_read_free>;

// libarchive pulls the payload through this, from the fd's current position.
struct ReadState {
  int fd;
  std::vector<char> buf = std::vector<char>(1 << 16);
};

la_ssize_t read_payload(archive* a, void* data, const void** out) {
  auto* st = static_cast<ReadState*>(data);
  for (;;) {
    ssize_t n = read(st->fd, st->buf.data(), st->buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      archive_set_error(a, errno, "%s", errno_text(errno).c_str());
      return -1;
    }
    *out = st->buf.data();
    return n;
  }
}

// Lets libarchive skip data it does not need by seeking; 0 makes it read instead.
la_int64_t skip_payload(archive*, void* data, la_int64_t request) {
  auto* st = static_cast<ReadState*>(data);
  return lseek(st->fd, static_cast<off_t>(request), SEEK_CUR) < 0 ? 0 : request;
}

}  // namespace

Extractor::Extractor(const PayloadSource& source, const std::string& stage_dir, const ExtractOptions& options)
    : source_(source), options_(options) {
  root_.reset(open(stage_dir.c_str(), O_DIRECTORY | O_RDONLY | O_CLOEXEC));
  if (!root_) throw Error("cannot open the staging directory " + stage_dir + ": " + errno_text(errno));
  if (source.info)
    for (const RpmFileEntry& f : source.info->files) header_files_.emplace(f.path, &f);
}

// Reads a newc cpio payload with libarchive; false when the payload is not
// a format libarchive knows (rpm's "stripped" cpio), before anything is written.
bool Extractor::run_libarchive(int fd, off_t start) {
  ArchiveOwner a(archive_read_new());
  if (!a) throw Error("out of memory starting libarchive");
  // Only the compressors rpm writes: filter_all would also accept lrzip/lzop
  // etc. by running external programs on untrusted data.
  archive_read_support_filter_gzip(a.get());
  archive_read_support_filter_bzip2(a.get());
  archive_read_support_filter_xz(a.get());
  archive_read_support_filter_lzma(a.get());
  archive_read_support_filter_zstd(a.get());
  archive_read_support_format_cpio(a.get());
  ReadState state{fd};
  archive_read_set_read_callback(a.get(), read_payload);
  archive_read_set_skip_callback(a.get(), skip_payload);
  archive_read_set_callback_data(a.get(), &state);
  if (archive_read_open1(a.get()) != ARCHIVE_OK) {
    if (archive_errno(a.get()) == EILSEQ) return false;  // libarchive: "Unrecognized archive format"
    fail_archive(a.get(), "its payload cannot be read");
  }
  DirectSource direct{fd, start, a.get()};
  if (source_.use_copy_range && start >= 0 && archive_filter_code(a.get(), 0) == ARCHIVE_FILTER_NONE)
    direct_ = &direct;
  ReadData read = [&](char* buf, size_t len) {
    la_ssize_t n = archive_read_data(a.get(), buf, len);
    if (n < 0) fail_archive(a.get(), "its payload cannot be read inside " + reading_);
    return static_cast<size_t>(n);
  };
  for (;;) {
    check_interrupt();
    archive_entry* ae = nullptr;
    int r = archive_read_next_header(a.get(), &ae);
    if (r == ARCHIVE_EOF) break;
    if (r != ARCHIVE_OK && r != ARCHIVE_WARN) fail_archive(a.get(), "its payload cannot be read");
    Entry e;
    e.name = archive_entry_pathname(ae) ? archive_entry_pathname(ae) : "";
    e.type = archive_entry_filetype(ae);
    e.perm = archive_entry_perm(ae) & 07777;
    e.nlink = archive_entry_nlink(ae);
    e.size = archive_entry_size(ae);
    e.mtime = {archive_entry_mtime(ae), archive_entry_mtime_nsec(ae)};
    if (const char* t = archive_entry_symlink(ae)) e.symlink = t;
    if (const char* h = archive_entry_hardlink(ae)) e.hardlink = h;
    handle_entry(e, read);
  }
  direct_ = nullptr;
  return true;
}

// rpm's own payload reader, for what libarchive cannot read: the "stripped"
// cpio of RPM v6 packages and of packages with files over 4 GB, whose
// entries carry only an index into the header's file list.
void Extractor::run_rpm_reader(int fd) {
  if (source_.rpm_path.empty() || !source_.info) fail("its payload is not a cpio archive");
  uint64_t offset = 0;
  HeaderPtr h = read_main_header(source_.rpm_path, offset);
  FilesPtr files(rpmfilesNew(nullptr, h.get(), RPMTAG_BASENAMES, RPMFI_FLAGS_QUERY));
  if (!files) fail("its header has no usable file list");
  if (lseek(fd, static_cast<off_t>(offset), SEEK_SET) < 0) fail("cannot read its payload: " + errno_text(errno));
  const std::string compressor = source_.info->payload_compressor.empty() ? "fdio" : source_.info->payload_compressor;
  FdPtr raw(fdDup(fd));
  FdPtr payload(raw ? Fdopen(raw.get(), ("r." + compressor).c_str()) : nullptr);
  if (!payload || Ferror(payload.get())) fail("cannot decompress its " + compressor + " payload");
  raw.release();  // Fdopen took it over
  FiPtr fi(rpmfiNewArchiveReader(payload.get(), files.get(), RPMFI_ITER_READ_ARCHIVE));
  if (!fi) fail("cannot read its payload");
  std::map<int, std::string> first_link;  // hardlink set (its first file index) -> first name seen
  ReadData read = [&](char* buf, size_t len) {
    ssize_t n = rpmfiArchiveRead(fi.get(), buf, len);
    if (n < 0) fail("its payload cannot be read inside " + reading_);
    return static_cast<size_t>(n);
  };
  int rc;
  while ((rc = rpmfiNext(fi.get())) >= 0) {
    check_interrupt();
    Entry e;
    e.name = rpmfiFN(fi.get());
    const rpm_mode_t mode = rpmfiFMode(fi.get());
    e.type = mode & S_IFMT;
    e.perm = mode & 07777;
    e.nlink = rpmfiFNlink(fi.get());
    e.size = rpmfiArchiveHasContent(fi.get()) ? static_cast<int64_t>(rpmfiFSize(fi.get())) : 0;
    e.mtime = {static_cast<time_t>(rpmfiFMtime(fi.get())), 0};
    if (S_ISLNK(mode)) e.symlink = rpmfiFLink(fi.get()) ? rpmfiFLink(fi.get()) : "";
    const int* links = nullptr;
    if (S_ISREG(mode) && e.nlink > 1 && rpmfiFLinks(fi.get(), &links) > 1) {
      auto [it, inserted] = first_link.emplace(links[0], e.name);
      if (!inserted) e.hardlink = it->second;
    }
    handle_entry(e, read);
  }
  if (rc != RPMERR_ITER_END) {
    MallocPtr<char> why(rpmfileStrerror(rc));
    fail(std::string("its payload cannot be read (") + (why ? why.get() : "rpm error") + ")");
  }
}

ExtractResult Extractor::run(int fd) {
  const off_t start = lseek(fd, 0, SEEK_CUR);
  if (!run_libarchive(fd, start)) {
    if (start < 0) fail("its payload is not a cpio archive");
    run_rpm_reader(fd);
  }
  for (auto& [name, pending] : sets_) place_file(pending);
  sets_.clear();
  return std::move(result_);
}

ExtractResult extract_payload_fd(int fd, const PayloadSource& source, const std::string& stage_dir,
                                 const ExtractOptions& options) {
  Extractor extractor(source, stage_dir, options);
  return extractor.run(fd);
}

}  // namespace detail

ExtractResult extract_rpm(const std::string& rpm_path, const RpmHeaderInfo& info, const std::string& stage_dir,
                          const ExtractOptions& options, Reporter& reporter) {
  (void)reporter;  // the caller reports skipped_outside_opt once per package
  const std::string label = info.nevra.str();
  if (info.is_source)
    throw Error("package " + label + " (" + rpm_path + ") is a source package; only binary RPMs can go in a layer");
  if (!info.payload_format.empty() && info.payload_format != "cpio")
    throw Error("package " + label + " has a " + info.payload_format + " payload; only cpio payloads are supported");
  UniqueFd fd(open(rpm_path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) throw Error("cannot open " + rpm_path + ": " + errno_text(errno));
  if (lseek(fd.get(), static_cast<off_t>(info.payload_offset), SEEK_SET) < 0)
    throw Error("cannot read " + rpm_path + ": " + errno_text(errno));
  make_dirs(stage_dir);
  detail::PayloadSource source;
  source.package = label;
  source.info = &info;
  source.rpm_path = rpm_path;
  return detail::extract_payload_fd(fd.get(), source, stage_dir, options);
}

ExtractResult extract_cached_payload(int fd, const RpmHeaderInfo& info, const std::string& stage_dir,
                                     const ExtractOptions& options, const CachedPayload& cached) {
  detail::PayloadSource source;
  source.package = info.nevra.str();
  source.info = &info;  // %ghost and %doc flags, as for the RPM itself
  source.link_mode = cached.link_mode;
  source.open_blob = cached.open_blob;
  return detail::extract_payload_fd(fd, source, stage_dir, options);
}

}  // namespace yumda
