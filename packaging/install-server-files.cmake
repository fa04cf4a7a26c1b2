# Installs the man page, colonies.service and its environment file for the prefix this install
# runs with (run by `cmake --install`, also under CPack; file(INSTALL) adds DESTDIR itself). With the prefix /usr the environment
# file goes to /etc, as GNUInstallDirs and Debian place it; else under <prefix>/etc.
if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  set(etc /etc)
else()
  set(etc ${CMAKE_INSTALL_PREFIX}/etc)
endif()
set(COLONIES_BIN ${CMAKE_INSTALL_PREFIX}/bin/colonies)
set(COLONIES_ENV_FILE ${etc}/colonies/colonies.env)
set(src ${COLONIES_SOURCE_DIR})

set(work ${COLONIES_BUILD_DIR}/packaging/install)
file(MAKE_DIRECTORY ${work})
configure_file(${src}/packaging/colonies.service.in ${work}/colonies.service @ONLY)
file(INSTALL ${work}/colonies.service
     DESTINATION ${CMAKE_INSTALL_PREFIX}/lib/systemd/system)
file(INSTALL ${src}/packaging/colonies.env DESTINATION ${etc}/colonies)

# gzip -n: no name or time stamp inside, so the package is the same on every build.
file(COPY_FILE ${src}/docs/colonies.1 ${work}/colonies.1)
file(REMOVE ${work}/colonies.1.gz)
execute_process(COMMAND gzip -9n ${work}/colonies.1 COMMAND_ERROR_IS_FATAL ANY)
file(INSTALL ${work}/colonies.1.gz DESTINATION ${CMAKE_INSTALL_PREFIX}/share/man/man1)
