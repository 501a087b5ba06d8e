// SPDX-License-Identifier: MIT
// Names for the errno values of the lstar ABI, so logs say -EFAULT rather than -14.
#include "libc/errno.h"

#include "syscall/abi.h"

// "ENOENT" for -ENOENT (or ENOENT); "E?" for a value the ABI does not define.
const char *errno_name(long err)
{
    const char *name = lstar_errno_name(err);
    return name ? name : "E?";
}
