# vmrun-opts: -a kunit.enable=1
# vmrun-kernel: debug
# vmrun-cost: 60
# The KUnit suites of the debug kernel (FDBox handover parser, KHO vmalloc
# restore from broken lists, preserved shmem records) ran at boot; their
# KTAP is read from debugfs. Each test case counts, and each suite.
found=0
for r in /sys/kernel/debug/kunit/*/results; do
	[ -f "$r" ] || continue
	found=1
	suite=$(basename "$(dirname "$r")")
	echo "# KUnit suite $suite"
	sed 's/^/# /' "$r"
	# Test case results are indented one level in the suite's KTAP.
	sed -n 's/^    \(\(not \)\{0,1\}ok [0-9].*\)/\1/p' "$r"
	sed -n 's/^\(\(not \)\{0,1\}ok [0-9].*\)/\1/p' "$r"
done
if [ $found = 0 ]; then
	echo "not ok - no KUnit results in /sys/kernel/debug/kunit (CONFIG_KUNIT_DEBUGFS?)"
fi
for s in fdbox_handover shmem_kho_records kho_restore_vmalloc; do
	[ -f /sys/kernel/debug/kunit/$s/results ] ||
		echo "not ok - KUnit suite $s did not run"
done
