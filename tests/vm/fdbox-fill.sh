# vmrun-opts: -k 1 -m 2G -t 900
# vmrun-cost: 300
# A host whose memory is mostly guest RAM
# (tools/testing/selftests/fdbox/fdbox_memfd -F), with the kernel's default
# KHO scratch on the normal kernel: a memfd filling nearly all memory,
# scratch included, can not go into a box (ENOMEM, nothing killed, nothing
# lost); then memfds of 4 KiB and huge pages fill all the memory outside
# scratch but the room the kexec needs, are sealed and carried across a
# kexec, and stage 2 compares every byte and every page frame.
case $STAGE in
1)
	ksft_run "fdbox_memfd full host stage 1" /tests/fdbox_memfd -F -s 1
	fdbox_kexec
	;;
2)
	ksft_run "fdbox_memfd full host stage 2" /tests/fdbox_memfd -F -s 2
	;;
esac
