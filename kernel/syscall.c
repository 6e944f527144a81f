/*
 * The system-call table and its dispatcher (kernel/syscall.h). arch/x86_64/entry_64.asm saves
 * the user's registers as a struct trap_frame and calls do_syscall_64 through the pointer
 * registered here; the result goes back in the frame's rax.
 */
#include "kernel/syscall.h"
#include "kernel/entry.h"
#include "kernel/panic.h"
#include "kernel/percpu.h"
#include "kernel/preempt.h"
#include "kernel/smp.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/memlayout.h"
#include "arch/x86_64/syscall.h"
#include "lib/errno.h"

extern const struct syscall_entry __syscalls_start[], __syscalls_end[];

static const struct syscall_entry *sys_call_table[NR_SYSCALLS];
static DEFINE_PER_CPU(uint64_t[NR_SYSCALLS], syscall_counts);

static const char *const names[NR_SYSCALLS] = {
#define __SYSCALL_NAME(name, nr) [nr] = #name,
	FOR_EACH_SYSCALL_NR(__SYSCALL_NAME)
#undef __SYSCALL_NAME
};

static void count(unsigned long nr)
{
	preempt_disable();
	(*this_cpu_ptr(&syscall_counts))[nr]++;
	preempt_enable();
}

/* The call's result; -ENOSYS for a number outside the table or without a handler. */
static long dispatch(unsigned long nr, const struct trap_frame *f)
{
	const struct syscall_entry *e;

	if (nr >= NR_SYSCALLS)
		return -ENOSYS; /* counted nowhere: there is no slot for it */
	count(nr);
	e = sys_call_table[nr];
	if (!e)
		return -ENOSYS;
	return e->fn(f);
}

/*
 * SYSRET may return only to a canonical rip (Intel: a non-canonical rcx makes SYSRET fault in
 * ring 0, on the user's stack) with the user's own segments; anything else leaves by IRETQ.
 * execve and a new thread change the frame, so this is asked on every return.
 */
static bool sysret_allowed(const struct trap_frame *f)
{
	return f->rip < USER_TOP && f->cs == (GDT_USER_CS | 3) && f->ss == (GDT_USER_DS | 3) &&
	       !(f->rflags & (RFLAGS_TF | RFLAGS_NT));
}

/* The kernel's side of `syscall`, entered with interrupts off. Returns with them off; 1 when
   the way back may be SYSRET, 0 for IRETQ. */
static long do_syscall_64(struct trap_frame *f)
{
	local_irq_enable();
	f->rax = (uint64_t)dispatch(f->error_code, f);
	exit_to_user_mode(f);
	return sysret_allowed(f);
}

long syscall_invoke(unsigned long nr, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
		    uint64_t a5, uint64_t a6)
{
	struct trap_frame f = {.rdi = a1,
			       .rsi = a2,
			       .rdx = a3,
			       .r10 = a4,
			       .r8 = a5,
			       .r9 = a6,
			       .rax = nr,
			       .vector = TRAP_SYSCALL,
			       .error_code = nr};

	return dispatch(nr, &f);
}

void syscall_init(void)
{
	for (const struct syscall_entry *e = __syscalls_start; e < __syscalls_end; e++) {
		if (e->nr >= NR_SYSCALLS || sys_call_table[e->nr])
			panic("syscall_init: %s (%u) is defined twice or is out of range", e->name,
			      e->nr);
		sys_call_table[e->nr] = e;
	}
	syscall_set_handler(do_syscall_64);
}

const char *syscall_name(unsigned int nr)
{
	return nr < NR_SYSCALLS ? names[nr] : NULL;
}

bool syscall_implemented(unsigned int nr)
{
	return nr < NR_SYSCALLS && sys_call_table[nr];
}

uint64_t syscall_count(unsigned int nr)
{
	uint64_t sum = 0;
	unsigned int cpu;

	if (nr >= NR_SYSCALLS)
		return 0;
	for (cpu = 0; cpu < nr_cpu_ids; cpu++)
		sum += READ_ONCE((*per_cpu_ptr(&syscall_counts, cpu))[nr]);
	return sum;
}

uint64_t syscall_enosys_total(void)
{
	uint64_t sum = 0;

	for (unsigned int nr = 0; nr < NR_SYSCALLS; nr++)
		if (!sys_call_table[nr])
			sum += syscall_count(nr);
	return sum;
}
