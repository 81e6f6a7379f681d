# shellcheck shell=bash disable=SC2154
# Sourced by scripts/bench*.sh (needs $top): what the benchmarks share.

# bench_initrd: the kernel and tests (prepare-vm.sh), fdbox-bench, and the
# benchmark initramfs with it; sets $initrd to its path.
bench_initrd() {
	"$top/scripts/prepare-vm.sh"
	make -C "$top/bench" -s UAPI="$top/build/kernel/usr/include" >/dev/null
	initrd=$top/build/bench/initramfs.cpio
	EXTRA_BIN=$top/bench/fdbox-bench "$top/scripts/mkinitramfs.sh" "$initrd" >/dev/null
}

# bench_tsc_append: "tsc_early_khz=N" for the guest's command line, or
# nothing. Under TCG the cold boot's TSC calibration against the PIT often
# fails and CLOCK_MONOTONIC falls back to jiffies (4 ms steps); QEMU's TCG
# TSC runs at the host's frequency, so give the guest that.
bench_tsc_append() {
	local khz
	[ "${ACCEL:-tcg}" = tcg ] && grep -qw constant_tsc /proc/cpuinfo || return 0
	khz=$(awk -F: '/^cpu MHz/ {printf "%d", $2 * 1000; exit}' /proc/cpuinfo)
	[ -n "$khz" ] && [ "$khz" -gt 0 ] && echo "tsc_early_khz=$khz"
	return 0
}
