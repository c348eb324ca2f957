# Runs an example program into a fresh folder and checks that it wrote each
# of PNGS, a PNG image (its signature), then removes the folder:
#   cmake -DPROGRAM=path -DWORK_DIR=folder -DPNGS="a.png;b.png" -P run_example.cmake
file(REMOVE_RECURSE ${WORK_DIR})
execute_process(COMMAND ${PROGRAM} ${WORK_DIR} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${PROGRAM} ${WORK_DIR} failed (${rc})")
endif()
foreach(png IN LISTS PNGS)
    if(NOT EXISTS ${WORK_DIR}/${png})
        message(FATAL_ERROR "${PROGRAM} wrote no ${png}")
    endif()
    file(READ ${WORK_DIR}/${png} signature LIMIT 8 HEX)
    if(NOT signature STREQUAL "89504e470d0a1a0a")
        message(FATAL_ERROR "${png} is not a PNG image")
    endif()
endforeach()
file(REMOVE_RECURSE ${WORK_DIR})
