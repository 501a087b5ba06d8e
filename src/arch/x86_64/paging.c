// SPDX-License-Identifier: MIT
// Page-table management: the kernel's final mappings and each process's address space.
//
// The boot tables (entry32.asm) map 1 GiB three ways with 2 MiB pages, all writable and
// executable. paging_init_kernel replaces them with:
//   DIRECT_MAP_BASE + phys   all RAM, 2 MiB pages, read/write, no-execute
//   KERNEL_VMA + phys        the kernel image in 4 KiB pages: .text R-X, .rodata R--,
//                            .data/.bss RW- (W^X), stack guard pages left unmapped
// and nothing at all in the lower half, so a NULL dereference in the kernel faults. Every
// process's PML4 shares the kernel half (entries 256-511) and owns the user half. With page-table
// isolation (mitigations=pti, pti.c) a process has a pair of PML4s: that one, and 4 KiB above it the one
// ring 3 runs on, whose upper half maps only the entry set (docs/pti.md).
#include "arch/x86_64/paging.h"
#include "arch/x86_64/cr.h"
#include "arch/x86_64/pti.h"
#include "arch/x86_64/stacks.h"
#include "core/console.h"
#include "core/panic.h"
#include "core/physmem.h"
#include "core/string.h"

#define LARGE_PAGE (2ull << 20)
#define KERNEL_HALF_FIRST 256 // PML4 entries 256-511 map the kernel half

extern char kernel_text_start[], kernel_text_end[], kernel_rodata_start[], kernel_rodata_end[];
extern char kernel_data_start[], kernel_end[];

static uint64_t kernel_cr3;
uint64_t paging_direct_map_end; // first physical address the direct map does not cover

// Returns a table entry's table, creating it (zeroed) if `create`; NULL if absent, if a huge
// page maps the whole range, or if no frame is left for a new table.
static uint64_t *next_table(uint64_t *entry, bool create, uint64_t flags)
{
    if (!(*entry & PTE_PRESENT)) {
        if (!create)
            return NULL;
        uint64_t table = frame_try_get_zeroed();
        if (table == FRAME_NONE)
            return NULL;
        *entry = table | PTE_PRESENT | PTE_WRITABLE | (flags & PTE_USER);
    } else if (*entry & PTE_HUGE) {
        return NULL;
    }
    return phys_to_virt(*entry & PTE_ADDR_MASK);
}

// Returns the page-table entry for `va` in `cr3`, creating tables on the way if `create`.
static uint64_t *walk(uint64_t cr3, uint64_t va, bool create, uint64_t flags)
{
    uint64_t *table = phys_to_virt(cr3 & PTE_ADDR_MASK);
    for (int shift = 39; shift > 12; shift -= 9) {
        table = next_table(&table[(va >> shift) & 511], create, flags);
        if (!table)
            return NULL;
    }
    return &table[(va >> 12) & 511];
}

// With page-table isolation a process's address space is a PML4 pair (pti.h): the user PML4, 4 KiB
// above the kernel's, must point at the same lower-half tables. Copies entry `va` selects into
// it after a walk may have created that entry.
static void mirror_user_pml4_entry(uint64_t cr3, uint64_t va)
{
    uint64_t pml4 = cr3 & PTE_ADDR_MASK;
    // [mutant pti-mirror-user-pml4: "(va >> 47) != 0" -> true]
    if (!pti_enabled() || pml4 == kernel_cr3 || (va >> 47) != 0)
        return;
    uint64_t *kernel_half = phys_to_virt(pml4), *user_half = phys_to_virt(pml4 + PAGE_SIZE);
    user_half[(va >> 39) & 511] = kernel_half[(va >> 39) & 511];
}

// Maps the 4 KiB page at `va` to `pa` with `flags`; PAGING_MAPPED_ALREADY if something maps
// `va` already, PAGING_NO_FRAME if a page table was needed and no frame was left (the tables
// made on the way stay, empty, and go with the address space).
int paging_map(uint64_t cr3, uint64_t va, uint64_t pa, uint64_t flags)
{
    uint64_t *pte = walk(cr3, va, true, flags);
    mirror_user_pml4_entry(cr3, va);
    if (!pte) // a huge page in the way, or no frame for a table
        return paging_translate(cr3, va, NULL, NULL) ? PAGING_MAPPED_ALREADY : PAGING_NO_FRAME;
    if (*pte & PTE_PRESENT)
        return PAGING_MAPPED_ALREADY;
    *pte = (pa & PTE_ADDR_MASK) | flags | PTE_PRESENT;
    return 0;
}

// Unmaps the 4 KiB page at `va`, returning its frame in *pa; -1 if it was not mapped.
int paging_unmap(uint64_t cr3, uint64_t va, uint64_t *pa)
{
    uint64_t *pte = walk(cr3, va, false, 0);
    if (!pte || !(*pte & PTE_PRESENT))
        return -1;
    if (pa)
        *pa = *pte & PTE_ADDR_MASK;
    *pte = 0;
    if ((read_cr3() & PTE_ADDR_MASK) == (cr3 & PTE_ADDR_MASK)) {
        invlpg(va);                                        // the kernel PCID's entry
        pti_user_mapping_changed(cr3 & PTE_ADDR_MASK, va); // and the user PCID's
    }
    return 0;
}

// Looks up `va`: its frame and the flags that apply (USER/WRITABLE only if every level allows).
bool paging_translate(uint64_t cr3, uint64_t va, uint64_t *pa, uint64_t *flags)
{
    uint64_t *table = phys_to_virt(cr3 & PTE_ADDR_MASK);
    uint64_t allowed = PTE_USER | PTE_WRITABLE;
    for (int shift = 39; shift >= 12; shift -= 9) {
        uint64_t e = table[(va >> shift) & 511];
        if (!(e & PTE_PRESENT))
            return false;
        allowed &= e;
        if (shift == 12 || (e & PTE_HUGE)) {
            uint64_t size_mask = (1ull << shift) - 1;
            if (pa)
                *pa = (e & PTE_ADDR_MASK & ~size_mask) | (va & size_mask);
            if (flags)
                *flags = allowed | PTE_PRESENT | (e & PTE_NX);
            return true;
        }
        table = phys_to_virt(e & PTE_ADDR_MASK);
    }
    return false;
}

// Maps [start, end) of the kernel image at its link address with `flags`, skipping guard pages.
static void map_kernel_range(uint64_t pml4, char *start, char *end, uint64_t flags, const uint64_t *guards,
                             size_t nguards)
{
    for (uint64_t va = (uint64_t)start; va < (uint64_t)end; va += PAGE_SIZE) {
        bool guard = false;
        for (size_t i = 0; i < nguards; i++)
            guard |= guards[i] == va;
        int err = guard ? 0 : paging_map(pml4, va, va - KERNEL_VMA, flags);
        if (err != 0)
            panic("kernel mapping at %016llx: %s", (unsigned long long)va,
                  err == PAGING_NO_FRAME ? "no frame for a page table" : "mapped already");
    }
}

// Builds the kernel's final page tables and switches to them.
void paging_init_kernel(uint64_t max_phys)
{
    uint64_t pml4 = frame_get_zeroed();
    if (pti_enabled()) {
        // CR3 bit 12 means "a user PML4" to the paranoid entries (pti.inc): the kernel's own
        // PML4 must have it clear, so it takes the first frame of an aligned pair.
        frame_put(pml4);
        pml4 = frame_try_get_pair_zeroed();
        if (pml4 == FRAME_NONE)
            panic("no frame pair for the kernel's PML4");
        frame_put(pml4 + PAGE_SIZE);
    }
    uint64_t *root = phys_to_virt(pml4);
    // Pre-create every kernel-half PDPT so all address spaces, which copy PML4 256-511,
    // see later kernel mappings without having to be updated.
    for (int i = KERNEL_HALF_FIRST; i < 512; i++)
        root[i] = frame_get_zeroed() | PTE_PRESENT | PTE_WRITABLE;

    uint64_t direct_end = (max_phys + (1ull << 30) - 1) & ~((1ull << 30) - 1);
    for (uint64_t pa = 0; pa < direct_end; pa += LARGE_PAGE) {
        uint64_t va = DIRECT_MAP_BASE + pa;
        uint64_t *pdpt = phys_to_virt(root[(va >> 39) & 511] & PTE_ADDR_MASK);
        uint64_t *pd = next_table(&pdpt[(va >> 30) & 511], true, 0);
        if (!pd)
            panic("no frame for the direct map's page directory at %016llx", (unsigned long long)va);
        pd[(va >> 21) & 511] = pa | PTE_PRESENT | PTE_WRITABLE | PTE_HUGE | PTE_NX;
    }

    const uint64_t *guards;
    size_t nguards = stack_guard_pages(&guards);
    map_kernel_range(pml4, kernel_text_start, kernel_text_end, 0, guards, nguards);
    map_kernel_range(pml4, kernel_rodata_start, kernel_rodata_end, PTE_NX, guards, nguards);
    map_kernel_range(pml4, kernel_data_start, kernel_end, PTE_WRITABLE | PTE_NX, guards, nguards);

    kernel_cr3 = pml4;
    paging_direct_map_end = direct_end;
    write_cr3(pml4);
    kprintf("[mem] kernel page tables at %016llx: direct map %016llx-%016llx, image W^X, %zu guard pages\n",
            (unsigned long long)pml4, (unsigned long long)DIRECT_MAP_BASE,
            (unsigned long long)(DIRECT_MAP_BASE + direct_end), nguards);
}

// Returns the kernel's own PML4 (used when no process runs).
uint64_t paging_kernel_cr3(void) { return kernel_cr3; }

// Creates a PML4 for a new process: empty user half, the kernel half shared. With page-table
// isolation, a pair 8 KiB aligned: this PML4, and 4 KiB above it the user PML4, whose upper half
// is the shared entry set's (pti.c). FRAME_NONE when no frame is left for it.
uint64_t paging_new_address_space(void)
{
    uint64_t pml4 = pti_enabled() ? frame_try_get_pair_zeroed() : frame_try_get_zeroed();
    if (pml4 == FRAME_NONE)
        return FRAME_NONE;
    uint64_t *dst = phys_to_virt(pml4);
    const uint64_t *src = phys_to_virt(kernel_cr3);
    for (int i = KERNEL_HALF_FIRST; i < 512; i++)
        dst[i] = src[i];
    if (pti_enabled()) {
        uint64_t *user = phys_to_virt(pml4 + PAGE_SIZE);
        for (int i = KERNEL_HALF_FIRST; i < 512; i++)
            user[i] = pti_user_half_entry((unsigned)i);
    }
    return pml4;
}

// Frees the user half of an address space at `level` (3 = PML4's children), tables and frames.
static void free_user_tables(uint64_t table_phys, int level)
{
    uint64_t *t = phys_to_virt(table_phys);
    int limit = level == 3 ? KERNEL_HALF_FIRST : 512;
    for (int i = 0; i < limit; i++) {
        if (!(t[i] & PTE_PRESENT))
            continue;
        if (level == 0)
            frame_put(t[i] & PTE_ADDR_MASK);
        else
            free_user_tables(t[i] & PTE_ADDR_MASK, level - 1);
    }
    frame_put(table_phys);
}

// Frees a process's address space: every user frame and table, and the PML4 itself.
void paging_free_address_space(uint64_t cr3)
{
    KASSERT((read_cr3() & PTE_ADDR_MASK) != cr3);
    free_user_tables(cr3, 3);
    if (pti_enabled())
        frame_put(cr3 + PAGE_SIZE); // the user PML4: its lower half was the same tables, freed above
}

// Loads an address space into CR3.
void paging_switch(uint64_t cr3) { write_cr3(cr3); }
