#!/usr/bin/env bash
# Boot the test kernel in QEMU, run one scenario through its kexecs, and judge
# the serial log: KTAP ok/not ok lines at column 0 are counted; a scenario that
# does not reach "FDBOX-VM: DONE", a kernel oops/panic/BUG/WARNING, a negative
# vmstat counter, or a timeout is a failure.
#
# Usage: scripts/vmrun.sh [options] SCENARIO
#   (options from the scenario's "# vmrun-opts:" line are applied first)
#   -m MEM        guest memory (default 2G)
#   -t SECONDS    timeout for the whole run, all stages (default 600)
#   -d FILE       attach FILE as a read-only virtio-blk disk (/dev/vda); repeatable
#   -w FILE       attach FILE as a writable virtio-blk disk (after the -d ones)
#   -k N          expected number of kexecs (checked; default: not checked)
#   -a ARGS       extra kernel command line (repeatable)
#   -l LOG        serial log path (default out/logs/SCENARIO.log)
# Env: KBUILD, INITRD (default build/initramfs.cpio), ACCEL=tcg (default) or kvm
# A scenario with a "# vmrun-selftest: TEST..." line is run by the tree's
# tools/testing/selftests/fdbox/vmtest.sh (its own initramfs and /init),
# judged the same way.
# Prints "vmrun: SCENARIO: P passed, F failed, S skipped" and exits non-zero
# on any failure.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
KBUILD=${KBUILD:-$top/build/kernel}
INITRD=${INITRD:-$top/build/initramfs.cpio}
mem=2G timeout=600 disks=() wdisks=() kexecs="" append="" log=""
# The scenario's own "# vmrun-opts:" line comes first; options given here
# override it (-a and -d add to it).
if [ $# -gt 0 ] && [ -f "$top/tests/vm/${!#}.sh" ]; then
	# shellcheck disable=SC2046
	set -- $(sed -n 's/^# vmrun-opts: //p' "$top/tests/vm/${!#}.sh") "$@"
fi
while getopts 'm:t:d:w:k:a:l:' o; do
	case $o in
	m) mem=$OPTARG ;;
	t) timeout=$OPTARG ;;
	d) disks+=("$OPTARG") ;;
	w) wdisks+=("$OPTARG") ;;
	k) kexecs=$OPTARG ;;
	a) append="$append $OPTARG" ;;
	l) log=$OPTARG ;;
	*) sed -n '2,17p' "$0" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
scenario=${1:?usage: vmrun.sh [options] SCENARIO}
log=${log:-$top/out/logs/$scenario.log}
mkdir -p "$(dirname "$log")"
die() { echo "vmrun: error: $*" >&2; exit 2; }

kernel=$KBUILD/arch/x86/boot/bzImage
[ -f "$kernel" ] || die "$kernel missing; run 'make kernel'"
# A scenario that runs a VM itself uses the initramfs with QEMU in it.
if grep -q '^# vmrun-initramfs: vmm' "$top/tests/vm/$scenario.sh" 2>/dev/null; then
	INITRD=${INITRD%.cpio}-vmm.cpio
fi
[ -f "$INITRD" ] || die "$INITRD missing; run 'make initramfs'"
[ -f "$top/tests/vm/$scenario.sh" ] || die "unknown scenario '$scenario' (tests/vm/$scenario.sh)"
qemu=$(command -v qemu-system-x86_64) || die "qemu-system-x86_64 missing; run scripts/deps.sh"

# TCG unless ACCEL=kvm: on some hosts /dev/kvm exists but nested KVM can not
# run the guest (QEMU aborts on MSR 0x10a, or the guest hangs at boot), and a
# run must not depend on the host's virtualization.
case ${ACCEL:-tcg} in
tcg) accel=(-accel tcg,thread=multi) ;;
kvm)
	[ -w /dev/kvm ] || die "ACCEL=kvm but /dev/kvm is not usable"
	accel=(-accel kvm -cpu host) ;;
*) die "ACCEL=$ACCEL: use tcg or kvm" ;;
esac
drives=()
for d in "${disks[@]}"; do
	[ -f "$d" ] || die "disk image $d missing"
	drives+=(-drive "file=$d,if=virtio,format=raw,readonly=on")
done
for d in "${wdisks[@]}"; do
	[ -f "$d" ] || die "disk image $d missing"
	drives+=(-drive "file=$d,if=virtio,format=raw")
done

# KHO sizes its scratch areas at 4x the memory the kernel reserved at boot;
# with KASAN's shadow in it that no longer fits. The next kernel's early
# allocations (its own KASAN shadow included) come from scratch: fixed sizes.
if grep -q '^CONFIG_KASAN=y' "$KBUILD/.config" 2>/dev/null; then
	append="kho_scratch=64M,512M,64M $append"
fi

# A scenario that is a selftest of the tree ("# vmrun-selftest: ARGS") runs
# with the tree's own runner, tools/testing/selftests/fdbox/vmtest.sh, which
# builds the tests and its initramfs itself; ARGS are its TEST arguments.
selftest=$(sed -n 's/^# vmrun-selftest: //p' "$top/tests/vm/$scenario.sh")
start=$(date +%s)
if [ -n "$selftest" ]; then
	vmtest=${TREE:-$top/linux}/tools/testing/selftests/fdbox/vmtest.sh
	[ -x "$vmtest" ] || die "$vmtest missing"
	eval "args=($selftest)"
	echo "vmrun: $scenario: $vmtest ${args[*]} ($mem, log $log)" >&2
	rm -rf "$log.vmtest"
	"$vmtest" -d "$KBUILD" -m "$mem" -t "$timeout" -a "$append" -l "$log" \
		-w "$log.vmtest" "${args[@]}" </dev/null >"$log.qemu" 2>&1
	qrc=$?
	# vmtest.sh judged the run itself (rc 1: a failure it lists);
	# the checks below look at the same serial log.
	[ $qrc -eq 1 ] && qrc=0
else
	echo "vmrun: $scenario: booting ($mem, log $log)" >&2
	timeout --foreground -k 10 "$timeout" "$qemu" "${accel[@]}" -smp 2 -m "$mem" \
		-nographic -nodefaults -no-reboot -serial "file:$log" \
		-kernel "$kernel" -initrd "$INITRD" "${drives[@]}" \
		-append "console=ttyS0 panic=-1 oops=panic liveupdate=on fdbox.scenario=$scenario $append" \
		</dev/null >"$log.qemu" 2>&1
	qrc=$?
fi
secs=$(($(date +%s) - start))

pass=$(grep -a -c '^ok [0-9-]' "$log" | tr -d ' ')
skip=$(grep -a -c '^ok [0-9-].*# SKIP' "$log" | tr -d ' ')
fail=$(grep -a -c '^not ok' "$log" | tr -d ' ')
pass=$((pass - skip))
why=()
[ $qrc -eq 124 ] && why+=("timeout after ${timeout}s")
[ $qrc -ne 0 ] && [ $qrc -ne 124 ] && why+=("qemu exit code $qrc: $(tail -n 3 "$log.qemu" | tr '\n' ' ')")
grep -a -q -E '^FDBOX-VM(TEST)?: DONE' "$log" || why+=("scenario did not finish (no 'FDBOX-VM: DONE')")
# A negative vmstat counter (stat_refresh) is an accounting bug too.
problems='Kernel panic|BUG:|WARNING:|Oops|general protection fault|Call Trace:|UBSAN:|KASAN:|kmemleak: .*new suspected|vmstat_refresh: [a-z_]+ -[0-9]'
if grep -a -E -q "$problems" "$log"; then
	why+=("kernel reported a problem")
fi
if [ -n "$kexecs" ]; then
	n=$(grep -a -c -E '^FDBOX-VM(TEST)?: kexec stage' "$log")
	[ "$n" -eq "$kexecs" ] || why+=("expected $kexecs kexecs, saw $n")
fi
if [ "$pass" -eq 0 ] && [ "$fail" -eq 0 ] && [ ${#why[@]} -eq 0 ]; then
	why+=("no test result in the log")
fi
if [ ${#why[@]} -gt 0 ]; then
	fail=$((fail + 1))
	echo "vmrun: $scenario: FAILED: ${why[*]}" >&2
	echo "---- kernel problem reports / failures ----" >&2
	grep -a -E -n -B3 -A20 "$problems" "$log" | head -n 60 >&2
	echo "---- last 40 lines of $log ----" >&2
	tail -n 40 "$log" >&2
elif [ "$fail" -gt 0 ]; then
	echo "vmrun: $scenario: failing tests:" >&2
	grep -a -B15 '^not ok' "$log" | tail -n 80 >&2
fi
echo "vmrun: $scenario: $pass passed, $fail failed, $skip skipped (${secs}s)"
[ "$fail" -eq 0 ]
