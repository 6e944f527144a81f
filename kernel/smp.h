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

/* Cross-CPU function calls (kernel/smp_call.c, where each one's contract stands). */
int smp_call_function_single(unsigned int cpu, void (*fn)(void *), void *info, bool wait);
void smp_call_function_many(const struct cpumask *mask, void (*fn)(void *), void *info, bool wait);
void on_each_cpu(void (*fn)(void *), void *info, bool wait);
void on_each_cpu_mask(const struct cpumask *mask, void (*fn)(void *), void *info, bool wait);
void smp_call_init_cpu(void);

#endif
