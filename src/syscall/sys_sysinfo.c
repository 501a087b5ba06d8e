// SPDX-License-Identifier: MIT
// SYS_sysinfo: what a benchmark result must carry about the machine it ran on.
#include "arch/x86_64/cpu_features.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/timer.h"
#include "arch/x86_64/user_copy.h"
#include "core/string.h"
#include "syscall/syscall_table.h"
#include "lstar_commit.h" // generated: LSTAR_COMMIT

extern uint64_t boot_tsc;

// sysinfo(buf, len): fills struct lstar_sysinfo; len must cover the whole structure.
SYSCALL_DEFINE(sysinfo)
{
    if (a1 < sizeof(struct lstar_sysinfo))
        return -EINVAL;
    struct lstar_sysinfo info;
    memset(&info, 0, sizeof info);
    info.tsc_hz = tsc_hz();
    info.boot_tsc = boot_tsc;
    info.cpu = (unsigned)this_cpu()->cpu;
    info.features = cpu_features();
    cpu_identify(info.cpu_vendor, info.cpu_brand, info.hypervisor);
    memcpy(info.commit, LSTAR_COMMIT, strnlen(LSTAR_COMMIT, sizeof info.commit - 1));
    memcpy(info.tsc_source, tsc_source(), strnlen(tsc_source(), sizeof info.tsc_source - 1));
    if (copy_to_user(a0, &info, sizeof info) != 0)
        return -EFAULT;
    return 0;
}
