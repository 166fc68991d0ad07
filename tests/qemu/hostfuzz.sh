#!/usr/bin/env bash
# Coverage-guided fuzzing with clang's libFuzzer (ASan + UBSan), bounded:
# the RPC header decode path, the ELF validator and the command-line
# parser, each seeded with valid inputs and run for a fixed number of
# executions with a fixed seed. Any crash or abort fails the test. (Named
# with the QEMU tests because the runner collects tests/qemu/*.sh; it boots
# nothing.) WISP_FUZZ_RUNS overrides the count.
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${WISP_FUZZ_RUNS:-200000}
out=build/fuzz
mkdir -p "$out"
cc="clang -g -O1 -std=gnu11 -DWISP_HOST -I. -Itests/host -fsanitize=fuzzer,address,undefined"
cc="$cc -fno-sanitize-recover=undefined -Wno-unused-parameter"
$cc -o "$out/fuzz_rpc_wire" tests/fuzz/fuzz_rpc_wire.c net/rpc/rpc_wire.c net/rpc/rpc_mac.c tests/fuzz/fuzz_support.c
$cc -o "$out/fuzz_elf" tests/fuzz/fuzz_elf.c kernel/elf.c tests/fuzz/fuzz_support.c
$cc -o "$out/fuzz_cmdline" tests/fuzz/fuzz_cmdline.c kernel/cmdline.c kernel/lib_string.c \
    kernel/lib_printf.c tests/fuzz/fuzz_support.c
clang -g -O1 -std=gnu11 -DWISP_HOST -I. -Itests/host -o "$out/fuzz_seeds" \
    tests/fuzz/fuzz_seeds.c net/rpc/rpc_wire.c net/rpc/rpc_mac.c tests/fuzz/fuzz_support.c
for t in rpc_wire elf cmdline; do
    rm -rf "$out/corpus_$t"
    mkdir -p "$out/corpus_$t"
done
"$out/fuzz_seeds" "$out/corpus_rpc_wire" "$out/corpus_cmdline"
for p in hello true echo; do
    [[ -f build/user/$p ]] && cp "build/user/$p" "$out/corpus_elf/$p"
done
fail=0
for t in rpc_wire elf cmdline; do
    max=2048
    [[ $t == elf ]] && max=65536
    if "$out/fuzz_$t" -runs="$runs" -seed=1 -max_len=$max -timeout=10 \
        -artifact_prefix="$out/crash_${t}_" "$out/corpus_$t" >"$out/$t.log" 2>&1; then
        echo "hostfuzz: $t: $(grep -oE 'Done [0-9]+ runs' "$out/$t.log" || echo done)"
    else
        echo "hostfuzz: $t: FAILED (log $out/$t.log)" >&2
        tail -30 "$out/$t.log" >&2
        fail=1
    fi
done
exit $fail
