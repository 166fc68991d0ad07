# Developer tools: boot a 3-node cluster with node 0's console on this
# terminal (`make run`, scripts/run.sh; WISP_NODES=N for another size) or
# one node alone (`make run1`), debug one (`make gdb`), generate
# compile_commands.json for clangd, and lint.
# Each installs missing packages first (scripts/deps.sh, fast when none).
# WISP_ACCEL=kvm|tcg picks QEMU's accelerator (scripts/accel.sh);
# WISP_CMDLINE="init=/bin/sh ..." adds kernel command-line words;
# WISP_FSROOT=off boots the full initrd as / (default: the shared volume).

.PHONY: run run1 gdb lint compile_commands.json

run:
	@scripts/deps.sh
	$(MAKE) --no-print-directory -j2 all
	@scripts/run.sh

run1:
	@scripts/deps.sh
	$(MAKE) --no-print-directory -j2 all
	@scripts/run.sh --single

gdb:
	@scripts/deps.sh
	$(MAKE) --no-print-directory -j2 all
	@scripts/gdb.sh

lint:
	@scripts/lint.sh

# From the kernel's and user programs' flags, without rebuilding anything
# (`bear -- make -B kernel` gives the same for the kernel, slower).
compile_commands.json: export WISP_KCC := $(CC)
compile_commands.json: export WISP_KCFLAGS := $(KCFLAGS)
compile_commands.json: export WISP_KSRC := $(KSRC_C) $(KSRC_S)
compile_commands.json: export WISP_UCC := $(MUSLCC)
compile_commands.json: export WISP_UCFLAGS := $(USER_CFLAGS)
compile_commands.json: export WISP_USRC := $(wildcard user/*.c user/lib/*.c)
compile_commands.json: export WISP_HOSTCC := $(HOSTCC)
compile_commands.json: export WISP_HCFLAGS := $(CHECK_CFLAGS)
compile_commands.json: export WISP_HSRC := $(CHECK_TESTS) $(wildcard tests/host/*.c)
compile_commands.json:
	@scripts/compdb.py > $@.tmp && mv $@.tmp $@
	@echo "wrote $@ ($$(grep -c '"file"' $@) files)"
