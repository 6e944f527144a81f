# Debian's Linux kernel beside teachos (docs/linux.md). Included by the top Makefile; paths are
# from the repository root.
#
#   $(BUILD)/linux/init        our init for Linux (user/linux/init.c), static with musl
#   $(BUILD)/linux/initrd.cpio teachos's initramfs.cpio (the same programs, byte for byte) with
#                              a second archive after it: the init, the virtio and ext4 modules
#                              from Debian's package, /dev/console (tools/linux-initramfs)
#
# `make linux` boots it in the QEMU machine `make run` uses, runs LINUX_RUN through the init and
# keeps the console in $(BUILD)/linux/console.log.

LINUX_DIR  ?= $(shell tools/install-deps --linux-dir)
comma      := ,
empty      :=
space      := $(empty) $(empty)
# Entries separated by commas, each a path and its arguments (teachos's utest= syntax).
LINUX_RUN  ?= $(subst $(space),$(comma),$(addprefix /bin/tests/,$(TEST_NAMES)))
LINUX_SMP  ?= $(SMP)

$(BUILD)/linux/init: user/linux/init.c | $(BUILD)/.deps-ok
	@mkdir -p $(dir $@)
	@echo "  MUSLCC  $@"
	@$(MUSLCC) $(USER_CFLAGS) -static -o $@ $<

$(BUILD)/linux/initrd.cpio: $(BUILD)/linux/init $(BUILD)/initramfs.cpio tools/linux-initramfs \
			    | $(BUILD)/.deps-ok
	@echo "  CPIO    $@ (Linux: init, modules)"
	@tools/linux-initramfs --linux $(LINUX_DIR) --init $(BUILD)/linux/init \
		--base $(BUILD)/initramfs.cpio --out $@

.PHONY: linux
linux: $(BUILD)/linux/initrd.cpio $(BUILD)/disk.img
	@tools/linux-run --build $(BUILD) --smp $(LINUX_SMP) --mem $(MEM) --accel $(ACCEL) \
		'$(LINUX_RUN)'

# `make compare`: the seeds' benchmark programs (docs/userbench.md) on teachos and on Linux, at
# each CPU count in COMPARE_SMP, boots alternating, COMPARE_REPEAT times; tables with Linux
# beside us, $(BUILD)/compare/results.csv and an SVG per benchmark (tools/compare).
COMPARE_SMP    ?= 1 2
COMPARE_REPEAT ?= 1
.PHONY: compare
compare: all $(BUILD)/linux/initrd.cpio
	@tools/compare --build $(BUILD) --smp "$(COMPARE_SMP)" --repeat $(COMPARE_REPEAT) \
		--mem $(MEM) --accel $(ACCEL)
