// SPDX-License-Identifier: MIT
// Host tests of src/core/multiboot2.c: a well-formed block is read completely, every malformed
// one is refused with a reason, and random damage never makes the parser read out of bounds.
#include "check.h"

#include "core/multiboot2.h"
#include "core/string.h"

// A boot information block under construction, 8-byte aligned like the real one.
struct block {
    uint64_t words[1024];
    size_t len;
};

// The block as bytes.
static unsigned char *bytes(struct block *b) { return (unsigned char *)b->words; }

// Overwrite the u32 at offset off.
static void put32(struct block *b, size_t off, uint32_t v) { memcpy(bytes(b) + off, &v, 4); }

// Start an empty block: the 8-byte header, sizes filled in by finish().
static void begin(struct block *b)
{
    memset(b, 0, sizeof *b);
    b->len = 8;
}

// Append a tag with `payload` bytes after its header, padded to 8; returns its offset.
static size_t tag(struct block *b, uint32_t type, const void *payload, size_t payload_len)
{
    size_t off = b->len;
    put32(b, off, type);
    put32(b, off + 4, (uint32_t)(8 + payload_len));
    if (payload_len)
        memcpy(bytes(b) + off + 8, payload, payload_len);
    b->len = (off + 8 + payload_len + 7) & ~(size_t)7;
    return off;
}

// Append a string tag (cmdline or loader name), NUL included.
static size_t string_tag(struct block *b, uint32_t type, const char *s) { return tag(b, type, s, strlen(s) + 1); }

// Append a module tag.
static size_t module_tag(struct block *b, uint32_t start, uint32_t end, const char *name)
{
    unsigned char payload[128];
    memcpy(payload, &start, 4);
    memcpy(payload + 4, &end, 4);
    size_t n = strlen(name) + 1;
    memcpy(payload + 8, name, n);
    return tag(b, MB2_TAG_MODULE, payload, 8 + n);
}

// Append a memory map tag with `count` entries of `entry_size` bytes.
static size_t mmap_tag(struct block *b, const struct mb2_mmap_entry *e, size_t count, uint32_t entry_size,
                       uint32_t version)
{
    unsigned char payload[8 + 200 * 32] = {0};
    memcpy(payload, &entry_size, 4);
    memcpy(payload + 4, &version, 4);
    for (size_t i = 0; i < count; i++) {
        unsigned char *p = payload + 8 + i * entry_size;
        memcpy(p, &e[i].base, 8);
        memcpy(p + 8, &e[i].length, 8);
        memcpy(p + 16, &e[i].type, 4);
    }
    return tag(b, MB2_TAG_MMAP, payload, 8 + count * entry_size);
}

static const struct mb2_mmap_entry ram[3] = {
    {0, 0x9fc00, MB2_MMAP_AVAILABLE},
    {0xf0000, 0x10000, MB2_MMAP_RESERVED},
    {0x100000, 0x7ee0000, MB2_MMAP_AVAILABLE},
};

// Append the end tag and set total_size to the end of it.
static void finish(struct block *b)
{
    tag(b, MB2_TAG_END, NULL, 0);
    put32(b, 0, (uint32_t)b->len);
    put32(b, 4, 0xdeadbeef); // reserved: must be ignored
}

// The smallest valid block: a memory map and nothing else.
static void minimal(struct block *b)
{
    begin(b);
    mmap_tag(b, ram, 3, 24, 0);
    finish(b);
}

static struct mb2_info info;
static char err[256];

// Parse b as a whole.
static int parse(struct block *b) { return mb2_parse(b->words, b->len, &info, err, sizeof err); }

static void a_complete_block_yields_every_field(void)
{
    struct block b;
    begin(&b);
    size_t cmd = string_tag(&b, MB2_TAG_CMDLINE, "run=bench ktest=off");
    string_tag(&b, MB2_TAG_LOADER_NAME, "GRUB 2.06");
    size_t mod0 = module_tag(&b, 0x200000, 0x201000, "selftest");
    module_tag(&b, 0x202000, 0x202000, "bench arg");
    unsigned char meminfo[8] = {0};
    tag(&b, MB2_TAG_BASIC_MEMINFO, meminfo, sizeof meminfo);
    mmap_tag(&b, ram, 3, 24, 0);
    unsigned char fb[30] = {0};
    uint64_t fb_addr = 0xfd000000;
    uint32_t pitch = 4096, width = 1024, height = 768;
    memcpy(fb, &fb_addr, 8);
    memcpy(fb + 8, &pitch, 4);
    memcpy(fb + 12, &width, 4);
    memcpy(fb + 16, &height, 4);
    fb[20] = 32;
    fb[21] = 1;
    const unsigned char colours[6] = {16, 8, 8, 8, 0, 8}; // x8r8g8b8
    memcpy(fb + 24, colours, sizeof colours);
    tag(&b, MB2_TAG_FRAMEBUFFER, fb, sizeof fb);
    unsigned char rsdp1[20] = {'R', 'S', 'D', ' '}, rsdp2[36] = {'R', 'S', 'D', '2'};
    tag(&b, MB2_TAG_ACPI_OLD, rsdp1, sizeof rsdp1);
    size_t acpi2 = tag(&b, MB2_TAG_ACPI_NEW, rsdp2, sizeof rsdp2);
    finish(&b);

    CHECK_EQ(parse(&b), 0);
    CHECK_STR(err, "");
    CHECK_EQ(info.total_size, b.len);
    CHECK_STR(info.cmdline, "run=bench ktest=off");
    CHECK(info.cmdline == (const char *)bytes(&b) + cmd + 8);
    CHECK_STR(info.loader_name, "GRUB 2.06");
    CHECK_EQ(info.module_count, 2);
    CHECK_EQ(info.modules[0].start, 0x200000);
    CHECK_EQ(info.modules[0].end, 0x201000);
    CHECK_STR(info.modules[0].name, "selftest");
    CHECK(info.modules[0].name == (const char *)bytes(&b) + mod0 + 16);
    CHECK_STR(info.modules[1].name, "bench arg");
    CHECK_EQ(info.mmap_count, 3);
    CHECK_EQ(info.mmap[2].base, 0x100000);
    CHECK_EQ(info.mmap[2].length, 0x7ee0000);
    CHECK_EQ(info.mmap[1].type, MB2_MMAP_RESERVED);
    CHECK(info.has_framebuffer);
    CHECK_EQ(info.framebuffer_addr, 0xfd000000);
    CHECK_EQ(info.framebuffer_pitch, 4096);
    CHECK_EQ(info.framebuffer_width, 1024);
    CHECK_EQ(info.framebuffer_height, 768);
    CHECK_EQ(info.framebuffer_bpp, 32);
    CHECK_EQ(info.framebuffer_type, 1);
    CHECK_EQ(info.framebuffer_red_pos, 16);
    CHECK_EQ(info.framebuffer_green_pos, 8);
    CHECK_EQ(info.framebuffer_blue_pos, 0);
    CHECK_EQ(info.framebuffer_blue_size, 8);
    CHECK(info.rsdp == bytes(&b) + acpi2 + 8);
    CHECK_EQ(info.rsdp_size, 36);
    CHECK_EQ(info.rsdp_revision, 2);
}

static void a_block_with_only_a_memory_map_gives_empty_strings(void)
{
    struct block b;
    minimal(&b);
    CHECK_EQ(parse(&b), 0);
    CHECK_STR(info.cmdline, "");
    CHECK_STR(info.loader_name, "");
    CHECK_EQ(info.module_count, 0);
    CHECK(info.rsdp == NULL);
    CHECK(!info.has_framebuffer);
    CHECK_EQ(info.mmap_count, 3);
}

static void the_acpi_new_rsdp_is_preferred_whichever_comes_first(void)
{
    struct block b;
    unsigned char rsdp1[20] = {0}, rsdp2[40] = {0};
    begin(&b);
    mmap_tag(&b, ram, 3, 24, 0);
    size_t acpi2 = tag(&b, MB2_TAG_ACPI_NEW, rsdp2, sizeof rsdp2);
    tag(&b, MB2_TAG_ACPI_OLD, rsdp1, sizeof rsdp1);
    finish(&b);
    CHECK_EQ(parse(&b), 0);
    CHECK(info.rsdp == bytes(&b) + acpi2 + 8);
    CHECK_EQ(info.rsdp_revision, 2);
    CHECK_EQ(info.rsdp_size, 40);

    begin(&b);
    mmap_tag(&b, ram, 3, 24, 0);
    size_t acpi1 = tag(&b, MB2_TAG_ACPI_OLD, rsdp1, sizeof rsdp1);
    finish(&b);
    CHECK_EQ(parse(&b), 0);
    CHECK(info.rsdp == bytes(&b) + acpi1 + 8);
    CHECK_EQ(info.rsdp_revision, 1);
    CHECK_EQ(info.rsdp_size, 20);
}

static void unknown_tags_of_any_size_are_skipped(void)
{
    struct block b;
    unsigned char junk[13] = {1, 2, 3};
    begin(&b);
    tag(&b, 21, junk, 5); // odd size: the next tag starts at the 8-byte boundary
    mmap_tag(&b, ram, 3, 24, 0);
    tag(&b, 9999, junk, sizeof junk);
    tag(&b, 5, junk, 12); // BIOS boot device: not used
    finish(&b);
    CHECK_EQ(parse(&b), 0);
    CHECK_EQ(info.mmap_count, 3);
}

static void memory_map_entries_larger_than_24_bytes_are_read_by_their_size(void)
{
    struct block b;
    begin(&b);
    mmap_tag(&b, ram, 3, 32, 0);
    finish(&b);
    CHECK_EQ(parse(&b), 0);
    CHECK_EQ(info.mmap_count, 3);
    CHECK_EQ(info.mmap[1].base, 0xf0000);
    CHECK_EQ(info.mmap[2].type, MB2_MMAP_AVAILABLE);
}

static void an_empty_memory_map_is_accepted_with_no_entries(void)
{
    struct block b;
    begin(&b);
    mmap_tag(&b, ram, 0, 24, 0);
    finish(&b);
    CHECK_EQ(parse(&b), 0);
    CHECK_EQ(info.mmap_count, 0);
}

static void a_memory_map_of_128_entries_fits_and_129_do_not(void)
{
    static struct mb2_mmap_entry many[129];
    for (size_t i = 0; i < 129; i++)
        many[i] = (struct mb2_mmap_entry){i * 0x1000, 0x1000, MB2_MMAP_AVAILABLE};
    struct block b;
    begin(&b);
    mmap_tag(&b, many, 128, 24, 0);
    finish(&b);
    CHECK_EQ(parse(&b), 0);
    CHECK_EQ(info.mmap_count, 128);
    CHECK_EQ(info.mmap[127].base, 127 * 0x1000);

    begin(&b);
    mmap_tag(&b, many, 129, 24, 0);
    finish(&b);
    CHECK(parse(&b) < 0);
    CHECK_STR(err, "tag type 6 at offset 0x8: 129 entries > 128");
}

static void padding_after_the_end_tag_is_allowed_when_shorter_than_8_bytes(void)
{
    struct block b;
    minimal(&b);
    put32(&b, 0, (uint32_t)b.len + 4);
    CHECK_EQ(mb2_parse(b.words, b.len + 4, &info, err, sizeof err), 0);
    put32(&b, 0, (uint32_t)b.len + 8);
    CHECK(mb2_parse(b.words, b.len + 8, &info, err, sizeof err) < 0);
    CHECK_CONTAINS(err, "bytes follow the end tag");
}

static void a_null_or_misaligned_block_is_refused(void)
{
    struct block b;
    minimal(&b);
    CHECK(mb2_parse(NULL, 4096, &info, err, sizeof err) < 0);
    CHECK_CONTAINS(err, "NULL");
    CHECK(mb2_parse(bytes(&b) + 4, b.len, &info, err, sizeof err) < 0);
    CHECK_CONTAINS(err, "not 8-byte aligned");
    CHECK(mb2_parse(bytes(&b) + 1, b.len, &info, err, sizeof err) < 0);
    CHECK(mb2_parse(b.words, b.len, NULL, err, sizeof err) < 0);
}

static void a_block_shorter_than_its_header_is_refused(void)
{
    struct block b;
    minimal(&b);
    CHECK(mb2_parse(b.words, 7, &info, err, sizeof err) < 0);
    CHECK_CONTAINS(err, "header needs 8");
    CHECK(mb2_parse(b.words, 0, &info, err, sizeof err) < 0);
}

static void total_size_below_16_is_refused(void)
{
    struct block b;
    minimal(&b);
    put32(&b, 0, 8);
    CHECK(parse(&b) < 0);
    CHECK_STR(err, "total_size 8 < 16 (header plus end tag)");
    put32(&b, 0, 0);
    CHECK(parse(&b) < 0);
}

static void total_size_beyond_the_readable_bytes_is_refused(void)
{
    struct block b;
    minimal(&b);
    CHECK(mb2_parse(b.words, b.len - 1, &info, err, sizeof err) < 0);
    CHECK_CONTAINS(err, "bytes readable");
    put32(&b, 0, UINT32_MAX);
    CHECK(parse(&b) < 0);
}

static void a_truncated_block_is_refused_at_every_length(void)
{
    struct block b;
    minimal(&b);
    size_t full = b.len;
    bool all_refused = true;
    for (size_t cut = 0; cut < full; cut++) {
        // Claim only `cut` bytes, and copy exactly that many to the heap so that ASan sees any
        // read beyond them.
        uint64_t *copy = malloc(cut ? cut : 1);
        memcpy(copy, b.words, cut);
        if (cut >= 4)
            memcpy(copy, &(uint32_t){(uint32_t)cut}, 4);
        all_refused &= mb2_parse(copy, cut, &info, err, sizeof err) < 0;
        free(copy);
    }
    CHECK(all_refused);
}

static void a_missing_end_tag_is_refused(void)
{
    struct block b;
    begin(&b);
    mmap_tag(&b, ram, 3, 24, 0);
    put32(&b, 0, (uint32_t)b.len); // total_size ends right after the memory map
    CHECK(parse(&b) < 0);
    CHECK_CONTAINS(err, "no end tag");
}

static void an_end_tag_of_the_wrong_size_is_refused(void)
{
    struct block b;
    begin(&b);
    mmap_tag(&b, ram, 3, 24, 0);
    unsigned char zeros[8] = {0};
    tag(&b, MB2_TAG_END, zeros, sizeof zeros);
    put32(&b, 0, (uint32_t)b.len);
    CHECK(parse(&b) < 0);
    CHECK_CONTAINS(err, "end tag size 16 != 8");
    CHECK_CONTAINS(err, "tag type 0 at offset");
}

static void a_tag_smaller_than_its_header_is_refused(void)
{
    struct block b;
    minimal(&b);
    put32(&b, 12, 4); // the memory map tag's size
    CHECK(parse(&b) < 0);
    CHECK_STR(err, "tag type 6 at offset 0x8: size 4 < 8");
    put32(&b, 12, 0);
    CHECK(parse(&b) < 0);
}

static void a_tag_running_past_total_size_is_refused(void)
{
    struct block b;
    minimal(&b);
    put32(&b, 12, (uint32_t)b.len); // from offset 8, b.len bytes overrun by 8
    CHECK(parse(&b) < 0);
    CHECK_CONTAINS(err, "runs past total_size");
}

static void a_tag_size_near_4_gib_does_not_wrap_around(void)
{
    struct block b;
    minimal(&b);
    uint32_t sizes[] = {UINT32_MAX, UINT32_MAX - 7, 0x80000000u, UINT32_MAX - 6};
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        put32(&b, 12, sizes[i]);
        CHECK(parse(&b) < 0);
    }
    // The same for an unknown tag, whose contents are otherwise not looked at.
    begin(&b);
    size_t u = tag(&b, 77, NULL, 0);
    mmap_tag(&b, ram, 3, 24, 0);
    finish(&b);
    put32(&b, u + 4, UINT32_MAX - 3);
    CHECK(parse(&b) < 0);
}

static void a_missing_memory_map_is_refused(void)
{
    struct block b;
    begin(&b);
    string_tag(&b, MB2_TAG_CMDLINE, "ktest=on");
    finish(&b);
    CHECK(parse(&b) < 0);
    CHECK_STR(err, "no memory map tag (type 6)");
}

static void memory_map_entry_size_below_24_is_refused(void)
{
    struct block b;
    begin(&b);
    string_tag(&b, MB2_TAG_CMDLINE, "a=b c=d e=f g=h i=j k=l m"); // 25 + NUL: tag is 34 -> 40
    size_t off = mmap_tag(&b, ram, 3, 24, 0);
    finish(&b);
    put32(&b, off + 8, 20);
    CHECK_EQ(off, 0x30);
    CHECK(parse(&b) < 0);
    CHECK_STR(err, "tag type 6 at offset 0x30: entry_size 20 < 24");
    put32(&b, off + 8, 0);
    CHECK(parse(&b) < 0);
}

static void memory_map_entry_size_not_a_multiple_of_8_is_refused(void)
{
    struct block b;
    begin(&b);
    mmap_tag(&b, ram, 2, 28, 0);
    finish(&b);
    CHECK(parse(&b) < 0);
    CHECK_CONTAINS(err, "entry_size 28 is not a multiple of 8");
}

static void memory_map_entry_version_other_than_0_is_refused(void)
{
    struct block b;
    begin(&b);
    mmap_tag(&b, ram, 3, 24, 1);
    finish(&b);
    CHECK(parse(&b) < 0);
    CHECK_CONTAINS(err, "entry_version 1 != 0");
}

static void memory_map_with_a_partial_entry_is_refused(void)
{
    struct block b;
    begin(&b);
    size_t off = mmap_tag(&b, ram, 3, 24, 0);
    finish(&b);
    put32(&b, off + 4, 16 + 3 * 24 - 8); // size now ends inside the third entry
    CHECK(parse(&b) < 0);
    CHECK_CONTAINS(err, "not a whole number of 24-byte entries");
    put32(&b, off + 4, 12); // not even room for entry_size and entry_version
    CHECK(parse(&b) < 0);
    CHECK_CONTAINS(err, "size 12 < 16");
}

static void a_second_memory_map_or_command_line_is_refused(void)
{
    struct block b;
    begin(&b);
    mmap_tag(&b, ram, 3, 24, 0);
    mmap_tag(&b, ram, 1, 24, 0);
    finish(&b);
    CHECK(parse(&b) < 0);
    CHECK_CONTAINS(err, "tag type 6");
    CHECK_CONTAINS(err, "duplicate");

    begin(&b);
    string_tag(&b, MB2_TAG_CMDLINE, "a=1");
    mmap_tag(&b, ram, 3, 24, 0);
    string_tag(&b, MB2_TAG_CMDLINE, "a=2");
    finish(&b);
    CHECK(parse(&b) < 0);
    CHECK_CONTAINS(err, "tag type 1");
    CHECK_CONTAINS(err, "duplicate");
}

static void an_unterminated_command_line_or_loader_name_is_refused(void)
{
    struct block b;
    for (uint32_t type = MB2_TAG_CMDLINE; type <= MB2_TAG_LOADER_NAME; type++) {
        begin(&b);
        size_t off = tag(&b, type, "abcdefgh", 8); // no NUL inside the tag; padding would have one
        mmap_tag(&b, ram, 3, 24, 0);
        finish(&b);
        CHECK(parse(&b) < 0);
        CHECK_CONTAINS(err, "not NUL-terminated");
        put32(&b, off + 4, 8); // an empty string tag with no room for the NUL
        CHECK(parse(&b) < 0);
        CHECK_CONTAINS(err, "size 8 < 9");
    }
}

static void a_module_shorter_than_17_bytes_or_unterminated_is_refused(void)
{
    struct block b;
    begin(&b);
    size_t off = module_tag(&b, 0x1000, 0x2000, "abcdefg"); // 16 + 8 = 24 bytes
    mmap_tag(&b, ram, 3, 24, 0);
    finish(&b);
    CHECK_EQ(parse(&b), 0);
    put32(&b, off + 4, 16);
    CHECK(parse(&b) < 0);
    CHECK_CONTAINS(err, "size 16 < 17");
    put32(&b, off + 4, 23); // the string ends just before its NUL
    CHECK(parse(&b) < 0);
    CHECK_CONTAINS(err, "not NUL-terminated");
}

static void a_module_ending_before_it_starts_is_refused(void)
{
    struct block b;
    begin(&b);
    module_tag(&b, 0x3000, 0x2000, "x");
    mmap_tag(&b, ram, 3, 24, 0);
    finish(&b);
    CHECK(parse(&b) < 0);
    CHECK_CONTAINS(err, "start 0x3000 > end 0x2000");
}

static void more_than_16_modules_are_refused(void)
{
    struct block b;
    begin(&b);
    mmap_tag(&b, ram, 3, 24, 0);
    for (int i = 0; i < MB2_MAX_MODULES; i++)
        module_tag(&b, 0x1000, 0x2000, "m");
    finish(&b);
    CHECK_EQ(parse(&b), 0);
    CHECK_EQ(info.module_count, 16);

    begin(&b);
    mmap_tag(&b, ram, 3, 24, 0);
    for (int i = 0; i <= MB2_MAX_MODULES; i++)
        module_tag(&b, 0x1000, 0x2000, "m");
    finish(&b);
    CHECK(parse(&b) < 0);
    CHECK_CONTAINS(err, "more than 16 modules");
}

static void basic_meminfo_must_be_16_bytes(void)
{
    struct block b;
    unsigned char payload[16] = {0};
    begin(&b);
    mmap_tag(&b, ram, 3, 24, 0);
    tag(&b, MB2_TAG_BASIC_MEMINFO, payload, 16);
    finish(&b);
    CHECK(parse(&b) < 0);
    CHECK_CONTAINS(err, "tag type 4");
    CHECK_CONTAINS(err, "size 24 != 16");
}

static void a_framebuffer_tag_shorter_than_31_bytes_is_refused(void)
{
    struct block b;
    unsigned char payload[23] = {0};
    begin(&b);
    mmap_tag(&b, ram, 3, 24, 0);
    size_t off = tag(&b, MB2_TAG_FRAMEBUFFER, payload, 23);
    finish(&b);
    CHECK_EQ(parse(&b), 0);
    CHECK(info.has_framebuffer);
    put32(&b, off + 4, 30);
    CHECK(parse(&b) < 0);
    CHECK_CONTAINS(err, "size 30 < 31");
}

static void an_rgb_framebuffer_tag_without_its_colour_fields_is_refused(void)
{
    struct block b;
    unsigned char payload[30] = {0};
    payload[21] = 1; // RGB
    begin(&b);
    mmap_tag(&b, ram, 3, 24, 0);
    size_t off = tag(&b, MB2_TAG_FRAMEBUFFER, payload, 30);
    finish(&b);
    CHECK_EQ(parse(&b), 0);
    put32(&b, off + 4, 37);
    CHECK(parse(&b) < 0);
    CHECK_CONTAINS(err, "RGB framebuffer of size 37 < 38");
}

static void acpi_rsdp_copies_shorter_than_the_rsdp_are_refused(void)
{
    struct block b;
    unsigned char rsdp[35] = {0};
    begin(&b);
    mmap_tag(&b, ram, 3, 24, 0);
    tag(&b, MB2_TAG_ACPI_OLD, rsdp, 19);
    finish(&b);
    CHECK(parse(&b) < 0);
    CHECK_CONTAINS(err, "RSDP copy of 19 bytes < 20");

    begin(&b);
    mmap_tag(&b, ram, 3, 24, 0);
    tag(&b, MB2_TAG_ACPI_NEW, rsdp, 35);
    finish(&b);
    CHECK(parse(&b) < 0);
    CHECK_CONTAINS(err, "RSDP copy of 35 bytes < 36");
}

static void a_tiny_error_buffer_is_still_terminated(void)
{
    struct block b;
    begin(&b);
    finish(&b);
    char small[8];
    CHECK(mb2_parse(b.words, b.len, &info, small, sizeof small) < 0);
    CHECK_STR(small, "no memo");
    CHECK(mb2_parse(b.words, b.len, &info, NULL, 0) < 0);
}

static void memory_map_types_have_names(void)
{
    CHECK_STR(mb2_mmap_type_name(1), "available");
    CHECK_STR(mb2_mmap_type_name(2), "reserved");
    CHECK_STR(mb2_mmap_type_name(3), "acpi-reclaimable");
    CHECK_STR(mb2_mmap_type_name(4), "acpi-nvs");
    CHECK_STR(mb2_mmap_type_name(5), "bad");
    CHECK_STR(mb2_mmap_type_name(0), "unknown");
    CHECK_STR(mb2_mmap_type_name(6), "unknown");
    CHECK_STR(mb2_mmap_type_name(UINT32_MAX), "unknown");
}

// Whether p, a pointer the parser returned, is a string that ends inside the block.
static bool string_inside(const char *p, const unsigned char *block, size_t size)
{
    if ((const unsigned char *)p < block || (const unsigned char *)p >= block + size)
        return false;
    return strnlen(p, (size_t)(block + size - (const unsigned char *)p)) <
           (size_t)(block + size - (const unsigned char *)p);
}

static void random_damage_never_crashes_and_accepted_blocks_stay_consistent(void)
{
    struct block b;
    begin(&b);
    string_tag(&b, MB2_TAG_CMDLINE, "/boot/lstar.elf run=selftest");
    string_tag(&b, MB2_TAG_LOADER_NAME, "GRUB");
    module_tag(&b, 0x200000, 0x210000, "selftest");
    module_tag(&b, 0x210000, 0x220000, "bench");
    mmap_tag(&b, ram, 3, 24, 0);
    unsigned char fb[24] = {0}, rsdp[36] = {0};
    tag(&b, MB2_TAG_FRAMEBUFFER, fb, sizeof fb);
    tag(&b, MB2_TAG_ACPI_NEW, rsdp, sizeof rsdp);
    finish(&b);
    CHECK_EQ(parse(&b), 0);

    uint64_t rng = 0x6c73746172ull;
    int accepted = 0, inconsistent = 0;
    for (int iter = 0; iter < 20000; iter++) {
        size_t size = b.len;
        unsigned char *copy = malloc(size); // exact size: ASan flags any read past it
        memcpy(copy, b.words, size);
        int flips = 1 + (int)(check_rand(&rng) % 4);
        for (int f = 0; f < flips; f++) {
            uint64_t r = check_rand(&rng);
            size_t at = (size_t)(r % size);
            switch ((r >> 32) % 4) {
            case 0:
                copy[at] ^= (unsigned char)(1u << ((r >> 40) % 8));
                break; // one bit
            case 1:
                copy[at] = (unsigned char)(r >> 48);
                break; // one byte
            case 2:    // a whole size field: land on a tag header's u32
                at &= ~(size_t)3;
                memcpy(copy + at, &(uint32_t){(uint32_t)(r >> 40) % 64}, 4);
                break;
            default: // a size near the top of the range
                at &= ~(size_t)3;
                memcpy(copy + at, &(uint32_t){UINT32_MAX - (uint32_t)((r >> 40) % 16)}, 4);
                break;
            }
        }
        size_t avail = size;
        if (check_rand(&rng) % 4 == 0) // truncate, and sometimes make total_size agree
            avail = (size_t)(check_rand(&rng) % size);
        unsigned char *view = malloc(avail ? avail : 1);
        memcpy(view, copy, avail);
        if (avail >= 4 && check_rand(&rng) % 2)
            memcpy(view, &(uint32_t){(uint32_t)avail}, 4);
        if (mb2_parse(view, avail, &info, err, sizeof err) == 0) {
            accepted++;
            bool ok = info.mmap_count <= MB2_MAX_MMAP && info.module_count <= MB2_MAX_MODULES &&
                      info.total_size <= avail;
            ok = ok && (info.cmdline[0] == 0 || string_inside(info.cmdline, view, avail));
            ok = ok && (info.loader_name[0] == 0 || string_inside(info.loader_name, view, avail));
            for (size_t m = 0; m < info.module_count; m++)
                ok = ok && string_inside(info.modules[m].name, view, avail) &&
                     info.modules[m].start <= info.modules[m].end;
            if (info.rsdp)
                ok = ok && (const unsigned char *)info.rsdp >= view &&
                     info.rsdp_size <= avail - (size_t)((const unsigned char *)info.rsdp - view);
            inconsistent += !ok;
        } else {
            inconsistent += err[0] == 0; // a refusal always says why
        }
        free(view);
        free(copy);
    }
    CHECK_EQ(inconsistent, 0);
    CHECK(accepted > 0);
}

// Run every test and print the totals; non-zero exit if any check failed.
int main(void)
{
    RUN(a_complete_block_yields_every_field);
    RUN(a_block_with_only_a_memory_map_gives_empty_strings);
    RUN(the_acpi_new_rsdp_is_preferred_whichever_comes_first);
    RUN(unknown_tags_of_any_size_are_skipped);
    RUN(memory_map_entries_larger_than_24_bytes_are_read_by_their_size);
    RUN(an_empty_memory_map_is_accepted_with_no_entries);
    RUN(a_memory_map_of_128_entries_fits_and_129_do_not);
    RUN(padding_after_the_end_tag_is_allowed_when_shorter_than_8_bytes);
    RUN(a_null_or_misaligned_block_is_refused);
    RUN(a_block_shorter_than_its_header_is_refused);
    RUN(total_size_below_16_is_refused);
    RUN(total_size_beyond_the_readable_bytes_is_refused);
    RUN(a_truncated_block_is_refused_at_every_length);
    RUN(a_missing_end_tag_is_refused);
    RUN(an_end_tag_of_the_wrong_size_is_refused);
    RUN(a_tag_smaller_than_its_header_is_refused);
    RUN(a_tag_running_past_total_size_is_refused);
    RUN(a_tag_size_near_4_gib_does_not_wrap_around);
    RUN(a_missing_memory_map_is_refused);
    RUN(memory_map_entry_size_below_24_is_refused);
    RUN(memory_map_entry_size_not_a_multiple_of_8_is_refused);
    RUN(memory_map_entry_version_other_than_0_is_refused);
    RUN(memory_map_with_a_partial_entry_is_refused);
    RUN(a_second_memory_map_or_command_line_is_refused);
    RUN(an_unterminated_command_line_or_loader_name_is_refused);
    RUN(a_module_shorter_than_17_bytes_or_unterminated_is_refused);
    RUN(a_module_ending_before_it_starts_is_refused);
    RUN(more_than_16_modules_are_refused);
    RUN(basic_meminfo_must_be_16_bytes);
    RUN(a_framebuffer_tag_shorter_than_31_bytes_is_refused);
    RUN(an_rgb_framebuffer_tag_without_its_colour_fields_is_refused);
    RUN(acpi_rsdp_copies_shorter_than_the_rsdp_are_refused);
    RUN(a_tiny_error_buffer_is_still_terminated);
    RUN(memory_map_types_have_names);
    RUN(random_damage_never_crashes_and_accepted_blocks_stay_consistent);
    return check_summary();
}
