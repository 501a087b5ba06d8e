// SPDX-License-Identifier: MIT
// The local APIC: starts the other CPUs (INIT and STARTUP IPIs), sends NMI IPIs, and ticks
// every CPU but the boot CPU (its timer).
#ifndef LSTAR_ARCH_LAPIC_H
#define LSTAR_ARCH_LAPIC_H
#include <stdbool.h>
#include <stdint.h>

void lapic_map(uint64_t phys);
uint8_t lapic_id(void);
bool lapic_send_init(uint8_t apic_id);
bool lapic_send_startup(uint8_t apic_id, uint64_t trampoline_phys);
bool lapic_send_nmi(uint8_t apic_id);
bool lapic_send_nmi_all_others(void);
void lapic_eoi(void);
void lapic_lint1_nmi(void);
void lapic_timer_start(uint8_t vector, uint8_t spurious, unsigned hz);

#endif
