#!/usr/bin/env bash
# Build the test initramfs with the tree's usr/gen_init_cpio: static busybox,
# kexec-tools, the test binaries and their shared libraries, the VM scenarios,
# the init and the kernel image itself (the guest kexecs into it).
#
# Usage: scripts/mkinitramfs.sh OUT.cpio
# Env:   KBUILD, TESTBIN (default ./build/tests), EXTRA_BIN (host binaries to add)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
KBUILD=${KBUILD:-$top/build/kernel}
TESTBIN=${TESTBIN:-$top/build/tests}
out=${1:?usage: mkinitramfs.sh OUT.cpio}
die() { echo "mkinitramfs: error: $*" >&2; exit 1; }

gen=$KBUILD/usr/gen_init_cpio
kernel=$KBUILD/arch/x86/boot/bzImage
[ -x "$gen" ] || die "$gen missing; build the kernel first (make kernel)"
[ -f "$kernel" ] || die "$kernel missing; build the kernel first (make kernel)"
busybox=$(command -v busybox || true)
[ -n "$busybox" ] || die "busybox missing; run scripts/deps.sh (Debian busybox-static)"
file -L "$busybox" | grep -q 'statically linked' || die "$busybox is not static; install busybox-static"
kexec=$(command -v kexec || true)
[ -n "$kexec" ] || die "kexec missing; run scripts/deps.sh (Debian kexec-tools)"

# libs BINARY...: the dynamic loader and shared libraries they need, as
# gen_init_cpio lines (nothing for a static binary).
libs() {
	{ ldd "$@" 2>/dev/null || true; } | awk '/=>/ {print $3} /^\t\// {print $1}' | sort -u | while read -r lib; do
		[ -f "$lib" ] || continue
		echo "dir $(dirname "$lib") 0755 0 0"
		echo "file $lib $(readlink -f "$lib") 0755 0 0"
	done
}

list=$(mktemp)
trap 'rm -f "$list"' EXIT
{
	for d in /bin /sbin /usr /usr/bin /usr/sbin /lib /lib64 /etc /etc/fdbox /proc /sys /dev \
		/tmp /run /mnt /boot /debugfs /tests /tests/vm; do
		echo "dir $d 0755 0 0"
	done
	echo "nod /dev/console 0600 0 0 c 5 1"
	echo "nod /dev/null 0666 0 0 c 1 3"
	echo "file /bin/busybox $busybox 0755 0 0"
	echo "slink /bin/sh /bin/busybox 0777 0 0"
	echo "file /init $top/vm/init 0755 0 0"
	echo "file /boot/bzImage $kernel 0644 0 0"
	echo "file /sbin/kexec $kexec 0755 0 0"
	# kexec-tools and the test binaries are dynamically linked.
	libs "$kexec"
	for f in "$top"/tests/vm/*.sh; do
		echo "file /tests/vm/$(basename "$f") $f 0755 0 0"
	done
	if [ -d "$TESTBIN" ]; then
		find "$TESTBIN" -type f -perm -u+x | sort | while read -r f; do
			echo "file /tests/$(basename "$f") $f 0755 0 0"
			libs "$f"
		done
	fi
	for f in ${EXTRA_BIN:-}; do
		echo "file /bin/$(basename "$f") $f 0755 0 0"
		libs "$f"
	done
} | awk '!seen[$0]++' >"$list"
"$gen" "$list" >"$out.tmp"
mv "$out.tmp" "$out"
echo "mkinitramfs: $out ($(du -h "$out" | cut -f1))" >&2
