// A small, bounds-checked ELF reader: only what the layer check needs
// (machine, DT_NEEDED, RPATH/RUNPATH, PT_INTERP). Malformed input yields
// is_elf=false, never a crash: layers hold whatever packages ship.
#include <elf.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <sstream>

#include "yumda/check.hpp"
#include "yumda/fs.hpp"

namespace yumda {

namespace {

// Read-only mapping of a whole file.
class Mapping {
 public:
  explicit Mapping(const std::string& path) {
    UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    struct stat st;
    if (!fd || fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < 64) return;
    // Most of a layer is not ELF: look at the magic before mapping the file.
    unsigned char magic[SELFMAG];
    if (pread(fd.get(), magic, SELFMAG, 0) != SELFMAG || memcmp(magic, ELFMAG, SELFMAG) != 0) return;
    void* p = mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd.get(), 0);
    if (p == MAP_FAILED) return;
    data_ = static_cast<const unsigned char*>(p);
    size_ = static_cast<size_t>(st.st_size);
  }
  ~Mapping() {
    if (data_) munmap(const_cast<unsigned char*>(data_), size_);
  }
  Mapping(const Mapping&) = delete;
  Mapping& operator=(const Mapping&) = delete;
  const unsigned char* data() const { return data_; }
  size_t size() const { return size_; }

 private:
  const unsigned char* data_ = nullptr;
  size_t size_ = 0;
};

template <typename T>
bool read_at(const Mapping& m, uint64_t off, T& out) {
  if (off > m.size() || m.size() - off < sizeof(T)) return false;
  std::memcpy(&out, m.data() + off, sizeof(T));
  return true;
}

std::string string_at(const Mapping& m, uint64_t off) {
  if (off >= m.size()) return {};
  const char* s = reinterpret_cast<const char*>(m.data() + off);
  size_t n = strnlen(s, m.size() - off);
  return std::string(s, n);
}

template <typename Ehdr, typename Phdr, typename Dyn>
void parse(const Mapping& m, ElfInfo& info) {
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
  Mapping m(path);
  if (!m.data() || std::memcmp(m.data(), ELFMAG, SELFMAG) != 0) return info;
  if (m.data()[EI_DATA] != ELFDATA2LSB) return info;  // every Lambda arch is little-endian
  if (m.data()[EI_CLASS] == ELFCLASS64) {
    info.is_64 = true;
    parse<Elf64_Ehdr, Elf64_Phdr, Elf64_Dyn>(m, info);
  } else if (m.data()[EI_CLASS] == ELFCLASS32) {
    parse<Elf32_Ehdr, Elf32_Phdr, Elf32_Dyn>(m, info);
  }
  return info;
}

}  // namespace yumda
