// SPDX-License-Identifier: MIT
// The system-call ABI, shared with the kernel. usr/include is the only way ring 3 reaches into
// src/: one forwarding header per file it may use, nothing else (see usr/CMakeLists.txt).
#include "../../../src/syscall/abi.h"
