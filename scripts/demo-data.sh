#!/usr/bin/env bash
# make demo-data: a memfd full of real data survives a kexec inside QEMU and
# is compared byte for byte with the original (the demo before the VMM flow
# of make demo).
#
# Env: SIZE (default 1G) of random data made on the host, or DATA=file to use
#      an existing file; it is attached read-only to the VM as /dev/vda.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/out/demo-data
mkdir -p "$out"
die() { echo "demo: error: $*" >&2; exit 1; }

"$top/scripts/prepare-vm.sh"

if [ -n "${DATA:-}" ]; then
	[ -f "$DATA" ] || die "DATA=$DATA is not a file"
	img=$out/data.img
	cp --reflink=auto "$DATA" "$img"
	# A virtio disk is a whole number of 512-byte sectors.
	truncate -s %512 "$img"
	[ "$(stat -c %s "$img")" = "$(stat -c %s "$DATA")" ] ||
		echo "demo: note: $DATA padded with zeros to $(stat -c %s "$img") bytes" >&2
else
	SIZE=${SIZE:-1G}
	img=$out/random-$SIZE.img
	if [ ! -f "$img" ]; then
		echo "demo: making $SIZE of random data in $img" >&2
		head -c "$SIZE" /dev/urandom >"$img.tmp"
		truncate -s %512 "$img.tmp"
		mv "$img.tmp" "$img"
	fi
fi
bytes=$(stat -c %s "$img")
# The memfd and its restored copy in the guest's /tmp, plus room to boot.
mem_mib=$(( (bytes * 2 >> 20) + 1024 ))
timeout=$(( 300 + (bytes >> 20) ))
echo "demo: $bytes bytes of data, VM memory ${mem_mib}M" >&2

set +e
"$top/scripts/vmrun.sh" -m "${mem_mib}M" -t "$timeout" -k 1 -d "$img" \
	-l "$out/serial.log" demo-data
rc=$?
set -e
echo
echo "== FDBox data demo =="
grep -a '^FDBOX-DEMO:' "$out/serial.log" | sed 's/^FDBOX-DEMO: /  /'
# The CLI's own figures: per-step times and the zero-copy check.
tr '\r' '\n' <"$out/serial.log" | sed 's/\x1b\[K//g' |
	grep -a -E '^(put [^:]*: .* in [0-9.]+ s|seal |unseal |pfns |restore [^ ]*: )' |
	sed 's/^/  fdbox: /'
grep -a -E '^(ok|not ok) ' "$out/serial.log" | sed 's/^/  /'
echo "  serial log: $out/serial.log"
[ $rc -eq 0 ] && echo "demo: PASSED: the memfd survived the kexec byte for byte" ||
	echo "demo: FAILED (see the log)"
exit $rc
