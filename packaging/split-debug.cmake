# Splits the debug information off the linked `colonies` binary at install time (so that a
# build does not pay for it each time it links): COLONIES_BUILT -> COLONIES_STRIPPED (what is
# installed, with a .gnu_debuglink naming colonies.debug) and COLONIES_DEBUG (the DWARF,
# compressed). Does nothing when both are newer than the binary.
if(EXISTS "${COLONIES_STRIPPED}" AND EXISTS "${COLONIES_DEBUG}"
   AND NOT "${COLONIES_BUILT}" IS_NEWER_THAN "${COLONIES_STRIPPED}"
   AND NOT "${COLONIES_BUILT}" IS_NEWER_THAN "${COLONIES_DEBUG}")
  return()
endif()
message(STATUS "Splitting debug information off ${COLONIES_BUILT}")
get_filename_component(dir "${COLONIES_STRIPPED}" DIRECTORY)
file(MAKE_DIRECTORY "${dir}")
# Written under temporary names and renamed, so an interrupted split is redone next time.
execute_process(
  COMMAND "${COLONIES_OBJCOPY}" --only-keep-debug --compress-debug-sections=zlib
          "${COLONIES_BUILT}" "${COLONIES_DEBUG}.tmp"
  COMMAND_ERROR_IS_FATAL ANY)
file(RENAME "${COLONIES_DEBUG}.tmp" "${COLONIES_DEBUG}")
# objcopy writes the debug link's name without its directory and the file's CRC.
execute_process(
  COMMAND "${COLONIES_OBJCOPY}" --strip-all --add-gnu-debuglink=${COLONIES_DEBUG}
          "${COLONIES_BUILT}" "${COLONIES_STRIPPED}.tmp"
  COMMAND_ERROR_IS_FATAL ANY)
file(RENAME "${COLONIES_STRIPPED}.tmp" "${COLONIES_STRIPPED}")
