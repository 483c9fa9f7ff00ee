# shellcheck shell=bash
# shellcheck disable=SC2034 # the LAB_* variables set here are read by lab.sh
# Builds the guest's initramfs: static busybox, the lab's /init, the vsock modules, the job,
# the caller's binaries with their shared libraries, and the caller's files.
#
# Guest layout:
#   /init                       lib/init.sh
#   /etc/vsocklab/lab.conf      settings for /init (marker nonce, job timeout, facts)
#   /etc/vsocklab/env           the caller's --env settings, exported to the job
#   /etc/vsocklab/modules       module names, in load order
#   /etc/vsocklab/job.sh        the job
#   /lib/modules/vsocklab/      the modules, uncompressed
#   /lab/                       included files (the job's working directory)
#   /lab/bin/                   binaries (first on PATH); their libraries keep their host paths
#   /out                        whatever the job writes here comes back to the host

# The static busybox from busybox-static: the initramfs has no libc for a dynamic one.
lab_busybox() {
    local bb
    for bb in "${VSOCKBENCH_LAB_BUSYBOX:-}" /bin/busybox /usr/bin/busybox; do
        [[ -n $bb && -x $bb ]] || continue
        if ! LC_ALL=C ldd "$bb" >/dev/null 2>&1; then
            printf '%s\n' "$bb"
            return 0
        fi
    done
    lab_die "$LAB_EX_UNAVAILABLE" "no statically linked busybox found: apt-get install busybox-static"
}

# Prints the shared libraries and the dynamic loader that ldd reports for BINARY
# (nothing for a static binary).
lab_binary_libraries() {
    local binary=$1 report
    if ! report=$(LC_ALL=C ldd "$binary" 2>&1); then
        if grep -q 'not a dynamic executable' <<<"$report"; then return 0; fi
        lab_die "$LAB_EX_USAGE" "ldd $binary failed: $report"
    fi
    if grep -q 'not found' <<<"$report"; then
        lab_die "$LAB_EX_USAGE" "$binary needs libraries this host lacks: $(grep 'not found' <<<"$report" | tr -s ' \t' ' ')"
    fi
    awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' <<<"$report"
}

# Copies a host file to the same absolute path inside the stage (following symlinks).
lab_stage_copy_abs() {
    local stage=$1 file=$2
    [[ -e $stage$file ]] && return 0
    mkdir -p "$stage$(dirname "$file")"
    cp -L "$file" "$stage$file"
}

lab_stage_binary() {
    local stage=$1 binary=$2 lib
    [[ -f $binary && -x $binary ]] || lab_die "$LAB_EX_USAGE" "--binary $binary: not an executable file"
    cp -L "$binary" "$stage/lab/bin/$(basename "$binary")"
    while IFS= read -r lib; do
        lab_stage_copy_abs "$stage" "$lib"
    done < <(lab_binary_libraries "$binary")
}

# --include SRC[:DEST]: DEST is relative to /lab; by default a relative SRC keeps its path
# (scenarios/lab.yaml lands at /lab/scenarios/lab.yaml), anything else keeps its base name.
lab_stage_include() {
    local stage=$1 spec=$2 src dest
    src=${spec%%:*}
    if [[ $spec == *:* ]]; then
        dest=${spec#*:}
    elif [[ $src != /* && /$src/ != */../* ]]; then
        dest=$src
    else
        dest=$(basename "$src")
    fi
    dest=${dest#./}
    [[ -e $src ]] || lab_die "$LAB_EX_USAGE" "--include $spec: $src does not exist"
    [[ $dest != /* && /$dest/ != */../* && -n $dest ]] ||
        lab_die "$LAB_EX_USAGE" "--include $spec: destination must be a relative path inside /lab"
    mkdir -p "$stage/lab/$(dirname "$dest")"
    cp -RL "$src" "$stage/lab/$dest"
}

# Writes the settings /init reads. Values are single-quoted for the guest's shell.
lab_stage_config() {
    local stage=$1 nonce=$2 job_timeout=$3 accel=$4
    {
        printf 'LAB_NONCE=%s\n' "$(lab_sh_quote "$nonce")"
        printf 'LAB_JOB_TIMEOUT=%s\n' "$(lab_sh_quote "$job_timeout")"
        printf 'LAB_ACCEL=%s\n' "$(lab_sh_quote "$accel")"
        printf 'LAB_KERNEL_PACKAGE=%s\n' "$(lab_sh_quote "$LAB_KERNEL_PACKAGE $LAB_KERNEL_VERSION")"
    } >"$stage/etc/vsocklab/lab.conf"
    local setting
    : >"$stage/etc/vsocklab/env"
    for setting in "${LAB_ENV[@]}"; do
        printf 'export %s=%s\n' "${setting%%=*}" "$(lab_sh_quote "${setting#*=}")" >>"$stage/etc/vsocklab/env"
    done
}

lab_stage_modules() {
    local stage=$1 moddir rel name
    moddir="$LAB_KERNEL_TREE/lib/modules/$LAB_KERNEL_RELEASE"
    local list
    list=$(lab_modules_in_load_order "$moddir" "${LAB_MODULES[@]}") ||
        lab_die "$LAB_EX_UNAVAILABLE" "cannot resolve the vsock modules in $moddir"
    local -a order=()
    [[ -z $list ]] || mapfile -t order <<<"$list"
    : >"$stage/etc/vsocklab/modules"
    for rel in "${order[@]}"; do
        name=$(basename "$rel")
        name=${name%%.ko*}
        lab_module_install "$moddir/$rel" "$stage/lib/modules/vsocklab/$name.ko"
        printf '%s\n' "$name" >>"$stage/etc/vsocklab/modules"
    done
    LAB_MODULES_LOADED="${order[*]}"
}

# The applet links are made by /init (busybox --install -s): one call in the guest instead of
# some 400 on the host. Only /bin/sh must exist before that.
lab_stage_busybox() {
    local stage=$1
    cp "$(lab_busybox)" "$stage/bin/busybox"
    ln -s busybox "$stage/bin/sh"
}

# lab_initramfs_build STAGE_DIR OUTPUT_CPIO NONCE JOB_TIMEOUT ACCEL
# Uses LAB_JOB, LAB_BINARIES, LAB_INCLUDES, LAB_ENV, LAB_MODULES and the LAB_KERNEL_* facts.
lab_initramfs_build() {
    local stage=$1 cpio=$2 nonce=$3 job_timeout=$4 accel=$5 item
    mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,run,root,lab/bin,etc/vsocklab,lib/modules/vsocklab}
    lab_stage_busybox "$stage"
    cp "$LAB_DIR/lib/init.sh" "$stage/init"
    chmod 0755 "$stage/init"
    cp "$LAB_JOB" "$stage/etc/vsocklab/job.sh"
    # The helpers jobs share (check, uptime_s): /lab/checks.sh.
    cp "$LAB_DIR/lib/guest-checks.sh" "$stage/lab/checks.sh"
    lab_stage_config "$stage" "$nonce" "$job_timeout" "$accel"
    lab_stage_modules "$stage"
    for item in "${LAB_BINARIES[@]}"; do lab_stage_binary "$stage" "$item"; done
    for item in "${LAB_INCLUDES[@]}"; do lab_stage_include "$stage" "$item"; done
    # Uncompressed: the kernel unpacks it without a decompressor, which under TCG is the
    # fastest choice for images of tens of MiB (a release vsockbench with its libraries).
    (cd "$stage" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc -R 0:0 --quiet) >"$cpio" ||
        lab_die "$LAB_EX_UNAVAILABLE" "cpio failed building $cpio"
}
