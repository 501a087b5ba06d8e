# SPDX-License-Identifier: MIT
# lstar_nasm_include(HEADER OUT_DIR): turns each `#define NAME value` line of a C header into a
# NASM `%define` in OUT_DIR/<stem>.inc, so assembly and C read one definition. C integer
# suffixes (1u, 0x10ull) are dropped from the values and trailing // comments cut; lines without
# a value (include guards), function-like macros (a `(` right after the name: C only) and
# everything that is not a #define are left out. The .inc is rewritten only when its text
# changes, and the header is a configure dependency.
function(lstar_nasm_include header out_dir)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${header})
  file(MAKE_DIRECTORY ${out_dir})
  get_filename_component(stem ${header} NAME_WE)
  set(define_re "^#define[ \t]+([A-Za-z_][A-Za-z_0-9]*)[ \t]+([^/]*[^ \t/]).*$")
  file(STRINGS ${header} lines REGEX "^#define[ \t]+[A-Za-z_][A-Za-z_0-9]*[ \t]+[^ \t]")
  set(inc "; Generated from ${header}: do not edit.\n")
  foreach(line IN LISTS lines)
    string(REGEX REPLACE "${define_re}" "\\1" name "${line}")
    string(REGEX REPLACE "${define_re}" "\\2" value "${line}")
    string(REGEX REPLACE "([0-9a-fA-F])(ull|ul|u|ll|l)([^0-9A-Za-z_]|$)" "\\1\\3" value "${value}")
    string(APPEND inc "%define ${name} ${value}\n")
  endforeach()
  file(WRITE ${out_dir}/${stem}.inc.tmp "${inc}")
  configure_file(${out_dir}/${stem}.inc.tmp ${out_dir}/${stem}.inc COPYONLY)
endfunction()
