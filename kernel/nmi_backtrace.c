/*
 * Backtraces of other CPUs by NMI (kernel/nmi_backtrace.h).
 *
 * Each CPU has a request flag and a trace buffer. The asker sets the flag and sends the NMI;
 * the target's handler fills the buffer and clears the flag (release), and the asker, seeing
 * the flag clear (acquire), reads the buffer. An NMI is sent only when the flag goes from clear
 * to set, so every NMI sent finds its flag set: an answer that comes after the asker gave up
 * only leaves a stale trace, never an NMI that nobody claims (which would panic). The mutex
 * keeps one asker at a time, so nobody rewrites a buffer while it is read.
 *
 * The walk in the handler reads memory only through probe_read_u64(); a probe that faults
 * returns from its #PF with iret, which lets the next NMI in early. Only the panic's stop NMI
 * could be that next one, and it halts the CPU anyway.
 */
#include "kernel/nmi_backtrace.h"
#include "kernel/smp.h"
#include "kernel/locking/mutex.h"
#include "kernel/printk.h"
#include "kernel/trap.h"
#include "arch/x86_64/apic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/tsc.h"
#include "lib/atomic.h"
#include "lib/string.h"

#define NMI_BACKTRACE_WAIT_MS 500 /* generous: under TCG the target's vCPU may not be running */

struct nmi_backtrace {
	int requested;
	unsigned n;
	struct stack_entry trace[NMI_BACKTRACE_MAX];
};

static DEFINE_PER_CPU(struct nmi_backtrace, nmi_backtrace);
static DEFINE_MUTEX(nmi_backtrace_mutex);

bool nmi_backtrace_handle(const struct trap_frame *f)
{
	struct nmi_backtrace *b = this_cpu_ptr(&nmi_backtrace);

	if (!READ_ONCE(b->requested))
		return false;
	b->n = stack_trace_save_trap(f, b->trace, NMI_BACKTRACE_MAX);
	/* Publishes trace and n before the 0: pairs with the smp_load_acquire() of requested in
	   nmi_backtrace_save(), which reads them only after it sees the 0. */
	smp_store_release(&b->requested, 0);
	return true;
}

unsigned nmi_backtrace_save(unsigned int cpu, struct stack_entry *out, unsigned max)
{
	struct nmi_backtrace *b;
	unsigned n = 0;
	uint64_t end;

	if (cpu >= nr_cpu_ids || !cpu_online(cpu))
		return 0;
	mutex_lock(&nmi_backtrace_mutex);
	if (cpu == smp_processor_id()) /* checked under the mutex: the caller may have moved */
		goto out;
	b = per_cpu_ptr(&nmi_backtrace, cpu);
	if (!READ_ONCE(b->requested)) { /* else an earlier NMI is still on its way: wait for it */
		/* Pairs with the READ_ONCE() in nmi_backtrace_handle(): the NMI is sent after the
		   1 is stored, and the IPI itself orders the two on the target CPU. */
		smp_store_release(&b->requested, 1);
		lapic_send_nmi(per_cpu(cpu_info, cpu).apic_id);
	}
	end = ktime_ns() + NMI_BACKTRACE_WAIT_MS * 1000000ULL;
	/* Pairs with the smp_store_release() of 0 in nmi_backtrace_handle(): seeing the 0, this CPU
	   sees the trace written before it. */
	while (smp_load_acquire(&b->requested) && ktime_ns() < end)
		cpu_relax();
	if (!smp_load_acquire(&b->requested)) {
		n = b->n < max ? b->n : max;
		memcpy(out, b->trace, n * sizeof(out[0]));
	}
out:
	mutex_unlock(&nmi_backtrace_mutex);
	return n;
}

bool nmi_backtrace_print(unsigned int cpu, const char *prefix)
{
	struct stack_entry trace[NMI_BACKTRACE_MAX];
	unsigned n = nmi_backtrace_save(cpu, trace, NMI_BACKTRACE_MAX);

	if (n == 0) {
		pr_warn("%sCPU %u: no backtrace (it did not answer the NMI)\n", prefix, cpu);
		return false;
	}
	pr_warn("%sCPU %u backtrace:\n", prefix, cpu);
	for (unsigned i = 0; i < n; i++) {
		uint64_t off;
		const char *name = stack_entry_symbol(&trace[i], &off);
		int v = trace[i].trap_vector;

		if (v >= 0)
			pr_warn("%s  --- interrupted by %s (vector %d) ---\n", prefix, trap_name(v),
				v);
		pr_warn("%s  [<%016llx>] %s+0x%llx\n", prefix, (unsigned long long)trace[i].addr,
			name ? name : "?", name ? (unsigned long long)off : 0ULL);
	}
	return true;
}
