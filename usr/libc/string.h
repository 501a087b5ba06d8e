// SPDX-License-Identifier: MIT
// String and memory functions for ring 3: the kernel's own implementation (src/core/string.c).
#ifndef LSTAR_LIBC_STRING_H
#define LSTAR_LIBC_STRING_H

#include "core/string.h"

#endif
