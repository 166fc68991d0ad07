# bash features that reach the kernel differently from busybox's ash, run
# by Debian's bash-static on Wisp and on the host (tests/qemu/bash_static.sh):
# the two outputs must be equal line by line. Values that differ by nature
# (pids, times, limits, paths) are printed as predicates. Scratch files go
# to a fresh directory under /tmp.
# shellcheck shell=bash disable=SC1083,SC2016,SC2018,SC2019,SC2034,SC2050,SC2093,SC2116,SC2154,SC2157,SC2162,SC2164,SC2219,SC2320
# (constant tests, let, read without -r, {fd} names and the like are what is tested)
set -u
umask 022
sec() { echo "--- $1"; }
T=$(mktemp -d /tmp/bash_static.XXXXXX) || exit 1
cd "$T" || exit 1

sec arrays
a=(one two three); a+=(four)
echo "${#a[@]} ${a[2]} ${a[-1]} ${!a[*]}"
unset 'a[1]'; echo "${a[*]} ${#a[@]} ${!a[*]}"
declare -A m=([x]=1 [y]=2); m[z]=3; m[x]+=0
for k in $(printf '%s\n' "${!m[@]}" | sort); do echo "$k=${m[$k]}"; done
mapfile -t lines < <(printf 'l1\nl2\nl3\n'); echo "${#lines[@]} ${lines[1]}"
declare -p a
declare -i i=5; i+=2; echo "i=$i"
echo {a..e} {1..10..3} x{y,z}

sec tests
[[ abc == a?c && -n x && 5 -gt 3 && ! abc < abb ]] && echo yes
[[ foo123 =~ ^([a-z]+)([0-9]+)$ ]] && echo "${BASH_REMATCH[1]} ${BASH_REMATCH[2]}"
[[ -d /tmp && -w /tmp && -e /dev/null && -c /dev/null ]] && echo tmp-ok
shopt -s extglob; x=aaa123; echo "${x##+(a)}"
shopt -s nullglob; set -- /nonexistent-*; echo "nullglob $#"; shopt -u nullglob

sec arith
echo $(( 2**10 )) $(( 7 % 3 )) $(( (1<<62) * 2 )) $(( -7 / 2 )) $(( 0x10 + 010 + 2#101 ))
(( x = 5, x *= 3 )); echo "x=$x"
let "y = x + 1"; echo "y=$y"
(( 0 )); echo "zero=$?"
echo $(( 1 ? 2 : 3 )) $(( ~0 )) $(( 5 > 3 && 2 < 1 ))

sec strings
v=banana
echo "${v//a/o} ${v:1:3} ${v#b*n} ${v%%n*} ${#v} ${v^^} ${v/#b/B} ${v: -2}"
printf -v pv '%05d|%-4s|%x|%o' 42 ab 255 8; echo "$pv"
printf '%q\n' 'a b$c'
echo "${v@Q} ${v@U}"
s="a,b,,c"; IFS=, read -ra parts <<< "$s"; echo "${#parts[@]} ${parts[3]}"
printf '%s\n' "$(< /dev/null)" | wc -c

sec procsubst
cat <(echo from-procsubst)
diff <(printf 'a\nb\n') <(printf 'a\nc\n') >/dev/null; echo "diff=$?"
while read -r l; do echo "got $l"; done < <(printf 'x\ny\n')
echo written > >(tr a-z A-Z >ps.out); wait $!; cat ps.out
paste <(seq 3) <(seq 4 6)
[[ -e /dev/fd/0 && -e /dev/stdin ]] && echo devfd

sec here
tr a-z A-Z <<< "here string"
read -r w1 w2 <<< "w1 w2"; echo "$w2 $w1"
cat <<END
heredoc $((1 + 1)) ${v:0:3}
END
cat <<'END'
quoted $v
END

sec fds
exec {fd}>f.txt; (( fd >= 10 )) && echo "fd>=10"; echo line1 >&"$fd"; echo line2 >&"$fd"; exec {fd}>&-
exec {rd}<f.txt; read -r l <&"$rd"; echo "$l"; read -r -u "$rd" l; echo "$l"; exec {rd}<&-
exec 7>&1; echo via7 >&7; exec 7>&-
exec 3<>rw.txt; echo abc >&3; exec 3>&-; cat rw.txt
{ echo out; echo err >&2; } 2>&1 >/dev/null | cat
echo "$(< f.txt)" | wc -l
for n in {1..200}; do echo "$n"; done >nums; wc -l <nums; tail -n 1 nums
set -o noclobber; { echo x >f.txt; } 2>/dev/null; echo "noclobber=$?"; set +o noclobber

sec status
false | true; echo "pipe=$? ${PIPESTATUS[*]}"
set -o pipefail; false | true; echo "pipefail=$?"; set +o pipefail
(exit 3); echo "sub=$?"
( trap 'echo sub-exit-trap' EXIT; exit 4 ); echo "sub=$?"
"$BASH" -c 'exit 5'; echo "bashc=$?"
"$BASH" -c 'kill -TERM $$'; echo "term=$?"
"$BASH" -c 'exec echo exec-ok'
echo "$(exit 9)$?"
echo "subshell=$BASH_SUBSHELL $(echo $BASH_SUBSHELL)"

sec traps
trap 'echo "ERR at $LINENO"' ERR; false; trap - ERR
trap 'echo got-USR1' USR1; kill -USR1 $$; trap - USR1
trap 'echo got-INT' INT; kill -INT $$; trap - INT
trap 'echo got-TERM' TERM; kill -TERM $$; trap - TERM
f() { trap 'echo RETURN-trap' RETURN; return 0; }; f; trap - RETURN
trap -p EXIT; trap 'echo in-exit-trap' EXIT; trap -p EXIT; trap - EXIT
"$BASH" -c 'trap "echo child-exit" EXIT; exit 2'; echo "st=$?"

sec jobs
sleep 5 & p1=$!; sleep 0.1 & p2=$!
wait -n -p who; st=$?; [[ $who == "$p2" ]] && echo "wait-n first=p2 st=$st"
kill "$p1"; wait "$p1"; echo "p1=$?"; wait; echo "all=$?"
( exit 7 ) & wait $!; echo "bg=$?"
( sleep 5 & kill $!; wait $!; echo "killed=$?" ) 2>/dev/null
( sleep 5 & kill -9 $!; wait $!; echo "killed9=$?" ) 2>/dev/null
coproc UP { tr a-z A-Z; }
echo hello >&"${UP[1]}"; exec {UP[1]}>&-; read -r r <&"${UP[0]}"; echo "$r"; wait "$UP_PID"; echo "coproc=$?"
[[ $("$BASH" -c 'echo $PPID') == "$$" ]] && echo ppid-ok
(( BASHPID == $$ )) && echo bashpid-main; ( (( BASHPID != $$ )) && echo bashpid-sub )
kill -0 $$ && echo alive
jobs; echo "jobs=$?"

sec read
read -t 0.2 tv < <(sleep 2); echo "timeout=$(( $? > 128 ))"
read -t 5 tv < <(echo quick); echo "read=$? $tv"
read -t 0 </dev/null; echo "read0=$?"
read -n 3 c3 <<< "abcdef"; echo "$c3"
read -d , d1 <<< "x,y"; echo "$d1"
seq 500 | { s=0; while read -r n; do (( s += n )); done; echo "sum=$s"; }

sec limits
ulimit -a | sed -n 's/.*\(-[a-zA-Z]\)) .*/\1/p' | tr '\n' ' '; echo
n=$(ulimit -n); [[ $n =~ ^[0-9]+$ ]] && echo nofile-num
ulimit -S -n 32; echo "soft=$(ulimit -S -n)"
( ulimit -S -n 16; echo "sub=$(ulimit -S -n)"; exec 3</dev/null; exec 20</dev/null ) 2>/dev/null; echo "fd20=$?"
ulimit -S -c 0; echo "core=$(ulimit -c)"
ulimit -S -s >/dev/null && echo stack-ok
ulimit -S -n 100000 2>/dev/null; echo "raise-past-hard=$(( $? != 0 ))"

sec times
times | while read -r u s; do
    [[ $u =~ ^[0-9]+m[0-9]+\.[0-9]{3}s$ && $s =~ ^[0-9]+m[0-9]+\.[0-9]{3}s$ ]] && echo times-ok
done
TIMEFORMAT=%R; t=$( { time sleep 0.1; } 2>&1 ); [[ $t =~ ^[0-9]+\.[0-9]{3}$ ]] && echo time-ok
s0=$SECONDS; sleep 1.2; (( SECONDS - s0 >= 1 )) && echo seconds-advance
(( EPOCHSECONDS > 1700000000 )) && echo epoch-now
[[ $EPOCHREALTIME =~ ^[0-9]+\.[0-9]{6}$ ]] && echo epochrealtime
(( $(printf '%(%Y)T' -1) >= 2024 )) && echo strftime

sec random
RANDOM=42; echo $RANDOM $RANDOM $RANDOM
RANDOM=42; echo $RANDOM
r=$SRANDOM; [[ $r =~ ^[0-9]+$ ]] && (( SRANDOM != SRANDOM || 1 )) && echo srandom

sec builtins
type -t echo ls f cd if
hash -r; ls >/dev/null; hash -t ls | sed 's,.*/,,'
kill -l
kill -l 15; kill -l TERM; kill -l 130
set -- -a -b val -c rest more
while getopts "ab:c" o; do echo "opt $o ${OPTARG-}"; done; shift $(( OPTIND - 1 )); echo "rest $*"
command -v cd; builtin echo builtin-ok
echo "$HOSTTYPE $OSTYPE ${BASH_VERSINFO[0]}.${BASH_VERSINFO[1]}"
(( UID == EUID )) && echo uid-same
umask; umask 027; umask -S; umask 022
help -d cd
compgen -b | wc -l
shopt -s globstar; mkdir -p g/a/b; : >g/a/b/x.txt; : >g/y.txt; echo g/**/*.txt
pushd g/a >/dev/null; echo "${PWD##*/}"; popd >/dev/null; echo "${PWD##*/}" | grep -c bash_static

sec functions
fact() { local n=$1; if (( n <= 1 )); then r=1; else fact $(( n - 1 )); r=$(( r * n )); fi; }
fact 20; echo "fact=$r"
fib() { if (( $1 < 2 )); then echo "$1"; else echo $(( $(fib $(( $1 - 1 ))) + $(fib $(( $1 - 2 ))) )); fi; }
echo "fib=$(fib 9)"
g() { local -n ref=$1; ref=set-by-ref; }; g target; echo "$target"
h() { echo "${FUNCNAME[0]} ${#FUNCNAME[@]} $#"; }; h 1 2 3
declare -f fact | head -1

cd / && rm -rf "$T"
echo "--- done"
