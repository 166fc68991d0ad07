# `make test`: install what a fresh Debian 12 lacks (scripts/deps.sh),
# build everything the tests boot (kernel, user programs, ISO, EFI image),
# then run tests/run.sh: host unit tests, lint, and every tests/qemu/*.sh.
# The build counts as one test (`build`), so even a broken build ends in
# the summary line "N passed, N failed". TESTS="a b" runs only those tests
# (names as in tests/run.sh). See docs/testing.md.

# iso and efi come from mk/boot.mk; a tree without it still tests the rest.
TEST_BUILD := all $(if $(wildcard mk/boot.mk),iso efi)
TEST_LOGS  := $(BUILD)/test/logs
TESTS      ?=

.PHONY: test deps
deps:
	@scripts/deps.sh

test:
	@scripts/deps.sh
	@mkdir -p $(TEST_LOGS)
	@date +%s%6N > $(TEST_LOGS)/build.t0
	@{ $(MAKE) --no-print-directory -j2 $(TEST_BUILD) 2>&1; echo $$? > $(TEST_LOGS)/build.status; } \
		| tee $(TEST_LOGS)/build.log
	@WISP_BUILD_STATUS=$$(cat $(TEST_LOGS)/build.status) WISP_BUILD_LOG=$(TEST_LOGS)/build.log \
		WISP_BUILD_T0=$$(cat $(TEST_LOGS)/build.t0) tests/run.sh $(TESTS)

# tests/glibc/abi.c linked statically against the host's glibc: the
# glibc_abi test runs this one binary on Wisp and on the host and compares.
GLIBC_ABI := $(BUILD)/glibc/abi
all: $(GLIBC_ABI)
$(GLIBC_ABI): tests/glibc/abi.c
	@mkdir -p $(@D)
	$(HOSTCC) -static -O1 -Wall -o $@ $<
