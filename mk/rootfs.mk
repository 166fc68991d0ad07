# The boot image of a node whose / is the shared volume (fsroot=on;
# docs/fs.md "The name space"): what a node needs before the file server
# answers -- init, busybox with a shell and a few applets, /etc, and
# Wisp's own diagnostics for a node that cannot reach the server (ps,
# ping, netstat, nodes, rpcstat). Copied out of $(ROOTFS) into $(BOOTFS)
# and packed into $(BOOT_INITRD) beside the full $(INITRD); the whole
# userland, $(ROOTFS), is what scripts/cluster puts on the shared volume.

BOOTFS      := $(BUILD)/bootfs
BOOT_INITRD := $(BUILD)/initrd-boot.cpio
BOOT_FILES  := bin/init bin/busybox bin/ps bin/ping bin/netstat bin/nodes bin/rpcstat \
	bin/sh bin/ash bin/ls bin/cat bin/echo bin/mkdir bin/mount bin/dmesg bin/sleep \
	bin/true bin/false bin/uname sbin/ifconfig sbin/poweroff sbin/reboot \
	usr/bin/env usr/bin/test usr/bin/[ etc/profile etc/motd

.PHONY: boot-initrd
boot-initrd: $(BOOT_INITRD)
user: $(BOOT_INITRD)

$(BOOT_INITRD): $(INITRD) mk/rootfs.mk scripts/mkcpio.py
	rm -rf $(BOOTFS)
	mkdir -p $(BOOTFS)/tmp $(BOOTFS)/dev $(BOOTFS)/proc $(BOOTFS)/shared
	cd $(ROOTFS) && cp -a --parents $(BOOT_FILES) $(abspath $(BOOTFS))/
	python3 scripts/mkcpio.py $(BOOTFS) $@
