# vmrun-check: no
# vmrun-opts: -k 13 -m 2G -t 2400
# make bench-scale (scripts/bench-scale.sh): the cost per file of FDBox and
# LUO as files and boxes (sessions) grow, in one VM run. Stage 1 times SEAL
# of one box while 0, 100 and 1000 others are sealed (fdbox-bench
# seal-others), then each stage k seals point k of the list below (one
# system: FDBox or LUO, so that each kexec -e to userspace is one system's)
# and kexecs; stage k + 1 takes every file of it back, checks it and frees
# it. The last kexec carries nothing: the baseline boot.
# Each stage prints the TSC at its start and before its kexec (BENCH-TSC),
# and FDBox's own boot-time parse ("parsed in N us" of the kernel log).
points=""
for p in files:100 files:1000 files:10000 boxes:1 boxes:100 boxes:1000; do
	points="$points${points:+ }fdbox:$p luo:$p"
done
B=/bin/fdbox-bench
$B tsc "start-$STAGE"
KEXEC_HOOK="$B tsc kexec-$STAGE"
point() { echo "$points" | tr ' ' '\n' | sed -n "${1}p" | tr ':' ' '; }
npoints=$(echo "$points" | wc -w)

dmesg | sed -n 's/.*fdbox: \([0-9]*\) box(es) from the previous kernel, parsed in \([0-9]*\) us.*/BENCH-PARSE: stage '"$STAGE"' boxes \1 us \2/p'
if [ "$STAGE" -gt 1 ] && [ "$STAGE" -le $((npoints + 1)) ]; then
	# shellcheck disable=SC2046
	if $B scale-restore $(point $((STAGE - 1))); then
		echo "ok - bench-scale stage $STAGE: restore $(point $((STAGE - 1)))"
	else
		echo "not ok - bench-scale stage $STAGE: restore $(point $((STAGE - 1)))"
	fi
fi
if [ "$STAGE" = 1 ]; then
	if $B seal-others 0 100 1000; then
		echo "ok - bench-scale: SEAL beside 0, 100, 1000 sealed boxes"
	else
		echo "not ok - bench-scale: SEAL beside other boxes"
	fi
fi
if [ "$STAGE" -le "$npoints" ]; then
	echo "BENCH-POINT: stage $STAGE $(point "$STAGE")"
	# shellcheck disable=SC2046
	if $B scale-seal $(point "$STAGE"); then
		echo "ok - bench-scale stage $STAGE: seal $(point "$STAGE")"
	else
		echo "not ok - bench-scale stage $STAGE: seal $(point "$STAGE")"
		return 1
	fi
fi
[ "$STAGE" -le $((npoints + 1)) ] && fdbox_kexec
