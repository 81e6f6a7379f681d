#!/usr/bin/env bash
# make bench-scale: FDBox against LUO as files and boxes grow (issue: names
# and scale for real users), one VM run (tests/vm/bench-scale.sh): PUT per
# file, SEAL, FDBox's boot-time parse, kexec -e to userspace, UNSEAL + GET
# per file, for 100, 1000 and 10 000 files in one box (LUO: one session) and
# 1, 100 and 1000 boxes (sessions) of one file; and SEAL of one box while 0,
# 100 and 1000 others are sealed. Writes bench/results/scale.json and
# scale.md. Per-file figures must not grow with the count.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
res=$top/bench/results
out=$top/out/bench-scale
mkdir -p "$res" "$out" "$top/build/bench"
start=$(date +%s)

"$top/scripts/prepare-vm.sh"
make -C "$top/bench" -s UAPI="$top/build/kernel/usr/include" >/dev/null
initrd=$top/build/bench/initramfs.cpio
EXTRA_BIN=$top/bench/fdbox-bench "$top/scripts/mkinitramfs.sh" "$initrd" >/dev/null

# TCG's cold boot may calibrate the TSC badly: give the host's frequency.
append=""
if [ "${ACCEL:-tcg}" = tcg ] && grep -qw constant_tsc /proc/cpuinfo; then
	khz=$(awk -F: '/^cpu MHz/ {printf "%d", $2 * 1000; exit}' /proc/cpuinfo)
	[ -n "$khz" ] && [ "$khz" -gt 0 ] && append="tsc_early_khz=$khz"
fi
log=$out/serial.log
set +e
INITRD=$initrd "$top/scripts/vmrun.sh" ${append:+-a "$append"} -l "$log" bench-scale
rc=$?
set -e
secs=$(($(date +%s) - start))
series=$(git -C "$top" log -1 --format=%h -- patches 2>/dev/null || echo unknown)
python3 - "$log" "$res" "$series" "$secs" <<'PY'
import json, re, sys, datetime, os
log, res, series, secs = sys.argv[1:5]
text = open(log, "rb").read().decode("utf-8", "replace") if os.path.exists(log) else ""
scale, others, parse, tsc, order = {}, [], {}, {}, []
for line in text.splitlines():
    m = re.match(r"^BENCH-SCALE: (\{.*\})\s*$", line)
    if m:
        r = json.loads(m.group(1))
        key = (r.pop("layout"), r.pop("n"))
        if key not in order:
            order.append(key)
        scale.setdefault(key, {}).setdefault(r.pop("system"), {}).update(r)
    m = re.match(r"^BENCH-OTHERS: (\{.*\})\s*$", line)
    if m:
        others.append(json.loads(m.group(1)))
    m = re.match(r"^BENCH-PARSE: stage (\d+) boxes (\d+) us (\d+)", line)
    if m:
        parse[int(m.group(1))] = (int(m.group(2)), int(m.group(3)))
    m = re.match(r"^BENCH-TSC: (\S+) (\d+) ([0-9.]+)", line)
    if m:
        tsc[m.group(1)] = (int(m.group(2)), float(m.group(3)))
rate = 0
for k in sorted(tsc):
    if k.startswith("kexec-"):
        s = tsc.get("start-" + k[6:])
        if s and tsc[k][1] > s[1]:
            rate = (tsc[k][0] - s[0]) / (tsc[k][1] - s[1])
            break
def boot_ms(stage):
    a, b = tsc.get(f"kexec-{stage}"), tsc.get(f"start-{stage + 1}")
    return (b[0] - a[0]) / rate * 1000 if a and b and rate else None
baseline = boot_ms(len(order) + 1)
now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
recs = []
for i, key in enumerate(order):
    st = i + 1
    recs.append({"layout": key[0], "n": key[1], **{s: v for s, v in scale[key].items()},
                 "fdbox_parse_us": parse.get(st + 1, (None, None))[1],
                 "kexec_to_userspace_ms": boot_ms(st)})
json.dump({"date": now, "series": series, "seconds": int(secs), "points": recs,
           "baseline_kexec_ms": baseline, "seal_beside_others": others},
          open(os.path.join(res, "scale.json"), "w"), indent=1)
def f(v, fmt="{:.2f}"):
    return fmt.format(v) if isinstance(v, (int, float)) else "n/a"
def ratio(a, b):
    return f"{a / b:.3g}" if isinstance(a, (int, float)) and isinstance(b, (int, float)) and b else "n/a"
out = [f"FDBox against LUO as files and boxes grow (`make bench-scale`), {now}, series commit `{series}`, "
       f"TCG, run {secs} s. Files are one-page memfds; LUO keeps N files in one session ('files') or "
       "N sessions of one file ('boxes'). Both systems' files cross the same kexec; FDBox's parse "
       "is its own boot-time walk (kernel log). Ratios < 1: FDBox is faster.", "",
       "| layout | N | PUT µs/file FDBox / LUO | ratio | SEAL ms (µs/file) | UNSEAL+GET µs/file FDBox / LUO | ratio | FDBox parse at boot ms (µs/file) | kexec -e to userspace ms (over the empty boot) | content |",
       "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
for r in recs:
    fd, lu = r.get("fdbox", {}), r.get("luo", {})
    pu = r["fdbox_parse_us"]
    kx = r["kexec_to_userspace_ms"]
    bad = fd.get("bad", "?"), lu.get("bad", "?")
    out.append(f"| {r['layout']} | {r['n']} | {f(fd.get('put_us_per_file'))} / {f(lu.get('put_us_per_file')) if 'error' not in lu else lu['error']} | "
               f"{ratio(fd.get('put_us_per_file'), lu.get('put_us_per_file'))} | "
               f"{f(fd.get('seal_ms'), '{:.1f}')} ({f(fd.get('seal_us_per_file'))}) | "
               f"{f(fd.get('restore_us_per_file'))} / {f(lu.get('restore_us_per_file'))} | "
               f"{ratio(fd.get('restore_us_per_file'), lu.get('restore_us_per_file'))} | "
               f"{f(pu / 1000 if pu is not None else None)} ({f(pu / r['n'] if pu is not None else None)}) | "
               f"{f(kx, '{:.0f}')} ({f(kx - baseline if kx and baseline else None, '{:+.0f}')}) | "
               f"{'ok' if bad == (0, 0) else 'FDBox %s bad, LUO %s bad' % bad} |")
out += ["", f"Empty kexec boot (nothing preserved): {f(baseline, '{:.0f}')} ms.", "",
        "### SEAL of one box beside other sealed boxes (LUO: PRESERVE_FD into a new session beside other sessions), median of 5", "",
        "| other boxes (sessions) | FDBox SEAL ms | LUO PRESERVE_FD ms | ratio |", "| ---: | ---: | ---: | ---: |"]
for o in others:
    out.append(f"| {o['others']} | {o['fdbox_seal_ms']:.3f} | {o['luo_preserve_ms']:.3f} | {ratio(o['fdbox_seal_ms'], o['luo_preserve_ms'])} |")
if not recs:
    out += ["", "No point finished: see out/bench-scale/serial.log."]
open(os.path.join(res, "scale.md"), "w").write("\n".join(out) + "\n")
PY
echo
cat "$res/scale.md"
echo "bench-scale: $res/scale.md, scale.json; serial log $log"
[ $rc -eq 0 ] || echo "bench-scale: the VM run failed (rc $rc): see $log" >&2
exit $rc
