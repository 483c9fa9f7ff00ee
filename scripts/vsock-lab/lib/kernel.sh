# shellcheck shell=bash
# shellcheck disable=SC2034 # the LAB_* variables set here are read by lab.sh
# Fetches Debian's cloud kernel into the cache (outside the repository) and picks the
# modules the lab needs in dependency order.
#
# Cache layout (${VSOCKBENCH_LAB_CACHE:-$HOME/.cache/vsockbench-lab}):
#   debs/<package>_<version>_amd64.deb        what apt-get download fetched
#   kernels/<package>_<version>/              the package extracted, with modules.dep
#   kvm-probe/<key>                           remembered answer of the KVM boot probe

readonly LAB_KERNEL_META=linux-image-cloud-amd64
# The download or extraction under way (a temporary directory in the cache): lab.sh's EXIT
# trap removes it when lab_die or a signal ends the run before it is moved into place.
LAB_PARTIAL=""

lab_cache_dir() { printf '%s\n' "${VSOCKBENCH_LAB_CACHE:-$HOME/.cache/vsockbench-lab}"; }

# Prints "<package> <version>": the versioned package (linux-image-<abi>-cloud-amd64) and the
# exact version that the metapackage's candidate depends on; nothing when apt does not know it.
lab_kernel_resolve_package() {
    apt-cache show --no-all-versions "$LAB_KERNEL_META" 2>/dev/null |
        sed -n 's/^Depends:.*\(linux-image-[0-9][^ ,]*-cloud-amd64\) (= \([^)]*\)).*/\1 \2/p' | head -1
}

# Newest kernel already extracted in the cache: lets the lab run without apt lists.
# A pinned package (VSOCKBENCH_LAB_KERNEL_PACKAGE) only falls back to that package.
lab_kernel_newest_cached() {
    local cache=$1 dir newest=""
    for dir in "$cache"/kernels/"${VSOCKBENCH_LAB_KERNEL_PACKAGE:-}"*/; do
        [[ -f $dir/.complete ]] || continue
        if [[ -z $newest || $dir -nt $newest ]]; then newest=$dir; fi
    done
    [[ -n $newest ]] && basename "$newest"
}

lab_kernel_candidate_version() {
    apt-cache policy "$1" 2>/dev/null | awk '$1 == "Candidate:" && $2 != "(none)" { print $2; exit }'
}

# Prints the cache key "<package>_<version>" of the kernel apt offers now (nothing when apt
# cannot say). VSOCKBENCH_LAB_KERNEL_PACKAGE pins the package.
lab_kernel_wanted_key() {
    local pkg ver resolved
    if [[ -n ${VSOCKBENCH_LAB_KERNEL_PACKAGE:-} ]]; then
        pkg=$VSOCKBENCH_LAB_KERNEL_PACKAGE
        ver=$(lab_kernel_candidate_version "$pkg")
    else
        resolved=$(lab_kernel_resolve_package)
        pkg=${resolved% *}
        ver=${resolved#* }
    fi
    [[ -z $pkg || -z $ver ]] || printf '%s_%s\n' "$pkg" "$ver"
}

lab_apt_update_once() {
    [[ $EUID -eq 0 && -z ${VSOCKBENCH_LAB_NO_APT_UPDATE:-} && -z ${LAB_APT_UPDATED:-} ]] || return 1
    LAB_APT_UPDATED=1
    lab_say "running apt-get update ($*)"
    apt-get update -qq >&2 || lab_say "apt-get update failed"
}

# Makes sure the cache holds KEY extracted; returns non-zero when it cannot be downloaded.
lab_kernel_ensure() {
    local cache=$1 key=$2
    local pkg=${key%%_*} ver=${key#*_}
    if [[ ! -f $cache/debs/${key}_amd64.deb && ! -f $cache/kernels/$key/.complete ]]; then
        lab_kernel_download "$pkg" "$ver" "$cache/debs" || return 1
    fi
    if [[ ! -f $cache/kernels/$key/.complete ]]; then
        lab_kernel_extract "$cache/debs/${key}_amd64.deb" "$cache/kernels/$key" "${pkg#linux-image-}"
    fi
}

# Sets LAB_KERNEL_PACKAGE, LAB_KERNEL_VERSION (Debian version), LAB_KERNEL_RELEASE (uname -r),
# LAB_KERNEL_TREE (extracted package), LAB_KERNEL_IMAGE (vmlinuz), LAB_KERNEL_DEB and
# LAB_KERNEL_DEB_BYTES. Downloads and extracts only what the cache does not hold yet; refreshes
# apt's lists once (as root) when they do not name the kernel or name one the archive has
# replaced; falls back to the newest cached kernel when nothing can be downloaded.
lab_kernel_fetch() {
    local cache key="" lock_fd
    cache=$(lab_cache_dir)
    mkdir -p "$cache/debs" "$cache/kernels"
    exec {lock_fd}>"$cache/.lock"
    flock "$lock_fd"

    key=$(lab_kernel_wanted_key)
    if [[ -z $key ]] && lab_apt_update_once "apt does not know $LAB_KERNEL_META yet"; then
        key=$(lab_kernel_wanted_key)
    fi
    if [[ -n $key ]] && ! lab_kernel_ensure "$cache" "$key"; then
        key=""
        if lab_apt_update_once "the archive no longer has that version"; then
            key=$(lab_kernel_wanted_key)
            [[ -z $key ]] || lab_kernel_ensure "$cache" "$key" || key=""
        fi
    fi
    if [[ -z $key ]]; then
        key=$(lab_kernel_newest_cached "$cache") ||
            lab_die "$LAB_EX_UNAVAILABLE" "cannot get ${VSOCKBENCH_LAB_KERNEL_PACKAGE:-$LAB_KERNEL_META} (apt-get update, and check that Debian's archive is reachable) and nothing is cached in $cache"
        lab_say "using the cached $key"
    fi
    lab_kernel_prune "$cache" "$key"

    LAB_KERNEL_PACKAGE=${key%%_*}
    LAB_KERNEL_VERSION=${key#*_}
    LAB_KERNEL_RELEASE=${LAB_KERNEL_PACKAGE#linux-image-}
    LAB_KERNEL_DEB="$cache/debs/${key}_amd64.deb"
    LAB_KERNEL_TREE="$cache/kernels/$key"
    LAB_KERNEL_IMAGE="$LAB_KERNEL_TREE/boot/vmlinuz-$LAB_KERNEL_RELEASE"
    [[ -f $LAB_KERNEL_IMAGE ]] || lab_die "$LAB_EX_UNAVAILABLE" "no vmlinuz in $LAB_KERNEL_TREE"
    LAB_KERNEL_DEB_BYTES=$(cat "$LAB_KERNEL_TREE/.deb-bytes" 2>/dev/null || echo 0)

    flock -u "$lock_fd"
    exec {lock_fd}>&-
}

# Removes kernels other than KEY from the cache: Debian replaces the kernel package every few
# weeks, and each one takes about 130 MB here; and what runs killed mid-download left.
lab_kernel_prune() {
    local cache=$1 key=$2 entry
    # Half-done downloads and extractions of runs ended by SIGKILL (others clean up after
    # themselves): safe to remove while this run holds the cache lock.
    for entry in "$cache"/debs/.download.* "$cache"/kernels/.extract.*; do
        [[ ! -e $entry ]] || rm -rf "$entry"
    done
    for entry in "$cache"/kernels/* "$cache"/debs/*.deb; do
        [[ -e $entry ]] || continue
        case $(basename "$entry") in
            "$key" | "${key}_amd64.deb") ;;
            *)
                lab_say "removing the superseded $(basename "$entry") from the cache"
                rm -rf "$entry"
                ;;
        esac
    done
}

lab_kernel_download() {
    local pkg=$1 ver=$2 dir=$3 tmp
    lab_require_command apt-get apt
    tmp=$(mktemp -d "$dir/.download.XXXXXX")
    LAB_PARTIAL=$tmp
    lab_say "downloading $pkg $ver (apt-get download, cached in $dir)"
    local -a apt_opts=(-q)
    # As root, apt drops to the _apt user, which cannot write into root's home.
    if [[ $EUID -eq 0 ]]; then apt_opts+=(-o APT::Sandbox::User=root); fi
    local deb=""
    if (cd "$tmp" && apt-get download "${apt_opts[@]}" "$pkg=$ver" >&2); then
        deb=$(find "$tmp" -maxdepth 1 -name '*.deb' -print -quit)
    fi
    if [[ -z $deb ]]; then
        rm -rf "$tmp"
        LAB_PARTIAL=""
        lab_say "apt-get download $pkg=$ver failed"
        return 1
    fi
    mv "$deb" "$dir/${pkg}_${ver}_amd64.deb"
    rmdir "$tmp"
    LAB_PARTIAL=""
}

lab_kernel_extract() {
    local deb=$1 tree=$2 release=$3 tmp
    lab_require_command dpkg-deb dpkg
    tmp=$(mktemp -d "$(dirname "$tree")/.extract.XXXXXX")
    LAB_PARTIAL=$tmp
    dpkg-deb -x "$deb" "$tmp" ||
        lab_die "$LAB_EX_UNAVAILABLE" "cannot extract $deb"
    # The package ships no modules.dep (depmod runs at install time): build it here.
    "$(lab_busybox)" depmod -b "$tmp" "$release" ||
        lab_die "$LAB_EX_UNAVAILABLE" "depmod failed on $tmp/lib/modules/$release"
    stat -c %s "$deb" >"$tmp/.deb-bytes"
    touch "$tmp/.complete"
    rm -rf "$tree"
    mv "$tmp" "$tree"
    LAB_PARTIAL=""
}

# Prints the modules (paths relative to the modules directory) needed for the named modules,
# each after everything it depends on. Built-in modules are skipped.
lab_modules_in_load_order() {
    local moddir=$1
    shift
    awk -v want="$*" -v builtin_file="$moddir/modules.builtin" '
        function name_of(p,   n) {
            n = p; sub(/.*\//, "", n); sub(/\.ko(\.(xz|zst|gz))?$/, "", n); gsub(/-/, "_", n)
            return n
        }
        function visit(n,   i, k, d) {
            if (n in done || n in builtin) return
            if (n in active) { print "module dependency cycle at " n > "/dev/stderr"; failed = 1; return }
            if (!(n in path)) { missing = missing " " n; return }
            active[n] = 1
            k = split(deps[n], d, " ")
            for (i = 1; i <= k; i++) visit(name_of(d[i]))
            delete active[n]
            done[n] = 1
            print path[n]
        }
        BEGIN {
            while ((getline line < builtin_file) > 0) builtin[name_of(line)] = 1
        }
        {
            p = $1; sub(/:$/, "", p); n = name_of(p); path[n] = p
            $1 = ""; deps[n] = $0
        }
        END {
            k = split(want, w, " ")
            for (i = 1; i <= k; i++) { gsub(/-/, "_", w[i]); visit(w[i]) }
            if (missing != "") { print "modules not found in modules.dep:" missing > "/dev/stderr"; exit 2 }
            if (failed) exit 2
        }' "$moddir/modules.dep"
}

# Copies one module into DEST as a plain .ko: busybox insmod cannot read .xz or .zst.
lab_module_install() {
    local src=$1 dest=$2
    case $src in
        *.ko.xz) xz -dc "$src" >"$dest" ;;
        *.ko.zst) zstd -qdc "$src" >"$dest" ;;
        *.ko.gz) gzip -dc "$src" >"$dest" ;;
        *.ko) cp "$src" "$dest" ;;
        *) lab_die "$LAB_EX_UNAVAILABLE" "not a kernel module: $src" ;;
    esac
}
