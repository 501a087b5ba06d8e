// SPDX-License-Identifier: MIT
// The FXSAVE image layout, shared with the kernel: architecture only, safe for ring 3.
// usr/include forwards only what ring 3 may use of src/.
#include "../../../../src/arch/x86_64/xstate_layout.h"
