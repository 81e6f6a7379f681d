# Helpers for VM scenarios, sourced by /init before the scenario script.
# A scenario is a shell fragment run with $STAGE set (1 on first boot, +1
# after each fdbox_kexec). It reports results as KTAP "ok"/"not ok" lines at
# column 0; scripts/vmrun.sh counts them.

# fdbox_kexec: carry the rootfs (with the next stage number) into a new
# instance of this kernel with kexec_file_load (kexec -s); never returns on
# success.
fdbox_kexec() {
	kmemleak_check
	echo $((STAGE + 1)) >/etc/fdbox/stage
	_t0=$(cut -d' ' -f1 /proc/uptime)
	# KEXEC_DEBUG=1: what else runs while the rootfs is repacked.
	[ -n "${KEXEC_DEBUG:-}" ] && top -b -n 1 | head -n 12 | sed 's/^/# top: /'
	if [ -n "${KEXEC_DEBUG:-}" ]; then
		time sh -c 'cd / && find . -xdev >/tmp/.files' 2>&1 | sed 's/^/# find: /'
		echo "# files: $(wc -l </tmp/.files)"
		grep . /proc/mounts /sys/kernel/mm/transparent_hugepage/shmem_enabled | sed 's/^/# mm: /'
		cp /proc/vmstat /tmp/.vmstat0
		time sh -c 'cd / && cpio -o -H newc </tmp/.files >/dev/null 2>&1' 2>&1 | sed 's/^/# cpio to null: /'
		time sh -c 'head -c 57000000 /dev/zero >/run/.zero' 2>&1 | sed 's/^/# write 57 MB to \/run: /'
		rm -f /run/.zero
	fi
	(cd / && find . -xdev | cpio -o -H newc 2>/dev/null) >/run/initrd.cpio
	if [ -n "${KEXEC_DEBUG:-}" ]; then
		cp /proc/vmstat /tmp/.vmstat1
		awk 'NR == FNR { a[$1] = $2; next } $2 != a[$1] { print "# vmstat: " $1, $2 - a[$1] }' /tmp/.vmstat0 /tmp/.vmstat1
	fi
	[ -n "${KEXEC_DEBUG:-}" ] && top -b -n 1 | head -n 12 | sed 's/^/# top: /'
	[ -n "${KEXEC_DEBUG:-}" ] && echo "# initrd: $(stat -c %s /run/initrd.cpio) bytes"
	echo "FDBOX-VM: kexec stage $STAGE -> $((STAGE + 1)) uptime $(cut -d' ' -f1 /proc/uptime) (rootfs repacked from $_t0)"
	kexec -s -l /boot/bzImage --initrd=/run/initrd.cpio --reuse-cmdline ||
		{ echo "not ok - kexec -s -l failed in stage $STAGE"; return 1; }
	echo "FDBOX-VM: kexec -s -l done, uptime $(cut -d' ' -f1 /proc/uptime)"
	sync
	# A scenario may time the kexec (tests/vm/bench.sh prints the TSC).
	[ -n "${KEXEC_HOOK:-}" ] && $KEXEC_HOOK
	kexec -e
	echo "not ok - kexec -e returned in stage $STAGE"
	return 1
}

# ksft_run NAME CMD...: run a kselftest-harness (KTAP) binary; its own
# ok/not ok lines count. A non-zero exit without any "not ok" line (a crash,
# a missing binary) is reported as one failure named NAME. The output goes
# to the console as it comes, as "# " diagnostics, so that the log shows when
# each test ran; the result lines are printed again, whole, at the end,
# where no kernel message can land in the middle of one.
ksft_run() {
	name=$1; shift
	out=/tmp/.ksft.$$.out
	{ "$@" 2>&1; echo $? >"$out.rc"; } | tee "$out" | sed 's/^/# /'
	rc=$(cat "$out.rc" 2>/dev/null); rc=${rc:-1}
	rm -f "$out.rc"
	grep -E '^(not )?ok ' "$out"
	if [ $rc -ne 0 ] && [ $rc -ne 4 ] && ! grep -q '^not ok' "$out"; then
		echo "not ok - $name (exit code $rc)"
	fi
	rm -f "$out"
	return $rc
}

# ktap_run NAME CMD...: run a plain program; exit code 0 is one "ok",
# anything else one "not ok". Its output is printed as KTAP diagnostics.
ktap_run() {
	name=$1; shift
	out=/tmp/.ktap.$$.out
	"$@" >"$out" 2>&1
	rc=$?
	sed 's/^/# /' "$out"
	rm -f "$out"
	if [ $rc -eq 0 ]; then
		echo "ok - $name"
	else
		echo "not ok - $name (exit code $rc)"
	fi
	return $rc
}

# kmemleak (debug kernel only): kmemleak_start forgets what the kernel leaked
# before the scenario ran (boot); kmemleak_check, at the end of each stage,
# scans and reports one KTAP result: any unreferenced object is a failure,
# printed with its backtrace. Objects younger than 5 seconds are not
# reported by kmemleak, hence the wait.
KMEMLEAK=/sys/kernel/debug/kmemleak
kmemleak_start() {
	[ -w $KMEMLEAK ] || return 0
	echo scan >$KMEMLEAK
	echo clear >$KMEMLEAK
}

kmemleak_check() {
	[ -w $KMEMLEAK ] || return 0
	sleep 6
	echo scan >$KMEMLEAK
	cat $KMEMLEAK >/tmp/.kmemleak
	if [ -s /tmp/.kmemleak ]; then
		sed 's/^/# /' /tmp/.kmemleak | head -n 200
		echo "not ok - kmemleak: $(grep -c '^unreferenced object' /tmp/.kmemleak) unreferenced objects in stage $STAGE"
	else
		echo "ok - kmemleak: no leak in stage $STAGE"
	fi
	rm -f /tmp/.kmemleak
	echo clear >$KMEMLEAK
}
