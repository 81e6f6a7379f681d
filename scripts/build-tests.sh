#!/usr/bin/env bash
# Build the in-VM test binaries into build/tests, linked against Debian's
# libc (mkinitramfs.sh adds the libraries they need; kexec-tools needs the
# same libc, so a shared libc keeps the initramfs, which every boot unpacks
# and every kexec repacks, about half the size of static binaries):
# upstream's liveupdate and memfd kselftests (regression guards), and the
# fdbox CLI and test helpers of this workspace.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
TREE=${TREE:-$top/linux}
KBUILD=${KBUILD:-$top/build/kernel}
OUT=${TESTBIN:-$top/build/tests}
JOBS=${JOBS:-$(nproc)}
die() { echo "build-tests: error: $*" >&2; exit 1; }

[ -f "$KBUILD/.config" ] || die "kernel not configured; run 'make kernel' first"
make -C "$TREE" O="$KBUILD" ARCH=x86_64 -s headers
hdr="-isystem $KBUILD/usr/include"
# Objects of their own next to OUT (build/selftests, or build/check/selftests
# for make check), rebuilt every time (-B, a few seconds): a binary built from
# another tree or with other flags is never reused.
# OUT is emptied first, so a test that is gone can not leave its binary behind.
SELOUT=$(dirname "$OUT")/selftests
rm -rf "$OUT" "$SELOUT"
mkdir -p "$OUT" "$SELOUT"
sel=$TREE/tools/testing/selftests

# target dir : binaries to install
build() {
	local dir=$1; shift
	local o=$SELOUT/$dir
	mkdir -p "$o"
	local targets=()
	for b in "$@"; do targets+=("$o/$b"); done
	make -B -C "$sel/$dir" -s -j"$JOBS" OUTPUT="$o" KHDR_INCLUDES="$hdr" \
		LDFLAGS="${TEST_LDFLAGS:-}" "${targets[@]}" ||
		die "building selftests/$dir ($*) failed"
	for b in "$@"; do install -m 0755 "$o/$b" "$OUT/$b"; done
}
build liveupdate liveupdate luo_kexec_simple luo_multi_session
build memfd memfd_test
# The series' own selftests: built here as a check only. The scenarios run
# them with the tree's tools/testing/selftests/fdbox/vmtest.sh, which builds
# them itself (static) into its own initramfs, so they stay out of this one.
if [ -d "$sel/fdbox" ]; then
	o=$SELOUT/fdbox
	mkdir -p "$o"
	make -B -C "$sel/fdbox" -s -j"$JOBS" OUTPUT="$o" KHDR_INCLUDES="$hdr" LDFLAGS="${TEST_LDFLAGS:-}" all ||
		die "building selftests/fdbox failed"
fi
if [ -f "$top/fdbox/Makefile" ]; then
	make -B -C "$top/fdbox" -s UAPI="$KBUILD/usr/include" LDFLAGS="${TEST_LDFLAGS:-}" ||
		die "building the fdbox CLI failed"
	install -m 0755 "$top/fdbox/fdbox" "$OUT/fdbox"
	install -m 0755 "$top/fdbox/tests/fdbox-jsoncheck" "$OUT/fdbox-jsoncheck"
	install -m 0755 "$top/fdbox/tests/fdbox-testfd" "$OUT/fdbox-testfd"
fi
echo "build-tests: $(ls "$OUT" | wc -l) binaries in $OUT" >&2
