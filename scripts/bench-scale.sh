#!/usr/bin/env bash
# make bench-scale: FDBox against LUO as files and boxes grow (issue: names
# and scale for real users), one VM run (tests/vm/bench-scale.sh): PUT per
# file, SEAL, FDBox's boot-time parse, kexec -e to userspace, UNSEAL + GET
# per file, for 100, 1000 and 10 000 files in one box (LUO: one session) and
# 1, 100 and 1000 boxes (sessions) of one file; and SEAL of one box while 0,
# 100 and 1000 others are sealed. Writes bench/results/scale.json and
# scale.md. Per-file figures must not grow with the count.
# Env: BENCH_SCALE_REPS  VM runs, medians reported (default 3)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/bench-lib.sh"
res=$top/bench/results
out=$top/out/bench-scale
mkdir -p "$res" "$out" "$top/build/bench"
start=$(date +%s)

bench_initrd
append=$(bench_tsc_append)
reps=${BENCH_SCALE_REPS:-3}
rc=0
logs=()
for r in $(seq 1 "$reps"); do
	log=$out/serial-$r.log
	logs+=("$log")
	INITRD=$initrd "$top/scripts/vmrun.sh" ${append:+-a "$append"} -l "$log" bench-scale || rc=1
done
secs=$(($(date +%s) - start))
series=$(git -C "$top" log -1 --format=%h -- patches 2>/dev/null || echo unknown)
python3 - "$res" "$series" "$secs" "${logs[@]}" <<'PY'
import json, re, sys, datetime, os, statistics
res, series, secs = sys.argv[1:4]
logs = sys.argv[4:]
# samples[(system, layout, n)][metric] = [values over the runs]
samples, others = {}, {}
order = []
def add(key, metric, v):
    if isinstance(v, (int, float)):
        samples.setdefault(key, {}).setdefault(metric, []).append(v)
for log in logs:
    text = open(log, "rb").read().decode("utf-8", "replace") if os.path.exists(log) else ""
    point, parse, tsc = {}, {}, {}
    for line in text.splitlines():
        m = re.match(r"^BENCH-POINT: stage (\d+) (\S+) (\S+) (\d+)", line)
        if m:
            point[int(m.group(1))] = (m.group(2), m.group(3), int(m.group(4)))
        m = re.match(r"^BENCH-SCALE: (\{.*\})\s*$", line)
        if m:
            r = json.loads(m.group(1))
            key = (r.pop("system"), r.pop("layout"), r.pop("n"))
            if key not in order:
                order.append(key)
            for k, v in r.items():
                add(key, k, v)
        m = re.match(r"^BENCH-OTHERS: (\{.*\})\s*$", line)
        if m:
            o = json.loads(m.group(1))
            for k, v in o.items():
                if k != "others":
                    others.setdefault(o["others"], {}).setdefault(k, []).append(v)
        m = re.match(r"^BENCH-PARSE: stage (\d+) boxes (\d+) us (\d+)", line)
        if m:
            parse[int(m.group(1))] = int(m.group(3))
        m = re.match(r"^BENCH-TSC: (\S+) (\d+) ([0-9.]+)", line)
        if m:
            tsc[m.group(1)] = (int(m.group(2)), float(m.group(3)))
    rate = 0
    for k in sorted(tsc):
        if k.startswith("kexec-"):
            st = tsc.get("start-" + k[6:])
            if st and tsc[k][1] > st[1] + 0.5:
                rate = (tsc[k][0] - st[0]) / (tsc[k][1] - st[1])
                break
    def boot_ms(stage):
        a, b = tsc.get(f"kexec-{stage}"), tsc.get(f"start-{stage + 1}")
        return (b[0] - a[0]) / rate * 1000 if a and b and rate else None
    for st, key in point.items():
        add(key, "kexec_ms", boot_ms(st))
        if key[0] == "fdbox":
            add(key, "parse_us", parse.get(st + 1))
    if point:
        add(("none", "empty", 0), "kexec_ms", boot_ms(max(point) + 1))
med = lambda key, m: statistics.median(samples[key][m]) if key in samples and samples[key].get(m) else None
now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
json.dump({"date": now, "series": series, "seconds": int(secs), "runs": len(logs),
           "samples": [{"system": k[0], "layout": k[1], "n": k[2], **v} for k, v in samples.items()],
           "seal_beside_others": others},
          open(os.path.join(res, "scale.json"), "w"), indent=1)
def f(v, fmt="{:.1f}"):
    return fmt.format(v) if isinstance(v, (int, float)) else "n/a"
def ratio(a, b):
    return f"{a / b:.2f}" if isinstance(a, (int, float)) and isinstance(b, (int, float)) and b else "n/a"
base = med(("none", "empty", 0), "kexec_ms")
out = [f"FDBox against LUO as files and boxes grow (`make bench-scale`), {now}, series commit `{series}`, "
       f"TCG, median of {len(logs)} VM runs, {secs} s in all. Files are one-page memfds; LUO keeps N files "
       "in one session ('files') or N sessions of one file ('boxes'). Each system crosses its own kexec. "
       "FDBox's SEAL is its whole preservation but writing the box's FDT into memory it reserved (LUO's "
       "PRESERVE_FD is timed as its PUT); both write their handover data at reboot, inside the kexec. Ratios are FDBox/LUO (< 1: FDBox is faster).", "",
       "| layout | N | PUT µs/file FDBox / LUO | ratio | SEAL ms (µs/file) | PUT+SEAL µs/file / LUO | ratio | UNSEAL+GET µs/file FDBox / LUO | ratio | pages migrated out of scratch at PUT (FDBox) | FDBox boot parse ms (µs/file) | kexec -e to userspace ms FDBox / LUO (empty boot " + f(base, "{:.0f}") + ") | ratio | content |",
       "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
pts = []
for k in order:
    if (k[1], k[2]) not in pts:
        pts.append((k[1], k[2]))
for layout, n in pts:
    F, L = ("fdbox", layout, n), ("luo", layout, n)
    put, lput = med(F, "put_us_per_file"), med(L, "put_us_per_file")
    seal = med(F, "seal_ms")
    tot = put + seal * 1000 / n if put is not None and seal is not None else None
    rest, lrest = med(F, "restore_us_per_file"), med(L, "restore_us_per_file")
    pu = med(F, "parse_us")
    kf, kl = med(F, "kexec_ms"), med(L, "kexec_ms")
    bad = sum(samples.get(F, {}).get("bad", [])) + sum(samples.get(L, {}).get("bad", []))
    err = samples.get(L, {}).get("error")
    out.append(f"| {layout} | {n} | {f(put)} / {f(lput)} | {ratio(put, lput)} | {f(seal, '{:.2f}')} ({f(seal * 1000 / n if seal is not None else None)}) | "
               f"{f(tot)} / {f(lput)} | {ratio(tot, lput)} | {f(rest)} / {f(lrest)} | {ratio(rest, lrest)} | "
               f"{f(med(F, 'migrated'), '{:.0f}')} | "
               f"{f(pu / 1000 if pu is not None else None, '{:.2f}')} ({f(pu / n if pu is not None else None)}) | "
               f"{f(kf, '{:.0f}')} / {f(kl, '{:.0f}')} | {ratio(kf, kl)} | {'ok' if not bad else '%d bad' % bad} |")
out += ["", "### SEAL of one box of one file beside other sealed boxes (LUO: PRESERVE_FD of one file into a new session beside other sessions), median of 5 per run, then of the runs", "",
        "| other boxes (sessions) | FDBox SEAL ms | LUO PRESERVE_FD ms | ratio |", "| ---: | ---: | ---: | ---: |"]
for o in sorted(others):
    a, b = statistics.median(others[o]["fdbox_seal_ms"]), statistics.median(others[o]["luo_preserve_ms"])
    out.append(f"| {o} | {a:.3f} | {b:.3f} | {ratio(a, b)} |")
if not pts:
    out += ["", "No point finished: see out/bench-scale/serial-*.log."]
open(os.path.join(res, "scale.md"), "w").write("\n".join(out) + "\n")
PY
echo
cat "$res/scale.md"
echo "bench-scale: $res/scale.md, scale.json; serial logs ${logs[*]}"
[ $rc -eq 0 ] || echo "bench-scale: a VM run failed: see the logs" >&2
exit $rc
