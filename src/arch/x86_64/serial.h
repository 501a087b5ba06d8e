// SPDX-License-Identifier: MIT
// The 16550 UART on COM1: where the kernel's log goes.
#ifndef LSTAR_ARCH_SERIAL_H
#define LSTAR_ARCH_SERIAL_H
#include <stddef.h>

// COM1's I/O port and the 16550's registers as offsets from it; the boot code's messages
// (boot/entry32.asm) use them too.
#define COM1 0x3f8
#define UART_DATA 0        // transmit/receive buffer (DLAB=0), divisor low (DLAB=1)
#define UART_IER 1         // interrupt enable (DLAB=0), divisor high (DLAB=1)
#define UART_FCR 2         // FIFO control
#define UART_LCR 3         // line control; bit 7 = DLAB
#define UART_MCR 4         // modem control
#define UART_LSR 5         // line status
#define UART_LSR_THRE 0x20 // transmit holding register empty

void serial_init(void);
void serial_write(const char *s, size_t n);

#endif
