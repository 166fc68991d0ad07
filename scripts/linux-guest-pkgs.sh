# shellcheck shell=sh
# Shared by the Linux guest's add-ons (scripts/linux-guest-criu.sh,
# linux-guest-nfs.sh), which source it: a list of pinned Debian packages is
# fetched with the system's apt, checked, unpacked, and programs from it are
# staged with exactly the shared libraries they need, plus kernel modules
# from the guest's own kernel package. POSIX sh.
#
#   lgp_fetch DIR PKGS            every "package version sha256" line of PKGS
#                                 not yet in DIR downloaded (one apt-get call),
#                                 then every .deb checked against its sha256.
#   lgp_unpack DIR PKGS X         the packages unpacked into X (emptied first).
#   lgp_stage_bin X ROOT PATH     X/PATH copied to ROOT/PATH with the shared
#                                 libraries the fetched loader lists for it
#                                 (ROOT/lib/x86_64-linux-gnu, ld.so also in
#                                 ROOT/lib64): ldd against X, not the host.
#   lgp_stage_kmods KDEBDIR DEST X MODS
#                                 MODS' .ko files from the kernel package in
#                                 KDEBDIR copied into DEST, with DEST/order
#                                 holding MODS (their insmod order).
#
# Packages come from the archive the system's apt is configured with
# (scripts/apt_fetch.sh); when the archive drops a pinned version (a newer
# security update replaces it), update that line's version and sha256
# (`apt-cache show PKG` gives both) after checking the new .deb.
# Callers define say() and die() and source scripts/apt_fetch.sh first.

# The .deb of package $2 in directory $1, if there (apt spells an epoch %3a).
lgp_deb_of() {
    for f in "$1/$2"_*.deb; do
        [ -f "$f" ] && { echo "$f"; return 0; }
    done
    return 1
}

lgp_fetch() {
    mkdir -p "$1"
    want=$(echo "$2" | while read -r p v s; do
        if [ -n "$p" ] && ! lgp_deb_of "$1" "$p" >/dev/null; then echo "$p=$v"; fi
    done)
    if [ -n "$want" ]; then
        say "fetching $(echo "$want" | wc -l) packages with the system's apt"
        # shellcheck disable=SC2086 # one spec per word
        apt_fetch_deb "$1" $want
    fi
    echo "$2" | while read -r p v s; do
        [ -n "$p" ] || continue
        f=$(lgp_deb_of "$1" "$p") || die "apt did not download $p=$v"
        apt_fetch_sha_ok "$f" "$s" || {
            rm -f "$f"
            die "$p $v: sha256 $(sha256sum "$f" | cut -d' ' -f1), expected $s"
        }
    done
}

lgp_unpack() {
    rm -rf "$3"
    mkdir -p "$3"
    echo "$2" | while read -r p v s; do
        if [ -n "$p" ]; then dpkg-deb -x "$(lgp_deb_of "$1" "$p")" "$3"; fi
    done
}

lgp_stage_bin() {
    ld="$1/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"
    [ -x "$ld" ] || die "no ld-linux-x86-64.so.2 in libc6"
    mkdir -p "$2/$(dirname "$3")" "$2/lib/x86_64-linux-gnu" "$2/lib64"
    cp "$1/$3" "$2/$3"
    libs=$("$ld" --library-path "$1/lib/x86_64-linux-gnu:$1/usr/lib/x86_64-linux-gnu" \
        --list "$1/$3") || die "the fetched loader cannot list $3's libraries"
    if echo "$libs" | grep -q 'not found'; then
        die "$3 needs libraries no pinned package has: $(echo "$libs" | grep 'not found' | tr '\n' ' ')"
    fi
    echo "$libs" | sed -n 's/^[[:space:]]*\([^ ]*\) => \([^ ]*\) .*/\1 \2/p' |
        while read -r name path; do
            cp -L "$path" "$2/lib/x86_64-linux-gnu/${name##*/}"
        done
    cp -L "$ld" "$2/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"
    cp -L "$ld" "$2/lib64/ld-linux-x86-64.so.2"
}

lgp_stage_kmods() {
    rm -rf "$3"
    mkdir -p "$3" "$2"
    kdeb=$(find "$1" -name 'linux-image-*.deb' | head -n 1)
    [ -n "$kdeb" ] || die "no kernel package in $1 (scripts/linux-guest.sh)"
    # shellcheck disable=SC2046 # one pattern per module
    dpkg-deb --fsys-tarfile "$kdeb" |
        tar -x -C "$3" --wildcards $(for m in $4; do echo "*/$m.ko"; done)
    for m in $4; do
        ko=$(find "$3" -name "$m.ko" | head -n 1)
        [ -n "$ko" ] || die "no $m.ko in the kernel package"
        cp "$ko" "$2/$m.ko"
    done
    echo "$4" >"$2/order"
    rm -rf "$3"
}
