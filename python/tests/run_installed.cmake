# cmake --install BUILD_DIR into PREFIX, then the installed package imported
# and run by PYTHON from PREFIX/PACKAGE_DIR, outside the build and the source.
file(REMOVE_RECURSE ${PREFIX})
execute_process(COMMAND ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${PREFIX} OUTPUT_QUIET RESULT_VARIABLE failed)
if(failed)
    message(FATAL_ERROR "cmake --install failed")
endif()
set(ENV{PYTHONPATH} ${PREFIX}/${PACKAGE_DIR})
execute_process(COMMAND ${PYTHON} -c
    "import numpy, wst, sys; assert wst.__file__.startswith(sys.argv[1]), wst.__file__; print(wst.Scattering1D(J=4, shape=256)(numpy.ones(256)).shape)"
    ${PREFIX}
    WORKING_DIRECTORY ${PREFIX} OUTPUT_VARIABLE out RESULT_VARIABLE failed)
if(failed OR NOT out MATCHES "^\\(13, 16\\)")
    message(FATAL_ERROR "the installed package did not run: ${out}")
endif()
message(STATUS "installed under ${PREFIX}/${PACKAGE_DIR}: ${out}")
