// SPDX-License-Identifier: MIT
// 4-level page tables (SDM Vol. 3A "4-Level Paging and 5-Level Paging"): the kernel's mappings and
// each process's.
#ifndef LSTAR_ARCH_PAGING_H
#define LSTAR_ARCH_PAGING_H
#include <stdbool.h>
#include <stdint.h>
#include "arch/x86_64/asm_layout.h"

#define PAGE_SIZE 4096ull
#define PTE_PRESENT (1ull << 0)
#define PTE_WRITABLE (1ull << 1)
#define PTE_USER (1ull << 2)
#define PTE_HUGE (1ull << 7)
#define PTE_NX (1ull << 63)
#define PTE_ADDR_MASK 0x000ffffffffff000ull

// Returns the kernel-visible address of physical memory at `phys` (through the direct map).
static inline void *phys_to_virt(uint64_t phys) { return (void *)(DIRECT_MAP_BASE + phys); }

extern uint64_t paging_direct_map_end;

// paging_map's answers besides 0.
#define PAGING_MAPPED_ALREADY (-1) // a page or a huge page maps `va` already
#define PAGING_NO_FRAME (-2)       // no frame was left for a page table on the way

void paging_init_kernel(uint64_t max_phys);
uint64_t paging_kernel_cr3(void);
uint64_t paging_new_address_space(void);
void paging_free_address_space(uint64_t cr3);
int paging_map(uint64_t cr3, uint64_t va, uint64_t pa, uint64_t flags);
int paging_unmap(uint64_t cr3, uint64_t va, uint64_t *pa);
bool paging_translate(uint64_t cr3, uint64_t va, uint64_t *pa, uint64_t *flags);
void paging_switch(uint64_t cr3);

#endif
