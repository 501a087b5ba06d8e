// SPDX-License-Identifier: MIT
// The string functions the kernel and the libc share (pure logic, src/core/string.c).
// usr/include forwards only what ring 3 may use of src/.
#include "../../../src/core/string.h"
