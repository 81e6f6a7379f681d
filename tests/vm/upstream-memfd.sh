# vmrun-kernel: normal
# vmrun-cost: 20
# Upstream tools/testing/selftests/memfd/memfd_test: a regression guard for
# our changes to mm/shmem.c and mm/memfd.c.
ktap_run memfd_test /tests/memfd_test
