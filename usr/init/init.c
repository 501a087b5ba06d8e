// SPDX-License-Identifier: MIT
// init: the first ring-3 program. Runs the kernel's `run=` list, one program after another.
//
// The argument string is a comma-separated list of `name[:arg]` items, e.g.
// `selftest,bench:quick` or `crash:gp`. Each runs as spawn(name, arg) and must exit 0; init
// exits 0 only if all of them did, and the kernel's own exit status follows from that.
// Further colons inside an item separate words of the argument (`bench:batches=50:calls=400`
// runs bench with "batches=50 calls=400"), since the kernel command line has no spaces to spare.
#include <stdbool.h>

#include "libc/errno.h"
#include "libc/stdio.h"
#include "libc/stdlib.h"
#include "libc/string.h"
#include "libc/syscall.h"

// spawn refuses strings of more than 127 bytes; one more for the NUL.
#define SPAWN_STRING_MAX 128

// Run one `name[:arg]` item of length n; returns true if the program exited with status 0.
static bool run_item(const char *item, size_t n)
{
    char name[SPAWN_STRING_MAX];
    char arg[SPAWN_STRING_MAX];
    size_t name_len = 0;
    while (name_len < n && item[name_len] != ':')
        name_len++;
    size_t arg_len = name_len < n ? n - name_len - 1 : 0;
    if (name_len == 0 || name_len >= sizeof name || arg_len >= sizeof arg) {
        printf("[init] bad item '%.*s': want name[:arg], each under %d bytes\n", (int)n, item, SPAWN_STRING_MAX);
        return false;
    }
    memcpy(name, item, name_len);
    name[name_len] = '\0';
    for (size_t i = 0; i < arg_len; i++) {
        char c = item[name_len + 1 + i];
        arg[i] = c == ':' ? ' ' : c;
    }
    arg[arg_len] = '\0';

    if (arg_len > 0)
        printf("[init] running %s %s\n", name, arg);
    else
        printf("[init] running %s\n", name);
    stdout_flush(); // our line must reach the console before the child's first one

    long fate = sys_spawn(name, arg);
    if (fate < 0) {
        printf("[init] %s: spawn failed: -%s\n", name, errno_name(fate));
        return false;
    }
    if (fate & SPAWN_FAULTED) {
        printf("[init] %s faulted: vector %ld\n", name, fate & 0xff);
        return false;
    }
    if (fate & SPAWN_TIMED_OUT) {
        printf("[init] %s was stopped: it used up its time limit\n", name);
        return false;
    }
    printf("[init] %s exited with status %ld\n", name, fate);
    return fate == 0;
}

// Run every item of every argument word; exit status 0 only if all of them exited 0.
int main(int argc, char **argv)
{
    unsigned ran = 0, failed = 0;
    for (int i = 0; i < argc; i++) {
        const char *item = argv[i];
        while (*item != '\0') {
            const char *comma = strchr(item, ',');
            size_t n = comma ? (size_t)(comma - item) : strlen(item);
            if (n > 0) {
                ran++;
                if (!run_item(item, n))
                    failed++;
            }
            item += comma ? n + 1 : n;
        }
    }
    if (ran == 0)
        printf("[init] nothing to run: the kernel's run= list is empty\n");
    else if (failed == 0)
        printf("[init] all %u programs exited with status 0\n", ran);
    else
        printf("[init] %u of %u programs failed\n", failed, ran);
    return failed == 0 ? 0 : 1;
}
