// SPDX-License-Identifier: MIT
// Each process's own x87/MMX/SSE registers and data selectors (docs/abi.md "A program's address
// space and start"): a child starts from the documented clean state and sees nothing of its
// parent's, and a parent's values survive a child that writes its own, whether the child exits
// or faults. Also the ISA itself: SSE works in ring 3 and AVX is #UD, under any firmware.
//
// The selftest spawns itself as the child, with the argument `xstate-child <role>`; selftest.c
// hands such a run to xstate_child_main, and the child reports what it saw as its exit status.
// Registers are read and written with FXSAVE/FXRSTOR and plain moves (xstate.asm).
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/x86_64/asm_layout.h"
#include "arch/x86_64/cpuid.h"
#include "arch/x86_64/xstate_layout.h"
#include "libc/stdio.h"
#include "libc/stdlib.h"
#include "libc/string.h"
#include "libc/syscall.h"
#include "selftest/check.h"
#include "selftest/suites.h"

void fx_save(struct xstate *out);
void fx_load(const struct xstate *in);
void fx_scribble(void);
uint64_t sse_double(uint64_t v);
void avx_probe(void);
uint64_t selectors_read(void);
void selectors_load(uint64_t packed);

#define ST_BYTES 10 // an x87 register's meaningful bytes in its 16-byte slot

// What a program starts with: FNINIT's control word (SDM Vol. 1 "x87 FPU Control Word"), the reset
// MXCSR (SDM Vol. 1 "MXCSR Control and Status Register"), status and abridged tag word 0 (every
// register empty), registers zero. Written out from docs/abi.md, not taken from XSTATE_*_DEFAULT: a
// wrong value in the kernel's header must not become what the test expects. (The image's layout is
// shared: its _Static_asserts pin it to the SDM's offsets.)
#define CLEAN_FCW 0x037f
#define CLEAN_MXCSR 0x1f80

// The parent's values: FCW and MXCSR with rounding toward zero (RC = 11b), MM0 a pattern.
#define PARENT_FCW 0x0f7f
#define PARENT_MXCSR (CLEAN_MXCSR | 0x6000)
#define PARENT_MM0 0x1122334455667788ull

// Data selectors packed as selectors_read gives them: DS | ES << 16 | FS << 32 | GS << 48; the
// selector values are the kernel's own (asm_layout.h), which is what ring 3 finds in DS.
#define PACK_SELECTORS(ds, es, fs, gs) \
    ((uint64_t)(ds) | (uint64_t)(es) << 16 | (uint64_t)(fs) << 32 | (uint64_t)(gs) << 48)
#define PARENT_SELECTORS PACK_SELECTORS(GDT_USER_DS, GDT_USER_DS, GDT_USER_DS, GDT_USER_DS)
// The child's: null with another RPL, the user data segment with RPL 0, and null.
#define CHILD_SELECTORS PACK_SELECTORS(0, GDT_USER_DS & ~3, 3, 0)

// Bits of a `clean` child's exit status: what was not as documented at its start.
#define DIRTY_FCW 0x01
#define DIRTY_FSW_FTW 0x02
#define DIRTY_MXCSR 0x04
#define DIRTY_ST 0x08
#define DIRTY_XMM 0x10
#define DIRTY_FP 0x1f
#define DIRTY_SELECTORS 0x20

#define SSE_INPUT 0x0123456789abcdefull

// ---- the child ----

// Tells whether the first n bytes at p are all zero.
static bool all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != 0)
            return false;
    return true;
}

// `clean`: compares the registers this program started with against the documented start;
// returns the DIRTY_* bits and prints what differed.
static int child_check_clean(void)
{
    static struct xstate img;
    fx_save(&img); // first: nothing before this touched the registers
    uint64_t sel = selectors_read();
    int dirty = 0;
    if (img.fcw != CLEAN_FCW)
        dirty |= DIRTY_FCW;
    if (img.fsw != 0 || img.ftw != 0)
        dirty |= DIRTY_FSW_FTW;
    if (img.mxcsr != CLEAN_MXCSR)
        dirty |= DIRTY_MXCSR;
    for (int i = 0; i < 8; i++)
        if (!all_zero(img.st[i], ST_BYTES))
            dirty |= DIRTY_ST;
    for (int i = 0; i < 16; i++)
        if (!all_zero(img.xmm[i], sizeof img.xmm[i]))
            dirty |= DIRTY_XMM;
    if (sel != 0)
        dirty |= DIRTY_SELECTORS;
    if (dirty) {
        uint64_t mm0;
        memcpy(&mm0, img.st[0], sizeof mm0);
        printf("[selftest] xstate child started with FCW=0x%x FSW=0x%x FTW=0x%x MXCSR=0x%x MM0=0x%lx "
               "selectors=0x%lx\n",
               img.fcw, img.fsw, img.ftw, img.mxcsr, mm0, sel);
    }
    return dirty;
}

// The child half: `xstate-child <role>`. Returns the exit status, or faults on purpose.
int xstate_child_main(int argc, char **argv)
{
    const char *role = argc > 1 ? argv[1] : "";
    if (strcmp(role, "clean") == 0)
        return child_check_clean();
    if (strcmp(role, "sse") == 0)
        return sse_double(SSE_INPUT) == SSE_INPUT * 2 ? 0 : 1;
    if (strcmp(role, "avx") == 0) {
        avx_probe(); // #UD expected: the parent sees SPAWN_FAULTED | 6
        return 1;
    }
    bool fault = strcmp(role, "scribble-fault") == 0;
    if (fault || strcmp(role, "scribble") == 0) {
        selectors_load(CHILD_SELECTORS); // first: fx_scribble is #UD where SSE is off
        fx_scribble();
        if (fault)
            __asm__ volatile("ud2"); // leave through the fault path instead of exit
        return 0;
    }
    printf("[selftest] xstate child: unknown role '%s'\n", role);
    return 127;
}

// ---- the parent ----

// Spawns the selftest itself as a child in `role`, through e.
static long spawn_child(enum lstar_entry e, const char *role)
{
    char args[64];
    snprintf(args, sizeof args, "%s %s", XSTATE_CHILD_ARG, role);
    stdout_flush(); // the child's lines follow ours
    return lstar_spawn(e, "selftest", args);
}

// Fills *img with the parent's values: every register a different non-zero pattern.
static void parent_image(struct xstate *img)
{
    fx_save(img); // a valid image to edit: reserved fields as this CPU writes them
    img->fcw = PARENT_FCW;
    img->fsw = 0;    // TOP = 0: ST0 is physical register 0, the one MM0 aliases
    img->ftw = 0xff; // all eight registers valid
    img->mxcsr = PARENT_MXCSR;
    for (int i = 0; i < 8; i++) {
        uint64_t mantissa = PARENT_MM0 + (uint64_t)i;
        memset(img->st[i], 0, sizeof img->st[i]);
        memcpy(img->st[i], &mantissa, sizeof mantissa);
        img->st[i][8] = (uint8_t)i; // exponent 0x40ii: ordinary finite numbers
        img->st[i][9] = 0x40;
    }
    for (int i = 0; i < 16; i++)
        for (int j = 0; j < 16; j++)
            img->xmm[i][j] = (uint8_t)(0xa0 + i * 16 + j + 1);
}

// Passes if `got` holds every register value of `want`, else names the first that differs.
static void check_same_state(const char *name, const struct xstate *want, const struct xstate *got)
{
    uint64_t w = 0, g = 0;
    if (got->fcw != want->fcw) {
        check_fail(name, "FCW: expected 0x%x, got 0x%x", want->fcw, got->fcw);
        return;
    }
    if (got->fsw != want->fsw || got->ftw != want->ftw) {
        check_fail(name, "FSW/FTW: expected 0x%x/0x%x, got 0x%x/0x%x", want->fsw, want->ftw, got->fsw, got->ftw);
        return;
    }
    if (got->mxcsr != want->mxcsr) {
        check_fail(name, "MXCSR: expected 0x%x, got 0x%x", want->mxcsr, got->mxcsr);
        return;
    }
    for (int i = 0; i < 8; i++) {
        if (memcmp(got->st[i], want->st[i], ST_BYTES) != 0) {
            memcpy(&w, want->st[i], sizeof w);
            memcpy(&g, got->st[i], sizeof g);
            check_fail(name, "ST%d/MM%d: expected mantissa 0x%lx, got 0x%lx", i, i, w, g);
            return;
        }
    }
    for (int i = 0; i < 16; i++) {
        if (memcmp(got->xmm[i], want->xmm[i], sizeof want->xmm[i]) != 0) {
            memcpy(&w, want->xmm[i], sizeof w);
            memcpy(&g, got->xmm[i], sizeof g);
            check_fail(name, "XMM%d: expected low half 0x%lx, got 0x%lx", i, w, g);
            return;
        }
    }
    check_pass(name);
}

// The selftest's own starting registers and selectors, put back after each test.
static struct xstate own_state;
static uint64_t own_selectors;

// A child run while the parent holds its own values sees none of them.
static void child_starts_clean(enum lstar_entry e, bool sse)
{
    static struct xstate mine;
    char fp_name[96];
    snprintf(fp_name, sizeof fp_name, "%s", test_name("child_starts_with_clean_x87_sse_state", e));
    const char *sel_name = test_name("child_starts_with_null_data_selectors", e);

    parent_image(&mine);
    fx_load(&mine);
    selectors_load(PARENT_SELECTORS);
    long fate = spawn_child(e, "clean");
    selectors_load(own_selectors);
    fx_load(&own_state);

    if (fate < 0 || fate > 0xff) {
        check_fail(fp_name, "child fate 0x%lx", (uint64_t)fate);
        check_fail(sel_name, "child fate 0x%lx", (uint64_t)fate);
        return;
    }
    if (!sse)
        check_fail(fp_name, "SSE is not usable in ring 3");
    else if (fate & DIRTY_FP)
        check_fail(fp_name,
                   "child did not start clean (bits 0x%lx: 1 FCW, 2 FSW/FTW, 4 MXCSR, 8 ST/MM, 16 XMM; "
                   "its values are on the line above)",
                   (uint64_t)(fate & DIRTY_FP));
    else
        check_pass(fp_name);
    if (fate & DIRTY_SELECTORS)
        check_fail(sel_name, "child started with the parent's DS/ES/FS/GS (0x%lx)", (uint64_t)PARENT_SELECTORS);
    else
        check_pass(sel_name);
}

// The parent's registers and selectors are as it left them after a child that wrote its own
// and then exited (role "scribble") or faulted with #UD ("scribble-fault").
static void parent_state_survives(enum lstar_entry e, bool sse, const char *role, long want_fate, const char *fp_base,
                                  const char *sel_base)
{
    static struct xstate mine, after;
    char fp_name[96];
    snprintf(fp_name, sizeof fp_name, "%s", test_name(fp_base, e));
    const char *sel_name = test_name(sel_base, e);

    parent_image(&mine);
    fx_load(&mine);
    selectors_load(PARENT_SELECTORS);
    long fate = spawn_child(e, role);
    uint64_t selectors = selectors_read();
    fx_save(&after);
    selectors_load(own_selectors);
    fx_load(&own_state);

    if (fate != want_fate) {
        check_fail(fp_name, "child fate 0x%lx, expected 0x%lx", (uint64_t)fate, (uint64_t)want_fate);
        check_fail(sel_name, "child fate 0x%lx, expected 0x%lx", (uint64_t)fate, (uint64_t)want_fate);
        return;
    }
    if (sse)
        check_same_state(fp_name, &mine, &after);
    else
        check_fail(fp_name, "SSE is not usable in ring 3");
    check_eq(sel_name, PARENT_SELECTORS, selectors);
}

// CPUID.01H:ECX.OSXSAVE mirrors CR4.OSXSAVE (SDM Vol. 2A, instruction page "CPUID").
static bool cpuid_osxsave(void) { return (cpuid(CPUID_LEAF_FEATURES, 0).ecx & CPUID1_ECX_OSXSAVE) != 0; }

// The ISA ring 3 gets, then the per-process state through both entries.
void run_xstate_tests(void)
{
    fx_save(&own_state);
    own_selectors = selectors_read();

    // In a child: under the old firmware-dependent setup an SSE instruction was #UD here.
    bool sse = check_result("sse_instruction_works_in_ring3", 0, spawn_child(ENTRY_SYSCALL, "sse"));
    check_result("avx_instruction_in_ring3_is_ud_xsave_is_off", SPAWN_FAULTED | 6, spawn_child(ENTRY_SYSCALL, "avx"));
    check_eq("cpuid_reports_osxsave_off_to_ring3", 0, cpuid_osxsave());

    FOR_EACH_ENTRY(e)
    {
        child_starts_clean(e, sse);
        parent_state_survives(e, sse, "scribble", 0, "parent_x87_sse_state_survives_a_child_that_writes_its_own",
                              "parent_selectors_survive_a_child");
        parent_state_survives(e, sse, "scribble-fault", SPAWN_FAULTED | 6,
                              "parent_x87_sse_state_survives_a_child_that_writes_its_own_and_faults",
                              "parent_selectors_survive_a_child_that_faults");
    }
}
