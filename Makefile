# Wisp top-level Makefile. Each area keeps its rules in mk/<area>.mk; this
# file holds only what they share. `make help` lists the targets.

BUILD     := build
KERNEL    := $(BUILD)/wisp.elf
INITRD    := $(BUILD)/initrd.cpio
ISO       := $(BUILD)/wisp.iso
EFI_IMG   := $(BUILD)/wisp-efi.img
ROOTFS    := $(BUILD)/rootfs

CC        ?= cc
HOSTCC    ?= cc
MUSLCC    ?= musl-gcc
QEMU      ?= qemu-system-x86_64
WISP_VERSION := 0.1

.DEFAULT_GOAL := all
.PHONY: all help
all: kernel user

help:
	@echo "make            build the kernel ($(KERNEL)) and user programs ($(INITRD))"
	@echo "make run        boot a 3-node cluster, node 0's shell on this terminal (Ctrl-A X or Ctrl-] leaves)"
	@echo "make run1       boot one node, its shell on this terminal (Ctrl-A X leaves)"
	@echo "                (/ is the shared volume; WISP_FSROOT=off boots the full initrd as /)"
	@echo "make test       host unit tests + QEMU tests; ends with 'N passed, N failed'"
	@echo "make check      host unit tests only (ASan/UBSan)"
	@echo "make iso        GRUB (multiboot2, BIOS) hybrid image $(ISO)"
	@echo "make efi        UEFI FAT image $(EFI_IMG) with Wisp's GNU-EFI loader"
	@echo "make gdb        QEMU waiting for gdb, symbols loaded"
	@echo "make bench      benchmarks beside a Linux guest; CSV in $(BUILD)/bench/"
	@echo "make compile_commands.json"

# mk/net.mk adds the lwIP objects to the kernel (NET_KOBJ); it must come first.
include $(wildcard mk/net.mk)
include mk/kernel.mk
include $(wildcard mk/user.mk mk/boot.mk mk/check.mk mk/test.mk mk/bench.mk mk/tools.mk)
include $(wildcard mk/wfs.mk)
include $(wildcard mk/rootfs.mk)
