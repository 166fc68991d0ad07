/*
 * Host stand-in for arch/x86_64/arch_types.h: host unit tests resolve
 * "arch_types.h" here (mk/check.mk puts tests/host on the include path).
 * The structs keep the x86-64 field names so portable code that touches
 * them compiles; nothing here runs on a real CPU.
 */
#pragma once
#include <stdint.h>

struct arch_regs {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error;
    uint64_t rip, cs, rflags, rsp, ss;
};

struct arch_ctx {
    uint64_t rsp;
    uint64_t fs_base;
    uint8_t fpu[512] __attribute__((aligned(16)));
};

#define ARCH_USER_TOP       0x0000800000000000ull
#define ARCH_VECTOR_SYSCALL 0x100
