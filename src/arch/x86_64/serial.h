// The 16550 UART on COM1: where the kernel's log goes.
#ifndef LSTAR_ARCH_SERIAL_H
#define LSTAR_ARCH_SERIAL_H
#include <stddef.h>

void serial_init(void);
void serial_write(const char *s, size_t n);

#endif
