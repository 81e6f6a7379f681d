# vmrun-check: no
# vmrun-opts: -m 4G -t 1200
# make bench-micro (scripts/bench-micro.sh): what each ioctl of one
# preservation costs on its own, FDBox against LUO, medians of many
# repetitions on one memfd per system: an empty memfd, 1 MiB and 64 MiB of
# 4 KiB pages, 64 MiB and 1 GiB THP-backed.
B=/bin/fdbox-bench
for c in empty,dense,0 page,dense,1 dense-64M,dense,64 thp-64M,thp,64 thp-1G,thp,1024; do
	if $B micro 51 "$c"; then
		echo "ok - bench-micro $c"
	else
		echo "not ok - bench-micro $c"
	fi
done
