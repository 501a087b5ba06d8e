// SPDX-License-Identifier: MIT
// A validating reader of just enough ACPI to find the processors (ACPI 6.5: 5.2.5 RSDP,
// 5.2.7 RSDT, 5.2.8 XSDT, 5.2.12 MADT). Firmware tables are input like any other: every
// signature, length and checksum is checked before a field is trusted.
#include "core/acpi.h"
#include "core/format.h"
#include "core/string.h"
#include "core/unaligned.h"

#define SDT_HEADER_SIZE 36
#define MADT_ENTRIES 44       // after the header, the LAPIC address (u32) and flags (u32)
#define MADT_LAPIC 0          // processor local APIC
#define MADT_LAPIC_OVERRIDE 5 // 64-bit local APIC address
#define MADT_X2APIC 9         // processor local x2APIC (IDs above 255)
#define LAPIC_ENABLED 1u
#define LAPIC_ONLINE_CAPABLE 2u
#define MAX_TABLE_SIZE (1u << 20) // a sanity bound: no real RSDT/XSDT/MADT comes near

// Sums len bytes; ACPI structures are valid when the sum is 0 (mod 256).
static uint8_t checksum(const unsigned char *p, size_t len)
{
    uint8_t sum = 0;
    for (size_t i = 0; i < len; i++)
        sum = (uint8_t)(sum + p[i]);
    return sum;
}

// Maps a whole table at phys after checking its header; NULL (with a reason) if it is bad.
static const unsigned char *map_table(uint64_t phys, const char *want, acpi_map_fn map, uint32_t *length, char *err,
                                      size_t errlen)
{
    const unsigned char *h = map(phys, SDT_HEADER_SIZE);
    if (!h) {
        format_error(err, errlen, "table at 0x%llx is outside readable memory", (unsigned long long)phys);
        return NULL;
    }
    uint32_t len = load_le32(h + 4);
    if (want && memcmp(h, want, 4) != 0) {
        format_error(err, errlen, "table at 0x%llx is not %s", (unsigned long long)phys, want);
        return NULL;
    }
    if (len < SDT_HEADER_SIZE || len > MAX_TABLE_SIZE) {
        format_error(err, errlen, "table %.4s at 0x%llx has length %u", (const char *)h, (unsigned long long)phys, len);
        return NULL;
    }
    const unsigned char *t = map(phys, len);
    if (!t) {
        format_error(err, errlen, "table %.4s at 0x%llx runs outside readable memory", (const char *)h,
                     (unsigned long long)phys);
        return NULL;
    }
    if (checksum(t, len) != 0) {
        format_error(err, errlen, "table %.4s at 0x%llx fails its checksum", (const char *)h, (unsigned long long)phys);
        return NULL;
    }
    *length = len;
    return t;
}

// Reads the MADT's processor entries into out.
static int read_madt(const unsigned char *m, uint32_t len, struct acpi_cpus *out, char *err, size_t errlen)
{
    if (len < MADT_ENTRIES)
        return format_error(err, errlen, "MADT of %u bytes has no room for its fixed fields", len);
    out->lapic_phys = load_le32(m + 36);
    for (uint32_t off = MADT_ENTRIES; off < len;) {
        if (len - off < 2)
            return format_error(err, errlen, "MADT entry at offset %u is cut off", off);
        uint8_t type = m[off], elen = m[off + 1];
        if (elen < 2 || elen > len - off)
            return format_error(err, errlen, "MADT entry type %u at offset %u has length %u", type, off, elen);
        if (type == MADT_LAPIC && elen >= 8) {
            uint32_t flags = load_le32(m + off + 4);
            if (flags & (LAPIC_ENABLED | LAPIC_ONLINE_CAPABLE)) {
                if (out->count < ACPI_MAX_CPUS)
                    out->apic_id[out->count++] = m[off + 3];
                else
                    out->skipped++;
            }
        } else if (type == MADT_LAPIC_OVERRIDE && elen >= 12) {
            out->lapic_phys = load_le64(m + off + 4);
        } else if (type == MADT_X2APIC && elen >= 16 && (load_le32(m + off + 8) & LAPIC_ENABLED)) {
            out->skipped++; // lstar drives the local APIC in xAPIC mode: 8-bit IDs only
        }
        off += elen;
    }
    if (out->count == 0)
        return format_error(err, errlen, "MADT lists no enabled processor");
    return 0;
}

// Follows RSDP -> XSDT (or RSDT) -> MADT and lists the CPUs.
int acpi_find_cpus(const void *rsdp_ptr, size_t rsdp_size, acpi_map_fn map, struct acpi_cpus *out, char *err,
                   size_t errlen)
{
    const unsigned char *rsdp = rsdp_ptr;
    memset(out, 0, sizeof *out);
    if (!rsdp || rsdp_size < 20)
        return format_error(err, errlen, "no RSDP from the boot loader");
    if (memcmp(rsdp, "RSD PTR ", 8) != 0)
        return format_error(err, errlen, "RSDP signature is not 'RSD PTR '");
    if (checksum(rsdp, 20) != 0)
        return format_error(err, errlen, "RSDP fails its checksum");
    uint64_t root;
    unsigned entry_size;
    const char *root_sig;
    if (rsdp[15] >= 2 && rsdp_size >= 36 && load_le64(rsdp + 24) != 0) {
        if (checksum(rsdp, 36) != 0)
            return format_error(err, errlen, "RSDP's extended checksum fails");
        root = load_le64(rsdp + 24), entry_size = 8, root_sig = "XSDT";
    } else {
        root = load_le32(rsdp + 16), entry_size = 4, root_sig = "RSDT";
    }
    uint32_t root_len;
    const unsigned char *sdt = map_table(root, root_sig, map, &root_len, err, errlen);
    if (!sdt)
        return -1;
    for (uint32_t off = SDT_HEADER_SIZE; off + entry_size <= root_len; off += entry_size) {
        uint64_t phys = entry_size == 8 ? load_le64(sdt + off) : load_le32(sdt + off);
        const unsigned char *h = map(phys, SDT_HEADER_SIZE);
        if (!h || memcmp(h, "APIC", 4) != 0)
            continue;
        uint32_t len;
        const unsigned char *madt = map_table(phys, "APIC", map, &len, err, errlen);
        if (!madt)
            return -1;
        return read_madt(madt, len, out, err, errlen);
    }
    return format_error(err, errlen, "%s lists no MADT ('APIC')", root_sig);
}
