# Writes OUT (mind1024_version.h) with "VERSION+<git describe>" of SRC, at every
# build, touching the file only when the text changes: outputs name the commit
# they were built from, not the one the build directory was configured at.
execute_process(COMMAND git -C ${SRC} describe --always --dirty --tags
                OUTPUT_VARIABLE describe OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE rc)
if(NOT rc EQUAL 0 OR NOT describe)
  set(describe "no-git")
endif()
set(text "// Generated at build time by host/cli/version_header.cmake.\n#pragma once\n#define MIND1024_VERSION_STRING \"${VERSION}+${describe}\"\n")
set(old "")
if(EXISTS ${OUT})
  file(READ ${OUT} old)
endif()
if(NOT old STREQUAL text)
  file(WRITE ${OUT} "${text}")
endif()
