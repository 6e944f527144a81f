/*
 * CPU exceptions: their names, the decoding of their error codes, and what happens to them.
 * An exception in the kernel is a bug unless the code expected it, so the handler asks, in
 * order: is it a page fault an address space resolves (mm/fault.c)? Is the faulting
 * instruction in the exception table (a probe, copy_from_user)? Is a
 * fault_catch() armed (a test)? Otherwise the kernel panics with a screen that says what the
 * CPU reported, in words.
 *
 * State here is global and shared by all CPUs: the unexpected-interrupt counters are atomic,
 * and the guard-page callback is one pointer, set once and read with READ_ONCE.
 */
#include "kernel/trap.h"
#include "kernel/process.h"
#include "kernel/smp_stop.h"
#include "kernel/nmi_backtrace.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "kernel/extable.h"
#include "kernel/fault_catch.h"
#include "kernel/ksyms.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/idt.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/memlayout.h"
#include "lib/printf.h"
#include "lib/atomic.h"

/* The error code of #TS, #NP, #SS and #GP when a segment selector or a gate caused them. */
#define SEL_EXT	   (1 << 0) /* raised while delivering an external event (an interrupt) */
#define SEL_IDT	   (1 << 1) /* the index is an IDT vector */
#define SEL_TI	   (1 << 2) /* without SEL_IDT: 1 = LDT, 0 = GDT */

static const struct {
	const char *name;
	const char *mnemonic;
} exceptions[FIRST_IRQ_VECTOR] = {
	[X86_TRAP_DE] = { "divide error", "#DE" },
	[X86_TRAP_DB] = { "debug exception", "#DB" },
	[X86_TRAP_NMI] = { "non-maskable interrupt", "NMI" },
	[X86_TRAP_BP] = { "breakpoint", "#BP" },
	[X86_TRAP_OF] = { "overflow", "#OF" },
	[X86_TRAP_BR] = { "bound range exceeded", "#BR" },
	[X86_TRAP_UD] = { "invalid opcode", "#UD" },
	[X86_TRAP_NM] = { "device not available", "#NM" },
	[X86_TRAP_DF] = { "double fault", "#DF" },
	[9] = { "coprocessor segment overrun", "" },
	[X86_TRAP_TS] = { "invalid TSS", "#TS" },
	[X86_TRAP_NP] = { "segment not present", "#NP" },
	[X86_TRAP_SS] = { "stack-segment fault", "#SS" },
	[X86_TRAP_GP] = { "general protection fault", "#GP" },
	[X86_TRAP_PF] = { "page fault", "#PF" },
	[X86_TRAP_MF] = { "x87 floating-point error", "#MF" },
	[X86_TRAP_AC] = { "alignment check", "#AC" },
	[X86_TRAP_MC] = { "machine check", "#MC" },
	[X86_TRAP_XM] = { "SIMD floating-point exception", "#XM" },
	[X86_TRAP_VE] = { "virtualization exception", "#VE" },
	[X86_TRAP_CP] = { "control protection exception", "#CP" },
	[X86_TRAP_HV] = { "hypervisor injection exception", "#HV" },
	[X86_TRAP_VC] = { "VMM communication exception", "#VC" },
	[X86_TRAP_SX] = { "security exception", "#SX" },
};

extern char boot_stack_guard[], boot_stack[];
extern const char __text_start[], __text_end[], __rodata_start[], __rodata_end[];
extern const char __data_start[], __kernel_end[];

static bool (*guard_page_check)(uint64_t addr);
static bool (*page_fault_handler)(struct trap_frame *f, uint64_t cr2);

void trap_set_page_fault_handler(bool (*fn)(struct trap_frame *f, uint64_t cr2))
{
	WRITE_ONCE(page_fault_handler, fn);
}
static atomic64_t unexpected[IDT_VECTORS];

const char *trap_name(unsigned vector)
{
	if (vector >= FIRST_IRQ_VECTOR)
		return "interrupt";
	return exceptions[vector].name ? exceptions[vector].name : "reserved exception";
}

const char *trap_mnemonic(unsigned vector)
{
	if (vector >= FIRST_IRQ_VECTOR || !exceptions[vector].mnemonic)
		return "";
	return exceptions[vector].mnemonic;
}

void trap_set_guard_page_check(bool (*is_guard_page)(uint64_t addr))
{
	WRITE_ONCE(guard_page_check, is_guard_page);
}

static bool is_guard_page(uint64_t a)
{
	bool (*check)(uint64_t) = READ_ONCE(guard_page_check);

	if (a >= (uint64_t)boot_stack_guard && a < (uint64_t)boot_stack)
		return true;
	return check && check(a);
}

static bool in_range(uint64_t a, const void *start, const void *end)
{
	return a >= (uint64_t)start && a < (uint64_t)end;
}

const char *trap_addr_region(uint64_t a)
{
	if (is_guard_page(a))
		return "guard page";
	if (a < PAGE_SIZE)
		return "null page";
	if (a < USER_TOP)
		return "user half";
	if (a < DIRECT_MAP_BASE)
		return "non-canonical";
	if (a < DIRECT_MAP_BASE + DIRECT_MAP_SIZE)
		return "kernel half: direct map";
	if (a >= VMAP_BASE && a < VMAP_BASE + VMAP_SIZE)
		return "kernel half: vmap area";
	if (in_range(a, __text_start, __text_end))
		return "kernel half: kernel .text";
	if (in_range(a, __rodata_start, __rodata_end))
		return "kernel half: kernel .rodata";
	if (in_range(a, __data_start, __kernel_end))
		return "kernel half: kernel .data/.bss";
	return "kernel half";
}

/* "name+0x1f" for a kernel text address, else the bare number. */
static int format_symbol(char *buf, size_t size, uint64_t addr)
{
	uint64_t off;
	const char *name = ksym_lookup(addr, &off);

	if (name)
		return snprintf(buf, size, "%s+0x%llx", name, (unsigned long long)off);
	return snprintf(buf, size, "0x%llx", (unsigned long long)addr);
}

static const char *pf_cause(uint64_t err)
{
	if (err & PF_RSVD)
		return "reserved-bit";
	return (err & PF_PRESENT) ? "protection-violation" : "not-present";
}

static const char *pf_access(uint64_t err)
{
	if (err & PF_INSTR)
		return "instruction fetch";
	return (err & PF_WRITE) ? "write" : "read";
}

/* A #DF whose failed push went into a guard page: the stack ran over its end. */
static bool looks_like_stack_overflow(const struct trap_frame *f, uint64_t cr2)
{
	return is_guard_page(cr2) || is_guard_page(f->rsp) || is_guard_page(f->rsp - 8);
}

int trap_describe(const struct trap_frame *f, uint64_t cr2, char *buf, size_t size)
{
	const char *mode = (f->cs & 3) ? "user" : "kernel";
	unsigned v = (unsigned)f->vector;
	char where[96];

	if (v == X86_TRAP_PF)
		return snprintf(buf, size, "page fault (#PF) at 0x%llx: %s %s in %s mode",
				(unsigned long long)cr2, pf_cause(f->error_code),
				pf_access(f->error_code), mode);
	if (v == X86_TRAP_DF)
		return snprintf(buf, size, "double fault (%s: RSP=0x%llx)",
				looks_like_stack_overflow(f, cr2) ?
					"probably a kernel stack overflow" :
					"an exception while the CPU delivered another",
				(unsigned long long)f->rsp);
	format_symbol(where, sizeof(where), f->rip);
	if (v >= FIRST_IRQ_VECTOR)
		return snprintf(buf, size, "interrupt on vector %u at %s", v, where);
	if (!*trap_mnemonic(v))
		return snprintf(buf, size, "%s (vector %u) at %s in %s mode", trap_name(v), v,
				where, mode);
	if (v == X86_TRAP_GP || v == X86_TRAP_TS || v == X86_TRAP_NP || v == X86_TRAP_SS)
		return snprintf(buf, size, "%s (%s) at %s in %s mode, error code 0x%llx",
				trap_name(v), trap_mnemonic(v), where, mode,
				(unsigned long long)f->error_code);
	return snprintf(buf, size, "%s (%s) at %s in %s mode", trap_name(v), trap_mnemonic(v),
			where, mode);
}

/* Appends to a fixed buffer; output past the end is dropped. */
struct text {
	char *buf;
	size_t size, len;
};

static void __printf(2, 3) text_add(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->len >= t->size)
		return;
	va_start(ap, fmt);
	n = vsnprintf(t->buf + t->len, t->size - t->len, fmt, ap);
	va_end(ap);
	t->len += n > 0 ? (size_t)n : 0;
}

static void pf_detail(struct text *t, const struct trap_frame *f, uint64_t cr2)
{
	uint64_t e = f->error_code;
	const char *region = trap_addr_region(cr2);

	text_add(t, "#PF: error code 0x%llx: P=%d W=%d U=%d RSVD=%d I=%d PK=%d SS=%d\n",
		 (unsigned long long)e, !!(e & PF_PRESENT), !!(e & PF_WRITE), !!(e & PF_USER),
		 !!(e & PF_RSVD), !!(e & PF_INSTR), !!(e & PF_PK), !!(e & PF_SS));
	text_add(t, "#PF: %s, %s, %s mode%s\n",
		 (e & PF_PRESENT) ? "the page is present but the access is not allowed" :
				    "no page is mapped there",
		 pf_access(e), (e & PF_USER) ? "user" : "kernel",
		 (e & PF_RSVD) ? ", a page-table entry has a reserved bit set (corrupt tables?)" :
				 "");
	text_add(t, "#PF: CR2 (the address) 0x%llx is in: %s\n", (unsigned long long)cr2, region);
	if (is_guard_page(cr2))
		text_add(t, "#PF: a guard page sits below each kernel stack: "
			    "probably a kernel stack overflow\n");
	else if (cr2 < PAGE_SIZE)
		text_add(t, "#PF: probably a NULL pointer dereference (field offset 0x%llx)\n",
			 (unsigned long long)cr2);
	else if ((e & PF_INSTR) && (e & PF_PRESENT))
		text_add(t, "#PF: the page is mapped no-execute (NX): a jump into data?\n");
	else if ((e & PF_WRITE) && (e & PF_PRESENT))
		text_add(t, "#PF: the page is mapped read-only\n");
}

static void selector_detail(struct text *t, const struct trap_frame *f)
{
	uint64_t e = f->error_code;
	const char *m = trap_mnemonic((unsigned)f->vector);

	if (e == 0) {
		text_add(t, "%s: error code 0: not caused by a segment selector%s\n", m,
			 f->vector == X86_TRAP_GP ?
				 ": a non-canonical address, a privileged instruction, or a bad "
				 "value for a control register or an MSR" :
				 "");
		return;
	}
	if (e & SEL_IDT)
		text_add(t, "%s: error code 0x%llx: IDT vector %llu%s\n", m, (unsigned long long)e,
			 (unsigned long long)((e >> 3) & 0x1fff),
			 (e & SEL_EXT) ? ", during an external event" : "");
	else
		text_add(t, "%s: error code 0x%llx: selector 0x%llx (%s entry %llu)%s\n", m,
			 (unsigned long long)e, (unsigned long long)(e & ~7ULL),
			 (e & SEL_TI) ? "LDT" : "GDT", (unsigned long long)((e >> 3) & 0x1fff),
			 (e & SEL_EXT) ? ", during an external event" : "");
}

static void df_detail(struct text *t, const struct trap_frame *f, uint64_t cr2)
{
	text_add(t, "#DF: the CPU could not deliver an exception (usually a #PF whose frame it "
		    "could not push on the stack)\n");
	text_add(t, "#DF: handled on the IST%d stack; the saved RIP may not be exact\n",
		 IST_DOUBLE_FAULT);
	text_add(t, "#DF: RSP 0x%llx is in: %s; CR2 0x%llx is in: %s\n",
		 (unsigned long long)f->rsp, trap_addr_region(f->rsp),
		 (unsigned long long)cr2, trap_addr_region(cr2));
}

/* The lines under "Kernel panic: ..." that decode what the CPU reported. */
static void trap_detail(const struct trap_frame *f, uint64_t cr2, char *buf, size_t size)
{
	struct text t = { buf, size, 0 };
	unsigned v = (unsigned)f->vector;

	buf[0] = 0;
	text_add(&t, "Trap: vector %u (%s%s%s), error code 0x%llx, from %s mode\n", v,
		 trap_name(v), *trap_mnemonic(v) ? " " : "", trap_mnemonic(v),
		 (unsigned long long)f->error_code, (f->cs & 3) ? "user" : "kernel");
	switch (v) {
	case X86_TRAP_PF:
		pf_detail(&t, f, cr2);
		break;
	case X86_TRAP_GP:
	case X86_TRAP_TS:
	case X86_TRAP_NP:
	case X86_TRAP_SS:
		selector_detail(&t, f);
		break;
	case X86_TRAP_DF:
		df_detail(&t, f, cr2);
		break;
	case X86_TRAP_BP:
		text_add(&t, "#BP: an int3 with no debugger to take it; RIP points after it\n");
		break;
	case X86_TRAP_NMI:
		text_add(&t, "NMI: a hardware error, a watchdog, or the QEMU monitor's 'nmi' "
			     "command; the registers show where this CPU was\n");
		break;
	}
}

static __noreturn void exception_panic(const struct trap_frame *f, uint64_t cr2)
{
	char head[160], detail[768];

	trap_describe(f, cr2, head, sizeof(head));
	trap_detail(f, cr2, detail, sizeof(detail));
	panic_trap(f, detail, "%s", head);
}

/* The signal a fault in ring 3 sends, as Linux's traps.c chooses it. */
static int user_fault_signal(uint64_t vector)
{
	switch (vector) {
	case X86_TRAP_DE:
	case X86_TRAP_MF:
	case X86_TRAP_XM:
		return SIGFPE;
	case X86_TRAP_DB:
	case X86_TRAP_BP:
		return SIGTRAP;
	case X86_TRAP_UD:
		return SIGILL;
	case X86_TRAP_AC:
		return SIGBUS;
	default:
		return SIGSEGV; /* #PF, #GP, #SS, #NP, and the rest */
	}
}

static void exception_handler(struct trap_frame *f)
{
	/* First, before anything else can fault and overwrite it. */
	uint64_t cr2 = read_cr2();
	bool (*pf)(struct trap_frame *, uint64_t) = READ_ONCE(page_fault_handler);

	if (f->vector == X86_TRAP_PF && pf && pf(f, cr2))
		return; /* demand paging, copy-on-write: the access is retried */
	if (trap_from_user(f) && f->vector != X86_TRAP_NMI && f->vector != X86_TRAP_MC) {
		/* A user program's fault ends the program, never the kernel. */
		force_sig_fault(f, user_fault_signal(f->vector),
				f->vector == X86_TRAP_PF ? cr2 : f->rip);
		return;
	}
	if ((f->vector == X86_TRAP_PF || f->vector == X86_TRAP_GP) && extable_fixup(f))
		return;
	if (fault_catch_handle(f, cr2))
		return;
	if (f->vector == X86_TRAP_NMI) {
		smp_stop_nmi(f); /* returns only if this NMI is not a panic's stop request */
		if (nmi_backtrace_handle(f))
			return; /* another CPU asked where this one is: not an error */
	}
	exception_panic(f, cr2);
}

static bool is_power_of_two(uint64_t n)
{
	return n && !(n & (n - 1));
}

/*
 * A vector >= 32 with no handler: a device or another CPU sent an interrupt nobody asked for.
 * Ignoring it is safe; saying so every time is not (an interrupt storm would flood the
 * console), so the warning comes at counts 1, 2, 4, 8...
 */
static void unexpected_interrupt(struct trap_frame *f)
{
	uint64_t n;

	/* An exception whose handler was unregistered: returning would retry it forever. */
	if (f->vector < FIRST_IRQ_VECTOR) {
		exception_handler(f);
		return;
	}
	n = (uint64_t)atomic64_add_return(1, &unexpected[f->vector]);
	if (is_power_of_two(n))
		pr_warn("trap: unexpected interrupt on vector %llu (%llu so far), ignored\n",
			(unsigned long long)f->vector, (unsigned long long)n);
}

uint64_t trap_unexpected_count(unsigned vector)
{
	return vector < IDT_VECTORS ? (uint64_t)atomic64_read(&unexpected[vector]) : 0;
}

void trap_init(void)
{
	gdt_init();
	/* Handlers first, so that no exception ever finds the IDT loaded but nobody home. */
	for (unsigned v = 0; v < FIRST_IRQ_VECTOR; v++)
		idt_set_handler(v, exception_handler);
	idt_set_fallback(unexpected_interrupt);
	idt_init();
}
