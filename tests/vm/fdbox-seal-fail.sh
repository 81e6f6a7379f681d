# vmrun-cost: 400
# vmrun-selftest: fdbox_seal_fail
# SEAL is all or nothing (tools/testing/selftests/fdbox/fdbox_seal_fail, run
# by the tree's vmtest.sh): a memfd whose pages went to swap under a small
# memory cgroup can not be read back during SEAL, so SEAL fails after an
# earlier file of the box was frozen; every file must be thawed and intact,
# and the box OPEN. The expected memory cgroup OOM reports are kept off the
# console by the test, which checks the kernel log itself.
