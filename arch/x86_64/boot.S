/*
 * First instructions. Three ways in, one way on:
 *  - GRUB (multiboot2) and QEMU -kernel (multiboot1, a.out kludge) enter
 *    _start32 in 32-bit protected mode with eax = magic, ebx = info;
 *  - Wisp's EFI loader enters entry64_efi in 64-bit mode with
 *    rdi = BOOTINFO_MAGIC, rsi = struct bootinfo (boot/bootinfo.h).
 * Both install the static boot page tables below (identity and direct map
 * of the first 4 GiB, kernel image at -2 GiB), move to the higher half and
 * call arch_boot64(magic, info) (arch_boot.c), which never returns.
 */
#define KERNEL_VIRT 0xffffffff80000000
#define MB1_MAGIC   0x1BADB002
#define MB1_FLAGS   0x00010002      /* memory info + a.out kludge addresses */
#define MB2_MAGIC   0xE85250D6

    .section .boot.header, "ax"
    .code32
    .align 8
mb1_header:
    .long MB1_MAGIC
    .long MB1_FLAGS
    .long -(MB1_MAGIC + MB1_FLAGS)
    .long mb1_header                 /* header_addr */
    .long _kernel_phys_start         /* load_addr */
    .long _kernel_load_end           /* load_end_addr */
    .long _kernel_phys_end           /* bss_end_addr */
    .long _start32                   /* entry_addr */

    .align 8
mb2_header:
    .long MB2_MAGIC
    .long 0                          /* architecture: i386 protected mode */
    .long mb2_header_end - mb2_header
    .long -(MB2_MAGIC + 0 + (mb2_header_end - mb2_header))
    .align 8
    .word 0, 0                       /* end tag */
    .long 8
mb2_header_end:

    .align 8
efi_header:                          /* struct boot_efi_hdr */
    .quad 0x3149464550534957         /* "WISPEFI1" */
    .quad entry64_efi

    .section .boot.text, "ax"
    .code32
    .globl _start32
_start32:
    cli
    cld
    movl %eax, %edi                  /* magic: first argument of arch_boot64 */
    movl %ebx, %esi                  /* info: second */
    movl $boot_stack_top, %esp

    movl %cr4, %eax
    orl $0x20, %eax                  /* PAE */
    movl %eax, %cr4
    movl $boot_pml4, %eax
    movl %eax, %cr3
    movl $0xC0000080, %ecx           /* EFER: long mode, no-execute */
    rdmsr
    orl $0x900, %eax
    wrmsr
    movl %cr0, %eax
    orl $0x80010001, %eax            /* paging, write-protect, protected mode */
    movl %eax, %cr0
    lgdt boot_gdt_ptr
    ljmp $0x08, $long_entry

    .code64
long_entry:
    movw $0x10, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %ss
    xorl %eax, %eax
    movw %ax, %fs
    movw %ax, %gs
    movl %edi, %edi                  /* zero-extend magic and info */
    movl %esi, %esi
    jmp to_higher_half

    .globl entry64_efi
entry64_efi:
    cli
    cld
    movq $boot_pml4, %rax
    movq %rax, %cr3
    movl $0xC0000080, %ecx           /* make sure NX is on */
    rdmsr
    orl $0x800, %eax
    wrmsr
    lgdt boot_gdt_ptr
    movq $boot_stack_top, %rsp
    pushq $0x08
    leaq 1f(%rip), %rax
    pushq %rax
    lretq
1:  movw $0x10, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %ss
    xorl %eax, %eax
    movw %ax, %fs
    movw %ax, %gs

to_higher_half:
    movabsq $KERNEL_VIRT, %rax
    addq %rax, %rsp
    movabsq $arch_boot64, %rax
    xorl %ebp, %ebp
    call *%rax
2:  hlt
    jmp 2b

    .section .boot.data, "aw"
    .align 16
boot_gdt:
    .quad 0
    .quad 0x00af9a000000ffff         /* 0x08: 64-bit kernel code */
    .quad 0x00cf92000000ffff         /* 0x10: kernel data */
boot_gdt_end:
boot_gdt_ptr:
    .word boot_gdt_end - boot_gdt - 1
    .quad boot_gdt

    .align 4096
    .globl boot_pml4, boot_pdpt_high
boot_pml4:
    .quad boot_pdpt_low + 3          /* identity, first 4 GiB */
    .fill 255, 8, 0
    .quad boot_pdpt_low + 3          /* 0xffff800000000000: direct map */
    .fill 254, 8, 0
    .quad boot_pdpt_high + 3         /* 0xffffff8000000000 */
boot_pdpt_low:
    .quad boot_pd + 3
    .quad boot_pd + 0x1000 + 3
    .quad boot_pd + 0x2000 + 3
    .quad boot_pd + 0x3000 + 3
    .fill 508, 8, 0
boot_pdpt_high:
    .fill 510, 8, 0
    .quad boot_pd + 3                /* 0xffffffff80000000 -> phys 0 */
    .quad boot_pd + 0x1000 + 3
boot_pd:                             /* 2048 x 2 MiB pages = 4 GiB */
    .set i, 0
    .rept 2048
    .quad (i << 21) | 0x83
    .set i, i + 1
    .endr

    .align 16
boot_stack:
    .fill 16384, 1, 0
boot_stack_top:

    .section .note.GNU-stack, "", @progbits
