# User programs and the initrd. user/NAME.c is program NAME; user/NAME_*.c
# are extra sources of NAME; user/lib/*.c (if any) is linked into every
# program. All are static musl binaries (musl-gcc), installed into
# $(ROOTFS)/bin, except the teaching stand-ins for busybox applets
# (USER_STANDINS), which go to $(ROOTFS)/usr/lib/wisp/bin. Debian's
# busybox-static (scripts/fetch-busybox.sh, pinned) is /bin/busybox with a
# symlink per applet where `busybox --list-full` puts it, unless a Wisp
# program holds that name. Packed with etc/ (motd, profile) and an empty
# /tmp into $(INITRD) by scripts/mkcpio.py. See docs/userland.md.

USER_CFLAGS  := -std=gnu11 -static -O2 -Wall -Wextra -Wno-unused-parameter \
	-Wno-sign-compare -Iuser/lib -MMD -MP
USER_ALL_C   := $(wildcard user/*.c)
USER_EXTRA_C := $(wildcard user/*_*.c)
USER_PROGS   := $(patsubst user/%.c,%,$(filter-out $(USER_EXTRA_C),$(USER_ALL_C)))
USER_LIB_OBJ := $(patsubst user/%.c,$(BUILD)/user/%.o,$(wildcard user/lib/*.c))
USER_BINS    := $(addprefix $(BUILD)/user/,$(USER_PROGS))
# Hand-written versions of busybox applets, kept for teaching and for the
# tests of Wisp's own shell; never on the default PATH.
USER_STANDINS := cat echo false grep kill ls sh sleep true uname
USER_LIBEXEC := /usr/lib/wisp/bin
USER_BINPROGS := $(filter-out $(USER_STANDINS),$(USER_PROGS))
USER_INST    := $(addprefix $(ROOTFS)/bin/,$(USER_BINPROGS)) \
	$(addprefix $(ROOTFS)$(USER_LIBEXEC)/,$(filter $(USER_STANDINS),$(USER_PROGS)))
BUSYBOX      := $(BUILD)/busybox/busybox
BUSYBOX_STAMP := $(BUILD)/busybox/.stamp
BUSYBOX_LINKS := $(ROOTFS)/bin/busybox
USER_ETC     := $(ROOTFS)/etc/motd $(ROOTFS)/etc/profile $(ROOTFS)$(USER_LIBEXEC:/bin=)/benchsh.sh
# The build-like workload of the file-system tests and benchmarks.
USER_ETC     += $(ROOTFS)$(USER_LIBEXEC:/bin=)/fsbuild.sh
USER_MOTD    := Welcome to Wisp $(WISP_VERSION), a Sprite-like research OS.

.PHONY: user user-force-pack
user: $(INITRD)

$(BUILD)/user/%.o: user/%.c
	@mkdir -p $(dir $@)
	$(MUSLCC) $(USER_CFLAGS) -c $< -o $@

define user_prog_rule
$(BUILD)/user/$(1): $(BUILD)/user/$(1).o \
		$(patsubst user/%.c,$(BUILD)/user/%.o,$(wildcard user/$(1)_*.c)) $(USER_LIB_OBJ)
	$(MUSLCC) -static -o $$@ $$^
endef
$(foreach p,$(USER_PROGS),$(eval $(call user_prog_rule,$(p))))

$(ROOTFS)/bin/%: $(BUILD)/user/%
	@mkdir -p $(dir $@)
	cp $< $@
	chmod 755 $@

$(ROOTFS)$(USER_LIBEXEC)/%: $(BUILD)/user/%
	@mkdir -p $(dir $@)
	cp $< $@
	chmod 755 $@

$(BUSYBOX_STAMP): scripts/fetch-busybox.sh scripts/apt_fetch.sh
	scripts/fetch-busybox.sh $(BUILD)

.PHONY: busybox
busybox: $(BUSYBOX_STAMP)

# /bin/busybox and its applet links (absolute, so any directory works); a
# Wisp program of the same name in /bin wins (ps, ping, netstat: they know
# Wisp). Stand-ins left in /bin by an older build are replaced by links.
# The target is /bin/busybox itself, made last, so a removed rootfs is redone.
$(BUSYBOX_LINKS): $(BUSYBOX_STAMP) $(USER_INST) mk/user.mk
	@mkdir -p $(ROOTFS)/bin
	@set -e; for p in $$($(BUSYBOX) --list-full); do \
		case " $(USER_BINPROGS) busybox " in *" $${p##*/} "*) \
			[ "$${p%/*}" = bin ] && continue ;; esac; \
		mkdir -p $(ROOTFS)/$${p%/*}; \
		ln -sfn /bin/busybox $(ROOTFS)/$$p; \
	done
	cp $(BUSYBOX) $@.tmp && chmod 755 $@.tmp && mv -f $@.tmp $@

$(ROOTFS)/etc/profile: user/etc/profile
	@mkdir -p $(dir $@)
	cp $< $@

# The shell workload of `make bench` (user/benchsh.c runs it).
$(ROOTFS)$(USER_LIBEXEC:/bin=)/benchsh.sh: user/share/benchsh.sh
	@mkdir -p $(dir $@)
	cp $< $@

$(ROOTFS)$(USER_LIBEXEC:/bin=)/fsbuild.sh: user/share/fsbuild.sh
	@mkdir -p $(dir $@)
	cp $< $@

$(ROOTFS)/etc/motd: mk/user.mk
	@mkdir -p $(dir $@)
	echo '$(USER_MOTD)' > $@

# Packed every time (the packer rewrites $(INITRD) only when the bytes
# change), so files other areas drop into $(ROOTFS) are never left out.
$(INITRD): $(USER_INST) $(BUSYBOX_LINKS) $(USER_ETC) scripts/mkcpio.py user-force-pack
	@mkdir -p $(ROOTFS)/tmp $(ROOTFS)/dev $(ROOTFS)/proc $(ROOTFS)/boot $(ROOTFS)/shared
	python3 scripts/mkcpio.py $(ROOTFS) $@

user-force-pack:

-include $(wildcard $(BUILD)/user/*.d $(BUILD)/user/lib/*.d)
