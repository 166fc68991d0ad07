# Text tools on pipes: sed, awk, sort, uniq, tr, wc, cut, head, tail,
# grep -E, xargs, seq. Compared with the host by tests/qemu/busybox_sh.sh.
data() {
    printf '%s\n' "pear 3 green" "apple 10 red" "fig 7 purple" "apple 2 green" "kiwi 5 brown"
}
data | sort
data | sort -k2 -n
data | sort -r -k1,1 -k2,2n
data | cut -d' ' -f1 | sort | uniq -c
data | cut -d' ' -f1 | sort -u | tr '\n' ,; echo
data | awk '{ s += $2; n++ } END { print n, s, s / n }'
data | awk -F' ' '$3 == "green" { print toupper($1) }'
data | awk '{ a[$1] += $2 } END { for (k in a) print k, a[k] }' | sort
data | sed -n '2,3p'
data | sed 's/\([a-z]*\) \([0-9]*\)/\2:\1/; /fig/d'
data | sed -E 's/(a+)(p+)/<\2\1>/g'
data | grep -E '^(apple|kiwi) [0-9]+' | wc -l
data | grep -c green
data | grep -vE 'e' || echo "no lines without e: $?"
data | grep -n fig
data | head -n 2
data | tail -n 2
data | tail -n +4
data | wc
echo "Hello, World" | tr 'a-z' 'A-Z'
echo "hello   world" | tr -s ' '
echo "hello world" | tr -d 'lo'
printf 'a b\nc d e\n' | wc -w
seq 1 5 | xargs echo
seq 1 7 | xargs -n 3 echo line
printf '%s\n' x y z | xargs -I{} echo "<{}>"
seq 10 | awk 'NR % 3 == 0' | paste -sd+
seq 100 | sort -rn | head -3
seq 20 | sed -n '$p'
echo "a:b:c:d" | cut -d: -f2-3
echo "abcdef" | cut -c2-4
printf 'b\na\nb\nc\na\n' | sort | uniq -d
printf '3\n1\n2\n' | sort -n | tr '\n' ' '; echo
echo "x=1;y=2" | awk -F';' '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); print kv[2], kv[1] } }'
yes abc | head -n 3
expr 6 \* 7
basename /usr/lib/wisp/bin/sh; dirname /usr/lib/wisp/bin/sh
