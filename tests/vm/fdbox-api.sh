# vmrun-cost: 230
# FDBox uAPI selftests (tools/testing/selftests/fdbox/fdbox_api), as root in
# a freshly booted kernel. Tests that need the memfd handler skip without it.
ksft_run fdbox_api /tests/fdbox_api
