# vmrun-kernel: normal
# vmrun-cost: 30
# Upstream LUO selftests: the liveupdate ioctl API test, then luo_kexec_simple
# across a real kexec. FDBox must coexist with LUO in the same kernel.
case $STAGE in
1)
	ksft_run liveupdate /tests/liveupdate
	ktap_run "luo_kexec_simple stage 1" /tests/luo_kexec_simple -s 1 &&
		fdbox_kexec
	;;
2)
	ktap_run "luo_kexec_simple stage 2" /tests/luo_kexec_simple -s 2
	;;
esac
