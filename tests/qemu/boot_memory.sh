#!/usr/bin/env bash
# Boots on small and large memory (above 4 GiB) and with two CPUs present:
# 64 MiB; 6 GiB with -smp 2. The banner must show the memory seen.
. "$(dirname "$0")/../lib.sh"
for mem in 64M 6G; do
    log=$WISP_TMP/serial-$mem
    st=0
    WISP_MEM=$mem WISP_SMP=2 wisp_boot_kernel "$log" "test=boot" 120 || st=$?
    res=$(wisp_result $st) || { echo "-m $mem: $res (status $st)" >&2; wisp_tail "$log"; exit 1; }
    expect_log "$log" 'wisp: node 0 ready' || exit 1
    mib=$(sed -nE 's/^wisp: memory: ([0-9]+) MiB usable.*/\1/p' "$log")
    case $mem in
    64M) ((mib >= 50 && mib <= 64)) || { echo "-m 64M: $mib MiB usable reported" >&2; exit 1; } ;;
    6G) ((mib >= 5800)) || { echo "-m 6G: $mib MiB usable reported" >&2; exit 1; }
        expect_log "$log" 'top of RAM 0x1[0-9a-f]{8}' || exit 1 ;;
    esac
done
echo "boot_memory: pass"
