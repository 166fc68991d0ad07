# User programs and the initrd. user/NAME.c is program NAME; user/NAME_*.c
# are extra sources of NAME; user/lib/*.c (if any) is linked into every
# program. All are static musl binaries (musl-gcc), installed into
# $(ROOTFS)/bin and packed with $(ROOTFS)/etc/motd and an empty /tmp into
# $(INITRD) by scripts/mkcpio.py. See docs/userland.md.

USER_CFLAGS  := -std=gnu11 -static -O2 -Wall -Wextra -Wno-unused-parameter \
	-Wno-sign-compare -Iuser/lib -MMD -MP
USER_ALL_C   := $(wildcard user/*.c)
USER_EXTRA_C := $(wildcard user/*_*.c)
USER_PROGS   := $(patsubst user/%.c,%,$(filter-out $(USER_EXTRA_C),$(USER_ALL_C)))
USER_LIB_OBJ := $(patsubst user/%.c,$(BUILD)/user/%.o,$(wildcard user/lib/*.c))
USER_BINS    := $(addprefix $(BUILD)/user/,$(USER_PROGS))
USER_INST    := $(addprefix $(ROOTFS)/bin/,$(USER_PROGS))
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

$(ROOTFS)/etc/motd: mk/user.mk
	@mkdir -p $(dir $@)
	echo '$(USER_MOTD)' > $@

# Packed every time (the packer rewrites $(INITRD) only when the bytes
# change), so files other areas drop into $(ROOTFS) are never left out.
$(INITRD): $(USER_INST) $(ROOTFS)/etc/motd scripts/mkcpio.py user-force-pack
	@mkdir -p $(ROOTFS)/tmp
	python3 scripts/mkcpio.py $(ROOTFS) $@

user-force-pack:

-include $(wildcard $(BUILD)/user/*.d $(BUILD)/user/lib/*.d)
