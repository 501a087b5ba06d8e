// SPDX-License-Identifier: MIT
// The boot modules GRUB loaded (the ring-3 programs), found by name.
#ifndef LSTAR_CORE_MODULES_H
#define LSTAR_CORE_MODULES_H
#include <stddef.h>
#include <stdint.h>

struct mb2_info;

struct module {
    char name[32];
    uint64_t phys;
    uint64_t size;
};

void modules_init(const struct mb2_info *info);
const struct module *module_find(const char *name);

#endif
