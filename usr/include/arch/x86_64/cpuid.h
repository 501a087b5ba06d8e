// SPDX-License-Identifier: MIT
// CPUID's leaves and feature bits, and the instruction itself, shared with the kernel: CPUID is
// unprivileged, so the header is safe for ring 3. usr/include forwards only what ring 3 may use
// of src/.
#include "../../../../src/arch/x86_64/cpuid.h"
