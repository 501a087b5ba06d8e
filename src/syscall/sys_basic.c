// SPDX-License-Identifier: MIT
// The small system calls: null, getpid, clock_ns, trap_count, null_via_iret, kernel_rflags,
// getcpu.
#include "arch/x86_64/cr.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/syscall_msr.h"
#include "arch/x86_64/timer.h"
#include "core/process.h"
#include "syscall/syscall_frame.h"
#include "syscall/syscall_table.h"

// SYS_null: does nothing and returns 0; the benchmark's subject.
SYSCALL_DEFINE(null) { return 0; }

// SYS_getpid: the caller's process id.
SYSCALL_DEFINE(getpid) { return process_current()->pid; }

// SYS_clock_ns: nanoseconds since boot, from the TSC.
SYSCALL_DEFINE(clock_ns) { return (long)tsc_to_ns(rdtsc()); }

// SYS_trap_count: ring-3 #DB traps this process has taken.
SYSCALL_DEFINE(trap_count) { return (long)process_current()->debug_traps; }

// SYS_null_via_iret: a null call that leaves through iretq. After `syscall` the saved RCX is
// the return RIP (the ABI gives the caller no other value); zeroing it makes the return path's
// first check (RCX == RIP) fail, as any changed frame would. After `int 0x80` RCX is the
// caller's own and usually differs from RIP already: it is left alone, as the ABI promises.
// After `sysenter` the saved RCX is the user's RSP (docs/abi.md); zeroing it fails that exit's
// check that RCX is the frame's RSP, the RSP sysexitq would load from RCX.
SYSCALL_DEFINE(null_via_iret)
{
    struct syscall_frame *f = syscall_current_frame();
    bool after_sysenter = f->cs == GDT_USER_CS && f->ss == GDT_USER_DS_SYSEXIT && f->rcx == f->rsp;
    // From compatibility mode the RCX word is the user's ESP as well (sysenter32_entry). A
    // compatibility-mode `int 0x80` whose ECX happens to equal its ESP looks the same and gets
    // ECX = 0 back: this call exists for tests and the benchmark, which never pass that.
    bool after_sysenter32 = f->cs == GDT_USER_CS32 && sysenter_enabled && f->rcx == f->rsp;
    if (f->rcx == f->rip || after_sysenter || after_sysenter32)
        f->rcx = 0;
    return 0;
}

// SYS_kernel_rflags: the RFLAGS a kernel handler ran with, so that ring 3 can check what each
// entry left the kernel with (IF, TF, DF, AC, NT clear) whatever the caller's own flags were:
// this handler's own (KERNEL_RFLAGS_THIS_CALL), or the #DB handler's at the caller's last single
// step (KERNEL_RFLAGS_LAST_DEBUG: the paranoid exception path, debug_trap.c).
SYSCALL_DEFINE(kernel_rflags)
{
    if (a0 == KERNEL_RFLAGS_THIS_CALL)
        return (long)read_rflags();
    if (a0 == KERNEL_RFLAGS_LAST_DEBUG)
        return (long)process_current()->debug_trap_rflags;
    return -EINVAL;
}

// SYS_getcpu: the number of the CPU running the caller. The probe that GS is per CPU: each call
// reads this CPU's area through GS anew (this_cpu() is a volatile load of [gs:0]), so a GS base
// left pointing at another CPU's area shows as a wrong number, never as a stale copy.
SYSCALL_DEFINE(getcpu) { return (long)this_cpu()->cpu; } // [mutant getcpu-reads-gs: "this_cpu()->cpu" -> 0]
