#!/usr/bin/env bash
# Install what the workspace needs from Debian's packages, only if missing.
set -euo pipefail
PKGS=(gcc make flex bison bc libelf-dev libssl-dev libc6-dev cpio file xz-utils
	qemu-system-x86 busybox-static kexec-tools libfdt-dev ccache lz4 python3 python3-ply python3-git perl git
	debian-archive-keyring ca-certificates)
[ -n "${WITH_BENCH:-}" ] && PKGS+=(gnuplot-nox)
missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "deps: installing ${missing[*]}" >&2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq || { echo "deps: error: apt-get update failed (network?)" >&2; exit 1; }
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
	{ echo "deps: error: apt-get install ${missing[*]} failed; install them by hand" >&2; exit 1; }
