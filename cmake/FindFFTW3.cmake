# Finds FFTW3 in double (fftw3) and single (fftw3f) precision.
# Defines the imported targets FFTW3::fftw3 and FFTW3::fftw3f.
find_package(PkgConfig QUIET)
if(PkgConfig_FOUND)
    pkg_check_modules(PC_FFTW3 QUIET fftw3)
endif()
find_path(FFTW3_INCLUDE_DIR fftw3.h HINTS ${PC_FFTW3_INCLUDE_DIRS})
find_library(FFTW3_LIBRARY NAMES fftw3 HINTS ${PC_FFTW3_LIBRARY_DIRS})
find_library(FFTW3F_LIBRARY NAMES fftw3f HINTS ${PC_FFTW3_LIBRARY_DIRS})

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(FFTW3 REQUIRED_VARS FFTW3_INCLUDE_DIR FFTW3_LIBRARY FFTW3F_LIBRARY)

if(FFTW3_FOUND)
    foreach(lib IN ITEMS fftw3 fftw3f)
        string(TOUPPER ${lib} upper)
        if(NOT TARGET FFTW3::${lib})
            add_library(FFTW3::${lib} UNKNOWN IMPORTED)
            set_target_properties(FFTW3::${lib} PROPERTIES
                IMPORTED_LOCATION "${${upper}_LIBRARY}"
                INTERFACE_INCLUDE_DIRECTORIES "${FFTW3_INCLUDE_DIR}")
        endif()
    endforeach()
endif()
mark_as_advanced(FFTW3_INCLUDE_DIR FFTW3_LIBRARY FFTW3F_LIBRARY)
