#!/usr/bin/env bash
# make bench-micro: what each ioctl of one preservation costs on its own,
# FDBox against LUO, in one VM run (tests/vm/bench-micro.sh): PUT_FD, SEAL,
# UNSEAL, GET_FD against PRESERVE_FD and its unpreserve, for an empty memfd,
# 1 MiB and 64 MiB of 4 KiB pages, 64 MiB and 1 GiB THP-backed; medians of 51
# repetitions on one memfd per system (after the first, nothing is left in
# the KHO scratch areas to move). No kexec: the fixed cost per file and per
# folio, where make bench's 3 repetitions are too few to tell.
# Writes bench/results/micro.json and micro.md.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/bench-lib.sh"
res=$top/bench/results
out=$top/out/bench-micro
mkdir -p "$res" "$out" "$top/build/bench"
start=$(date +%s)

bench_initrd
append=$(bench_tsc_append)
log=$out/serial.log
INITRD=$initrd "$top/scripts/vmrun.sh" ${append:+-a "$append"} -l "$log" bench-micro
grep -q "Switched to clocksource tsc" "$log" ||
	echo "bench-micro: warning: the guest did not use the TSC; its times are coarse" >&2
secs=$(($(date +%s) - start))
series=$(git -C "$top" log -1 --format=%h -- patches 2>/dev/null || echo unknown)
python3 - "$res" "$series" "$secs" "$log" <<'PY'
import json, re, sys, datetime
res, series, secs, log = sys.argv[1:5]
rows = []
for line in open(log, "rb").read().decode("utf-8", "replace").splitlines():
    m = re.match(r"^BENCH-MICRO: (\{.*\})\s*$", line)
    if m:
        rows.append(json.loads(m.group(1)))
if not rows:
    sys.exit("bench-micro: no BENCH-MICRO record in " + log)
json.dump({"series": series, "seconds": int(secs), "rows": rows},
          open(f"{res}/micro.json", "w"), indent=1)
now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
r = lambda a, b: f"{a / b:.2f}" if b else "n/a"
out = [f"Each ioctl of one preservation on its own (`make bench-micro`), {now}, "
       f"series commit `{series}`, TCG, medians of {rows[0]['reps']} repetitions, run {secs} s.",
       "",
       "FDBox/LUO: < 1 is FDBox faster. PUT+SEAL against PRESERVE_FD is the whole "
       "preservation of one file; SEAL alone is what is left for the moment of "
       "the update when the file went into its box beforehand. Both write their "
       "handover data (FDBox: each box's FDT) at reboot; FDBox allocates "
       "and preserves its memory at SEAL, so that no error is left for reboot.",
       "",
       "| case | PUT+SEAL / PRESERVE_FD | SEAL / PRESERVE_FD | UNSEAL+GET / unpreserve |",
       "| --- | ---: | ---: | ---: |"]
for x in rows:
    out.append(f"| {x['case']} | {r(x['fdbox_put_us'] + x['fdbox_seal_us'], x['luo_preserve_us'])} "
               f"| {r(x['fdbox_seal_us'], x['luo_preserve_us'])} "
               f"| {r(x['fdbox_unseal_us'] + x['fdbox_get_us'], x['luo_unpreserve_us'])} |")
out += ["", "Microseconds (median):", "",
        "| case | PUT_FD | SEAL | UNSEAL | GET_FD | PRESERVE_FD | unpreserve (close) | failing ioctl |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
for x in rows:
    out.append(f"| {x['case']} | {x['fdbox_put_us']} | {x['fdbox_seal_us']} | {x['fdbox_unseal_us']} "
               f"| {x['fdbox_get_us']} | {x['luo_preserve_us']} | {x['luo_unpreserve_us']} | {x['floor_us']} |")
open(f"{res}/micro.md", "w").write("\n".join(out) + "\n")
PY
cat "$res/micro.md"
echo "bench-micro: $res/micro.md, micro.json; serial log $log"
