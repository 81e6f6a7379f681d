#!/usr/bin/env bash
# Build the in-VM test binaries, statically linked, into build/tests:
# upstream's liveupdate and memfd kselftests (regression guards) and, once the
# series adds it, tools/testing/selftests/fdbox.
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
mkdir -p "$OUT" "$top/build/selftests"
sel=$TREE/tools/testing/selftests

# target dir : binaries to install
build() {
	local dir=$1; shift
	local o=$top/build/selftests/$dir
	mkdir -p "$o"
	local targets=()
	for b in "$@"; do targets+=("$o/$b"); done
	make -C "$sel/$dir" -s -j"$JOBS" OUTPUT="$o" KHDR_INCLUDES="$hdr" \
		LDFLAGS="-static" "${targets[@]}" ||
		die "building selftests/$dir ($*) failed"
	for b in "$@"; do install -m 0755 "$o/$b" "$OUT/$b"; done
}
build liveupdate liveupdate luo_kexec_simple luo_multi_session
build memfd memfd_test
if [ -d "$sel/fdbox" ]; then
	o=$top/build/selftests/fdbox
	mkdir -p "$o"
	make -C "$sel/fdbox" -s -j"$JOBS" OUTPUT="$o" KHDR_INCLUDES="$hdr" LDFLAGS="-static" all ||
		die "building selftests/fdbox failed"
	find "$o" -maxdepth 1 -type f -perm -u+x -exec install -m 0755 {} "$OUT/" \;
fi
if [ -f "$top/fdbox/Makefile" ]; then
	make -C "$top/fdbox" -s UAPI="$KBUILD/usr/include" LDFLAGS="-static" ||
		die "building the fdbox CLI failed"
	install -m 0755 "$top/fdbox/fdbox" "$OUT/fdbox"
	install -m 0755 "$top/fdbox/tests/fdbox-jsoncheck" "$OUT/fdbox-jsoncheck"
fi
echo "build-tests: $(ls "$OUT" | wc -l) binaries in $OUT" >&2
