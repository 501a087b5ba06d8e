// SPDX-License-Identifier: MIT
// Finding the CPUs from the ACPI tables: RSDP -> RSDT/XSDT -> MADT ("APIC").
#ifndef LSTAR_CORE_ACPI_H
#define LSTAR_CORE_ACPI_H
#include <stddef.h>
#include <stdint.h>

#define ACPI_MAX_CPUS 64

struct acpi_cpus {
    uint64_t lapic_phys;            // the local APICs' MMIO base (MADT, or its override)
    unsigned count;                 // enabled (or online-capable) processors listed
    uint8_t apic_id[ACPI_MAX_CPUS]; // their local APIC IDs, in MADT order
    unsigned skipped;               // processors left out: beyond ACPI_MAX_CPUS or x2APIC-only
};

// Returns a readable view of physical memory [phys, phys + len), or NULL if it cannot.
typedef const void *(*acpi_map_fn)(uint64_t phys, size_t len);

// Validates every table on the way (signature, length, checksum) and lists the CPUs.
// Returns 0, or -1 with a one-line reason in err.
int acpi_find_cpus(const void *rsdp, size_t rsdp_size, acpi_map_fn map, struct acpi_cpus *out, char *err,
                   size_t errlen);

#endif
