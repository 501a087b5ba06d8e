// SPDX-License-Identifier: MIT
// Host tests of src/core/acpi.c: RSDP -> XSDT/RSDT -> MADT, built byte by byte in a fake
// "physical memory", then broken one field at a time, then mutated at random.
#include "check.h"

#include "core/acpi.h"

// A small physical memory: tables live at fixed offsets, the map function bounds-checks.
#define MEM_SIZE 4096
#define XSDT_AT 0x100
#define RSDT_AT 0x200
#define MADT_AT 0x300
#define OTHER_AT 0x600
static unsigned char mem[MEM_SIZE];
static unsigned char rsdp[36];

// The map function acpi.c gets: NULL outside the fake memory.
static const void *map(uint64_t phys, size_t len)
{
    if (phys > MEM_SIZE || len > MEM_SIZE - phys)
        return NULL;
    return mem + phys;
}

// Little-endian stores.
static void put32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}
static void put64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

// Sets byte `at` so that the len bytes from p sum to zero.
static void fix_checksum(unsigned char *p, size_t len, size_t at)
{
    p[at] = 0;
    unsigned char sum = 0;
    for (size_t i = 0; i < len; i++)
        sum = (unsigned char)(sum + p[i]);
    p[at] = (unsigned char)(0x100 - sum);
}

// Writes an SDT header (signature, length) and fixes its checksum once the body is in place.
static void sdt(unsigned char *t, const char *sig, uint32_t len)
{
    for (int i = 0; i < 4; i++)
        t[i] = (unsigned char)sig[i];
    put32(t + 4, len);
    t[8] = 1; // revision
}

// Builds the MADT: 4 processors (one disabled), a LAPIC override entry, an x2APIC entry.
static uint32_t build_madt(void)
{
    unsigned char *m = mem + MADT_AT;
    uint32_t off = 44;
    put32(m + 36, 0xfee00000u);
    static const unsigned char ids[] = {0, 1, 2, 7};
    static const uint32_t flags[] = {1, 1, 0, 2}; // enabled, enabled, disabled, online-capable
    for (int i = 0; i < 4; i++) {
        m[off] = 0, m[off + 1] = 8, m[off + 2] = (unsigned char)i, m[off + 3] = ids[i];
        put32(m + off + 4, flags[i]);
        off += 8;
    }
    m[off] = 1, m[off + 1] = 12; // an I/O APIC entry: skipped
    off += 12;
    m[off] = 9, m[off + 1] = 16; // an enabled x2APIC-only processor
    put32(m + off + 4, 300), put32(m + off + 8, 1);
    off += 16;
    sdt(m, "APIC", off);
    fix_checksum(m, off, 9);
    return off;
}

// Builds RSDP (revision 2) -> XSDT [other table, MADT] and an RSDT [MADT] beside it.
static void build_tables(void)
{
    for (size_t i = 0; i < MEM_SIZE; i++)
        mem[i] = 0;
    build_madt();
    unsigned char *o = mem + OTHER_AT; // some other table, listed first
    sdt(o, "FACP", 36);
    fix_checksum(o, 36, 9);
    unsigned char *x = mem + XSDT_AT;
    put64(x + 36, OTHER_AT), put64(x + 44, MADT_AT);
    sdt(x, "XSDT", 52);
    fix_checksum(x, 52, 9);
    unsigned char *r = mem + RSDT_AT;
    put32(r + 36, MADT_AT);
    sdt(r, "RSDT", 40);
    fix_checksum(r, 40, 9);
    const char *sig = "RSD PTR ";
    for (int i = 0; i < 8; i++)
        rsdp[i] = (unsigned char)sig[i];
    rsdp[15] = 2;
    put32(rsdp + 16, RSDT_AT);
    put32(rsdp + 20, 36);
    put64(rsdp + 24, XSDT_AT);
    for (int i = 32; i < 36; i++)
        rsdp[i] = 0;
    fix_checksum(rsdp, 20, 8);
    fix_checksum(rsdp, 36, 32);
}

static struct acpi_cpus cpus;
static char err[128];

// Runs the reader over the current memory.
static int find(size_t rsdp_size)
{
    err[0] = 0;
    return acpi_find_cpus(rsdp, rsdp_size, map, &cpus, err, sizeof err);
}

static void enabled_and_online_capable_cpus_are_listed_through_the_xsdt(void)
{
    build_tables();
    CHECK_EQ(find(36), 0);
    CHECK_EQ(cpus.count, 3);
    CHECK_EQ(cpus.apic_id[0], 0);
    CHECK_EQ(cpus.apic_id[1], 1);
    CHECK_EQ(cpus.apic_id[2], 7);
    CHECK_EQ(cpus.lapic_phys, 0xfee00000u);
    CHECK_EQ(cpus.skipped, 1); // the x2APIC-only one
}

static void an_acpi_1_rsdp_leads_through_the_rsdt(void)
{
    build_tables();
    rsdp[15] = 0;
    fix_checksum(rsdp, 20, 8);
    CHECK_EQ(find(20), 0);
    CHECK_EQ(cpus.count, 3);
}

static void a_lapic_address_override_wins(void)
{
    build_tables();
    unsigned char *m = mem + MADT_AT;
    uint32_t len = 44 + 4 * 8 + 12 + 16;
    m[len] = 5, m[len + 1] = 12;
    put64(m + len + 4, 0x1234560000ull);
    put32(m + 4, len + 12);
    fix_checksum(m, len + 12, 9);
    CHECK_EQ(find(36), 0);
    CHECK_EQ(cpus.lapic_phys, 0x1234560000ull);
}

static void a_bad_rsdp_is_refused(void)
{
    build_tables();
    CHECK_EQ(acpi_find_cpus(NULL, 0, map, &cpus, err, sizeof err), -1);
    CHECK_CONTAINS(err, "no RSDP");
    rsdp[0] = 'X';
    CHECK_EQ(find(36), -1);
    CHECK_CONTAINS(err, "signature");
    build_tables();
    rsdp[16] ^= 1; // breaks the first checksum
    CHECK_EQ(find(36), -1);
    CHECK_CONTAINS(err, "checksum");
    build_tables();
    rsdp[24] ^= 1; // breaks only the extended checksum
    CHECK_EQ(find(36), -1);
    CHECK_CONTAINS(err, "extended checksum");
}

static void bad_tables_are_refused_with_a_reason(void)
{
    build_tables();
    mem[XSDT_AT + 40] ^= 0xff; // XSDT checksum
    CHECK_EQ(find(36), -1);
    CHECK_CONTAINS(err, "XSDT");
    CHECK_CONTAINS(err, "checksum");

    build_tables();
    put64(rsdp + 24, MEM_SIZE - 8); // XSDT header runs off the memory
    fix_checksum(rsdp, 36, 32);
    CHECK_EQ(find(36), -1);
    CHECK_CONTAINS(err, "outside readable memory");

    build_tables();
    put32(mem + XSDT_AT + 4, 12); // shorter than a header
    CHECK_EQ(find(36), -1);
    CHECK_CONTAINS(err, "length 12");

    build_tables();
    put32(mem + MADT_AT + 4, 0x7fffffff); // longer than any table
    CHECK_EQ(find(36), -1);
    CHECK_CONTAINS(err, "APIC");

    build_tables();
    mem[MADT_AT + 44 + 1] = 0; // entry length 0 would loop forever
    fix_checksum(mem + MADT_AT, 44 + 4 * 8 + 12 + 16, 9);
    CHECK_EQ(find(36), -1);
    CHECK_CONTAINS(err, "has length 0");

    build_tables();
    mem[MADT_AT + 44 + 1] = 200; // entry longer than the table
    fix_checksum(mem + MADT_AT, 44 + 4 * 8 + 12 + 16, 9);
    CHECK_EQ(find(36), -1);
    CHECK_CONTAINS(err, "has length 200");
}

static void a_root_table_without_a_madt_is_refused(void)
{
    build_tables();
    put64(mem + XSDT_AT + 44, OTHER_AT); // MADT replaced by the other table
    fix_checksum(mem + XSDT_AT, 52, 9);
    CHECK_EQ(find(36), -1);
    CHECK_CONTAINS(err, "lists no MADT");
}

static void a_madt_without_enabled_cpus_is_refused(void)
{
    build_tables();
    unsigned char *m = mem + MADT_AT;
    for (int i = 0; i < 4; i++)
        put32(m + 44 + 8 * i + 4, 0);
    fix_checksum(m, 44 + 4 * 8 + 12 + 16, 9);
    CHECK_EQ(find(36), -1);
    CHECK_CONTAINS(err, "no enabled processor");
}

// A deterministic generator for the mutation loop.
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static void random_corruption_never_reads_outside_the_tables(void)
{
    // ASan and UBSan watch every access; the reader must answer 0 or -1, never crash.
    int answered = 0;
    for (int i = 0; i < 20000; i++) {
        build_tables();
        int flips = 1 + (int)(rng() % 4);
        for (int f = 0; f < flips; f++) {
            uint64_t where = rng() % (MEM_SIZE + sizeof rsdp);
            unsigned char value = (unsigned char)rng();
            if (where < MEM_SIZE)
                mem[where] = value;
            else
                rsdp[where - MEM_SIZE] = value;
        }
        int r = find(rng() % 2 ? 36 : 20);
        answered += (r == 0 || r == -1);
        if (r == 0 && cpus.count > ACPI_MAX_CPUS)
            answered--;
    }
    CHECK_EQ(answered, 20000);
}

int main(void)
{
    RUN(enabled_and_online_capable_cpus_are_listed_through_the_xsdt);
    RUN(an_acpi_1_rsdp_leads_through_the_rsdt);
    RUN(a_lapic_address_override_wins);
    RUN(a_bad_rsdp_is_refused);
    RUN(bad_tables_are_refused_with_a_reason);
    RUN(a_root_table_without_a_madt_is_refused);
    RUN(a_madt_without_enabled_cpus_is_refused);
    RUN(random_corruption_never_reads_outside_the_tables);
    return check_summary();
}
