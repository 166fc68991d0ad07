# Host unit tests (`make check`): every *_test.c under kernel/, fs/ and net/
# becomes build/check/<name>, linked from the test file, its sibling x.c
# (for x_test.c, when it exists), the sources on its `// TEST_SRCS:` line and
# tests/host/test_main.c, built with ASan/UBSan and -DWISP_HOST (and, like the
# kernel, -Wno-unused-parameter). Each binary runs once; the last line
# printed is `check: N passed, N failed`.
# `make -s check-totals` runs the same tests but prints only that line; the
# line is also left in $(CHECK_SUMMARY), and the failing tests' names in
# $(CHECK_DIR)/failing (their output is in $(CHECK_DIR)/<name>.out). A test that does not build, crashes,
# or exits non-zero without reporting a failure counts as one failed test.

CHECK_DIR     := $(BUILD)/check
CHECK_SUMMARY := $(CHECK_DIR)/summary
CHECK_CFLAGS  := -std=gnu11 -g -O1 -Wall -Wextra -Wno-unused-parameter -DWISP_HOST -I. -Itests/host \
	-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
CHECK_TIMEOUT ?= 120

CHECK_TESTS := $(sort $(shell find kernel fs net -name '*_test.c' 2>/dev/null))
CHECK_HDRS  := $(shell find kernel fs net tests/host -name '*.h' 2>/dev/null)
CHECK_NAMES := $(foreach t,$(CHECK_TESTS),$(basename $(notdir $(t))))
CHECK_BINS  := $(addprefix $(CHECK_DIR)/,$(CHECK_NAMES))
CHECK_OUTS  := $(addsuffix .out,$(CHECK_BINS))

# Sources of the binary for test file $(1).
check_srcs = $(sort $(1) $(wildcard $(patsubst %_test.c,%.c,$(1))) \
	$(shell sed -n 's|^// *TEST_SRCS:||p' $(1)) tests/host/test_main.c)

# A test that fails to compile is replaced by a stand-in script that shows
# the compiler's output and fails, so the totals still count it.
define CHECK_RULES
$(CHECK_DIR)/$(basename $(notdir $(1))): $(call check_srcs,$(1)) $(CHECK_HDRS) mk/check.mk
	@mkdir -p $$(@D)
	@$$(if $$(CHECK_QUIET),:,echo "  CHECKCC $$@")
	@if $(HOSTCC) $(CHECK_CFLAGS) -o $$@.tmp$$$$$$$$ $$(filter %.c,$$^) > $$@.buildlog 2>&1; then \
		$$(if $$(CHECK_QUIET),:,cat $$@.buildlog); \
		mv -f $$@.tmp$$$$$$$$ $$@; \
	else \
		$$(if $$(CHECK_QUIET),:,cat $$@.buildlog); \
		rm -f $$@.tmp$$$$$$$$; \
		printf '#!/bin/sh\ncat %s\necho "build failed"\nexit 1\n' $$@.buildlog > $$@; \
		chmod +x $$@; \
	fi
endef
$(foreach t,$(CHECK_TESTS),$(eval $(call CHECK_RULES,$(t))))

# Running a test never fails make, so every test runs; the summary decides.
$(CHECK_DIR)/%.out: $(CHECK_DIR)/% check-force
	@timeout $(CHECK_TIMEOUT) $< > $@.tmp$$$$ 2>&1; echo "check-rc=$$?" >> $@.tmp$$$$; \
		mv -f $@.tmp$$$$ $@

# awk over the .out files: use each binary's "N passed, N failed" line; a
# non-zero exit without a failure in that line adds one failed test.
CHECK_AWK := 'function done() { if (file == "") return; \
	  if (!seen) { f++; bad = bad " " file } \
	  else { p += sp; f += sf; if (rc != 0 && sf == 0) { f++; bad = bad " " file } \
	         else if (sf) bad = bad " " file } } \
	FNR == 1 { done(); file = FILENAME; sub(".*/", "", file); sub("[.]out$$", "", file); \
	           seen = 0; rc = 0 } \
	/^[0-9]+ passed, [0-9]+ failed$$/ { seen = 1; sp = $$1; sf = $$3 } \
	/^check-rc=/ { rc = substr($$0, 10) + 0 } \
	END { done(); print "check: failing:" bad > FAILING; \
	      if (bad != "") print "check: failing:" bad > "/dev/stderr"; \
	      printf "check: %d passed, %d failed\n", p, f }'

.PHONY: check check-totals check-force
check-force:

# With no test files at all, awk gets /dev/null rather than waiting on stdin.
CHECK_AWK_IN := $(if $(CHECK_OUTS),$(CHECK_OUTS),/dev/null)

check-totals: CHECK_QUIET := 1

check: $(CHECK_OUTS)
	@mkdir -p $(CHECK_DIR)
	@for o in $(CHECK_OUTS); do echo "== $$(basename $$o .out)"; grep -v '^check-rc=' $$o; done
	@awk -v FAILING=$(CHECK_DIR)/failing $(CHECK_AWK) $(CHECK_AWK_IN) | tee $(CHECK_SUMMARY)
	@grep -q ' 0 failed$$' $(CHECK_SUMMARY)

check-totals: $(CHECK_OUTS)
	@mkdir -p $(CHECK_DIR)
	@awk -v FAILING=$(CHECK_DIR)/failing $(CHECK_AWK) $(CHECK_AWK_IN) 2>/dev/null | tee $(CHECK_SUMMARY)
	@grep -q ' 0 failed$$' $(CHECK_SUMMARY)
