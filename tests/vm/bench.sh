# vmrun-check: no
# vmrun-opts: -k 2 -m 4G -t 1800
# make bench (scripts/bench.sh): FDBox against LUO memfd preservation in one
# VM run. Stage 1 creates every case twice (same bytes, one memfd per system),
# times PUT+SEAL and PRESERVE_FD (/bin/fdbox-bench), and kexecs with all of
# them preserved; stage 2 prints its uptime (kexec -e to userspace), times
# UNSEAL+GET and RETRIEVE_FD and the first read of every page, checks a sample
# of pages, frees everything and kexecs again with nothing preserved; stage 3's
# uptime is the empty-boot baseline. The cases and the number of repetitions
# come from the kernel command line (carried by kexec --reuse-cmdline):
#   fdbox_bench.cases=NAME,KIND,SIZE_MIB[,WRITTEN_MIB]/...  fdbox_bench.reps=N
# Records are "BENCH-JSON: {...}" lines; scripts/bench.sh collects them.
bench_cases=$(sed -n 's/.*fdbox_bench\.cases=\([^ ]*\).*/\1/p' /proc/cmdline | tr '/' ' ')
bench_reps=$(sed -n 's/.*fdbox_bench\.reps=\([0-9]*\).*/\1/p' /proc/cmdline)
bench_reps=${bench_reps:-3}
[ -n "$bench_cases" ] || bench_cases="dense-64M,dense,64"
echo "BENCH-UPTIME: stage $STAGE $(cut -d' ' -f1 /proc/uptime)"
case $STAGE in
1)
	# Swap on zram for the "swap" case (half of the file paged out).
	if echo "$bench_cases" | grep -q ',swap,' && [ -e /sys/block/zram0/disksize ]; then
		echo 2G >/sys/block/zram0/disksize && mkswap /dev/zram0 >/dev/null &&
			swapon /dev/zram0 && echo "BENCH: swap on zram0 (2G)"
	fi
	echo "BENCH: stage 1 reps $bench_reps cases $bench_cases"
	grep -E 'MemTotal|MemFree' /proc/meminfo | sed 's/^/BENCH: /'
	t0=$(cut -d' ' -f1 /proc/uptime)
	# shellcheck disable=SC2086
	if /bin/fdbox-bench stage1 "$bench_reps" $bench_cases; then
		echo "ok - bench stage 1: preserve"
	else
		echo "not ok - bench stage 1: preserve"
		return 1
	fi
	echo "BENCH: stage 1 took $(awk "BEGIN {print $(cut -d' ' -f1 /proc/uptime) - $t0}") s"
	swapoff -a 2>/dev/null
	fdbox_kexec
	;;
2)
	# shellcheck disable=SC2086
	if /bin/fdbox-bench stage2 $bench_cases; then
		echo "ok - bench stage 2: restore"
	else
		echo "not ok - bench stage 2: restore"
	fi
	fdbox_kexec
	;;
3)
	echo "ok - bench stage 3: empty kexec boot"
	;;
esac
