// SPDX-License-Identifier: MIT
// The GDT selectors (GDT_USER_DS, GDT_USER_CS, ...) and the address-space constants, shared with
// the kernel: a header of plain #defines, safe for ring 3, which sees these selectors in its
// own segment registers. usr/include forwards only what ring 3 may use of src/.
#include "../../../../src/arch/x86_64/asm_layout.h"
