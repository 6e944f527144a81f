/* This CPU's TLB flushes (arch/x86_64/tlb.h). */
#include "arch/x86_64/tlb.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/memlayout.h"

void local_flush_tlb_page(uint64_t va)
{
	invlpg(va);
}

void local_flush_tlb_all(void)
{
	write_cr3(read_cr3());
}

uint64_t local_flush_tlb_range(uint64_t start, uint64_t end)
{
	uint64_t pages = (end - start) / PAGE_SIZE;

	if (pages > TLB_FLUSH_CEILING) {
		local_flush_tlb_all();
		return pages;
	}
	for (uint64_t va = start; va < end; va += PAGE_SIZE)
		invlpg(va);
	return pages;
}

struct tlb_features tlb_features(void)
{
	uint32_t a, b, c, d;
	struct tlb_features f;

	cpuid(1, 0, &a, &b, &c, &d);
	f.pcid = c & (1U << 17); /* CPUID.01H:ECX.PCID[bit 17] */
	cpuid(0, 0, &a, &b, &c, &d);
	f.invpcid = false;
	if (a >= 7) {
		cpuid(7, 0, &a, &b, &c, &d);
		f.invpcid = b & (1U << 10); /* CPUID.(EAX=07H,ECX=0):EBX.INVPCID[bit 10] */
	}
	return f;
}
