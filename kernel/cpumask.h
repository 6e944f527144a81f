/* Sets of CPUs, one bit per CPU number. */
#ifndef KERNEL_CPUMASK_H
#define KERNEL_CPUMASK_H

#include <stdint.h>
#include <stdbool.h>
#include "kernel/percpu.h"

struct cpumask {
	uint64_t bits[(NR_CPUS + 63) / 64];
};

static inline void cpumask_set_cpu(unsigned int cpu, struct cpumask *m)
{
	__atomic_fetch_or(&m->bits[cpu / 64], 1ULL << (cpu % 64), __ATOMIC_SEQ_CST);
}

static inline void cpumask_clear_cpu(unsigned int cpu, struct cpumask *m)
{
	__atomic_fetch_and(&m->bits[cpu / 64], ~(1ULL << (cpu % 64)), __ATOMIC_SEQ_CST);
}

static inline bool cpumask_test_cpu(unsigned int cpu, const struct cpumask *m)
{
	return (__atomic_load_n(&m->bits[cpu / 64], __ATOMIC_RELAXED) >> (cpu % 64)) & 1;
}

static inline void cpumask_clear(struct cpumask *m)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(m->bits); i++)
		m->bits[i] = 0;
}

static inline unsigned int cpumask_weight(const struct cpumask *m)
{
	unsigned int n = 0;
	/* Kernighan's loop: each step clears the lowest set bit (no POPCNT on every CPU). */
	for (unsigned int i = 0; i < ARRAY_SIZE(m->bits); i++)
		for (uint64_t b = m->bits[i]; b; b &= b - 1)
			n++;
	return n;
}

#define for_each_cpu(cpu, mask)                                  \
	for ((cpu) = 0; (cpu) < NR_CPUS; (cpu)++)                \
		if (cpumask_test_cpu((cpu), (mask)))

#endif
