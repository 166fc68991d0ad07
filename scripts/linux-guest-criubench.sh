#!/bin/sh
# /bin/criubench of the CRIU guest (scripts/linux-guest-criu.sh copies this
# file in; /init runs it for `criu=ROLE`). The CRIU baseline of the
# migration benchmark (docs/experiments.md): guest A (node 0, 10.77.0.1)
# checkpoints /bin/benchdirty with N MiB dirty, sends the images to guest B
# (node 1, 10.77.0.2) over the vde segment, B restores them and checks that
# the program continues (its tick count goes on from where A stopped it,
# with an unchanged checksum and "ok").
#
#   criu=check  print `criu check` and `criu check --all`
#   criu=recv   guest B: for ever: receive images, restore, check, report
#   criu=send   guest A: for each mode in cb_modes and size in cb_sizes
#               (MiB; lists with commas; default copy,ps and 0,1,4,16,64):
#               run benchdirty, dump, send, wait for B's report and print
#               one line per mode and size; then, for each F in cb_files
#               (default 8,32), the same at 1 MiB with F more open streams
#               (/dev/null; the cost model's per-stream term):
#   CRIU mode copy|ps mib M files F dump_us D transfer_us T restore_us R total_us S image_kib K cont ok|fail
#               then `CRIU done`. `CRIU error ...` marks a failure.
# Modes: copy: `criu dump` into A's /tmp, then the whole image directory is
# sent (tar over busybox nc); ps: CRIU's page server: B runs `criu
# page-server`, A's `criu dump --page-server` streams the pages to it while
# dumping (so dump_us includes their transfer), then the rest is sent.
# Ports on the segment: 9100 images (tar over busybox nc), 9101 B's "got"
# (ends the transfer phase), 9102 B's "ready" and reports, 9103 the page
# server. Kernel arguments come as environment variables: cb_sizes,
# cb_modes, cb_files (`none`: no stream runs), cb_period (benchdirty's tick
# in ms, default 200), cb_wait (s to wait for a continuation, default 180).
# Times come from `benchdirty now` (the monotonic clock, us): busybox's date
# has no sub-second format. Each phase is timed on the guest that runs it;
# the transfer ends when A hears B's "got", one connection set-up later.
export PATH=/bin:/sbin:/usr/sbin:/usr/bin
A=10.77.0.1
B=10.77.0.2
period=${cb_period:-200}
cwait=${cb_wait:-180}

now() { benchdirty now; }

# nc quits when its stdin ends: a FIFO held open by a sleeping writer is a
# stdin that never ends and never has data.
hold() {
    [ -p /tmp/hold ] && return
    mkfifo /tmp/hold
    sleep 100000000 >/tmp/hold &
}

# Sends one line to the peer's PORT, retrying until it listens (about 60 s).
send_msg() {
    i=0
    until echo "$1" | nc "$peer" "$2" 2>/dev/null; do
        i=$((i + 1))
        [ $i -ge 300 ] && return 1
        sleep 0.2
    done
}

# The last tick number and the pid in benchdirty's output file $1.
last_tick() { sed -n 's/^benchdirty: tick \([0-9]*\) .*/\1/p' "$1" | tail -n 1; }
ready_pid() { sed -n 's/^benchdirty: pid \([0-9]*\) .*/\1/p' "$1" | head -n 1; }

# Waits (up to $2 s) for file $1 to hold a line matching $3.
wait_line() {
    i=0
    until grep -q "$3" "$1" 2>/dev/null; do
        i=$((i + 1))
        [ $i -ge $(($2 * 5)) ] && return 1
        sleep 0.2
    done
}

do_check() {
    criu --version
    criu check
    echo "CRIU check rc $?"
    criu check --all
    echo "CRIU check-all rc $?"
}

# B: listens for the next image set in the background ($lpid), and runs a
# page server for it ($pspid; unused in copy mode, then replaced).
listen_img() {
    [ -n "${pspid:-}" ] && kill "$pspid" 2>/dev/null && wait "$pspid" 2>/dev/null
    rm -rf /tmp/img /tmp/dirty.out
    mkdir -p /tmp/img
    criu page-server -D /tmp/img --port 9103 -o /tmp/ps.log &
    pspid=$!
    (nc -l -p 9100 </tmp/hold | tar x -C /) &
    lpid=$!
}

# B: after the restore of a program that last printed tick $1 at A: ticks
# $1+1 and $1+2 must appear, each with the original sum and "ok".
check_cont() {
    k=$1 sum=$2
    wait_line /tmp/dirty.out "$cwait" "^benchdirty: tick $((k + 2)) " || return 1
    bad=$(sed -n "s/^benchdirty: tick \([0-9]*\) sum \([0-9]*\) \(.*\)/\1 \2 \3/p" /tmp/dirty.out |
        awk -v k="$k" -v s="$sum" '$1 > k && ($2 != s || $3 != "ok") { print; exit }')
    [ -z "$bad" ] && ! grep -q "bad word" /tmp/dirty.out
}

# criu's first command on a boot probes the kernel's features for about a
# second and caches them (/run/criu.kdat); every later one reads the cache.
# The measured commands are not first.
warm_up() { criu check >/dev/null 2>&1; }

do_recv() {
    peer=$A
    warm_up
    hold
    listen_img
    send_msg ready 9102 || { echo "CRIU error A never listened"; return 1; }
    while :; do
        wait $lpid
        send_msg got 9101
        k=$(last_tick /tmp/dirty.out)
        sum=$(sed -n 's/.* ready sum \([0-9]*\)/\1/p' /tmp/dirty.out | head -n 1)
        pid=$(ready_pid /tmp/dirty.out)
        t0=$(now)
        criu restore -D /tmp/img -d -o /tmp/restore.log -v2
        rc=$?
        t1=$(now)
        cont=fail
        [ $rc = 0 ] && check_cont "${k:-0}" "$sum" && cont=ok
        [ $rc = 0 ] || tail -n 20 /tmp/restore.log
        echo "criubench: B restored pid $pid rc $rc after tick $k: cont $cont"
        # The two ticks after A's last one: what the restored program printed.
        awk -v k="${k:-0}" '$1 == "benchdirty:" && $2 == "tick" && $3 > k && $3 <= k + 2' \
            /tmp/dirty.out
        [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
        msg="restore_us $((t1 - t0)) rc $rc cont $cont"
        sleep 0.5
        listen_img
        send_msg "$msg" 9102
    done
}

# A: one size. Prints the CRIU line.
send_one() {
    mode=$1 m=$2 idx=$3 f=$4
    rm -rf /tmp/img /tmp/dirty.out
    mkdir -p /tmp/img
    # Away from B's own pids, so the restored pid is free there; below
    # pid_max (32768 on a one-CPU guest: a larger value is refused).
    echo $((8000 + idx * 1000 % 24000)) >/proc/sys/kernel/ns_last_pid
    setsid benchdirty "$m" "$period" 0 "$f" </dev/null >/tmp/dirty.out 2>&1 &
    if ! wait_line /tmp/dirty.out 600 "^benchdirty: tick 2 "; then
        echo "CRIU error $mode mib $m benchdirty did not start"
        cat /tmp/dirty.out
        return 1
    fi
    pid=$(ready_pid /tmp/dirty.out)
    t0=$(now)
    if [ "$mode" = ps ]; then
        criu dump -t "$pid" -D /tmp/img -o /tmp/dump.log -v2 --page-server --address $B --port 9103
    else
        criu dump -t "$pid" -D /tmp/img -o /tmp/dump.log -v2
    fi
    rc=$?
    t1=$(now)
    if [ $rc != 0 ]; then
        echo "CRIU error $mode mib $m dump rc $rc"
        tail -n 20 /tmp/dump.log
        kill -9 "$pid"
        return 1
    fi
    kib=$(du -sk /tmp/img | cut -f1)
    (nc -l -p 9101 </tmp/hold >/tmp/ack) &
    apid=$!
    t2=$(now)
    i=0
    until tar c -C / tmp/img tmp/dirty.out | nc $B 9100; do
        i=$((i + 1))
        [ $i -ge 300 ] && { echo "CRIU error $mode mib $m B does not listen"; return 1; }
        sleep 0.2
    done
    wait $apid
    t3=$(now)
    rep=$(nc -l -p 9102 </tmp/hold)
    r=$(echo "$rep" | sed -n 's/.*restore_us \([0-9]*\).*/\1/p')
    c=$(echo "$rep" | sed -n 's/.*cont \([a-z]*\).*/\1/p')
    rrc=$(echo "$rep" | sed -n 's/.* rc \([0-9]*\).*/\1/p')
    [ "$rrc" = 0 ] || echo "CRIU error $mode mib $m restore rc ${rrc:-?} at B"
    echo "CRIU mode $mode mib $m files $f dump_us $((t1 - t0)) transfer_us $((t3 - t2)) restore_us ${r:-0}" \
        "total_us $((t1 - t0 + t3 - t2 + ${r:-0})) image_kib $kib cont ${c:-fail}"
}

do_send() {
    peer=$B
    warm_up
    hold
    i=0
    until ping -c 1 -W 1 $B >/dev/null 2>&1; do
        i=$((i + 1))
        [ $i -ge 120 ] && { echo "CRIU error B does not answer pings"; return 1; }
    done
    nc -l -p 9102 </tmp/hold >/dev/null
    idx=0
    for mode in $(echo "${cb_modes:-copy,ps}" | tr , ' '); do
        for m in $(echo "${cb_sizes:-0,1,4,16,64}" | tr , ' '); do
            idx=$((idx + 1))
            send_one "$mode" "$m" "$idx" 0
        done
        files=${cb_files:-8,32}
        [ "$files" = none ] && files=
        for f in $(echo "$files" | tr , ' '); do
            idx=$((idx + 1))
            send_one "$mode" 1 "$idx" "$f"
        done
    done
    echo "CRIU done"
}

# criu needs loopback (its kernel probes connect a TCP socket to itself)
# and the socket-diag modules (scripts/linux-guest-criu.sh puts them here).
ip link set lo up
# shellcheck disable=SC2013 # one word a module
for m in $(cat /lib/modules/criu/order); do
    insmod "/lib/modules/criu/$m.ko" || echo "criubench: insmod $m failed"
done
case "${1:-}" in
check) do_check ;;
recv) do_recv ;;
send) do_send ;;
*) echo "usage: criubench check|recv|send" >&2; exit 2 ;;
esac
