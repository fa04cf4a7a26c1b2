# Read by cpack when it runs (CPACK_PROJECT_CONFIG_FILE): choices made at packaging time.
if(DEFINED ENV{COLONIES_CPACK_COMPONENTS})
  set(CPACK_COMPONENTS_ALL "$ENV{COLONIES_CPACK_COMPONENTS}")
endif()
