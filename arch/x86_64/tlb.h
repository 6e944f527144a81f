/*
 * This CPU's TLB. The TLB caches translations; the CPU does not notice when a page-table entry
 * changes, so whoever narrows or removes a mapping must flush the entries it cached, on every
 * CPU that may hold them (mm/tlb.h does the other CPUs, by IPI).
 *
 *  - invlpg drops the entries of one page (of every size) for the current address space;
 *  - loading CR3 drops every entry that is not global (PTE_G): all user mappings;
 *  - PCID (tagging entries by address space, so a CR3 load need not drop them) and INVPCID are
 *    detected with CPUID and reported, but not used: QEMU's TCG offers neither, and without
 *    PCIDs a CR3 load is the full flush.
 *
 * Flushing page by page pays one invlpg per page; a full flush pays for refilling the TLB
 * afterwards. Above TLB_FLUSH_CEILING pages a range is flushed whole (Linux's default is 33).
 */
#ifndef ARCH_X86_64_TLB_H
#define ARCH_X86_64_TLB_H

#include <stdint.h>
#include <stdbool.h>

#define TLB_FLUSH_CEILING 33

void local_flush_tlb_page(uint64_t va);
void local_flush_tlb_all(void);
/* [start, end): invlpg per page up to the ceiling, else a full flush. Returns the pages. */
uint64_t local_flush_tlb_range(uint64_t start, uint64_t end);

struct tlb_features {
	bool pcid, invpcid;
};
/* What CPUID says this CPU has (read once, at the first call). */
struct tlb_features tlb_features(void);

#endif
