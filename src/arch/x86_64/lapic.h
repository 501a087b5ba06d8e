// The local APIC, used here to start the other CPUs (INIT and STARTUP IPIs) and for NMI IPIs.
#ifndef LSTAR_ARCH_LAPIC_H
#define LSTAR_ARCH_LAPIC_H
#include <stdbool.h>
#include <stdint.h>

void lapic_map(uint64_t phys);
uint8_t lapic_id(void);
bool lapic_send_init(uint8_t apic_id);
bool lapic_send_startup(uint8_t apic_id, uint64_t trampoline_phys);
bool lapic_send_nmi(uint8_t apic_id);

#endif
