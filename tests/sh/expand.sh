# Expansions: arithmetic, parameters, command substitution, quoting, IFS,
# field splitting. Compared with the host by tests/qemu/busybox_sh.sh.
echo $((1 + 2 * 3)) $(( (1 + 2) * 3 )) $((17 / 5)) $((17 % 5)) $((-7 / 2))
echo $((1 << 10)) $((0xff)) $((010)) $((5 > 3)) $((5 == 4)) $((!0)) $((~0))
a=5; b=7; echo $((a * b)) $((a += 2)) $a $((b--)) $b $((++b))
echo $((a > b ? a : b)) $(( (a & 3) | 8 ^ 1 ))
echo $((9223372036854775807 + 0))
s=/usr/lib/wisp/bin.tar.gz
echo "${s#*/}" "${s##*/}" "${s%.*}" "${s%%.*}" "${#s}"
unset u; e=
echo "[${u:-default}] [${e:-empty}] [${e-set}] [${u+alt}] [${s:+alt}]"
echo "[${u:=assigned}] [$u]"
( : "${nope:?is required}" ) 2>&1 | sed 's/^.*nope/nope/'
echo "cmd: $(echo inner $(echo nested))" "`echo backtick`"
echo 'single $a' "double $a" "esc \$a \\ \"q\"" a\ b
x="  spaced   words  "
echo [$x] ["$x"]
set -- $x; echo "$# fields"
IFS=:; set -- a:b::c; echo "$# ifs fields"; IFS=' 	
'
str="one two three"
for w in $str; do echo "w=$w"; done
echo "${str}s" "${str%% *}"
printf '%s-%d-%x-%5s|\n' str 42 255 pad
printf '%s\n' "$(printf 'line1\nline2\n\n\n')" | wc -l
n=$(printf '%s' abc | wc -c); echo "chars $((n))"
echo $(( $(echo 20) + $(echo 22) ))
