# `cmake --install` and CPack (.deb, .rpm): the binary, the default
# configuration, the man pages and the shell completions.
#
#   cmake --install build --prefix /usr        # config in /etc/yumda, where yumda reads it
#   cmake --install build --prefix ~/.local    # config in ~/.local/etc/yumda: yumda -c ...
#   (cd build && cpack -G DEB && cpack -G RPM)  # /usr/bin/yumda, /etc/yumda/...
include(GNUInstallDirs)

install(TARGETS yumda RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

# The default configuration (repo-config/ less its READMEs) goes to
# SYSCONFDIR/yumda. yumda reads /etc/yumda/yumda.conf, so with the prefix
# /usr (the packages, `--prefix /usr`) SYSCONFDIR is /etc, as GNUInstallDirs
# has it; this is decided at install time, because `cmake --install
# --prefix` and CPack choose the prefix after configure. An absolute
# -DCMAKE_INSTALL_SYSCONFDIR=... is used as it is.
install(CODE "
  set(_yumda_etc \"${CMAKE_INSTALL_SYSCONFDIR}\")
  if(NOT IS_ABSOLUTE \"\${_yumda_etc}\")
    if(CMAKE_INSTALL_PREFIX STREQUAL \"/usr\" OR CMAKE_INSTALL_PREFIX STREQUAL \"/\")
      set(_yumda_etc /etc)
    else()
      set(_yumda_etc \"\${CMAKE_INSTALL_PREFIX}/\${_yumda_etc}\")
    endif()
  endif()
  file(INSTALL \"${CMAKE_SOURCE_DIR}/repo-config/\" DESTINATION \"\${_yumda_etc}/yumda\"
       FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ
       DIRECTORY_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE
                             WORLD_READ WORLD_EXECUTE
       PATTERN README.md EXCLUDE)
  if(NOT \"\${_yumda_etc}\" STREQUAL /etc AND NOT CMAKE_INSTALL_LOCAL_ONLY)
    message(STATUS \"yumda reads /etc/yumda/yumda.conf; use this configuration with \"
                   \"yumda -c \${_yumda_etc}/yumda/yumda.conf\")
  endif()
" COMPONENT Unspecified)

# The man pages (docs/man/, roff) with the project's version in their .TH line.
configure_file(docs/man/yumda.1 ${CMAKE_BINARY_DIR}/man/yumda.1 @ONLY)
configure_file(docs/man/yumda.conf.5 ${CMAKE_BINARY_DIR}/man/yumda.conf.5 @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/man/yumda.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${CMAKE_BINARY_DIR}/man/yumda.conf.5 DESTINATION ${CMAKE_INSTALL_MANDIR}/man5)

# Completions, written from `yumda --help` by cmake/completions.cmake when
# yumda or the generator changes.
set(YUMDA_BASH_COMPLETION ${CMAKE_BINARY_DIR}/completions/yumda)
set(YUMDA_ZSH_COMPLETION ${CMAKE_BINARY_DIR}/completions/_yumda)
add_custom_command(
  OUTPUT ${YUMDA_BASH_COMPLETION} ${YUMDA_ZSH_COMPLETION}
  # (in a YUMDA_SANITIZE build, LeakSanitizer's verdict belongs to the tests,
  # not to this step)
  COMMAND ${CMAKE_COMMAND} -E env ASAN_OPTIONS=detect_leaks=0
          ${CMAKE_COMMAND} -DYUMDA=$<TARGET_FILE:yumda>
          -DBASH_OUT=${YUMDA_BASH_COMPLETION} -DZSH_OUT=${YUMDA_ZSH_COMPLETION}
          -P ${CMAKE_SOURCE_DIR}/cmake/completions.cmake
  DEPENDS yumda ${CMAKE_SOURCE_DIR}/cmake/completions.cmake
  COMMENT "Writing bash and zsh completions from yumda --help")
add_custom_target(yumda-completions ALL DEPENDS ${YUMDA_BASH_COMPLETION} ${YUMDA_ZSH_COMPLETION})
install(FILES ${YUMDA_BASH_COMPLETION} DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions)
install(FILES ${YUMDA_ZSH_COMPLETION} DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions)

# --- CPack: .deb and .rpm for Debian 12 (the libraries this build links).
set(CPACK_PACKAGE_NAME yumda)
set(CPACK_PACKAGE_VENDOR "yumda")
# -DCPACK_PACKAGE_CONTACT="Name <mail>" names whoever builds the package.
if(NOT CPACK_PACKAGE_CONTACT)
  set(CPACK_PACKAGE_CONTACT "The yumda authors")
endif()
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Build AWS Lambda layers from RPM packages")
set(CPACK_PACKAGE_DESCRIPTION "yumda installs RPM packages into an AWS Lambda layer directory
without Docker, Python or yum: it resolves with libsolv against what the Lambda
runtime already has, downloads and verifies the packages, relocates stock /usr
packages to /opt, checks the layer and zips it reproducibly. Runtime profiles
for Amazon Linux 2023 (default), Amazon Linux 2 and Amazon Linux 1, x86_64 and
arm64.")
set(CPACK_RESOURCE_FILE_LICENSE ${CMAKE_SOURCE_DIR}/LICENSE)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
# CMAKE_INSTALL_PREFIX is /usr while CPack installs (into DESTDIR), so the
# configuration lands in /etc/yumda.
set(CPACK_SET_DESTDIR ON)
set(CPACK_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_GENERATOR DEB RPM)
set(CPACK_SOURCE_GENERATOR TGZ)
set(CPACK_SOURCE_IGNORE_FILES "/\\\\.git/" "/build[^/]*/" "/layer/")

# Debian 12 (bookworm): one package per library yumda links (ldd build/yumda,
# objdump -p | grep NEEDED, dpkg -S), at the versions bookworm has.
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# libcurl4, librpm9, librpmio9, libsolvext1 and libsqlite3-0 are dlopen()ed on
# first use (src/lib/*/*_lazy.cpp), so no NEEDED entry names them; spdlog,
# fmt, toml++ and (with libarchive.a) libarchive and libstdc++ are compiled in
# (CMakeLists.txt, "startup").
set(_yumda_deb_depends "libc6 (>= 2.36), libsolv1 (>= 0.7.23), libsolvext1 (>= 0.7.23), \
librpm9 (>= 4.18.0), librpmio9 (>= 4.18.0), libcurl4 (>= 7.88.1), libsqlite3-0 (>= 3.40.1), \
libdeflate0 (>= 1.14), liblzma5, libzstd1, libbz2-1.0, zlib1g")
if(NOT YUMDA_ARCHIVE_STATIC)
  string(APPEND _yumda_deb_depends ", libarchive13 (>= 3.6.2)")
endif()
string(APPEND _yumda_deb_depends ", libgcc-s1 (>= 3.0)")
if(YUMDA_SANITIZE OR YUMDA_TSAN)
  string(APPEND _yumda_deb_depends ", libstdc++6 (>= 12)")
endif()
set(CPACK_DEBIAN_PACKAGE_DEPENDS "${_yumda_deb_depends}")
# https repositories need the CA bundle; %post scriptlets run only inside
# bubblewrap (without it they are skipped with a warning); zip/unzip only for
# people's own use.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "ca-certificates, bubblewrap")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "zip, unzip")
# The configuration is the administrator's to edit: dpkg keeps their changes.
file(GLOB_RECURSE _yumda_conffiles RELATIVE ${CMAKE_SOURCE_DIR}/repo-config
     ${CMAKE_SOURCE_DIR}/repo-config/*)
list(FILTER _yumda_conffiles EXCLUDE REGEX "(^|/)README\\.md$")
list(SORT _yumda_conffiles)
list(TRANSFORM _yumda_conffiles PREPEND /etc/yumda/)
list(JOIN _yumda_conffiles "\n" _yumda_conffiles_text)
file(WRITE ${CMAKE_BINARY_DIR}/cpack/conffiles "${_yumda_conffiles_text}\n")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${CMAKE_BINARY_DIR}/cpack/conffiles)

# RPM: requirements from rpmbuild's ELF dependency generator (sonames), the
# configuration as %config(noreplace), no ownership of shared directories.
set(CPACK_RPM_FILE_NAME RPM-DEFAULT)
set(CPACK_RPM_PACKAGE_LICENSE "MIT")
set(CPACK_RPM_PACKAGE_GROUP "Development/Tools")
set(CPACK_RPM_PACKAGE_DESCRIPTION "${CPACK_PACKAGE_DESCRIPTION}")
set(CPACK_RPM_PACKAGE_RELOCATABLE OFF)
set(CPACK_RPM_SPEC_MORE_DEFINE "%define _build_id_links none")
set(CPACK_RPM_PACKAGE_SUGGESTS "bubblewrap")
set(CPACK_RPM_PACKAGE_AUTOREQ ON)
# The ELF generator cannot see the dlopen()ed libraries.
set(CPACK_RPM_PACKAGE_REQUIRES "libcurl.so.4()(64bit), librpm.so.9()(64bit), librpmio.so.9()(64bit), \
libsolvext.so.1()(64bit), libsqlite3.so.0()(64bit)")
set(CPACK_RPM_PACKAGE_AUTOPROV OFF)
list(TRANSFORM _yumda_conffiles PREPEND "%config(noreplace) " OUTPUT_VARIABLE CPACK_RPM_USER_FILELIST)
set(CPACK_RPM_EXCLUDE_FROM_AUTO_FILELIST_ADDITION
  /etc /usr/share/man /usr/share/man/man1 /usr/share/man/man5
  /usr/share/bash-completion /usr/share/bash-completion/completions
  /usr/share/zsh /usr/share/zsh/vendor-completions)

include(CPack)
