// Spawning, running and ending processes.
//
// process_spawn builds the child (address space, kernel stack), switches to it and sleeps in
// context_switch until the child ends; process_end switches back. Only one process per CPU
// runs at a time, so "current" is simply this CPU's percpu->current. Those two are the only
// switches there are, so switch_to is where a process's registers change hands: the general
// ones and DS/ES/FS/GS on the kernel stack (context_switch), x87/MMX/SSE in struct process.
#include <stdbool.h>
#include "core/process.h"
#include "arch/x86_64/cr.h"
#include "arch/x86_64/paging.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/stacks.h"
#include "arch/x86_64/timer.h"
#include "arch/x86_64/traps.h"
#include "arch/x86_64/xstate.h"
#include "core/console.h"
#include "core/modules.h"
#include "core/panic.h"
#include "core/program_loader.h"
#include "core/string.h"
#include "syscall/syscall_msr.h"

#define USER_RFLAGS_INITIAL 0x202 // IF = 1 (the timer may interrupt ring 3), bit 1 always 1

extern void context_switch(uint64_t *save_rsp, uint64_t next_rsp);
extern void user_first_entry(void);

static struct process slots[MAX_PROCESS_STACKS]; // slot i runs on process kernel stack i; pid 0 = free
static struct process kernel_context = {.pid = 0, .name = "kernel"}; // kmain, the first parent
static int next_pid = 1;
static uint64_t limit_ticks; // ring-3 ticks a program may use; 0 = no limit (limit= option)

// Copies a NUL-terminated string into a fixed buffer, truncating if needed.
static void copy_bounded(char *dst, const char *src, size_t size)
{
    size_t n = strnlen(src, size - 1);
    memcpy(dst, src, n);
    dst[n] = 0;
}

// Returns the process running on this CPU, or NULL while the kernel runs its own code.
struct process *process_current(void) { return this_cpu()->current; }

// Makes `p` (or the kernel itself) the owner of this CPU: its stack for entries, its CR3.
static void process_install(struct process *p)
{
    if (p == &kernel_context) {
        this_cpu()->current = NULL;
        paging_switch(paging_kernel_cr3());
        return;
    }
    this_cpu()->current = p;
    percpu_set_kernel_stack(p->kernel_stack_top);
    paging_switch(p->cr3);
}

// Lays out a new kernel stack so that context_switch resumes in user_first_entry, which
// iretqs to `entry` on the user stack.
static uint64_t prepare_first_entry(uint64_t top, uint64_t entry)
{
    uint64_t *sp = (uint64_t *)top;
    *--sp = GDT_USER_DS;          // SS
    *--sp = USER_STACK_TOP;       // RSP
    *--sp = USER_RFLAGS_INITIAL;  // RFLAGS
    *--sp = GDT_USER_CS;          // CS
    *--sp = entry;                // RIP
    *--sp = (uint64_t)user_first_entry;
    for (int i = 0; i < 6; i++)   // rbp, rbx, r12-r15 as context_switch pops them
        *--sp = 0;
    for (int i = 0; i < 4; i++)   // DS, ES, FS, GS: null (user_first_entry makes sure again)
        *--sp = 0;
    return (uint64_t)sp;
}

// Hands this CPU from `from` to `to`, which must already be installed, with interrupts off:
// from's x87/MMX/SSE registers go to its save area unless it is ending for good, to's are
// loaded, then context_switch parks from's kernel stack and resumes to's. FXSAVE and FXRSTOR
// are safe anywhere in here: the kernel is compiled with -mgeneral-regs-only, so the registers
// still hold what the outgoing program left (SDM Vol. 3A 13.4, 13.5).
static void switch_to(struct process *from, struct process *to, bool from_ends)
{
    if (!from_ends)
        xstate_save(&from->xstate);
    xstate_restore(&to->xstate);
    context_switch(&from->saved_rsp, to->saved_rsp);
}

// Runs module `name` with `args` as a child of the caller and returns its fate
// (exit status or SPAWN_FAULTED | vector), or -ENOENT, -ENOEXEC, -ENOMEM.
int process_spawn(const char *name, const char *args)
{
    const struct module *m = module_find(name);
    if (!m)
        return -ENOENT;
    unsigned slot = 0;
    while (slot < MAX_PROCESS_STACKS && slots[slot].pid != 0)
        slot++;
    if (slot == MAX_PROCESS_STACKS)
        return -ENOMEM;

    struct process *p = &slots[slot];
    memset(p, 0, sizeof *p);
    p->cr3 = paging_new_address_space();
    uint64_t entry;
    int err = program_load(p->cr3, phys_to_virt(m->phys), m->size, name, &entry);
    if (err) {
        paging_free_address_space(p->cr3);
        return err;
    }
    p->pid = next_pid++; // from here on the slot is taken
    copy_bounded(p->name, name, sizeof p->name);
    copy_bounded(p->args, args, sizeof p->args);
    p->kernel_stack_top = stack_process_top(slot);
    p->saved_rsp = prepare_first_entry(p->kernel_stack_top, entry);
    xstate_init(&p->xstate); // nothing of the parent's x87/SSE registers reaches the child
    p->parent = process_current() ? process_current() : &kernel_context;
    kprintf("[proc] started '%s' (pid %d, parent %d) args '%s'\n", p->name, p->pid, p->parent->pid, p->args);

    uint64_t flags = read_rflags();
    irq_disable(); // no interrupt may see CR3, RSP0 and the stack disagree
    process_install(p);
    switch_to(p->parent, p, false);
    // The child has ended; process_end already reinstalled us.
    if (flags & RFLAGS_IF)
        irq_enable();
    int fate = p->fate;
    paging_free_address_space(p->cr3);
    p->pid = 0; // the slot is free again
    return fate;
}

// Ends the current process with `fate` and resumes its parent inside process_spawn.
static __attribute__((noreturn)) void process_end(int fate)
{
    struct process *p = process_current();
    KASSERT(p != NULL);
    p->fate = fate;
    syscall_entries_restore(); // a benchmark's empty entry must not outlive it
    process_install(p->parent);
    switch_to(p, p->parent, true); // its registers die with it: no need to save them
    panic("a finished process was resumed");
}

// SYS_exit: ends the caller with status & 0xff.
void process_exit(int status)
{
    struct process *p = process_current();
    kprintf("[proc] '%s' (pid %d) exited with status %d\n", p->name, p->pid, status & 0xff);
    process_end(status & 0xff);
}

// Sets how many seconds of ring-3 time a program may use before it is stopped (0: no limit).
void process_set_time_limit(unsigned seconds) { limit_ticks = (uint64_t)seconds * TIMER_HZ; }

// Charges one timer tick to the process it interrupted in ring 3, and stops the process when
// it has used up its limit: a program that never returns to the kernel cannot hold the CPU
// forever, even though lstar does not preempt. Called after the tick's EOI.
void process_user_tick(void)
{
    struct process *p = process_current();
    if (!p || ++p->user_ticks <= limit_ticks || limit_ticks == 0)
        return;
    kprintf("[proc] '%s' (pid %d) used up its %llu s of ring-3 time (limit=): stopped\n", p->name, p->pid,
            (unsigned long long)(limit_ticks / TIMER_HZ));
    process_end(SPAWN_TIMED_OUT);
}

// Stops the current process after an exception in ring 3, with a report; the kernel goes on.
void process_kill_after_fault(const struct trap_frame *tf)
{
    struct process *p = process_current();
    if (!p)
        panic_with_frame(tf, "ring-3 exception with no current process");
    kprintf("[fault] program '%s' (pid %d) stopped: vector %llu, %s\n", p->name, p->pid,
            (unsigned long long)tf->vector, trap_vector_name(tf->vector));
    trap_print_frame(tf);
    process_end(SPAWN_FAULTED | (int)tf->vector);
}
