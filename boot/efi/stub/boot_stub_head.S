/*
 * Stand-in kernel entry points for boot-path tests (never the real kernel):
 * a multiboot2 header and 32-bit entry for GRUB that prints the command
 * line and module strings GRUB passed, and a struct boot_efi_hdr whose
 * entry64 goes to stub_main64 (boot_stub.c) for the EFI loader.
 */
#define KOFF 0xffffffff80000000
#define COM1 0x3f8

    .section .stub_head, "ax"
    .code32
    .balign 8
mb2_header:
    .long 0xe85250d6                    /* multiboot2 magic */
    .long 0                             /* i386 */
    .long mb2_end - mb2_header
    .long -(0xe85250d6 + (mb2_end - mb2_header))
    .short 3, 0                         /* entry address tag: physical */
    .long 12
    .long start32 - KOFF
    .long 0                             /* pad to 8 */
    .short 0, 0                         /* end tag */
    .long 8
mb2_end:

    .balign 8
efi_header:
    .quad 0x3149464550534957            /* BOOT_EFI_HDR_MAGIC "WISPEFI1" */
    .quad start64 - KOFF

/* %esi = string (physical), printed on COM1. Clobbers eax, edx, esi. */
puts32:
    movb (%esi), %al
    testb %al, %al
    jz 2f
    movw $COM1 + 5, %dx
1:  inb %dx, %al
    testb $0x20, %al
    jz 1b
    movb (%esi), %al
    movw $COM1, %dx
    outb %al, %dx
    incl %esi
    jmp puts32
2:  ret

    .globl start32
start32:
    movl %eax, %edi
    cmpl $0x36d76289, %edi
    jne fail32
    leal 8(%ebx), %ebx                  /* first tag */
tag:
    movl (%ebx), %ecx                   /* type */
    testl %ecx, %ecx
    jz done32
    cmpl $1, %ecx
    jne 3f
    movl $msg_cmdline - KOFF, %esi
    call puts32
    leal 8(%ebx), %esi
    call puts32
    movl $msg_close - KOFF, %esi
    call puts32
3:  cmpl $3, %ecx                       /* module: start, end, string */
    jne 4f
    movl $msg_module - KOFF, %esi
    call puts32
    leal 16(%ebx), %esi
    call puts32
    movl $msg_close - KOFF, %esi
    call puts32
4:  movl 4(%ebx), %ecx                  /* size, then align up to 8 */
    addl $7, %ecx
    andl $~7, %ecx
    addl %ecx, %ebx
    jmp tag
done32:
    movl $msg_ok32 - KOFF, %esi
    call puts32
    xorl %eax, %eax                     /* isa-debug-exit value 0: QEMU exits 1 */
    jmp exit32
fail32:
    movl $msg_bad32 - KOFF, %esi
    call puts32
    movl $1, %eax
exit32:
    movw $0xf4, %dx
    outl %eax, %dx
    cli
5:  hlt
    jmp 5b

msg_cmdline: .asciz "stub: multiboot2 cmdline=["
msg_module:  .asciz "stub: multiboot2 module=["
msg_close:   .asciz "]\n"
msg_ok32:    .asciz "stub: multiboot2 OK\n"
msg_bad32:   .asciz "stub: multiboot2 FAIL bad magic in eax\n"

    .code64
start64:
    jmp stub_main64                     /* rip-relative: runs at its physical address */

    .section .note.GNU-stack, "", @progbits
