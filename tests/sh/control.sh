# Control flow and functions: for, while, until, case, if, break, continue,
# functions with return statuses, recursion, local variables, positional
# parameters. Compared with the host by tests/qemu/busybox_sh.sh.
for i in 1 2 3; do printf '%s ' "$i"; done; echo
for w in "a b" c; do echo "[$w]"; done
i=0
while [ $i -lt 5 ]; do
    i=$((i + 1))
    [ $i = 2 ] && continue
    [ $i = 4 ] && break
    echo "while $i"
done
n=3
until [ $n = 0 ]; do echo "until $n"; n=$((n - 1)); done
for x in apple banana cherry 42 -v ''; do
    case $x in
    a*) echo "$x: starts with a" ;;
    *an*) echo "$x: has an" ;;
    [0-9]*) echo "$x: number" ;;
    -?) echo "$x: option" ;;
    '') echo "empty" ;;
    *) echo "$x: other" ;;
    esac
done
if [ 1 -eq 2 ]; then echo no; elif [ 2 -eq 2 ]; then echo elif; else echo no; fi
greet() { echo "hello $1 ($#)"; return 3; }
greet world x; echo "greet returned $?"
fact() {
    if [ "$1" -le 1 ]; then echo 1; return; fi
    echo $(($1 * $(fact $(($1 - 1)))))
}
echo "10! = $(fact 10)"
v=global
scope() { local v=local; echo "in $v"; }
scope; echo "out $v"
count() { echo "$# args: $*"; shift 2; echo "after shift: $*"; }
count a b c d
set -- x y z
echo "positional $# $1 $3 $@"
for a; do echo "for-args $a"; done
f() { for j in 1 2 3; do for k in a b; do [ $k = b ] && continue 2; echo "$j$k"; done; done; }
f
{ echo group1; echo group2; } | wc -l
