# `make bench`: Wisp beside a Linux guest (Debian's kernel + busybox-static
# initramfs, built by scripts/linux-guest.sh into $(BUILD)/linux-guest/)
# under the same QEMU and accelerator, running the same static musl bench
# programs (user/bench*.c, built and installed into the initrd by
# mk/user.mk), and the shell workload (benchsh: user/share/benchsh.sh run
# by the same busybox on both). Results: $(BUILD)/bench/*.csv. See
# docs/bench.md.
# `make bench` runs the foundation figures (scripts/bench.sh) and the network
# figures (scripts/bench-net.sh: two nodes of each system on a vde_switch);
# `make bench-net` only the latter; then the migration figures
# (scripts/bench_migrate.py; `make bench-migrate` alone) and the file
# system's (scripts/bench_fs.py; `make bench-fs` alone).

BENCH_PROGS  := bench benchnull benchctx benchfork benchsh udpbench
BENCH_BINS   := $(addprefix $(BUILD)/user/,$(BENCH_PROGS))
# The fork+exec benchmark runs /bin/true; the guest gets Wisp's own when
# user/true.c exists (else linux-guest.sh builds a one-line one).
BENCH_TRUE   := $(if $(wildcard user/true.c),$(BUILD)/user/true)
LINUX_GUEST  := $(BUILD)/linux-guest/initramfs.gz

.PHONY: bench bench-net bench-linux linux-guest
linux-guest: $(LINUX_GUEST)

# The migration experiments (scripts/bench_migrate.py, docs/experiments.md):
# Wisp's migrate/rexec on 3 nodes, and CRIU between two Linux guests whose
# initramfs adds criu and its libraries (scripts/linux-guest-criu.sh).
LINUX_GUEST_CRIU := $(BUILD)/linux-guest/initramfs-criu.gz
.PHONY: bench-migrate linux-guest-criu
linux-guest-criu: $(LINUX_GUEST_CRIU)

$(LINUX_GUEST_CRIU): $(LINUX_GUEST) $(BUILD)/user/benchdirty scripts/linux-guest-criu.sh \
		scripts/linux-guest-criubench.sh
	scripts/linux-guest-criu.sh

bench-migrate: kernel user $(LINUX_GUEST_CRIU)
	python3 scripts/bench_migrate.py

$(LINUX_GUEST): $(BENCH_BINS) $(BENCH_TRUE) scripts/linux-guest.sh user/share/benchsh.sh \
		scripts/fetch-busybox.sh
	scripts/linux-guest.sh

# Every part runs even if one fails; the status is the worst one. The
# migration part runs --quick here (0, 1, 4 MiB; `make bench-migrate` for
# the whole series: 0-64 MiB).
bench: kernel user linux-guest $(LINUX_GUEST_CRIU)
	@st=0; scripts/bench.sh || st=$$?; scripts/bench-net.sh || st=$$?; \
	python3 scripts/bench_migrate.py --quick || st=$$?; \
	python3 scripts/bench_fs.py --quick || st=$$?; exit $$st

# The shared file system's experiments (scripts/bench_fs.py): a 3-node
# cluster (caching on and off) beside a Linux guest on its local ext4 disk.
.PHONY: bench-fs
bench-fs: kernel user linux-guest
	python3 scripts/bench_fs.py

bench-net: kernel user linux-guest
	scripts/bench-net.sh

# The Linux guest (and host) alone: for when the kernel does not boot yet.
bench-linux: linux-guest $(LINUX_GUEST_CRIU)
	@st=0; BENCH_SKIP=wisp scripts/bench.sh || st=$$?; \
	BENCH_SKIP=wisp scripts/bench-net.sh || st=$$?; \
	BENCH_SKIP=wisp python3 scripts/bench_migrate.py || st=$$?; exit $$st
