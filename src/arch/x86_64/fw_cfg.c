// SPDX-License-Identifier: MIT
// Reads a named fw_cfg file through the legacy I/O ports (QEMU docs/specs/fw_cfg.rst).
//
// The test suite boots the very ISO users boot and picks what runs by passing
//   -fw_cfg name=opt/lstar/cmdline,string="run=selftest"
// which kmain appends to GRUB's command line. Off QEMU the signature check fails: nothing read.
#include "arch/x86_64/fw_cfg.h"
#include "arch/x86_64/io.h"
#include "core/string.h"

#define FW_CFG_SELECTOR 0x510
#define FW_CFG_DATA 0x511
#define FW_CFG_SIGNATURE 0x0000
#define FW_CFG_FILE_DIR 0x0019

// Reads n bytes from the selected item.
static void fw_cfg_read(void *buf, size_t n)
{
    for (size_t i = 0; i < n; i++)
        ((char *)buf)[i] = (char)inb(FW_CFG_DATA);
}

// Converts a big-endian 32-bit value (fw_cfg's directory is big-endian).
static uint32_t be32(uint32_t v) { return __builtin_bswap32(v); }

// Copies the file `name` into buf (NUL-terminated); returns its length, or -1 if absent.
int fw_cfg_read_file(const char *name, char *buf, size_t size)
{
    char sig[4];
    outw(FW_CFG_SELECTOR, FW_CFG_SIGNATURE);
    fw_cfg_read(sig, 4);
    if (memcmp(sig, "QEMU", 4) != 0)
        return -1;
    uint32_t count;
    outw(FW_CFG_SELECTOR, FW_CFG_FILE_DIR);
    fw_cfg_read(&count, 4);
    count = be32(count);
    for (uint32_t i = 0; i < count && i < 4096; i++) {
        struct {
            uint32_t size;
            uint16_t select;
            uint16_t reserved;
            char name[56];
        } entry;
        fw_cfg_read(&entry, sizeof entry);
        entry.name[55] = 0;
        if (strcmp(entry.name, name) != 0)
            continue;
        uint32_t len = be32(entry.size);
        if (len >= size)
            len = (uint32_t)size - 1;
        outw(FW_CFG_SELECTOR, __builtin_bswap16(entry.select));
        fw_cfg_read(buf, len);
        buf[len] = 0;
        return (int)len;
    }
    return -1;
}
