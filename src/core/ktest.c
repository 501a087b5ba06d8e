// SPDX-License-Identifier: MIT
// In-kernel self-checks, run at every boot unless ktest=off: each prints one
// `[ktest] PASS name` or `[ktest] FAIL name: detail` line, then a `ktest: N passed, M failed`
// summary. They check what only the running kernel can: the real memory map, the real page
// tables, exceptions actually taken and returned from, and (arch_checks.c) descriptor tables
// and control registers as the CPU sees them.
#include <stdbool.h>
#include <stdint.h>
#include "arch/x86_64/arch_checks.h"
#include "arch/x86_64/cpu_features.h"
#include "arch/x86_64/cr.h"
#include "arch/x86_64/paging.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/smp.h"
#include "arch/x86_64/stacks.h"
#include "arch/x86_64/traps.h"
#include "arch/x86_64/user_copy.h"
#include "core/console.h"
#include "core/format.h"
#include "core/frame_alloc.h"
#include "core/ktest.h"
#include "arch/x86_64/pti.h"
#include "core/physmem.h"
#include "syscall/abi.h"

static int passed, failed;

// Records one check's outcome (arch_checks.c reports through it too).
void ktest_check(bool ok, const char *name, const char *detail)
{
    if (ok) {
        passed++;
        kprintf("[ktest] PASS %s\n", name);
    } else {
        failed++;
        kprintf("[ktest] FAIL %s: %s\n", name, detail);
    }
}

// The allocator hands out distinct, aligned frames and takes them back exactly once.
static void frame_allocator_round_trip(void)
{
    uint64_t before = frames_free();
    uint64_t a = frame_get(), b = frame_get(), c = frame_get();
    bool distinct = a != b && b != c && a != c;
    bool aligned = ((a | b | c) & (FRAME_SIZE - 1)) == 0;
    bool counted = frames_free() == before - 3;
    frame_put(a), frame_put(b), frame_put(c);
    bool double_free_refused = frame_alloc_put(physmem_allocator(), a) != 0;
    ktest_check(distinct && aligned && counted && frames_free() == before && double_free_refused,
                "frame_allocator_gives_distinct_aligned_frames_and_refuses_double_free", "allocator state wrong");
}

// A page mapped at an unused kernel address reads back what was written through the direct map.
static void map_unmap_round_trip(void)
{
    const uint64_t va = 0xffffffffc0000000ull; // above the kernel image, mapped by nothing else
    uint64_t frame = frame_get_zeroed();
    *(volatile uint64_t *)phys_to_virt(frame) = 0x6c73746172ull;
    bool mapped = paging_map(paging_kernel_cr3(), va, frame, PTE_WRITABLE | PTE_NX) == 0;
    uint64_t pa = 0, flags = 0;
    bool translated = paging_translate(paging_kernel_cr3(), va, &pa, &flags) && pa == frame;
    bool reads_back = mapped && *(volatile uint64_t *)va == 0x6c73746172ull;
    bool unmapped = paging_unmap(paging_kernel_cr3(), va, NULL) == 0 &&
                    !paging_translate(paging_kernel_cr3(), va, NULL, NULL);
    frame_put(frame);
    ktest_check(mapped && translated && reads_back && unmapped, "map_unmap_round_trip", "mapping did not round-trip");
}

// The kernel image is W^X and its stack guard pages are unmapped.
static void kernel_image_is_w_xor_x(void)
{
    extern char kernel_text_start[], kernel_rodata_start[], kernel_data_start[];
    uint64_t cr3 = paging_kernel_cr3(), f_text, f_ro, f_data;
    bool ok = paging_translate(cr3, (uint64_t)kernel_text_start, NULL, &f_text) &&
              paging_translate(cr3, (uint64_t)kernel_rodata_start, NULL, &f_ro) &&
              paging_translate(cr3, (uint64_t)kernel_data_start, NULL, &f_data);
    ok = ok && !(f_text & PTE_WRITABLE) && !(f_text & PTE_NX);
    ok = ok && !(f_ro & PTE_WRITABLE) && (f_ro & PTE_NX);
    ok = ok && (f_data & PTE_WRITABLE) && (f_data & PTE_NX);
    const uint64_t *guards;
    size_t n = stack_guard_pages(&guards);
    for (size_t i = 0; i < n; i++)
        ok = ok && !paging_translate(cr3, guards[i], NULL, NULL);
    ktest_check(ok, "kernel_text_rx_rodata_r_data_rw_nx_guards_unmapped", "a kernel mapping has the wrong rights");
}

// The memory map has usable RAM above 1 MiB and the allocator holds a sane amount of it.
static void memory_map_is_sane(void)
{
    ktest_check(frames_free() >= 1024 && frames_free() < (1ull << 30), "memory_map_gives_at_least_4_mib_free",
                "implausible free frame count");
}

// An int3 in the kernel is delivered, reported and returned from.
static void int3_is_caught_and_returned_from(void)
{
    uint64_t resume;
    __asm__ volatile("leaq 1f(%%rip), %0" : "=r"(resume));
    trap_expect(VEC_BP, resume);
    __asm__ volatile("int3\n1:" ::: "memory");
    ktest_check(trap_expected_taken(), "int3_is_caught_and_returned_from", "no #BP was taken");
}

// Touching a stack guard page raises #PF (reported), not silent corruption.
static void guard_page_fault_is_reported(void)
{
    const uint64_t *guards;
    stack_guard_pages(&guards);
    uint64_t resume;
    __asm__ volatile("leaq 1f(%%rip), %0" : "=r"(resume));
    trap_expect(VEC_PF, resume);
    __asm__ volatile("movq (%0), %%rax\n1:" ::"r"(guards[0]) : "rax", "memory");
    bool taken = trap_expected_taken();
    ktest_check(taken && read_cr2() == guards[0], "stack_guard_page_access_raises_page_fault",
                "no #PF on the guard page");
}

// The PIT ticks with interrupts enabled.
static void timer_ticks_advance(void)
{
    uint64_t start = timer_ticks, t0 = rdtsc();
    while (timer_ticks < start + 3 && rdtsc() - t0 < 20000000000ull)
        __asm__ volatile("pause"); // not hlt: with no interrupt at all, hlt would never return
    ktest_check(timer_ticks >= start + 3, "timer_interrupts_arrive", "fewer than 3 ticks");
}

// Every other online CPU's local APIC timer ticks too: without it limit= could never stop a
// program there, and that CPU's idle loop would never wake to look for work (smp.c).
static void ap_timers_tick(void)
{
    unsigned online = smp_online_cpus();
    uint64_t start[MAX_CPUS] = {0}, t0 = rdtsc();
    for (unsigned c = 1; c < online; c++)
        start[c] = __atomic_load_n(&percpu_areas[c].lapic_ticks, __ATOMIC_RELAXED);
    unsigned late = 0;
    for (unsigned c = 1; c < online; c++) {
        while (__atomic_load_n(&percpu_areas[c].lapic_ticks, __ATOMIC_RELAXED) < start[c] + 3 &&
               rdtsc() - t0 < 20000000000ull)
            __asm__ volatile("pause");
        if (__atomic_load_n(&percpu_areas[c].lapic_ticks, __ATOMIC_RELAXED) < start[c] + 3 && !late)
            late = c;
    }
    char detail[64];
    format_buf(detail, sizeof detail, "cpu%u's local APIC timer gave fewer than 3 ticks", late);
    ktest_check(late == 0, "every_other_cpus_timer_ticks", detail);
}

// The user-copy routines hand back a kernel with AC clear: their `clac` closes the window the
// `stac` opened, so SMAP guards every later access. Checked on a user page mapped for the
// occasion in the kernel's own (empty) lower half; meaningful only where SMAP is on.
static void user_copies_leave_ac_clear(void)
{
    // A user address in a PML4 slot of its own: the first slot already holds supervisor-only
    // tables (the CPU start-up trampoline's), and user access needs the U bit at every level.
    const uint64_t va = 0x0000010000000000ull;
    uint64_t frame = frame_get_zeroed();
    bool mapped = paging_map(paging_kernel_cr3(), va, frame, PTE_USER | PTE_WRITABLE | PTE_NX) == 0;
    uint64_t word = 0x6c73746172ull, back = 0;
    bool copied = mapped && copy_to_user(va, &word, sizeof word) == 0;
    bool ac_after_to = read_rflags() & RFLAGS_AC;
    copied = copied && copy_from_user(&back, va, sizeof back) == 0 && back == word;
    bool ac_after_from = read_rflags() & RFLAGS_AC;
    paging_unmap(paging_kernel_cr3(), va, NULL);
    invlpg(va);
    frame_put(frame);
    bool smap = cpu_features() & LSTAR_FEATURE_SMAP;
    ktest_check(copied && (!smap || (!ac_after_to && !ac_after_from)), "user_copies_leave_ac_clear",
                mapped ? (copied ? "AC was still set after a copy" : "a copy failed") : "could not map the page");
}

// user_range_ok refuses what ring 3 may never hand the kernel even where a page is mapped: the
// NULL page, the page at USER_CEILING (the last below 2^47) and a supervisor page in the lower
// half. A real process has none of these mapped, so there the page walk alone refuses them and
// a missing rule would go unseen; here each is mapped, in an address space made for the check,
// so each rule alone must say no, while an ordinary user page is still accepted.
static void user_range_rules_hold_where_pages_are_mapped(void)
{
    const uint64_t user_va = 0x30000000ull, supervisor_va = 0x20000000ull;
    uint64_t cr3 = paging_new_address_space();
    bool mapped = paging_map(cr3, 0, frame_get_zeroed(), PTE_USER | PTE_WRITABLE | PTE_NX) == 0 &&
                  paging_map(cr3, USER_CEILING, frame_get_zeroed(), PTE_USER | PTE_WRITABLE | PTE_NX) == 0 &&
                  paging_map(cr3, supervisor_va, frame_get_zeroed(), PTE_WRITABLE | PTE_NX) == 0 &&
                  paging_map(cr3, user_va, frame_get_zeroed(), PTE_USER | PTE_WRITABLE | PTE_NX) == 0;
    uint64_t flags = read_rflags(), kernel_cr3 = read_cr3();
    irq_disable(); // the kernel half is shared, but nothing else should ever see this CR3
    paging_switch(cr3);
    bool null_refused = !user_range_ok(8, 8, false);
    bool ceiling_refused = !user_range_ok(USER_CEILING, 8, false);
    bool supervisor_refused = !user_range_ok(supervisor_va, 8, false);
    bool user_accepted = user_range_ok(user_va, 8, true);
    paging_switch(kernel_cr3);
    if (flags & RFLAGS_IF)
        irq_enable();
    paging_free_address_space(cr3);
    ktest_check(mapped && null_refused && ceiling_refused && supervisor_refused && user_accepted,
                "user_range_rules_hold_where_pages_are_mapped",
                !mapped               ? "could not map the test pages"
                : !null_refused       ? "the NULL page was accepted"
                : !ceiling_refused    ? "the page at USER_CEILING was accepted"
                : !supervisor_refused ? "a supervisor page was accepted"
                                      : "an ordinary user page was refused");
}

// Runs every self-check; returns the number that failed.
int ktest_run(void)
{
    passed = failed = 0;
    memory_map_is_sane();
    frame_allocator_round_trip();
    ktest_locks();
    ktest_out_of_memory();
    map_unmap_round_trip();
    user_copies_leave_ac_clear();
    user_range_rules_hold_where_pages_are_mapped();
    kernel_image_is_w_xor_x();
    pti_ktest();
    arch_check_gdt_and_tss();
    arch_check_idt();
    arch_check_protection_features();
    ktest_mitigations();
    ktest_control_regs();
    int3_is_caught_and_returned_from();
    guard_page_fault_is_reported();
    timer_ticks_advance();
    if (smp_online_cpus() > 1)
        ap_timers_tick();
    kprintf("ktest: %d passed, %d failed\n", passed, failed);
    return failed;
}
