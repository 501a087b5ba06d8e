// SPDX-License-Identifier: MIT
// stress: a long random interleaving of system calls through both entries, on whatever CPU the
// program was placed on, meant to run on every CPU at once (`run=stress@all`).
//
// Each call is drawn from a xorshift sequence seeded from the CPU and the pid: the entry
// (`syscall` or `int 0x80`), the call (getcpu three times in four, else getpid, null or a write
// to the discard fd 3), a random value for every general register and a random depth of stack
// in use. The calls go through the selftest's register-exact helpers (selftest/regs.asm), which
// load all fifteen registers and the arithmetic flags just before the entry instruction and
// store them all just after it. Every call is checked at once:
//   - its result: getcpu == the CPU the kernel placed us on (placed_cpu(), handed over in RDI at
//     the first instruction, so not read through GS), getpid == the pid seen at the start,
//     null == 0, write == its length;
//   - every register the ABI keeps (docs/abi.md): all but rax; after `syscall` rcx must be the
//     return address and r11 the flags as they were; RSP and the flags themselves unchanged.
// A running checksum folds in everything that came back; at the end the same sequence is
// replayed without making a call, folding in what should have come back, and the two must be
// equal. One line per run says how it went; the first mismatch, if any, is printed in full.
//
// Arguments: `calls=N` (default 300000), `getcpu=N` (keep going past `calls` until at least N
// getcpu results were checked; default 0), `seed=N` (mixed into the CPU-and-pid seed; default 0).
#include <stdbool.h>
#include <stdint.h>

#include "arch/x86_64/arch_bits.h"
#include "libc/cpu.h"
#include "libc/stdio.h"
#include "libc/stdlib.h"
#include "libc/string.h"
#include "libc/syscall.h"
#include "selftest/regs.h"

// A few seconds per CPU under TCG with four CPUs on a two-core host: 2 to 6 s, as the host's
// load decides (docs/testing.md).
#define DEFAULT_CALLS 300000

// RFLAGS bits a program may set and the kernel must give back: CF, PF, AF, ZF, SF, DF, OF.
#define USER_FLAGS_MASK 0x0cd5ull

// The calls a run is made of.
enum kind { KIND_GETCPU, KIND_GETPID, KIND_NULL, KIND_WRITE };

static const char *const kind_names[] = {"getcpu", "getpid", "null", "write(3)"};

// Offsets of the registers a call may not change, rax (the result) left out; rcx and r11 are
// checked separately because `syscall` writes them.
static const unsigned kept_offsets[] = {REGS_RBX, REGS_RDX, REGS_RSI, REGS_RDI, REGS_RBP, REGS_R8,
                                        REGS_R9,  REGS_R10, REGS_R12, REGS_R13, REGS_R14, REGS_R15};
static const char *const kept_names[] = {"rbx", "rdx", "rsi", "rdi", "rbp", "r8",
                                         "r9",  "r10", "r12", "r13", "r14", "r15"};
#define KEPT_COUNT (sizeof kept_offsets / sizeof kept_offsets[0])

// What the write calls hand the kernel: copied and discarded by fd 3.
static const char write_buffer[64] = "lstar stress: bytes for the discard sink, never shown";

// One call of the run, as the sequence decides it.
struct plan {
    bool int80; // through `int 0x80`, else `syscall`
    enum kind kind;
    size_t gap;     // extra stack in use at the call: 0 to 4080 bytes, a multiple of 16
    struct regs in; // every register (and the flags) just before the entry instruction
};

// What the program knows without asking the kernel.
struct facts {
    long cpu; // placed_cpu()
    long pid; // getpid at the start
};

// xorshift64*: small, fast, and the same sequence for the same seed.
static uint64_t next_random(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 0x2545f4914f6cdd1dull;
}

// splitmix64's finaliser: spreads a small seed (a CPU and a pid) over all 64 bits, never 0.
static uint64_t mix_seed(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    x ^= x >> 31;
    return x ? x : 1;
}

// Writes v into the register at byte offset `offset` of r.
static void set_reg(struct regs *r, unsigned offset, uint64_t v) { memcpy((char *)r + offset, &v, sizeof v); }

// Reads the register at byte offset `offset` of r.
static uint64_t get_reg(const struct regs *r, unsigned offset)
{
    uint64_t v;
    memcpy(&v, (const char *)r + offset, sizeof v);
    return v;
}

// Draws the next call from the sequence: entry, kind, registers and flags.
static void plan_next(uint64_t *state, struct plan *p)
{
    uint64_t choice = next_random(state);
    uint64_t base = next_random(state);
    p->int80 = choice & 1;
    unsigned k = (choice >> 1) & 15; // getcpu 12 times in 16: it is the point of the run
    p->kind = k < 12 ? KIND_GETCPU : k < 14 ? KIND_GETPID : k == 14 ? KIND_NULL : KIND_WRITE;
    p->gap = (choice >> 44) & 0xff0;

    // One draw gives every register its own value: distinct odd multipliers, so two registers
    // swapped by the kernel would not go unnoticed.
    for (unsigned i = 0; i < KEPT_COUNT; i++)
        set_reg(&p->in, kept_offsets[i], (base + i * 0x9e3779b97f4a7c15ull) * (2 * i + 0x100000001b3ull));
    p->in.rcx = ~base;
    p->in.r11 = base ^ 0x5555555555555555ull;
    p->in.rflags = RFLAGS_FIXED | RFLAGS_IF | ((choice >> 8) & USER_FLAGS_MASK);
    static const uint64_t numbers[] = {SYS_getcpu, SYS_getpid, SYS_null, SYS_write};
    p->in.rax = numbers[p->kind];
    if (p->kind == KIND_WRITE) {
        p->in.rdi = 3; // the discard sink
        p->in.rsi = (uint64_t)write_buffer;
        p->in.rdx = (choice >> 32) % (sizeof write_buffer + 1);
    }
}

// Makes call p with p->gap more bytes of stack in use, so RSP at the entry differs from call to
// call and from CPU to CPU: a kernel that parked one CPU's user RSP where another CPU could
// overwrite it would give some call the wrong RSP back.
__attribute__((noinline)) static void call_with_gap(const struct plan *p, struct regs *out)
{
    volatile char *room = __builtin_alloca(p->gap + 16);
    room[0] = 0; // the gap is really stack in use, not optimised away
    if (p->int80)
        regs_call_int80(&p->in, out);
    else
        regs_call_syscall(&p->in, out);
}

// The result call p should give.
static long expected_result(const struct plan *p, const struct facts *f)
{
    switch (p->kind) {
    case KIND_GETCPU:
        return f->cpu;
    case KIND_GETPID:
        return f->pid;
    case KIND_WRITE:
        return (long)p->in.rdx;
    default:
        return 0;
    }
}

// The rcx the ABI promises after the call: the return address after `syscall`, else unchanged.
static uint64_t expected_rcx(const struct plan *p) { return p->int80 ? p->in.rcx : (uint64_t)regs_syscall_return; }

// The r11 the ABI promises: RFLAGS as they were at `syscall`, else unchanged.
static uint64_t expected_r11(const struct plan *p) { return p->int80 ? p->in.r11 : p->in.rflags; }

// Folds one value into a running checksum (order matters, so a value in the wrong call shows).
static uint64_t fold(uint64_t sum, uint64_t v)
{
    sum ^= v;
    sum = (sum << 23) | (sum >> 41);
    return sum * 0x9e3779b97f4a7c15ull + 1;
}

// Folds everything one call gave back: result, every register, RSP's change and the flags.
static uint64_t fold_call(uint64_t sum, uint64_t rax, const struct regs *r, uint64_t rcx, uint64_t r11,
                          uint64_t rsp_moved, uint64_t rflags)
{
    sum = fold(sum, rax);
    for (unsigned i = 0; i < KEPT_COUNT; i++)
        sum = fold(sum, get_reg(r, kept_offsets[i]));
    sum = fold(sum, rcx);
    sum = fold(sum, r11);
    sum = fold(sum, rsp_moved);
    return fold(sum, rflags);
}

// The first difference between what call p gave back (out) and what the ABI promises, or NULL;
// *want and *got say what differed.
static const char *first_difference(const struct plan *p, const struct regs *out, const struct facts *f, uint64_t *want,
                                    uint64_t *got)
{
    *want = (uint64_t)expected_result(p, f);
    *got = out->rax;
    if (*got != *want)
        return "result";
    for (unsigned i = 0; i < KEPT_COUNT; i++) {
        *want = get_reg(&p->in, kept_offsets[i]);
        *got = get_reg(out, kept_offsets[i]);
        if (*got != *want)
            return kept_names[i];
    }
    *want = expected_rcx(p), *got = out->rcx;
    if (*got != *want)
        return "rcx";
    *want = expected_r11(p), *got = out->r11;
    if (*got != *want)
        return "r11";
    *want = out->rsp_before, *got = out->rsp;
    if (*got != *want)
        return "rsp";
    *want = p->in.rflags, *got = out->rflags;
    if (*got != *want)
        return "rflags";
    return NULL;
}

// What a run counted.
struct tally {
    uint64_t calls, via_int80, getcpu_checks, getcpu_wrong, mismatches;
    uint64_t checksum;
};

// Whether a run with these counts is over: `calls` made and `min_getcpu` getcpu results checked.
static bool run_over(uint64_t calls, uint64_t getcpu_checks, uint64_t want_calls, uint64_t min_getcpu)
{
    return calls >= want_calls && getcpu_checks >= min_getcpu;
}

// Makes the calls, checking each one; returns the tally with the checksum of what came back.
static struct tally run(uint64_t seed, uint64_t want_calls, uint64_t min_getcpu, const struct facts *f)
{
    struct tally t = {0};
    uint64_t state = seed;
    struct plan p;
    struct regs out;
    memset(&p, 0, sizeof p);
    while (!run_over(t.calls, t.getcpu_checks, want_calls, min_getcpu)) {
        plan_next(&state, &p);
        call_with_gap(&p, &out);
        t.checksum = fold_call(t.checksum, out.rax, &out, out.rcx, out.r11, out.rsp - out.rsp_before, out.rflags);

        uint64_t want, got;
        const char *what = first_difference(&p, &out, f, &want, &got);
        if (p.kind == KIND_GETCPU) {
            t.getcpu_checks++;
            t.getcpu_wrong += out.rax != (uint64_t)f->cpu;
        }
        if (what) {
            if (t.mismatches == 0)
                printf("[stress] cpu%ld: first mismatch at call %llu, %s via %s: %s is 0x%llx, expected 0x%llx\n",
                       f->cpu, (unsigned long long)t.calls, kind_names[p.kind], p.int80 ? "int 0x80" : "syscall", what,
                       (unsigned long long)got, (unsigned long long)want);
            t.mismatches++;
        }
        t.via_int80 += p.int80;
        t.calls++;
    }
    return t;
}

// Replays the sequence without calling the kernel; returns the checksum of what should have
// come back.
static uint64_t expected_checksum(uint64_t seed, uint64_t want_calls, uint64_t min_getcpu, const struct facts *f)
{
    uint64_t sum = 0, state = seed, calls = 0, getcpu_checks = 0;
    struct plan p;
    memset(&p, 0, sizeof p);
    while (!run_over(calls, getcpu_checks, want_calls, min_getcpu)) {
        plan_next(&state, &p);
        sum = fold_call(sum, (uint64_t)expected_result(&p, f), &p.in, expected_rcx(&p), expected_r11(&p), 0,
                        p.in.rflags);
        getcpu_checks += p.kind == KIND_GETCPU;
        calls++;
    }
    return sum;
}

// Parses `name=N` into *value if arg is that option; returns whether it was, and *ok = false
// if its number is bad.
static bool option(const char *arg, const char *name, uint64_t *value, bool *ok)
{
    size_t n = strlen(name);
    if (strncmp(arg, name, n) != 0 || arg[n] != '=')
        return false;
    if (!parse_u64(arg + n + 1, value))
        *ok = false;
    return true;
}

// Parses the options, runs the calls, checks the checksum and prints the run's line.
int main(int argc, char **argv)
{
    uint64_t calls = DEFAULT_CALLS, min_getcpu = 0, seed = 0;
    for (int i = 0; i < argc; i++) {
        bool ok = true;
        if ((option(argv[i], "calls", &calls, &ok) || option(argv[i], "getcpu", &min_getcpu, &ok) ||
             option(argv[i], "seed", &seed, &ok)) &&
            ok && calls > 0)
            continue;
        printf("usage: stress [calls=N] [getcpu=N] [seed=N]  (calls > 0)\n");
        return 2;
    }

    struct facts f = {.cpu = (long)placed_cpu(), .pid = sys_getpid()};
    uint64_t start_seed = mix_seed(((uint64_t)f.cpu << 32) ^ (uint64_t)f.pid ^ mix_seed(seed));
    printf("[stress] cpu%ld: pid %ld, seed 0x%016llx, %llu calls through both entries%s\n", f.cpu, f.pid,
           (unsigned long long)start_seed, (unsigned long long)calls, min_getcpu ? " (more until enough getcpu)" : "");
    stdout_flush();

    long t0 = sys_clock_ns();
    struct tally t = run(start_seed, calls, min_getcpu, &f);
    long ms = (sys_clock_ns() - t0) / 1000000;
    uint64_t want = expected_checksum(start_seed, calls, min_getcpu, &f);

    bool ok = t.mismatches == 0 && t.checksum == want;
    printf("[stress] cpu%ld: %llu calls (%llu syscall, %llu int 0x80) in %ld ms, ", f.cpu, (unsigned long long)t.calls,
           (unsigned long long)(t.calls - t.via_int80), (unsigned long long)t.via_int80, ms);
    if (t.getcpu_wrong == 0)
        printf("getcpu always %ld (%llu checks), ", f.cpu, (unsigned long long)t.getcpu_checks);
    else
        printf("getcpu not %ld in %llu of %llu checks, ", f.cpu, (unsigned long long)t.getcpu_wrong,
               (unsigned long long)t.getcpu_checks);
    printf("checksum 0x%016llx %s expected 0x%016llx: ", (unsigned long long)t.checksum,
           t.checksum == want ? "=" : "!=", (unsigned long long)want);
    if (ok)
        printf("ok\n");
    else
        printf("FAIL (%llu mismatching calls)\n", (unsigned long long)t.mismatches);
    return ok ? 0 : 1;
}
