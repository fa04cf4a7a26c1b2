# Debian packages from the install components (`cpack -G DEB` in the build directory, or
# `cmake --build build --target package`; docs/operations.md):
#   colonies               server component: binary, man page, colonies.service, environment file
#   libcolonies-sdk-dev    sdk component: shared library, headers, CMake and pkg-config files
#   colonies-dbg           debuginfo component: the binary's split debug information
# Runtime dependencies come from dpkg-shlibdeps. The maintainer scripts (packaging/debian/)
# create the `colonies` user and enable nothing.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME colonies)
set(CPACK_PACKAGE_VENDOR "Colonies++")
set(CPACK_PACKAGE_CONTACT "Colonies++ maintainers <colonies@localhost>")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "ColonyOS Colonies server, CLI and executor (C++)")
set(CPACK_PACKAGE_HOMEPAGE_URL "https://github.com/colonyos/colonies")
# DESTDIR installs, so that the environment file can go to /etc while the rest goes to /usr.
set(CPACK_SET_DESTDIR ON)
set(CPACK_INSTALL_PREFIX /usr)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_PACKAGE_DIRECTORY ${CMAKE_BINARY_DIR}/packages)
set(CPACK_COMPONENTS_ALL server sdk debuginfo)
# COLONIES_CPACK_COMPONENTS="server;sdk" in cpack's environment packages only those (the CI test
# leaves out the 60 MB debug package; packaging/cpack-options.cmake).
set(CPACK_PROJECT_CONFIG_FILE ${PROJECT_SOURCE_DIR}/packaging/cpack-options.cmake)

set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# zstd (dpkg reads it since 1.21.18, bookworm has 1.21.22): xz took minutes on the debug
# information, which is compressed already.
set(CPACK_DEBIAN_COMPRESSION_TYPE zstd)

set(CPACK_DEBIAN_SERVER_PACKAGE_NAME colonies)
set(CPACK_DEBIAN_SERVER_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_SERVER_PACKAGE_RECOMMENDS "systemd")
set(CPACK_COMPONENT_SERVER_DESCRIPTION
  "ColonyOS Colonies server, command line tool and OS executor (Colonies++)\n\
Colonies++ is a C++ server wire-compatible with ColonyOS Colonies: users submit\n\
function specs, executors anywhere pull matching work and report back. This\n\
package ships the `colonies` binary and colonies.service (not enabled), which\n\
runs the server on SQLite in /var/lib/colonies as the user `colonies`.")
set(CPACK_DEBIAN_SERVER_PACKAGE_CONTROL_EXTRA
  ${PROJECT_SOURCE_DIR}/packaging/debian/postinst
  ${PROJECT_SOURCE_DIR}/packaging/debian/prerm
  ${PROJECT_SOURCE_DIR}/packaging/debian/postrm
  ${PROJECT_SOURCE_DIR}/packaging/debian/conffiles)
set(CPACK_DEBIAN_SERVER_PACKAGE_CONTROL_STRICT_PERMISSION ON)

set(CPACK_DEBIAN_SDK_PACKAGE_NAME libcolonies-sdk-dev)
set(CPACK_DEBIAN_SDK_PACKAGE_SECTION libdevel)
# The SDK package gets a shlibs file (for dpkg-shlibdeps of programs built on it) and the
# ldconfig calls (only it has a shared library).
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS_POLICY ">=")
set(CPACK_COMPONENT_SDK_DESCRIPTION
  "C++ SDK for ColonyOS Colonies servers (Colonies++)\n\
libcolonies-sdk with its headers (include/colonies/sdk.hpp), the CMake package\n\
ColoniesSDK and the pkg-config file colonies-sdk.")

set(CPACK_DEBIAN_DEBUGINFO_PACKAGE_NAME colonies-dbg)
set(CPACK_DEBIAN_DEBUGINFO_PACKAGE_SECTION debug)
set(CPACK_DEBIAN_DEBUGINFO_PACKAGE_DEPENDS "colonies (= ${PROJECT_VERSION})")
set(CPACK_COMPONENT_DEBUGINFO_DESCRIPTION
  "debug information of the colonies binary (Colonies++)\n\
For gdb and crash reports: /usr/lib/debug/usr/bin/colonies.debug.")
include(CPack)
