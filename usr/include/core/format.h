// SPDX-License-Identifier: MIT
// The printf formatting the kernel and the libc share (pure logic, src/core/format.c).
// usr/include forwards only what ring 3 may use of src/.
#include "../../../src/core/format.h"
