// SPDX-License-Identifier: MIT
// Machine-check architecture: banks enabled at boot; on #MC, the banks read, reported and
// judged: resume, stop the interrupted program, or panic (docs/design.md "Machine checks").
#ifndef LSTAR_ARCH_MACHINE_CHECK_H
#define LSTAR_ARCH_MACHINE_CHECK_H

struct trap_frame;

void machine_check_init(unsigned cpu);
void machine_check_handle(struct trap_frame *tf);

#endif
