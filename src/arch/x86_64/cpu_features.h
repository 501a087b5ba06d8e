// SPDX-License-Identifier: MIT
// CPU protection features lstar turns on when the CPU has them: SMEP, SMAP, UMIP (found here,
// turned on by control_regs.c).
#ifndef LSTAR_ARCH_CPU_FEATURES_H
#define LSTAR_ARCH_CPU_FEATURES_H
#include <stdint.h>
#include "syscall/abi.h"

void cpu_features_detect(void);
uint32_t cpu_features(void); // LSTAR_FEATURE_* bits (syscall/abi.h)
void cpu_identify(char vendor[16], char brand[64], char hypervisor[16]);

#endif
