// SPDX-License-Identifier: MIT
// Host tests of src/core/elf64.c: a hand-built executable is accepted, each refusal rule is
// triggered by changing one thing in it, and random damage never causes an out-of-bounds read.
#include "check.h"

#include "core/elf64.h"
#include "core/string.h"

#define BASE 0x400000ull
#define LIMIT 0x00007ffffffff000ull
#define PT_LOAD 1
#define PT_DYNAMIC 2
#define PT_INTERP 3
#define PT_NOTE 4
#define PT_PHDR 6
#define PT_GNU_STACK 0x6474e551u
#define RX (ELF64_PF_R | ELF64_PF_X)
#define RW (ELF64_PF_R | ELF64_PF_W)

// A file image under construction.
struct file {
    unsigned char data[0x3000];
    size_t size;
};

static struct file f;
static struct elf64_image img;
static char err[256];

// Write an n-byte little-endian value at off.
static void put(size_t off, uint64_t v, size_t n) { memcpy(f.data + off, &v, n); }

// Write program header i.
static void phdr(unsigned i, uint32_t type, uint32_t flags, uint64_t offset, uint64_t vaddr, uint64_t filesz,
                 uint64_t memsz, uint64_t align)
{
    size_t p = 64 + (size_t)i * 56;
    put(p, type, 4);
    put(p + 4, flags, 4);
    put(p + 8, offset, 8);
    put(p + 16, vaddr, 8);
    put(p + 24, vaddr, 8); // p_paddr: unused
    put(p + 32, filesz, 8);
    put(p + 40, memsz, 8);
    put(p + 48, align, 8);
}

// The image every test starts from: text (R+X) at 0x400000, data (R+W, with .bss) at
// 0x401000, and the PT_PHDR, PT_NOTE and PT_GNU_STACK headers a real linker adds.
static void valid(void)
{
    memset(&f, 0, sizeof f);
    f.size = 0x1100;
    memcpy(f.data,
           "\x7f"
           "ELF",
           4);
    f.data[4] = 2;            // ELFCLASS64
    f.data[5] = 1;            // ELFDATA2LSB
    f.data[6] = 1;            // EV_CURRENT
    f.data[7] = 0;            // SYSV
    put(16, 2, 2);            // ET_EXEC
    put(18, 62, 2);           // EM_X86_64
    put(20, 1, 4);            // e_version
    put(24, BASE + 0x100, 8); // e_entry
    put(32, 64, 8);           // e_phoff
    put(52, 64, 2);           // e_ehsize
    put(54, 56, 2);           // e_phentsize
    put(56, 5, 2);            // e_phnum
    phdr(0, PT_PHDR, ELF64_PF_R, 64, BASE + 64, 5 * 56, 5 * 56, 8);
    phdr(1, PT_LOAD, RX, 0, BASE, 0x200, 0x200, 0x1000);
    phdr(2, PT_LOAD, RW, 0x1000, BASE + 0x1000, 0x100, 0x3000, 0x1000);
    phdr(3, PT_NOTE, ELF64_PF_R, 0x180, BASE + 0x180, 0x20, 0x20, 4);
    phdr(4, PT_GNU_STACK, RW, 0, 0, 0, 0, 16);
}

// Parse the current image.
static int parse(void) { return elf64_parse(f.data, f.size, BASE, LIMIT, &img, err, sizeof err); }

// Check that the current image is refused with a message containing `why`.
#define REFUSED(why)              \
    do {                          \
        CHECK_EQ(parse(), -1);    \
        CHECK_CONTAINS(err, why); \
    } while (0)

static void a_static_executable_is_accepted_with_its_load_segments(void)
{
    valid();
    CHECK_EQ(parse(), 0);
    CHECK_STR(err, "");
    CHECK_EQ(img.entry, BASE + 0x100);
    CHECK_EQ(img.segment_count, 2);
    CHECK_EQ(img.segments[0].vaddr, BASE);
    CHECK_EQ(img.segments[0].offset, 0);
    CHECK_EQ(img.segments[0].filesz, 0x200);
    CHECK_EQ(img.segments[0].memsz, 0x200);
    CHECK_EQ(img.segments[0].flags, RX);
    CHECK_EQ(img.segments[1].vaddr, BASE + 0x1000);
    CHECK_EQ(img.segments[1].offset, 0x1000);
    CHECK_EQ(img.segments[1].filesz, 0x100);
    CHECK_EQ(img.segments[1].memsz, 0x3000);
    CHECK_EQ(img.segments[1].flags, RW);
}

static void an_image_at_an_odd_address_is_read_byte_by_byte(void)
{
    valid();
    unsigned char *copy = malloc(f.size + 1);
    memcpy(copy + 1, f.data, f.size);
    CHECK_EQ(elf64_parse(copy + 1, f.size, BASE, LIMIT, &img, err, sizeof err), 0);
    CHECK_EQ(img.segments[1].memsz, 0x3000);
    free(copy);
}

static void a_file_shorter_than_the_elf_header_is_refused(void)
{
    valid();
    f.size = 63;
    REFUSED("shorter than the 64-byte ELF header");
    f.size = 0;
    REFUSED("shorter");
}

static void a_bad_magic_is_refused(void)
{
    valid();
    f.data[1] = 'e';
    REFUSED("bad magic");
}

static void a_32_bit_file_is_refused(void)
{
    valid();
    f.data[4] = 1;
    REFUSED("EI_CLASS 1 is not ELFCLASS64");
}

static void a_big_endian_file_is_refused(void)
{
    valid();
    f.data[5] = 2;
    REFUSED("EI_DATA 2 is not ELFDATA2LSB");
}

static void an_unknown_ident_version_is_refused(void)
{
    valid();
    f.data[6] = 0;
    REFUSED("EI_VERSION 0 != 1");
}

static void only_the_sysv_and_gnu_os_abis_are_accepted(void)
{
    valid();
    f.data[7] = 3;
    CHECK_EQ(parse(), 0);
    f.data[7] = 9; // FreeBSD
    REFUSED("EI_OSABI 9");
}

static void a_shared_object_or_relocatable_is_refused(void)
{
    valid();
    put(16, 3, 2); // ET_DYN
    REFUSED("e_type 3 is not ET_EXEC");
    put(16, 1, 2); // ET_REL
    REFUSED("e_type 1");
}

static void another_machine_is_refused(void)
{
    valid();
    put(18, 3, 2); // EM_386
    REFUSED("e_machine 3 is not EM_X86_64");
}

static void an_unknown_file_version_is_refused(void)
{
    valid();
    put(20, 2, 4);
    REFUSED("e_version 2 != 1");
}

static void an_unexpected_header_size_is_refused(void)
{
    valid();
    put(52, 52, 2);
    REFUSED("e_ehsize 52 != 64");
}

static void an_unexpected_program_header_size_is_refused(void)
{
    valid();
    put(54, 32, 2);
    REFUSED("e_phentsize 32 != 56");
}

static void zero_or_more_than_16_program_headers_are_refused(void)
{
    valid();
    put(56, 0, 2);
    REFUSED("e_phnum 0");
    put(56, 17, 2);
    REFUSED("e_phnum 17");
    put(56, 0xffff, 2); // PN_XNUM
    REFUSED("e_phnum 65535");
}

static void a_program_header_table_past_the_end_of_the_file_is_refused(void)
{
    valid();
    put(32, f.size - 5 * 56 + 1, 8);
    REFUSED("program header table");
    put(32, f.size + 100, 8);
    REFUSED("runs past the end");
    put(32, UINT64_MAX - 8, 8); // would wrap if added to the table size
    REFUSED("runs past the end");
    valid();
    f.size = 64 + 5 * 56 - 1;
    put(24, BASE, 8);
    REFUSED("runs past the end");
}

static void interpreters_and_dynamic_sections_are_refused(void)
{
    valid();
    phdr(3, PT_INTERP, ELF64_PF_R, 0x180, BASE + 0x180, 0x1c, 0x1c, 1);
    REFUSED("program header 3 (PT_INTERP): dynamic executables are not supported");
    valid();
    phdr(4, PT_DYNAMIC, RW, 0x1000, BASE + 0x1000, 0x10, 0x10, 8);
    REFUSED("program header 4 (PT_DYNAMIC): dynamic executables are not supported");
}

static void a_segment_with_more_file_bytes_than_memory_is_refused(void)
{
    valid();
    phdr(2, PT_LOAD, RW, 0x1000, BASE + 0x1000, 0x100, 0x80, 0x1000);
    REFUSED("program header 2 (PT_LOAD): filesz 0x100 > memsz 0x80");
}

static void an_empty_segment_is_refused(void)
{
    valid();
    phdr(2, PT_LOAD, RW, 0x1000, BASE + 0x1000, 0, 0, 0x1000);
    REFUSED("memsz is 0");
}

static void a_segment_past_the_end_of_the_file_is_refused(void)
{
    valid();
    phdr(2, PT_LOAD, RW, 0x1000, BASE + 0x1000, 0x101, 0x3000, 0x1000);
    REFUSED("run past the end of the 4352-byte file");
    phdr(2, PT_LOAD, RW, 0x2000, BASE + 0x2000, 0, 0x3000, 0x1000); // offset alone past the end
    REFUSED("run past the end");
    phdr(2, PT_LOAD, RW, UINT64_MAX - 0xfff, BASE + 0x1000, 0x2000, 0x3000, 0x1000); // wraps
    REFUSED("run past the end");
}

static void a_segment_below_the_user_base_is_refused(void)
{
    valid();
    phdr(1, PT_LOAD, RX, 0, BASE - 0x1000, 0x200, 0x200, 0x1000);
    put(24, BASE - 0x1000 + 0x100, 8);
    REFUSED("outside the user range");
    phdr(1, PT_LOAD, RX, 0, 0, 0x200, 0x200, 0x1000);
    REFUSED("outside the user range");
}

static void a_segment_reaching_the_user_limit_is_refused(void)
{
    valid();
    phdr(2, PT_LOAD, RW, 0x1000, LIMIT - 0x2000, 0x100, 0x2001, 0x1000);
    REFUSED("outside the user range");
    phdr(2, PT_LOAD, RW, 0x1000, LIMIT - 0x2000, 0x100, 0x2000, 0x1000); // ends exactly there
    CHECK_EQ(parse(), 0);
    phdr(2, PT_LOAD, RW, 0x1000, 0xffffffff80001000ull, 0x100, 0x1000, 0x1000); // kernel half
    REFUSED("outside the user range");
}

static void a_segment_whose_end_wraps_around_is_refused(void)
{
    valid();
    phdr(2, PT_LOAD, RW, 0x1000, BASE + 0x1000, 0x100, UINT64_MAX - 0x1000, 0x1000);
    REFUSED("outside the user range");
    phdr(2, PT_LOAD, RW, 0x1000, UINT64_MAX - 0xfff, 0x100, 0x2000, 0x1000);
    REFUSED("outside the user range");
}

static void alignment_must_be_0_1_or_a_power_of_two_of_at_least_a_page(void)
{
    static const uint64_t good[] = {0, 1, 0x1000, 0x200000};
    static const uint64_t bad[] = {2, 0x800, 0x3000, 0x1001, UINT64_MAX};
    valid();
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        phdr(2, PT_LOAD, RW, 0x1000, BASE + 0x1000, 0x100, 0x3000, good[i]);
        CHECK_EQ(parse(), 0);
    }
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        phdr(2, PT_LOAD, RW, 0x1000, BASE + 0x1000, 0x100, 0x3000, bad[i]);
        REFUSED("p_align");
    }
}

static void file_offset_and_address_must_agree_modulo_a_page(void)
{
    valid();
    phdr(2, PT_LOAD, RW, 0x1000, BASE + 0x1010, 0x100, 0x3000, 0x1000);
    REFUSED("differ modulo 4096");
    phdr(2, PT_LOAD, RW, 0x1010, BASE + 0x1010, 0x80, 0x3000, 0x1000); // congruent: fine
    CHECK_EQ(parse(), 0);
}

static void a_writable_and_executable_segment_is_refused(void)
{
    valid();
    phdr(1, PT_LOAD, RX | ELF64_PF_W, 0, BASE, 0x200, 0x200, 0x1000);
    REFUSED("program header 1 (PT_LOAD): segment is both writable and executable (W^X)");
    phdr(1, PT_LOAD, ELF64_PF_X | ELF64_PF_W, 0, BASE, 0x200, 0x200, 0x1000);
    REFUSED("W^X");
}

static void segments_sharing_a_page_are_refused(void)
{
    valid();
    // Data placed in the text's page, with a matching file offset.
    phdr(2, PT_LOAD, RW, 0x800, BASE + 0x800, 0x100, 0x100, 0x1000);
    REFUSED("shares a page with PT_LOAD segment 0");
    // Text's last page is data's first page.
    phdr(1, PT_LOAD, RX, 0, BASE, 0x200, 0x1001, 0x1000);
    phdr(2, PT_LOAD, RW, 0x1000, BASE + 0x1000, 0x100, 0x3000, 0x1000);
    REFUSED("shares a page");
    // Data entirely inside text.
    phdr(1, PT_LOAD, RX, 0, BASE, 0x200, 0x10000, 0x1000);
    REFUSED("shares a page");
    // Adjacent pages are fine.
    phdr(1, PT_LOAD, RX, 0, BASE, 0x200, 0x1000, 0x1000);
    CHECK_EQ(parse(), 0);
}

// Build an image with n PT_LOAD segments, one page apart, the first executable.
static void many_segments(unsigned n)
{
    valid();
    put(56, n, 2);
    put(24, BASE + 0x10, 8);
    for (unsigned i = 0; i < n; i++)
        phdr(i, PT_LOAD, i == 0 ? RX : ELF64_PF_R, 0, BASE + i * 0x1000ull, 0x100, 0x100, 0x1000);
}

static void eight_load_segments_fit_and_nine_do_not(void)
{
    many_segments(8);
    CHECK_EQ(parse(), 0);
    CHECK_EQ(img.segment_count, 8);
    CHECK_EQ(img.segments[7].vaddr, BASE + 0x7000);
    many_segments(9);
    REFUSED("more than 8 PT_LOAD segments");
}

static void a_file_with_no_load_segment_is_refused(void)
{
    valid();
    phdr(1, PT_NOTE, ELF64_PF_R, 0, BASE, 0x10, 0x10, 4);
    phdr(2, PT_NOTE, ELF64_PF_R, 0, BASE, 0x10, 0x10, 4);
    REFUSED("no PT_LOAD segment");
}

static void the_entry_point_must_be_inside_an_executable_segment(void)
{
    valid();
    put(24, BASE + 0x1000, 8); // in the data segment
    REFUSED("entry point 0x401000 is not inside an executable PT_LOAD segment");
    put(24, BASE + 0x200, 8); // one past the end of text
    REFUSED("entry point");
    put(24, 0, 8);
    REFUSED("entry point");
    put(24, BASE + 0x1ff, 8); // the last byte of text
    CHECK_EQ(parse(), 0);
    put(24, BASE, 8);
    CHECK_EQ(parse(), 0);
}

static void other_program_header_types_are_ignored(void)
{
    valid();
    phdr(3, 0x6474e553u, ELF64_PF_R, UINT64_MAX, UINT64_MAX, UINT64_MAX, 0, 3); // PT_GNU_PROPERTY
    phdr(4, 0x70000000u, ELF64_PF_W | ELF64_PF_X, 0, 0, 0, 0, 0);               // processor-specific
    CHECK_EQ(parse(), 0);
    CHECK_EQ(img.segment_count, 2);
}

static void an_empty_user_range_or_missing_arguments_are_refused(void)
{
    valid();
    CHECK_EQ(elf64_parse(f.data, f.size, LIMIT, BASE, &img, err, sizeof err), -1);
    CHECK_CONTAINS(err, "empty user range");
    CHECK_EQ(elf64_parse(NULL, 100, BASE, LIMIT, &img, err, sizeof err), -1);
    CHECK_EQ(elf64_parse(f.data, f.size, BASE, LIMIT, NULL, err, sizeof err), -1);
    CHECK_EQ(elf64_parse(f.data, 10, BASE, LIMIT, &img, NULL, 0), -1);
}

static void a_tiny_error_buffer_is_still_terminated(void)
{
    valid();
    f.data[0] = 0;
    char small[4];
    CHECK_EQ(elf64_parse(f.data, f.size, BASE, LIMIT, &img, small, sizeof small), -1);
    CHECK_STR(small, "not");
}

static void random_damage_never_crashes_and_accepted_images_obey_every_rule(void)
{
    valid();
    size_t size = f.size;
    uint64_t rng = 0xe1f64;
    int accepted = 0, broken = 0;
    for (int iter = 0; iter < 20000; iter++) {
        unsigned char *copy = malloc(size + 1); // image at an odd address, ending at the block's end
        unsigned char *image = copy + 1;
        memcpy(image, f.data, size);
        int flips = 1 + (int)(check_rand(&rng) % 4);
        for (int k = 0; k < flips; k++) {
            uint64_t r = check_rand(&rng);
            // Mostly hit the headers, where the decisions are made.
            size_t at = (size_t)((r >> 8) % ((r & 3) ? 64 + 5 * 56 : size));
            switch ((r >> 40) % 3) {
            case 0:
                image[at] ^= (unsigned char)(1u << ((r >> 48) % 8));
                break;
            case 1:
                image[at] = (unsigned char)(r >> 48);
                break;
            default:
                image[at] = (r >> 48) & 1 ? 0xff : 0;
                break;
            }
        }
        size_t len = size;
        if (check_rand(&rng) % 4 == 0) {
            len = (size_t)(check_rand(&rng) % size);
            memmove(copy + 1 + (size - len), image, len); // keep the end of the buffer the end of the image
            image = copy + 1 + (size - len);
        }
        if (elf64_parse(image, len, BASE, LIMIT, &img, err, sizeof err) == 0) {
            accepted++;
            bool ok = img.segment_count >= 1 && img.segment_count <= ELF64_MAX_SEGMENTS;
            bool entry_ok = false;
            for (size_t s = 0; s < img.segment_count; s++) {
                const struct elf64_segment *g = &img.segments[s];
                ok = ok && g->memsz > 0 && g->filesz <= g->memsz && g->offset <= len && g->filesz <= len - g->offset &&
                     g->vaddr >= BASE && g->memsz <= LIMIT - g->vaddr &&
                     !((g->flags & ELF64_PF_W) && (g->flags & ELF64_PF_X)) && (g->vaddr - g->offset) % 4096 == 0;
                entry_ok = entry_ok ||
                           ((g->flags & ELF64_PF_X) && img.entry >= g->vaddr && img.entry - g->vaddr < g->memsz);
            }
            broken += !(ok && entry_ok);
        } else {
            broken += err[0] == 0; // a refusal always says why
        }
        free(copy);
    }
    CHECK_EQ(broken, 0);
    CHECK(accepted > 0);
}

// Run every test and print the totals; non-zero exit if any check failed.
int main(void)
{
    RUN(a_static_executable_is_accepted_with_its_load_segments);
    RUN(an_image_at_an_odd_address_is_read_byte_by_byte);
    RUN(a_file_shorter_than_the_elf_header_is_refused);
    RUN(a_bad_magic_is_refused);
    RUN(a_32_bit_file_is_refused);
    RUN(a_big_endian_file_is_refused);
    RUN(an_unknown_ident_version_is_refused);
    RUN(only_the_sysv_and_gnu_os_abis_are_accepted);
    RUN(a_shared_object_or_relocatable_is_refused);
    RUN(another_machine_is_refused);
    RUN(an_unknown_file_version_is_refused);
    RUN(an_unexpected_header_size_is_refused);
    RUN(an_unexpected_program_header_size_is_refused);
    RUN(zero_or_more_than_16_program_headers_are_refused);
    RUN(a_program_header_table_past_the_end_of_the_file_is_refused);
    RUN(interpreters_and_dynamic_sections_are_refused);
    RUN(a_segment_with_more_file_bytes_than_memory_is_refused);
    RUN(an_empty_segment_is_refused);
    RUN(a_segment_past_the_end_of_the_file_is_refused);
    RUN(a_segment_below_the_user_base_is_refused);
    RUN(a_segment_reaching_the_user_limit_is_refused);
    RUN(a_segment_whose_end_wraps_around_is_refused);
    RUN(alignment_must_be_0_1_or_a_power_of_two_of_at_least_a_page);
    RUN(file_offset_and_address_must_agree_modulo_a_page);
    RUN(a_writable_and_executable_segment_is_refused);
    RUN(segments_sharing_a_page_are_refused);
    RUN(eight_load_segments_fit_and_nine_do_not);
    RUN(a_file_with_no_load_segment_is_refused);
    RUN(the_entry_point_must_be_inside_an_executable_segment);
    RUN(other_program_header_types_are_ignored);
    RUN(an_empty_user_range_or_missing_arguments_are_refused);
    RUN(a_tiny_error_buffer_is_still_terminated);
    RUN(random_damage_never_crashes_and_accepted_images_obey_every_rule);
    return check_summary();
}
