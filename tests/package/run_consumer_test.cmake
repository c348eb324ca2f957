# Installs wst into a scratch prefix, then configures, builds and runs a small
# project that uses it through find_package(wst) and wst::wst.
file(REMOVE_RECURSE ${WORK_DIR})
set(prefix ${WORK_DIR}/prefix)
foreach(step IN ITEMS configure install consumer build run)
    if(step STREQUAL "configure")
        set(cmd ${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${WORK_DIR}/wst -DWST_BUILD_TESTS=OFF -DWST_BUILD_EXAMPLES=OFF
            -DWST_BUILD_BENCHMARKS=OFF -DWST_CUDA=OFF -DWST_PYTHON=OFF
            -DCMAKE_INSTALL_PREFIX=${prefix})
    elseif(step STREQUAL "install")
        set(cmd ${CMAKE_COMMAND} --install ${WORK_DIR}/wst)
    elseif(step STREQUAL "consumer")
        set(cmd ${CMAKE_COMMAND} -S ${SOURCE_DIR}/tests/package/consumer -B ${WORK_DIR}/consumer
            -DCMAKE_PREFIX_PATH=${prefix})
    elseif(step STREQUAL "build")
        set(cmd ${CMAKE_COMMAND} --build ${WORK_DIR}/consumer)
    else()
        set(cmd ${WORK_DIR}/consumer/consumer)
    endif()
    execute_process(COMMAND ${cmd} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
    if(NOT rc EQUAL 0)
        message(FATAL_ERROR "package consumer test failed at step '${step}':\n${out}\n${err}")
    endif()
endforeach()
message(STATUS "consumer printed: ${out}")
