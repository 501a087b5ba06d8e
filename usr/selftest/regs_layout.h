// SPDX-License-Identifier: MIT
// Byte offsets in struct regs (regs.h), read by C and, as generated/regs_layout.inc, by regs.asm.
// regs.h proves each one against offsetof(); keep this file to plain #define lines.
#define REGS_RAX 0
#define REGS_RBX 8
#define REGS_RCX 16
#define REGS_RDX 24
#define REGS_RSI 32
#define REGS_RDI 40
#define REGS_RBP 48
#define REGS_R8 56
#define REGS_R9 64
#define REGS_R10 72
#define REGS_R11 80
#define REGS_R12 88
#define REGS_R13 96
#define REGS_R14 104
#define REGS_R15 112
#define REGS_RFLAGS 120
#define REGS_RFLAGS_BEFORE 128
#define REGS_RSP_BEFORE 136
#define REGS_RSP 144
#define REGS_SIZE 152
