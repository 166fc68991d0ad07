#!/usr/bin/env bash
# Bad boot input gets a clear one-line message, never a panic: a corrupt
# initrd, a missing one, a command line with garbage, an init that is not
# an ELF executable.
. "$(dirname "$0")/../lib.sh"

boot_expect() {   # NAME CMDLINE WANT_RESULT REGEX [INITRD]
    local name=$1 cmdline=$2 want=$3 re=$4 st=0 res
    local log=$WISP_TMP/$name.serial
    WISP_INITRD=${5:-$WISP_INITRD} wisp_boot_kernel "$log" "$cmdline" 60 || st=$?
    res=$(wisp_result $st)
    if [[ $res != "$want" ]]; then
        echo "$name: expected $want, got $res (status $st)" >&2
        wisp_tail "$log"
        return 1
    fi
    expect_log "$log" "$re" || return 1
    expect_no_log "$log" 'PANIC' || return 1
}

head -c 65536 /dev/urandom >"$WISP_TMP/garbage.cpio"
boot_expect corrupt_initrd "test=x" fail 'not a valid cpio' "$WISP_TMP/garbage.cpio" || exit 1
# A valid archive cut in the middle of a file.
head -c 20000 "$WISP_INITRD" >"$WISP_TMP/truncated.cpio"
boot_expect truncated_initrd "test=x" fail 'not a valid cpio' "$WISP_TMP/truncated.cpio" || exit 1
boot_expect bad_node 'test=boot node=zz' pass 'node= must be a number' || exit 1
# Unparsable words are reported in one line and skipped; the words after them
# still apply (node=5 and test=boot come after three bad words).
long_key=$(printf 'k%.0s' {1..40})
boot_expect bad_cmdline "=x \"unterminated ${long_key}=1 node=5 test=boot" pass 'node 5 ready' || exit 1
expect_log "$WISP_TMP/bad_cmdline.serial" 'skipped 3 bad words .*empty key.*quote in key.*key too long' ||
    exit 1
boot_expect not_elf "test=x init=/etc/motd" fail 'cannot start /etc/motd' || exit 1
boot_expect no_init "test=x init=/bin/nonexistent" fail 'cannot start /bin/nonexistent' || exit 1

# No initrd at all: QEMU without -initrd.
log=$WISP_TMP/no_initrd.serial
st=0
# shellcheck disable=SC2046
timeout 60 "$QEMU" $(wisp_qemu_args) -serial stdio -kernel "$WISP_KERNEL" \
    -append "test=x" </dev/null >"$log" 2>&1 || st=$?
[[ $(wisp_result $st) == fail ]] || { echo "no_initrd: status $st" >&2; wisp_tail "$log"; exit 1; }
expect_log "$log" 'no initrd was loaded' || exit 1
echo "bad_input: pass"
