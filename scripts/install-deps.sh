#!/usr/bin/env bash
# Installs the Debian packages vsockbench needs, only those that are missing.
#   scripts/install-deps.sh build   what `swift build` needs (libbpf for the probe, SQLite for the history)
#   scripts/install-deps.sh test    + the test peers: QEMU, busybox and jq for the vsock lab,
#                                   socat, shellcheck, chromium for the HTML report test,
#                                   python3 for the observe lab test's pcap check
#   scripts/install-deps.sh lab     + what `make vsock-lab` needs: QEMU, busybox, cpio, jq, and
#                                   python3 for `make bench-observe`
#   scripts/install-deps.sh bench   + iperf3, sockperf, hyperfine, jq for `make bench-peers`
# Runs apt-get as root (or through sudo). Does nothing when everything is there.
set -euo pipefail

set_name=${1:-build}
build=(libbpf-dev pkg-config libelf-dev zlib1g-dev libc6-dev libsqlite3-dev)
test=(qemu-system-x86 busybox-static socat cpio jq python3 shellcheck chromium)
lab=(qemu-system-x86 busybox-static cpio jq python3)
bench=(iperf3 sockperf hyperfine jq)

case $set_name in
    build) wanted=("${build[@]}") ;;
    test) wanted=("${build[@]}" "${test[@]}") ;;
    lab) wanted=("${build[@]}" "${lab[@]}") ;;
    bench) wanted=("${build[@]}" "${bench[@]}") ;;
    -h | --help)
        sed -n '2,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
        exit 0
        ;;
    *)
        echo "install-deps: unknown set '$set_name' (build, test, lab or bench)" >&2
        exit 2
        ;;
esac

missing=()
for package in "${wanted[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$package")
    fi
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "install-deps: installing ${missing[*]}"
sudo=()
[[ $(id -u) -eq 0 ]] || sudo=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -q
"${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
