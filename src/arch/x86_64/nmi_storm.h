// SPDX-License-Identifier: MIT
// The NMI storm (nmistorm=N): cpu1 sends cpu0 N NMIs, one at a time, while ring 3 runs on cpu0.
#ifndef LSTAR_ARCH_NMI_STORM_H
#define LSTAR_ARCH_NMI_STORM_H
#include <stdbool.h>
#include <stdint.h>

void nmi_storm_request(unsigned count);
void nmi_storm_start(void);
bool nmi_storm_sending(void);
int nmi_storm_finish(void);
void nmi_storm_serve(unsigned cpu);

#endif
