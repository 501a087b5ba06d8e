; SPDX-License-Identifier: MIT
; hog's memory: 8 GiB of zero-filled data, twice the RAM lstar's frame allocator can manage
; (PHYSMEM_MAX), so no machine can load it. It goes in .lbss, the psABI's section for large
; data, which user.ld places after every other section: the libc's .bss stays within the 2 GiB
; that -mcmodel=small (ring 3's model) addresses, and only hog_memory's first byte is named.
bits 64
section .lbss nobits alloc write align=4096
global hog_memory
hog_memory:
    resb 0x200000000
