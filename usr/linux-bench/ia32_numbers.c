// SPDX-License-Identifier: MIT
// The ia32 system-call numbers `int 0x80` takes on x86-64 Linux, from Linux's own header. A file
// of their own: <asm/unistd_32.h> and <asm/unistd_64.h> give the same names other values.
#include "linux-bench/ia32_numbers.h"

#include <asm/unistd_32.h>

const long ia32_nr_getppid = __NR_getppid;
