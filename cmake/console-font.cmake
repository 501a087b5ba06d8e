# SPDX-License-Identifier: MIT
# The framebuffer console's font: a PSF file from Debian's console-setup-linux, decompressed and
# turned into a C array at build time (console-font-embed.cmake), so the kernel carries the same
# font the screen tests render their expected picture with (${LSTAR_CONSOLE_FONT_PSF}).
set(LSTAR_CONSOLE_FONT /usr/share/consolefonts/Lat15-VGA16.psf.gz CACHE FILEPATH
    "PSF font (.psf or .psf.gz) of the framebuffer console; Debian: console-setup-linux")
if(NOT EXISTS ${LSTAR_CONSOLE_FONT})
  message(FATAL_ERROR "The console font ${LSTAR_CONSOLE_FONT} is missing "
                      "(Debian: apt-get install console-setup-linux, or set LSTAR_CONSOLE_FONT)")
endif()
set(LSTAR_CONSOLE_FONT_PSF ${CMAKE_BINARY_DIR}/console-font.psf)
set(LSTAR_CONSOLE_FONT_C ${CMAKE_BINARY_DIR}/generated/console_font.c)
if(LSTAR_CONSOLE_FONT MATCHES "\\.gz$")
  set(font_unpack gzip -dc ${LSTAR_CONSOLE_FONT} > ${LSTAR_CONSOLE_FONT_PSF})
else()
  set(font_unpack ${CMAKE_COMMAND} -E copy ${LSTAR_CONSOLE_FONT} ${LSTAR_CONSOLE_FONT_PSF})
endif()
add_custom_command(OUTPUT ${LSTAR_CONSOLE_FONT_PSF} ${LSTAR_CONSOLE_FONT_C}
  COMMAND ${font_unpack}
  COMMAND ${CMAKE_COMMAND} -DIN=${LSTAR_CONSOLE_FONT_PSF} -DOUT=${LSTAR_CONSOLE_FONT_C} -DNAME=console_font_psf
          -P ${CMAKE_SOURCE_DIR}/cmake/console-font-embed.cmake
  DEPENDS ${LSTAR_CONSOLE_FONT} ${CMAKE_SOURCE_DIR}/cmake/console-font-embed.cmake
  COMMENT "Embedding the console font ${LSTAR_CONSOLE_FONT}")
add_custom_target(console_font DEPENDS ${LSTAR_CONSOLE_FONT_PSF} ${LSTAR_CONSOLE_FONT_C})
