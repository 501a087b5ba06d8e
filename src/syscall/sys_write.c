// SPDX-License-Identifier: MIT
// SYS_write: the console (fd 1, 2) and a discarding sink (fd 3).
#include "arch/x86_64/user_copy.h"
#include "core/process.h"
#include "core/program_output.h"
#include "syscall/syscall_table.h"

#define WRITE_CHUNK 256 // bytes copied per step: a small kernel buffer, any length of write

// write(fd, buf, len): the whole range is checked before a byte is written, so a bad buffer
// gives -EFAULT and no partial output. What reaches the console is marked as the program's
// (program_output.c).
SYSCALL_DEFINE(write)
{
    uint64_t fd = a0, buf = a1, len = a2;
    if (fd < 1 || fd > 3)
        return -EBADF;
    // [mutant write-whole-range: "!user_range_ok(buf, len, false)" -> 0]
    if (!user_range_ok(buf, len, false))
        return -EFAULT;
    char chunk[WRITE_CHUNK];
    for (uint64_t done = 0; done < len;) {
        uint64_t n = len - done < WRITE_CHUNK ? len - done : WRITE_CHUNK;
        if (copy_from_user(chunk, buf + done, n) != 0)
            return -EFAULT;
        if (fd != 3)
            program_output_write(process_current(), chunk, n);
        done += n;
    }
    return (long)len;
}
