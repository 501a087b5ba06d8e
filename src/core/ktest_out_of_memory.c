// SPDX-License-Identifier: MIT
// The self-check of running out of memory while starting a program.
//
// A program may ask for more than the machine has, and on several CPUs at once the frames may
// run out half-way through a load that looked affordable when it began. Either way the answer is
// -ENOMEM with every frame given back, never a panic. To reach every point where a load can run
// out, the check takes every free frame, then gives them back one at a time: with k frames free,
// for k = 0, 1, 2, ..., it makes an address space and loads `crash` into it, and frees it. The
// first attempts fail on the PML4, the next ones on the image (refused up front, by the count of
// pages the loader asks for), the last ones on a page table the count does not include; the
// first k that fits ends the loop. Every failure must be -ENOMEM and leave exactly k frames free.
#include <stdbool.h>
#include <stdint.h>
#include "arch/x86_64/paging.h"
#include "core/console.h"
#include "core/format.h"
#include "core/ktest.h"
#include "core/modules.h"
#include "core/physmem.h"
#include "core/program_loader.h"
#include "syscall/abi.h"

#define MAX_FREE_FRAMES_TRIED 512 // crash needs a few dozen: far more than enough

// Takes every free frame, chained through their first words (no other memory is needed);
// returns the chain's head and the count in *count.
static uint64_t take_every_frame(uint64_t *count)
{
    uint64_t head = FRAME_NONE, frame;
    *count = 0;
    while ((frame = frame_try_get()) != FRAME_NONE) {
        *(uint64_t *)phys_to_virt(frame) = head;
        head = frame;
        ++*count;
    }
    return head;
}

// Gives back up to n frames from the chain; returns what is left of it.
static uint64_t give_back(uint64_t head, uint64_t n)
{
    for (; n > 0 && head != FRAME_NONE; n--) {
        uint64_t next = *(uint64_t *)phys_to_virt(head);
        frame_put(head);
        head = next;
    }
    return head;
}

// One attempt to load `m` into a fresh address space, which is then freed; 0 or -ENOMEM/-ENOEXEC.
static int load_once(const struct module *m)
{
    uint64_t cr3 = paging_new_address_space();
    if (cr3 == FRAME_NONE)
        return -ENOMEM;
    uint64_t entry;
    char why[128];
    int err = program_load(cr3, phys_to_virt(m->phys), m->size, &entry, why, sizeof why);
    paging_free_address_space(cr3);
    return err;
}

// paging_map into an empty address space needs three tables (PDPT, PD, PT) under the PML4: with
// none free, then one more at a time, it must answer PAGING_NO_FRAME three times, keep the
// tables it made, and map the page once the third one can be made. (The loads below never get
// that far: the loader's up-front count leaves room for its tables when only one CPU loads.)
static void map_without_a_frame_for_a_table(void)
{
    uint64_t free_before = frames_free(), taken;
    uint64_t cr3 = paging_new_address_space(); // made while frames are free
    uint64_t chain = take_every_frame(&taken);
    uint64_t page = chain; // any frame: it is mapped and unmapped again, never used
    int answers[4];
    for (int i = 0; i < 4; i++) {
        answers[i] = paging_map(cr3, USER_IMAGE_BASE, page, PTE_USER | PTE_NX);
        if (answers[i] != 0)
            chain = give_back(chain, 1);
    }
    bool unmapped = paging_unmap(cr3, USER_IMAGE_BASE, NULL) == 0; // the page is the chain's, not the address space's
    paging_free_address_space(cr3);                                // the PML4 and the three tables
    give_back(chain, UINT64_MAX);
    char detail[128];
    format_buf(detail, sizeof detail, "answers %d %d %d %d (want %d %d %d 0), free %llu -> %llu", answers[0],
               answers[1], answers[2], answers[3], PAGING_NO_FRAME, PAGING_NO_FRAME, PAGING_NO_FRAME,
               (unsigned long long)free_before, (unsigned long long)frames_free());
    ktest_check(cr3 != FRAME_NONE && answers[0] == PAGING_NO_FRAME && answers[1] == PAGING_NO_FRAME &&
                    answers[2] == PAGING_NO_FRAME && answers[3] == 0 && unmapped && frames_free() == free_before,
                "paging_map_without_a_frame_for_a_table_answers_no_frame", detail);
}

// Loads of `crash` with 0, 1, 2, ... frames free, until one fits.
static void loads_with_too_few_frames(void)
{
    const struct module *m = module_find("crash");
    if (!m) {
        ktest_check(false, "a_load_that_runs_out_of_frames_is_enomem_and_gives_them_back", "no module 'crash'");
        return;
    }
    uint64_t free_before = frames_free(), taken;
    uint64_t chain = take_every_frame(&taken);

    uint64_t k = 0, wrong_answers = 0, leaks = 0;
    bool loaded = false;
    for (; k <= MAX_FREE_FRAMES_TRIED && !loaded; k++) {
        int err = load_once(m); // with k frames free
        loaded = err == 0;
        wrong_answers += err != 0 && err != -ENOMEM;
        leaks += frames_free() != k;
        if (!loaded)
            chain = give_back(chain, 1);
    }
    give_back(chain, UINT64_MAX);

    if (loaded)
        kprintf("[ktest] out of memory: 'crash' loads with %llu free frames; %llu attempts with fewer were -ENOMEM\n",
                (unsigned long long)(k - 1), (unsigned long long)(k - 1));
    char detail[160];
    format_buf(detail, sizeof detail,
               "%s after %llu attempts, %llu answer(s) not -ENOMEM, %llu attempt(s) kept frames, free %llu -> %llu",
               loaded ? "loaded" : "never loaded", (unsigned long long)k, (unsigned long long)wrong_answers,
               (unsigned long long)leaks, (unsigned long long)free_before, (unsigned long long)frames_free());
    ktest_check(loaded && k > 1 && wrong_answers == 0 && leaks == 0 && frames_free() == free_before &&
                    taken == free_before,
                "a_load_that_runs_out_of_frames_is_enomem_and_gives_them_back", detail);
}

void ktest_out_of_memory(void)
{
    map_without_a_frame_for_a_table();
    loads_with_too_few_frames();
}
