# vmrun-opts: -k 3 -m 2G -t 900
# vmrun-cost: 300
# One memfd box across three kexecs in a row
# (tools/testing/selftests/fdbox/fdbox_memfd -k 3): stage 1 seals it; stages 2
# and 3 restore it, check it, change it and seal it again; stage 4 checks the
# result. Its pages keep their physical addresses all along; a box left
# sealed in stage 2 does not travel again.
case $STAGE in
1 | 2 | 3)
	ksft_run "fdbox_memfd chain stage $STAGE" /tests/fdbox_memfd -k 3 -s "$STAGE"
	fdbox_kexec
	;;
4)
	ksft_run "fdbox_memfd chain stage 4" /tests/fdbox_memfd -k 3 -s 4
	;;
esac
