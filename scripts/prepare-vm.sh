#!/usr/bin/env bash
# Everything a VM run needs, for make demo and make demo-data: packages, the
# kernel tree (if missing), the kernel, the test binaries with the fdbox CLI,
# and the initramfs (build/initramfs.cpio and its -vmm sibling).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/deps.sh"
[ -d "$top/linux/.git" ] || "$top/scripts/tree.sh"
"$top/scripts/build-kernel.sh"
"$top/scripts/build-tests.sh" >/dev/null
[ -x "$top/build/tests/fdbox" ] || {
	echo "prepare-vm: error: the fdbox CLI was not built (fdbox/)" >&2
	exit 1
}
"$top/scripts/mkinitramfs.sh" "$top/build/initramfs.cpio"
