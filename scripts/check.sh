#!/usr/bin/env bash
# make check: everything, on exactly what patches/ holds.
#   1. install missing packages, fetch the pinned base
#   2. apply the series onto the base in a check tree (build/check/linux)
#   3. scripts/checkpatch.pl --strict on every patch
#   4. build the kernel after each patch in order (bisectability); W=1 for
#      the C files each patch touches; a patch that changes only selftests
#      gets its selftests built (-Wall, no warning) instead
#   5. build the test binaries and the initramfs, run every VM scenario
# Ends with one line "N passed, N failed"; exits non-zero on any failure.
#
#   6. build the debug kernel (config/fdbox-debug.config: KASAN, lockdep,
#      kmemleak, fault injection, KUnit) and run the scenarios again on it,
#      with the debug-only ones (fault injection, KUnit)
# Env: SCENARIOS="a b", DEBUG_SCENARIOS="a b" (default: every tests/vm/*.sh
#      that is not opted out, for that kernel), SKIP_DEBUG=1 (no debug kernel),
#      SKIP_BISECT=1 (build HEAD only), CHECK_JOBS (VMs at a time, default
#      nproc), NO_CCACHE=1 (see build-kernel.sh), KSRC, CACHE.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
CHECK=${CHECK_DIR:-$top/build/check}
export TREE=$CHECK/linux KBUILD=$CHECK/kernel TESTBIN=$CHECK/tests
export INITRD=$CHECK/initramfs.cpio
LOGS=$top/out/logs
mkdir -p "$CHECK" "$LOGS"
pass=0 fail=0 skip=0
failed=()
ok() { pass=$((pass + 1)); echo "ok - $*"; }
notok() { fail=$((fail + 1)); failed+=("$*"); echo "not ok - $*"; }
fatal() {
	notok "$*"
	echo "check: stopped: $*" >&2
	[ -n "$tname" ] && tend
	[ -n "${TIMES:-}" ] && [ -f "$TIMES" ] && timing_table
	echo "$pass passed, $fail failed"
	exit 1
}
t0=$(date +%s)
stamp() { echo "check: [$(($(date +%s) - t0))s] $*" >&2; }
# Timing table: tbegin NAME ... tend records the seconds of one stage in
# $TIMES (one "seconds<TAB>stage" line each); timing_table prints them all
# with the total at the end of the run, so each addition can be judged
# against CI's 90-minute budget.
TIMES=$LOGS/timing.tsv
: >"$TIMES"
tb=0 tname=""
tbegin() { tname=$*; tb=$(date +%s); stamp "$tname"; }
tend() { printf '%d\t%s\n' $(($(date +%s) - tb)) "$tname" >>"$TIMES"; tname=""; }
timing_table() {
	echo "# timing (seconds; scenarios of a kernel ran ${CHECK_JOBS} at a time, so"
	echo "# their own times add up to more than that kernel's wall time)"
	awk -F '\t' '{printf "#   %6d  %s\n", $1, $2}' "$TIMES"
	printf '#   %6d  total\n' $(($(date +%s) - t0))
}
# VM scenarios run CHECK_JOBS at a time (default: one per core); each is a
# QEMU process of its own with its own log and its own timeout.
CHECK_JOBS=${CHECK_JOBS:-$(nproc)}
case $CHECK_JOBS in
''|*[!0-9]*|0) echo "check: CHECK_JOBS=$CHECK_JOBS: use a number of VMs, 1 or more" >&2; exit 2 ;;
esac

tbegin "packages"
"$top/scripts/deps.sh" || fatal "installing packages (scripts/deps.sh)"
tend

tbegin "fetch the base, apply the series"
src=$("$top/scripts/fetch-base.sh" | tail -n 1) || fatal "fetching the base kernel (scripts/fetch-base.sh)"
if [ -d "$TREE/.git" ] && git -C "$TREE" rev-parse -q --verify refs/tags/base >/dev/null; then
	# Reuse the check tree: back to the base, keep mtimes of unchanged files
	# so that the builds below stay incremental.
	git -C "$TREE" am --abort >/dev/null 2>&1
	git -C "$TREE" checkout -q -f fdbox && git -C "$TREE" reset -q --hard base &&
		git -C "$TREE" clean -q -fdx || fatal "resetting $TREE"
	n=0
	while read -r p; do
		case "$p" in ''|'#'*) continue ;; esac
		git -C "$TREE" am -q --committer-date-is-author-date "$top/patches/$p" ||
			{ git -C "$TREE" am --abort; fatal "patches/$p does not apply"; }
		n=$((n + 1))
	done < <(cat "$top/patches/series" 2>/dev/null)
else
	rm -rf "$TREE"
	"$top/scripts/tree.sh" 2>&1 | tail -n 3 || fatal "creating the check tree"
	[ -d "$TREE/.git" ] || fatal "creating the check tree"
fi
commits=$(git -C "$TREE" rev-list --reverse base..HEAD)
ncommits=$(echo "$commits" | grep -c . || true)
ok "series applies ($ncommits patches)"
tend

tbegin "checkpatch"
while read -r p; do
	case "$p" in ''|'#'*) continue ;; esac
	res=$(cd "$TREE" && PATH=/usr/bin:/bin:$PATH scripts/checkpatch.pl --strict --quiet --show-types "$top/patches/$p" 2>&1)
	if [ -z "$res" ]; then
		ok "checkpatch --strict $p"
	elif [ -f "$top/patches/checkpatch-exceptions" ] &&
		echo "$res" | grep -E '^(ERROR|WARNING|CHECK):' | grep -v -E -f "$top/patches/checkpatch-exceptions" | grep -q . ; then
		echo "$res" | sed 's/^/# /'
		notok "checkpatch --strict $p"
	elif [ -f "$top/patches/checkpatch-exceptions" ]; then
		ok "checkpatch --strict $p (documented exceptions only)"
	else
		echo "$res" | sed 's/^/# /'
		notok "checkpatch --strict $p"
	fi
done < <(cat "$top/patches/series" 2>/dev/null)
tend

tbegin "kernel-doc"
# Every kernel C file and header the series adds or changes, read as make
# htmldocs reads them (scripts/kernel-doc -none -Wall): no warning that the
# file did not have at the base already (upstream's own are left alone).
kdoc_warnings() { sed -E 's/:[0-9]+ / /' | sort -u; }
while read -r f; do
	case "$f" in tools/*) continue ;; *.c|*.h) ;; *) continue ;; esac
	[ -f "$TREE/$f" ] || continue
	new=$(cd "$TREE" && scripts/kernel-doc -none -Wall "$f" 2>&1 | kdoc_warnings)
	old=""
	if git -C "$TREE" cat-file -e "base:$f" 2>/dev/null; then
		mkdir -p "$(dirname "$CHECK/kdoc/$f")"
		git -C "$TREE" show "base:$f" >"$CHECK/kdoc/$f"
		old=$(cd "$CHECK/kdoc" && "$TREE/scripts/kernel-doc" -none -Wall "$f" 2>&1 | kdoc_warnings)
	fi
	added=$(comm -23 <(echo "$new") <(echo "$old") | grep . || true)
	if [ -z "$added" ]; then
		ok "kernel-doc $f"
	else
		echo "$added" | sed 's/^/# /'
		notok "kernel-doc $f"
	fi
done < <(git -C "$TREE" diff --name-only base..HEAD)
tend

stamp "build after each patch"
head=$(git -C "$TREE" rev-parse HEAD)
if [ -n "${SKIP_BISECT:-}" ] || [ "$ncommits" -eq 0 ]; then
	list=$head
else
	list=$commits
fi
i=0
for c in $list; do
	i=$((i + 1))
	git -C "$TREE" checkout -q "$c" || fatal "checkout $c"
	subj=$(git -C "$TREE" log -1 --format=%s "$c")
	tbegin "build $(printf %04d $i): $subj"
	blog=$LOGS/build-$(git -C "$TREE" log -1 --format=%h "$c").log
	# A patch that changes only selftests (and MAINTAINERS) leaves the
	# kernel as the previous build made it: build its selftests instead,
	# against this tree's uAPI headers, warnings counted as failures.
	if [ "$c" != "$head" ] &&
		! git -C "$TREE" diff-tree --no-commit-id --name-only -r "$c" |
			grep -v -q '^tools/testing/selftests/\|^MAINTAINERS$'; then
		sdir=$CHECK/selftests-step
		rm -rf "$sdir" && mkdir -p "$sdir"
		if ! { make -C "$TREE" O="$KBUILD" ARCH=x86_64 -s headers &&
			make -C "$TREE/tools/testing/selftests/fdbox" -s OUTPUT="$sdir" \
				KHDR_INCLUDES="-isystem $KBUILD/usr/include" all; } >"$blog" 2>&1 ||
			grep -q 'warning:\|error:' "$blog"; then
			grep -A3 'warning:\|error:' "$blog" | head -n 40 | sed 's/^/# /'
			notok "selftests build: $subj"
		else
			ok "selftests build: $subj (kernel unchanged)"
		fi
		tend
		continue
	fi
	if ! "$top/scripts/build-kernel.sh" bzImage modules_prepare >"$blog" 2>&1; then
		tail -n 30 "$blog" | sed 's/^/# /'
		notok "build: $subj"
		tend
		continue
	fi
	# W=1 for the C files this commit touches (objects that the config builds).
	objs=()
	for f in $(git -C "$TREE" diff-tree --no-commit-id --name-only -r "$c" -- '*.c'); do
		case "$f" in tools/*|samples/*|scripts/*) continue ;; esac
		o=${f%.c}.o
		[ -f "$KBUILD/$o" ] && objs+=("$o")
	done
	if [ ${#objs[@]} -gt 0 ]; then
		touch -c $(printf "$TREE/%s " "${objs[@]/%.o/.c}")
		if ! W=1 "$top/scripts/build-kernel.sh" "${objs[@]}" >"$blog.w1" 2>&1 ||
			grep -q 'warning:' "$blog.w1"; then
			grep -A3 'warning:\|error:' "$blog.w1" | head -n 40 | sed 's/^/# /'
			notok "W=1 build: $subj (${objs[*]})"
			tend
			continue
		fi
	fi
	if grep -q 'warning:' "$blog"; then
		grep -A3 'warning:' "$blog" | head -n 40 | sed 's/^/# /'
		notok "build without warnings: $subj"
		tend
		continue
	fi
	ok "build: $subj"
	tend
done
git -C "$TREE" checkout -q "$head"
tbegin "build at HEAD"
# After the bisect walk HEAD's own build is the last one; make sure it is current.
"$top/scripts/build-kernel.sh" >"$LOGS/build-head.log" 2>&1 ||
	fatal "kernel build at HEAD (see $LOGS/build-head.log)"
grep -q '^CONFIG_FDBOX=y' "$KBUILD/.config" ||
	fatal "CONFIG_FDBOX is not set in the kernel built at HEAD ($KBUILD/.config)"
tend

tbegin "test binaries and initramfs"
"$top/scripts/build-tests.sh" >"$LOGS/build-tests.log" 2>&1 ||
	{ tail -n 30 "$LOGS/build-tests.log"; fatal "building test binaries (see $LOGS/build-tests.log)"; }
"$top/scripts/mkinitramfs.sh" "$INITRD" 2>&1 || fatal "building the initramfs"
tend

# Scenarios for a kernel kind (normal or debug): every tests/vm/*.sh except
# lib.sh, those opted out of check ("# vmrun-check: no") and those for the
# other kind only ("# vmrun-kernel: normal|debug").
scenarios_for() {
	local f s k
	for f in "$top"/tests/vm/*.sh; do
		s=$(basename "$f" .sh)
		[ "$s" = lib ] && continue
		grep -q '^# vmrun-check: no' "$f" && continue
		k=$(sed -n 's/^# vmrun-kernel: //p' "$f")
		[ -z "$k" ] || [ "$k" = "$1" ] || continue
		echo "$s"
	done
}

# cost SCENARIO: its "# vmrun-cost:" hint (seconds on the debug kernel),
# used only to start the longest scenarios first.
cost() { sed -n 's/^# vmrun-cost: //p' "$top/tests/vm/$1.sh" | grep . || echo 60; }

# run_scenarios KIND NAME...: run them CHECK_JOBS at a time, longest first,
# and count them in the order given; KBUILD and INITRD set.
run_scenarios() {
	local kind=$1 s line p f k pid n=0 extra=() order=()
	local -A name_of=() start_of=()
	shift
	[ "$kind" = debug ] && extra=(-t 1500)
	mapfile -t order < <(for s in "$@"; do echo "$(cost "$s") $s"; done | sort -k1,1nr -k2 | cut -d' ' -f2)
	local wall0
	wall0=$(date +%s)
	for s in "${order[@]}" ""; do
		# Start the next one when a slot is free; after the last, drain.
		while [ "$n" -ge "$CHECK_JOBS" ] || { [ -z "$s" ] && [ "$n" -gt 0 ]; }; do
			pid=""
			wait -n -p pid "${!name_of[@]}"
			[ -n "$pid" ] || fatal "lost track of the running VM scenarios"
			n=$((n - 1))
			f=${name_of[$pid]}
			printf '%d\t  scenario %s (%s kernel)\n' $(($(date +%s) - ${start_of[$pid]})) "$f" "$kind" >>"$TIMES"
			unset "name_of[$pid]" "start_of[$pid]"
			cat "$LOGS/$kind-$f.out" >&2
			tail -n 1 "$LOGS/$kind-$f.result"
		done
		[ -n "$s" ] || break
		stamp "scenario $s ($kind kernel) $(sed -n 's/^# vmrun-opts: //p' "$top/tests/vm/$s.sh")"
		"$top/scripts/vmrun.sh" "${extra[@]}" -l "$LOGS/$kind-$s.log" "$s" \
			>"$LOGS/$kind-$s.result" 2>"$LOGS/$kind-$s.out" </dev/null &
		name_of[$!]=$s start_of[$!]=$(date +%s)
		n=$((n + 1))
	done
	printf '%d\tscenarios on the %s kernel (wall)\n' $(($(date +%s) - wall0)) "$kind" >>"$TIMES"
	for s in "$@"; do
		line=$(tail -n 1 "$LOGS/$kind-$s.result" 2>/dev/null)
		p=$(echo "$line" | sed -n 's/.*: \([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped.*/\1/p')
		f=$(echo "$line" | sed -n 's/.*: \([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped.*/\2/p')
		k=$(echo "$line" | sed -n 's/.*: \([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped.*/\3/p')
		if [ -z "$p" ]; then
			notok "scenario $s ($kind kernel): runner error"
			continue
		fi
		pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + k))
		[ "$f" -eq 0 ] || failed+=("scenario $s on the $kind kernel ($f failed; log out/logs/$kind-$s.log)")
	done
}

stamp "VM scenarios"
# shellcheck disable=SC2046
run_scenarios normal ${SCENARIOS:-$(scenarios_for normal)}

if [ -z "${SKIP_DEBUG:-}" ]; then
	tbegin "debug kernel build and initramfs"
	export KBUILD=$CHECK/kernel-debug INITRD=$CHECK/initramfs-debug.cpio
	if ! KERNEL=debug "$top/scripts/build-kernel.sh" >"$LOGS/build-debug.log" 2>&1; then
		tail -n 30 "$LOGS/build-debug.log" | sed 's/^/# /'
		notok "debug kernel build (see $LOGS/build-debug.log)"
		tend
	elif ! "$top/scripts/mkinitramfs.sh" "$INITRD" >"$LOGS/initramfs-debug.log" 2>&1; then
		tail -n 10 "$LOGS/initramfs-debug.log" | sed 's/^/# /'
		notok "debug initramfs"
		tend
	else
		ok "debug kernel build"
		tend
		# shellcheck disable=SC2046
		run_scenarios debug ${DEBUG_SCENARIOS:-$(scenarios_for debug)}
	fi
fi

stamp "done"
timing_table
for f in "${failed[@]}"; do echo "check: FAILED: $f" >&2; done
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
