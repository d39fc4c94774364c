// A small, bounds-checked ELF reader: only what the layer check needs
// (machine, DT_NEEDED, RPATH/RUNPATH, PT_INTERP). Malformed input yields
// is_elf=false, never a crash: layers hold whatever packages ship.
#include <elf.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <unordered_map>
#include <sstream>

#include "yumda/check.hpp"
#include "yumda/fs.hpp"

namespace yumda {

namespace {

// A file read through pread in 4 KB pages, each read once. The ELF facts
// needed sit in a few pages; mapping whole files instead cost a TLB shootdown
// per munmap across the install's worker threads.
class FileView {
 public:
  explicit FileView(const std::string& path) : fd_(open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) {
    struct stat st;
    if (fd_ && fstat(fd_.get(), &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= 64)
      size_ = static_cast<uint64_t>(st.st_size);
  }
  bool ok() const { return size_ > 0; }

  // Copies LEN bytes at OFF into OUT; false when that is not all in the file.
  bool read(uint64_t off, void* out, size_t len) const {
    if (off > size_ || size_ - off < len) return false;
    auto* dst = static_cast<char*>(out);
    while (len > 0) {
      const std::string* page = page_at(off / kPage);
      size_t in = off % kPage;
      if (!page || in >= page->size()) return false;
      size_t n = std::min(len, page->size() - in);
      std::memcpy(dst, page->data() + in, n);
      dst += n, off += n, len -= n;
    }
    return true;
  }

  std::string string_at(uint64_t off) const {
    std::string s;
    for (char c; s.size() < 4096 && read(off + s.size(), &c, 1) && c != '\0';) s += c;
    return s;
  }

 private:
  static constexpr uint64_t kPage = 4096;
  const std::string* page_at(uint64_t n) const {
    if (auto it = pages_.find(n); it != pages_.end()) return &it->second;
    std::string buf(kPage, '\0');
    ssize_t got = pread(fd_.get(), buf.data(), kPage, static_cast<off_t>(n * kPage));
    if (got <= 0) return nullptr;
    buf.resize(static_cast<size_t>(got));
    return &pages_.emplace(n, std::move(buf)).first->second;
  }
  UniqueFd fd_;
  uint64_t size_ = 0;
  mutable std::unordered_map<uint64_t, std::string> pages_;
};

template <typename T>
bool read_at(const FileView& m, uint64_t off, T& out) {
  return m.read(off, &out, sizeof(T));
}

std::string string_at(const FileView& m, uint64_t off) { return m.string_at(off); }

template <typename Ehdr, typename Phdr, typename Dyn>
void parse(const FileView& m, ElfInfo& info) {
  Ehdr eh;
  if (!read_at(m, 0, eh) || eh.e_phentsize != sizeof(Phdr)) return;
  info.machine = eh.e_machine;
  std::vector<Phdr> loads;
  Phdr dynamic{};
  bool has_dynamic = false;
  for (uint64_t i = 0; i < eh.e_phnum && i < 4096; ++i) {
    Phdr ph;
    if (!read_at(m, eh.e_phoff + i * sizeof(Phdr), ph)) return;
    if (ph.p_type == PT_LOAD) loads.push_back(ph);
    if (ph.p_type == PT_DYNAMIC) dynamic = ph, has_dynamic = true;
    if (ph.p_type == PT_INTERP) info.interpreter = string_at(m, ph.p_offset);
  }
  info.is_elf = true;
  if (!has_dynamic) return;
  // Dynamic entries hold virtual addresses: map them to file offsets through PT_LOAD.
  auto to_offset = [&](uint64_t vaddr, uint64_t& off) {
    for (const auto& l : loads)
      if (vaddr >= l.p_vaddr && vaddr - l.p_vaddr < l.p_filesz) {
        off = l.p_offset + (vaddr - l.p_vaddr);
        return true;
      }
    return false;
  };
  std::vector<uint64_t> needed, paths;
  uint64_t strtab = 0;
  bool has_strtab = false;
  for (uint64_t off = dynamic.p_offset; off + sizeof(Dyn) <= dynamic.p_offset + dynamic.p_filesz; off += sizeof(Dyn)) {
    Dyn d;
    if (!read_at(m, off, d) || d.d_tag == DT_NULL) break;
    if (d.d_tag == DT_NEEDED) needed.push_back(d.d_un.d_val);
    if (d.d_tag == DT_RPATH || d.d_tag == DT_RUNPATH) paths.push_back(d.d_un.d_val);
    if (d.d_tag == DT_STRTAB) has_strtab = to_offset(d.d_un.d_ptr, strtab);
  }
  if (!has_strtab) return;
  for (auto n : needed) info.needed.push_back(string_at(m, strtab + n));
  for (auto p : paths) {
    std::stringstream ss(string_at(m, strtab + p));
    for (std::string dir; std::getline(ss, dir, ':');)
      if (!dir.empty()) info.runpath.push_back(dir);
  }
}

}  // namespace

ElfInfo read_elf(const std::string& path) {
  ElfInfo info;
  FileView m(path);
  unsigned char ident[EI_NIDENT];
  if (!m.ok() || !m.read(0, ident, sizeof ident) || std::memcmp(ident, ELFMAG, SELFMAG) != 0) return info;
  if (ident[EI_DATA] != ELFDATA2LSB) return info;  // every Lambda arch is little-endian
  if (ident[EI_CLASS] == ELFCLASS64) {
    info.is_64 = true;
    parse<Elf64_Ehdr, Elf64_Phdr, Elf64_Dyn>(m, info);
  } else if (ident[EI_CLASS] == ELFCLASS32) {
    parse<Elf32_Ehdr, Elf32_Phdr, Elf32_Dyn>(m, info);
  }
  return info;
}

}  // namespace yumda
