// SPDX-License-Identifier: MIT
// QEMU's fw_cfg device: lets the host hand the kernel extra command-line options.
#ifndef LSTAR_ARCH_FW_CFG_H
#define LSTAR_ARCH_FW_CFG_H
#include <stddef.h>

int fw_cfg_read_file(const char *name, char *buf, size_t size);

#endif
