# User programs and the initramfs that carries them (docs/initramfs.md). Included by the top
# Makefile; paths are from the repository root.
#
# Every user/*.c and user/tests/*.c is one program, built two ways (glibc: the tests and
# GLIBC_NAMES):
#   $(BUILD)/user/bin/NAME      static, with musl (musl-gcc): the binaries the kernel gets
#   $(BUILD)/user/bin/hello-pie hello as a static PIE, with musl
#   $(BUILD)/user/glibc/NAME    static, with glibc (gcc -static): the same source, a second libc
#   $(BUILD)/user/glibc/hello-pie hello as a static PIE, with glibc
# The test programs (user/tests/, TAP on stdout) go to a tests/ folder beside them:
# /bin/tests/NAME and /bin/glibc/tests/NAME; the runner runs both (docs/testing.md).
# They are Linux x86_64 binaries: each one runs on this host as well.

MUSLCC      := musl-gcc
USER_CFLAGS := -std=gnu11 -O2 -Wall -Wextra -Werror -I. -MMD -MP
USER_NAMES  := $(notdir $(basename $(wildcard user/*.c)))
TEST_NAMES  := $(notdir $(basename $(wildcard user/tests/*.c)))
# The programs whose glibc build goes in /bin/glibc beside every test's: a static glibc program
# is about 800 KiB (musl's: 30 to 90), and the root tmpfs of make test's -m 64M boot must hold
# the whole archive. The others are built with glibc on request (make BUILD/user/glibc/NAME).
GLIBC_NAMES := hello crash ubench
USER_MUSL   := $(addprefix $(BUILD)/user/bin/,$(USER_NAMES)) $(BUILD)/user/bin/hello-pie
USER_GLIBC  := $(addprefix $(BUILD)/user/glibc/,$(GLIBC_NAMES)) $(BUILD)/user/glibc/hello-pie
TEST_MUSL   := $(addprefix $(BUILD)/user/bin/tests/,$(TEST_NAMES))
TEST_GLIBC  := $(addprefix $(BUILD)/user/glibc/tests/,$(TEST_NAMES))

$(BUILD)/user/bin/%: user/%.c | $(BUILD)/.deps-ok
	@mkdir -p $(dir $@)
	@echo "  MUSLCC  $@"
	@$(MUSLCC) $(USER_CFLAGS) -static -o $@ $<

$(BUILD)/user/bin/tests/%: user/tests/%.c user/tap.h | $(BUILD)/.deps-ok
	@mkdir -p $(dir $@)
	@echo "  MUSLCC  $@"
	@$(MUSLCC) $(USER_CFLAGS) -static -o $@ $<

$(BUILD)/user/glibc/%: user/%.c | $(BUILD)/.deps-ok
	@mkdir -p $(dir $@)
	@echo "  GLIBCC  $@"
	@$(HOSTCC) $(USER_CFLAGS) -static -o $@ $<

$(BUILD)/user/glibc/tests/%: user/tests/%.c user/tap.h | $(BUILD)/.deps-ok
	@mkdir -p $(dir $@)
	@echo "  GLIBCC  $@"
	@$(HOSTCC) $(USER_CFLAGS) -static -o $@ $<

# A static PIE: one file, no interpreter, that relocates itself at start (musl's rcrt1.o does
# it) wherever the kernel loads it. Debian's musl-gcc cannot make one by itself: its specs
# file always passes -dynamic-linker and starts programs with Scrt1.o, so `musl-gcc
# -static-pie` gives a PIE that asks for /lib/ld-musl-x86_64.so.1. We name the start files
# and the libraries ourselves, in the order the linker needs them.
MUSL_LIBDIR := /usr/lib/x86_64-linux-musl
$(BUILD)/user/bin/hello-pie: user/hello.c | $(BUILD)/.deps-ok
	@mkdir -p $(dir $@)
	@echo "  MUSLCC  $@ (static PIE)"
	@$(MUSLCC) $(USER_CFLAGS) -fPIE -static-pie -nostdlib -o $@ \
		$(MUSL_LIBDIR)/rcrt1.o $(MUSL_LIBDIR)/crti.o $(shell $(MUSLCC) -print-file-name=crtbeginS.o) \
		$< -Wl,-Bstatic,--no-dynamic-linker,-z,text -Wl,--start-group -lgcc -lgcc_eh -lc -Wl,--end-group \
		$(shell $(MUSLCC) -print-file-name=crtendS.o) $(MUSL_LIBDIR)/crtn.o

# glibc's static PIE: gcc does it by itself (rcrt1.o, the self-relocation in libc.a).
$(BUILD)/user/glibc/hello-pie: user/hello.c | $(BUILD)/.deps-ok
	@mkdir -p $(dir $@)
	@echo "  GLIBCC  $@ (static PIE)"
	@$(HOSTCC) $(USER_CFLAGS) -fPIE -static-pie -o $@ $<

# The initramfs: a cpio "newc" archive of /bin (the musl builds) and /bin/glibc, owned by root,
# 0755, every time stamp 0, so that the same programs give the same bytes (and the same ISO).
INITRAMFS_ROOT := $(BUILD)/initramfs.root
$(BUILD)/initramfs.cpio: $(USER_MUSL) $(USER_GLIBC) $(TEST_MUSL) $(TEST_GLIBC) user/user.mk
	@echo "  CPIO    $@"
	@rm -rf $(INITRAMFS_ROOT)
	@mkdir -p $(INITRAMFS_ROOT)/bin/tests $(INITRAMFS_ROOT)/bin/glibc/tests
	@cp $(USER_MUSL) $(INITRAMFS_ROOT)/bin/
	@cp $(USER_GLIBC) $(INITRAMFS_ROOT)/bin/glibc/
	@cp $(TEST_MUSL) $(INITRAMFS_ROOT)/bin/tests/
	@cp $(TEST_GLIBC) $(INITRAMFS_ROOT)/bin/glibc/tests/
	@chmod -R 0755 $(INITRAMFS_ROOT)
	@find $(INITRAMFS_ROOT) -exec touch -h -d @0 {} +
	@cd $(INITRAMFS_ROOT) && find bin | LC_ALL=C sort | \
		cpio -o -H newc --reproducible -R 0:0 --quiet > $(abspath $@).tmp
	@mv $@.tmp $@

.PHONY: user
user: $(USER_MUSL) $(USER_GLIBC) $(TEST_MUSL) $(TEST_GLIBC) $(BUILD)/initramfs.cpio
