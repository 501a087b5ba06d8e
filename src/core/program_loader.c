// SPDX-License-Identifier: MIT
// Loads a program: validates the ELF (elf64.c), copies each PT_LOAD segment into fresh
// frames mapped with the segment's permissions, and maps the user stack.
//
// User layout (abi.h): segments within [USER_IMAGE_BASE, stack guard), then an unmapped
// guard page, the 64 KiB stack ending at USER_STACK_TOP, unmapped space up to USER_CEILING.
#include "core/program_loader.h"
#include "arch/x86_64/paging.h"
#include "core/elf64.h"
#include "core/format.h"
#include "core/physmem.h"
#include "core/string.h"
#include "syscall/abi.h"

#define USER_STACK_BOTTOM (USER_STACK_TOP - USER_STACK_SIZE)
#define USER_IMAGE_LIMIT (USER_STACK_BOTTOM - PAGE_SIZE) // keep the guard page below the stack free

// Page-table flags for an ELF segment: user, writable if PF_W, no-execute unless PF_X.
static uint64_t segment_flags(uint32_t pf)
{
    return PTE_USER | ((pf & ELF64_PF_W) ? PTE_WRITABLE : 0) | ((pf & ELF64_PF_X) ? 0 : PTE_NX);
}

// Pages the program needs: its segments' and its stack's (the page tables come on top).
static uint64_t pages_needed(const struct elf64_image *elf)
{
    uint64_t pages = USER_STACK_SIZE / PAGE_SIZE;
    for (size_t i = 0; i < elf->segment_count; i++) {
        const struct elf64_segment *seg = &elf->segments[i];
        uint64_t first = seg->vaddr / PAGE_SIZE, end = (seg->vaddr + seg->memsz + PAGE_SIZE - 1) / PAGE_SIZE;
        pages += end - first;
    }
    return pages;
}

// Maps a fresh zeroed frame at `page`; 0, -ENOMEM (no frame for it or for a page table) or
// -ENOEXEC (the page is mapped already: segments overlap). Returns the frame in *frame.
static int map_new_page(uint64_t cr3, uint64_t page, uint64_t flags, uint64_t *frame)
{
    *frame = frame_try_get_zeroed();
    if (*frame == FRAME_NONE)
        return -ENOMEM;
    int err = paging_map(cr3, page, *frame, flags);
    if (err != 0) {
        frame_put(*frame);
        return err == PAGING_NO_FRAME ? -ENOMEM : -ENOEXEC;
    }
    return 0;
}

// Copies one segment page by page into zeroed frames (the tail past p_filesz stays zero: .bss).
static int load_segment(uint64_t cr3, const uint8_t *file, const struct elf64_segment *seg)
{
    uint64_t first = seg->vaddr & ~(PAGE_SIZE - 1);
    for (uint64_t page = first; page < seg->vaddr + seg->memsz; page += PAGE_SIZE) {
        uint64_t frame;
        int err = map_new_page(cr3, page, segment_flags(seg->flags), &frame);
        if (err)
            return err;
        uint64_t from = page > seg->vaddr ? page : seg->vaddr;
        uint64_t to = page + PAGE_SIZE < seg->vaddr + seg->filesz ? page + PAGE_SIZE : seg->vaddr + seg->filesz;
        if (from < to)
            memcpy((uint8_t *)phys_to_virt(frame) + (from - page), file + seg->offset + (from - seg->vaddr), to - from);
    }
    return 0;
}

// Fills the empty address space `cr3` with the program in `image`; returns 0 and its entry,
// or -ENOEXEC (not a program lstar can run) or -ENOMEM (more than the free memory) with the
// reason in `why`. The caller frees cr3, and with it every frame taken here, on failure.
int program_load(uint64_t cr3, const void *image, size_t size, uint64_t *entry, char *why, size_t whylen)
{
    struct elf64_image elf;
    if (elf64_parse(image, size, USER_IMAGE_BASE, USER_IMAGE_LIMIT, &elf, why, whylen) != 0)
        return -ENOEXEC;
    // A program larger than the free memory is refused before it takes any: a valid ELF may
    // ask for more than the machine has (a huge .bss costs nothing in the file). Another CPU
    // may take frames between this check and the loading, so the loading can still run out.
    uint64_t pages = pages_needed(&elf), free = frames_free();
    if (pages > free) {
        format_buf(why, whylen, "it needs %llu pages (%llu KiB) for its segments and stack, %llu are free",
                   (unsigned long long)pages, (unsigned long long)(pages * PAGE_SIZE / 1024), (unsigned long long)free);
        return -ENOMEM;
    }
    int err = 0;
    size_t i = 0;
    for (; i < elf.segment_count && !err; i++)
        err = load_segment(cr3, image, &elf.segments[i]);
    if (err == -ENOEXEC)
        format_buf(why, whylen, "segment %zu overlaps another", i - 1);
    for (uint64_t page = USER_STACK_BOTTOM; page < USER_STACK_TOP && !err; page += PAGE_SIZE) {
        uint64_t frame;
        err = map_new_page(cr3, page, PTE_USER | PTE_WRITABLE | PTE_NX, &frame);
    }
    if (err == -ENOMEM)
        format_buf(why, whylen, "memory ran out while loading it");
    if (err)
        return err;
    *entry = elf.entry;
    return 0;
}
