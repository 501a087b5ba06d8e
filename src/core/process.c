// SPDX-License-Identifier: MIT
// Spawning, running and ending processes.
//
// process_spawn builds the child (address space, kernel stack), switches to it and sleeps in
// context_switch until the child ends; process_end switches back. Only one process per CPU
// runs at a time, so "current" is simply this CPU's percpu->current. Those two are the only
// switches there are, so switch_to is where a process's registers change hands: the general
// ones and DS/ES/FS/GS on the kernel stack (context_switch), x87/MMX/SSE in struct process.
//
// Every CPU may spawn at the same time (each runs its own init, kmain.c): the table of slots
// and the pid counter are shared, under table_lock; a process itself is only ever touched by
// the CPU it runs on, and never moves to another one.
#include <stdbool.h>
#include "core/process.h"
#include "arch/x86_64/mitigations.h"
#include "arch/x86_64/cr.h"
#include "arch/x86_64/paging.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/pti.h"
#include "arch/x86_64/smp.h"
#include "arch/x86_64/stacks.h"
#include "arch/x86_64/syscall_msr.h"
#include "arch/x86_64/timer.h"
#include "arch/x86_64/traps.h"
#include "arch/x86_64/xstate.h"
#include "core/console.h"
#include "core/format.h"
#include "core/frame_alloc.h"
#include "core/modules.h"
#include "core/panic.h"
#include "core/program_loader.h"
#include "core/program_output.h"
#include "core/spinlock.h"
#include "core/string.h"
#include "syscall/sys_bench.h"

#define USER_RFLAGS_INITIAL (RFLAGS_FIXED | RFLAGS_IF) // the timer may interrupt ring 3

extern void context_switch(uint64_t *save_rsp, uint64_t next_rsp);
extern void user_first_entry(void);

static struct process slots[MAX_PROCESS_STACKS];   // slot i runs on process kernel stack i; pid 0 = free
static struct process kernel_contexts[MAX_CPUS];   // each CPU's kernel code, the parent of its init
static struct spinlock table_lock = SPINLOCK_INIT; // guards slots[].pid, slots_held and next_pid
static unsigned slots_held[MAX_CPUS];              // slots whose process runs on each CPU
static int next_pid = 1;
static uint64_t limit_ticks; // ring-3 ticks a program may use; 0 = no limit (limit= option)

// Room for a program's arguments escaped in its [proc] started line: any printable argument
// string whole, and the line within one console line (256 bytes) whatever the escapes.
#define ARGS_SHOWN_MAX 160
_Static_assert(ARGS_SHOWN_MAX >= PROCESS_ARGS_MAX + 3, "printable arguments are shown whole");

// Copies a NUL-terminated string into a fixed buffer, truncating if needed.
static void copy_bounded(char *dst, const char *src, size_t size)
{
    size_t n = strnlen(src, size - 1);
    memcpy(dst, src, n);
    dst[n] = 0;
}

// Copies a program's argument string into dst escaped (format_escape_byte), cut at a whole
// escape with "..." when it does not fit: the arguments come from ring 3, and a newline in them
// must not start a line of the kernel's log.
static void escape_args(char *dst, size_t size, const char *args)
{
    size_t len = 0;
    for (; *args; args++) {
        char esc[FORMAT_ESCAPE_MAX];
        size_t k = format_escape_byte(esc, (unsigned char)*args);
        if (len + k + 4 > size) { // room for "..." and the NUL
            memcpy(dst + len, "...", 3);
            len += 3;
            break;
        }
        memcpy(dst + len, esc, k);
        len += k;
    }
    dst[len] = 0;
}

// Returns the process running on this CPU, or NULL while the kernel runs its own code.
struct process *process_current(void) { return this_cpu()->current; }

// Whether `p` is a CPU's kernel context rather than a program.
static bool is_kernel_context(const struct process *p)
{
    return p >= kernel_contexts && p < kernel_contexts + MAX_CPUS;
}

// Makes `p` (or the kernel itself) the owner of this CPU: its stack for entries, its CR3 (with
// page-table isolation, its kernel PML4 now and its user PML4 for the exits: pti_install). `fresh`:
// p has never run, so its PCIDs may still tag an earlier process's translations.
static void process_install(struct process *p, bool fresh)
{
    if (is_kernel_context(p)) {
        this_cpu()->current = NULL;
        this_cpu()->syscall_work = 0; // int 0x80 from ring 0 takes the fast path
        paging_switch(paging_kernel_cr3());
        return;
    }
    this_cpu()->current = p;
    this_cpu()->syscall_work = p->syscall_work; // what both entries test (syscall_trace.h)
    // Its sysenter ABI (SYS_sysenter_abi): a wrmsr only when this CPU holds the other entry.
    if (sysenter_enabled)
        sysenter_install(p->sysenter32); // [mutant sysenter-abi-switch: p->sysenter32 -> false]
    percpu_set_kernel_stack(p->kernel_stack_top);
    pti_install(p->cr3, (unsigned)(p - slots) + 1, fresh); // PCIDs 1..MAX_PROCESS_STACKS: one per slot
}

// Lays out a new kernel stack so that context_switch resumes in user_first_entry, which
// iretqs to `entry` on the user stack with RDI = the CPU the program was placed on.
static uint64_t prepare_first_entry(uint64_t top, uint64_t entry, unsigned placed_cpu)
{
    uint64_t *sp = (uint64_t *)top;
    *--sp = GDT_USER_DS;         // SS
    *--sp = USER_STACK_TOP;      // RSP
    *--sp = USER_RFLAGS_INITIAL; // RFLAGS
    *--sp = GDT_USER_CS;         // CS
    *--sp = entry;               // RIP
    *--sp = placed_cpu;          // RDI (user_first_entry pops it)
    *--sp = (uint64_t)user_first_entry;
    for (int i = 0; i < 6; i++) // rbp, rbx, r12-r15 as context_switch pops them
        *--sp = 0;
    for (int i = 0; i < 4; i++) // DS, ES, FS, GS: null (user_first_entry makes sure again)
        *--sp = 0;
    return (uint64_t)sp;
}

// Hands this CPU from `from` to `to`, which must already be installed, with interrupts off: from's
// x87/MMX/SSE registers go to its save area unless it is ending for good, to's are loaded, then
// context_switch parks from's kernel stack and resumes to's. FXSAVE and FXRSTOR are safe anywhere
// in here: the kernel is compiled with -mgeneral-regs-only, so the registers still hold what the
// outgoing program left (SDM Vol. 3A "Saving the SSE/SSE2/SSE3/SSSE3/SSE4 State on Task or Context
// Switches" and the section after it).
static void switch_to(struct process *from, struct process *to, bool from_ends)
{
    mitigations_switch_to(is_kernel_context(to) ? 0 : (uint64_t)to->pid); // IBPB between programs
    if (!from_ends)
        xstate_save(&from->xstate);
    xstate_restore(&to->xstate);
    context_switch(&from->saved_rsp, to->saved_rsp);
}

// The slots one CPU's processes may hold at once: an equal share of all of them, so that a
// program that spawns without end on one CPU (crash:nest) runs out of its own CPU's share and
// never takes the slots another CPU's programs need.
static unsigned slot_share(void) { return MAX_PROCESS_STACKS / smp_online_cpus(); }

// Takes a free slot and a pid for a new process to run on `cpu`, or returns NULL when `cpu`
// holds its share of the slots already.
static struct process *take_slot(unsigned cpu, unsigned *index)
{
    struct process *p = NULL;
    uint64_t flags = spin_lock(&table_lock);
    // [mutant slot-share: "< slot_share()" -> "<= MAX_PROCESS_STACKS"]
    for (unsigned slot = 0; slot < MAX_PROCESS_STACKS && !p && slots_held[cpu] < slot_share(); slot++) {
        if (slots[slot].pid == 0) {
            p = &slots[slot];
            memset(p, 0, sizeof *p);
            p->pid = next_pid++; // taken from here on
            p->placed_cpu = cpu;
            slots_held[cpu]++;
            *index = slot;
        }
    }
    spin_unlock(&table_lock, flags);
    return p;
}

// Gives a slot back (its process has ended or never started).
static void free_slot(struct process *p)
{
    uint64_t flags = spin_lock(&table_lock);
    p->pid = 0;
    slots_held[p->placed_cpu]--;
    spin_unlock(&table_lock, flags);
}

// Runs module `name` with `args` as a child of `parent` on this CPU and returns its fate
// (exit status or SPAWN_FAULTED | vector), or -ENOENT, -ENOEXEC, -ENOMEM.
static int spawn_child(struct process *parent, const char *name, const char *args)
{
    const struct module *m = module_find(name); // the module table never changes after boot
    if (!m)
        return -ENOENT;
    unsigned slot;
    struct process *p = take_slot(parent->placed_cpu, &slot);
    if (!p) {
        // What the CPU holds, counted, beside its share: a share that failed shows here.
        kprintf("[proc] cannot start '%s': cpu%u holds %u process slots, its share is %u of the %u for %u CPU(s)\n",
                name, parent->placed_cpu, __atomic_load_n(&slots_held[parent->placed_cpu], __ATOMIC_RELAXED),
                slot_share(), MAX_PROCESS_STACKS, smp_online_cpus());
        return -ENOMEM;
    }

    p->cr3 = paging_new_address_space();
    if (p->cr3 == FRAME_NONE) {
        kprintf("[proc] cannot start '%s': no frame left for its page tables\n", name);
        free_slot(p);
        return -ENOMEM;
    }
    uint64_t entry;
    char why[128];
    int err = program_load(p->cr3, phys_to_virt(m->phys), m->size, &entry, why, sizeof why);
    if (err) {
        kprintf("[proc] %s '%s': %s\n", err == -ENOMEM ? "cannot load" : "refused to load", name, why);
        paging_free_address_space(p->cr3);
        free_slot(p);
        return err;
    }
    if (pti_enabled()) {
        // What ring 3 will run on: the entry set of the kernel, nothing more (pti.c).
        char stray[128];
        unsigned pages;
        if (pti_check_user_tables(p->pid, p->cr3, stray, sizeof stray, &pages) != 0)
            panic("pti: pid %d: the user tables %s", p->pid, stray);
        kprintf("[pti] pid %d: user tables map only the entry set (%u pages)\n", p->pid, pages);
    }
    copy_bounded(p->name, name, sizeof p->name);
    copy_bounded(p->args, args, sizeof p->args);
    // take_slot set p->placed_cpu to the parent's: children run where their parent runs
    p->kernel_stack_top = stack_process_top(slot);
    p->saved_rsp = prepare_first_entry(p->kernel_stack_top, entry, p->placed_cpu);
    xstate_init(&p->xstate); // nothing of the parent's x87/SSE registers reaches the child
    p->parent = parent;
    syscall_trace_start(p);
    char shown[ARGS_SHOWN_MAX];
    escape_args(shown, sizeof shown, p->args);
    kprintf("[proc] started '%s' (pid %d, parent %d) args '%s'\n", p->name, p->pid, p->parent->pid, shown);

    uint64_t flags = read_rflags();
    irq_disable(); // no interrupt may see CR3, RSP0 and the stack disagree
    process_install(p, true);
    switch_to(p->parent, p, false);
    // The child has ended; process_end already reinstalled us.
    if (flags & RFLAGS_IF)
        irq_enable();
    int fate = p->fate;
    paging_free_address_space(p->cr3);
    free_slot(p);
    return fate;
}

// SYS_spawn: runs module `name` with `args` as a child of the calling process, on this CPU.
int process_spawn(const char *name, const char *args)
{
    struct process *parent = process_current();
    KASSERT(parent != NULL);
    return spawn_child(parent, name, args);
}

// Runs this CPU's first program (its init) from the kernel's own code; `cpu` is the CPU's
// number as its start-up code knows it (not read back through GS), and the program and its
// children are told it as the CPU they were placed on (crt0.asm).
int process_spawn_first(unsigned cpu, const char *name, const char *args)
{
    KASSERT(cpu < MAX_CPUS && process_current() == NULL);
    struct process *kernel = &kernel_contexts[cpu];
    copy_bounded(kernel->name, "kernel", sizeof kernel->name);
    kernel->placed_cpu = cpu;
    return spawn_child(kernel, name, args);
}

// Ends the current process with `fate` and resumes its parent inside process_spawn.
static __attribute__((noreturn)) void process_end(int fate)
{
    struct process *p = process_current();
    KASSERT(p != NULL);
    p->fate = fate;
    if (p->syscall_work & SYSCALL_WORK_TRACE)
        syscall_trace_end(p);
    syscall_entries_restore(); // a benchmark's empty entry must not outlive it
    process_install(p->parent, false);
    switch_to(p, p->parent, true); // its registers die with it: no need to save them
    panic("a finished process was resumed");
}

// SYS_exit: ends the caller with status & 0xff.
void process_exit(int status)
{
    struct process *p = process_current();
    program_output_end(p); // a line it left unfinished goes out, marked, before the kernel's
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
    program_output_end(p);
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
    program_output_end(p);
    kprintf("[fault] program '%s' (pid %d) stopped: vector %llu, %s\n", p->name, p->pid, (unsigned long long)tf->vector,
            trap_vector_name(tf->vector));
    trap_print_frame(tf);
    process_end(SPAWN_FAULTED | (int)tf->vector);
}
