/*
 * The panic screen. The backtrace follows the frame-pointer chain: with
 * -fno-omit-frame-pointer every function starts with "push rbp; mov rbp, rsp", so [rbp] holds the
 * caller's rbp and [rbp + 8] the return address. The walk stops at a zero rbp (set by the boot
 * code), at a frame that does not move up the stack, or after MAX_FRAMES.
 */
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "kernel/ksyms.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/qemu_exit.h"
#include "arch/x86_64/memlayout.h"
#include "lib/printf.h"

#define MAX_FRAMES 32
#define MAX_STACK_SPAN (64 * 1024)

int panic_exits_qemu;
static int panicking;

static void print_symbol(uint64_t addr)
{
	uint64_t off;
	const char *name = ksym_lookup(addr, &off);
	if (name)
		pr_emerg("  [<%016llx>] %s+0x%llx\n", (unsigned long long)addr, name,
			 (unsigned long long)off);
	else
		pr_emerg("  [<%016llx>] ?\n", (unsigned long long)addr);
}

void dump_backtrace(uint64_t rip, uint64_t rbp)
{
	uint64_t start = rbp;

	pr_emerg("Backtrace:\n");
	print_symbol(rip);
	for (int i = 0; i < MAX_FRAMES && rbp; i++) {
		uint64_t *frame = (uint64_t *)rbp;
		/* Only kernel-half, aligned frames, moving up within one stack. */
		if (rbp < DIRECT_MAP_BASE || (rbp & 7) || rbp - start > MAX_STACK_SPAN)
			break;
		if (frame[1] == 0)
			break;
		/* The return address points after the call: step back into it for the name. */
		print_symbol(frame[1] - 1);
		if (frame[0] <= rbp)
			break;
		rbp = frame[0];
	}
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
	pr_emerg("CS: %04llx SS: %04llx CR0: %016llx CR2: %016llx CR3: %016llx CR4: %016llx\n",
		 (unsigned long long)f->cs, (unsigned long long)f->ss,
		 (unsigned long long)read_cr0(), (unsigned long long)read_cr2(),
		 (unsigned long long)read_cr3(), (unsigned long long)read_cr4());
}

/* Fills a frame with the registers as they are in the caller of panic(). */
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
	/* Our caller's frame: its rbp is saved at [rbp], its return address at [rbp + 8]. */
	f->rbp = rbp[0];
	f->rip = rbp[1];
	f->rsp = (uint64_t)(rbp + 2);
	f->rflags = read_rflags();
	f->vector = TRAP_NO_VECTOR;
	f->error_code = 0;
}

static __noreturn void panic_stop(const struct trap_frame *f, const char *fmt, va_list ap)
{
	char msg[256];

	local_irq_disable();
	if (panicking++) {
		/* A panic while panicking: print the bare minimum and stop. */
		console_write("\nnested panic, halting\n", 23);
		if (panic_exits_qemu)
			qemu_exit(QEMU_EXIT_PANIC);
		halt_forever();
	}
	vsnprintf(msg, sizeof(msg), fmt, ap);
	pr_emerg("Kernel panic: %s\n", msg);
	dump_registers(f);
	dump_backtrace(f->rip, f->rbp);
	pr_emerg("---[ end Kernel panic: %s ]---\n", msg);
	if (panic_exits_qemu)
		qemu_exit(QEMU_EXIT_PANIC);
	halt_forever();
}

void panic(const char *fmt, ...)
{
	struct trap_frame f;
	va_list ap;

	capture_frame(&f);
	va_start(ap, fmt);
	panic_stop(&f, fmt, ap);
}

void panic_frame(const struct trap_frame *f, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	panic_stop(f, fmt, ap);
}
