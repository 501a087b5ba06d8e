// SPDX-License-Identifier: MIT
// Kernel page-table isolation (KPTI): the boot switch, the entry set's page tables, the CR3 values
// the entries load, and the self-checks that walk a process's user tables. docs/pti.md.
//
// What ring 3 runs on with PTI on: a user PML4 whose lower half is the process's own (the same
// tables as its kernel PML4's lower half) and whose upper half maps only the entry set:
//   - the entry text (boot/kernel.ld: lstar_entry.asm, trap_stubs.asm, user_first_entry), which
//     runs before the switch to the kernel PML4 and after the switch back;
//   - the entry data (.bss.pti_entry): the per-CPU areas the stubs read through GS before the
//     switch (struct percpu with the GDT and TSS in it), the IDTs, the per-CPU entry stacks the
//     CPU pushes an interrupt frame onto (TSS.RSP0), and pti_cr3_noflush;
//   - the IST stacks, which NMI, #DF, #MC and #DB push their frames onto in any CR3.
// Those upper-half tables are built once (pti_init) and shared by every user PML4.
#include "arch/x86_64/pti.h"
#include "arch/x86_64/cpuid.h"
#include "arch/x86_64/cr.h"
#include "arch/x86_64/msr.h"
#include "arch/x86_64/paging.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/stacks.h"
#include "core/console.h"
#include "core/format.h"
#include "core/ktest.h"
#include "core/panic.h"
#include "core/physmem.h"
#include "core/string.h"

#define SECTION_PTI_ENTRY __attribute__((section(".bss.pti_entry")))

// CR3_NOFLUSH with PCIDs, 0 without: the paranoid entries (pti.inc) OR it into what they load.
uint64_t pti_cr3_noflush SECTION_PTI_ENTRY;

// The stack TSS.RSP0 names with PTI on: the CPU pushes the frame of an interrupt from ring 3 here,
// in the user's CR3; the stub moves it to the process's kernel stack after the switch.
static struct {
    uint8_t bytes[PTI_ENTRY_STACK_SIZE];
} entry_stacks[MAX_CPUS] SECTION_PTI_ENTRY __attribute__((aligned(4096)));

// The patched sites of pti.inc: an address and a length each.
struct pti_site {
    uint64_t address, length;
};
extern const struct pti_site pti_sites_start[], pti_sites_end[];
extern char pti_entry_text_start[], pti_entry_text_end[], pti_entry_data_start[], pti_entry_data_end[];

static bool requested, on, pcid, invpcid;
static uint64_t user_half_pml4; // the PML4 whose entries 256-511 every user PML4 copies
static unsigned entry_set_pages;

// Whether this CPU is affected by Meltdown (rogue data cache load): not AMD's or Hygon's, nor
// one whose IA32_ARCH_CAPABILITIES says RDCL_NO. Linux decides the same way (cpu/common.c).
bool pti_available(void)
{
    struct cpuid_regs v = cpuid(CPUID_LEAF_BASIC, 0);
    char vendor[13];
    memcpy(vendor, &v.ebx, 4);
    memcpy(vendor + 4, &v.edx, 4);
    memcpy(vendor + 8, &v.ecx, 4);
    vendor[12] = 0;
    if (strcmp(vendor, "AuthenticAMD") == 0 || strcmp(vendor, "HygonGenuine") == 0)
        return false;
    if (v.eax >= CPUID_LEAF_STRUCTURED && (cpuid(CPUID_LEAF_STRUCTURED, 0).edx & CPUID7_EDX_ARCH_CAP) &&
        (rdmsr(MSR_ARCH_CAPABILITIES) & ARCH_CAP_RDCL_NO))
        return false;
    return true;
}

// Asks for PTI; pti_boot acts on it. A CPU that is not affected may still run with it (testing).
void pti_enable(void) { requested = true; }

// Whether PTI is on.
bool pti_enabled(void) { return on; }

// Whether PTI runs with PCIDs (control_regs.c then sets CR4.PCIDE).
bool pti_pcid(void) { return pcid; }

// Decides PTI once, and skips every pti.inc site if it is off: must run before the kernel text
// turns read-only (paging_init_kernel), while the boot tables map it writable.
void pti_boot(void)
{
    on = requested;
    struct cpuid_regs f = cpuid(CPUID_LEAF_FEATURES, 0);
    bool structured = cpuid(CPUID_LEAF_BASIC, 0).eax >= CPUID_LEAF_STRUCTURED;
    pcid = on && (f.ecx & CPUID1_ECX_PCID);
    invpcid = pcid && structured && (cpuid(CPUID_LEAF_STRUCTURED, 0).ebx & CPUID7_EBX_INVPCID);
    pti_cr3_noflush = pcid ? CR3_NOFLUSH : 0;
    unsigned sites = (unsigned)(pti_sites_end - pti_sites_start);
    if (!on) {
        // Each site becomes `jmp short` over its own body (EB rel8): off costs one jump a site.
        for (const struct pti_site *s = pti_sites_start; s < pti_sites_end; s++) {
            if (s->length < 2 || s->length - 2 > 127)
                panic("pti site at %016llx: %llu bytes, no short jump over it", (unsigned long long)s->address,
                      (unsigned long long)s->length);
            uint8_t jmp[2] = {0xeb, (uint8_t)(s->length - 2)};
            memcpy((void *)s->address, jmp, sizeof jmp);
        }
        kprintf("[pti] off: %u entry and exit sites jump over their CR3 switch%s\n", sites,
                pti_available() ? " (this CPU is affected by Meltdown: mitigations=pti isolates)" : "");
        return;
    }
    kprintf("[pti] on: %u entry and exit sites switch CR3; PCID %s, INVPCID %s%s\n", sites, pcid ? "on" : "off",
            invpcid ? "yes" : "no", pti_available() ? "" : " (forced: this CPU reports it is not affected)");
}

// Maps the kernel-image pages of [start, end) into the user half tables at their link address.
static void map_entry_range(uint64_t start, uint64_t end, uint64_t flags)
{
    for (uint64_t va = start & ~(PAGE_SIZE - 1); va < end; va += PAGE_SIZE) {
        if (paging_map(user_half_pml4, va, va - KERNEL_VMA, flags) != 0)
            panic("pti: cannot map entry page %016llx", (unsigned long long)va);
        entry_set_pages++;
    }
}

// Whether `va` is in the entry set: the only kernel addresses the user tables may map.
bool pti_entry_set_contains(uint64_t va)
{
    if (va >= (uint64_t)pti_entry_text_start && va < (uint64_t)pti_entry_text_end)
        return true;
    if (va >= (uint64_t)pti_entry_data_start && va < (uint64_t)pti_entry_data_end)
        return true;
    for (unsigned c = 0; c < MAX_CPUS; c++)
        for (unsigned s = 1; s <= IST_STACKS; s++) {
            uint64_t top = stack_ist_top(c, (enum ist_slot)s);
            if (va >= top - KSTACK_SIZE && va < top)
                return true;
        }
    return false;
}

// Builds the entry set's tables, shared by every user PML4.
void pti_init(void)
{
    if (!on)
        return;
    user_half_pml4 = frame_get_zeroed();
    extern char kernel_text_start[], kernel_end[];
    // Every page of the image, filtered: what the user tables map is exactly what
    // pti_entry_set_contains admits, the rule pti_check_user_tables holds them to.
    for (uint64_t va = (uint64_t)kernel_text_start; va < (uint64_t)kernel_end; va += PAGE_SIZE) {
        // [mutant pti-entry-set-filter: "!pti_entry_set_contains(va)" -> "va == 0"]
        if (!pti_entry_set_contains(va))
            continue;
        bool text = va >= (uint64_t)pti_entry_text_start && va < (uint64_t)pti_entry_text_end;
        map_entry_range(va, va + PAGE_SIZE, text ? 0 : PTE_WRITABLE | PTE_NX); // text R-X, the rest RW-NX
    }
    kprintf("[pti] entry set: %u pages (text %016llx-%016llx, data %016llx-%016llx, IST stacks)\n", entry_set_pages,
            (unsigned long long)pti_entry_text_start, (unsigned long long)pti_entry_text_end,
            (unsigned long long)pti_entry_data_start, (unsigned long long)pti_entry_data_end);
}

// The user PML4's entry `index` of the upper half: the shared entry-set tables.
uint64_t pti_user_half_entry(unsigned index) { return ((const uint64_t *)phys_to_virt(user_half_pml4))[index]; }

// The top of `cpu`'s entry stack.
uint64_t pti_entry_stack_top(unsigned cpu) { return (uint64_t)&entry_stacks[cpu].bytes[PTI_ENTRY_STACK_SIZE]; }

// Loads the kernel PML4 of the pair at `pml4` and records, in this CPU's area, the CR3 values the
// entries and exits switch to. `asid` (1..4095) names the process's PCIDs: `asid` for the kernel
// tables, asid | PTI_USER_PCID_BIT for the user tables. `fresh`: a new process, whose PCIDs may
// still tag another one's translations on this CPU: the first load of each flushes them.
void pti_install(uint64_t pml4, unsigned asid, bool fresh)
{
    struct percpu *c = this_cpu();
    if (!on) {
        write_cr3(pml4);
        return;
    }
    uint64_t kernel = pml4 | (pcid ? (asid & PTI_PCID_MASK) : 0);
    uint64_t user = kernel | PTI_USER_PML4_BIT | (pcid ? PTI_USER_PCID_BIT : 0);
    c->pti_kernel_cr3 = kernel | pti_cr3_noflush;
    // The next exit flushes the user PCID: a new process's must start empty, and a parent's may
    // have had a flush pending (pti_user_mapping_changed) when its child replaced it here.
    c->pti_user_cr3 = user;
    write_cr3(fresh ? kernel : kernel | pti_cr3_noflush);
}

// The kernel changed (or removed) a user mapping of the address space `pml4`: the TLB entries
// tagged with the user PCID must not outlive it. With INVPCID the one address goes now
// (type 0, "individual-address invalidation", SDM Vol. 2A "INVPCID"); otherwise the next exit
// to ring 3 loads the user CR3 without CR3_NOFLUSH. Without PCIDs every exit's CR3 load flushes.
void pti_user_mapping_changed(uint64_t pml4, uint64_t va)
{
    if (!pcid || (read_cr3() & PTE_ADDR_MASK) != pml4)
        return;
    struct percpu *c = this_cpu();
    if (invpcid) {
        struct {
            uint64_t pcid, address;
        } desc = {(c->pti_user_cr3 & PTI_PCID_MASK), va};
        __asm__ volatile("invpcid %0, %1" ::"m"(desc), "r"(0ull) : "memory");
    } else {
        c->pti_user_cr3 &= ~CR3_NOFLUSH;
    }
}

// Walks the tables under `table` (level 3 = a PML4) for [base, base + span) and checks every
// present leaf: in the upper half it must be an entry-set page mapped at its own image address
// and not user-accessible. Returns false, with `why`, at the first stray mapping.
static bool walk_user_tables(uint64_t table, int level, uint64_t base, unsigned first, unsigned last, char *why,
                             unsigned long why_size, unsigned *pages)
{
    const uint64_t *t = phys_to_virt(table & PTE_ADDR_MASK);
    int shift = 12 + 9 * level;
    for (unsigned i = first; i <= last; i++) {
        if (!(t[i] & PTE_PRESENT))
            continue;
        uint64_t va = base + ((uint64_t)i << shift);
        if (level == 3 && i >= 256)
            va |= 0xffff000000000000ull; // canonical upper half
        if (level > 0 && !(t[i] & PTE_HUGE)) {
            if (!walk_user_tables(t[i], level - 1, va, 0, 511, why, why_size, pages))
                return false;
            continue;
        }
        uint64_t pa = t[i] & PTE_ADDR_MASK;
        if (level > 0 || !pti_entry_set_contains(va) || pa != va - KERNEL_VMA || (t[i] & PTE_USER)) {
            format_buf(why, why_size, "map %016llx (-> %016llx%s): kernel memory outside the entry set",
                       (unsigned long long)va, (unsigned long long)pa, level > 0 ? ", a large page" : "");
            return false;
        }
        ++*pages;
    }
    return true;
}

// Checks the user PML4 of the pair at `pml4`: its lower half is the kernel PML4's (the process's
// own memory), its upper half maps the entry set and nothing else. 0 if so; -1 with `why`.
int pti_check_user_tables(int pid, uint64_t pml4, char *why, unsigned long why_size, unsigned *pages)
{
    (void)pid;
    const uint64_t *kernel = phys_to_virt(pml4);
    const uint64_t *user = phys_to_virt(pml4 + PAGE_SIZE);
    *pages = 0;
    for (unsigned i = 0; i < 256; i++)
        if (user[i] != kernel[i]) {
            format_buf(why, why_size, "differ from the kernel PML4 in entry %u of the lower half", i);
            return -1;
        }
    for (unsigned i = 256; i < 512; i++)
        if (user[i] != pti_user_half_entry(i)) {
            format_buf(why, why_size, "hold an entry %u that is not the shared entry set's", i);
            return -1;
        }
    return walk_user_tables(pml4 + PAGE_SIZE, 3, 0, 256, 511, why, why_size, pages) ? 0 : -1;
}

// The self-checks with PTI on (ktest_run): a fresh address space's user tables translate none of
// the kernel beyond the entry set (kernel data, kernel text, the direct map), though the kernel
// tables of the same pair map all of it; they do map every piece of the entry set; and the walk
// pti_check_user_tables makes of every process before it runs passes on them.
void pti_ktest(void)
{
    if (!on)
        return;
    uint64_t pml4 = paging_new_address_space();
    if (pml4 == FRAME_NONE) {
        ktest_check(false, "pti_user_tables_do_not_map_the_kernel", "no frames for an address space");
        return;
    }
    uint64_t user = pml4 + PAGE_SIZE;
    static uint64_t kernel_datum = 0x5ec2e7; // a kernel variable no entry needs: .data
    const uint64_t hidden[] = {
        (uint64_t)&kernel_datum,           // kernel data
        (uint64_t)&paging_direct_map_end,  // more of it, in another file
        (uint64_t)pti_init,                // kernel text outside the entry text
        (uint64_t)phys_to_virt(pml4),      // the direct map: all of RAM
        (uint64_t)stack_process_top(0) - 8 // a process's kernel stack
    };
    char detail[160] = "";
    bool hidden_ok = true;
    for (unsigned i = 0; i < sizeof hidden / sizeof *hidden && hidden_ok; i++) {
        bool in_kernel = paging_translate(pml4, hidden[i], NULL, NULL);
        bool in_user = paging_translate(user, hidden[i], NULL, NULL);
        if (!in_kernel || in_user) {
            hidden_ok = false;
            format_buf(detail, sizeof detail, "%016llx: kernel tables %s it, user tables %s it",
                       (unsigned long long)hidden[i], in_kernel ? "map" : "do not map", in_user ? "map" : "do not map");
        }
    }
    ktest_check(hidden_ok, "pti_user_tables_do_not_map_kernel_data_text_or_direct_map", detail);

    const uint64_t needed[] = {
        (uint64_t)pti_entry_text_start, // lstar_entry and the other stubs
        (uint64_t)this_cpu(),           // the per-CPU area, with GDT and TSS
        (uint64_t)&this_cpu()->tss,     //
        pti_entry_stack_top(0) - 8,     // the entry stack
        stack_ist_top(0, IST_NMI) - 8,  // an IST stack
        (uint64_t)&pti_cr3_noflush,     // what the paranoid entries read
    };
    bool needed_ok = true;
    for (unsigned i = 0; i < sizeof needed / sizeof *needed && needed_ok; i++) {
        uint64_t pa = 0;
        if (!paging_translate(user, needed[i], &pa, NULL) || pa != needed[i] - KERNEL_VMA) {
            needed_ok = false;
            format_buf(detail, sizeof detail, "%016llx is not mapped to its frame", (unsigned long long)needed[i]);
        }
    }
    ktest_check(needed_ok, "pti_user_tables_map_the_entry_set", detail);

    // The lower half is the process's own: a page mapped in the kernel PML4 after the pair was
    // made is in the user PML4 too (paging_map mirrors each new PML4 entry).
    const uint64_t low_va = 1ull << 30; // any lower-half address
    uint64_t frame = frame_try_get_zeroed(), low_pa = 0;
    bool mapped = frame != FRAME_NONE && paging_map(pml4, low_va, frame, PTE_USER | PTE_NX) == 0;
    if (frame != FRAME_NONE && !mapped)
        frame_put(frame); // else it goes with the address space
    bool mirrored = mapped && paging_translate(user, low_va, &low_pa, NULL) && low_pa == frame;
    ktest_check(mirrored, "pti_user_tables_share_the_lower_half",
                "a user page mapped after the pair was made is not in the user PML4");

    unsigned pages = 0;
    bool walk_ok = pti_check_user_tables(0, pml4, detail, sizeof detail, &pages) == 0 && pages == entry_set_pages;
    if (walk_ok || detail[0] == 0)
        format_buf(detail, sizeof detail, "%u pages mapped, the entry set has %u", pages, entry_set_pages);
    ktest_check(walk_ok, "pti_user_tables_map_only_the_entry_set", detail);
    paging_free_address_space(pml4);
}
