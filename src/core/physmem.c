// SPDX-License-Identifier: MIT
// Seeds the frame allocator from the memory map, keeping out everything already in use:
// the first MiB (BIOS data, real-mode structures), the kernel image, the boot information
// block and the modules GRUB loaded. Returns the highest RAM address for the direct map.
#include "core/physmem.h"
#include "core/console.h"
#include "core/multiboot2.h"
#include "core/panic.h"
#include "core/spinlock.h"
#include "core/string.h"
#include "arch/x86_64/paging.h"

#define PHYSMEM_MAX (4ull << 30) // frames managed: 4 GiB (a 128 KiB bitmap in .bss)

static uint64_t bitmap[PHYSMEM_MAX / FRAME_SIZE / 64];
static struct frame_alloc frames;
static struct spinlock frames_lock = SPINLOCK_INIT; // every CPU spawns programs: one allocator

extern char boot_start[], kernel_end[];

// Builds the allocator; returns the end of the highest available RAM region.
uint64_t physmem_init(const struct mb2_info *info, uint64_t info_phys)
{
    uint64_t top = 0, total = 0;
    frame_alloc_init(&frames, bitmap, PHYSMEM_MAX / FRAME_SIZE);
    for (size_t i = 0; i < info->mmap_count; i++) {
        const struct mb2_mmap_entry *e = &info->mmap[i];
        kprintf("[mem] %016llx-%016llx %s\n", (unsigned long long)e->base, (unsigned long long)(e->base + e->length),
                mb2_mmap_type_name(e->type));
        if (e->type != 1)
            continue;
        frame_alloc_release_range(&frames, e->base, e->length);
        total += e->length;
        if (e->base + e->length > top)
            top = e->base + e->length;
    }
    if (top > PHYSMEM_MAX)
        kprintf("[mem] RAM above %llu GiB is left unused\n", (unsigned long long)(PHYSMEM_MAX >> 30));
    uint64_t kernel_phys_end = (uint64_t)kernel_end - KERNEL_VMA;
    frame_alloc_reserve_range(&frames, 0, 0x100000);
    frame_alloc_reserve_range(&frames, (uint64_t)boot_start, kernel_phys_end - (uint64_t)boot_start);
    frame_alloc_reserve_range(&frames, info_phys, info->total_size);
    for (size_t i = 0; i < info->module_count; i++)
        frame_alloc_reserve_range(&frames, info->modules[i].start, info->modules[i].end - info->modules[i].start);
    kprintf("[mem] kernel image %016llx-%016llx, boot info at %016llx (%u bytes)\n",
            (unsigned long long)(uint64_t)boot_start, (unsigned long long)kernel_phys_end,
            (unsigned long long)info_phys, info->total_size);
    kprintf("[mem] %llu MiB available, %llu frames free\n", (unsigned long long)(total >> 20),
            (unsigned long long)frame_alloc_free_count(&frames));
    if (frame_alloc_free_count(&frames) < 256)
        panic("fewer than 256 free frames (1 MiB): not enough memory to run");
    return top > PHYSMEM_MAX ? PHYSMEM_MAX : top;
}

// Allocates one 4 KiB frame, or returns FRAME_NONE when none is left. For what a program
// asks for (its image, stack and page tables), which may be more than the machine has: the
// caller turns that into -ENOMEM.
uint64_t frame_try_get(void)
{
    uint64_t flags = spin_lock(&frames_lock);
    uint64_t f = frame_alloc_get(&frames);
    spin_unlock(&frames_lock, flags);
    return f;
}

// Allocates one frame for the kernel itself; panics when memory runs out (the kernel's own
// needs are fixed and met at boot, so that is a kernel bug).
uint64_t frame_get(void)
{
    uint64_t f = frame_try_get();
    if (f == FRAME_NONE)
        panic("out of physical frames");
    return f;
}

// frame_try_get, the frame filled with zeros.
uint64_t frame_try_get_zeroed(void)
{
    uint64_t f = frame_try_get();
    if (f != FRAME_NONE)
        memset(phys_to_virt(f), 0, FRAME_SIZE);
    return f;
}

// Allocates two adjacent frames, the first 8 KiB aligned, both zeroed; FRAME_NONE when no such
// pair is free. A process's PML4 pair under page-table isolation (pti.c).
uint64_t frame_try_get_pair_zeroed(void)
{
    uint64_t flags = spin_lock(&frames_lock);
    uint64_t f = frame_alloc_get_pair(&frames);
    spin_unlock(&frames_lock, flags);
    if (f != FRAME_NONE)
        memset(phys_to_virt(f), 0, 2 * FRAME_SIZE);
    return f;
}

// frame_get, the frame filled with zeros.
uint64_t frame_get_zeroed(void)
{
    uint64_t f = frame_get();
    memset(phys_to_virt(f), 0, FRAME_SIZE);
    return f;
}

// Returns a frame to the allocator; freeing a free frame is a kernel bug.
void frame_put(uint64_t phys)
{
    uint64_t flags = spin_lock(&frames_lock);
    int bad = frame_alloc_put(&frames, phys);
    spin_unlock(&frames_lock, flags);
    if (bad)
        panic("frame_put(%016llx): not an allocated frame", (unsigned long long)phys);
}

// Counts the free frames.
uint64_t frames_free(void)
{
    uint64_t flags = spin_lock(&frames_lock);
    uint64_t n = frame_alloc_free_count(&frames);
    spin_unlock(&frames_lock, flags);
    return n;
}

// Exposes the allocator to the self-checks, which touch it only while no other CPU can (no lock).
struct frame_alloc *physmem_allocator(void) { return &frames; }
