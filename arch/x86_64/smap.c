/* SMEP and SMAP (arch/x86_64/smap.h). */
#include "arch/x86_64/smap.h"
#include "arch/x86_64/cpu.h"

#define CPUID7_EBX_SMEP (1U << 7)
#define CPUID7_EBX_SMAP (1U << 20)

bool cpu_has_smep, cpu_has_smap;

void smap_init_cpu(void)
{
	uint32_t a, b, c, d;

	cpuid(0, 0, &a, &b, &c, &d);
	if (a < 7)
		return;
	cpuid(7, 0, &a, &b, &c, &d);
	/* Every CPU of one machine reports the same: the boot CPU's answer decides. */
	if (b & CPUID7_EBX_SMEP) {
		cpu_has_smep = true;
		write_cr4(read_cr4() | CR4_SMEP);
	}
	if (b & CPUID7_EBX_SMAP) {
		cpu_has_smap = true;
		write_cr4(read_cr4() | CR4_SMAP);
	}
}
