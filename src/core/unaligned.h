// SPDX-License-Identifier: MIT
// Little-endian loads from byte buffers that may not be aligned (file images, boot blocks).
#ifndef LSTAR_CORE_UNALIGNED_H
#define LSTAR_CORE_UNALIGNED_H
#include <stdint.h>
#include "core/string.h"

// Reads a little-endian u16 at p without assuming alignment.
static inline uint16_t load_le16(const unsigned char *p)
{
    uint16_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

// Reads a little-endian u32 at p without assuming alignment.
static inline uint32_t load_le32(const unsigned char *p)
{
    uint32_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

// Reads a little-endian u64 at p without assuming alignment.
static inline uint64_t load_le64(const unsigned char *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

#endif
