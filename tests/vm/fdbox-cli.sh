# vmrun-opts: -k 1 -t 2400
# vmrun-kernel: normal
# vmrun-cost: 60
# The fdbox CLI (fdbox/): every verb's success path, its errors and exit
# codes, its JSON output, and a two-stage kexec: stage 1 saves an 8 MiB
# random file and a copy of the kernel image into a sealed box; stage 2, in
# the kexec'ed kernel, restores them and compares their md5sums.
#
# Every check is one KTAP line through ktap_run. /tests/fdbox-jsoncheck (from
# fdbox/tests/) parses the --json output: the VM has no jq.

CLI=/tests/fdbox
JC=/tests/fdbox-jsoncheck
W=/tmp/cli
mkdir -p $W

# cli_rc RC REGEX CMD...: CMD exits with RC and its output (stdout and
# stderr) matches the extended REGEX (if not empty).
cli_rc() {
	local want=$1 re=$2 rc
	shift 2
	"$@" >$W/.rc.out 2>&1
	rc=$?
	cat $W/.rc.out
	if [ $rc -ne "$want" ]; then
		echo "exit code $rc, expected $want"
		return 1
	fi
	if [ -n "$re" ] && ! grep -q -E -- "$re" $W/.rc.out; then
		echo "output does not match /$re/"
		return 1
	fi
	return 0
}

# cli_json OUT CMD...: CMD exits with 0; its stdout, saved in OUT, is
# well-formed JSON.
cli_json() {
	local out=$1
	shift
	"$@" >"$out" || { echo "exit code $?"; cat "$out"; return 1; }
	cat "$out"
	$JC <"$out"
}

# json_is FILE PATH VALUE [PATH VALUE]...: each PATH has VALUE.
json_is() {
	local file=$1 got
	shift
	while [ $# -ge 2 ]; do
		got=$($JC "$1" <"$file") || return 1
		if [ "$got" != "$2" ]; then
			echo "$1 is '$got', expected '$2'"
			return 1
		fi
		echo "$1 = $got"
		shift 2
	done
	return 0
}

# json_cmd_is "CMD" PATH VALUE [PATH VALUE]...: CMD (split into words)
# succeeds and its JSON output has each VALUE at each PATH.
json_cmd_is() {
	local cmd=$1
	shift
	$cmd >$W/.json.out || { echo "'$cmd': exit code $?"; return 1; }
	cat $W/.json.out
	json_is $W/.json.out "$@"
}

# json_absent FILE PATH: PATH is not in the document.
json_absent() {
	if $JC "$2" <"$1"; then
		echo "$2 is in the document"
		return 1
	fi
	return 0
}

# Run a JSON check, or skip it without the checker.
json_run() {
	if [ ! -x $JC ]; then
		echo "ok - $1 # SKIP $JC not installed"
		return 0
	fi
	ktap_run "$@"
}

# setup ARGS...: fdbox ARGS as a step between checks. Never with stderr on
# the console: a progress line there would break the KTAP lines.
setup() {
	$CLI -q "$@" >$W/.setup.out 2>&1 ||
		{ echo "# setup: fdbox $* failed:"; sed 's/^/# /' $W/.setup.out; }
}

# same FILE1 FILE2: cmp, with the sizes on failure.
same() {
	cmp "$1" "$2" || { ls -l "$1" "$2"; return 1; }
}

# ---- stage 1: verbs and errors, without kexec ----

cli_verbs() {
	dd if=/dev/urandom of=$W/small bs=1k count=100 2>/dev/null
	dd if=/dev/urandom of=$W/big bs=1M count=4 2>/dev/null

	ktap_run "cli: --version" cli_rc 0 '^fdbox [0-9]' $CLI --version
	ktap_run "cli: --help" cli_rc 0 'usage: fdbox' $CLI --help
	ktap_run "cli: put --help" cli_rc 0 'put BOX NAME FILE' $CLI put --help
	ktap_run "cli: status" cli_rc 0 'FDBox: +available' $CLI status
	json_run "cli: status --json" cli_json $W/status.json $CLI status --json
	json_run "cli: status --json fields" json_is $W/status.json \
		available true kho.enabled true kho.source debugfs \
		kho.kexec_boot false control /dev/fdbox/fdbox

	ktap_run "cli: create" $CLI create cli-a
	ktap_run "cli: create an existing box fails" \
		cli_rc 1 'create cli-a: File exists \(a box of that name exists' \
		$CLI create cli-a
	ktap_run "cli: list" cli_rc 0 '^cli-a +OPEN +no +0$' $CLI list
	ktap_run "cli: put FILE" $CLI put cli-a small $W/small
	ktap_run "cli: put - (redirected stdin)" \
		sh -c "$CLI put cli-a stdin - <$W/small"
	ktap_run "cli: put - (pipe)" \
		sh -c "cat $W/big | $CLI put cli-a piped -"
	ktap_run "cli: put a name the box has fails" \
		cli_rc 1 'put cli-a/small: File exists \(the box already has a file of that name\)' \
		$CLI put cli-a small $W/small
	ktap_run "cli: discard of a live file fails, the file stays" \
		cli_rc 1 'discard cli-a/small: Invalid argument \(only a file from the previous kernel' \
		$CLI discard cli-a small
	ktap_run "cli: the file is still in the box" \
		sh -c "$CLI list cli-a | grep -q small"
	ktap_run "cli: discard of an unknown file fails" \
		cli_rc 1 'discard cli-a/nothere: No such file or directory' \
		$CLI discard cli-a nothere
	ktap_run "cli: put a missing FILE fails" \
		cli_rc 1 'put cli-a/x: opening /nonexistent: No such file or directory' \
		$CLI put cli-a x /nonexistent
	ktap_run "cli: list BOX" \
		cli_rc 0 '^small +fdbox,memfd-v1 +LIVE +102400 +-$' $CLI list cli-a
	json_run "cli: list --json" cli_json $W/list.json $CLI list --json
	json_run "cli: list --json fields" json_is $W/list.json \
		boxes.name=cli-a.state OPEN boxes.name=cli-a.incoming false \
		boxes.name=cli-a.files 3
	json_run "cli: list BOX --json" cli_json $W/files.json $CLI --json list cli-a
	json_run "cli: list BOX --json fields" json_is $W/files.json \
		name cli-a state OPEN incoming false files.# 3 \
		files.0.name small files.name=small.type fdbox,memfd-v1 \
		files.name=small.state LIVE files.name=small.size 102400 \
		files.name=piped.size 4194304 files.name=stdin.errno 0 \
		files.name=stdin.error null

	ktap_run "cli: seal" $CLI seal cli-a
	json_run "cli: list --json after seal" json_cmd_is "$CLI list --json" \
		boxes.name=cli-a.state SEALED boxes.name=cli-a.files 3
	json_run "cli: list BOX --json after seal" json_cmd_is "$CLI list cli-a --json" \
		state SEALED files.name=small.state FROZEN files.name=small.size 102400
	ktap_run "cli: put into a sealed box fails" \
		cli_rc 1 'put cli-a/x: Device or resource busy \(the box is sealed' \
		$CLI put cli-a x $W/small
	ktap_run "cli: get from a sealed box fails" \
		cli_rc 1 'get cli-a/small: Device or resource busy \(the box is sealed' \
		$CLI get cli-a small $W/x
	ktap_run "cli: failed get leaves no output file" test ! -e $W/x
	ktap_run "cli: seal a sealed box fails" \
		cli_rc 1 'seal cli-a: Device or resource busy \(the box is already sealed\)' \
		$CLI seal cli-a
	ktap_run "cli: unseal" cli_rc 0 '^unseal cli-a: 3 restored, 0 failed$' \
		$CLI unseal cli-a
	ktap_run "cli: unseal an open box fails" \
		cli_rc 1 'unseal cli-a: Device or resource busy \(the box is not sealed\)' \
		$CLI unseal cli-a

	ktap_run "cli: get FILE" sh -c "$CLI get cli-a small $W/small.out &&
		cmp $W/small $W/small.out"
	ktap_run "cli: get to stdout" sh -c "$CLI get cli-a stdin >$W/stdin.out &&
		cmp $W/small $W/stdin.out"
	if [ -e /dev/full ]; then
		ktap_run "cli: get that can not write puts the file back" \
			cli_rc 1 'get cli-a/piped: writing /dev/full: No space left on device' \
			$CLI get cli-a piped /dev/full
	else
		echo "ok - cli: get that can not write puts the file back # SKIP no /dev/full"
	fi
	ktap_run "cli: get - (pipe)" sh -c "$CLI get cli-a piped - | cat >$W/big.out &&
		cmp $W/big $W/big.out"
	ktap_run "cli: get an unknown file fails" \
		cli_rc 1 'get cli-a/small: No such file or directory \(no file of that name in the box\)' \
		$CLI get cli-a small $W/x
	json_run "cli: list BOX --json of an empty box" \
		json_cmd_is "$CLI list --json cli-a" files.# 0
	ktap_run "cli: delete" $CLI delete cli-a
	ktap_run "cli: deleted box is not listed" \
		sh -c "$CLI list; ! $CLI -q list | grep -q '^cli-a '"
}

cli_errors() {
	local v
	for v in "list cli-nosuch" "seal cli-nosuch" "unseal cli-nosuch" \
		 "get cli-nosuch x" "put cli-nosuch x $W/small" \
		 "restore cli-nosuch $W" "delete cli-nosuch"; do
		ktap_run "cli: ${v%% *} of an unknown box fails" \
			cli_rc 1 ' cli-nosuch: No such file or directory' $CLI $v
	done
	ktap_run "cli: box name with '/'" \
		cli_rc 2 "invalid box name 'a/b': contains '/'" $CLI create a/b
	ktap_run "cli: file name with '/'" \
		cli_rc 2 "invalid file name 'x/y': contains '/'" \
		$CLI put cli-b x/y $W/small
	ktap_run "cli: box name 'fdbox'" \
		cli_rc 2 "invalid box name 'fdbox'" $CLI create fdbox
	ktap_run "cli: file name '..'" \
		cli_rc 2 "invalid file name '..'" $CLI get cli-b ..
	ktap_run "cli: empty box name" cli_rc 2 "empty name" $CLI create ""
	n255=$(printf 'n%.0s' $(seq 255))
	ktap_run "cli: 256-byte box name" cli_rc 2 "longer than 255 bytes" \
		$CLI create "${n255}x"
	# 255 bytes is the longest name, for boxes and files (as FDNAME=).
	ktap_run "cli: 255-byte box and file names" \
		sh -c "$CLI create $n255 && $CLI put $n255 $n255 $W/small &&
			$CLI get $n255 $n255 - | cmp - $W/small &&
			$CLI delete $n255"

	for v in "list" "status" "seal vm0" "save vm0 $W/small"; do
		ktap_run "cli: FDBOX_DEV=/nonexistent ${v%% *} exits 3" \
			cli_rc 3 'kernel without FDBox \(CONFIG_FDBOX\) or devtmpfs not mounted' \
			env FDBOX_DEV=/nonexistent $CLI $v
	done

	ktap_run "cli: no verb" cli_rc 2 'missing verb' $CLI
	ktap_run "cli: unknown verb" cli_rc 2 "unknown verb 'frob'" $CLI frob
	ktap_run "cli: unknown option" cli_rc 2 "unknown option '--frob'" \
		$CLI --frob list
	ktap_run "cli: unknown verb option" cli_rc 2 "list: unknown option '--keep'" \
		$CLI list --keep
	ktap_run "cli: missing argument" cli_rc 2 'put: missing argument' \
		$CLI put cli-b x
	ktap_run "cli: extra argument" cli_rc 2 "seal: unexpected argument 'b'" \
		$CLI seal a b
	ktap_run "cli: save without files" cli_rc 2 'save: missing argument' \
		$CLI save cli-b
}

cli_save_restore() {
	mkdir -p $W/sub $W/rs $W/rk
	cp $W/small $W/sub/small
	ktap_run "cli: save" cli_rc 0 '^seal cli-s: 2 files in' \
		$CLI save cli-s $W/small $W/big
	ktap_run "cli: save prints put timing" \
		grep -q -E '^put cli-s/big: 4.0 MiB in [0-9.]+ s \(' $W/.rc.out
	ktap_run "cli: saved box is sealed" \
		cli_rc 0 '^cli-s +SEALED +no +2$' $CLI list
	ktap_run "cli: restore" cli_rc 0 '^unseal cli-s: 2 restored, 0 failed in' \
		$CLI restore cli-s $W/rs
	ktap_run "cli: restore prints get timing" \
		grep -q -E "^get cli-s/big -> $W/rs/big: 4.0 MiB in [0-9.]+ s" $W/.rc.out
	ktap_run "cli: restored files match" \
		sh -c "cmp $W/small $W/rs/small && cmp $W/big $W/rs/big"
	ktap_run "cli: restore deletes the empty box" \
		sh -c "! $CLI -q list | grep -q '^cli-s '"

	ktap_run "cli: save deletes the box on failure" \
		cli_rc 1 'nothing saved, the box was deleted' \
		$CLI save cli-f $W/small /nonexistent
	ktap_run "cli: failed save names the file" grep -q \
		'put cli-f/nonexistent: opening /nonexistent: No such file or directory' \
		$W/.rc.out
	ktap_run "cli: failed save leaves no box" \
		sh -c "! $CLI -q list | grep -q '^cli-f '"
	setup create cli-e
	ktap_run "cli: save into an existing box fails" \
		cli_rc 1 'create cli-e: File exists' $CLI save cli-e $W/small
	ktap_run "cli: failed save keeps a box it did not create" \
		cli_rc 0 '^cli-e +OPEN' $CLI list
	setup delete cli-e
	ktap_run "cli: save two files of one name fails" \
		cli_rc 2 "would both be named 'small'" \
		$CLI save cli-d $W/small $W/sub/small

	ktap_run "cli: save --json" cli_rc 0 '"box": "cli-j"' \
		$CLI save --json cli-j $W/small
	cp $W/.rc.out $W/save.json
	json_run "cli: save --json fields" json_is $W/save.json \
		box cli-j files.0.name small files.0.source $W/small \
		files.0.bytes 102400 files.0.ok true
	ktap_run "cli: restore --json --keep" cli_rc 0 '"deleted": false' \
		$CLI restore --json --keep cli-j $W/rk
	cp $W/.rc.out $W/restore.json
	json_run "cli: restore --json fields" json_is $W/restore.json \
		box cli-j unsealed true restored 1 failed 0 files.0.path $W/rk/small \
		files.0.bytes 102400 deleted false
	ktap_run "cli: restore --keep keeps the empty box" \
		cli_rc 0 '^cli-j +OPEN +no +0$' $CLI list
	# UNSEAL of an open box fails with EBUSY: restore goes on without it.
	mkdir -p $W/ro
	setup put cli-j small $W/small
	ktap_run "cli: restore an open box" \
		cli_rc 0 '^restore cli-j: the box is open already$' \
		$CLI restore cli-j $W/ro
	ktap_run "cli: restore of an open box takes its files" \
		sh -c "cmp $W/small $W/ro/small && ! $CLI -q list | grep -q '^cli-j '"

	mkdir -p $W/rp
	ktap_run "cli: save --pfns" \
		cli_rc 0 '^pfns cli-p/small: 25 pages in [0-9]+ runs of physical frames' \
		$CLI save --pfns $W/p.pfns cli-p $W/small
	ktap_run "cli: restore --pfns (no kexec)" \
		cli_rc 0 '^pfns cli-p/small: 25 of 25 pages on the same physical frames \(zero copy\)' \
		$CLI restore --pfns $W/p.pfns cli-p $W/rp
	ktap_run "cli: restore --pfns with a bad record fails" \
		cli_rc 1 "not a record of 'fdbox save --pfns'" \
		$CLI restore --pfns $W/small cli-p $W/rp

	: >$W/empty
	mkdir -p $W/re
	ktap_run "cli: save and restore an empty file" sh -c "$CLI save cli-z $W/empty &&
		$CLI restore cli-z $W/re && [ -f $W/re/empty ] && [ ! -s $W/re/empty ]"
	ktap_run "cli: put from a character device" sh -c "$CLI create cli-c &&
		$CLI put cli-c null /dev/null && $CLI list cli-c &&
		$CLI get cli-c null $W/null.out && [ ! -s $W/null.out ] &&
		$CLI delete cli-c"

	setup save cli-q $W/small
	ktap_run "cli: -q unseal prints nothing" \
		sh -c "out=\$($CLI -q unseal cli-q 2>&1) && [ -z \"\$out\" ]"
	setup seal cli-q
	json_run "cli: unseal --json" json_cmd_is "$CLI unseal --json cli-q" \
		box cli-q restored 1 failed 0
	setup delete cli-q
}

# A block device: zram (the test kernel has no loop or ram disk).
cli_block() {
	local z=/sys/block/zram0
	if [ ! -e $z/disksize ] || ! echo 8M >$z/disksize || [ ! -b /dev/zram0 ]; then
		echo "ok - cli: save a block device # SKIP no zram0"
		return 0
	fi
	dd if=$W/big of=/dev/zram0 bs=1M 2>/dev/null
	dd if=/dev/urandom of=/dev/zram0 bs=1M seek=4 count=4 2>/dev/null
	mkdir -p $W/blk
	ktap_run "cli: save a block device" cli_rc 0 '^put cli-blk/zram0: 8.0 MiB' \
		$CLI save cli-blk /dev/zram0
	json_run "cli: block device size from BLKGETSIZE64" \
		json_cmd_is "$CLI list --json cli-blk" \
		files.0.name zram0 files.0.size 8388608
	ktap_run "cli: restore a block device" $CLI restore cli-blk $W/blk
	ktap_run "cli: restored block device matches" same /dev/zram0 $W/blk/zram0
}

# Names are arbitrary bytes: JSON escaping and text-mode escaping.
cli_names() {
	local odd bad
	odd=$(printf 'q"b\\s\tt\001\303\251')	# q"b\s<TAB>t<SOH>e-acute
	bad=$(printf 'x\377y')			# not UTF-8
	setup create cli-n
	ktap_run "cli: put odd names" sh -c "$CLI put cli-n '$odd' $W/small &&
		$CLI put cli-n '$bad' $W/small"
	ktap_run "cli: list escapes control characters" \
		cli_rc 0 'q"b\\\\s\\x09t\\x01' $CLI list cli-n
	ktap_run "cli: list escapes bytes that are not UTF-8" \
		grep -q -F 'x\xffy' $W/.rc.out
	json_run "cli: list --json escapes names" cli_json $W/names.json \
		$CLI list --json cli-n
	json_run "cli: escaped names read back" json_is $W/names.json \
		files.0.name "$odd" files.1.name "$(printf 'x\303\277y')"
	setup delete cli-n
}

# ---- zero-copy verbs: put --fd, put --pid --fd, exec ----

TFD=/tests/fdbox-testfd

# hold VAR FILE [UID]: start a process (as UID) holding a memfd copy of FILE;
# its pid in ${VAR}_pid, the memfd's descriptor number in ${VAR}_fd.
hold() {
	local var=$1 file=$2 uid=${3:-} n=0 pid
	rm -f $W/$var.fd
	if [ -n "$uid" ]; then
		$TFD as "$uid" $TFD hold "$file" >$W/$var.fd </dev/null &
	else
		$TFD hold "$file" >$W/$var.fd </dev/null &
	fi
	pid=$!
	# The holder prints its descriptor, then closes standard output.
	while [ ! -s $W/$var.fd ] && [ $n -lt 100 ]; do
		sleep 0.1
		n=$((n + 1))
	done
	eval "${var}_pid=$pid ${var}_fd=$(cat $W/$var.fd)"
	echo "# holder $var: pid $pid, memfd on descriptor $(cat $W/$var.fd)"
}

# nfiles BOX: the number of files in BOX (the kernel's list).
nfiles() { $CLI list --json "$1" | $JC files.#; }

# unchanged BOX N: the box still holds N files.
unchanged() {
	local n
	n=$(nfiles "$1") || return 1
	echo "$1 holds $n files"
	[ "$n" = "$2" ]
}

# The command that fdbox exec runs: checks the sd_listen_fds(3) variables
# and the content of each inherited descriptor. Arguments: the expected
# LISTEN_FDNAMES, then the md5sum expected on descriptors 3, 4, ...
cat >$W/listen.sh <<'EOF2'
n=0 names=$1 rc=0
shift
echo "LISTEN_FDS=$LISTEN_FDS LISTEN_FDNAMES=$LISTEN_FDNAMES LISTEN_PID=$LISTEN_PID, my pid $$"
[ "$LISTEN_PID" = "$$" ] || { echo "LISTEN_PID is not my pid"; rc=1; }
[ "$LISTEN_FDS" = "$#" ] || { echo "LISTEN_FDS is not $#"; rc=1; }
[ "$LISTEN_FDNAMES" = "$names" ] || { echo "LISTEN_FDNAMES is not '$names'"; rc=1; }
for want in "$@"; do
	fd=$((3 + n))
	got=$(md5sum </proc/self/fd/$fd | cut -d' ' -f1)
	echo "fd $fd -> $(readlink /proc/self/fd/$fd): md5 $got, expected $want"
	[ "$got" = "$want" ] || rc=1
	n=$((n + 1))
done
fd=$((3 + n))
if [ -e /proc/$$/fd/$fd ]; then
	echo "descriptor $fd is open too: $(readlink /proc/$$/fd/$fd)"
	rc=1
fi
exit $rc
EOF2

md5() { md5sum <"$1" | cut -d' ' -f1; }

# gone BOX: the box disappears (deleted by exec's watcher once the command
# runs; waited for, at most 10 s, not timed).
gone() {
	local n=0
	while $CLI -q list | grep -q "^$1 "; do
		[ $n -ge 100 ] && { $CLI list; return 1; }
		sleep 0.1
		n=$((n + 1))
	done
	echo "$1 is gone"
}

cli_put_fd() {
	local sz
	ktap_run "cli: put --help shows --fd and --pid" \
		cli_rc 0 'put \[--pfns FILE\] BOX NAME \[--pid PID\] --fd N' $CLI put --help
	hold h1 $W/small
	hold h2 $W/big
	setup create cli-f

	ktap_run "cli: put --fd of a read-only descriptor fails" \
		cli_rc 1 'put cli-f/ro: Permission denied \(the descriptor is not open for reading and writing' \
		sh -c "$CLI put cli-f ro --fd 5 5</proc/$h1_pid/fd/$h1_fd"
	ktap_run "cli: put --fd of a descriptor that is not open fails" \
		cli_rc 1 "put cli-f/x: --fd: Bad file descriptor \\(not an open descriptor of fdbox.*the box is unchanged" \
		$CLI put cli-f x --fd 9
	ktap_run "cli: put --fd of a non-memfd fails" \
		cli_rc 1 'put cli-f/null: Operation not supported \(no FDBox handler accepts this file' \
		sh -c "$CLI put cli-f null --fd 5 5<>/dev/null"
	ktap_run "cli: failed puts leave the box unchanged" unchanged cli-f 0
	ktap_run "cli: put --fd" \
		cli_rc 0 "^put cli-f/own: descriptor 5, 100.0 KiB, no copy" \
		sh -c "$CLI put cli-f own --fd 5 5<>/proc/$h1_pid/fd/$h1_fd"
	ktap_run "cli: put FILE and --fd together fail" \
		cli_rc 2 'FILE and --fd exclude each other' $CLI put cli-f y $W/small --fd 0
	ktap_run "cli: put --pid without --fd fails" \
		cli_rc 2 'put: --pid needs --fd' $CLI put cli-f y --pid 1
	ktap_run "cli: put --fd with a bad number fails" \
		cli_rc 2 "put: --fd 'x1': not a descriptor number" $CLI put cli-f y --fd x1

	ktap_run "cli: put --pid --fd --json" \
		cli_rc 0 "\"pid\": $h2_pid" $CLI put --json cli-f ram --pid $h2_pid --fd $h2_fd
	cp $W/.rc.out $W/putpid.json
	json_run "cli: put --pid --json fields" json_is $W/putpid.json \
		box cli-f name ram pid $h2_pid fd $h2_fd size 4194304
	ktap_run "cli: the process keeps its descriptor" \
		test -e /proc/$h2_pid/fd/$h2_fd
	json_run "cli: put --fd and --pid files listed" \
		json_cmd_is "$CLI list --json cli-f" files.# 2 \
		files.0.name own files.0.size 102400 files.1.name ram \
		files.1.size 4194304 files.1.type fdbox,memfd-v1
	# No copy: what the holder's memfd gets now is in the box's file.
	{ printf FDBOXNOCOPY; tail -c +12 $W/big; } >$W/big.nocopy
	ktap_run "cli: put --pid shares the file (no copy)" sh -c "
		printf FDBOXNOCOPY | dd of=/proc/$h2_pid/fd/$h2_fd conv=notrunc 2>/dev/null &&
		$CLI get cli-f ram $W/ram.out && cmp $W/ram.out $W/big.nocopy"
	ktap_run "cli: put --fd shares the file too" sh -c "
		$CLI get cli-f own $W/own.out && cmp $W/own.out $W/small"

	sh -c 'exit 0' &
	dead=$!
	wait $dead
	ktap_run "cli: put --pid of a dead process fails" \
		cli_rc 1 "put cli-f/x: process $dead: No such process \\(no such process, or it exited\\); the box is unchanged" \
		$CLI put cli-f x --pid $dead --fd 3
	ktap_run "cli: put --pid of a descriptor the process does not have fails" \
		cli_rc 1 "put cli-f/x: descriptor 77 of process $h2_pid: Bad file descriptor \\(process $h2_pid has no open descriptor 77" \
		$CLI put cli-f x --pid $h2_pid --fd 77
	ktap_run "cli: put --pid of a non-memfd descriptor fails" \
		cli_rc 1 'put cli-f/x: Operation not supported \(no FDBox handler accepts this file' \
		$CLI put cli-f x --pid $h2_pid --fd 0
	ktap_run "cli: put --pid of a file already in a box fails" \
		cli_rc 1 'put cli-f/again: Device or resource busy' \
		sh -c "$CLI put cli-f ram2 --pid $h2_pid --fd $h2_fd && $CLI put cli-f again --pid $h2_pid --fd $h2_fd"
	ktap_run "cli: failed put --pid leaves the box unchanged" unchanged cli-f 1
	setup delete cli-f

	# A user who may not ptrace the process: EPERM, box unchanged; the same
	# user's own process: fine. The box node is given to that user.
	hold h3 $W/small 1000
	setup create cli-u
	if chown 1000:1000 /dev/fdbox/cli-u; then
		ktap_run "cli: put --pid of a process the user may not ptrace fails" \
			cli_rc 1 "put cli-u/x: descriptor $h1_fd of process $h1_pid: Operation not permitted \\(fdbox may not ptrace process $h1_pid" \
			$TFD as 1000 $CLI put cli-u x --pid $h1_pid --fd $h1_fd
		ktap_run "cli: failed put --pid as a user leaves the box unchanged" \
			unchanged cli-u 0
		ktap_run "cli: put --pid of the user's own process" \
			cli_rc 0 "^put cli-u/mine: descriptor $h3_fd of process $h3_pid" \
			$TFD as 1000 $CLI put cli-u mine --pid $h3_pid --fd $h3_fd
		ktap_run "cli: the user's file is in the box" unchanged cli-u 1
	else
		echo "ok - cli: put --pid as a user # SKIP chown of the box node failed"
	fi
	setup delete cli-u
	kill $h1_pid $h2_pid $h3_pid
	wait $h1_pid $h2_pid $h3_pid 2>/dev/null
}

cli_exec() {
	local ms mb
	ms=$(md5 $W/small) mb=$(md5 $W/big)
	ktap_run "cli: exec --help" cli_rc 0 'LISTEN_FDS, LISTEN_FDNAMES' $CLI exec --help
	ktap_run "cli: exec without --" cli_rc 2 "exec: missing '--' before COMMAND" \
		$CLI exec cli-x a true
	ktap_run "cli: exec without COMMAND" cli_rc 2 "exec: missing COMMAND after '--'" \
		$CLI exec cli-x --
	ktap_run "cli: exec --json is refused" cli_rc 2 'exec: --json does not apply' \
		$CLI exec --json cli-x -- true

	setup create cli-x
	setup put cli-x small $W/small
	setup put cli-x big $W/big
	ktap_run "cli: exec" \
		cli_rc 0 "^fdbox: exec cli-x: open; fd 3 small, fd 4 big; running /bin/sh" \
		$CLI exec cli-x -- sh $W/listen.sh small:big $ms $mb
	ktap_run "cli: exec deletes the empty box" gone cli-x

	setup create cli-y
	setup put cli-y a $W/small
	setup put cli-y b $W/big
	setup put cli-y c $W/small
	ktap_run "cli: exec an unknown name fails" \
		cli_rc 1 'exec cli-y/nosuch: No such file or directory \(no file of that name in the box\)' \
		$CLI exec cli-y c nosuch -- true
	ktap_run "cli: exec of a missing command fails" \
		cli_rc 1 'exec cli-y: fdbox-nosuch-command: No such file or directory \(not found in PATH\); no file left the box' \
		$CLI exec cli-y -- fdbox-nosuch-command
	ktap_run "cli: exec of a missing path fails" \
		cli_rc 1 'exec cli-y: /nonexistent/cmd: No such file or directory; no file left the box' \
		$CLI exec cli-y -- /nonexistent/cmd
	ktap_run "cli: exec of a name given twice fails" \
		cli_rc 2 "exec: file 'a' named twice" $CLI exec cli-y a a -- true
	ktap_run "cli: failed execs leave the box unchanged" unchanged cli-y 3
	# The kernel refuses to execute it (ENOEXEC) after the files left the box.
	printf 'not a program\n' >$W/notexec
	chmod +x $W/notexec
	ktap_run "cli: exec that the kernel refuses puts every file back" \
		cli_rc 1 'exec cli-y: 3 files back in the box, nothing is lost' \
		$CLI exec cli-y -- $W/notexec
	ktap_run "cli: exec failed with the kernel's error" \
		grep -q "exec cli-y: $W/notexec: Exec format error" $W/.rc.out
	json_run "cli: the files are back, whole" json_cmd_is "$CLI list --json cli-y" \
		files.# 3 files.name=a.size 102400 files.name=b.size 4194304 \
		files.name=c.size 102400
	ktap_run "cli: the files put back keep their content" sh -c "
		$CLI get cli-y b $W/b.out && cmp $W/b.out $W/big && $CLI put cli-y b $W/big"
	setup seal cli-y
	ktap_run "cli: exec NAME... --keep on a sealed box" \
		cli_rc 0 "^fdbox: exec cli-y: unsealed \\(3 restored, 0 failed\\) in [0-9.]+ s; fd 3 c, fd 4 a; running" \
		$CLI exec --keep cli-y c a -- sh $W/listen.sh c:a $ms $ms
	json_run "cli: exec took only the named files" json_cmd_is "$CLI list --json cli-y" \
		state OPEN files.# 1 files.0.name b
	ktap_run "cli: exec --keep keeps the empty box" sh -c "
		$CLI exec --keep cli-y -- sh $W/listen.sh b $mb && $CLI list | grep -E '^cli-y +OPEN +no +0$'"
	setup delete cli-y

	setup create cli-z
	setup put cli-z a:b $W/small
	ktap_run "cli: exec of a name with ':' fails" \
		cli_rc 1 "exec cli-z/a:b: the name contains ':'" $CLI exec cli-z -- true
	ktap_run "cli: failed exec of a name with ':' leaves the box unchanged" \
		unchanged cli-z 1
	setup delete cli-z
}

# ---- systemd-shaped: a box per unit, a file per FDNAME= ----

# Unit names and FDNAMEs of 255 bytes (systemd's limits), which differ in
# their last bytes only: two units (boxes) of 200 files each would be a
# lot of CLI calls under TCG, so one unit holds the 200 files and the
# other one file.
SD_UNIT=$(printf 'u%.0s' $(seq 1 250))
SD_FD=$(printf 'f%.0s' $(seq 1 252))
sd_unit() { echo "$SD_UNIT@$1-sv"; }	# 250 + 5 = 255 bytes (an instance, as a@b)
sd_fd() { printf '%s%03d' "$SD_FD" "$1"; }	# 252 + 3 = 255 bytes

cli_systemd_stage1() {
	local i
	ktap_run "cli: systemd: names are 255 bytes" sh -c "
		[ \$(printf %s '$(sd_unit a)' | wc -c) -eq 255 ] &&
		[ \$(printf %s '$(sd_fd 0)' | wc -c) -eq 255 ]"
	ktap_run "cli: systemd: two units whose names differ in the last byte but one" \
		sh -c "$CLI create '$(sd_unit a)' && $CLI create '$(sd_unit b)'"
	ktap_run "cli: systemd: 200 FDNAMEs put into one unit's box" sh -c "
		for i in \$(seq 0 199); do
			printf 'fd %03d\\n' \$i >$W/sd.in &&
			$CLI -q put '$(sd_unit a)' \$(printf '%s%03d' '$SD_FD' \$i) $W/sd.in || exit 1
		done"
	ktap_run "cli: systemd: a second FDNAME in the other unit" sh -c "
		printf 'other\\n' >$W/sd.in && $CLI -q put '$(sd_unit b)' '$(sd_fd 0)' $W/sd.in"
	ktap_run "cli: systemd: an FDNAME twice in one unit is refused" \
		cli_rc 1 'File exists' $CLI put "$(sd_unit a)" "$(sd_fd 7)" $W/sd.in
	ktap_run "cli: systemd: a 256-byte FDNAME is refused" \
		cli_rc 2 'longer than 255 bytes' $CLI put "$(sd_unit a)" "x$(sd_fd 7)" $W/sd.in
	ktap_run "cli: systemd: seal both units" sh -c "
		$CLI -q seal '$(sd_unit a)' && $CLI -q seal '$(sd_unit b)'"
}

cli_systemd_stage2() {
	json_run "cli: systemd: both units came across, listed by name" \
		json_cmd_is "$CLI list --json" \
		"boxes.name=$(sd_unit a).files" 200 "boxes.name=$(sd_unit a).incoming" true \
		"boxes.name=$(sd_unit b).files" 1
	json_run "cli: systemd: the FDNAMEs are listed whole" \
		json_cmd_is "$CLI list --json $(sd_unit a)" files.# 200 \
		"files.name=$(sd_fd 0).state" INCOMING "files.name=$(sd_fd 199).state" INCOMING
	ktap_run "cli: systemd: unseal the unit" \
		cli_rc 0 'unseal .*: 200 restored, 0 failed' $CLI unseal "$(sd_unit a)"
	ktap_run "cli: systemd: every FDNAME retrieved by name, content compared" sh -c "
		for i in \$(seq 199 -1 0); do
			printf 'fd %03d\\n' \$i >$W/sd.want &&
			$CLI get '$(sd_unit a)' \$(printf '%s%03d' '$SD_FD' \$i) $W/sd.got &&
			cmp $W/sd.want $W/sd.got || { echo \"file \$i\"; exit 1; }
		done"
	ktap_run "cli: systemd: the other unit's file, by the same FDNAME" sh -c "
		$CLI -q unseal '$(sd_unit b)' && $CLI get '$(sd_unit b)' '$(sd_fd 0)' - | grep -qx other"
	ktap_run "cli: systemd: both unit boxes deleted" sh -c "
		$CLI delete '$(sd_unit a)' && $CLI delete '$(sd_unit b)'"
}

# ---- the kexec ----

cli_stage1_kexec() {
	dd if=/dev/urandom of=$W/random8m bs=1M count=8 2>/dev/null
	cp /boot/bzImage $W/bzImage
	(cd $W && md5sum random8m bzImage) >/etc/fdbox/cli.md5
	(cd $W && md5sum small) >/etc/fdbox/cli-small.md5
	wc -c <$W/bzImage | tr -d ' ' >/etc/fdbox/cli.bzsize
	ktap_run "cli: save vm0" cli_rc 0 '^seal vm0: 2 files in' \
		$CLI save --pfns /etc/fdbox/cli.pfns vm0 $W/random8m $W/bzImage
	ktap_run "cli: save vm0 recorded the frames" \
		grep -q -E '^pfns vm0/random8m: 2048 pages in [0-9]+ runs' $W/.rc.out
	# Another sealed box for unseal + get, one to delete after kexec, and
	# an open box, which does not travel.
	ktap_run "cli: save cli-k2, cli-k3" sh -c "$CLI -q save cli-k2 $W/small &&
		$CLI -q save cli-k3 $W/small"
	ktap_run "cli: open box cli-open" sh -c "$CLI create cli-open &&
		$CLI put cli-open small $W/small"
	# A memfd of a running process and a copied file, handed to a command
	# by exec after the kexec; put --pfns records the frames.
	hold hk $W/random8m
	md5 $W/random8m >/etc/fdbox/cli-ram.md5
	md5 $W/small >/etc/fdbox/cli-state.md5
	ktap_run "cli: put --pfns --pid for the kexec" \
		cli_rc 0 '^pfns cli-vm/ram: 2048 pages in [0-9]+ runs of physical frames, recorded in /etc/fdbox/cli-vm.pfns' \
		sh -c "$CLI create cli-vm && $CLI put --pfns /etc/fdbox/cli-vm.pfns cli-vm ram --pid $hk_pid --fd $hk_fd &&
		$CLI put cli-vm state $W/small && $CLI seal cli-vm"
	kill $hk_pid
	json_run "cli: vm0 is sealed, not incoming" json_cmd_is "$CLI list --json" \
		boxes.name=vm0.state SEALED boxes.name=vm0.incoming false \
		boxes.name=vm0.files 2
	json_run "cli: status counts before kexec" json_cmd_is "$CLI status --json" \
		boxes.total 5 boxes.open 1 boxes.sealed 4 boxes.incoming 0 \
		memory.box_in_scratch_bytes 0
	# The boxes hold random8m, bzImage and 3 files of 100 KiB: more than
	# 8 MiB + 75 pages (bzImage may have holes).
	ktap_run "cli: status counts box memory" sh -c "b=\$($CLI status --json |
		$JC memory.box_bytes) && echo box_bytes \$b &&
		[ \$b -ge $((8 * 1048576 + 75 * 4096)) ]"
	ktap_run "cli: status shows KHO scratch and the room for kexec" \
		cli_rc 0 'KHO scratch: +[1-9][0-9.]* MiB.*Kexec room: +[0-9]' \
		sh -c "$CLI status | tr '\\n' ' '"
	cli_systemd_stage1
	fdbox_kexec
}

cli_stage2() {
	local bzsize
	bzsize=$(cat /etc/fdbox/cli.bzsize)
	mkdir -p $W/restored
	cli_systemd_stage2
	json_run "cli: status --json after kexec" json_cmd_is "$CLI status --json" \
		available true kho.kexec_boot true \
		boxes.total 4 boxes.open 0 boxes.sealed 0 boxes.incoming 4
	ktap_run "cli: status after kexec" cli_rc 0 '4 incoming' $CLI status
	json_run "cli: list --json after kexec" cli_json $W/k2.json $CLI list --json
	json_run "cli: vm0 came across sealed and incoming" json_is $W/k2.json \
		boxes.name=vm0.state SEALED boxes.name=vm0.incoming true \
		boxes.name=vm0.files 2
	json_run "cli: the open box did not come across" \
		json_absent $W/k2.json boxes.name=cli-open
	json_run "cli: vm0 files are incoming" json_cmd_is "$CLI list --json vm0" \
		state SEALED incoming true \
		files.name=random8m.state INCOMING files.name=random8m.size 8388608 \
		files.name=bzImage.size "$bzsize" files.name=bzImage.type fdbox,memfd-v1
	ktap_run "cli: get before unseal fails" \
		cli_rc 1 "get vm0/random8m: Device or resource busy \\(the box is sealed; 'fdbox unseal' it first\\)" \
		$CLI get vm0 random8m $W/x
	ktap_run "cli: restore after kexec" \
		cli_rc 0 '^unseal vm0: 2 restored, 0 failed' \
		$CLI restore --pfns /etc/fdbox/cli.pfns vm0 $W/restored
	ktap_run "cli: restore after kexec is zero copy" grep -q \
		'^pfns vm0/random8m: 2048 of 2048 pages on the same physical frames (zero copy)' \
		$W/.rc.out
	ktap_run "cli: restored md5sums match" \
		sh -c "cd $W/restored && md5sum -c /etc/fdbox/cli.md5"
	ktap_run "cli: vm0 deleted after restore" \
		sh -c "! $CLI -q list | grep -q '^vm0 '"

	ktap_run "cli: unseal after kexec" \
		cli_rc 0 '^unseal cli-k2: 1 restored, 0 failed$' $CLI unseal cli-k2
	ktap_run "cli: get after kexec" sh -c "$CLI get cli-k2 small >$W/small &&
		cd $W && md5sum -c /etc/fdbox/cli-small.md5"
	ktap_run "cli: delete an emptied box" $CLI delete cli-k2
	ktap_run "cli: delete an incoming sealed box" $CLI delete cli-k3
	ktap_run "cli: exec --pfns after kexec" \
		cli_rc 0 "^fdbox: exec cli-vm: unsealed \\(2 restored, 0 failed\\) in [0-9.]+ s; fd 3 ram, fd 4 state; running" \
		$CLI exec --pfns /etc/fdbox/cli-vm.pfns cli-vm -- sh $W/listen.sh ram:state \
		"$(cat /etc/fdbox/cli-ram.md5)" "$(cat /etc/fdbox/cli-state.md5)"
	ktap_run "cli: exec after kexec is zero copy" grep -q \
		'^pfns cli-vm/ram: 2048 of 2048 pages on the same physical frames (zero copy)' \
		$W/.rc.out
	ktap_run "cli: exec after kexec deletes the empty box" gone cli-vm
	json_run "cli: no box left" json_cmd_is "$CLI list --json" boxes.# 0
}

case $STAGE in
1)
	cli_verbs
	cli_errors
	cli_save_restore
	cli_block
	cli_names
	cli_put_fd
	cli_exec
	# kexec even if a check failed: stage 2 reports what came across.
	cli_stage1_kexec
	;;
2)
	cli_stage2
	;;
esac
