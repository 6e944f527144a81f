/*
 * The shell's "panic" command: stops the kernel on purpose, to show the panic screen.
 *   panic             panic() with a message that says it was asked for
 *   panic MESSAGE...  the same, with your message
 *   panic fault       read an address nothing maps: the decoded #PF screen
 *   panic overflow    recurse until the stack runs into its guard page: the #DF screen
 *   panic sleep       sleep with preemption disabled: might_sleep()'s "atomic context" panic
 *   panic deadlock    take a spinlock this CPU already holds: the self-deadlock panic
 *   panic mutex       lock a mutex this thread already owns: the mutex self-deadlock panic
 */
#include "kernel/shell.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "kernel/extable.h"
#include "kernel/fault_catch.h"
#include "kernel/locking/spinlock.h"
#include "kernel/locking/mutex.h"
#include "kernel/sched/sleep.h"
#include "kernel/preempt.h"
#include "arch/x86_64/memlayout.h"
#include "lib/string.h"

#define GUARD_SEARCH_PAGES 16 /* larger than any kernel stack */

static __noinline void read_unmapped_address(void)
{
	uint64_t v = READ_ONCE(*(volatile uint64_t *)FAULT_DEMO_ADDR);

	/* Not reached: the read faults and the kernel panics. */
	pr_info("read %llx\n", (unsigned long long)v);
}

static volatile int stop_recursion;

/* Each call takes a page of stack; the array and the add after the call keep it so. */
static __noinline int eat_stack(int depth)
{
	volatile char frame[4000];

	frame[0] = (char)depth;
	if (stop_recursion)
		return 0;
	return eat_stack(depth + 1) + frame[0];
}

/*
 * The first unmapped page below the current stack, or 0 if there is none close enough: then
 * the stack has no guard page and an overflow would silently overwrite whatever lies below.
 */
static uint64_t guard_page_below_stack(void)
{
	uint64_t page = ALIGN_DOWN((uint64_t)__builtin_frame_address(0), PAGE_SIZE);

	for (int i = 0; i < GUARD_SEARCH_PAGES; i++) {
		uint64_t v;
		page -= PAGE_SIZE;
		if (probe_read_u64((void *)page, &v) != 0)
			return page;
	}
	return 0;
}

static int overflow_stack(void)
{
	uint64_t guard = guard_page_below_stack();

	if (!guard) {
		kprintf("panic overflow: no unmapped guard page below this stack (the boot page "
			"tables map it); an overflow would corrupt memory, so not doing it\n");
		return -1;
	}
	pr_info("panic overflow: recursing into the guard page at 0x%llx\n",
		(unsigned long long)guard);
	return eat_stack(0);
}

/* The scheduler's and the locks' own checks, each broken on purpose. */
static void break_a_lock_rule(const char *how)
{
	static DEFINE_SPINLOCK(demo_lock);
	static DEFINE_MUTEX(demo_mutex);

	if (strcmp(how, "sleep") == 0) {
		preempt_disable();
		msleep(1);
	} else if (strcmp(how, "deadlock") == 0) {
		spin_lock(&demo_lock);
		spin_lock(&demo_lock);
	} else if (strcmp(how, "mutex") == 0) {
		mutex_lock(&demo_mutex);
		mutex_lock(&demo_mutex);
	}
}

static int cmd_panic(int argc, char **argv)
{
	char msg[200] = "";

	if (argc == 1)
		panic("requested by the shell's 'panic' command");
	if (argc == 2 && strcmp(argv[1], "fault") == 0) {
		pr_info("panic fault: reading 0x%llx, which nothing maps\n",
			(unsigned long long)FAULT_DEMO_ADDR);
		read_unmapped_address();
	}
	if (argc == 2 && strcmp(argv[1], "overflow") == 0)
		return overflow_stack();
	if (argc == 2 && (strcmp(argv[1], "sleep") == 0 || strcmp(argv[1], "deadlock") == 0 ||
			  strcmp(argv[1], "mutex") == 0))
		break_a_lock_rule(argv[1]);
	for (int i = 1; i < argc; i++) {
		if (i > 1)
			strlcat(msg, " ", sizeof(msg));
		strlcat(msg, argv[i], sizeof(msg));
	}
	panic("requested from the shell: %s", msg);
}
SHELL_COMMAND("panic", "[fault | overflow | sleep | deadlock | mutex | MESSAGE...]",
	      "stop the kernel with the panic screen, on purpose", cmd_panic);
