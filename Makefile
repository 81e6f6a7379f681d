# FDBox workspace. See README.md.
SHELL := /bin/bash
S := scripts

# KERNEL=debug: the same targets on the debug kernel (config/fdbox-debug.config:
# KASAN, lockdep, kmemleak, fault injection, KUnit), e.g.
#   make vm KERNEL=debug SCENARIO=fdbox-kunit
ifeq ($(KERNEL),debug)
export KERNEL
export KBUILD := $(CURDIR)/build/kernel-debug
export INITRD := $(CURDIR)/build/initramfs-debug.cpio
else ifneq ($(KERNEL),)
$(error KERNEL=$(KERNEL): use KERNEL=debug, or nothing for the normal kernel)
endif

.PHONY: help deps fetch tree export kernel tests initramfs vm check demo demo-data bench bench-vm bench-scale bench-micro clean

help:
	@sed -n 's/^## //p' README.md | head -n 40

deps:
	@$(S)/deps.sh

fetch: deps
	@$(S)/fetch-base.sh

# Create ./linux: base + patches/ (FORCE=1 recreates an existing tree).
tree: deps
	@$(S)/tree.sh $(if $(FORCE),--force)

linux/.git:
	@$(S)/deps.sh && $(S)/tree.sh

# Write ./linux's commits back to patches/.
export:
	@$(S)/export.sh

kernel: linux/.git
	@$(S)/build-kernel.sh

tests: kernel
	@$(S)/build-tests.sh

initramfs: tests
	@$(S)/mkinitramfs.sh $(or $(INITRD),build/initramfs.cpio)

# make vm SCENARIO=name [VMOPTS="-m 4G"]: run one scenario on the dev tree.
vm: initramfs
	@$(S)/vmrun.sh $(VMOPTS) $(SCENARIO)

# Everything, on exactly what patches/ holds (its own tree in build/check).
check:
	@$(S)/check.sh

# A running QEMU guest survives a host kexec (GUEST_MEM, VM_MEM: see scripts/demo.sh).
demo:
	@$(S)/demo.sh

# A memfd of data survives a kexec, compared byte for byte (SIZE, DATA).
demo-data:
	@$(S)/demo-data.sh

bench:
	@$(S)/bench.sh

# The VM flow of make demo against LUO and against saving the VM to disk.
bench-vm:
	@$(S)/bench-vm.sh

# Files and boxes by the thousand: cost per file, FDBox against LUO.
bench-scale:
	@$(S)/bench-scale.sh

# Each ioctl of one preservation on its own, many repetitions, FDBox against LUO.
bench-micro:
	@$(S)/bench-micro.sh

clean:
	rm -rf build out
