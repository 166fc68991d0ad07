# gdb setup for Wisp (scripts/gdb.sh loads it after build/wisp.elf).
# The kernel is entered in 32-bit mode (multiboot) and linked in the
# higher half, so: tell gdb the target is x86-64 before connecting, and
# use a hardware breakpoint, which needs no code at the address yet.
set pagination off
set confirm off
set print pretty on
set disassembly-flavor intel
set architecture i386:x86-64
target remote localhost:1234
hbreak kernel_main
continue
