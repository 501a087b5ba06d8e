// SPDX-License-Identifier: MIT
// Names for the negative errno values the kernel returns (see src/syscall/abi.h).
#ifndef LSTAR_LIBC_ERRNO_H
#define LSTAR_LIBC_ERRNO_H

// "ENOENT" for -ENOENT (or ENOENT); "E?" for a value the ABI does not define.
const char *errno_name(long err);

#endif
