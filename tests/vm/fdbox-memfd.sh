# vmrun-opts: -k 1 -m 3G -t 900
# vmrun-cost: 650
# memfds in FDBox across a real kexec
# (tools/testing/selftests/fdbox/fdbox_memfd): stage 1 fills memfds of every
# kind (dense, sparse, huge folios, swapped out, sealed, mapped and written
# after SEAL, fallocated, one next to a LUO session), seals them in boxes and
# records their layout and page frame numbers under /etc/fdbox; stage 2, in
# the kexec'ed kernel, restores them and checks every byte.
case $STAGE in
1)
	# kexec even if a stage 1 check failed: stage 2 then reports what did
	# or did not come across, and the failure is already counted.
	ksft_run "fdbox_memfd stage 1" /tests/fdbox_memfd -s 1
	fdbox_kexec
	;;
2)
	ksft_run "fdbox_memfd stage 2" /tests/fdbox_memfd -s 2
	;;
esac
