// SPDX-License-Identifier: MIT
// Kernel page-table isolation (KPTI, the Meltdown mitigation), switchable at boot: mitigations=pti.
//
// With it on, every process has a pair of PML4s, 8 KiB aligned: the kernel's at X, the user's at
// X + 4096, so one CR3 bit (12) selects the half. Ring 3 runs on the user PML4, whose upper half
// maps only the entry set (the entry text, the per-CPU areas, GDT, IDT, TSS, IST and entry
// stacks); every way into the kernel switches to the kernel PML4 first (pti.inc), every way out
// switches back. docs/pti.md explains what is mapped and why.
#ifndef LSTAR_ARCH_PTI_H
#define LSTAR_ARCH_PTI_H
#include <stdbool.h>
#include <stdint.h>

// ---- CR3 with page-table isolation (SDM Vol. 3A "4-Level Paging and 5-Level Paging",
// "Process-Context Identifiers (PCIDs)") ----
#define PTI_USER_PML4_BIT (1ull << 12) // CR3: the user PML4 of the pair, 4 KiB above the kernel's
#define PTI_USER_PCID_BIT (1ull << 11) // CR3[11:0]: user PCID = kernel PCID | this (as Linux)
#define PTI_USER_BITS (PTI_USER_PML4_BIT | PTI_USER_PCID_BIT)
#define PTI_PCID_MASK 0xfffull
// MOV to CR3 with CR4.PCIDE = 1 and bit 63 set keeps the TLB entries of the PCID it loads (SDM
// Vol. 3A "Process-Context Identifiers (PCIDs)", and Vol. 2B "MOV—Move to/from Control
// Registers": "bit 63 of the source operand ... the instruction is not required to invalidate").
// With PCIDE = 0 the bit is reserved: it is only ever set when PCIDs are on.
#define CR3_NOFLUSH (1ull << 63)
#define PTI_ENTRY_STACK_SIZE 4096 // per CPU: only the hardware frame and the stub's words land there

// The boot switch.
bool pti_available(void); // the CPU is affected by Meltdown (not AMD, not RDCL_NO)
void pti_enable(void);    // asks for PTI: before pti_boot
bool pti_enabled(void);   // PTI is on (valid after pti_boot)
bool pti_pcid(void);      // PTI runs with PCIDs (CR4.PCIDE)
void pti_boot(void);      // decides, patches the sites: before the text turns read-only
void pti_init(void);      // builds the entry set's page tables: after paging_init_kernel

// For the page tables and the processes.
uint64_t pti_user_half_entry(unsigned index);               // the user PML4's entry `index` (256..511)
uint64_t pti_entry_stack_top(unsigned cpu);                 // TSS.RSP0 of `cpu` with PTI on
void pti_install(uint64_t pml4, unsigned asid, bool fresh); // loads the kernel CR3, sets the exit's
void pti_user_mapping_changed(uint64_t pml4, uint64_t va);  // the kernel changed a user mapping

// The self-checks (ktest): walk a process's user tables.
int pti_check_user_tables(int pid, uint64_t pml4, char *why, unsigned long why_size, unsigned *pages);
bool pti_entry_set_contains(uint64_t va);
void pti_ktest(void); // the self-checks of the user tables, with PTI on

#endif
