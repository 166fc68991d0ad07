# `make bench`: Wisp beside a Linux guest (Debian's kernel + busybox-static
# initramfs, built by scripts/linux-guest.sh into $(BUILD)/linux-guest/)
# under the same QEMU and accelerator, running the same static musl bench
# programs (user/bench*.c, built and installed into the initrd by
# mk/user.mk). Results: $(BUILD)/bench/*.csv. See docs/bench.md.

BENCH_PROGS  := bench benchnull benchctx benchfork
BENCH_BINS   := $(addprefix $(BUILD)/user/,$(BENCH_PROGS))
# The fork+exec benchmark runs /bin/true; the guest gets Wisp's own when
# user/true.c exists (else linux-guest.sh builds a one-line one).
BENCH_TRUE   := $(if $(wildcard user/true.c),$(BUILD)/user/true)
LINUX_GUEST  := $(BUILD)/linux-guest/initramfs.gz

.PHONY: bench bench-linux linux-guest
linux-guest: $(LINUX_GUEST)

$(LINUX_GUEST): $(BENCH_BINS) $(BENCH_TRUE) scripts/linux-guest.sh
	scripts/linux-guest.sh

bench: kernel user linux-guest
	scripts/bench.sh

# The Linux guest (and host) alone: for when the kernel does not boot yet.
bench-linux: linux-guest
	BENCH_SKIP=wisp scripts/bench.sh
