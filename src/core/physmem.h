// SPDX-License-Identifier: MIT
// Physical memory: the frame allocator, seeded from the multiboot2 memory map.
#ifndef LSTAR_CORE_PHYSMEM_H
#define LSTAR_CORE_PHYSMEM_H
#include <stdint.h>
#include "core/frame_alloc.h"

struct mb2_info;

uint64_t physmem_init(const struct mb2_info *info, uint64_t info_phys);
uint64_t frame_get(void);
uint64_t frame_get_zeroed(void);
uint64_t frame_try_get(void);
uint64_t frame_try_get_zeroed(void);
uint64_t frame_try_get_pair_zeroed(void);
void frame_put(uint64_t phys);
uint64_t frames_free(void);
struct frame_alloc *physmem_allocator(void);

#endif
