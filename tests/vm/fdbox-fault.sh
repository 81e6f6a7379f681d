# vmrun-opts: -k 1
# vmrun-kernel: debug
# vmrun-cost: 250
# FDBox under fault injection (tools/testing/selftests/fdbox/fdbox_fault):
# every allocation of CREATE_BOX, PUT_FD and SEAL fails in turn, then every
# allocation of the restore after a real kexec; errnos, box states and the
# memfds' contents are checked after each. Needs the debug kernel.
case $STAGE in
1)
	ksft_run "fdbox_fault stage 1" /tests/fdbox_fault -s 1
	fdbox_kexec
	;;
2)
	ksft_run "fdbox_fault stage 2" /tests/fdbox_fault -s 2
	;;
esac
