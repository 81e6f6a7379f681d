# vmrun-opts: -k 1 -t 1500
# vmrun-initramfs: vmm
# vmrun-kernel: normal
# vmrun-cost: 150
# A running VM survives a host kexec. Debian's QEMU runs a guest (this
# kernel, tests/vm/vmm/guest.c as its init: a seeded pattern in its RAM, a
# heartbeat, periodic pattern checks) whose RAM is a shared memfd
# (memory-backend-memfd,share=on). Stage 1: x-ignore-shared, stop, device
# state saved, the RAM memfd taken from the running QEMU with
# 'fdbox put vm0 ram --pid', the state put in as a second file, QEMU quits,
# the box is sealed, kexec. Stage 2: 'fdbox exec vm0 -- qemu-system-x86_64
# ... mem-path=/proc/self/fd/3 ... -incoming defer', the state loaded from
# fd 4, cont: the heartbeat goes on in the same boot, the guest's own
# pattern check passes, the RAM has the same checksum and every page is on
# the same physical frame.
#
# Kernel command line (vmrun -a): fdbox.guest_mem=MIB (default 128; 0: 72 %
# of the test VM's MemTotal), fdbox.guest_fill=MIB of pattern (default 48;
# 0: 90 % of what the guest has available, less 32 MiB), and
# fdbox.guest_tb=MIB of TCG translation cache (default 32). make demo uses it
# with a large guest (scripts/demo.sh).
#
# make bench-vm (scripts/bench-vm.sh) runs the same flow several times, one
# kexec each, with fdbox.vmm_runs=MODE:MIB:FILL,... (run k starts in stage k
# and resumes in stage k + 1). MODE is how the guest crosses the kexec:
#   fdbox  as above
#   luo    the same memfd and state preserved in a LUO session
#          (/dev/liveupdate, tests/vm/vmm/luo.c), QEMU started by
#          'vmm-luo exec vm0 -- ...' with the same fds 3 and 4
#   disk   nothing preserved: the whole VM, RAM included, migrated to the raw
#          virtio disk /dev/vda (vmrun -w) and loaded back from it into a new
#          memfd
# Each run prints one "BENCH-VM: {json}" line with its figures.
#
# Normal kernel only: the nested guest is this same kernel, and the debug
# kernel's boot under TCG inside TCG has not been measured yet; FDBox's
# ioctls run on the debug kernel in fdbox-api and the others.

Q=/usr/bin/qemu-system-x86_64
QMP=/bin/vmm-qmp
CLI=/tests/fdbox
# QMP over a pipe chardev: the test kernel has no networking (no unix
# sockets). vmm-qmp (tests/vm/vmm/qmp.c) talks to $QMPP.in and $QMPP.out.
QMPP=/run/qmp

LUO=/bin/vmm-luo
DISK=/dev/vda

param() { sed -n "s/.*fdbox\\.$1=\\([0-9]*\\).*/\\1/p" /proc/cmdline | grep . || echo "$2"; }
GTB=$(param guest_tb 32)
# The runs, MODE:MIB:FILL separated by commas; by default one FDBox run.
RUNS=$(sed -n 's/.*fdbox\.vmm_runs=\([a-z0-9:,]*\).*/\1/p' /proc/cmdline)
RUNS=${RUNS:-fdbox:$(param guest_mem 128):$(param guest_fill 48)}
NRUNS=$(echo "$RUNS" | tr ',' '\n' | grep -c .)
V=/etc/fdbox/vmm	# kept in the rootfs, which fdbox_kexec carries over
SEED=20261204

vmm() { echo "FDBOX-VMM: $*"; }
tsc() { $QMP tsc; }
# A TSC stamp on the console, for make bench-vm to split the kexec step
# (the stamp at kexec -e can not reach the next kernel's rootfs).
stamp() { echo "FDBOX-VMM-TSC: $1 $($QMP tsc)"; }
# secs T1 T2: seconds between two "TSC BOOTTIME" stamps, at the TSC rate
# measured in stage 1 ($V.rate, ticks per second).
secs() { awk -v a="$1" -v b="$2" -v r="$(cat $V.rate 2>/dev/null || echo 0)" \
	'BEGIN { split(a, x, " "); split(b, y, " "); if (r > 0) printf "%.2f", (y[1] - x[1]) / r; else printf "?" }'; }
# bsecs T1 T2: the same from CLOCK_BOOTTIME (same kernel only).
bsecs() { awk -v a="$1" -v b="$2" 'BEGIN { split(a, x, " "); split(b, y, " "); printf "%.2f", y[2] - x[2] }'; }

# run_qemu BACKEND LOG [COMMAND...]: QEMU, run by COMMAND if given (fdbox
# exec ... --), with the same command line on both sides but for the RAM
# backend (BACKEND) and $QEXTRA; the guest's console goes to LOG.
# Run it in the background (&): it execs, so that $! is QEMU.
run_qemu() {
	local backend=$1 log=$2
	shift 2
	# shellcheck disable=SC2086
	exec "$@" $Q -accel tcg,tb-size=$GTB -smp 1 -m ${GMEM}M \
		-object "$backend" -machine pc,memory-backend=ram \
		-nodefaults -nographic -display none -no-reboot \
		-chardev file,id=con,path="$log" -serial chardev:con \
		-chardev pipe,id=qmp,path=$QMPP -mon chardev=qmp,mode=control \
		-kernel /boot/bzImage -initrd /vmm/guest.cpio \
		-append "console=ttyS0 panic=-1 guest.fill=$GFILL guest.seed=$SEED" \
		$QEXTRA
}

# wait_log PID FILE ERE SECONDS: until a line of FILE matches, while QEMU
# (PID) runs (a hang detector, not a timed assertion: the limit is far above
# the expected time).
wait_log() {
	local n=0
	while ! grep -a -q -E "$3" "$2" 2>/dev/null; do
		[ $n -ge "$4" ] && { echo "# no /$3/ in $2 after $4 s"; return 1; }
		[ -d /proc/$1 ] || { echo "# QEMU (pid $1) exited"; return 1; }
		sleep 1
		n=$((n + 1))
		# Show that the guest lives: its last line every 30 s.
		[ $((n % 30)) -eq 0 ] && echo "# guest, $n s: $(tail -n 1 "$2" | tr -d '\r')"
	done
	return 0
}

# mkqmp: the FIFOs of QEMU's monitor.
mkqmp() {
	rm -f $QMPP.in $QMPP.out
	mkfifo $QMPP.in $QMPP.out
}

# wait_qmp PID SECONDS: until QEMU's monitor answers, while QEMU runs.
wait_qmp() {
	local n=0
	while ! $QMP -t 5 $QMPP '{"execute": "query-status"}' >/dev/null 2>&1; do
		[ $n -ge "$2" ] && return 1
		[ -d /proc/$1 ] || { echo "# QEMU (pid $1) exited"; return 1; }
		n=$((n + 5))
	done
}

# qemu_diag PID: what QEMU (PID) is doing, for a hang report: each
# thread's state, user and system ticks and current syscall, and the memory
# counters that grow when it faults pages in.
qemu_diag() {
	local t
	echo "# QEMU $1 threads (tid state utime stime syscall):"
	for t in /proc/$1/task/*; do
		echo "#   ${t##*/} $(cut -d' ' -f3,14,15 $t/stat 2>/dev/null) $(cut -d' ' -f1 $t/syscall 2>/dev/null)"
	done
	grep -E '^(VmRSS|RssFile|RssShmem)' /proc/$1/status 2>/dev/null | sed 's/^/#   /'
	grep -E '^(MemFree|Shmem|Cached):' /proc/meminfo | tr -s ' ' | sed 's/^/#   /'
	grep -E '^(pgfault|pgmajfault|pgalloc_normal|pswpin) ' /proc/vmstat | sed 's/^/#   /'
}

# wait_reply STEPS ERE CMD: until the reply to QMP CMD matches (STEPS of
# 0.2 s at most; a migration status "failed" ends it at once). With
# DIAG_PID set, QEMU's threads are shown every 150 steps.
wait_reply() {
	local n=0 limit=$1 re=$2
	shift 2
	while ! $QMP $QMPP "$@" >/tmp/.qmp.out 2>&1 || ! grep -q -E "$re" /tmp/.qmp.out; do
		[ $n -ge "$limit" ] && { cat /tmp/.qmp.out; return 1; }
		grep -q '"status": "failed"' /tmp/.qmp.out && { cat /tmp/.qmp.out; return 1; }
		if [ -n "$DIAG_PID" ] && [ ! -d /proc/$DIAG_PID ]; then
			echo "QEMU (pid $DIAG_PID) exited; kernel log tail:"
			dmesg | tail -n 15
			return 1
		fi
		sleep 0.2
		n=$((n + 1))
		[ -n "$DIAG_PID" ] && [ $((n % 150)) -eq 0 ] && qemu_diag "$DIAG_PID" >&2
	done
	cat /tmp/.qmp.out
}

console_tail() {
	echo "# guest console $1 (last 30 lines):"
	tail -n 30 "$1" | sed 's/^/#   /'
	[ -s "$2" ] && { echo "# QEMU output $2:"; tail -n 20 "$2" | sed 's/^/#   /'; }
}

fail() {
	echo "not ok - vmm: $*"
	vmm "FAILED: $*"
}

ok() { echo "ok - vmm: $*"; }

# the RAM memfd among QEMU's descriptors
ram_fd() {
	local f
	for f in /proc/$1/fd/*; do
		case $(readlink "$f") in
		/memfd:memory-backend-memfd*) basename "$f"; return 0 ;;
		esac
	done
	return 1
}

ignore_shared='{"execute": "migrate-set-capabilities", "arguments": {"capabilities": [{"capability": "x-ignore-shared", "state": true}]}}'

# start_run MODE MIB FILL: boot the guest (MIB of RAM, FILL MiB of
# pattern), stop it, carry it as MODE says, kexec. The blackout starts at
# stop.
start_run() {
	local mode=$1 t0 t1 t2 t3 tk qpid fd last md5 mt0 mt1 dest
	GMEM=$2 GFILL=$3
	# guest_mem=0: 72 % of the test VM's memory (a host whose memory is
	# mostly guest RAM), in MiB, taken here: the next kernel's MemTotal
	# differs, and the new QEMU must be given the size the guest had.
	[ "$GMEM" -gt 0 ] || GMEM=$(awk '/MemTotal/ { print int($2 * 0.72 / 1024) }' /proc/meminfo)
	# Hang detector (seconds), far above the expected times: nested TCG
	# is slow, and a large guest fills and checks more.
	LIMIT=$((600 + GMEM))
	mkdir -p "${V%/*}"
	rm -f $V.*
	echo "$mode" >$V.mode
	echo "$GMEM" >$V.gmem
	echo "$GFILL" >$V.gfill
	tsc >$V.t-start
	vmm "run $STAGE of $NRUNS, mode $mode: guest RAM $GMEM MiB (memory-backend-memfd,share=on), pattern $GFILL MiB (0: 90 % of what the guest has available, less 32 MiB), TCG translation cache $GTB MiB"
	vmm "test VM MemTotal $(awk '/MemTotal/ {print int($2 / 1024)}' /proc/meminfo) MiB"
	if [ "$mode" = disk ] && [ ! -b $DISK ]; then
		fail "mode disk needs a writable virtio disk ($DISK, vmrun -w)"
		return 1
	fi
	mkqmp
	QEXTRA= run_qemu memory-backend-memfd,id=ram,size=${GMEM}M,share=on /tmp/guest1.log \
		>/tmp/qemu1.out 2>&1 </dev/null &
	qpid=$!
	mt0=$(tsc)
	if ! wait_log $qpid /tmp/guest1.log '^GUEST-CHECK: [0-9]+ ok' $LIMIT; then
		fail "the guest did not boot and check its pattern"
		console_tail /tmp/guest1.log /tmp/qemu1.out
		kill $qpid
		return 1
	fi
	mt1=$(tsc)
	grep -a '^GUEST-FILLED' /tmp/guest1.log | sed 's/^/# /'
	grep -a '^GUEST-CHECK' /tmp/guest1.log | head -n 1 | sed 's/^/# /'
	vmm "guest boot, fill and first pattern check: $(bsecs "$mt0" "$mt1") s"
	ok "guest runs and its pattern check passed"

	# ---- the blackout starts ----
	# fdbox, luo: the RAM stays in the memfd (x-ignore-shared), only the
	# device state goes to a file. disk: everything goes to the disk.
	dest="cat > /tmp/state"
	if [ "$mode" = disk ]; then
		dest="dd of=$DISK bs=1M conv=fsync 2>/dev/null"
	else
		$QMP $QMPP "$ignore_shared" | sed 's/^/# /'
	fi
	t0=$(tsc)
	$QMP $QMPP '{"execute": "stop"}' | sed 's/^/# /'
	$QMP $QMPP "{\"execute\": \"migrate\", \"arguments\": {\"uri\": \"exec:$dest\"}}" | sed 's/^/# /'
	if ! wait_reply 3000 '"status": "completed"' '{"execute": "query-migrate"}' >/tmp/migrate.out; then
		sed 's/^/# /' /tmp/migrate.out
		fail "saving the VM state failed"
		kill $qpid
		return 1
	fi
	if [ "$mode" = disk ]; then
		# QEMU is done when the pipe has it all; the disk when dd is.
		while pidof dd >/dev/null; do sleep 0.05; done
		sync
		t1=$(tsc)
		# RAM bytes QEMU sent (the device state is a few hundred KiB more)
		sed -n 's/.*"transferred": \([0-9]*\).*/\1/p' /tmp/migrate.out | head -n 1 >$V.state-size
		ok "whole VM state (RAM included) written to $DISK: $(cat $V.state-size) bytes"
	else
		t1=$(tsc)
		stat -c %s /tmp/state >$V.state-size
		ok "device state saved (x-ignore-shared: RAM skipped): $(cat $V.state-size) bytes"
	fi
	fd=$(ram_fd $qpid) || { fail "no memory-backend-memfd among QEMU's descriptors"; ls -l /proc/$qpid/fd; kill $qpid; return 1; }
	# Not part of the blackout: the checksum of the whole RAM memfd.
	c0=$(tsc)
	md5=$(md5sum </proc/$qpid/fd/$fd | cut -d' ' -f1)
	c1=$(tsc)
	vmm "RAM memfd checksum after stop: $md5 ($(bsecs "$c0" "$c1") s, not counted)"
	: >/tmp/put.out
	case $mode in
	fdbox)
		$CLI create vm0
		if ! $CLI put --pfns $V.pfns vm0 ram --pid $qpid --fd "$fd" >/tmp/put.out 2>&1 ||
			! $CLI put vm0 state /tmp/state >>/tmp/put.out 2>&1; then
			sed 's/^/# /' /tmp/put.out
			fail "fdbox put"
			kill $qpid
			return 1
		fi
		sed -n 's/^pfns vm0\/ram: \([0-9]*\) pages.*/\1/p' /tmp/put.out >$V.pages
		;;
	luo)
		if ! $LUO preserve vm0 $qpid "$fd" /tmp/state >/tmp/put.out 2>&1; then
			sed 's/^/# /' /tmp/put.out
			fail "vmm-luo preserve"
			kill $qpid
			return 1
		fi
		sed -n 's/.*ram (\([0-9]*\) pages resident).*/\1/p' /tmp/put.out >$V.pages
		;;
	disk)
		echo 0 >$V.pages
		;;
	esac
	$QMP $QMPP '{"execute": "quit"}' | sed 's/^/# /'
	wait $qpid
	t2=$(tsc)
	sed 's/^/# /' /tmp/put.out
	case $mode in
	fdbox) ok "fdbox put vm0 ram --pid $qpid --fd $fd, state put, QEMU quit" ;;
	luo) ok "LUO session vm0: RAM memfd of QEMU (pid $qpid, fd $fd) and state preserved, QEMU quit" ;;
	disk) ok "QEMU quit" ;;
	esac
	if [ "$mode" = fdbox ]; then
		if ! $CLI seal vm0; then
			fail "fdbox seal vm0"
			return 1
		fi
		ok "fdbox seal vm0"
		$CLI list vm0 | sed 's/^/# /'
	fi
	t3=$(tsc)

	last=$(grep -a '^GUEST-HB: ' /tmp/guest1.log | tail -n 1)
	vmm "last heartbeat before stop: $last"
	echo "$last" | cut -d' ' -f2 >$V.hb
	echo "$last" | cut -d' ' -f3 >$V.boot
	echo "$md5" >$V.md5
	bsecs "$t0" "$t1" >$V.save
	# put: from the end of the state save to QEMU's exit, less the checksum
	awk -v a="$(bsecs "$t1" "$t2")" -v b="$(bsecs "$c0" "$c1")" 'BEGIN { printf "%.2f\n", a - b }' >$V.put
	bsecs "$t2" "$t3" >$V.seal
	tk=$(tsc)
	echo "$tk" >$V.tk
	# TSC ticks per second, from this stage's own clock.
	awk -v a="$(cat $V.t-start)" -v b="$tk" 'BEGIN { split(a, x, " "); split(b, y, " ");
		printf "%.0f\n", (y[1] - x[1]) / (y[2] - x[2]) }' >$V.rate
	echo "FDBOX-VMM-TSC: kexec-start $tk"
	KEXEC_HOOK="stamp kexec-e" KEXEC_DEBUG=$(param kexec_debug "") fdbox_kexec
}

# resume_run: the new kernel's half of the run start_run began: a new QEMU
# with the guest's RAM and state, cont, the checks and the figures.
resume_run() {
	local mode t4 t5 t6 t7 t8 t9 up qpid md5 hb boot n c0 c1 first backend uri runner rfd
	local fails=0
	mode=$(cat $V.mode) GMEM=$(cat $V.gmem) GFILL=$(cat $V.gfill)
	LIMIT=$((600 + GMEM))
	t4=$(tsc)
	echo "FDBOX-VMM-TSC: userspace $t4"
	up=$(cut -d' ' -f1 /proc/uptime)
	hb=$(cat $V.hb) boot=$(cat $V.boot)
	[ "$mode" = fdbox ] && $CLI list | sed 's/^/# /'
	mkqmp
	backend=memory-backend-file,id=ram,size=${GMEM}M,mem-path=/proc/self/fd/3,share=on
	uri=fd:4
	case $mode in
	fdbox) runner="$CLI exec --pfns $V.pfns vm0 --" ;;
	luo) runner="$LUO exec vm0 --" ;;
	disk)
		runner=
		backend=memory-backend-memfd,id=ram,size=${GMEM}M,share=on
		uri="exec:cat $DISK"
		;;
	esac
	t5=$(tsc)
	# shellcheck disable=SC2086
	QEXTRA="-incoming defer -S" run_qemu "$backend" /tmp/guest2.log $runner \
		>/tmp/qemu2.out 2>&1 </dev/null &
	qpid=$!
	if ! wait_qmp $qpid 300; then
		fail "QEMU did not start ($mode)"
		console_tail /tmp/guest2.log /tmp/qemu2.out
		return 1
	fi
	t6=$(tsc)
	case $mode in
	fdbox) ok "fdbox exec vm0 -- qemu-system-x86_64 ... mem-path=/proc/self/fd/3 -incoming defer" ;;
	luo) ok "vmm-luo exec vm0 -- qemu-system-x86_64 ... mem-path=/proc/self/fd/3 -incoming defer" ;;
	disk) ok "qemu-system-x86_64 ... memory-backend-memfd -incoming defer" ;;
	esac
	[ "$mode" = disk ] || $QMP $QMPP "$ignore_shared" | sed 's/^/# /'
	$QMP $QMPP "{\"execute\": \"migrate-incoming\", \"arguments\": {\"uri\": \"$uri\"}}" | sed 's/^/# /'
	# A hang report that does not need QEMU's monitor (a busy main loop does
	# not answer it): QEMU's threads after 30 s and 90 s.
	(sleep 30 && [ -d /proc/$qpid ] && qemu_diag $qpid && sleep 60 && [ -d /proc/$qpid ] && qemu_diag $qpid) &
	if ! DIAG_PID=$qpid wait_reply 3000 '"status": "paused"' '{"execute": "query-status"}' >/tmp/incoming.out; then
		sed 's/^/# /' /tmp/incoming.out
		fail "loading the VM state ($uri) failed"
		console_tail /tmp/guest2.log /tmp/qemu2.out
		kill $qpid
		return 1
	fi
	t7=$(tsc)
	ok "VM state loaded ($uri)"
	rfd=3
	[ "$mode" = disk ] && rfd=$(ram_fd $qpid)
	c0=$(tsc)
	md5=$(md5sum </proc/$qpid/fd/$rfd | cut -d' ' -f1)
	c1=$(tsc)
	t8=$(tsc)
	$QMP $QMPP '{"execute": "cont"}' | sed 's/^/# /'
	t9=$(tsc)
	sed 's/^/# /' /tmp/qemu2.out

	vmm "RAM memfd checksum before cont: $md5 ($(bsecs "$c0" "$c1") s, not counted); after stop: $(cat $V.md5)"
	if [ "$md5" = "$(cat $V.md5)" ]; then
		ok "RAM checksum after restore equals the one after stop"
	else
		fail "RAM checksum after restore differs"
		fails=$((fails + 1))
	fi
	if [ "$mode" = fdbox ]; then
		if grep -q -E "^pfns vm0/ram: ([0-9]+) of \\1 pages on the same physical frames" /tmp/qemu2.out; then
			ok "every guest RAM page is on the same physical frame"
		else
			fail "guest RAM pages moved (or no --pfns result)"
			fails=$((fails + 1))
		fi
	fi

	# The guest goes on: a heartbeat after the last one before stop, the
	# same boot, then its own pattern check.
	if wait_log $qpid /tmp/guest2.log '^GUEST-HB: ' $LIMIT; then
		first=$(grep -a '^GUEST-HB: ' /tmp/guest2.log | head -n 1)
		vmm "first heartbeat after cont: $first (last before stop: $hb)"
		n=$(echo "$first" | cut -d' ' -f2)
		if [ "$n" -gt "$hb" ]; then
			ok "heartbeat continues: $n > $hb"
		else
			fail "heartbeat counter $n is not greater than $hb"
			fails=$((fails + 1))
		fi
		if [ "$(echo "$first" | cut -d' ' -f3)" = "$boot" ]; then
			ok "same guest boot_id $boot"
		else
			fail "the guest has another boot_id"
			fails=$((fails + 1))
		fi
	else
		fail "no heartbeat after cont: the guest did not resume"
		fails=$((fails + 1))
		console_tail /tmp/guest2.log /tmp/qemu2.out
	fi
	if wait_log $qpid /tmp/guest2.log '^GUEST-CHECK: ' $LIMIT; then
		first=$(grep -a '^GUEST-CHECK: ' /tmp/guest2.log | head -n 1)
		vmm "guest's pattern check after resume: $first"
		if echo "$first" | grep -q '^GUEST-CHECK: [0-9]* ok'; then
			ok "the guest's pattern check passes after resume"
		else
			fail "the guest's pattern check fails after resume"
			fails=$((fails + 1))
		fi
	else
		fail "no pattern check after cont"
		fails=$((fails + 1))
		console_tail /tmp/guest2.log /tmp/qemu2.out
	fi
	if grep -a -q -E 'Linux version|GUEST-FILL' /tmp/guest2.log; then
		fail "boot messages on the new console: the guest booted again"
		fails=$((fails + 1))
	else
		ok "no boot message on the new console"
	fi
	$QMP $QMPP '{"execute": "quit"}' >/dev/null
	wait $qpid
	if [ "$mode" = fdbox ] && $CLI list vm0 >/dev/null 2>&1; then
		fail "box vm0 still exists after fdbox exec"
		fails=$((fails + 1))
	fi

	# ---- figures ----
	local save put seal kx restore start cont total
	save=$(cat $V.save)
	put=$(cat $V.put)
	seal=$(cat $V.seal)
	kx=$(secs "$(cat $V.tk)" "$t4")
	case $mode in
	fdbox) restore=$(sed -n 's/.*unsealed ([0-9]* restored, [0-9]* failed) in \([0-9.]*\) s.*/\1/p' /tmp/qemu2.out) ;;
	luo) restore=$(sed -n 's/.*retrieved (2 files) in \([0-9.]*\) s.*/\1/p' /tmp/qemu2.out) ;;
	disk) restore=0 ;;
	esac
	restore=${restore:-0}
	start=$(awk -v a="$(secs "$t5" "$t7")" -v b="$restore" 'BEGIN { printf "%.2f", a - b }')
	cont=$(bsecs "$t8" "$t9")
	total=$(awk -v a="$save" -v b="$put" -v c="$seal" -v d="$kx" -v e="$restore" -v f="$start" -v g="$cont" \
		'BEGIN { printf "%.2f", a + b + c + d + e + f + g }')
	vmm "mode $mode, guest RAM $GMEM MiB, pattern $GFILL MiB, pages preserved $(cat $V.pages) ($(awk -v p="$(cat $V.pages)" 'BEGIN { printf "%.1f", p * 4 / 1024 }') MiB), $([ "$mode" = disk ] && echo "VM state on disk" || echo "device state") $(cat $V.state-size) bytes"
	vmm "blackout, stop to cont, without the test's checksums:"
	vmm "  state save (stop, migrate to a file)   $save s"
	case $mode in
	fdbox) vmm "  put RAM (pidfd) and state, QEMU exits  $put s"
		vmm "  seal                                   $seal s" ;;
	luo) vmm "  LUO preserve (pidfd), QEMU exits       $put s" ;;
	disk) vmm "  QEMU exits                             $put s" ;;
	esac
	vmm "  kexec -s -l + kexec -e to userspace    $kx s (the new kernel's uptime at init: $up s; includes repacking the test rootfs)"
	case $mode in
	fdbox) vmm "  unseal + exec (fdbox exec)             $restore s" ;;
	luo) vmm "  retrieve + exec (vmm-luo exec)         $restore s" ;;
	esac
	vmm "  QEMU start + state load                $start s"
	vmm "  cont                                   $cont s"
	vmm "  total                                  $total s"
	echo "BENCH-VM: {\"mode\":\"$mode\",\"guest_mib\":$GMEM,\"fill_mib\":$GFILL,\"pages_preserved\":$(cat $V.pages),\"state_bytes\":$(cat $V.state-size),\"save_s\":$save,\"put_s\":$put,\"seal_s\":$seal,\"kexec_s\":$kx,\"restore_s\":$restore,\"start_load_s\":$start,\"cont_s\":$cont,\"blackout_s\":$total,\"checks_failed\":$fails}"
}

# Stage k resumes run k - 1 and starts run k (which kexecs).
[ "$STAGE" -gt 1 ] && resume_run
if [ "$STAGE" -le "$NRUNS" ]; then
	# shellcheck disable=SC2046
	start_run $(echo "$RUNS" | tr ',' '\n' | sed -n "${STAGE}p" | tr ':' ' ')
fi
