// Where the entry windows are, from the labels lstar_entry.asm puts around them.
#include <stddef.h>
#include "syscall/entry_window.h"

// Each window is [first, last]: every RIP at which an exception or NMI can be delivered (the
// CPU reports the address of the next instruction to run) while ring 0 has the user's RSP or
// GS, or has just switched away from them.
extern const char lstar_entry[], lstar_entry_safe_stack[];     // swapgs; park RSP; load the kernel's
extern const char syscall_exit_user_stack[], syscall_sysret[]; // user RSP loaded; swapgs; sysretq
extern const char syscall_exit_iret[], syscall_iretq[];        // swapgs (to ring 3); iretq

// Returns the name of the entry window `rip` is in, or NULL.
const char *entry_window_name(uint64_t rip)
{
    static const struct {
        const char *first, *last, *name;
    } windows[] = {
        {lstar_entry, lstar_entry_safe_stack, "syscall entry"},
        {syscall_exit_user_stack, syscall_sysret, "sysretq exit"},
        {syscall_exit_iret, syscall_iretq, "iretq exit"},
    };
    for (size_t i = 0; i < sizeof windows / sizeof windows[0]; i++)
        if (rip >= (uint64_t)windows[i].first && rip <= (uint64_t)windows[i].last)
            return windows[i].name;
    return NULL;
}
