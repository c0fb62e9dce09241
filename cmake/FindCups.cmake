# FindCups: libcups 2.4 (libcups2-dev), used only as the IPP codec.
# Defines the imported target Cups::cups.
find_path(CUPS_INCLUDE_DIR cups/ipp.h)
find_library(CUPS_LIBRARY cups)

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(Cups REQUIRED_VARS CUPS_INCLUDE_DIR CUPS_LIBRARY)

if(Cups_FOUND AND NOT TARGET Cups::cups)
  add_library(Cups::cups UNKNOWN IMPORTED)
  set_target_properties(Cups::cups PROPERTIES
    IMPORTED_LOCATION "${CUPS_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${CUPS_INCLUDE_DIR}")
endif()
