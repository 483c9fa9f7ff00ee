# shellcheck shell=bash
# shellcheck disable=SC2034 # the LAB_* variables set here are read by lab.sh
# Decides how a lab run ended (from the console and the unpacked result), writes
# DIR/_lab/summary.json and the closing lines, and exits with the job's status or a lab code.

lab_write_summary() {
    local status=$1 outcome=$2
    local events="$LAB_META/guest/events.txt"
    local g_init g_job g_end
    g_init=$(lab_guest_event_time "$events" init)
    g_job=$(lab_guest_event_time "$events" job-start)
    g_end=$(lab_guest_event_time "$events" job-end)
    local h_job job_s="" host_to_job=""
    h_job=$(lab_guest_event_time "$LAB_WORK/host-events" job-start)
    [[ -z $g_job || -z $g_end ]] || job_s=$(lab_elapsed "$g_job" "$g_end")
    [[ -z $h_job ]] || host_to_job=$(lab_elapsed "$LAB_T_QEMU" "$h_job")
    LAB_SUMMARY_LINE="guest Linux ${LAB_GUEST_RELEASE:-?} ($LAB_ACCEL_USED); boot to job ${g_job:-?} s guest uptime (${host_to_job:-?} s from QEMU start); job ${job_s:-?} s; QEMU $(lab_elapsed "$LAB_T_QEMU" "$LAB_T_QEMU_END") s; wall $(lab_elapsed "$LAB_T_START" "$(lab_now)") s"
    cat >"$LAB_META/summary.json" <<JSON
{
  "outcome": "$outcome",
  "exit_status": $status,
  "kernel_package": "$LAB_KERNEL_PACKAGE",
  "kernel_package_version": "$LAB_KERNEL_VERSION",
  "kernel_package_bytes": $LAB_KERNEL_DEB_BYTES,
  "guest_kernel_release": "${LAB_GUEST_RELEASE:-}",
  "accel": "$LAB_ACCEL_USED",
  "accel_reason": "$LAB_ACCEL_REASON",
  "modules": "$LAB_MODULES_LOADED",
  "initramfs_bytes": $LAB_INITRAMFS_BYTES,
  "initramfs_build_s": $LAB_INITRAMFS_S,
  "guest_uptime_at_init_s": ${g_init:-null},
  "guest_uptime_at_job_start_s": ${g_job:-null},
  "host_qemu_start_to_job_s": ${host_to_job:-null},
  "job_s": ${job_s:-null},
  "qemu_s": $(lab_elapsed "$LAB_T_QEMU" "$LAB_T_QEMU_END"),
  "wall_s": $(lab_elapsed "$LAB_T_START" "$(lab_now)"),
  "timing_note": "TCG emulates the guest CPU: timings are not representative, counts are"
}
JSON
}

# Decides the outcome from the console, unpacks the result, writes the summary, exits.
lab_finish() {
    local qemu_rc=$1 key value status="" sum="" bytes="" ended=0 init=0 abort=""
    while IFS='=' read -r key value; do
        case $key in
            status) status=$value ;;
            sum) sum=$value ;;
            bytes) bytes=$value ;;
            ended) ended=$value ;;
            init) init=$value ;;
            abort) abort=$value ;;
        esac
    done < <(lab_console_scan "$LAB_META/console.log" "$LAB_TAG" "$LAB_WORK")
    mv "$LAB_WORK/job.stdout" "$LAB_WORK/job.stderr" "$LAB_META/"

    local unpacked=0
    if [[ $ended -eq 1 ]] && lab_result_unpack "$LAB_WORK/result.b64" "$sum" "$bytes" "$LAB_WORK/result"; then
        unpacked=1
        mv "$LAB_WORK/result/meta" "$LAB_META/guest"
        find "$LAB_WORK/result/out" -mindepth 1 -maxdepth 1 -exec mv -t "$LAB_OUT_DIR" {} +
        LAB_GUEST_RELEASE=$(cat "$LAB_META/guest/kernel-release" 2>/dev/null || true)
    fi

    local code outcome message=""
    if [[ -n $status && $unpacked -eq 1 ]]; then
        code=$status
        outcome="completed"
        if grep -q '^job-timeout ' "$LAB_META/guest/events.txt" 2>/dev/null; then
            code=$LAB_EX_TIMEOUT
            outcome="job-timeout"
            message="the job ran past its $(lab_job_budget) s budget and was stopped (--timeout $LAB_TIMEOUT)"
        fi
    elif [[ -n $status ]]; then
        code=$LAB_EX_PROTOCOL
        outcome="result-damaged"
        message="the job exited with status $status but its /out did not come back intact"
    elif [[ -n $abort ]]; then
        code=$LAB_EX_BOOT
        outcome="init-failed"
        message="the guest's init failed: $abort"
    elif [[ $init -eq 0 ]]; then
        code=$LAB_EX_BOOT
        outcome="no-boot"
        message="the guest kernel never reached /init (QEMU exit $qemu_rc)"
        if [[ $qemu_rc -eq 124 || $qemu_rc -eq 137 ]]; then
            message="the guest kernel never reached /init: stopped after $LAB_TIMEOUT s"
        fi
    elif [[ $qemu_rc -eq 124 || $qemu_rc -eq 137 ]]; then
        code=$LAB_EX_TIMEOUT
        outcome="timeout"
        message="the guest was stopped after $LAB_TIMEOUT s before it reported a status"
    else
        code=$LAB_EX_BOOT
        outcome="guest-died"
        message="the guest stopped (QEMU exit $qemu_rc) before it reported a status"
    fi

    lab_write_summary "$code" "$outcome"
    if [[ -n $message ]]; then
        lab_say "error: $message"
        if [[ $outcome != completed && $outcome != job-timeout ]]; then
            lab_say "last console lines ($LAB_META/console.log):"
            tail -n 15 "$LAB_META/console.log" | sed 's/^/  | /' >&2
            [[ ! -s $LAB_META/qemu.stderr ]] || sed 's/^/  qemu: /' "$LAB_META/qemu.stderr" >&2
        fi
    fi
    lab_say "$LAB_SUMMARY_LINE"
    lab_say "job exit status ${status:-none}; results in $LAB_OUT_DIR (lab details in _lab/)"
    exit "$code"
}
