# vmrun-opts: -k 1 -m 3G -t 900
# vmrun-cost: 650
# vmrun-selftest: fdbox_memfd fdbox_memfd_seals fdbox_memfd_mm
# memfds in FDBox across a real kexec (tools/testing/selftests/fdbox:
# fdbox_memfd, by layout; fdbox_memfd_seals, seals, mappings and zero copy;
# fdbox_memfd_mm, LUO, fallocate, memory cgroups and KHO scratch; in one VM
# run by the tree's vmtest.sh): stage 1 fills memfds of every kind (dense, sparse, huge folios, swapped
# out, sealed, mapped and written after SEAL, fallocated, one next to a LUO
# session), seals them in boxes and records their layout and page frame
# numbers under /etc/fdbox; stage 2, in the kexec'ed kernel, restores them
# and checks every byte.
