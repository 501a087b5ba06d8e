// SPDX-License-Identifier: MIT
// ELF64 executables: check the header, then every program header, then the entry point.
// Field offsets follow the System V gABI (Elf64_Ehdr, Elf64_Phdr); the file is read byte-wise.
#include <stdbool.h>

#include "core/elf64.h"
#include "core/format.h"
#include "core/string.h"
#include "core/unaligned.h"

#define EHDR_SIZE 64
#define PHDR_SIZE 56
#define PAGE_SIZE 4096u

#define ELFCLASS64 2
#define ELFDATA2LSB 1
#define EV_CURRENT 1
#define ELFOSABI_SYSV 0
#define ELFOSABI_GNU 3
#define ET_EXEC 2
#define EM_X86_64 62

#define PT_LOAD 1
#define PT_DYNAMIC 2
#define PT_INTERP 3

// Check the 64-byte file header; on success *phoff and *phnum locate the program headers.
static int check_header(const unsigned char *b, size_t size, uint64_t *phoff, uint16_t *phnum, char *err, size_t errlen)
{
    if (size < EHDR_SIZE)
        return format_error(err, errlen, "file of %zu bytes is shorter than the 64-byte ELF header", size);
    if (b[0] != 0x7f || b[1] != 'E' || b[2] != 'L' || b[3] != 'F')
        return format_error(err, errlen, "not an ELF file (bad magic)");
    if (b[4] != ELFCLASS64)
        return format_error(err, errlen, "EI_CLASS %u is not ELFCLASS64 (2)", b[4]);
    if (b[5] != ELFDATA2LSB)
        return format_error(err, errlen, "EI_DATA %u is not ELFDATA2LSB (1)", b[5]);
    if (b[6] != EV_CURRENT)
        return format_error(err, errlen, "EI_VERSION %u != 1", b[6]);
    if (b[7] != ELFOSABI_SYSV && b[7] != ELFOSABI_GNU)
        return format_error(err, errlen, "EI_OSABI %u is neither SYSV (0) nor GNU (3)", b[7]);
    uint16_t type = load_le16(b + 16), machine = load_le16(b + 18);
    if (type != ET_EXEC)
        return format_error(err, errlen, "e_type %u is not ET_EXEC (2)", type);
    if (machine != EM_X86_64)
        return format_error(err, errlen, "e_machine %u is not EM_X86_64 (62)", machine);
    if (load_le32(b + 20) != EV_CURRENT)
        return format_error(err, errlen, "e_version %u != 1", load_le32(b + 20));
    if (load_le16(b + 52) != EHDR_SIZE)
        return format_error(err, errlen, "e_ehsize %u != 64", load_le16(b + 52));
    if (load_le16(b + 54) != PHDR_SIZE)
        return format_error(err, errlen, "e_phentsize %u != 56", load_le16(b + 54));
    *phnum = load_le16(b + 56);
    if (*phnum < 1 || *phnum > ELF64_MAX_PHNUM)
        return format_error(err, errlen, "e_phnum %u is not in 1..%u", *phnum, ELF64_MAX_PHNUM);
    *phoff = load_le64(b + 32);
    // Compare by subtraction so that a huge e_phoff cannot wrap around.
    if (*phoff > size || (uint64_t)*phnum * PHDR_SIZE > size - *phoff)
        return format_error(err, errlen,
                            "program header table (e_phoff 0x%lx, %u entries) runs past the end of the %zu-byte file",
                            *phoff, *phnum, size);
    return 0;
}

// Check one PT_LOAD program header (index i) against the file, the user range and the segments
// accepted so far.
static int check_load(unsigned i, const struct elf64_segment *s, uint64_t align, size_t size, uint64_t user_base,
                      uint64_t user_limit, const struct elf64_image *img, char *err, size_t errlen)
{
    if (s->memsz == 0)
        return format_error(err, errlen, "program header %u (PT_LOAD): memsz is 0", i);
    if (s->filesz > s->memsz)
        return format_error(err, errlen, "program header %u (PT_LOAD): filesz 0x%lx > memsz 0x%lx", i, s->filesz,
                            s->memsz);
    if (s->offset > size || s->filesz > size - s->offset)
        return format_error(
            err, errlen,
            "program header %u (PT_LOAD): file bytes at offset 0x%lx, size 0x%lx run past the end of the %zu-byte file",
            i, s->offset, s->filesz, size);
    if (s->vaddr < user_base || s->vaddr > user_limit || s->memsz > user_limit - s->vaddr)
        return format_error(
            err, errlen,
            "program header %u (PT_LOAD): vaddr 0x%lx + memsz 0x%lx is outside the user range [0x%lx, 0x%lx)", i,
            s->vaddr, s->memsz, user_base, user_limit);
    if (align > 1 && (align < PAGE_SIZE || (align & (align - 1)) != 0))
        return format_error(
            err, errlen, "program header %u (PT_LOAD): p_align 0x%lx is not 0, 1 or a power of two >= 4096", i, align);
    // The file page and the memory page must line up, or one mapping cannot hold both.
    if ((s->vaddr - s->offset) % PAGE_SIZE != 0)
        return format_error(err, errlen, "program header %u (PT_LOAD): vaddr 0x%lx and offset 0x%lx differ modulo 4096",
                            i, s->vaddr, s->offset);
    if ((s->flags & ELF64_PF_W) && (s->flags & ELF64_PF_X))
        return format_error(err, errlen, "program header %u (PT_LOAD): segment is both writable and executable (W^X)",
                            i);
    if (img->segment_count >= ELF64_MAX_SEGMENTS)
        return format_error(err, errlen, "program header %u (PT_LOAD): more than %u PT_LOAD segments", i,
                            ELF64_MAX_SEGMENTS);
    // Pages are mapped with one set of permissions each, so segments may not share one.
    uint64_t first = s->vaddr / PAGE_SIZE, last = (s->vaddr + s->memsz - 1) / PAGE_SIZE;
    for (size_t k = 0; k < img->segment_count; k++) {
        const struct elf64_segment *o = &img->segments[k];
        uint64_t o_first = o->vaddr / PAGE_SIZE, o_last = (o->vaddr + o->memsz - 1) / PAGE_SIZE;
        if (first <= o_last && o_first <= last)
            return format_error(
                err, errlen,
                "program header %u (PT_LOAD): vaddr 0x%lx shares a page with PT_LOAD segment %zu (vaddr 0x%lx)", i,
                s->vaddr, k, o->vaddr);
    }
    return 0;
}

// Validate an ELF64 executable and list its PT_LOAD segments (see elf64.h).
int elf64_parse(const void *data, size_t size, uint64_t user_base, uint64_t user_limit, struct elf64_image *out,
                char *err, size_t errlen)
{
    if (err != NULL && errlen > 0)
        err[0] = '\0';
    if (out == NULL)
        return format_error(err, errlen, "no place to put the parsed image");
    memset(out, 0, sizeof *out);
    if (data == NULL)
        return format_error(err, errlen, "no file (NULL)");
    if (user_base >= user_limit)
        return format_error(err, errlen, "empty user range [0x%lx, 0x%lx)", user_base, user_limit);

    const unsigned char *b = data;
    uint64_t phoff = 0;
    uint16_t phnum = 0;
    if (check_header(b, size, &phoff, &phnum, err, errlen) != 0)
        return -1;

    for (unsigned i = 0; i < phnum; i++) {
        const unsigned char *ph = b + phoff + (size_t)i * PHDR_SIZE;
        uint32_t type = load_le32(ph);
        if (type == PT_INTERP || type == PT_DYNAMIC)
            return format_error(err, errlen, "program header %u (%s): dynamic executables are not supported", i,
                                type == PT_INTERP ? "PT_INTERP" : "PT_DYNAMIC");
        if (type != PT_LOAD)
            continue; // PT_NOTE, PT_GNU_STACK, PT_GNU_PROPERTY, PT_PHDR...: nothing to load
        struct elf64_segment s = {
            .flags = load_le32(ph + 4),
            .offset = load_le64(ph + 8),
            .vaddr = load_le64(ph + 16),
            .filesz = load_le64(ph + 32),
            .memsz = load_le64(ph + 40),
        };
        if (check_load(i, &s, load_le64(ph + 48), size, user_base, user_limit, out, err, errlen) != 0)
            return -1;
        out->segments[out->segment_count++] = s;
    }
    if (out->segment_count == 0)
        return format_error(err, errlen, "no PT_LOAD segment");

    uint64_t entry = load_le64(b + 24);
    for (size_t k = 0; k < out->segment_count; k++) {
        const struct elf64_segment *s = &out->segments[k];
        if ((s->flags & ELF64_PF_X) && entry >= s->vaddr && entry - s->vaddr < s->memsz) {
            out->entry = entry;
            return 0;
        }
    }
    return format_error(err, errlen, "entry point 0x%lx is not inside an executable PT_LOAD segment", entry);
}
