# vmrun-cost: 230
# vmrun-selftest: fdbox_api fdbox_abi fdbox_files fdbox_access
# FDBox uAPI selftests (tools/testing/selftests/fdbox: fdbox_api, the box
# life cycle; fdbox_abi, the ioctl ABI and bad input; fdbox_files, files in
# a box; fdbox_access, who may do what), as root in a freshly booted kernel,
# in one VM run by the tree's vmtest.sh. Tests that need the memfd handler
# skip without it.
