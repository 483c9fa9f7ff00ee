#!/bin/sh
# shellcheck shell=sh
# /init of the vsock lab guest (busybox ash). Mounts what the probe needs, loads the vsock
# modules, runs /etc/vsocklab/job.sh with /out, sends everything back over the serial console
# framed by marker lines, and powers off.
#
# Every line meant for the host starts with "@@VSOCKLAB:<nonce>@@ " followed by a kind:
#   EV <name> <uptime> [...]   progress (init, modules, job-start, job-end, job-timeout)
#   O <line> / E <line>        the job's stdout / stderr, line by line
#   ABORT <message>            init failed before or instead of running the job
#   BEGIN-RESULT <sha256> <bytes>, B <base64>..., END-RESULT
#                              a gzipped tar of out/ (the job's /out) and meta/ (dmesg, facts)
#   STATUS <n>                 the job's exit status; always the last line
# Anything else on the console (kernel messages) is noise to the host.

PATH=/lab/bin:/usr/sbin:/usr/bin:/sbin:/bin
export PATH
/bin/busybox --install -s

mount -t devtmpfs devtmpfs /dev 2>/dev/null
exec </dev/console >/dev/console 2>&1
mount -t proc proc /proc
mount -t sysfs sysfs /sys

# shellcheck source=/dev/null
. /etc/vsocklab/lab.conf
T="@@VSOCKLAB:$LAB_NONCE@@"
RESULT=/tmp/lab-result
aborted=""

emit() { printf '%s %s\n' "$T" "$*"; }

uptime_s() {
    read -r up _ </proc/uptime
    printf '%s\n' "$up"
}

event() {
    name=$1
    shift
    line="$name $(uptime_s)${*:+ $*}"
    printf '%s\n' "$line" >>"$RESULT/meta/events.txt"
    emit "EV $line"
}

abort() {
    aborted=$*
    emit "ABORT $*"
}

# Waits until the UART has sent everything queued (its tx counter stops moving), so the
# last lines are not cut off by the power-off.
drain_console() {
    prev=""
    i=0
    while [ "$i" -lt 60 ]; do
        cur=$(sed -n 's/^0:.* tx:\([0-9]*\).*/\1/p' /proc/tty/driver/serial 2>/dev/null)
        if [ -z "$cur" ]; then
            sleep 1
            return
        fi
        [ "$cur" = "$prev" ] && return
        prev=$cur
        sleep 0.05
        i=$((i + 1))
    done
}

power_off() {
    drain_console
    poweroff -f
    reboot -f
}

mkdir -p "$RESULT/out" "$RESULT/meta" /out /tmp /run /dev/pts /dev/shm
mount -o bind "$RESULT/out" /out
mount -t devpts devpts /dev/pts 2>/dev/null
mount -t tmpfs tmpfs /dev/shm 2>/dev/null
event init

# Kernel messages below ALERT stay off the console while the framed output flows; they are
# all in meta/dmesg.txt.
echo 2 >/proc/sys/kernel/printk
hostname vsock-lab
ip link set lo up 2>/dev/null

mounted() { grep -q " $1 " /proc/mounts; }
mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null
mount -t debugfs nodev /sys/kernel/debug 2>/dev/null
mount -t bpf bpf /sys/fs/bpf 2>/dev/null
mounted /sys/kernel/tracing || abort "cannot mount tracefs at /sys/kernel/tracing"

if [ -z "$aborted" ]; then
    while read -r module; do
        if ! insmod "/lib/modules/vsocklab/$module.ko"; then
            abort "insmod $module failed (see meta/dmesg.txt)"
            break
        fi
    done </etc/vsocklab/modules
fi
[ -n "$aborted" ] || [ -c /dev/vsock ] || abort "vsock modules loaded but /dev/vsock is missing"
[ -n "$aborted" ] || event modules

status=""
if [ -z "$aborted" ]; then
    # shellcheck source=/dev/null
    . /etc/vsocklab/env
    export LAB_OUT=/out LAB_DIR=/lab LAB_ACCEL HOME=/root
    mkfifo /tmp/lab.stdout /tmp/lab.stderr
    # awk flushes every line: a relay stopped later loses nothing it has read.
    awk -v p="$T O " '{ print p $0; fflush() }' </tmp/lab.stdout &
    out_pid=$!
    awk -v p="$T E " '{ print p $0; fflush() }' </tmp/lab.stderr &
    err_pid=$!
    event job-start
    (cd /lab && exec timeout "$LAB_JOB_TIMEOUT" sh /etc/vsocklab/job.sh) \
        </dev/null >/tmp/lab.stdout 2>/tmp/lab.stderr
    status=$?
    event job-end "$status"
    started=$(sed -n 's/^job-start \([0-9]*\).*/\1/p' "$RESULT/meta/events.txt")
    ended=$(sed -n 's/^job-end \([0-9]*\).*/\1/p' "$RESULT/meta/events.txt")
    if [ "$status" -eq 143 ] && [ $((ended - started + 1)) -ge "$LAB_JOB_TIMEOUT" ]; then
        event job-timeout "$LAB_JOB_TIMEOUT"
    fi
    # Background processes the job left running may hold the pipes open: give the relays a
    # moment to drain, then stop them.
    i=0
    while [ "$i" -lt 20 ] && { kill -0 "$out_pid" || kill -0 "$err_pid"; } 2>/dev/null; do
        sleep 0.1
        i=$((i + 1))
    done
    kill "$out_pid" "$err_pid" 2>/dev/null
fi

dmesg >"$RESULT/meta/dmesg.txt"
uname -r >"$RESULT/meta/kernel-release"
cat /proc/modules >"$RESULT/meta/modules.txt"
cp /proc/cmdline "$RESULT/meta/cmdline"
# The serial line moves about 250 KB/s under TCG: compress (JSON and text shrink severalfold).
if tar -C "$RESULT" -czf /tmp/lab-result.tgz out meta; then
    sum=$(sha256sum </tmp/lab-result.tgz)
    emit "BEGIN-RESULT ${sum%% *} $(wc -c </tmp/lab-result.tgz)"
    base64 </tmp/lab-result.tgz | sed "s/^/$T B /"
    emit "END-RESULT"
else
    abort "tar of /out failed"
fi
if [ -n "$status" ]; then emit "STATUS $status"; fi
power_off
