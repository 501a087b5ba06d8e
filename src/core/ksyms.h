// SPDX-License-Identifier: MIT
// Kernel symbols for reports: names for the addresses in panics and backtraces.
#ifndef LSTAR_CORE_KSYMS_H
#define LSTAR_CORE_KSYMS_H
#include <stddef.h>
#include <stdint.h>

#define KSYMS_MODULE "lstar.sym" // nm -n of lstar.elf, loaded by grub.cfg

struct module;

void ksyms_init(const struct module *m);
const char *ksym_name(uint64_t addr, uint64_t *offset, size_t *len);
void ksym_print(uint64_t addr);
void ksym_print_return(uint64_t addr);

#endif
