/*
 * The panic screen: what went wrong, in words, then the registers and a symbolised backtrace
 * (docs/panic.md shows one and explains how to read it). Everything here must work on a
 * broken kernel: nothing allocates, the backtrace reads memory only through probes, and a
 * panic inside the panic stops at once.
 */
#include "kernel/panic.h"
#include "kernel/percpu.h"
#include "kernel/smp_stop.h"
#include "kernel/printk.h"
#include "kernel/sched/sched.h"
#include "kernel/ksyms.h"
#include "kernel/stacktrace.h"
#include "kernel/trap.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/qemu_exit.h"
#include "lib/printf.h"

#define MAX_FRAMES 32

int panic_exits_qemu;
static int panic_cpu = -1; /* the CPU that panicked first */

static void print_trace(const struct stack_entry *trace, unsigned n)
{
	pr_emerg("Backtrace:\n");
	for (unsigned i = 0; i < n; i++) {
		uint64_t off;
		const char *name = stack_entry_symbol(&trace[i], &off);
		int v = trace[i].trap_vector;

		if (v >= 0)
			pr_emerg("  --- interrupted by %s %s (vector %d) ---\n", trap_name(v),
				 trap_mnemonic(v), v);
		if (name)
			pr_emerg("  [<%016llx>] %s+0x%llx\n", (unsigned long long)trace[i].addr,
				 name, (unsigned long long)off);
		else
			pr_emerg("  [<%016llx>] ?\n", (unsigned long long)trace[i].addr);
	}
	if (n == MAX_FRAMES)
		pr_emerg("  ... (more frames not shown)\n");
}

void dump_backtrace(uint64_t rip, uint64_t rbp)
{
	struct stack_entry trace[MAX_FRAMES];

	print_trace(trace, stack_trace_save(rip, rbp, trace, MAX_FRAMES));
}

void dump_backtrace_frame(const struct trap_frame *f)
{
	struct stack_entry trace[MAX_FRAMES];

	print_trace(trace, stack_trace_save_trap(f, trace, MAX_FRAMES));
}

void dump_registers(const struct trap_frame *f)
{
	pr_emerg("RIP: %016llx RSP: %016llx RFLAGS: %08llx\n", (unsigned long long)f->rip,
		 (unsigned long long)f->rsp, (unsigned long long)f->rflags);
	pr_emerg("RAX: %016llx RBX: %016llx RCX: %016llx\n", (unsigned long long)f->rax,
		 (unsigned long long)f->rbx, (unsigned long long)f->rcx);
	pr_emerg("RDX: %016llx RSI: %016llx RDI: %016llx\n", (unsigned long long)f->rdx,
		 (unsigned long long)f->rsi, (unsigned long long)f->rdi);
	pr_emerg("RBP: %016llx R8:  %016llx R9:  %016llx\n", (unsigned long long)f->rbp,
		 (unsigned long long)f->r8, (unsigned long long)f->r9);
	pr_emerg("R10: %016llx R11: %016llx R12: %016llx\n", (unsigned long long)f->r10,
		 (unsigned long long)f->r11, (unsigned long long)f->r12);
	pr_emerg("R13: %016llx R14: %016llx R15: %016llx\n", (unsigned long long)f->r13,
		 (unsigned long long)f->r14, (unsigned long long)f->r15);
	pr_emerg("CS: %04llx SS: %04llx CR0: %016llx CR2: %016llx\n", (unsigned long long)f->cs,
		 (unsigned long long)f->ss, (unsigned long long)read_cr0(),
		 (unsigned long long)read_cr2());
	pr_emerg("CR3: %016llx CR4: %016llx\n", (unsigned long long)read_cr3(),
		 (unsigned long long)read_cr4());
}

/*
 * Fills a frame with the registers as they are in panic() itself, called from panic(): the
 * backtrace then starts with panic and goes on with its caller, whose name is looked up from
 * a return address (see stack_entry_symbol for why that matters after a noreturn call).
 */
static __noinline void capture_frame(struct trap_frame *f)
{
	uint64_t *rbp = __builtin_frame_address(0);

	__asm__ __volatile__("mov %%rax, %0\n\tmov %%rbx, %1\n\tmov %%rcx, %2\n\tmov %%rdx, %3\n\t"
			     "mov %%rsi, %4\n\tmov %%rdi, %5\n\tmov %%r8, %6\n\tmov %%r9, %7"
			     : "=m"(f->rax), "=m"(f->rbx), "=m"(f->rcx), "=m"(f->rdx),
			       "=m"(f->rsi), "=m"(f->rdi), "=m"(f->r8), "=m"(f->r9));
	__asm__ __volatile__("mov %%r10, %0\n\tmov %%r11, %1\n\tmov %%r12, %2\n\tmov %%r13, %3\n\t"
			     "mov %%r14, %4\n\tmov %%r15, %5\n\tmov %%cs, %6\n\tmov %%ss, %7"
			     : "=m"(f->r10), "=m"(f->r11), "=m"(f->r12), "=m"(f->r13),
			       "=m"(f->r14), "=m"(f->r15), "=m"(f->cs), "=m"(f->ss));
	/* [rbp] is panic()'s rbp, [rbp + 8] the return address into panic(). */
	f->rbp = rbp[0];
	f->rip = rbp[1];
	f->rsp = (uint64_t)(rbp + 2);
	f->rflags = read_rflags();
	f->vector = TRAP_NO_VECTOR;
	f->error_code = 0;
}

/* Prints each line of detail as its own message, so each gets the panic's level. */
static void print_detail(const char *detail)
{
	while (detail && *detail) {
		int len = 0;
		while (detail[len] && detail[len] != '\n')
			len++;
		pr_emerg("%.*s\n", len, detail);
		detail += len + (detail[len] == '\n');
	}
}

static __noreturn void panic_stop(const struct trap_frame *f, const char *detail, const char *fmt,
				  va_list ap)
{
	char msg[256];

	int me = (int)smp_processor_id(), first = -1;

	local_irq_disable();
	if (!__atomic_compare_exchange_n(&panic_cpu, &first, me, false, __ATOMIC_SEQ_CST,
					 __ATOMIC_SEQ_CST)) {
		/* Nested (same CPU) or concurrent (another CPU already panics): stop quietly, the
		   first panic's report is the one to read. */
		if (first == me)
			console_write("\nnested panic, halting\n", 23);
		if (panic_exits_qemu && first == me)
			qemu_exit(QEMU_EXIT_PANIC);
		halt_forever();
	}
	console_panic_mode();
	vsnprintf(msg, sizeof(msg), fmt, ap);
	pr_emerg("Kernel panic: %s\n", msg);
	pr_emerg("CPU: %d thread: %s\n", me, current ? current->name : "(none yet)");
	print_detail(detail);
	dump_registers(f);
	dump_backtrace_frame(f);
	smp_stop_other_cpus();
	pr_emerg("---[ end Kernel panic: %s ]---\n", msg);
	if (panic_exits_qemu)
		qemu_exit(QEMU_EXIT_PANIC);
	halt_forever();
}

void panic(const char *fmt, ...)
{
	struct trap_frame f = { 0 }; /* the segment registers fill only 16 bits of their fields */
	va_list ap;

	capture_frame(&f);
	va_start(ap, fmt);
	panic_stop(&f, NULL, fmt, ap);
}

void panic_frame(const struct trap_frame *f, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	panic_stop(f, NULL, fmt, ap);
}

void panic_trap(const struct trap_frame *f, const char *detail, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	panic_stop(f, detail, fmt, ap);
}
