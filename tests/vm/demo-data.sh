# vmrun-check: no
# make demo-data: the data disk /dev/vda goes into a memfd in box
# "vm0" with "fdbox save", the box is sealed, the machine kexecs with
# kexec-tools (kexec -s -l ... --reuse-cmdline; kexec -e), and in the new
# kernel "fdbox restore" takes the memfd back; cmp compares it with the disk
# byte for byte.
demo() { echo "FDBOX-DEMO: $*"; }
now() { cut -d' ' -f1 /proc/uptime; }
case $STAGE in
1)
	size=$(blockdev --getsize64 /dev/vda)
	demo "size $size bytes"
	t0=$(now)
	/tests/fdbox save --pfns /etc/fdbox/pfns vm0 /dev/vda ||
		{ echo "not ok - fdbox save vm0 /dev/vda"; return 1; }
	t1=$(now)
	demo "save (memfd from disk + PUT + SEAL) $(awk "BEGIN {print $t1 - $t0}") s"
	/tests/fdbox list vm0 | sed 's/^/FDBOX-DEMO: /'
	echo "ok - fdbox save vm0 /dev/vda"
	echo "$size" >/etc/fdbox/size
	fdbox_kexec
	;;
2)
	demo "kexec -e to userspace $(now) s (time since the new kernel started)"
	/tests/fdbox list | sed 's/^/FDBOX-DEMO: /'
	t0=$(now)
	/tests/fdbox restore --pfns /etc/fdbox/pfns vm0 /tmp ||
		{ echo "not ok - fdbox restore vm0 /tmp"; return 1; }
	t1=$(now)
	demo "restore (UNSEAL + GET + write to /tmp) $(awk "BEGIN {print $t1 - $t0}") s"
	echo "ok - fdbox restore vm0 /tmp"
	if [ "$(stat -c %s /tmp/vda)" = "$(cat /etc/fdbox/size)" ] && cmp /tmp/vda /dev/vda; then
		demo "cmp: restored data equals the disk, $(stat -c %s /tmp/vda) bytes"
		echo "ok - cmp /tmp/vda /dev/vda"
	else
		demo "cmp: MISMATCH"
		echo "not ok - cmp /tmp/vda /dev/vda"
	fi
	;;
esac
