# WFS host tools (docs/wfs.md): wisp-mkfs builds an image, optionally from
# a directory tree; wisp-fsck checks and repairs one; wisp-wfs-extract
# copies an image's tree out (round-trip checks); wisp-install brings a
# rebuilt tree (build/rootfs) into an existing image (docs/fs.md). All
# link the same fs/wfs_*.c the kernel compiles, built for the host.

WFS_HOST_DIR  := $(BUILD)/host
WFS_LIB_SRC   := $(filter-out %_test.c,$(wildcard fs/wfs_*.c)) kernel/lib_printf.c \
	kernel/lib_string.c fs/host/wfs_host.c
WFS_HOST_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Wno-unused-parameter -DWISP_HOST -I. -Itests/host
WFS_HOST_HDRS := $(wildcard fs/wfs*.h fs/host/*.h)
WFS_TOOLS     := $(WFS_HOST_DIR)/wisp-mkfs $(WFS_HOST_DIR)/wisp-fsck $(WFS_HOST_DIR)/wisp-wfs-extract \
	$(WFS_HOST_DIR)/wisp-install

.PHONY: wfs-tools
wfs-tools: $(WFS_TOOLS)
all: $(WFS_TOOLS)

$(WFS_HOST_DIR)/wisp-mkfs: fs/host/wfs_mkfs_tool.c fs/host/wfs_filedev.c $(WFS_LIB_SRC) $(WFS_HOST_HDRS)
	@mkdir -p $(@D)
	$(HOSTCC) $(WFS_HOST_CFLAGS) -o $@ $(filter %.c,$^)

$(WFS_HOST_DIR)/wisp-fsck: fs/host/wfs_fsck_tool.c fs/host/wfs_filedev.c $(WFS_LIB_SRC) $(WFS_HOST_HDRS)
	@mkdir -p $(@D)
	$(HOSTCC) $(WFS_HOST_CFLAGS) -o $@ $(filter %.c,$^)

$(WFS_HOST_DIR)/wisp-wfs-extract: fs/host/wfs_extract_tool.c fs/host/wfs_filedev.c $(WFS_LIB_SRC) $(WFS_HOST_HDRS)
	@mkdir -p $(@D)
	$(HOSTCC) $(WFS_HOST_CFLAGS) -o $@ $(filter %.c,$^)

$(WFS_HOST_DIR)/wisp-install: fs/host/wfs_install_tool.c fs/host/wfs_filedev.c $(WFS_LIB_SRC) $(WFS_HOST_HDRS)
	@mkdir -p $(@D)
	$(HOSTCC) $(WFS_HOST_CFLAGS) -o $@ $(filter %.c,$^)
