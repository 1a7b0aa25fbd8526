#!/usr/bin/env bash
# prerequisites.sh: what the tests (and the NativeAOT publish) need besides the .NET SDK, in one place for
# `./build.sh --target=Test` and `.ci/run`.
#
# Usage: build/prerequisites.sh [test] [aot] [pack]      (default: test)
#
# For each program that is missing: as root on a machine with apt-get, installs its Debian package, without starting
# the service it may ship (nginx's postinst would start the system nginx on port 80: a policy-rc.d that answers 101,
# "action forbidden", tells invoke-rc.d to start nothing; one that is already there is left as it is). Otherwise
# prints one line naming what to install, and exits 1.
set -euo pipefail

groups=("$@")
[[ ${#groups[@]} -eq 0 ]] && groups=(test)

# program (or an absolute path that must exist) package why
test_needs=(
    "python3 python3 leakcheck and the tests' helper services"
    "setpriv util-linux the tests run processes as another user"
    "script bsdutils the tests give pbdeploy a terminal"
    "lsof lsof the tests force the lsof fallback of process finding"
    "nginx nginx the end-to-end tests deploy Debian's nginx"
    "gunicorn gunicorn ... in front of Debian's gunicorn"
    "gcc gcc the tests check every libc constant against the C headers"
    "aarch64-linux-gnu-gcc gcc-aarch64-linux-gnu ... and against arm64's"
    "/usr/aarch64-linux-gnu/include/fcntl.h libc6-dev-arm64-cross ... whose headers come apart from the compiler"
    "/usr/sbin/sshd openssh-server the host tests run an sshd per network namespace"
    "ssh openssh-client ... reach it with ssh"
    "nc netcat-openbsd ... through a ProxyCommand that enters the namespace"
    "rsync rsync ... and copy the project to each host (--sync)"
    "ip iproute2 ... whose namespaces ip netns makes"
)
aot_needs=(
    "objcopy binutils NativeAOT strips symbols with it"
)
# The tool's linux-arm64 package is cross-compiled (see source/PbDeploy.Cli/PbDeploy.Cli.csproj).
pack_needs=(
    "clang clang NativeAOT links the linux-arm64 tool with it"
    "ld.lld lld ... through lld"
    "aarch64-linux-gnu-objcopy binutils-aarch64-linux-gnu ... and strips it with aarch64 objcopy"
    "/usr/lib/aarch64-linux-gnu/crt1.o libc6-dev:arm64 ... against Debian's arm64 libc"
    "/usr/lib/aarch64-linux-gnu/libz.a zlib1g-dev:arm64 ... and zlib"
)

needs=()
for group in "${groups[@]}"; do
    case "$group" in
        test) needs+=("${test_needs[@]}") ;;
        aot)
            needs+=("${aot_needs[@]}")
            # NativeAOT links with clang, or gcc when clang is missing.
            command -v clang >/dev/null 2>&1 || needs+=("gcc gcc NativeAOT links with it")
            ;;
        pack) needs+=("${pack_needs[@]}") ;;
        *) echo "prerequisites: unknown group '$group' (test, aot, pack)" >&2; exit 2 ;;
    esac
done

missing_programs=()
missing_packages=()
for need in "${needs[@]}"; do
    read -r program package _ <<<"$need"
    if [[ $program == /* ]]; then
        [[ -e $program ]] || { missing_programs+=("$program"); [[ " ${missing_packages[*]} " == *" $package "* ]] || missing_packages+=("$package"); }
        continue
    fi
    if ! command -v "$program" >/dev/null 2>&1; then
        for sbin in /usr/sbin /sbin; do
            if [[ -x "$sbin/$program" ]]; then
                echo "prerequisites: $program is in $sbin, which is not on PATH; add it (PATH=\$PATH:$sbin), then run the tests again" >&2
                exit 1
            fi
        done
        missing_programs+=("$program")
        [[ " ${missing_packages[*]} " == *" $package "* ]] || missing_packages+=("$package")
    fi
done

if [[ ${#missing_packages[@]} -eq 0 ]]; then
    exit 0
fi

if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
    echo "prerequisites: missing ${missing_programs[*]}: install them (Debian, Ubuntu: sudo apt-get install ${missing_packages[*]}), or run this as root on a machine with apt-get to have them installed" >&2
    exit 1
fi

echo "prerequisites: missing ${missing_programs[*]}; installing the Debian packages ${missing_packages[*]}"
policy=/usr/sbin/policy-rc.d
own_policy=false
if [[ ! -e "$policy" ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    own_policy=true
fi
trap '[[ $own_policy == true ]] && rm -f "$policy"' EXIT
export DEBIAN_FRONTEND=noninteractive
# Debian's arm64 packages (libc6-dev:arm64 ...) install beside the machine's own once dpkg knows the architecture; the
# install below then fails once and updates the lists, which brings in arm64's.
if [[ " ${missing_packages[*]} " == *":arm64 "* ]] && ! dpkg --print-foreign-architectures | grep -qx arm64; then
    dpkg --add-architecture arm64
fi
# Install from the lists there are; update them once if a package is not found (a fresh machine has none). Another
# apt-get running (unattended upgrades) is waited for, up to 5 minutes.
if ! apt-get -o DPkg::Lock::Timeout=300 install -y --no-install-recommends "${missing_packages[@]}"; then
    apt-get -o DPkg::Lock::Timeout=300 update
    apt-get -o DPkg::Lock::Timeout=300 install -y --no-install-recommends "${missing_packages[@]}"
fi
