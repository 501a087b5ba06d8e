# SPDX-License-Identifier: MIT
# lstar_check_source_list(NAME SOURCES <files...> GLOBS <patterns...>): the source list of NAME
# against the tree. Every file the GLOBS find (recursively) must be in SOURCES, and every file in
# SOURCES must exist; otherwise configure fails, naming each file and what is wrong with it. So a
# file nobody added to the list cannot silently drop out of the build.
#
# SOURCES are relative to the calling CMakeLists.txt's directory, as add_executable takes them.
# The glob is CONFIGURE_DEPENDS: adding or removing a matching file re-runs the check at the
# next build.
function(lstar_check_source_list name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "" "SOURCES;GLOBS")
  list(TRANSFORM arg_GLOBS PREPEND ${CMAKE_CURRENT_SOURCE_DIR}/)
  file(GLOB_RECURSE found CONFIGURE_DEPENDS LIST_DIRECTORIES false
       RELATIVE ${CMAKE_CURRENT_SOURCE_DIR} ${arg_GLOBS})
  set(unlisted ${found})
  if(arg_SOURCES)
    list(REMOVE_ITEM unlisted ${arg_SOURCES})
  endif()
  set(gone)
  foreach(src IN LISTS arg_SOURCES)
    if(NOT EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/${src})
      list(APPEND gone ${src})
    endif()
  endforeach()
  if(NOT unlisted AND NOT gone)
    return()
  endif()
  set(msg "The source list of ${name} in ${CMAKE_CURRENT_LIST_FILE} differs from the tree:")
  foreach(src IN LISTS unlisted)
    string(APPEND msg "\n  ${src}: in the tree but not in the list, so it would not be built")
  endforeach()
  foreach(src IN LISTS gone)
    string(APPEND msg "\n  ${src}: in the list but not in the tree")
  endforeach()
  message(FATAL_ERROR "${msg}\nAdd or remove its line in the list.")
endfunction()
