// SPDX-License-Identifier: MIT
// A validating parser of the Multiboot2 boot information block (Multiboot2 spec, section 3.6).
//
// The block is trusted no more than any other input: every size is checked against the block
// before anything inside it is read, and a malformed block is refused with a one-line reason.
// Refused besides broken framing: a missing memory map, a second copy of any tag listed below
// except modules, and a known tag too short for its fields. Unknown tag types are skipped.
#ifndef LSTAR_CORE_MULTIBOOT2_H
#define LSTAR_CORE_MULTIBOOT2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MB2_BOOTLOADER_MAGIC 0x36d76289u // in EAX when a Multiboot2 loader jumps to the kernel
#define MB2_MAX_MMAP 128
#define MB2_MAX_MODULES 16

// Tag types the parser understands; other types are skipped.
#define MB2_TAG_END 0
#define MB2_TAG_CMDLINE 1
#define MB2_TAG_LOADER_NAME 2
#define MB2_TAG_MODULE 3
#define MB2_TAG_BASIC_MEMINFO 4
#define MB2_TAG_MMAP 6
#define MB2_TAG_FRAMEBUFFER 8
#define MB2_FRAMEBUFFER_RGB 1      // framebuffer_type: direct colour
#define MB2_FRAMEBUFFER_EGA_TEXT 2 // framebuffer_type: 16-bit text cells
#define MB2_TAG_ACPI_OLD 14
#define MB2_TAG_ACPI_NEW 15

// Memory map entry types.
#define MB2_MMAP_AVAILABLE 1
#define MB2_MMAP_RESERVED 2
#define MB2_MMAP_ACPI_RECLAIMABLE 3
#define MB2_MMAP_ACPI_NVS 4
#define MB2_MMAP_BAD 5

struct mb2_mmap_entry {
    uint64_t base, length;
    uint32_t type; // MB2_MMAP_*; 1 = available RAM
};

struct mb2_module {
    uint32_t start, end; // physical [start, end)
    const char *name;    // the module's string (points into the info block)
};

struct mb2_info {
    uint32_t total_size;
    const char *cmdline;     // "" if no tag
    const char *loader_name; // "" if no tag
    struct mb2_mmap_entry mmap[MB2_MAX_MMAP];
    size_t mmap_count;
    struct mb2_module modules[MB2_MAX_MODULES];
    size_t module_count;
    // From tag 14 (ACPI old, revision 1) or 15 (ACPI new, revision 2; preferred when both are
    // present); rsdp points at the RSDP copy inside the block. NULL if neither tag is present.
    const void *rsdp;
    size_t rsdp_size;
    int rsdp_revision;
    uint64_t framebuffer_addr;
    uint32_t framebuffer_width, framebuffer_height, framebuffer_pitch;
    uint8_t framebuffer_bpp, framebuffer_type; // type: 0 indexed, 1 RGB, 2 EGA text
    // Type 1 only: where each colour's bits lie in a pixel (spec 3.6.12, "color_info").
    uint8_t framebuffer_red_pos, framebuffer_red_size, framebuffer_green_pos, framebuffer_green_size;
    uint8_t framebuffer_blue_pos, framebuffer_blue_size;
    bool has_framebuffer;
};

// Parses the info block at `info`; `available` = how many bytes may be read there at most.
// Returns 0, or a negative value with a one-line reason in err (NUL-terminated, errlen bytes).
// Strings in *out point into the block, which must outlive it.
int mb2_parse(const void *info, size_t available, struct mb2_info *out, char *err, size_t errlen);

// A short name for a memory map entry type: "available", "reserved", "acpi-reclaimable",
// "acpi-nvs", "bad" or "unknown".
const char *mb2_mmap_type_name(uint32_t type);

#endif
