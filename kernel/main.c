/*
 * kmain: the order in which the kernel comes up. boot/entry.asm calls it on the boot stack, in
 * 64-bit mode, with the boot page tables (identity + direct map of the first 4 GiB + the image
 * at -2 GiB) and interrupts off.
 */
#include "kernel/main.h"
#include "kernel/random.h"
#include "kernel/time.h"
#include "kernel/syscall.h"
#include "kernel/entry.h"
#include "kernel/process.h"
#include "kernel/utest.h"
#include "kernel/printk.h"
#include "kernel/panic.h"
#include "kernel/cmdline.h"
#include "kernel/multiboot2.h"
#include "kernel/ktest.h"
#include "kernel/shell.h"
#include "kernel/bench/bench.h"
#include "mm/init.h"
#include "fs/init.h"
#include "fs/initramfs.h"
#include "drivers/pci.h"
#include "drivers/tty/tty.h"
#include "drivers/virtio_blk.h"
#include "kernel/trap.h"
#include "kernel/percpu.h"
#include "kernel/smp.h"
#include "kernel/console_input.h"
#include "kernel/sched/sched.h"
#include "kernel/rcu/rcu.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/serial.h"
#include "arch/x86_64/tsc.h"
#include "arch/x86_64/qemu_exit.h"
#include "lib/string.h"

uint64_t boot_tsc; /* TSC when kmain started */

static void apply_cmdline(void)
{
	const char *v;

	if ((v = cmdline_get("loglevel")) && v[0] >= '0' && v[0] <= '7' && !v[1])
		console_loglevel = v[0] - '0';
	v = cmdline_get("panic");
	if (cmdline_has("ktest") || cmdline_has("bench") || cmdline_has("utest") || (v && strcmp(v, "exit") == 0))
		panic_exits_qemu = 1;
}

/* Runs the suites named by ktest= and ends QEMU with the verdict. */
static __noreturn void run_boot_tests(const char *filter)
{
	struct ktest_totals tot = ktest_run(*filter ? filter : "all");
	kprintf("ktest: %u passed, %u failed, %u skipped\n", tot.passed, tot.failed, tot.skipped);
	qemu_exit(tot.failed ? QEMU_EXIT_FAIL : QEMU_EXIT_PASS);
	halt_forever();
}

/* Runs the user test programs named by utest= (kernel/utest.h) and ends QEMU. */
static __noreturn void run_boot_user_tests(const char *list)
{
	unsigned int bad = utest_run(list);

	qemu_exit(bad ? QEMU_EXIT_FAIL : QEMU_EXIT_PASS);
	halt_forever();
}

/* Runs the benchmarks named by bench= (docs/bench.md) and ends QEMU. */
static __noreturn void run_boot_benchmarks(const char *list)
{
	unsigned long long seconds = 1, repeat = 1;
	const char *v = cmdline_get("bench_seconds");
	const char *r = cmdline_get("bench_repeat");
	int err;

	if (v && (parse_u64(v, &seconds, 10, 0) || seconds == 0)) {
		pr_warn("bench_seconds=%s is not a positive number; using 1\n", v);
		seconds = 1;
	}
	if (r && (parse_u64(r, &repeat, 10, 0) || repeat == 0 || repeat > BENCH_MAX_REPEAT)) {
		pr_warn("bench_repeat=%s is not 1 to %d; using 1\n", r, BENCH_MAX_REPEAT);
		repeat = 1;
	}
	err = bench_run_list(*list ? list : "all", (unsigned int)seconds, (unsigned int)repeat);
	kprintf("bench: %s\n", err ? "failed" : "done");
	qemu_exit(err ? QEMU_EXIT_FAIL : QEMU_EXIT_PASS);
	halt_forever();
}

void kmain(uint32_t mbi_phys)
{
	const char *tests;
	uint64_t init_ns;

	boot_tsc = rdtsc();
	percpu_init_boot_cpu();
	serial_init();
	trap_init();
	tsc_calibrate();
	timekeeping_init(); /* the RTC's wall time, anchored to the TSC */
	random_init();
	multiboot2_parse(mbi_phys);
	cmdline_init(boot_info.cmdline);
	apply_cmdline();
	mm_init();
	sched_init();
	syscall_init();
	entry_init();
	smp_init();
	console_input_init();
	rcu_init();
	process_init();
	local_irq_enable();
	vfs_init();
	initramfs_init();
	console_dev_init();
	pci_init();
	virtio_blk_init();
	pr_info("teachos: x86_64 teaching kernel, booted by %s\n",
		boot_info.loader_name ? boot_info.loader_name : "an unnamed loader");
	pr_info("cmdline: %s\n", cmdline_raw());
	pr_info("tsc: %llu kHz\n", (unsigned long long)tsc_khz);

	init_ns = tsc_to_ns(rdtsc() - boot_tsc);
	pr_info("boot: kernel init took %llu.%03llu ms (firmware and GRUB before it: %llu ms)\n",
		(unsigned long long)(init_ns / 1000000), (unsigned long long)(init_ns / 1000 % 1000),
		(unsigned long long)(tsc_to_ns(boot_tsc) / 1000000));

	tests = cmdline_get("ktest");
	if (tests)
		run_boot_tests(tests);
	if (cmdline_get("bench"))
		run_boot_benchmarks(cmdline_get("bench"));
	if (cmdline_get("utest"))
		run_boot_user_tests(cmdline_get("utest"));
	shell_run();
}
