// SPDX-License-Identifier: MIT
// Names for the errno values of the lstar ABI, so logs say -EFAULT rather than -14.
#include "libc/errno.h"

#include "syscall/abi.h"

// "ENOENT" for -ENOENT (or ENOENT); "E?" for a value the ABI does not define.
const char *errno_name(long err)
{
    switch (err < 0 ? -err : err) {
    case ENOENT:
        return "ENOENT";
    case E2BIG:
        return "E2BIG";
    case ENOEXEC:
        return "ENOEXEC";
    case EBADF:
        return "EBADF";
    case ENOMEM:
        return "ENOMEM";
    case EFAULT:
        return "EFAULT";
    case EINVAL:
        return "EINVAL";
    case ENOSYS:
        return "ENOSYS";
    default:
        return "E?";
    }
}
