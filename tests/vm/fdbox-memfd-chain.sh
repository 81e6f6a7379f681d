# vmrun-opts: -k 3 -m 2G -t 900
# vmrun-cost: 300
# vmrun-selftest: fdbox_memfd_chain
# One memfd box across three kexecs in a row
# (tools/testing/selftests/fdbox/fdbox_memfd_chain, its default of 3
# kexecs, run by the tree's vmtest.sh): stage 1 seals it; stages 2 and 3 restore it, check it, change
# it and seal it again; stage 4 checks the result. Its pages keep their
# physical addresses all along; a box left sealed in stage 2 does not
# travel again.
