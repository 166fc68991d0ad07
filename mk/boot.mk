# Boot images: `make iso` (GRUB 2, multiboot2, BIOS+UEFI hybrid ISO) and
# `make efi` (FAT image with Wisp's own GNU-EFI loader). The kernel and the
# initrd come from mk/kernel.mk and mk/user.mk. The command line appended
# after console=ttyS0 is WISP_CMDLINE, e.g. make iso WISP_CMDLINE="node=1",
# then rpckey=KEY: the cluster's RPC key (docs/rpc.md) from RPCKEY=FILE (32
# hex digits), or else from $(BUILD)/cluster.key, made once (mode 0600).
# Tests build their own images with boot/mkiso.sh and boot/mkefi.sh.
# `make boot-stub-test` checks both boot paths with a stand-in kernel.

WISP_CMDLINE ?=
export WISP_CMDLINE
RPCKEY ?=
RPCKEY_FILE := $(if $(RPCKEY),$(RPCKEY),$(BUILD)/cluster.key)

BOOT_EFI_DIR  := $(BUILD)/efi
BOOT_EFI_APP  := $(BOOT_EFI_DIR)/BOOTX64.EFI
BOOT_EFI_SRC  := $(wildcard boot/efi/*.c)
BOOT_EFI_OBJ  := $(patsubst boot/efi/%.c,$(BOOT_EFI_DIR)/%.o,$(BOOT_EFI_SRC))
BOOT_STUB     := $(BOOT_EFI_DIR)/stub/wisp-stub.elf

# GNU-EFI (Debian's gnu-efi package): headers, crt0, linker script, libs.
GNUEFI_INC    := /usr/include/efi
GNUEFI_LIB    := /usr/lib
GNUEFI_CRT0   := $(GNUEFI_LIB)/crt0-efi-x86_64.o
GNUEFI_LDS    := $(GNUEFI_LIB)/elf_x86_64_efi.lds

BOOT_EFI_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Wno-unused-parameter \
	-fpic -fshort-wchar -mno-red-zone -maccumulate-outgoing-args -DEFI_FUNCTION_WRAPPER \
	-ffreestanding -fno-stack-protector -fno-strict-aliasing \
	-I. -I$(GNUEFI_INC) -I$(GNUEFI_INC)/x86_64 -MMD -MP
BOOT_EFI_LDFLAGS := -nostdlib -znocombreloc -shared -Bsymbolic -T $(GNUEFI_LDS) -L$(GNUEFI_LIB)
BOOT_EFI_SECTIONS := -j .text -j .sdata -j .data -j .dynamic -j .dynsym \
	-j .rel -j .rela -j '.rel.*' -j '.rela.*' -j .reloc

BOOT_STUB_CFLAGS := -std=gnu11 -O2 -Wall -Wextra -ffreestanding -fpie -fno-stack-protector \
	-mno-red-zone -mgeneral-regs-only -fno-asynchronous-unwind-tables -I.

.PHONY: iso efi efi-loader boot-stub boot-stub-test

iso: $(ISO)
efi: $(EFI_IMG)
efi-loader: $(BOOT_EFI_APP)
boot-stub: $(BOOT_STUB)

# Rebuilt whenever WISP_CMDLINE changes: the stamp is rewritten only then.
$(BUILD)/boot/cmdline.stamp: FORCE
	@mkdir -p $(dir $@)
	@printf '%s\n' "$$WISP_CMDLINE" "$(RPCKEY_FILE)" | cmp -s - $@ || \
		printf '%s\n' "$$WISP_CMDLINE" "$(RPCKEY_FILE)" > $@

# Made once; every image built without RPCKEY= carries this key.
$(BUILD)/cluster.key:
	@mkdir -p $(dir $@)
	@umask 077 && od -An -N16 -tx1 /dev/urandom | tr -d ' \n' > $@.tmp && echo >> $@.tmp
	@mv -f $@.tmp $@
	@echo "made $@: the RPC key of images built without RPCKEY=FILE"

# Sets k to the key in $(RPCKEY_FILE), lowercase, or fails.
BOOT_RPCKEY = k=$$(tr -d '[:space:]' < $(RPCKEY_FILE) | tr A-F a-f) && \
	{ printf '%s' "$$k" | grep -Eqx '[0-9a-f]{32}' || \
	  { echo "$(RPCKEY_FILE): not 32 hex digits (RPCKEY=FILE)" >&2; exit 1; }; } && \
	echo "$@: rpckey= from $(RPCKEY_FILE)"

$(ISO): $(KERNEL) $(INITRD) boot/mkiso.sh boot/grub/grub.cfg $(BUILD)/boot/cmdline.stamp \
		$(RPCKEY_FILE)
	@$(BOOT_RPCKEY) && WISP_KERNEL=$(KERNEL) WISP_INITRD=$(INITRD) \
		boot/mkiso.sh $@ "$${WISP_CMDLINE:+$$WISP_CMDLINE }rpckey=$$k"

$(EFI_IMG): $(KERNEL) $(INITRD) $(BOOT_EFI_APP) boot/mkefi.sh $(BUILD)/boot/cmdline.stamp \
		$(RPCKEY_FILE)
	@$(BOOT_RPCKEY) && WISP_KERNEL=$(KERNEL) WISP_INITRD=$(INITRD) \
		WISP_EFI_APP=$(BOOT_EFI_APP) boot/mkefi.sh $@ "$${WISP_CMDLINE:+$$WISP_CMDLINE }rpckey=$$k"

$(BOOT_EFI_DIR)/%.o: boot/efi/%.c
	@mkdir -p $(dir $@)
	$(CC) $(BOOT_EFI_CFLAGS) -c $< -o $@

$(BOOT_EFI_DIR)/bootx64.so: $(BOOT_EFI_OBJ)
	ld $(BOOT_EFI_LDFLAGS) $(GNUEFI_CRT0) $(BOOT_EFI_OBJ) -o $@ -lefi -lgnuefi

$(BOOT_EFI_APP): $(BOOT_EFI_DIR)/bootx64.so
	objcopy $(BOOT_EFI_SECTIONS) --target efi-app-x86_64 --subsystem=10 $< $@

$(BOOT_STUB): boot/efi/stub/boot_stub_head.S boot/efi/stub/boot_stub.c boot/efi/stub/boot_stub.ld \
		boot/bootinfo.h
	@mkdir -p $(dir $@)
	$(CC) $(BOOT_STUB_CFLAGS) -c boot/efi/stub/boot_stub_head.S -o $(dir $@)head.o
	$(CC) $(BOOT_STUB_CFLAGS) -c boot/efi/stub/boot_stub.c -o $(dir $@)stub.o
	ld -nostdlib -static -z max-page-size=0x1000 --no-warn-rwx-segments \
		-T boot/efi/stub/boot_stub.ld -o $@ $(dir $@)head.o $(dir $@)stub.o

boot-stub-test: $(BOOT_EFI_APP) $(BOOT_STUB)
	WISP_BOOT_STUB=1 tests/qemu/boot_iso.sh
	WISP_BOOT_STUB=1 tests/qemu/boot_efi.sh

.PHONY: FORCE
FORCE:

-include $(BOOT_EFI_OBJ:.o=.d)
