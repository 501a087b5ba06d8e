// The system-call table: one slot per number in abi.h, indexed by both entry stubs.
#include "syscall/syscall_table.h"

// Designated initialisers keep number and handler side by side; the size is SYS_NR, and the
// stubs refuse any RAX >= SYS_NR (read from abi.h through the generated abi.inc).
const syscall_handler syscall_table[SYS_NR] = {
    [SYS_null] = sys_null,
    [SYS_exit] = sys_exit,
    [SYS_write] = sys_write,
    [SYS_getpid] = sys_getpid,
    [SYS_clock_ns] = sys_clock_ns,
    [SYS_sysinfo] = sys_sysinfo,
    [SYS_spawn] = sys_spawn,
    [SYS_getargs] = sys_getargs,
    [SYS_trap_count] = sys_trap_count,
    [SYS_null_via_iret] = sys_null_via_iret,
    [SYS_bench_entry] = sys_bench_entry,
    [SYS_kernel_rflags] = sys_kernel_rflags,
};
