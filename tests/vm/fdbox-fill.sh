# vmrun-opts: -k 1 -m 2G -t 900
# vmrun-cost: 300
# vmrun-selftest: fdbox_memfd_fill
# A host whose memory is mostly guest RAM
# (tools/testing/selftests/fdbox/fdbox_memfd_fill, run by the tree's
# vmtest.sh), with the kernel's default KHO scratch on the normal kernel:
# a memfd filling nearly all memory, scratch included, can not go into a box
# (ENOMEM, nothing killed, nothing lost); then memfds of 4 KiB and huge
# pages fill all the memory outside scratch but the room the kexec needs,
# are sealed and carried across a kexec, and stage 2 compares every byte and
# every page frame.
