// Loads a program: validates the ELF (elf64.c), copies each PT_LOAD segment into fresh
// frames mapped with the segment's permissions, and maps the user stack.
//
// User layout (abi.h): segments within [USER_IMAGE_BASE, stack guard), then an unmapped
// guard page, the 64 KiB stack ending at USER_STACK_TOP, unmapped space up to USER_CEILING.
#include "core/program_loader.h"
#include "arch/x86_64/paging.h"
#include "core/console.h"
#include "core/elf64.h"
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

// Copies one segment page by page into zeroed frames (the tail past p_filesz stays zero: .bss).
static int load_segment(uint64_t cr3, const uint8_t *file, const struct elf64_segment *seg)
{
    uint64_t first = seg->vaddr & ~(PAGE_SIZE - 1);
    for (uint64_t page = first; page < seg->vaddr + seg->memsz; page += PAGE_SIZE) {
        uint64_t frame = frame_get_zeroed();
        uint64_t from = page > seg->vaddr ? page : seg->vaddr;
        uint64_t to = page + PAGE_SIZE < seg->vaddr + seg->filesz ? page + PAGE_SIZE : seg->vaddr + seg->filesz;
        if (from < to)
            memcpy((uint8_t *)phys_to_virt(frame) + (from - page), file + seg->offset + (from - seg->vaddr), to - from);
        if (paging_map(cr3, page, frame, segment_flags(seg->flags)) != 0) {
            frame_put(frame);
            return -1;
        }
    }
    return 0;
}

// Fills the empty address space `cr3` with the program in `image`; returns 0 and its entry,
// or -ENOEXEC after saying why on the console. The caller frees cr3 on failure.
int program_load(uint64_t cr3, const void *image, size_t size, const char *name, uint64_t *entry)
{
    struct elf64_image elf;
    char why[128];
    if (elf64_parse(image, size, USER_IMAGE_BASE, USER_IMAGE_LIMIT, &elf, why, sizeof why) != 0) {
        kprintf("[proc] refused to load '%s': %s\n", name, why);
        return -ENOEXEC;
    }
    for (size_t i = 0; i < elf.segment_count; i++) {
        if (load_segment(cr3, image, &elf.segments[i]) != 0) {
            kprintf("[proc] refused to load '%s': segment %zu overlaps another\n", name, i);
            return -ENOEXEC;
        }
    }
    for (uint64_t page = USER_STACK_BOTTOM; page < USER_STACK_TOP; page += PAGE_SIZE)
        if (paging_map(cr3, page, frame_get_zeroed(), PTE_USER | PTE_WRITABLE | PTE_NX) != 0)
            return -ENOEXEC;
    *entry = elf.entry;
    return 0;
}
