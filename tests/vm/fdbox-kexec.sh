# vmrun-opts: -k 1
# vmrun-cost: 120
# FDBox across a real kexec (tools/testing/selftests/fdbox/fdbox_kexec):
# stage 1 creates sealed, open and deleted boxes (and memfd boxes when the
# memfd handler exists); stage 2, in the kexec'ed kernel, checks that exactly
# the sealed boxes came across, with their data.
case $STAGE in
1)
	# kexec even if a stage 1 check failed: stage 2 then reports what did
	# or did not come across, and the failure is already counted.
	ksft_run "fdbox_kexec stage 1" /tests/fdbox_kexec -s 1
	fdbox_kexec
	;;
2)
	ksft_run "fdbox_kexec stage 2" /tests/fdbox_kexec -s 2
	;;
esac
