# vmrun-cost: 150
# Concurrency stress of FDBox (tools/testing/selftests/fdbox/fdbox_stress):
# threads and processes race PUT/GET/LIST/SEAL/UNSEAL/DELETE/CREATE/close on
# shared boxes, open nodes of boxes being deleted, put one memfd into two
# boxes at once and race SEAL with writes to the memfd, for 30 seconds in
# all. At the end no box, no box node and no Shmem page is left behind.
ksft_run fdbox_stress /tests/fdbox_stress
