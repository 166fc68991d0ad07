# A build-like workload for the shared file system (issue 9; run by
# tests/qemu/fs_build.sh and scripts/bench_fs.py with the same busybox on
# Wisp, on the Linux guest and on the host): in directory DIR (made anew,
# removed at the end) it writes DIRS x FILES small "sources" (1-2 KiB),
# "compiles" each (reads it back and writes an object), rewrites every
# fourth source and recompiles it, "links" the objects into one file,
# checks it, and deletes the tree. Prints
#   fsbuild ok files N bytes B sum MD5
# where MD5 depends only on DIRS and FILES: the same on every node, with
# caching on or off. Usage: sh fsbuild.sh DIR [DIRS [FILES]] (8 x 16).
d=${1:?usage: fsbuild.sh DIR [DIRS [FILES]]}
nd=${2:-8}
nf=${3:-16}
rm -rf "$d" && mkdir -p "$d" || exit 1
i=0
while [ $i -lt "$nd" ]; do
    mkdir "$d/src$i" "$d/obj$i" || exit 1
    j=0
    while [ $j -lt "$nf" ]; do
        { echo "/* unit $i.$j */"; seq 1 $((j * 4 + i + 60)) | sed "s/.*/int v${i}_${j}_&;/"; } \
            >"$d/src$i/f$j.c" || exit 1
        j=$((j + 1))
    done
    i=$((i + 1))
done
compile() { tr 'a-z' 'A-Z' <"$1" >"$2"; }
for s in "$d"/src*/f*.c; do
    o=${s%.c}.o
    compile "$s" "$d/obj${o#"$d"/src}" || exit 1
done
# an "edit" of every fourth unit, and its recompilation
for s in "$d"/src*/f*[048].c "$d"/src*/f1[26].c; do
    [ -e "$s" ] || continue
    echo "int edited;" >>"$s" && o=${s%.c}.o && compile "$s" "$d/obj${o#"$d"/src}" || exit 1
done
cat "$d"/obj*/f*.o >"$d/prog" || exit 1
n=$(ls "$d"/obj* | grep -c '\.o$')
b=$(wc -c <"$d/prog")
sum=$(md5sum <"$d/prog" | cut -d' ' -f1)
rm -rf "$d" || exit 1
[ ! -e "$d" ] || exit 1
echo "fsbuild ok files $n bytes $b sum $sum"
