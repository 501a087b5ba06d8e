// Machine-check architecture: banks enabled at boot, their status reported on #MC.
#ifndef LSTAR_ARCH_MACHINE_CHECK_H
#define LSTAR_ARCH_MACHINE_CHECK_H

void machine_check_init(unsigned cpu);
void machine_check_report(void);

#endif
