#!/usr/bin/env bash
# make bench: FDBox against LUO memfd preservation in one VM run (same boot,
# same kernel, same data). Builds what is needed like scripts/demo.sh, boots
# the tests/vm/bench.sh scenario (stage 1: create + preserve, kexec; stage 2:
# restore + read, then the big cases; stage 3: restore those, seal 4 GiB in
# FDBox alone; stages 4-6: boot with 4 GiB sealed in FDBox, 4 KiB pages then
# THP, then preserved by LUO alone; stages 7-8: empty boots), and writes into bench/results/: results.json (one
# record per case and system, and the boots), results.md (FDBox/LUO ratios
# first, absolute ms second) and results.png (gnuplot).
#
# Env: BENCH_CASES  space-separated NAME,KIND,SIZE_MIB[,WRITTEN_MIB] (KIND:
#                   dense, thp, sparse, swap); default: an empty memfd
#                   (the cost per file) and the issue's cases except dense 4 GiB
#      BENCH_BIG    cases preserved in a second kexec, after the first ones
#                   are freed (default: dense-4G,dense,4096; "none": skip)
#      BENCH_BOOT   MiB sealed in FDBox alone for the boot cost (default
#                   4096; 0: skip)
#      BENCH_REPS   preserve repetitions per case and system (default 3)
#      BENCH_NOBUILD=1  use build/kernel as it is (another process builds it)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/bench-lib.sh"
res=$top/bench/results
out=$top/out/bench
mkdir -p "$res" "$out" "$top/build/bench"
die() { echo "bench: error: $*" >&2; exit 1; }

cases=${BENCH_CASES:-"empty,dense,0 dense-256M,dense,256 dense-1G,dense,1024 thp-1G,thp,1024 sparse-4G,sparse,4096,64 swap-256M,swap,256"}
big=${BENCH_BIG:-dense-4G,dense,4096}
[ "$big" = none ] && big=""
boot=${BENCH_BOOT:-4096}
reps=${BENCH_REPS:-3}
start=$(date +%s)

WITH_BENCH=1 "$top/scripts/deps.sh"
command -v gnuplot >/dev/null || die "gnuplot missing (WITH_BENCH=1 scripts/deps.sh installs gnuplot-nox)"
if [ -z "${BENCH_NOBUILD:-}" ]; then
	[ -d "$top/linux/.git" ] || "$top/scripts/tree.sh"
	"$top/scripts/build-kernel.sh"
	"$top/scripts/build-tests.sh" >/dev/null
fi
[ -f "$top/build/kernel/arch/x86/boot/bzImage" ] || die "no kernel; run without BENCH_NOBUILD"
[ -f "$top/build/kernel/usr/include/linux/fdbox.h" ] || die "no exported FDBox uAPI headers"
make -C "$top/bench" -s UAPI="$top/build/kernel/usr/include" >/dev/null
initrd=$top/build/bench/initramfs.cpio
EXTRA_BIN=$top/bench/fdbox-bench "$top/scripts/mkinitramfs.sh" "$initrd"

# VM memory: every case is held twice at the kexec (FDBox keeps what was
# written, LUO fills the holes of a sparse file), plus room to boot and work,
# outside the KHO scratch areas (CMA, about a fifth of the memory by default,
# unusable for pinned or preserved folios). The big cases and the boot-cost
# file come after the others are freed: the largest of the three counts.
need_mib() {
	local c kind size written sum=0 _
	for c in $1; do
		IFS=, read -r _ kind size written <<<"$c"
		[ "$kind" = sparse ] || written=$size
		sum=$((sum + written + size))
	done
	echo $sum
}
size_sum=0
for c in $cases $big; do
	IFS=, read -r _ _ size _ <<<"$c"
	size_sum=$((size_sum + size))
done
mem_mib=$(need_mib "$cases")
[ "$(need_mib "$big")" -gt "$mem_mib" ] && mem_mib=$(need_mib "$big")
[ "$boot" -gt "$mem_mib" ] && mem_mib=$boot
mem_mib=$(((mem_mib + 1536) * 4 / 3))
append=$(bench_tsc_append)
append+=" fdbox_bench.reps=$reps fdbox_bench.cases=$(echo $cases | tr ' ' '/')"
[ -n "$big" ] && append+=" fdbox_bench.big=$(echo $big | tr ' ' '/')"
append+=" fdbox_bench.boot=$boot"
timeout=$((900 + size_sum * reps / 8 + boot / 4))
echo "bench: cases: $cases; then: ${big:-none}; boot cost: $boot MiB;" \
	"$reps repetitions; VM memory ${mem_mib}M" >&2

log=$out/serial.log
set +e
INITRD=$initrd "$top/scripts/vmrun.sh" -m "${mem_mib}M" -t "$timeout" -k 7 \
	-a "$append" -l "$log" bench
rc=$?
set -e
secs=$(($(date +%s) - start))

series=$(git -C "$top" log -1 --format=%h -- patches 2>/dev/null || echo unknown)
BENCH_BIG_CASES=$big python3 - "$log" "$res" "$series" "$secs" "$mem_mib" "$reps" <<'EOF'
import json, re, sys, datetime, os
log, res, series, secs, mem_mib, reps = sys.argv[1:7]
recs, uptime, odd, tsc, sealed = {}, {}, [], {}, {}
text = open(log, "rb").read().decode("utf-8", "replace") if os.path.exists(log) else ""
for line in text.splitlines():
    m = re.match(r"^BENCH-JSON: (\{.*\})\s*$", line)
    if m:
        r = json.loads(m.group(1))
        key = (r["case"], r["system"])
        rec = recs.setdefault(key, {"case": r["case"], "kind": r["kind"],
                                    "system": r["system"], "size_bytes": r["size_bytes"],
                                    "written_bytes": r["written_bytes"]})
        stage = r.pop("stage")
        for k, v in r.items():
            if k in ("case", "kind", "system", "size_bytes", "written_bytes"):
                continue
            rec[k if stage == 1 or k.startswith(("restore", "first_read", "pages_", "check")) else "post_" + k] = v
        continue
    m = re.match(r"^BENCH-UPTIME: stage (\d+) ([0-9.]+)", line)
    if m:
        uptime[int(m.group(1))] = float(m.group(2)) * 1000
    m = re.match(r"^BENCH-TSC: (\S+) (\d+) ([0-9.]+)", line)
    if m:
        tsc[m.group(1)] = (int(m.group(2)), float(m.group(3)))
    m = re.match(r"^BENCH-(SEAL|DROP): (\{.*\})\s*$", line)
    if m:
        r = json.loads(m.group(2))
        sealed.setdefault(r["case"], {}).update(r)
    if line.startswith("BENCH-ERROR"):
        odd.append(line)

# The TSC runs on across kexec; its rate comes from each stage's own
# CLOCK_BOOTTIME (start of the stage to its kexec -e).
rates = []
for st in range(1, 9):
    a, b = tsc.get("start-%d" % st), tsc.get("kexec-%d" % st)
    if a and b and b[1] - a[1] > 1:
        rates.append((b[0] - a[0]) / (b[1] - a[1]) / 1000)
rates.sort()
tsc_per_ms = rates[len(rates) // 2] if rates else None
def kexec_ms(st):
    a, b = tsc.get("kexec-%d" % (st - 1)), tsc.get("start-%d" % st)
    if not (a and b and tsc_per_ms):
        return None
    return (b[0] - a[0]) / tsc_per_ms
big_names = [c.split(",")[0] for c in os.environ.get("BENCH_BIG_CASES", "").split()]
def pages(names, s=None):
    return sum(r.get("pages_preserved", 0) for (c, sy), r in recs.items()
               if c in names and (s is None or sy == s))
def folios(names, s=None):
    return sum(r.get("folios", 0) for (c, sy), r in recs.items()
               if c in names and (s is None or sy == s))
small_names = [c for (c, sy) in recs if c not in big_names]
boots = []
def boot_row(st, what, pg, fo):
    boots.append({"stage": st, "preserved": what, "pages": pg, "folios": fo,
                  "kexec_to_userspace_ms": kexec_ms(st),
                  "uptime_at_userspace_ms": uptime.get(st)})
boot_row(2, "FDBox + LUO: every case above except the big ones",
         pages(small_names), folios(small_names))
if big_names:
    boot_row(3, "FDBox + LUO: " + ", ".join(big_names), pages(big_names), folios(big_names))
for st, name, who in ((4, "boot-dense", "FDBox"), (5, "boot-thp", "FDBox"),
                     (6, "boot-luo", "LUO")):
    r = sealed.get(name)
    if r:
        n = r["size_bytes"] // 4096
        huge = r.get("shmem_huge_kib", 0) // 4
        fo = n - huge + huge // 512
        boot_row(st, "%s alone: %d MiB %s" % (who, r["size_bytes"] >> 20,
                 "THP-backed" if r["kind"] == "thp" else "of 4 KiB pages"), n, fo)
boot_row(7, "nothing (empty kexec boot)", 0, 0)
boot_row(8, "nothing (empty kexec boot)", 0, 0)
empties = [b["kexec_to_userspace_ms"] for b in boots
           if b["pages"] == 0 and b["kexec_to_userspace_ms"] is not None]
empty_ms = sum(empties) / len(empties) if empties else None
for b in boots:
    b["ratio_to_empty"] = (b["kexec_to_userspace_ms"] / empty_ms
                           if empty_ms and b["kexec_to_userspace_ms"] is not None else None)
boot = {"tsc_per_ms": tsc_per_ms, "empty_kexec_ms": empty_ms,
        "cold_boot_uptime_at_userspace_ms": uptime.get(1), "boots": boots,
        "sealed": sealed}
for (c, s), r in recs.items():
    r["kexec_to_userspace_ms"] = kexec_ms(3 if c in big_names else 2)
    r["memory_preserved_bytes"] = r.get("pages_preserved", 0) * 4096 + r.get("meta_bytes", 0)
    r["memfree_drop_at_preserve_kib"] = r.get("memfree_before_kib", 0) - r.get("memfree_after_kib", 0)
date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
meta = {"date": date, "series_commit": series, "run_seconds": int(secs),
        "vm_memory_mib": int(mem_mib), "repetitions": int(reps),
        "accel": os.environ.get("ACCEL", "tcg"), "boot": boot,
        "errors": odd}
with open(os.path.join(res, "results.json"), "w") as f:
    f.write(json.dumps({"meta": meta}) + "\n")
    for r in recs.values():
        f.write(json.dumps(r) + "\n")

cases = []
for (c, s) in recs:
    if c not in cases:
        cases.append(c)
def get(c, s, k):
    return recs.get((c, s), {}).get(k)
def ratio(a, b):
    if a is None or b is None:
        return "n/a"
    if b == 0:
        return "n/a" if a == 0 else "inf"
    return "%.3g" % (a / b)
def ms(v):
    return "n/a" if v is None else ("%.1f" % v if v < 1000 else "%.0f" % v)
def mib(v):
    return "n/a" if v is None else "%.1f" % (v / 2**20)
L = []
L.append("FDBox against LUO memfd preservation (`make bench`), %s, series commit `%s`, "
         "%s, %s repetitions (median), VM %s MiB, run %d s." %
         (date, series, meta["accel"].upper(), reps, mem_mib, int(secs)))
L.append("")
L.append("### FDBox/LUO ratios (< 1: FDBox is faster or lighter)")
L.append("")
L.append("| case | size | written | preserve | restore | first read | preserve+restore+read | memory preserved | MemFree drop at preserve |")
L.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
for c in cases:
    f, l = recs.get((c, "fdbox"), {}), recs.get((c, "luo"), {})
    r = f or l
    tot = lambda x: None if x.get("preserve_ms") is None or x.get("restore_ms") is None else x["preserve_ms"] + x["restore_ms"] + x.get("first_read_ms", 0)
    L.append("| %s | %s MiB | %s MiB | %s | %s | %s | %s | %s | %s |" % (
        c, mib(r["size_bytes"]), mib(r["written_bytes"]),
        ratio(f.get("preserve_ms"), l.get("preserve_ms")),
        ratio(f.get("restore_ms"), l.get("restore_ms")),
        ratio(f.get("first_read_ms"), l.get("first_read_ms")),
        ratio(tot(f), tot(l)),
        ratio(f.get("memory_preserved_bytes"), l.get("memory_preserved_bytes")),
        ratio(f.get("memfree_drop_at_preserve_kib"), l.get("memfree_drop_at_preserve_kib"))))
L.append("")
L.append("### Absolute values (FDBox / LUO; ms under %s are not meaningful on their own)" % meta["accel"].upper())
L.append("")
L.append("| case | preserve ms (median) | preserve ms (1st) | restore ms | first read ms | pages preserved | folios | metadata B/folio | metadata KiB | MemFree drop at preserve MiB | pages migrated at PUT_FD+SEAL / PRESERVE_FD | content |")
L.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
for c in cases:
    f, l = recs.get((c, "fdbox"), {}), recs.get((c, "luo"), {})
    pair = lambda k, fmt: "%s / %s" % (fmt(f.get(k)), fmt(l.get(k)))
    first = lambda x: (x.get("preserve_ms_all") or [None])[0]
    mig = lambda x: "n/a" if x.get("migrated_seal_pages") is None else (
        "%d+%d" % (x.get("migrated_put_pages", 0), x["migrated_seal_pages"]))
    L.append("| %s | %s | %s / %s | %s | %s | %s | %s | %s | %s | %s | %s / %s | %s |" % (
        c, pair("preserve_ms", ms), ms(first(f)), ms(first(l)),
        pair("restore_ms", ms), pair("first_read_ms", ms),
        pair("pages_preserved", lambda v: "n/a" if v is None else str(v)),
        pair("folios", lambda v: "n/a" if v is None else str(v)),
        pair("meta_bytes_per_folio", lambda v: "n/a" if v is None else str(v)),
        pair("meta_bytes", lambda v: "n/a" if v is None else "%.0f" % (v / 1024)),
        pair("memfree_drop_at_preserve_kib", lambda v: "n/a" if v is None else "%.1f" % (v / 1024)),
        mig(f), mig(l),
        pair("check", lambda v: v or "n/a")))
L.append("")
L.append("### Boot: kexec -e to userspace")
L.append("")
L.append("From `kexec -e` in the old kernel to the start of the test in the new one's "
         "/init (TSC, which runs on across kexec); ratio to the mean of the empty boots. "
         "Uptime is the new kernel's own clock at that point. Cold boot uptime: %s ms." %
         ms(boot["cold_boot_uptime_at_userspace_ms"]))
L.append("")
L.append("| preserved at the kexec | pages | folios | kexec -e to userspace ms | ratio to empty | uptime ms |")
L.append("| --- | ---: | ---: | ---: | ---: | ---: |")
for b in boots:
    L.append("| %s | %d | %d | %s | %s | %s |" % (
        b["preserved"], b["pages"], b["folios"], ms(b["kexec_to_userspace_ms"]),
        "n/a" if b["ratio_to_empty"] is None else "%.3f" % b["ratio_to_empty"],
        ms(b["uptime_at_userspace_ms"])))
if sealed:
    L.append("")
    L.append("Alone: " + "; ".join(
        "%s preserve %s ms, discard after the kexec %s ms" % (
            c, ms(r.get("preserve_ms")), ms(r.get("discard_ms")))
        for c, r in sealed.items()) + ".")
if odd:
    L.append("")
    L.append("Errors: " + "; ".join(odd))
open(os.path.join(res, "results.md"), "w").write("\n".join(L) + "\n")

# gnuplot data: one line per case and system
with open(os.path.join(res, "plot.dat"), "w") as f:
    f.write("# case system size_mib preserve_ms restore_ms first_read_ms memory_mib\n")
    for s in ("fdbox", "luo"):
        for c in cases:
            r = recs.get((c, s))
            if not r or not r["size_bytes"]:	# log scale: no empty file
                continue
            f.write("%s %s %.1f %s %s %s %.3f\n" % (c, s, r["size_bytes"] / 2**20,
                    r.get("preserve_ms", "NaN"), r.get("restore_ms", "NaN"),
                    r.get("first_read_ms", "NaN"), r["memory_preserved_bytes"] / 2**20))
        f.write("\n\n")
EOF

cd "$res"
# Nothing to plot (the VM died before any record): the tables still print.
grep -q '^[a-z]' plot.dat && gnuplot <<'EOF'
set terminal png size 1400,500 font ",10"
set output "results.png"
set multiplot layout 1,3 title "FDBox vs LUO memfd preservation (TCG: compare ratios, not absolute ms)"
set logscale x 2
set logscale y 10
set xlabel "memfd size (MiB)"
set key top left
set grid
set offsets graph 0.05, graph 0.05, 0, 0
set title "preserve (median)"
set ylabel "ms"
plot "plot.dat" index 0 using 3:($4 > 0 ? $4 : 0.1) with points pt 7 ps 1.5 title "FDBox", \
     "" index 0 using 3:($4 > 0 ? $4 : 0.1):1 with labels offset 0,1 font ",8" notitle, \
     "" index 1 using 3:($4 > 0 ? $4 : 0.1) with points pt 5 ps 1.5 title "LUO"
set title "restore + first read of every page"
plot "plot.dat" index 0 using 3:($5 + $6) with points pt 7 ps 1.5 title "FDBox", \
     "" index 0 using 3:($5 + $6):1 with labels offset 0,1 font ",8" notitle, \
     "" index 1 using 3:($5 + $6) with points pt 5 ps 1.5 title "LUO"
set title "memory preserved (pages + metadata)"
set ylabel "MiB"
plot "plot.dat" index 0 using 3:7 with points pt 7 ps 1.5 title "FDBox", \
     "" index 0 using 3:7:1 with labels offset 0,1 font ",8" notitle, \
     "" index 1 using 3:7 with points pt 5 ps 1.5 title "LUO"
unset multiplot
EOF
cd "$top"
echo
cat "$res/results.md"
echo
echo "bench: results in $res (results.json, results.md, results.png); serial log $log; ${secs}s"
[ $rc -eq 0 ] || echo "bench: the VM run FAILED (rc $rc, see above and $log)" >&2
exit $rc
