// Reads an RPM's header with librpm. The lead and the signature header are
// skipped by hand (their layout is fixed), so no rpmts, keyring or rpmdb is
// involved and nothing is verified here: that is verify.hpp's job.
#include "yumda/rpm_file.hpp"

#include "extract/rpm_handles.hpp"

#include <fcntl.h>
#include <rpm/header.h>
#include <rpm/rpmfiles.h>
#include <rpm/rpmio.h>
#include <rpm/rpmpgp.h>
#include <rpm/rpmtag.h>
#include <rpm/rpmtd.h>
#include <unistd.h>

#include <array>
#include <cstring>

#include "yumda/error.hpp"
#include "yumda/fs.hpp"
#include "yumda/rpm_lead.hpp"

namespace yumda {

namespace {

void td_free(rpmtd td) {
  rpmtdFreeData(td);
  rpmtdFree(td);
}
using TdOwner = c_unique_ptr<rpmtd, td_free>;

std::string tag_string(Header h, rpmTagVal tag) {
  const char* s = headerGetString(h, tag);
  return s ? s : "";
}

// First element of a string or string-array tag (the *PROG tags are either).
std::string first_string(Header h, rpmTagVal tag) {
  TdOwner td(rpmtdNew());
  if (!headerGet(h, tag, td.get(), HEADERGET_MINMEM)) return "";
  rpmtdInit(td.get());
  if (rpmtdNext(td.get()) < 0) return "";
  const char* s = rpmtdGetString(td.get());
  return s ? s : "";
}

bool is_shell(const std::string& prog) {
  std::string base = prog.substr(prog.rfind('/') + 1);
  return prog.empty() || base == "sh" || base == "bash" || base == "dash";
}

void add_script(Header h, rpmTagVal body_tag, rpmTagVal prog_tag, RpmHeaderInfo& info, const char* name) {
  std::string body = tag_string(h, body_tag);
  std::string prog = first_string(h, prog_tag);
  // Only shell bodies: "%post -p /sbin/ldconfig" or Lua scriptlets are not scripts a layer can replay.
  if (!body.empty() && is_shell(prog)) info.post_scripts.push_back(body);
  else if (prog == "<lua>") info.lua_scripts.push_back(name);  // not run either, but the user hears of it
}

// rpm leaves the compressor tag out of uncompressed payloads (and very old
// packages leave it out of gzip ones), so look at the payload's magic instead.
std::string sniff_compressor(const std::string& path, uint64_t offset) {
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  unsigned char m[6] = {};
  if (!fd || pread(fd.get(), m, sizeof m, static_cast<off_t>(offset)) != static_cast<ssize_t>(sizeof m)) return "";
  if (m[0] == 0x1f && m[1] == 0x8b) return "gzip";
  if (memcmp(m, "\xfd" "7zXZ", 5) == 0) return "xz";
  if (memcmp(m, "BZh", 3) == 0) return "bzip2";
  if (m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd) return "zstd";
  if (m[0] == 0x5d && m[1] == 0x00 && m[2] == 0x00) return "lzma";
  return "";
}

bool is_doc_path(const std::string& path) {
  return path.starts_with("/opt/share/man/") || path.starts_with("/opt/share/info/") ||
         path.starts_with("/opt/share/doc/");
}

}  // namespace

namespace detail {

HeaderPtr read_main_header(const std::string& path, uint64_t& payload_offset) {
  UniqueFd raw(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!raw) throw Error("cannot open " + path + ": " + errno_text(errno));
  const uint64_t header_offset = rpm_main_header_offset(raw.get(), path);
  FdPtr fd(Fopen(path.c_str(), "r.ufdio"));
  if (!fd || Ferror(fd.get())) throw Error("cannot open " + path + ": " + (fd ? Fstrerror(fd.get()) : "unknown error"));
  if (Fseek(fd.get(), static_cast<off_t>(header_offset), SEEK_SET) < 0)
    throw Error(path + " is not an RPM package (truncated after the signature header)");
  HeaderPtr h(headerRead(fd.get(), HEADER_MAGIC_YES));
  if (!h) throw Error(path + " is not an RPM package (its header cannot be read)");
  off_t pos = Ftell(fd.get());
  if (pos < 0) throw Error("cannot read " + path + ": " + Fstrerror(fd.get()));
  payload_offset = static_cast<uint64_t>(pos);
  return h;
}

}  // namespace detail

namespace {
// rpm's PGPHASHALGO_* as the names Digest takes ("" for one it does not).
std::string digest_name(int algo) {
  switch (algo) {
    case PGPHASHALGO_MD5: return "md5";
    case PGPHASHALGO_SHA1: return "sha1";
    case PGPHASHALGO_SHA224: return "sha224";
    case PGPHASHALGO_SHA256: return "sha256";
    case PGPHASHALGO_SHA384: return "sha384";
    case PGPHASHALGO_SHA512: return "sha512";
    default: return "";
  }
}
}  // namespace

RpmHeaderInfo read_rpm_header(const std::string& path) {
  uint64_t payload_offset = 0;
  HeaderPtr h = detail::read_main_header(path, payload_offset);
  RpmHeaderInfo info;
  info.payload_offset = payload_offset;
  info.nevra.name = tag_string(h.get(), RPMTAG_NAME);
  if (headerIsEntry(h.get(), RPMTAG_EPOCH)) info.nevra.epoch = std::to_string(headerGetNumber(h.get(), RPMTAG_EPOCH));
  info.nevra.version = tag_string(h.get(), RPMTAG_VERSION);
  info.nevra.release = tag_string(h.get(), RPMTAG_RELEASE);
  info.nevra.arch = tag_string(h.get(), RPMTAG_ARCH);
  if (info.nevra.name.empty() || info.nevra.version.empty())
    throw Error(path + " is not a usable RPM package (its header has no name or version)");
  info.is_source = headerIsSource(h.get());
  if (info.is_source) info.nevra.arch = headerIsEntry(h.get(), RPMTAG_NOSOURCE) ? "nosrc" : "src";
  info.buildtime = headerGetNumber(h.get(), RPMTAG_BUILDTIME);
  info.license = tag_string(h.get(), RPMTAG_LICENSE);
  info.payload_compressor = headerIsEntry(h.get(), RPMTAG_PAYLOADCOMPRESSOR)
                                ? tag_string(h.get(), RPMTAG_PAYLOADCOMPRESSOR)
                                : sniff_compressor(path, info.payload_offset);
  if (info.payload_compressor == "identity") info.payload_compressor.clear();
  info.payload_format = headerIsEntry(h.get(), RPMTAG_PAYLOADFORMAT) ? tag_string(h.get(), RPMTAG_PAYLOADFORMAT)
                                                                      : "cpio";

  FilesPtr files(rpmfilesNew(nullptr, h.get(), RPMTAG_BASENAMES, RPMFI_FLAGS_QUERY));
  if (files) {
    const int count = static_cast<int>(rpmfilesFC(files.get()));
    info.files.reserve(static_cast<size_t>(count));
    for (int i = 0; i < count; ++i) {
      RpmFileEntry e;
      char* fn = rpmfilesFN(files.get(), i);
      e.path = fn ? fn : "";
      free(fn);
      e.mode = rpmfilesFMode(files.get(), i);
      e.size = rpmfilesFSize(files.get(), i);
      if (const char* link = rpmfilesFLink(files.get(), i)) e.link_target = link;
      rpmfileAttrs flags = rpmfilesFFlags(files.get(), i);
      e.ghost = flags & RPMFILE_GHOST;
      e.doc = (flags & RPMFILE_DOC) || is_doc_path(e.path);
      e.config = flags & RPMFILE_CONFIG;
      int algo = 0;
      size_t len = 0;
      if (const unsigned char* d = rpmfilesFDigest(files.get(), i, &algo, &len); d && len > 0) {
        static const char* hex = "0123456789abcdef";
        for (size_t k = 0; k < len; ++k) (e.digest += hex[d[k] >> 4]) += hex[d[k] & 15];
        info.file_digest_type = digest_name(algo);
      }
      info.files.push_back(std::move(e));
    }
  }
  add_script(h.get(), RPMTAG_POSTIN, RPMTAG_POSTINPROG, info, "%post");
  add_script(h.get(), RPMTAG_POSTTRANS, RPMTAG_POSTTRANSPROG, info, "%posttrans");
  return info;
}

}  // namespace yumda
