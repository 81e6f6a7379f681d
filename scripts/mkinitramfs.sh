#!/usr/bin/env bash
# Build the test initramfs with the tree's usr/gen_init_cpio: static busybox,
# kexec-tools, the test binaries and their shared libraries, the VM scenarios,
# the init and the kernel image itself (the guest kexecs into it).
#
# Usage: scripts/mkinitramfs.sh OUT.cpio
# Env:   KBUILD, TESTBIN (default ./build/tests), EXTRA_BIN (host binaries to add)
#
# It also writes OUT-vmm.cpio: the same plus what a scenario marked
# "# vmrun-initramfs: vmm" needs to run a VM inside the test VM (Debian's
# qemu-system-x86_64, its libraries, TCG module and firmware, the QMP client,
# the LUO helper of make bench-vm and the guest's own initramfs,
# /vmm/guest.cpio). The normal initramfs stays
# small: every boot unpacks it and every kexec repacks it.
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
vlist=$(mktemp)
trap 'rm -f "$list" "$vlist"' EXIT
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

# ---- the VMM variant ----
vout=${out%.cpio}-vmm.cpio
qemu=$(command -v qemu-system-x86_64 || true)
[ -n "$qemu" ] || die "qemu-system-x86_64 missing; run scripts/deps.sh"
qemu=$(readlink -f "$qemu")
tcg=/usr/lib/x86_64-linux-gnu/qemu/accel-tcg-x86_64.so
[ -f "$tcg" ] || die "$tcg missing (Debian's qemu-system-x86 loads TCG as a module)"
vdir=$(dirname "$out")/vmm
mkdir -p "$vdir"
# The guest: its init is one static program (tests/vm/vmm/guest.c).
cc -static -O2 -Wall -o "$vdir/guest-init" "$top/tests/vm/vmm/guest.c" ||
	die "building the guest's init failed"
cc -O2 -Wall -o "$vdir/vmm-qmp" "$top/tests/vm/vmm/qmp.c" ||
	die "building the QMP client failed"
# The LUO helper needs the kernel's uAPI headers; a build directory that only
# built the kernel (the debug one) has not installed them yet.
if [ ! -f "$KBUILD/usr/include/linux/liveupdate.h" ]; then
	make -s -C "${TREE:-$top/linux}" O="$KBUILD" ARCH=x86_64 headers >/dev/null ||
		die "installing the uAPI headers into $KBUILD/usr/include failed"
fi
cc -O2 -Wall -isystem "$KBUILD/usr/include" -o "$vdir/vmm-luo" "$top/tests/vm/vmm/luo.c" ||
	die "building the LUO helper failed"
printf '%s\n' "dir /dev 0755 0 0" "dir /proc 0755 0 0" \
	"nod /dev/console 0600 0 0 c 5 1" \
	"file /init $vdir/guest-init 0755 0 0" >"$vdir/guest.list"
"$gen" "$vdir/guest.list" >"$vdir/guest.cpio"
{
	cat "$list"
	echo "dir /vmm 0755 0 0"
	echo "file /vmm/guest.cpio $vdir/guest.cpio 0644 0 0"
	echo "file /bin/vmm-qmp $vdir/vmm-qmp 0755 0 0"
	echo "file /bin/vmm-luo $vdir/vmm-luo 0755 0 0"
	libs "$vdir/vmm-qmp" "$vdir/vmm-luo"
	# QEMU finds its module and firmware relative to its binary.
	echo "file /usr/bin/qemu-system-x86_64 $qemu 0755 0 0"
	libs "$qemu"
	for d in /usr/lib /usr/lib/x86_64-linux-gnu /usr/lib/x86_64-linux-gnu/qemu \
		/usr/share /usr/share/qemu /usr/share/seabios; do
		echo "dir $d 0755 0 0"
	done
	echo "file $tcg $tcg 0644 0 0"
	libs "$tcg"
	for f in /usr/share/seabios/bios-256k.bin /usr/share/qemu/kvmvapic.bin \
		/usr/share/qemu/linuxboot_dma.bin; do
		[ -f "$f" ] || die "$f missing (Debian packages seabios, qemu-system-data)"
		echo "file $f $(readlink -f "$f") 0644 0 0"
	done
} | awk '!seen[$0]++' >"$vlist"
"$gen" "$vlist" >"$vout.tmp"
mv "$vout.tmp" "$vout"
echo "mkinitramfs: $vout ($(du -h "$vout" | cut -f1)), guest initramfs $(du -h "$vdir/guest.cpio" | cut -f1)" >&2
