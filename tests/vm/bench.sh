# vmrun-check: no
# vmrun-opts: -k 7 -m 4G -t 1800
# make bench (scripts/bench.sh): FDBox against LUO memfd preservation in one
# VM run, same kernel, same data, then the boot cost of a sealed FDBox.
#   stage 1: create every case twice (same bytes, one memfd per system), time
#            PUT+SEAL and PRESERVE_FD (/bin/fdbox-bench stage1), kexec with
#            all of them preserved
#   stage 2: time UNSEAL+GET and RETRIEVE_FD and the first read of every
#            page, check a sample, free everything; the same for the big cases
#            (fdbox_bench.big, dense 4 GiB), which do not fit beside the others
#   stage 3: restore the big cases; seal fdbox_bench.boot MiB of 4 KiB pages in
#            FDBox alone, kexec
#   stage 4: boot with that sealed; drop it; seal the same size THP-backed
#   stage 5: boot with the THP file sealed; drop it; preserve the 4 KiB-page
#            file with LUO alone
#   stage 6: boot with that preserved; retrieve and finish it
#   stage 7, 8: empty boots, the baseline
# Each kexec -e and each stage start prints the TSC (BENCH-TSC), which runs on
# across kexec: scripts/bench.sh turns the pair into kexec -e to userspace.
# The cases and repetitions come from the kernel command line (carried by
# kexec --reuse-cmdline):
#   fdbox_bench.cases=NAME,KIND,SIZE_MIB[,WRITTEN_MIB]/...  fdbox_bench.reps=N
#   fdbox_bench.big=...  fdbox_bench.boot=MIB (0: no boot-cost stages)
# Records are "BENCH-..." lines; scripts/bench.sh collects them.
/bin/fdbox-bench tsc "start-$STAGE"
bench_arg() {
	sed -n "s/.*fdbox_bench\\.$1=\\([^ ]*\\).*/\\1/p" /proc/cmdline | tr '/' ' '
}
bench_cases=$(bench_arg cases)
bench_big=$(bench_arg big)
bench_boot=$(bench_arg boot)
bench_boot=${bench_boot:-0}
bench_reps=$(bench_arg reps)
bench_reps=${bench_reps:-3}
[ -n "$bench_cases" ] || bench_cases="dense-64M,dense,64"
echo "BENCH-UPTIME: stage $STAGE $(cut -d' ' -f1 /proc/uptime)"
KEXEC_HOOK="/bin/fdbox-bench tsc kexec-$STAGE"

# bench_preserve CASES: stage 1 of fdbox-bench on CASES, swap on zram for
# the "swap" case (half of the file paged out).
bench_preserve() {
	if echo "$1" | grep -q ',swap,' && [ -e /sys/block/zram0/disksize ] &&
		! grep -q zram0 /proc/swaps; then
		echo 2G >/sys/block/zram0/disksize && mkswap /dev/zram0 >/dev/null &&
			swapon /dev/zram0 && echo "BENCH: swap on zram0 (2G)"
	fi
	echo "BENCH: stage $STAGE preserve, reps $bench_reps, cases $1"
	grep -E 'MemTotal|MemFree' /proc/meminfo | sed 's/^/BENCH: /'
	t0=$(cut -d' ' -f1 /proc/uptime)
	# shellcheck disable=SC2086
	if /bin/fdbox-bench stage1 "$bench_reps" $1; then
		echo "ok - bench stage $STAGE: preserve"
	else
		echo "not ok - bench stage $STAGE: preserve"
		return 1
	fi
	echo "BENCH: stage $STAGE preserve took $(awk "BEGIN {print $(cut -d' ' -f1 /proc/uptime) - $t0}") s"
	swapoff -a 2>/dev/null
	return 0
}

# bench_restore CASES
bench_restore() {
	# shellcheck disable=SC2086
	if /bin/fdbox-bench stage2 $1; then
		echo "ok - bench stage $STAGE: restore"
	else
		echo "not ok - bench stage $STAGE: restore"
	fi
}

# bench_step CMD CASE: fdbox-bench seal/drop on one case, as a KTAP result
bench_step() {
	if /bin/fdbox-bench "$1" "$2"; then
		echo "ok - bench stage $STAGE: $1 $2"
	else
		echo "not ok - bench stage $STAGE: $1 $2"
	fi
}

boot_dense="boot-dense,dense,$bench_boot"
boot_thp="boot-thp,thp,$bench_boot"
boot_luo="boot-luo,dense,$bench_boot"
case $STAGE in
1)
	bench_preserve "$bench_cases" || return 1
	fdbox_kexec
	;;
2)
	bench_restore "$bench_cases"
	if [ -n "$bench_big" ]; then
		bench_preserve "$bench_big" || return 1
	fi
	fdbox_kexec
	;;
3)
	[ -n "$bench_big" ] && bench_restore "$bench_big"
	[ "$bench_boot" -gt 0 ] && bench_step seal "$boot_dense"
	fdbox_kexec
	;;
4)
	if [ "$bench_boot" -gt 0 ]; then
		bench_step drop "$boot_dense"
		bench_step seal "$boot_thp"
	fi
	fdbox_kexec
	;;
5)
	if [ "$bench_boot" -gt 0 ]; then
		bench_step drop "$boot_thp"
		bench_step luo-seal "$boot_luo"
	fi
	fdbox_kexec
	;;
6)
	[ "$bench_boot" -gt 0 ] && bench_step luo-drop "$boot_luo"
	fdbox_kexec
	;;
7)
	fdbox_kexec
	;;
8)
	echo "ok - bench stage 8: empty kexec boot"
	;;
esac
