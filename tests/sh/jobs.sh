# Background jobs and wait, traps. Compared with the host by
# tests/qemu/busybox_sh.sh. Outputs are ordered by wait, never by timing.
(exit 3) &
p=$!
wait $p; echo "wait status $?"
sleep 0.2 & sleep 0.1 &
wait; echo "wait all $?"
# ash writes "Terminated" for a job killed by a signal only when it reaps
# the job outside `wait` (it depends on when the child dies): not compared.
( sh -c 'kill -TERM $$' &
wait $!; echo "killed job $?" ) 2>/dev/null
( sleep 10 &
k=$!
kill $k; wait $k; echo "kill bg $?" ) 2>/dev/null
for i in 1 2 3 4 5; do (echo "job $i" >/dev/null; exit $i) & eval "p$i=\$!"; done
for i in 1 2 3 4 5; do eval "wait \$p$i"; echo "job $i: $?"; done
trap 'echo exit trap' EXIT
trap 'echo got USR1' USR1
kill -USR1 $$
echo after USR1
trap 'echo got TERM' TERM
kill -TERM $$
echo after TERM
trap - TERM
(trap 'echo sub exit' EXIT; echo in sub)
(trap 'echo sub TERM; exit 4' TERM; sh -c 'kill -TERM $PPID'; sleep 1); echo "sub trap $?"
trap '' INT
sh -c 'kill -INT $$; echo "ignored INT survives"'
trap 'echo hup in func' HUP
f() { kill -HUP $$; echo "back in f"; }
f
n=0; while [ $n -lt 20 ]; do true & n=$((n + 1)); done; wait; echo "20 jobs waited"
echo end
