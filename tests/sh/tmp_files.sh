# Files in /tmp (needs a writable /tmp): redirections to files, >> and
# noclobber, test -f/-d/-s, mkdir -p, mv, rm, ln, find, xargs, text tools on
# files, sort -o. Compared with the host by tests/qemu/busybox_sh.sh.
d=$(mktemp -d /tmp/shtest.XXXXXX) || exit 1
cd "$d" || exit 1
echo one >f; echo two >>f; cat f
wc -l <f
printf 'c\na\nb\n' >g; sort -o g g; cat g
set -C; (echo clobber >f) 2>/dev/null || echo "noclobber $?"; set +C
echo forced >|f; cat f
[ -f f ] && [ -s f ] && [ ! -d f ] && echo "f is a file"
mkdir -p a/b/c && [ -d a/b/c ] && echo "mkdir -p"
echo deep >a/b/c/file
echo x >a/one.txt; echo y >a/b/two.txt; echo z >a/b/three.log
find . -name '*.txt' | sort
find a -type d | sort
find . -type f -name '*.t*' | sort | xargs cat
find a -type f | xargs wc -l | sort -k2 | awk '{ print $1, $2 }'
mv g h; [ -e g ] || echo "moved"; cat h
ln -s h link; cat link; readlink link
cp h h2; cmp h h2 && echo "copies equal"
: >empty; [ -s empty ] || echo "empty is empty"
seq 1000 >big; wc -c <big; tail -n 1 big
sed -i 's/^1$/first/' big; head -n 1 big
awk 'NR > 995' big >tail5; cat tail5 | tr '\n' ' '; echo
exec 5>out5; echo "via fd 5" >&5; exec 5>&-; cat out5
exec 6<h; read -r l <&6; echo "read fd 6: $l"; exec 6<&-
ls a | sort
for f in a/*.txt; do echo "glob $f"; done
grep -rl y a | sort
rm -r a; [ -d a ] || echo "removed a"
cd / && rm -rf "$d" && [ ! -e "$d" ] && echo "cleaned up"
