// SPDX-License-Identifier: MIT
// Copies between kernel and user memory, refusing any range ring 3 does not own.
//
// A range is accepted only if it does not wrap, lies wholly below USER_CEILING (so it is
// canonical and in the lower half), does not start in the NULL page, and every page in it is
// mapped present and user-accessible (and writable, for copies to the user) in the current
// address space. lstar's processes are single-threaded and run to completion, so the pages
// cannot change between this check and the copy. A refused range gives -EFAULT and nothing
// is copied. The copy itself runs with RFLAGS.AC set (stac) so SMAP lets it through; SMAP
// stops every other kernel access to user pages.
#include "arch/x86_64/user_copy.h"
#include "arch/x86_64/cr.h"
#include "arch/x86_64/mitigations.h"
#include "arch/x86_64/paging.h"
#include "syscall/abi.h"

// Tells whether [addr, addr + len) is user memory the kernel may read (or write).
bool user_range_ok(uint64_t addr, uint64_t len, bool write)
{
    if (len == 0)
        return true;
    // [mutant user-range-null-page: "addr < PAGE_SIZE || " -> ""]
    // [mutant user-range-wrap: "addr + len < addr || " -> ""]
    // [mutant user-range-ceiling: " || addr + len > USER_CEILING" -> ""]
    if (addr < PAGE_SIZE || addr + len < addr || addr + len > USER_CEILING)
        return false;
    uint64_t cr3 = read_cr3();
    // [mutant user-range-first-page-only: "page < addr + len" -> "page < addr + 1"]
    for (uint64_t page = addr & ~(PAGE_SIZE - 1); page < addr + len; page += PAGE_SIZE) {
        uint64_t flags;
        // [mutant user-range-user-bit: " || !(flags & PTE_USER)" -> ""]
        if (!paging_translate(cr3, page, NULL, &flags) || !(flags & PTE_USER))
            return false;
        // [mutant user-range-writable: "!(flags & PTE_WRITABLE)" -> 0]
        if (write && !(flags & PTE_WRITABLE))
            return false;
    }
    return true;
}

// Emits `insn` (stac or clac, 3 bytes each) and records its address in .smap_sites, like the
// entry stubs' SMAP_CLAC (smap_clac.inc): on a CPU without SMAP, cpu_features_detect turns every
// recorded site into a NOP at boot, so the copy path carries no run-time feature test.
#define SMAP_SITE(insn)                                                                                          \
    __asm__ volatile("1: " insn "\n\t.pushsection .smap_sites, \"a\"\n\t.balign 8\n\t.quad 1b\n\t.popsection" :: \
                         : "memory")

// Copies n bytes with user access allowed for exactly the duration of the copy.
static void copy_with_user_access(void *dst, const void *src, size_t n)
{
    SMAP_SITE("stac"); // AC = 1: SMAP lets supervisor accesses to user pages through
    __asm__ volatile("rep movsb" : "+D"(dst), "+S"(src), "+c"(n) : : "memory");
    SMAP_SITE("clac"); // AC = 0: user pages are off-limits again [mutant copy-clac: delete]
}

// user-mask (mitigations=user-mask): after user_range_ok has accepted `addr`, make it 0 unless it
// lies below USER_CEILING, without a branch (cmp; sbb; and: Linux's array_index_mask_nospec, as
// the entry clamps the system-call number). Should the CPU speculate past a failed range check,
// the copy it runs ahead with reads the never-mapped NULL page, not a kernel address ring 3
// chose (Spectre v1, "bounds check bypass"; Intel, "Analysis of Speculative Execution Side
// Channels"). A site (mitigation_site.inc): with the protection off, one `jmp short` over it.
static inline uint64_t mask_user_address(uint64_t addr)
{
    uint64_t mask;
    __asm__("1:\n\t"
            "cmp %[ceiling], %[addr]\n\t" // CF = addr < USER_CEILING
            "sbb %[mask], %[mask]\n\t"    // all ones if so, 0 otherwise
            "and %[mask], %[addr]\n"      // [mutant user-mask-and: delete]
            "2:\n\t"
            ".pushsection .mitigation_sites, \"a\"\n\t.balign 8\n\t"
            ".quad 1b\n\t.long 2b - 1b, %c[bit]\n\t.popsection"
            : [addr] "+r"(addr), [mask] "=&r"(mask)
            : [ceiling] "r"((uint64_t)USER_CEILING), [bit] "i"(MITIGATION_BIT_USER_MASK)
            : "cc");
    return addr;
}

// Copies n bytes from user address src; 0, or -EFAULT with nothing copied.
int copy_from_user(void *dst, uint64_t src, size_t n)
{
    if (!user_range_ok(src, n, false))
        return -EFAULT;
    copy_with_user_access(dst, (const void *)mask_user_address(src), n);
    return 0;
}

// Copies n bytes to user address dst; 0, or -EFAULT with nothing copied.
int copy_to_user(uint64_t dst, const void *src, size_t n)
{
    if (!user_range_ok(dst, n, true))
        return -EFAULT;
    copy_with_user_access((void *)mask_user_address(dst), src, n);
    return 0;
}

// Copies a NUL-terminated string of at most size - 1 characters from user address src.
// Returns its length, -EFAULT for a bad pointer, -EINVAL if no NUL comes within size bytes.
long copy_string_from_user(char *dst, uint64_t src, size_t size)
{
    for (size_t i = 0; i < size; i++) {
        // [mutant string-page-recheck: " || ((src + i) & (PAGE_SIZE - 1)) == 0" -> ""]
        if ((i == 0 || ((src + i) & (PAGE_SIZE - 1)) == 0) && !user_range_ok(src + i, 1, false))
            return -EFAULT;
        copy_with_user_access(&dst[i], (const void *)mask_user_address(src + i), 1);
        if (dst[i] == 0)
            return (long)i;
    }
    return -EINVAL;
}
