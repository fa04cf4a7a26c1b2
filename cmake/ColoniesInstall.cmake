# What `cmake --install` installs (docs/operations.md, docs/sdk-cpp.md), in three components:
#   server     the `colonies` binary (stripped), its man page, colonies.service and the
#              environment file the unit reads
#   sdk        libcolonies-sdk, include/colonies/, the CMake package ColoniesSDK, colonies-sdk.pc
#   debuginfo  the binary's debug information, where gdb looks for it
# cmake/ColoniesPackage.cmake turns each into a Debian package.

# Split debug information: the linked binary is over 250 MB, nearly all of it DWARF. The
# installed binary keeps only what runs, plus a link (name and CRC) to colonies.debug, which
# gdb finds under /usr/lib/debug/<path of the binary>.debug. The split runs at install time
# (packaging/split-debug.cmake, about 6 s of CPU), not at every link.
find_program(COLONIES_OBJCOPY NAMES objcopy REQUIRED)
set(COLONIES_STRIPPED ${CMAKE_CURRENT_BINARY_DIR}/packaging/colonies)
set(COLONIES_DEBUG ${CMAKE_CURRENT_BINARY_DIR}/packaging/colonies.debug)
set(split "set(COLONIES_BUILT \"$<TARGET_FILE:colonies>\")
  set(COLONIES_STRIPPED \"${COLONIES_STRIPPED}\")
  set(COLONIES_DEBUG \"${COLONIES_DEBUG}\")
  set(COLONIES_OBJCOPY \"${COLONIES_OBJCOPY}\")
  include(\"${PROJECT_SOURCE_DIR}/packaging/split-debug.cmake\")")
install(CODE "${split}" COMPONENT server)
install(CODE "${split}" COMPONENT debuginfo)
install(PROGRAMS ${COLONIES_STRIPPED} DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT server)
install(FILES ${COLONIES_DEBUG} DESTINATION lib/debug/usr/bin COMPONENT debuginfo)
# The man page (gzipped, as Debian wants), the unit and the environment file. The unit names
# the installed binary and environment file, which depend on the prefix the install runs with
# (/usr for the Debian package: the environment file then is /etc/colonies/colonies.env).
install(CODE "set(COLONIES_SOURCE_DIR \"${PROJECT_SOURCE_DIR}\")
set(COLONIES_BUILD_DIR \"${CMAKE_CURRENT_BINARY_DIR}\")"
  COMPONENT server)
install(SCRIPT ${PROJECT_SOURCE_DIR}/packaging/install-server-files.cmake COMPONENT server)

# The SDK.
install(TARGETS colonies_sdk EXPORT ColoniesSDKTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT sdk
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/colonies
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT sdk)
# Its debug information is dropped (1 MB instead of 39 MB); to step into the SDK, build it from
# source.
install(CODE "execute_process(COMMAND ${CMAKE_STRIP} --strip-unneeded
  \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_LIBDIR}/$<TARGET_FILE_NAME:colonies_sdk>\"
  COMMAND_ERROR_IS_FATAL ANY)" COMPONENT sdk)
set(COLONIES_SDK_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/ColoniesSDK)
install(EXPORT ColoniesSDKTargets NAMESPACE ColoniesSDK:: DESTINATION ${COLONIES_SDK_CMAKEDIR}
  COMPONENT sdk)
include(CMakePackageConfigHelpers)
configure_package_config_file(${PROJECT_SOURCE_DIR}/packaging/ColoniesSDKConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/packaging/ColoniesSDKConfig.cmake
  INSTALL_DESTINATION ${COLONIES_SDK_CMAKEDIR})
write_basic_package_version_file(
  ${CMAKE_CURRENT_BINARY_DIR}/packaging/ColoniesSDKConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/packaging/ColoniesSDKConfig.cmake
  ${CMAKE_CURRENT_BINARY_DIR}/packaging/ColoniesSDKConfigVersion.cmake
  DESTINATION ${COLONIES_SDK_CMAKEDIR} COMPONENT sdk)
# pkg-config: paths relative to the .pc file, so the SDK works wherever it is installed.
file(RELATIVE_PATH COLONIES_PC_TO_PREFIX /prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig /prefix)
string(REGEX REPLACE "/$" "" COLONIES_PC_TO_PREFIX "${COLONIES_PC_TO_PREFIX}")
configure_file(${PROJECT_SOURCE_DIR}/packaging/colonies-sdk.pc.in
  ${CMAKE_CURRENT_BINARY_DIR}/packaging/colonies-sdk.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/packaging/colonies-sdk.pc
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT sdk)
