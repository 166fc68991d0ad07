#!/usr/bin/env bash
# Install the Debian packages Wisp needs that this machine lacks. The list
# is scripts/deps.list (one package a line). Quiet and idempotent: when
# everything is present it prints nothing and takes well under a second.
# Runs apt-get noninteractively, through sudo when not root. Set
# WISP_NO_DEPS=1 to skip it (e.g. on a machine you provision by hand).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
list=${WISP_DEPS_LIST:-$here/deps.list}

[[ ${WISP_NO_DEPS:-0} == 1 ]] && exit 0

if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "deps: not a Debian system (no dpkg-query); install the packages in $list by hand" >&2
    exit 0
fi

mapfile -t wanted < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' "$list" | grep -v '^$')

# One dpkg-query for the whole list; unknown names simply print nothing.
declare -A have=()
while read -r pkg status; do
    [[ $status == "install ok installed" ]] && have[${pkg%%:*}]=1
done < <(dpkg-query -W -f='${Package} ${Status}\n' "${wanted[@]}" 2>/dev/null || true)
missing=()
for pkg in "${wanted[@]}"; do
    [[ -n ${have[$pkg]:-} ]] || missing+=("$pkg")
done
((${#missing[@]} == 0)) && exit 0

sudo=()
if ((EUID != 0)); then
    if ! command -v sudo >/dev/null 2>&1; then
        echo "deps: missing ${missing[*]}; run as root or install sudo" >&2
        exit 1
    fi
    sudo=(sudo -n)
    [[ -t 0 ]] && sudo=(sudo)   # may prompt for a password only on a terminal
fi

echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt_opts=(-q -y -o DPkg::Lock::Timeout=300 -o Dpkg::Use-Pty=0)
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! "${sudo[@]}" apt-get "${apt_opts[@]}" update >"$log" 2>&1 ||
   ! "${sudo[@]}" apt-get "${apt_opts[@]}" install --no-install-recommends \
       "${missing[@]}" >>"$log" 2>&1 </dev/null; then
    tail -n 30 "$log" >&2
    echo "deps: apt-get failed; the packages above are still missing" >&2
    exit 1
fi
echo "deps: done"
