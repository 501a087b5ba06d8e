// SPDX-License-Identifier: MIT
// Port I/O: the in/out instructions, for the serial port, the PIC, the PIT and fw_cfg.
#ifndef LSTAR_ARCH_IO_H
#define LSTAR_ARCH_IO_H
#include <stdint.h>

// Writes one byte to an I/O port.
static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(port)); }
// Writes a 16-bit word to an I/O port.
static inline void outw(uint16_t port, uint16_t v) { __asm__ volatile("outw %0, %1" ::"a"(v), "Nd"(port)); }
// Writes a 32-bit word to an I/O port.
static inline void outl(uint16_t port, uint32_t v) { __asm__ volatile("outl %0, %1" ::"a"(v), "Nd"(port)); }
// Reads one byte from an I/O port.
static inline uint8_t inb(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
// Reads a 16-bit word from an I/O port.
static inline uint16_t inw(uint16_t port)
{
    uint16_t v;
    __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

#endif
