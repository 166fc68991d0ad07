#!/usr/bin/env bash
# Choose QEMU's accelerator: prints `kvm` or `tcg`, or with --qemu-args the
# matching QEMU options (`-accel tcg -cpu max`). WISP_ACCEL=kvm|tcg forces
# the choice. Otherwise KVM is used only when /dev/kvm is usable, the CPU
# has VMX or SVM, and the host's KVM is not PVM (kvm_pvm, a paravirtual
# KVM inside a VM, is much slower than TCG for Wisp's page-table-heavy work).
set -euo pipefail

pick() {
    case ${WISP_ACCEL:-} in
    kvm | tcg) echo "$WISP_ACCEL"; return ;;
    "") ;;
    *) echo "accel: WISP_ACCEL must be kvm or tcg, not '$WISP_ACCEL'" >&2; exit 2 ;;
    esac
    if [[ -r /dev/kvm && -w /dev/kvm ]] &&
       grep -qwE 'vmx|svm' /proc/cpuinfo 2>/dev/null &&
       [[ ! -e /sys/module/kvm_pvm ]]; then
        echo kvm
    else
        echo tcg
    fi
}

accel=$(pick)
case ${1:-} in
"") echo "$accel" ;;
--qemu-args)
    if [[ $accel == kvm ]]; then
        echo "-accel kvm -cpu host,-arch-capabilities"
    else
        echo "-accel tcg -cpu max"
    fi
    ;;
*) echo "usage: $0 [--qemu-args]" >&2; exit 2 ;;
esac
