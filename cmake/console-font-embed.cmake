# SPDX-License-Identifier: MIT
# cmake -DIN=FILE -DOUT=FILE.c -DNAME=SYMBOL -P console-font-embed.cmake
# Writes FILE's bytes as `const unsigned char SYMBOL[]` and its size as SYMBOL_size.
file(READ ${IN} hex HEX)
string(LENGTH "${hex}" digits)
math(EXPR size "${digits} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REGEX REPLACE "(0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,)" "\\1\n    " bytes "${bytes}")
file(WRITE ${OUT} "// Generated from ${IN} by cmake/console-font-embed.cmake: do not edit.\n"
                  "const unsigned char ${NAME}[] = {\n    ${bytes}\n};\n"
                  "const unsigned long ${NAME}_size = ${size};\n")
