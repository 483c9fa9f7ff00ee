#!/usr/bin/env bash
# Builds the enclave image file (EIF) that runs `vsockbench serve` inside a Nitro Enclave.
set -euo pipefail
# shellcheck source=lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() {
    cat <<USAGE
Usage: deploy/nitro/build-eif.sh [--binary PATH | --no-build | --build-image IMAGE]
                                 [--image TAG] [--eif PATH] [--dockerfile PATH]

1. swift build -c release --static-swift-stdlib --product vsockbench   (unless --no-build)
   natively, or with --build-image inside a Swift 6 container based on Debian 12
   (bookworm), so the binary links exactly the libraries the enclave image has
2. copies the binary into the docker build context $NITRO_STATE_DIR/context/vsockbench
   and strips its debug info there (objcopy --strip-debug; the binary given stays as it is)
3. docker build -f deploy/nitro/Dockerfile -t IMAGE $NITRO_STATE_DIR/context
4. nitro-cli build-enclave --docker-uri IMAGE --output-file EIF
   (the measurements, PCR0-2, are saved next to the EIF as *.measurements.json)
The enclave runs the image's CMD (nitro-cli uses ENTRYPOINT only when there is no CMD and
never joins the two): see the comment above CMD in deploy/nitro/Dockerfile.

Options:
  --binary PATH   vsockbench to put in the image (default $NITRO_BINARY)
  --no-build      do not run swift build; use --binary as it is
  --build-image IMAGE
                  build in this container image (a Swift 6 image on Debian 12, for example
                  swift:6.2-bookworm); output in .build/nitro/container-build/release,
                  handed back to your user (the container runs as root)
  --image TAG     docker image tag (default $NITRO_IMAGE)
  --eif PATH      output EIF (default $NITRO_EIF)
  --dockerfile PATH
                  the image's Dockerfile (default deploy/nitro/Dockerfile)
  -h, --help      this text

Needs: swift 6, docker (running, your user in the docker group), nitro-cli. Not the
enclave device: building an EIF works on any machine with docker and nitro-cli.
USAGE
}

build=1
build_image=""
dockerfile="$NITRO_KIT_DIR/Dockerfile"
while [[ $# -gt 0 ]]; do
    case $1 in
        -h | --help)
            usage
            exit 0
            ;;
        --no-build) build=0 ;;
        --binary)
            nitro_need_value "$@"
            NITRO_BINARY=$2
            build=0
            shift
            ;;
        --build-image)
            nitro_need_value "$@"
            build_image=$2
            shift
            ;;
        --image)
            nitro_need_value "$@"
            NITRO_IMAGE=$2
            shift
            ;;
        --eif)
            nitro_need_value "$@"
            NITRO_EIF=$2
            shift
            ;;
        --dockerfile)
            nitro_need_value "$@"
            dockerfile=$2
            shift
            ;;
        *) nitro_usage_error "unknown argument: $1" ;;
    esac
    shift
done

[[ -f $dockerfile ]] || nitro_usage_error "--dockerfile $dockerfile: no such file"
nitro_require docker "install docker and start it (README step 2)"
nitro_require_cli

if [[ -n $build_image ]]; then
    nitro_say "swift build -c release --static-swift-stdlib in $build_image"
    # The container runs as root (apt-get); whatever it writes into the checkout (the build
    # directory, Package.resolved, .swiftpm) is handed back to the caller on the way out, or
    # the next checkout on a CI runner could not clean the workspace.
    mkdir -p "$NITRO_REPO_ROOT/.build/nitro/container-build"
    docker run --rm -v "$NITRO_REPO_ROOT:/src" -w /src \
        -e HOST_UID="$(id -u)" -e HOST_GID="$(id -g)" "$build_image" bash -c '
        set -e
        trap "chown -R \"\$HOST_UID:\$HOST_GID\" .build/nitro/container-build Package.resolved .swiftpm 2>/dev/null || true" EXIT
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends libbpf-dev libelf-dev zlib1g-dev libsqlite3-dev >/dev/null
        swift build -c release --static-swift-stdlib --product vsockbench \
            --build-path .build/nitro/container-build'
    NITRO_BINARY="$NITRO_REPO_ROOT/.build/nitro/container-build/release/vsockbench"
elif [[ $build -eq 1 ]]; then
    nitro_require swift "install Swift 6 (README step 2)"
    nitro_say "swift build -c release --static-swift-stdlib"
    (cd "$NITRO_REPO_ROOT" && swift build -c release --static-swift-stdlib --product vsockbench)
fi
[[ -x $NITRO_BINARY ]] || nitro_die "$NITRO_BINARY is not an executable (build it or pass --binary)"
if ldd "$NITRO_BINARY" 2>/dev/null | grep -q 'libswiftCore'; then
    nitro_die "$NITRO_BINARY links the Swift runtime dynamically: build with --static-swift-stdlib"
fi

context="$NITRO_STATE_DIR/context"
rm -rf "$context"
mkdir -p "$context" "$(dirname "$NITRO_EIF")"
cp "$NITRO_BINARY" "$context/vsockbench"
# The image gets the binary without its debug info (about a quarter of a release build: 121 MB
# stripped to 92 MB), which the enclave never uses and which would only grow the EIF, and so
# the memory the enclave needs (4x the EIF). Stripped in the copy; $NITRO_BINARY stays as built.
if command -v objcopy >/dev/null 2>&1; then
    objcopy --strip-debug "$context/vsockbench" ||
        nitro_die "objcopy --strip-debug $context/vsockbench failed"
else
    nitro_say "note: objcopy (binutils) not found: the image gets the binary with its debug info"
fi

nitro_say "docker build -f $dockerfile -t $NITRO_IMAGE ($context)"
docker build -f "$dockerfile" -t "$NITRO_IMAGE" "$context"

measurements="${NITRO_EIF%.eif}.measurements.json"
nitro_say "nitro-cli build-enclave -> $NITRO_EIF"
nitro-cli build-enclave --docker-uri "$NITRO_IMAGE" --output-file "$NITRO_EIF" >"$measurements"
cat "$measurements"
nitro_say "EIF $NITRO_EIF ($(du -h "$NITRO_EIF" | cut -f1)); measurements in $measurements"
