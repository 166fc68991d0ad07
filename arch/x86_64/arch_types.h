/*
 * x86-64 types that portable code sees only by name or through kernel/arch.h:
 * the trap frame (user registers on kernel entry) and the saved kernel
 * context of a thread. Host tests resolve "arch_types.h" to tests/host/.
 */
#pragma once
#include <stdint.h>

/* Pushed by arch_entry.S on every entry from user or kernel: interrupts,
 * exceptions and SYSCALL all build this same frame. */
struct arch_regs {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error;
    uint64_t rip, cs, rflags, rsp, ss;
};

/* A switched-out kernel thread: its stack pointer (callee-saved registers
 * are on that stack), plus the user FPU/SSE state (fxsave area). */
struct arch_ctx {
    uint64_t rsp;
    uint64_t fs_base;
    uint8_t fpu[512] __attribute__((aligned(16)));
};

#define ARCH_USER_TOP   0x0000800000000000ull  /* first non-user address */
#define ARCH_VECTOR_SYSCALL 0x100               /* trap-frame vector for SYSCALL */
/* For a SYSCALL frame, error holds the call number (rax on entry), and the
 * SYSCALL instruction is ARCH_SYSCALL_INSN_LEN bytes before rip. */
#define ARCH_SYSCALL_INSN_LEN 2
