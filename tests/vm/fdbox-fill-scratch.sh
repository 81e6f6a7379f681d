# vmrun-opts: -k 1 -m 2G -t 900 -a kho_scratch=32M,128M,32M
# vmrun-kernel: normal
# vmrun-cost: 120
# vmrun-selftest: fdbox_memfd_fill
# fdbox-fill on a host that sized its KHO scratch for guests that use most
# of its memory, as Documentation/userspace-api/fdbox.rst ("A host whose
# memory is mostly guest RAM") recommends: kho_scratch=32M,128M,32M (192 MiB
# of the 2 GiB, against the kernel's default of about a fifth). The same
# test as fdbox-fill: a memfd filling nearly all memory can not go into a
# box (ENOMEM, nothing killed, nothing lost); memfds of 4 KiB and huge
# pages filling all the memory outside scratch but the kexec's room are
# sealed, carried across a kexec and compared byte by byte, frame by frame.
# Normal kernel only: the debug kernel's KASAN shadow needs larger scratch.
