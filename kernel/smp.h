/*
 * SMP: the CPUs, how they came up, and running a function on other CPUs.
 *
 * smp_init() reads the ACPI MADT, enables the boot CPU's local APIC and starts every other CPU it
 * lists. CPUs are numbered 0 (the boot CPU) to nr_cpu_ids - 1 in the order they came online;
 * cpu_online_mask has a bit per online CPU.
 */
#ifndef KERNEL_SMP_H
#define KERNEL_SMP_H

#include <stdint.h>
#include <stdbool.h>
#include "kernel/percpu.h"
#include "kernel/cpumask.h"

extern struct cpumask cpu_online_mask;
extern uint64_t smp_boot_ns; /* from the first startup IPI to the last CPU online */

void smp_init(void);
unsigned int num_online_cpus(void);
bool cpu_online(unsigned int cpu);

/*
 * Runs fn(info) on CPU cpu (directly when it is this CPU) and, when wait is true, returns once
 * fn has finished there. Returns 0, or -EINVAL for a CPU that is not online. With wait false,
 * info must stay valid until fn has run. Call with interrupts enabled (a CPU spinning with
 * interrupts off cannot answer another CPU's call to it).
 */
int smp_call_function_single(unsigned int cpu, void (*fn)(void *), void *info, bool wait);
/* The same on every online CPU in mask except this one. */
void smp_call_function_many(const struct cpumask *mask, void (*fn)(void *), void *info, bool wait);
/* On every online CPU, this one included. */
void on_each_cpu(void (*fn)(void *), void *info, bool wait);
/* On every online CPU in mask, this one included if it is in mask: the others get their IPIs
   first, so this CPU's share runs while theirs do. */
void on_each_cpu_mask(const struct cpumask *mask, void (*fn)(void *), void *info, bool wait);
/* Sets up this CPU's queue of incoming calls; run by each CPU before it goes online. */
void smp_call_init_cpu(void);

#endif
