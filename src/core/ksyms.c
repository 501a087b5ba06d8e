// SPDX-License-Identifier: MIT
// The kernel's symbol table, from the GRUB module `lstar.sym`: the text of `nm -n` over
// lstar.elf, one "address type name" line per function, sorted by address (CMakeLists.txt
// makes it at every build). Looked up only when something goes wrong, so a linear scan over
// the text is enough. A missing or malformed module only means reports without names.
#include "core/ksyms.h"
#include "arch/x86_64/paging.h"
#include "core/console.h"
#include "core/modules.h"

static const char *sym_text;
static size_t sym_size;

// Takes the symbols from module m (NULL: none); one that does not look like nm output is ignored.
void ksyms_init(const struct module *m)
{
    const char *text = m ? phys_to_virt(m->phys) : NULL;
    size_t size = m ? m->size : 0;
    if (!text || size < 20 || text[16] != ' ') {
        kprintf("[boot] no kernel symbols: reports show bare addresses\n");
        return;
    }
    sym_text = text;
    sym_size = size;
}

// Parses 16 hex digits at p; false if any is not one.
static int parse_hex16(const char *p, uint64_t *value)
{
    uint64_t v = 0;
    for (int i = 0; i < 16; i++) {
        char c = p[i];
        unsigned d = c >= '0' && c <= '9' ? (unsigned)(c - '0') : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10) : 16;
        if (d == 16)
            return 0;
        v = v << 4 | d;
    }
    *value = v;
    return 1;
}

// Finds the function containing addr (the first name listed at the closest address at or
// below it): its name (not NUL-terminated, *len bytes) and the offset
// of addr into it, or NULL.
const char *ksym_name(uint64_t addr, uint64_t *offset, size_t *len)
{
    const char *best = NULL;
    uint64_t best_addr = 0;
    size_t best_len = 0;
    for (size_t line = 0; line + 20 <= sym_size;) {
        size_t end = line;
        while (end < sym_size && sym_text[end] != '\n')
            end++;
        uint64_t a;
        // "ffffffff80106000 T name": address, space, type letter, space, name.
        if (end - line > 19 && parse_hex16(sym_text + line, &a) && sym_text[line + 16] == ' ' &&
            sym_text[line + 18] == ' ' && a <= addr && (!best || a > best_addr)) {
            best = sym_text + line + 19;
            best_len = end - line - 19;
            best_addr = a;
        }
        line = end + 1;
    }
    if (!best)
        return NULL;
    *offset = addr - best_addr;
    *len = best_len;
    return best;
}

// Prints " name+0xoff" for an instruction address, or nothing when it cannot be named.
void ksym_print(uint64_t addr)
{
    uint64_t offset;
    size_t len;
    const char *name = ksym_name(addr, &offset, &len);
    if (name)
        kprintf(" %.*s+0x%llx", (int)len, name, (unsigned long long)offset);
}

// Prints " name+0xoff" for a return address: named after the call before it, since a call to
// a noreturn function may be the last instruction of its caller.
void ksym_print_return(uint64_t addr)
{
    uint64_t offset;
    size_t len;
    const char *name = ksym_name(addr - 1, &offset, &len);
    if (name)
        kprintf(" %.*s+0x%llx", (int)len, name, (unsigned long long)(offset + 1));
}
