# vmrun-opts: -k 1
# vmrun-kernel: debug
# vmrun-cost: 250
# vmrun-selftest: fdbox_fault
# FDBox under fault injection (tools/testing/selftests/fdbox/fdbox_fault,
# run by the tree's vmtest.sh): every allocation of CREATE_BOX, PUT_FD and
# SEAL fails in turn, then every allocation of the restore after a real
# kexec; errnos, box states and the memfds' contents are checked after each.
# Needs the debug kernel.
