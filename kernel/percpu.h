/*
 * Per-CPU data. DEFINE_PER_CPU(type, name) places a variable in the .bss.percpu section; the
 * linked copy belongs to CPU 0, and kernel/percpu.c gives every other CPU a zeroed area of the
 * same size. A CPU finds its own area through the GS segment base: GS points at this CPU's
 * struct cpu (itself a per-CPU variable), whose first fields are read with one %gs-relative load.
 *
 *	DEFINE_PER_CPU(unsigned long, ticks);
 *	this_cpu_inc(ticks);			   this CPU's copy (call with preemption off)
 *	per_cpu(ticks, 2)			   CPU 2's copy
 *
 * Per-CPU variables start at zero on every CPU: give them no initialiser.
 *
 * Accessing this CPU's data is only meaningful while the thread cannot move to another CPU:
 * with preemption or interrupts disabled (kernel/preempt.h).
 */
#ifndef KERNEL_PERCPU_H
#define KERNEL_PERCPU_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include "lib/compiler.h"

struct tss;

#define NR_CPUS 64

#define DEFINE_PER_CPU(type, name)  __section(".bss.percpu") __typeof__(type) name
#define DECLARE_PER_CPU(type, name) extern __typeof__(type) name

/* This CPU's identity and the state every part of the kernel looks up on it. */
struct cpu {
	struct cpu *self;	/* %gs:0 */
	uint64_t percpu_offset; /* %gs:8: add to a per-CPU variable's address for this CPU's copy */
	/* For the system-call entry (arch/x86_64/entry_64.asm), which finds them at fixed offsets
	   before it has a stack: */
	uint64_t top_of_stack; /* %gs:16: the running thread's kernel stack top (= TSS.RSP0) */
	uint64_t user_rsp;     /* %gs:24: the user's rsp, kept while the entry switches stacks */
	struct tss *tss;       /* this CPU's TSS: RSP0 changes at every switch */
	unsigned int id;	/* logical CPU number, 0 = the boot CPU */
	uint32_t apic_id;
	/*
	 * One aligned 64-bit word that preempt_disable(), preempt_enable(), rcu_read_lock() and
	 * rcu_read_unlock() each change with one instruction (kernel/preempt.h, kernel/rcu/rcu.h):
	 *   bits 0-30   the preempt count: > 0, this CPU must not switch threads
	 *   bit 31      PREEMPT_NO_RESCHED: clear when a switch is pending (need_resched, folded)
	 *   bits 32-63  rcu_read_nesting: the depth of rcu_read_lock() sections
	 * Every RCU section also counts in the preempt count.
	 */
	unsigned int preempt_count __aligned(8);
	int rcu_read_nesting;
	void *thread;		/* the running thread (kernel/sched/sched.h: current) */
	bool need_resched;	/* switch threads at the next chance (kernel/sched/core.c) */
	bool online;
	bool preempt_trace;	/* time the stretches with preemption off (kernel/preemptoff.h) */
	uint64_t ticks;		/* timer interrupts taken */
	uint64_t ipis;		/* IPIs received */
	uint64_t irq_call_count;    /* of them, function calls: /proc/interrupts' CAL line */
	uint64_t irq_resched_count; /* of them, reschedules: its RES line */
	uint64_t irqs;		/* device interrupts received */
	uint64_t idle_tsc;	/* TSC cycles spent halted in the idle loop */
	uint64_t online_tsc;	/* TSC when it came online */
};

DECLARE_PER_CPU(struct cpu, cpu_info);

extern uint64_t __per_cpu_offset[NR_CPUS];
extern unsigned int nr_cpu_ids; /* CPUs brought up or being brought up: ids 0..nr_cpu_ids-1 */

#define per_cpu_ptr(ptr, cpu) ((__typeof__(ptr))((uintptr_t)(ptr) + __per_cpu_offset[cpu]))
#define per_cpu(var, cpu)     (*per_cpu_ptr(&(var), cpu))

#define __gs_read(field, out)                                                          \
	__asm__ __volatile__("mov %%gs:%c1, %0" : "=r"(out) : "i"(offsetof(struct cpu, field)))

static inline uint64_t this_cpu_offset(void)
{
	uint64_t off;
	__gs_read(percpu_offset, off);
	return off;
}

static inline struct cpu *this_cpu(void)
{
	struct cpu *c;
	__gs_read(self, c);
	return c;
}

static inline unsigned int smp_processor_id(void)
{
	unsigned int id;
	__gs_read(id, id);
	return id;
}

#define this_cpu_ptr(ptr) ((__typeof__(ptr))((uintptr_t)(ptr) + this_cpu_offset()))
#define this_cpu_read(var)  (*this_cpu_ptr(&(var)))
#define this_cpu_write(var, v) (*this_cpu_ptr(&(var)) = (v))
#define this_cpu_inc(var)   ((*this_cpu_ptr(&(var)))++)
#define this_cpu_add(var, v) ((*this_cpu_ptr(&(var))) += (v))

/* Loads the boot CPU's GS base (its area is the linked copy). Run before anything per-CPU. */
void percpu_init_boot_cpu(void);
/* Gives CPU cpu a zeroed area and fills in its struct cpu. Returns 0 or -ENOMEM. */
int percpu_alloc_cpu(unsigned int cpu, uint32_t apic_id);
/* Points this CPU's GS base at CPU cpu's struct cpu. */
void percpu_load(unsigned int cpu);
/* Bytes of per-CPU data each CPU has. */
size_t percpu_size(void);

#endif
