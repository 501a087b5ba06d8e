// SPDX-License-Identifier: MIT
// The only way the kernel touches user memory: checked copies inside a stac/clac window.
#ifndef LSTAR_ARCH_USER_COPY_H
#define LSTAR_ARCH_USER_COPY_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

bool user_range_ok(uint64_t addr, uint64_t len, bool write);
int copy_from_user(void *dst, uint64_t src, size_t n);
int copy_to_user(uint64_t dst, const void *src, size_t n);
long copy_string_from_user(char *dst, uint64_t src, size_t size);

#endif
