# vmrun-cost: 150
# vmrun-selftest: fdbox_stress fdbox_stress_seal
# Concurrency stress of FDBox (tools/testing/selftests/fdbox: fdbox_stress
# and fdbox_stress_seal, in one VM run by the tree's vmtest.sh): threads and
# processes race PUT/GET/LIST/SEAL/UNSEAL/DELETE/CREATE/close on shared
# boxes, open nodes of boxes being deleted, put one memfd into two boxes at
# once and race SEAL with writes to the memfd, for 30 seconds in all per
# program. At the end no box, no box node and no Shmem page is left behind.
