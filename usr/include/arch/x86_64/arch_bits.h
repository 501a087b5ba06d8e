// SPDX-License-Identifier: MIT
// Architectural bit and MSR names, shared with the kernel: a header of plain #defines, safe for
// ring 3. usr/include forwards only what ring 3 may use of src/.
#include "../../../../src/arch/x86_64/arch_bits.h"
