#!/usr/bin/env bash
# make demo: the main job. A running VM survives a host kexec: inside the
# test VM, Debian's QEMU runs a guest whose RAM is a shared memfd; the guest
# is stopped, its RAM memfd taken from QEMU into an FDBox box, the host
# kexecs, and a new QEMU started by 'fdbox exec' resumes the guest from the
# same physical pages (tests/vm/fdbox-vmm.sh, which make check runs with a
# small guest).
#
# Env: VM_MEM     the test VM's memory (default 2G)
#      GUEST_MEM  the guest's RAM in MiB (default 0: 72 % of the test VM's
#                 MemTotal, as on a host whose memory is mostly guest RAM;
#                 make check runs 128)
#      GUEST_FILL MiB of RAM the guest fills with its pattern (default 0:
#                 90 % of the memory the guest has available, less 32 MiB;
#                 make check runs 48)
#      GUEST_TB   MiB of QEMU's TCG translation cache (default 32)
#      KHO_SCRATCH the test VM's kho_scratch= (default 32M,192M,32M: the
#                 guest's RAM must fit outside the scratch areas, and the
#                 kernel's default, a fifth of a 2G VM, leaves too little;
#                 "default" keeps the kernel's, where 'fdbox put --pid'
#                 fails with ENOMEM for a large guest and nothing is lost).
#                 See README "Sizing KHO scratch".
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/out/demo
mkdir -p "$out"
die() { echo "demo: error: $*" >&2; exit 1; }

VM_MEM=${VM_MEM:-2G}
GUEST_MEM=${GUEST_MEM:-0}
GUEST_FILL=${GUEST_FILL:-0}
KHO_SCRATCH=${KHO_SCRATCH:-32M,192M,32M}
[ "$KHO_SCRATCH" = default ] && KHO_SCRATCH=
GUEST_TB=${GUEST_TB:-32}
for v in GUEST_MEM GUEST_FILL GUEST_TB; do
	[[ ${!v} =~ ^[0-9]+$ ]] || die "$v=${!v}: a number of MiB"
done

"$top/scripts/prepare-vm.sh"

# Hang detector only: nested TCG fills and checks about 10 MiB/s.
vm_mib=$(numfmt --from=iec "$VM_MEM")
vm_mib=$((vm_mib >> 20))
timeout=$((1800 + 3 * vm_mib))
echo "demo: test VM $VM_MEM, guest RAM $([ "$GUEST_MEM" = 0 ] && echo "72 % of MemTotal" || echo "$GUEST_MEM MiB"), kho_scratch=${KHO_SCRATCH:-default}" >&2

set +e
"$top/scripts/vmrun.sh" -m "$VM_MEM" -t "$timeout" -k 1 -l "$out/serial.log" \
	-a "fdbox.guest_mem=$GUEST_MEM fdbox.guest_fill=$GUEST_FILL fdbox.guest_tb=$GUEST_TB${KHO_SCRATCH:+ kho_scratch=$KHO_SCRATCH}" \
	fdbox-vmm
rc=$?
set -e
echo
echo "== FDBox demo: a running VM survives a host kexec =="
grep -a '^FDBOX-VMM:' "$out/serial.log" | sed 's/^FDBOX-VMM: /  /'
grep -a -E '^(ok|not ok) ' "$out/serial.log" | sed 's/^/  /'
echo "  serial log: $out/serial.log"
if [ $rc -eq 0 ]; then
	echo "demo: PASSED: the guest resumed after the kexec, same boot, same RAM, same physical pages"
else
	grep -a -A32 '^# guest console' "$out/serial.log" | tail -n 40 | sed 's/^/  /'
	echo "demo: FAILED (see the log)"
fi
exit $rc
