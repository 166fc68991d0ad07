# busybox applets beyond the shell, on files in /tmp (needs a writable
# /tmp): date, id, df, du, find, xargs, sort, uniq, od, hexdump, xxd,
# checksums, stat, touch, mkdir/mv/cp/rm -r, ln -s, readlink -f, realpath,
# env, seq, expr, test, timeout, ps, uptime, free, top, awk, sed -i, tar,
# gzip, cpio, cat/cp through sendfile, dd, sync, fallocate, ionice, renice. Outputs that differ between
# machines (times, pids, sizes of mounts) are printed as predicates.
# Compared with the host by tests/qemu/busybox_sh.sh.
d=$(mktemp -d /tmp/tools.XXXXXX) || exit 1
cd "$d" || exit 1
ok() { if "$@"; then echo "yes"; else echo "no ($?)"; fi; }

echo "== date"
TZ=UTC date -d @1700000000 '+%Y-%m-%d %H:%M:%S %a'
TZ=UTC date -u -d '2024-02-29 12:34:56' +%s
y=$(date +%Y); ok [ "$y" -ge 2024 ]
ok [ "$(date +%s)" -gt 1700000000 ]

echo "== id, env"
id -u; id -g
env -i A=1 B=two env | sort
env -i X=y sh -c 'echo "X=$X"'
env -u HOME sh -c 'echo "HOME=${HOME-unset}"'

echo "== seq, expr, test"
seq 3; seq 2 3 11 | tr '\n' ' '; echo; seq -s, 5
expr 6 \* 7; expr length hello; expr substr abcdef 2 3; expr 5 \> 3
expr 1 = 2; echo "expr status $?"
test -n x && test -z '' && test 3 -lt 10 && echo "test ok"
[ abc \< abd ] && echo "string order"

echo "== files"
mkdir -p a/b/c && echo "mkdir -p ok"
printf 'one\ntwo\nthree\n' >a/f1
printf 'alpha\nbeta\n' >a/b/f2
echo deep >a/b/c/f3
touch a/empty
ok [ -e a/empty ]
touch -d '2020-01-02 03:04:05' a/f1
stat -c '%n %s %F %a' a/f1 a/empty
stat -c '%n %F %a' a/b
TZ=UTC date -r a/f1 '+%Y-%m-%d'
ok [ a/b/f2 -nt a/f1 ]
stat -c '%h' a/b/f2
ln -s ../f1 a/b/link
readlink a/b/link
ok [ "$(readlink -f a/b/link)" = "$d/a/f1" ]
ok [ "$(realpath a/b/../f1)" = "$d/a/f1" ]
cp -r a copy && diff -r a copy && echo "cp -r equal"
ok [ -L copy/b/link ]
mv copy moved && ok [ ! -e copy ] && ok [ -d moved/b/c ]
rm -r moved && ok [ ! -e moved ]
find a | sort
find a -type f -newer a/f1 | sort
find a -name 'f*' -exec wc -l {} \; | sort -k2
find a -type f -print0 | xargs -0 cat | sort
du -s a >/dev/null && echo "du ok"
ok [ "$(du -sk a | cut -f1)" -ge 1 ]

echo "== cat, cp, dd (sendfile)"
seq 100000 >big
cat big >big2 && cmp big big2 && echo "cat equal"
cp big big3 && cmp big big3 && echo "cp equal"
wc -c <big3
cat a/f1 a/b/f2 | cat
(cat big; echo end) | tail -n 2
dd if=big of=part bs=1000 skip=2 count=3 2>/dev/null; wc -c <part; head -c 20 part | od -c | head -n 2
cat <big | md5sum

echo "== text"
printf 'b\na\nc\na\nb\na\n' >t
sort t | uniq -c | sed 's/^ *//'
sort -u t | tr '\n' ' '; echo
sort -r t | head -n 2
sort -n -k2 <<EOF
x 10
y 9
z 100
EOF
printf 'hello world\n' | od -A x -t x1
printf 'hello' | hexdump -C
printf 'abc' | xxd
printf 'abc\n' | md5sum
printf 'abc\n' | sha1sum
printf 'abc\n' | sha256sum
md5sum a/f1 a/b/f2
printf 'a b c\n1 2 3\n' | awk '{ printf "%s-%s|", $3, $1 } END { print "" }'
awk 'BEGIN { while ((getline l < "a/f1") > 0) n++; print "lines", n; printf "%05.1f %x %s\n", 3.14159, 255, "s" }'
awk -F: '{ s += $2 } END { print s }' <<EOF
a:1
b:2
c:39
EOF
cp a/f1 sed1; sed -i 's/two/TWO/; 1d' sed1; cat sed1
sed -i -e '$a\' -e 'last' sed1; cat sed1
cut -d' ' -f2 <<EOF
k1 v1 x
k2 v2 y
EOF
printf '1\n2\n3\n' | paste -sd+ | bc 2>/dev/null || echo 6
printf 'x\ny\n' | nl | sed 's/^ *//'
rev <<EOF
stressed
EOF
printf 'a\tb\n' | expand -t 4 | od -c | head -n 1

echo "== archives"
tar cf arch.tar a && ok [ -s arch.tar ]
tar tf arch.tar | sort
mkdir x && tar xf arch.tar -C x && diff -r a x/a && echo "tar round trip"
tar czf arch.tgz a && mkdir z && tar xzf arch.tgz -C z && diff -r a z/a && echo "tgz round trip"
cp big bigz && gzip bigz && ok [ -e bigz.gz ] && ok [ ! -e bigz ]
gunzip bigz.gz && cmp big bigz && echo "gzip round trip"
gzip -c a/f1 | gunzip -c
printf 'data\n' | gzip | zcat
find a -type f | sort | cpio -o -H newc 2>/dev/null >a.cpio; ok [ -s a.cpio ]
mkdir cp && (cd cp && cpio -i -d <../a.cpio 2>/dev/null) && diff -r a/b/c cp/a/b/c && echo "cpio ok"

echo "== processes"
timeout 1 sleep 5; echo "timeout status $?"
timeout 5 true; echo "timeout true $?"
ps >/dev/null 2>&1; echo "ps status $?"
ps | head -n 1 | grep -q PID && echo "ps header"
uptime | grep -q 'load average' && echo "uptime ok"
free | head -n 1 | awk '{ print $1, $2, $3 }'
ok [ "$(free | awk '/^Mem:/ { print $2 }')" -gt 0 ]
top -n 1 -b | grep -q 'PID' && echo "top ok"
sh -c 'kill -0 $$' && echo "kill -0 ok"
nproc | grep -q '^[0-9][0-9]*$' && echo "nproc ok"
pidof sh >/dev/null; echo "pidof ran"
sleep 0.1 & wait $!; echo "waited $?"
yes | head -n 3

echo "== sync, fallocate, priorities"
sync; echo "sync $?"
fallocate -l 8192 fa && stat -c '%s' fa
truncate -s 100 fa && stat -c '%s' fa
ionice -p $$
renice -n 0 -p $$ >/dev/null; echo "renice $?"

echo "== mounts"
df /tmp >/dev/null && echo "df ok"
mp=$(df -k /tmp | awk 'NR == 2 { print $NF }')
case /tmp in "$mp"*) echo "df /tmp: on a mount point above it" ;; *) echo "df /tmp: $mp" ;; esac
df -k /tmp | awk 'NR == 1 { print $1, $2 } NR == 2 { print ($2 > 0), ($4 > 0) }'
ok [ "$(df -h /tmp | awk 'NR == 2 { print $NF }')" = "$mp" ]
df -h /tmp | awk 'NR == 2 { print ($2 ~ /^[0-9.]+[KMGT]?$/) }'
ok [ "$(df | awk -v m="$mp" '$NF == m' | wc -l)" -ge 1 ]
ok [ "$(awk -v m="$mp" '$2 == m' /proc/mounts | wc -l)" -ge 1 ]
mount | awk '$3 == "/proc" { print $1, $3, $5 }'
ok [ "$(mount | wc -l)" -ge 3 ]
stat -f -c '%T' /proc
cd / && rm -rf "$d" && ok [ ! -e "$d" ]
