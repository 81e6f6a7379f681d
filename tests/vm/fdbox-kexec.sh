# vmrun-opts: -k 2
# vmrun-cost: 120
# vmrun-selftest: fdbox_kexec
# FDBox across two real kexecs (tools/testing/selftests/fdbox/fdbox_kexec,
# run by the tree's vmtest.sh): stage 1 creates sealed, open and deleted
# boxes (and memfd boxes when the memfd handler exists); stage 2, in the
# kexec'ed kernel, checks that exactly the sealed boxes came across, with
# their data, then unseals boxes that came across while other boxes are
# being sealed (UNSEAL racing with the rebuild of the handover data) and
# seals some of them again; stage 3, after a second kexec, checks that
# exactly those boxes came across, with their data. vmtest.sh kexecs even
# if a check failed: the next stage then reports what did or did not come
# across.
