// SPDX-License-Identifier: MIT
// 16550 UART driver for COM1, polled: the log must work before interrupts and after a panic.
#include "arch/x86_64/serial.h"
#include "arch/x86_64/io.h"

// Programs COM1 for 115200 baud, 8 data bits, no parity, one stop bit, FIFOs on, no interrupts.
void serial_init(void)
{
    outb(COM1 + UART_IER, 0x00); // polled: no UART interrupts
    outb(COM1 + UART_LCR, 0x80); // DLAB on to reach the divisor
    outb(COM1 + UART_DATA, 1);   // 115200 / 1 = 115200 baud
    outb(COM1 + UART_IER, 0);
    outb(COM1 + UART_LCR, 0x03); // 8N1, DLAB off
    outb(COM1 + UART_FCR, 0xc7); // enable and clear FIFOs, 14-byte threshold
    outb(COM1 + UART_MCR, 0x03); // DTR and RTS: some real UARTs send nothing without them
}

// Sends one byte once the transmitter can take it.
static void serial_putc(char c)
{
    // A bounded wait: a missing UART (0xff on the bus reads as "ready") must not hang the kernel.
    for (int spin = 0; spin < 100000 && !(inb(COM1 + UART_LSR) & UART_LSR_THRE); spin++)
        ;
    outb(COM1 + UART_DATA, (unsigned char)c);
}

// Sends n bytes, turning "\n" into "\r\n" for terminals.
void serial_write(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\n')
            serial_putc('\r');
        serial_putc(s[i]);
    }
}
