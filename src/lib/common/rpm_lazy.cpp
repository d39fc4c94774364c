// librpm and librpmio, loaded on first use (see common/lazy_library.hpp).
// Linked, the two brought liblua, libpopt, libgcrypt, libgpg-error, libcap
// and libsqlite3 with them, and relocating those at every start was most of
// what a warm resolve's dynamic loader still did; only reading, verifying
// and extracting packages call them. Functions of librpmio load only
// librpmio, which librpm's own functions load with librpm.
#include <rpm/header.h>
#include <rpm/rpmarchive.h>
#include <rpm/rpmbase64.h>
#include <rpm/rpmcrypto.h>
#include <rpm/rpmfi.h>
#include <rpm/rpmfiles.h>
#include <rpm/rpmio.h>
#include <rpm/rpmkeyring.h>
#include <rpm/rpmlib.h>
#include <rpm/rpmlog.h>
#include <rpm/rpmpgp.h>
#include <rpm/rpmtd.h>
#include <rpm/rpmts.h>
#include <rpm/rpmver.h>

#include "common/lazy_library.hpp"
#include "yumda/rpm_version.hpp"

namespace {

constexpr const char* kInstall = "librpm9 (Debian) or rpm-libs (RPM)";

YUMDA_LAZY_LIBRARY(rpm, "librpm.so.9", kInstall)
YUMDA_LAZY_LIBRARY(rpmio, "librpmio.so.9", kInstall)

}  // namespace

namespace yumda {

std::string rpm_library_version() {
  // RPMVERSION is data: read through dlsym, as no function returns it.
  return *static_cast<const char* const*>(rpm().symbol("RPMVERSION"));
}

}  // namespace yumda

extern "C" {

// librpmio: I/O, digests, OpenPGP, keyrings, logging, version compare.
YUMDA_LAZY_FORWARD(rpmio(), int, Fclose, (FD_t fd), (fd))
YUMDA_LAZY_FORWARD(rpmio(), FD_t, Fdopen, (FD_t fd, const char* mode), (fd, mode))
YUMDA_LAZY_FORWARD(rpmio(), int, Ferror, (FD_t fd), (fd))
YUMDA_LAZY_FORWARD(rpmio(), FD_t, Fopen, (const char* path, const char* mode), (path, mode))
YUMDA_LAZY_FORWARD(rpmio(), int, Fseek, (FD_t fd, off_t offset, int whence), (fd, offset, whence))
YUMDA_LAZY_FORWARD(rpmio(), const char*, Fstrerror, (FD_t fd), (fd))
YUMDA_LAZY_FORWARD(rpmio(), off_t, Ftell, (FD_t fd), (fd))
YUMDA_LAZY_FORWARD(rpmio(), FD_t, fdDup, (int fd), (fd))
YUMDA_LAZY_FORWARD(rpmio(), unsigned int, pgpDigParamsAlgo, (pgpDigParams p, unsigned int type), (p, type))
YUMDA_LAZY_FORWARD(rpmio(), pgpDigParams, pgpDigParamsFree, (pgpDigParams p), (p))
YUMDA_LAZY_FORWARD(rpmio(), const uint8_t*, pgpDigParamsSignID, (pgpDigParams p), (p))
YUMDA_LAZY_FORWARD(rpmio(), const char*, pgpDigParamsUserID, (pgpDigParams p), (p))
YUMDA_LAZY_FORWARD(rpmio(), pgpArmor, pgpParsePkts, (const char* armor, uint8_t** pkt, size_t* len), (armor, pkt, len))
YUMDA_LAZY_FORWARD(rpmio(), int, pgpPrtParams, (const uint8_t* pkts, size_t len, unsigned int type, pgpDigParams* ret),
                   (pkts, len, type, ret))
YUMDA_LAZY_FORWARD(rpmio(), int, pgpPubKeyCertLen, (const uint8_t* pkts, size_t len, size_t* certlen),
                   (pkts, len, certlen))
YUMDA_LAZY_FORWARD(rpmio(), rpmRC, pgpPubKeyLint, (const uint8_t* pkts, size_t len, char** why), (pkts, len, why))
YUMDA_LAZY_FORWARD(rpmio(), int, pgpPubkeyFingerprint, (const uint8_t* pkt, size_t len, uint8_t** fp, size_t* fplen),
                   (pkt, len, fp, fplen))
YUMDA_LAZY_FORWARD(rpmio(), int, pgpPubkeyKeyID, (const uint8_t* pkt, size_t len, pgpKeyID_t keyid), (pkt, len, keyid))
YUMDA_LAZY_FORWARD(rpmio(), int, pgpSignatureType, (pgpDigParams sig), (sig))
YUMDA_LAZY_FORWARD(rpmio(), char*, rpmBase64CRC, (const unsigned char* data, size_t len), (data, len))
YUMDA_LAZY_FORWARD(rpmio(), int, rpmBase64Decode, (const char* in, void** out, size_t* len), (in, out, len))
YUMDA_LAZY_FORWARD(rpmio(), int, rpmDigestFinal, (DIGEST_CTX ctx, void** data, size_t* len, int ascii),
                   (ctx, data, len, ascii))
YUMDA_LAZY_FORWARD(rpmio(), DIGEST_CTX, rpmDigestInit, (int algo, rpmDigestFlags flags), (algo, flags))
YUMDA_LAZY_FORWARD(rpmio(), int, rpmDigestUpdate, (DIGEST_CTX ctx, const void* data, size_t len), (ctx, data, len))
YUMDA_LAZY_FORWARD(rpmio(), rpmPubkey*, rpmGetSubkeys, (rpmPubkey key, int* count), (key, count))
YUMDA_LAZY_FORWARD(rpmio(), int, rpmInitCrypto, (void), ())
YUMDA_LAZY_FORWARD(rpmio(), int, rpmKeyringAddKey, (rpmKeyring ring, rpmPubkey key), (ring, key))
YUMDA_LAZY_FORWARD(rpmio(), rpmKeyring, rpmKeyringFree, (rpmKeyring ring), (ring))
YUMDA_LAZY_FORWARD(rpmio(), rpmKeyring, rpmKeyringNew, (void), ())
YUMDA_LAZY_FORWARD(rpmio(), rpmRC, rpmKeyringVerifySig, (rpmKeyring ring, pgpDigParams sig, DIGEST_CTX ctx),
                   (ring, sig, ctx))
YUMDA_LAZY_FORWARD(rpmio(), rpmPubkey, rpmPubkeyFree, (rpmPubkey key), (key))
YUMDA_LAZY_FORWARD(rpmio(), rpmPubkey, rpmPubkeyNew, (const uint8_t* pkt, size_t len), (pkt, len))
YUMDA_LAZY_FORWARD(rpmio(), rpmlogCallback, rpmlogSetCallback, (rpmlogCallback cb, rpmlogCallbackData data), (cb, data))
YUMDA_LAZY_FORWARD(rpmio(), int, rpmverCmp, (rpmver a, rpmver b), (a, b))
YUMDA_LAZY_FORWARD(rpmio(), rpmver, rpmverFree, (rpmver v), (v))
YUMDA_LAZY_FORWARD(rpmio(), rpmver, rpmverParse, (const char* evr), (evr))

// librpm: headers, file lists, payload reading, transaction sets.
YUMDA_LAZY_FORWARD(rpm(), Header, headerFree, (Header h), (h))
YUMDA_LAZY_FORWARD(rpm(), int, headerGet, (Header h, rpmTagVal tag, rpmtd td, headerGetFlags flags), (h, tag, td, flags))
YUMDA_LAZY_FORWARD(rpm(), uint64_t, headerGetNumber, (Header h, rpmTagVal tag), (h, tag))
YUMDA_LAZY_FORWARD(rpm(), const char*, headerGetString, (Header h, rpmTagVal tag), (h, tag))
YUMDA_LAZY_FORWARD(rpm(), int, headerIsEntry, (Header h, rpmTagVal tag), (h, tag))
YUMDA_LAZY_FORWARD(rpm(), int, headerIsSource, (Header h), (h))
YUMDA_LAZY_FORWARD(rpm(), Header, headerRead, (FD_t fd, int magic), (fd, magic))
YUMDA_LAZY_FORWARD(rpm(), rpmRC, rpmReadPackageFile, (rpmts ts, FD_t fd, const char* fn, Header* h), (ts, fd, fn, h))
YUMDA_LAZY_FORWARD(rpm(), int, rpmfiArchiveHasContent, (rpmfi fi), (fi))
YUMDA_LAZY_FORWARD(rpm(), ssize_t, rpmfiArchiveRead, (rpmfi fi, void* buf, size_t size), (fi, buf, size))
YUMDA_LAZY_FORWARD(rpm(), const char*, rpmfiFLink, (rpmfi fi), (fi))
YUMDA_LAZY_FORWARD(rpm(), uint32_t, rpmfiFLinks, (rpmfi fi, const int** files), (fi, files))
YUMDA_LAZY_FORWARD(rpm(), rpm_mode_t, rpmfiFMode, (rpmfi fi), (fi))
YUMDA_LAZY_FORWARD(rpm(), rpm_time_t, rpmfiFMtime, (rpmfi fi), (fi))
YUMDA_LAZY_FORWARD(rpm(), const char*, rpmfiFN, (rpmfi fi), (fi))
YUMDA_LAZY_FORWARD(rpm(), uint32_t, rpmfiFNlink, (rpmfi fi), (fi))
YUMDA_LAZY_FORWARD(rpm(), rpm_loff_t, rpmfiFSize, (rpmfi fi), (fi))
YUMDA_LAZY_FORWARD(rpm(), rpmfi, rpmfiFree, (rpmfi fi), (fi))
YUMDA_LAZY_FORWARD(rpm(), rpmfi, rpmfiNewArchiveReader, (FD_t fd, rpmfiles files, int itype), (fd, files, itype))
YUMDA_LAZY_FORWARD(rpm(), int, rpmfiNext, (rpmfi fi), (fi))
YUMDA_LAZY_FORWARD(rpm(), char*, rpmfileStrerror, (int rc), (rc))
YUMDA_LAZY_FORWARD(rpm(), rpm_count_t, rpmfilesFC, (rpmfiles fi), (fi))
YUMDA_LAZY_FORWARD(rpm(), const unsigned char*, rpmfilesFDigest, (rpmfiles fi, int ix, int* algo, size_t* len),
                   (fi, ix, algo, len))
YUMDA_LAZY_FORWARD(rpm(), rpmfileAttrs, rpmfilesFFlags, (rpmfiles fi, int ix), (fi, ix))
YUMDA_LAZY_FORWARD(rpm(), const char*, rpmfilesFLink, (rpmfiles fi, int ix), (fi, ix))
YUMDA_LAZY_FORWARD(rpm(), rpm_mode_t, rpmfilesFMode, (rpmfiles fi, int ix), (fi, ix))
YUMDA_LAZY_FORWARD(rpm(), char*, rpmfilesFN, (rpmfiles fi, int ix), (fi, ix))
YUMDA_LAZY_FORWARD(rpm(), rpm_loff_t, rpmfilesFSize, (rpmfiles fi, int ix), (fi, ix))
YUMDA_LAZY_FORWARD(rpm(), rpmfiles, rpmfilesFree, (rpmfiles fi), (fi))
YUMDA_LAZY_FORWARD(rpm(), rpmfiles, rpmfilesNew, (rpmstrPool pool, Header h, rpmTagVal tag, rpmfiFlags flags),
                   (pool, h, tag, flags))
YUMDA_LAZY_FORWARD(rpm(), rpmtd, rpmtdFree, (rpmtd td), (td))
YUMDA_LAZY_FORWARD(rpm(), void, rpmtdFreeData, (rpmtd td), (td))
YUMDA_LAZY_FORWARD(rpm(), const char*, rpmtdGetString, (rpmtd td), (td))
YUMDA_LAZY_FORWARD(rpm(), int, rpmtdInit, (rpmtd td), (td))
YUMDA_LAZY_FORWARD(rpm(), rpmtd, rpmtdNew, (void), ())
YUMDA_LAZY_FORWARD(rpm(), int, rpmtdNext, (rpmtd td), (td))
YUMDA_LAZY_FORWARD(rpm(), rpmts, rpmtsCreate, (void), ())
YUMDA_LAZY_FORWARD(rpm(), rpmts, rpmtsFree, (rpmts ts), (ts))
YUMDA_LAZY_FORWARD(rpm(), int, rpmtsSetKeyring, (rpmts ts, rpmKeyring ring), (ts, ring))
YUMDA_LAZY_FORWARD(rpm(), rpmVSFlags, rpmtsSetVSFlags, (rpmts ts, rpmVSFlags flags), (ts, flags))

}  // extern "C"
