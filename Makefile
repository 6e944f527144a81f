# teachos: build the kernel ELF and a GRUB ISO, run it in QEMU, test it, debug it.
# `make help` lists the targets and the variables that change them.

BUILD   ?= build
CC      ?= gcc
ifeq ($(origin CC),default)
CC      := gcc
endif
HOSTCC  ?= gcc
LD      := ld
NASM    := nasm
SMP     ?= 4
MEM     ?= 256M
ACCEL   ?= tcg
CMDLINE ?=
GDBPORT ?= 1234
# The virtio-blk disk `make run` attaches (vda); DISK= boots without one.
DISK    ?= $(BUILD)/disk.img

# --- flags -------------------------------------------------------------------------------------
CFLAGS := -std=gnu11 -ffreestanding -fno-pie -mno-red-zone -mcmodel=kernel -mgeneral-regs-only \
	  -fno-omit-frame-pointer -fno-optimize-sibling-calls -g -O2 -Wall -Wextra -Werror -fno-strict-aliasing \
	  -fstack-protector-strong -mstack-protector-guard=global -fno-asynchronous-unwind-tables \
	  -I. -MMD -MP
ifneq ($(findstring clang,$(CC)),)
CFLAGS += --target=x86_64-pc-none-elf -Wno-unused-command-line-argument
endif
LDFLAGS := -n -nostdlib -z max-page-size=0x1000 -z noexecstack -T linker.ld
NASMFLAGS := -f elf64 -g -F dwarf -I.

# Host unit tests: lib/ and the allocators' pure logic, built for Linux with sanitizers.
HOSTCFLAGS := -std=gnu11 -g -O1 -Wall -Wextra -Werror -I. -DHOST_TEST \
	      -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
# lib/ defines memcpy, strlen, snprintf... under the C library's names. On the host each of them is
# renamed in every file (memcpy becomes lib_memcpy), so the tests call lib/'s code while the C
# library and the sanitizers keep their own. -fno-builtin stops gcc from folding strlen("abc")
# at compile time; without fortify, <stdio.h> does not wrap snprintf in inline functions.
HOST_RENAMED := memset memcpy memmove memcmp memchr strlen strnlen strcmp strncmp strchr strrchr \
		strlcpy strlcat vsnprintf snprintf
HOSTCFLAGS += -fno-builtin -U_FORTIFY_SOURCE $(foreach f,$(HOST_RENAMED),-D$(f)=lib_$(f))

# --- sources -----------------------------------------------------------------------------------
# Every .c file under the layers' folders (docs/layers.md) and the in-kernel tests.
KERNEL_DIRS := lib arch/x86_64 kernel mm block fs drivers tests/ktest
C_SRCS   := $(sort $(shell find $(KERNEL_DIRS) -name '*.c'))
ASM_SRCS := $(wildcard boot/*.asm arch/x86_64/*.asm)
OBJS     := $(patsubst %.c,$(BUILD)/obj/%.o,$(C_SRCS)) $(patsubst %.asm,$(BUILD)/obj/%.o,$(ASM_SRCS))

HOST_TEST_SRCS := $(wildcard tests/host/test_*.c)
HOST_TESTS     := $(patsubst tests/host/%.c,$(BUILD)/host/%,$(HOST_TEST_SRCS))
HOST_LIB_SRCS  := $(wildcard lib/*.c) tests/host/tap.c

# --- QEMU --------------------------------------------------------------------------------------
# Under nested KVM, QEMU 7.2 cannot set the host's IA32_ARCH_CAPABILITIES MSR (0x10a) and
# aborts at start; the kernel never reads that MSR, so the CPU model goes without it.
ifeq ($(ACCEL),kvm)
ACCEL_OPT := -accel kvm -cpu host,-arch-capabilities
else
ACCEL_OPT := -accel tcg,thread=multi
endif
QEMU_FLAGS := $(ACCEL_OPT) -smp $(SMP) -m $(MEM) -boot d -cdrom $(BUILD)/kernel.iso \
	      -display none -device isa-debug-exit,iobase=0xf4,iosize=0x04
ifneq ($(DISK),)
QEMU_FLAGS += -drive file=$(DISK),format=raw,if=none,id=d0 -device virtio-blk-pci,drive=d0
endif

.PHONY: all run test debug gdb clean help deps host-test check-layers check sparse-flags compile_commands.json
all: $(BUILD)/kernel.elf $(BUILD)/kernel.iso $(BUILD)/disk.img $(BUILD)/disk4k.img

# --- dependencies (Debian packages, through the project's installer) --------------------------
$(BUILD)/.deps-ok: tools/install-deps
	@mkdir -p $(BUILD)
	@tools/install-deps
	@touch $@
deps: $(BUILD)/.deps-ok

# --- kernel ------------------------------------------------------------------------------------
$(BUILD)/obj/%.o: %.c | $(BUILD)/.deps-ok
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/obj/%.o: %.asm | $(BUILD)/.deps-ok
	@mkdir -p $(dir $@)
	@echo "  NASM    $<"
	@$(NASM) $(NASMFLAGS) -MD $(@:.o=.d) -MP $< -o $@

# Two links: the first with an empty symbol table, the second with the table generated from the
# first. The table lives after all code (see linker.ld), so no function moves between the links;
# the build checks that.
$(BUILD)/kernel.elf: $(OBJS) linker.ld tools/gen-ksyms
	@echo "  LD      $@"
	@tools/gen-ksyms > $(BUILD)/ksyms0.c
	@$(CC) $(CFLAGS) -c $(BUILD)/ksyms0.c -o $(BUILD)/ksyms0.o
	@$(LD) $(LDFLAGS) -o $(BUILD)/kernel.pass1.elf $(OBJS) $(BUILD)/ksyms0.o
	@tools/gen-ksyms $(BUILD)/kernel.pass1.elf > $(BUILD)/ksyms.c
	@$(CC) $(CFLAGS) -c $(BUILD)/ksyms.c -o $(BUILD)/ksyms.o
	@$(LD) $(LDFLAGS) -o $@ $(OBJS) $(BUILD)/ksyms.o
	@tools/gen-ksyms $@ | cmp -s - $(BUILD)/ksyms.c || \
		{ echo "ksyms: text moved between the two links (see linker.ld)"; rm -f $@; exit 1; }
	@grub-file --is-x86-multiboot2 $@ || { echo "$@: no multiboot2 header"; rm -f $@; exit 1; }

# The command line is baked into the ISO's grub.cfg: a stamp file that changes only when CMDLINE
# does makes the ISO follow it.
$(BUILD)/cmdline.stamp: FORCE
	@mkdir -p $(BUILD)
	@echo '$(CMDLINE)' | cmp -s - $@ || echo '$(CMDLINE)' > $@

# GRUB loads the initramfs (user/user.mk) beside the kernel as a multiboot2 module.
$(BUILD)/kernel.iso: $(BUILD)/kernel.elf boot/grub.cfg tools/mkiso $(BUILD)/cmdline.stamp \
		     $(BUILD)/initramfs.cpio
	@echo "  ISO     $@"
	@tools/mkiso $(BUILD)/kernel.elf $@ "$(CMDLINE)" $(BUILD)/initramfs.cpio

# --- user programs and the initramfs (docs/initramfs.md) ---------------------------------------
include user/user.mk
include user/linux/linux.mk

# --- the disk image (docs/block.md) ------------------------------------------------------------
# An ext2 file system of DISK_FS_MB made from the files in disk/ and the musl user programs in
# /bin, in an image of DISK_MB: the block tests write to the last MiB, which the file system
# does not use. Rebuilt (and so emptied of what the kernel wrote) only when disk/ or a user
# program changes.
DISK_MB    := 32
DISK_FS_MB := 31
DISK_ROOT  := $(BUILD)/disk.root
MKE2FS     := $(shell PATH="$$PATH:/sbin:/usr/sbin" command -v mke2fs)
$(BUILD)/disk.img: $(wildcard disk/*) $(USER_MUSL) | $(BUILD)/.deps-ok
	@echo "  MKE2FS  $@"
	@rm -rf $@.tmp $(DISK_ROOT)
	@mkdir -p $(DISK_ROOT)/bin
	@cp -R disk/. $(DISK_ROOT)/
	@cp $(USER_MUSL) $(DISK_ROOT)/bin/
	@truncate -s $(DISK_MB)M $@.tmp
	@$(or $(MKE2FS),mke2fs) -q -F -t ext2 -L teachos -d $(DISK_ROOT) $@.tmp $(DISK_FS_MB)M
	@mv $@.tmp $@

# A second, small ext2 with 4 KiB blocks (2 MiB, 64 inodes): the test runner attaches it as vdb
# for the ext2 suite's 4 KiB-block and ENOSPC cases.
$(BUILD)/disk4k.img: | $(BUILD)/.deps-ok
	@echo "  MKE2FS  $@"
	@rm -f $@.tmp
	@$(or $(MKE2FS),mke2fs) -q -F -t ext2 -b 4096 -N 64 -L teachos4k $@.tmp 2M
	@mv $@.tmp $@

# --- run, debug --------------------------------------------------------------------------------
# The serial port is the console (Ctrl-A X leaves QEMU, Ctrl-A C its monitor). `poweroff` ends
# QEMU with status 0.
run: all $(DISK)
	@echo "Booting with -smp $(SMP) -m $(MEM) ($(ACCEL)). Ctrl-A X quits QEMU."
	@qemu-system-x86_64 $(QEMU_FLAGS) -serial mon:stdio; st=$$?; \
		[ $$st -le 1 ] || { echo "QEMU exited with status $$st"; exit $$st; }

debug: all $(DISK)
	@echo "QEMU is paused with its gdb stub on port $(GDBPORT). In another terminal: make gdb"
	@qemu-system-x86_64 $(QEMU_FLAGS) -serial mon:stdio -gdb tcp::$(GDBPORT) -S

gdb: $(BUILD)/kernel.elf
	@gdb -q -ex "set \$$gdbport = $(GDBPORT)" -x tools/gdb/kernel.gdb $(BUILD)/kernel.elf

# --- tests -------------------------------------------------------------------------------------
$(BUILD)/host/%: tests/host/%.c $(HOST_LIB_SRCS) | $(BUILD)/.deps-ok
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	@$(HOSTCC) $(HOSTCFLAGS) -MMD -MP -o $@ $< $(HOST_LIB_SRCS)

host-test: $(HOST_TESTS)

check-layers:
	@tools/check-layers

# --- sparse (docs/testing.md, "make check") ------------------------------------------------------
# sparse reads every kernel C file with those of the kernel's flags it knows (language, -O,
# includes) and defines __CHECKER__, which turns on lib/compiler.h's address spaces (__user,
# __rcu, __force). One job per file, so make -j2 runs two at a time; any warning fails the file
# and so the target. -Wsparse-error makes a warning an
# error (exit status 1). Beyond Linux's `make C=1`: -Wcast-to-as and -Wcast-from-as report a cast
# that adds an address space to a pointer or turns a __user pointer into a number, so every
# crossing is a visible __force.
SPARSE      := sparse
SPARSEFLAGS := -m64 -D__x86_64__ $(filter -std=% -O% -I% -D%,$(CFLAGS)) -Wsparse-error -Wbitwise \
	       -Wcast-to-as -Wcast-from-as
SPARSE_RUNS := $(patsubst %.c,$(BUILD)/sparse/%.c,$(C_SRCS))

check: $(SPARSE_RUNS)
	@echo "  SPARSE  $(words $(SPARSE_RUNS)) files, no warnings"

# For tests/host/test_sparse_check.py: the flags, on one line.
sparse-flags:
	@echo $(SPARSEFLAGS)

# Always run (FORCE): sparse keeps no dependency files, and a header change reaches many files.
$(BUILD)/sparse/%.c: %.c FORCE | $(BUILD)/.deps-ok
	@echo "  CHECK   $<"
	@$(SPARSE) $(SPARSEFLAGS) $<

# The runner (docs/testing.md) ends with "N passed, N failed" and fails on any failure.
test: all host-test check $(BUILD)/linux/initrd.cpio
	@python3 tests/run-tests --build $(BUILD) --accel $(ACCEL)

# --- benchmarks (docs/bench.md) ----------------------------------------------------------------
# `make bench` boots once per CPU count in BENCH_SMP with bench=BENCH on the kernel command line,
# keeps each console in $(BUILD)/bench/smpN.log, then tools/bench-report writes results.csv, the
# ratio tables and an SVG per benchmark there. The host has few cores: under TCG, results above
# that many CPUs measure QEMU, not the kernel.
BENCH         ?= all
BENCH_SECONDS ?= 1
BENCH_REPEAT  ?= 1
BENCH_SMP     ?= 2 4
BENCH_CMDLINE := bench=$(BENCH) bench_seconds=$(BENCH_SECONDS) bench_repeat=$(BENCH_REPEAT)
BENCH_LOGS    := $(foreach n,$(BENCH_SMP),$(BUILD)/bench/smp$(n).log)
.PHONY: bench

$(BUILD)/bench/cmdline.stamp: FORCE
	@mkdir -p $(dir $@)
	@echo '$(BENCH_CMDLINE)' | cmp -s - $@ || echo '$(BENCH_CMDLINE)' > $@

$(BUILD)/bench/kernel.iso: $(BUILD)/kernel.elf boot/grub.cfg tools/mkiso $(BUILD)/bench/cmdline.stamp \
			   $(BUILD)/initramfs.cpio
	@echo "  ISO     $@ ($(BENCH_CMDLINE))"
	@tools/mkiso $(BUILD)/kernel.elf $@ "$(BENCH_CMDLINE)" $(BUILD)/initramfs.cpio

# Both steps run even when a boot failed (the report shows what did finish); either failing
# fails the target.
bench: $(BUILD)/bench/kernel.iso $(BUILD)/disk.img
	@st=0; tools/bench-run --iso $< --out $(BUILD)/bench --smp "$(BENCH_SMP)" --mem $(MEM) \
		--disk $(BUILD)/disk.img \
		--accel $(ACCEL) --seconds $(BENCH_SECONDS) --repeat $(BENCH_REPEAT) || st=1; \
	tools/bench-report --out $(BUILD)/bench $(BENCH_LOGS) || st=1; exit $$st

# The report's own test runs with the host unit tests (tests/run-tests runs $(BUILD)/host/test_*).
# So do the layer checker's (tests/host/test_check_layers.py) and the check of the system-call
# numbers against the host's Linux headers (tests/host/test_syscall_numbers.py), and the check
# that `make check` reports each way of breaking the address-space rules (test_sparse_check.py).
host-test: $(BUILD)/host/test_bench_report $(BUILD)/host/test_check_layers \
	   $(BUILD)/host/test_syscall_numbers $(BUILD)/host/test_sparse_check \
	   $(BUILD)/host/test_compare $(BUILD)/host/test_utap_linux
$(BUILD)/host/test_%: tests/host/test_%.py
	@mkdir -p $(dir $@)
	@ln -sf $(abspath $<) $@

clean:
	rm -rf $(BUILD) compile_commands.json

compile_commands.json:
	bear --output $@ -- $(MAKE) -B all host-test

help:
	@echo "Targets:"
	@echo "  make run       build, then boot in QEMU with the serial console on this terminal"
	@echo "  make test      host unit tests, in-kernel KTAP suites in QEMU, gdb and shell checks"
	@echo "  make check     run sparse over every kernel C file (__user, __rcu); fails on a warning"
	@echo "  make debug     boot paused with a gdb stub (then 'make gdb' in a second terminal)"
	@echo "  make gdb       attach gdb with the kernel's symbols and tools/gdb/kernel.gdb"
	@echo "  make bench     run the benchmarks at each -smp in BENCH_SMP; CSV, ratios, SVG plots"
	@echo "  make all       build $(BUILD)/kernel.elf and $(BUILD)/kernel.iso"
	@echo "  make user      build the user programs and $(BUILD)/initramfs.cpio"
	@echo "  make linux     boot Debian's Linux in the same QEMU and run LINUX_RUN there (the"
	@echo "                 user tests by default); console in $(BUILD)/linux/console.log"
	@echo "  make compare   the seeds' benchmark programs on teachos and on Linux at each"
	@echo "                 COMPARE_SMP; tables, $(BUILD)/compare/results.csv, SVG plots"
	@echo "  make compile_commands.json   for clangd and other tools (uses bear)"
	@echo "  make clean     remove $(BUILD)"
	@echo "Variables: SMP=$(SMP) MEM=$(MEM) ACCEL=$(ACCEL) (or kvm) CMDLINE='$(CMDLINE)'"
	@echo "           DISK=$(DISK) (the virtio-blk disk vda; DISK= for none)"
	@echo "           CC=$(CC) (clang works too) BUILD=$(BUILD) GDBPORT=$(GDBPORT)"
	@echo "           LINUX_RUN='/bin/tests/proc_test,/bin/hello a b' LINUX_SMP=$(LINUX_SMP)"
	@echo "           COMPARE_SMP='$(COMPARE_SMP)' COMPARE_REPEAT=$(COMPARE_REPEAT)"
	@echo "           BENCH=$(BENCH) BENCH_SMP='$(BENCH_SMP)' BENCH_SECONDS=$(BENCH_SECONDS)"

FORCE:

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
