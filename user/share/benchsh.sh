# The shell workload of `make bench` (docs/bench.md), run by busybox's sh
# with the same busybox on Wisp and on the Linux guest, timed by benchsh:
# N rounds (argument 1, default 300) of two command substitutions holding
# a 4-stage and a 2-stage pipeline of text tools, and a subshell: about 9
# processes a round (ash forks every pipeline stage), and seq/sort/uniq/wc
# at the end. Prints "shbench ok SUM" when the text
# tools agreed; anything else is an error for benchsh.
n=${1:-300}
i=0
sum=0
while [ $i -lt "$n" ]; do
    w=$(echo "round $i of the shell bench" | tr a-z A-Z | sed 's/ROUND/r/' | awk '{ print $2 }')
    c=$(echo "$w" | wc -c)
    (exit 0) || break
    sum=$((sum + c))
    i=$((i + 1))
done
u=$(seq 1 "$n" | sort -rn | uniq | wc -l)
[ "$u" -eq "$n" ] && [ "$w" -eq $((n - 1)) ] && echo "shbench ok $sum"
