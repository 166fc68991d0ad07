# Helpers for the migration tests (tests/qemu/mig_*.sh), sourced after
# scripts/cluster_lib.sh and cl_setup. Processes started in the background
# print to the console of the node they run on, so results are read from
# the node logs (scripts/cluster log K).

# mig_wait_log K REGEX SECONDS: wait until node K's log matches REGEX.
mig_wait_log() {
    local k=$1 re=$2 t=$3 i
    for ((i = 0; i < t; i++)); do
        cl log "$k" | tr -d '\r' | grep -Eq -- "$re" && return 0
        sleep 1
    done
    return 1
}

# mig_pid K TAG: the pid migtest printed at its start on node K after TAG
# was echoed (each test run echoes a fresh tag first).
mig_pid() {
    cl log "$1" | tr -d '\r' | sed -n "/^$2\$/,\$p" |
        sed -n 's/^.*migtest: pid \([0-9]*\) node [0-9]* start.*/\1/p' | tail -n 1
}

# mig_stat K NAME: one counter of node K's `migrate stat`.
mig_stat() {
    cl sh "$1" 'migrate stat' | tr -d '\r' | awk -v n="$2" '$1 == n { print $2 }'
}
