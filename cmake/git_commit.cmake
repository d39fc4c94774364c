# yumda_git_commit(OUT): the commit the sources are, as `git describe --always
# --dirty` says it at configure time ("2fea708", "v0.1.0-3-g2fea708-dirty"),
# or "unknown" when the source tree is not a git checkout of its own (a
# tarball, a container build without .git, a tree inside another repo).
# -DYUMDA_GIT_COMMIT=... overrides it (a packager building from a tarball).
#
# A commit or a checkout re-runs configure (HEAD and the branch's ref are
# configure dependencies), so the binary names the commit it was built from;
# "-dirty" is as of the last configure.
function(yumda_git_commit out)
  if(YUMDA_GIT_COMMIT)
    set(${out} "${YUMDA_GIT_COMMIT}" PARENT_SCOPE)
    return()
  endif()
  set(commit unknown)
  find_package(Git QUIET)
  if(GIT_FOUND)
    execute_process(COMMAND ${GIT_EXECUTABLE} rev-parse --show-toplevel
                    WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}
                    OUTPUT_VARIABLE top RESULT_VARIABLE rc
                    OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
    if(rc EQUAL 0)
      file(REAL_PATH "${top}" top)
      file(REAL_PATH "${CMAKE_SOURCE_DIR}" src)
    endif()
    if(rc EQUAL 0 AND top STREQUAL src)
      execute_process(COMMAND ${GIT_EXECUTABLE} describe --always --dirty
                      WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}
                      OUTPUT_VARIABLE described RESULT_VARIABLE rc
                      OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
      if(rc EQUAL 0 AND described)
        set(commit "${described}")
      endif()
      # Re-run configure when HEAD moves: HEAD itself (a checkout) and the
      # branch's loose ref (a commit). A packed ref is in packed-refs.
      foreach(ref HEAD refs/heads packed-refs)
        if(ref STREQUAL "refs/heads")
          execute_process(COMMAND ${GIT_EXECUTABLE} symbolic-ref -q HEAD
                          WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}
                          OUTPUT_VARIABLE ref RESULT_VARIABLE rc
                          OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
          if(NOT rc EQUAL 0)
            continue()
          endif()
        endif()
        execute_process(COMMAND ${GIT_EXECUTABLE} rev-parse --path-format=absolute --git-path ${ref}
                        WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}
                        OUTPUT_VARIABLE path RESULT_VARIABLE rc
                        OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
        if(rc EQUAL 0 AND EXISTS "${path}")
          set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${path}")
        endif()
      endforeach()
    endif()
  endif()
  set(${out} "${commit}" PARENT_SCOPE)
endfunction()
