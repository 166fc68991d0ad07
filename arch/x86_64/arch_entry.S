/*
 * Kernel entry and exit: interrupt/exception stubs, the SYSCALL entry, the
 * common return to user mode (SYSRET when possible, IRETQ otherwise), thread
 * start trampolines, the stack switch, and the user-copy routines whose
 * faults are recovered through the exception table (.ex_table).
 * Every entry builds a struct arch_regs (arch_types.h) on the kernel stack.
 */
#define F_VECTOR 120
#define F_RIP    136
#define F_CS     144
#define F_RFLAGS 152
#define F_RSP    160
#define FRAME    176

.macro PUSH_REGS
    pushq %rax
    pushq %rbx
    pushq %rcx
    pushq %rdx
    pushq %rsi
    pushq %rdi
    pushq %rbp
    pushq %r8
    pushq %r9
    pushq %r10
    pushq %r11
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
.endm

.macro POP_REGS
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %r11
    popq %r10
    popq %r9
    popq %r8
    popq %rbp
    popq %rdi
    popq %rsi
    popq %rdx
    popq %rcx
    popq %rbx
    popq %rax
.endm

    .text
/* 256 stubs of 16 bytes each; vectors with a CPU error code skip the push. */
    .align 16
    .globl arch_isr_table
arch_isr_table:
    .set vec, 0
    .rept 256
    .align 16
    .if (vec == 8) || (vec >= 10 && vec <= 14) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30)
    .else
    pushq $0
    .endif
    pushq $vec
    jmp isr_common
    .set vec, vec + 1
    .endr

isr_common:
    testb $3, 24(%rsp)             /* cs of the interrupted context */
    jz 1f
    swapgs
1:  PUSH_REGS
    cld
    movq %rsp, %rdi
    call arch_trap
    jmp arch_trap_return

    .globl arch_trap_return
arch_trap_return:
    cli
    POP_REGS
    addq $16, %rsp                 /* vector, error */
    testb $3, 8(%rsp)
    jz 2f
    swapgs
2:  iretq

/* SYSCALL: rcx = user rip, r11 = user rflags, interrupts masked by SFMASK. */
    .globl arch_syscall_entry
arch_syscall_entry:
    swapgs
    movq %rsp, %gs:8
    movq %gs:0, %rsp
    pushq $0x1b                    /* ss */
    pushq %gs:8                    /* rsp */
    pushq %r11                     /* rflags */
    pushq $0x23                    /* cs */
    pushq %rcx                     /* rip */
    pushq %rax                     /* error slot: the call number, for restarts */
    pushq $0x100                   /* vector: ARCH_VECTOR_SYSCALL */
    PUSH_REGS
    cld
    movq %rsp, %rdi
    sti
    call arch_syscall
    /* fall through */
    .globl arch_user_exit
arch_user_exit:
    cli
    movq F_RIP(%rsp), %rcx
    movabsq $0x00007ffffffff000, %r11
    cmpq %r11, %rcx
    jae arch_trap_return           /* non-canonical-adjacent rip: IRETQ is safe */
    cmpq $0x23, F_CS(%rsp)
    jne arch_trap_return
    cmpq $0x100, F_VECTOR(%rsp)    /* rcx/r11 must survive (sigreturn): IRETQ */
    jne arch_trap_return
    POP_REGS                       /* rcx and r11 are reloaded below */
    addq $16, %rsp
    movq 0(%rsp), %rcx             /* rip */
    movq 16(%rsp), %r11            /* rflags */
    movq 24(%rsp), %rsp            /* user rsp; interrupts are off */
    swapgs
    sysretq

/* First run of a kernel thread: r12 = fn, r13 = arg (from arch_ctx_init). */
    .globl arch_thread_start
arch_thread_start:
    call sched_thread_entry        /* drops the run-queue lock, enables interrupts */
    movq %r13, %rdi
    call *%r12
    call sched_thread_exit
    ud2

/* First run of a user thread: the trap frame is right above us. */
    .globl arch_user_return
arch_user_return:
    call sched_thread_entry
    movq %rsp, %rdi
    call arch_user_enter           /* signals, then back to user */
    jmp arch_user_exit

/* arch_switch_stacks(uint64_t *from_rsp, uint64_t to_rsp) */
    .globl arch_switch_stacks
arch_switch_stacks:
    pushq %rbx
    pushq %rbp
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbp
    popq %rbx
    ret

/* long arch_copy_user(void *dst, const void *src, size_t n): 0 or -EFAULT. */
    .globl arch_copy_user
arch_copy_user:
    movq %rdx, %rcx
copy_insn:
    rep movsb
    xorl %eax, %eax
    ret
copy_fault:
    movq $-14, %rax
    ret

/* long arch_copy_str(char *dst, const char *usrc, size_t max): length, -EFAULT,
 * or -ENAMETOOLONG. */
    .globl arch_copy_str
arch_copy_str:
    xorl %eax, %eax
3:  cmpq %rdx, %rax
    jae 4f
str_insn:
    movb (%rsi,%rax), %cl
    movb %cl, (%rdi,%rax)
    testb %cl, %cl
    jz 5f
    incq %rax
    jmp 3b
4:  movq $-36, %rax
5:  ret
str_fault:
    movq $-14, %rax
    ret

    .section .ex_table, "a"
    .quad copy_insn, copy_fault
    .quad str_insn, str_fault

    .section .note.GNU-stack, "", @progbits
