# shellcheck shell=sh
# Shared by the fetch scripts (scripts/fetch-lwip.sh, fetch-busybox.sh,
# linux-guest.sh), which source it: Debian packages come from the archive
# the system's own apt is configured with, never from an address written
# in the repo. POSIX sh; needs apt-get, apt-cache and apt-config.
#
#   apt_fetch_deb DIR SPEC...     apt-get download SPEC (NAME or NAME=VERSION)
#                                 into DIR with the system's sources and lists
#                                 (apt-get update first if a SPEC is unknown).
#   apt_fetch_source DIR SPEC...  apt-get source --download-only into DIR from
#                                 deb-src entries derived from the system's
#                                 deb entries, in a private apt state (the
#                                 system's lists are left alone; deb-src need
#                                 not be enabled).
#   apt_fetch_known SPEC...      apt-get update (sudo when not root) unless
#                                 apt knows every SPEC.
#   apt_fetch_src_entries DIR     write those derived entries into DIR
#                                 (deb-src.sources and deb-src.list).
#   apt_fetch_sha_ok FILE SHA256  true when FILE has that sha256.
#   apt_fetch_binary TMP PKG VER SHA256 BIN OUT DEB [LOCAL_DEB]
#                                 the pinned PKG=VER .deb (LOCAL_DEB if given,
#                                 else apt_fetch_deb) checked against SHA256,
#                                 its file ./BIN extracted to OUT and the
#                                 .deb kept as DEB; TMP is scratch space.
# Callers define say() and die(). Downloads are checked by apt against the
# signed Release files; callers still check their pinned sha256.

# As root, apt hands downloads to the _apt user, who may not write into a
# caller's directory: keep the download as root.
apt_fetch_opts() {
    if [ "$(id -u)" = 0 ]; then
        echo "-o APT::Sandbox::User=root"
    fi
}

# The system's source files: one-line .list files and deb822 .sources files,
# where apt-config says they are (normally /etc/apt/sources.list{,.d/}).
apt_fetch_source_files() {
    eval "$(apt-config shell APT_SL Dir::Etc::SourceList/f APT_SP Dir::Etc::SourceParts/d)"
    [ -n "${APT_SL:-}" ] && [ -f "$APT_SL" ] && echo "$APT_SL"
    for f in "${APT_SP:-/etc/apt/sources.list.d/}"*.list "${APT_SP:-/etc/apt/sources.list.d/}"*.sources; do
        [ -f "$f" ] && echo "$f"
    done
    return 0
}

# deb822 stanzas of type deb, re-typed deb-src (Enabled: no ones dropped);
# every other field (URIs, Suites, Components, Signed-By...) is kept as is.
apt_fetch_deb822_src() {
    awk '
    function flush(i) {
        if (n && keep && !off) {
            print "Types: deb-src"
            for (i = 1; i <= n; i++)
                print line[i]
            print ""
        }
        n = 0; keep = 0; off = 0
    }
    /^#/ { next }
    /^[ \t]*$/ { flush(); next }
    tolower($1) == "types:" {
        for (i = 2; i <= NF; i++)
            if ($i == "deb")
                keep = 1
        next
    }
    tolower($1) == "enabled:" { if (tolower($2) == "no") off = 1; next }
    { line[++n] = $0 }
    END { flush() }' "$@"
}

# One-line entries "deb [options] URI SUITE COMPONENTS", re-typed deb-src.
apt_fetch_list_src() {
    sed -n 's/^[[:space:]]*deb[[:space:]]\{1,\}/deb-src /p' "$@"
}

apt_fetch_src_entries() {
    : >"$1/deb-src.sources"
    : >"$1/deb-src.list"
    for f in $(apt_fetch_source_files); do
        case $f in
        *.sources) apt_fetch_deb822_src "$f" >>"$1/deb-src.sources" ;;
        *) apt_fetch_list_src "$f" >>"$1/deb-src.list" ;;
        esac
    done
    [ -s "$1/deb-src.sources" ] || [ -s "$1/deb-src.list" ] ||
        die "no deb entries in the system's apt sources ($(apt_fetch_source_files | tr '\n' ' '))"
}

# apt-get update (the system's lists) unless apt knows every SPEC already.
apt_fetch_known() {
    for spec in "$@"; do
        if ! apt-cache show "$spec" >/dev/null 2>&1; then
            say "apt does not know $spec yet; running apt-get update"
            if [ "$(id -u)" = 0 ]; then
                apt-get update -qq || die "apt-get update failed"
            else
                sudo -n apt-get update -qq || die "apt-get update (through sudo) failed"
            fi
            return
        fi
    done
}

apt_fetch_deb() {
    dir=$1
    shift
    apt_fetch_known "$@"
    # shellcheck disable=SC2046 # apt_fetch_opts is a list of options
    (cd "$dir" && apt-get download -q $(apt_fetch_opts) "$@") >"$dir/.apt.log" 2>&1 || {
        cat "$dir/.apt.log" >&2
        die "apt-get download $* failed"
    }
    rm -f "$dir/.apt.log"
}

apt_fetch_sha_ok() {
    [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$2" ]
}

apt_fetch_binary() {
    _t=$1 _p=$2 _v=$3 _s=$4 _b=$5 _o=$6 _d=$7 _l=${8:-}  # POSIX sh: no locals
    for tool in dpkg-deb tar sha256sum; do
        command -v $tool >/dev/null || die "$tool is missing"
    done
    if [ -n "$_l" ]; then
        [ -f "$_l" ] || die "$_l does not exist"
        cp "$_l" "$_t/pkg.deb"
    else
        command -v apt-get >/dev/null || die "apt-get is missing: give the .deb by hand"
        say "downloading $_p $_v with the system's apt"
        apt_fetch_deb "$_t" "$_p=$_v"
        mv "$_t/${_p}"_*.deb "$_t/pkg.deb" 2>/dev/null || die "apt did not download $_p"
    fi
    apt_fetch_sha_ok "$_t/pkg.deb" "$_s" ||
        die "$_p $_v: the .deb has sha256 $(sha256sum "$_t/pkg.deb" | cut -d' ' -f1), expected $_s"
    mkdir -p "$_t/x"
    dpkg-deb --fsys-tarfile "$_t/pkg.deb" | tar -x -C "$_t/x" "./$_b" ||
        die "no ./$_b in $_p"
    mkdir -p "$(dirname "$_o")" "$(dirname "$_d")"
    mv "$_t/x/$_b" "$_o"
    mv "$_t/pkg.deb" "$_d"
}

apt_fetch_source() {
    dir=$1
    shift
    specs="$*"
    st=$(mktemp -d "$dir/.apt.XXXXXX")
    st=$(cd "$st" && pwd) # absolute: apt resolves its directories itself
    mkdir -p "$st/parts" "$st/lists/partial"
    apt_fetch_src_entries "$st/parts"
    # shellcheck disable=SC2046 # apt_fetch_opts is a list of options
    set -- -q -o "Dir::Etc::SourceList=/dev/null" -o "Dir::Etc::SourceParts=$st/parts" \
        -o "Dir::State::Lists=$st/lists" $(apt_fetch_opts)
    if ! apt-get "$@" update >"$st/log" 2>&1; then
        cat "$st/log" >&2
        die "apt-get update with deb-src entries from the system's sources failed"
    fi
    # --download-only: apt fetches the .dsc and tarballs and checks them
    # against the signed Release file; it does not run dpkg-source.
    # shellcheck disable=SC2086 # specs are words without blanks
    if ! (cd "$dir" && apt-get "$@" source --download-only $specs) >"$st/log" 2>&1; then
        cat "$st/log" >&2
        rm -rf "$st"
        die "apt-get source --download-only $specs failed"
    fi
    rm -rf "$st"
}
