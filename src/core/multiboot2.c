// SPDX-License-Identifier: MIT
// Multiboot2 boot information: walk the tags, check each against the block, copy out the facts.
#include <stdarg.h>

#include "core/format.h"
#include "core/multiboot2.h"
#include "core/string.h"
#include "core/unaligned.h"

// Tags that may appear at most once; a second copy means the block is not what we think.
#define SINGLETON_TAGS                                                                                              \
    ((1u << MB2_TAG_CMDLINE) | (1u << MB2_TAG_LOADER_NAME) | (1u << MB2_TAG_BASIC_MEMINFO) | (1u << MB2_TAG_MMAP) | \
     (1u << MB2_TAG_FRAMEBUFFER) | (1u << MB2_TAG_ACPI_OLD) | (1u << MB2_TAG_ACPI_NEW))

// Minimum RSDP copies: the ACPI 1.0 RSDP is 20 bytes, the ACPI 2.0+ one 36 (ACPI spec 5.2.5.3).
#define RSDP_V1_SIZE 20
#define RSDP_V2_SIZE 36

// Where the parse is, for error messages, and where they go.
struct walk {
    char *err;
    size_t errlen;
    uint32_t type;
    size_t offset;
};

// Record a reason about the current tag, prefixed with its type and offset; returns -1.
static int tag_fail(const struct walk *w, const char *fmt, ...)
{
    if (w->err != NULL && w->errlen > 0) {
        int n = format_buf(w->err, w->errlen, "tag type %u at offset 0x%zx: ", w->type, w->offset);
        if (n >= 0 && (size_t)n < w->errlen) {
            va_list ap;
            va_start(ap, fmt);
            vformat_buf(w->err + n, w->errlen - (size_t)n, fmt, ap);
            va_end(ap);
        }
    }
    return -1;
}

// Check that the string at tag offset `from` ends with a NUL before the tag does.
static int check_string(const struct walk *w, const unsigned char *tag, uint32_t size, uint32_t from)
{
    if (strnlen((const char *)tag + from, size - from) < size - from)
        return 0;
    return tag_fail(w, "string is not NUL-terminated inside the tag (size %u)", size);
}

// Tag 6: the memory map, an array of entries of a size the loader chooses.
static int parse_mmap(const struct walk *w, const unsigned char *tag, uint32_t size, struct mb2_info *out)
{
    if (size < 16)
        return tag_fail(w, "size %u < 16", size);
    uint32_t entry_size = load_le32(tag + 8);
    uint32_t entry_version = load_le32(tag + 12);
    if (entry_size < 24)
        return tag_fail(w, "entry_size %u < 24", entry_size);
    // Entries start 8-aligned and the u64 fields must stay aligned, hence a multiple of 8.
    if (entry_size % 8 != 0)
        return tag_fail(w, "entry_size %u is not a multiple of 8", entry_size);
    if (entry_version != 0)
        return tag_fail(w, "entry_version %u != 0", entry_version);
    if ((size - 16) % entry_size != 0)
        return tag_fail(w, "%u bytes of entries are not a whole number of %u-byte entries", size - 16, entry_size);
    size_t count = (size - 16) / entry_size;
    if (count > MB2_MAX_MMAP)
        return tag_fail(w, "%zu entries > %u", count, MB2_MAX_MMAP);
    for (size_t i = 0; i < count; i++) {
        const unsigned char *e = tag + 16 + i * entry_size;
        out->mmap[i].base = load_le64(e);
        out->mmap[i].length = load_le64(e + 8);
        out->mmap[i].type = load_le32(e + 16);
    }
    out->mmap_count = count;
    return 0;
}

// Tag 3: one module, a physical range plus its string (GRUB: the rest of the module line).
static int parse_module(const struct walk *w, const unsigned char *tag, uint32_t size, struct mb2_info *out)
{
    if (size < 17)
        return tag_fail(w, "size %u < 17", size);
    uint32_t start = load_le32(tag + 8), end = load_le32(tag + 12);
    if (start > end)
        return tag_fail(w, "module start 0x%x > end 0x%x", start, end);
    if (check_string(w, tag, size, 16) != 0)
        return -1;
    if (out->module_count >= MB2_MAX_MODULES)
        return tag_fail(w, "more than %u modules", MB2_MAX_MODULES);
    struct mb2_module *m = &out->modules[out->module_count++];
    m->start = start;
    m->end = end;
    m->name = (const char *)tag + 16;
    return 0;
}

// Tag 8: the framebuffer; the common fields, and for an RGB one where each colour lies. GRUB
// writes a 16-bit reserved field after the type, so the colour information starts at offset 32.
static int parse_framebuffer(const struct walk *w, const unsigned char *tag, uint32_t size, struct mb2_info *out)
{
    if (size < 31)
        return tag_fail(w, "size %u < 31", size);
    if (tag[29] == MB2_FRAMEBUFFER_RGB) {
        if (size < 38)
            return tag_fail(w, "RGB framebuffer of size %u < 38: no colour fields", size);
        out->framebuffer_red_pos = tag[32];
        out->framebuffer_red_size = tag[33];
        out->framebuffer_green_pos = tag[34];
        out->framebuffer_green_size = tag[35];
        out->framebuffer_blue_pos = tag[36];
        out->framebuffer_blue_size = tag[37];
    }
    out->framebuffer_addr = load_le64(tag + 8);
    out->framebuffer_pitch = load_le32(tag + 16);
    out->framebuffer_width = load_le32(tag + 20);
    out->framebuffer_height = load_le32(tag + 24);
    out->framebuffer_bpp = tag[28];
    out->framebuffer_type = tag[29];
    out->has_framebuffer = true;
    return 0;
}

// Tags 14 and 15: a copy of the ACPI RSDP; the newer revision wins when both are present.
static int parse_acpi(const struct walk *w, const unsigned char *tag, uint32_t size, struct mb2_info *out)
{
    int revision = w->type == MB2_TAG_ACPI_NEW ? 2 : 1;
    uint32_t need = revision == 2 ? RSDP_V2_SIZE : RSDP_V1_SIZE;
    if (size - 8 < need)
        return tag_fail(w, "RSDP copy of %u bytes < %u", size - 8, need);
    if (out->rsdp == NULL || revision > out->rsdp_revision) {
        out->rsdp = tag + 8;
        out->rsdp_size = size - 8;
        out->rsdp_revision = revision;
    }
    return 0;
}

// Check one tag whose header already fits in the block, and copy out what it says.
static int parse_tag(const struct walk *w, const unsigned char *tag, uint32_t size, struct mb2_info *out)
{
    switch (w->type) {
    case MB2_TAG_CMDLINE:
    case MB2_TAG_LOADER_NAME:
        if (size < 9)
            return tag_fail(w, "size %u < 9", size);
        if (check_string(w, tag, size, 8) != 0)
            return -1;
        if (w->type == MB2_TAG_CMDLINE)
            out->cmdline = (const char *)tag + 8;
        else
            out->loader_name = (const char *)tag + 8;
        return 0;
    case MB2_TAG_MODULE:
        return parse_module(w, tag, size, out);
    case MB2_TAG_BASIC_MEMINFO:
        if (size != 16)
            return tag_fail(w, "size %u != 16", size);
        return 0;
    case MB2_TAG_MMAP:
        return parse_mmap(w, tag, size, out);
    case MB2_TAG_FRAMEBUFFER:
        return parse_framebuffer(w, tag, size, out);
    case MB2_TAG_ACPI_OLD:
    case MB2_TAG_ACPI_NEW:
        return parse_acpi(w, tag, size, out);
    default:
        return 0; // a tag we do not use: its size was checked, that is enough to skip it
    }
}

// Parse and validate the boot information block (see multiboot2.h).
int mb2_parse(const void *info, size_t available, struct mb2_info *out, char *err, size_t errlen)
{
    if (err != NULL && errlen > 0)
        err[0] = '\0';
    if (out == NULL)
        return format_error(err, errlen, "no place to put the parsed information");
    memset(out, 0, sizeof *out);
    out->cmdline = "";
    out->loader_name = "";

    if (info == NULL)
        return format_error(err, errlen, "boot information pointer is NULL");
    if ((uintptr_t)info % 8 != 0)
        return format_error(err, errlen, "boot information at %p is not 8-byte aligned", info);
    if (available < 8)
        return format_error(err, errlen, "only %zu bytes readable, the header needs 8", available);

    const unsigned char *block = info;
    uint32_t total = load_le32(block); // the u32 after it is reserved and ignored
    if (total < 16)
        return format_error(err, errlen, "total_size %u < 16 (header plus end tag)", total);
    if (total > available)
        return format_error(err, errlen, "total_size %u > %zu bytes readable", total, available);
    out->total_size = total;

    struct walk w = {err, errlen, 0, 8};
    uint32_t seen = 0;
    for (;;) {
        // offset may pass total by up to 7 after rounding the previous tag up to 8 bytes.
        if (w.offset > total || total - w.offset < 8)
            return format_error(err, errlen, "no end tag (type 0) within total_size %u", total);
        const unsigned char *tag = block + w.offset;
        w.type = load_le32(tag);
        uint32_t size = load_le32(tag + 4);
        if (size < 8)
            return tag_fail(&w, "size %u < 8", size);
        if (size > total - w.offset)
            return tag_fail(&w, "size %u runs past total_size %u", size, total);

        if (w.type == MB2_TAG_END) {
            if (size != 8)
                return tag_fail(&w, "end tag size %u != 8", size);
            // Only alignment padding may follow the end tag.
            size_t after = total - (w.offset + 8);
            if (after >= 8)
                return tag_fail(&w, "%zu bytes follow the end tag", after);
            break;
        }
        if (w.type < 32 && (SINGLETON_TAGS & (1u << w.type)) != 0) {
            if (seen & (1u << w.type))
                return tag_fail(&w, "duplicate tag");
            seen |= 1u << w.type;
        }
        if (parse_tag(&w, tag, size, out) != 0)
            return -1;
        w.offset += ((size_t)size + 7) & ~(size_t)7;
    }

    if ((seen & (1u << MB2_TAG_MMAP)) == 0)
        return format_error(err, errlen, "no memory map tag (type 6)");
    return 0;
}

// Name a memory map entry type for the boot log.
const char *mb2_mmap_type_name(uint32_t type)
{
    switch (type) {
    case MB2_MMAP_AVAILABLE:
        return "available";
    case MB2_MMAP_RESERVED:
        return "reserved";
    case MB2_MMAP_ACPI_RECLAIMABLE:
        return "acpi-reclaimable";
    case MB2_MMAP_ACPI_NVS:
        return "acpi-nvs";
    case MB2_MMAP_BAD:
        return "bad";
    default:
        return "unknown";
    }
}
