/*
 * /proc/vmstat: "name value" lines, as Linux's vmstat_show (mm/vmstat.c), in Linux's order. We
 * print the counters teachos has, under Linux's names; Linux has many more.
 *
 *	nr_free_pages			the page allocator's free pages (mm/page_alloc.c)
 *	nr_file_pages			pages in the page cache, every file (mm/filemap.c)
 *	nr_dirty, nr_writeback		mm/writeback.c's counts, now
 *	pgfault				calls of handle_mm_fault, resolved or not (mm/fault.c)
 *	pgmajfault			0: no fault here waits for the disk's answer as a major
 *					fault does in Linux (a file page is read by the fault)
 *	nr_tlb_remote_flush		shootdowns: flushes that sent IPIs (mm/tlb.c)
 *	nr_tlb_remote_flush_received	flush requests CPUs received from another CPU
 *	nr_tlb_local_flush_all		full flushes the asking CPU made of its own TLB
 *	nr_tlb_local_flush_one		pages the asking CPU flushed one by one in its own TLB
 *
 * Linux prints the four nr_tlb_ lines only when built with CONFIG_DEBUG_TLBFLUSH (Debian's
 * kernel is not): programs must not expect them there.
 */
#include "fs/proc/internal.h"
#include "mm/fault.h"
#include "mm/filemap.h"
#include "mm/page_alloc.h"
#include "mm/tlb.h"
#include "mm/writeback.h"

static void line(struct seq_buf *s, const char *name, uint64_t v)
{
	seq_buf_printf(s, "%s %llu\n", name, (unsigned long long)v);
}

int proc_vmstat_show(struct seq_buf *s, int pid)
{
	struct dirty_stats d = dirty_stats();
	struct fault_stats f = fault_stats();
	struct tlb_stats t = tlb_stats();

	(void)pid;
	line(s, "nr_free_pages", nr_free_pages());
	line(s, "nr_file_pages", nr_pagecache_pages());
	line(s, "nr_dirty", d.nr_dirty);
	line(s, "nr_writeback", d.nr_writeback);
	line(s, "pgfault", f.pgfault);
	line(s, "pgmajfault", 0);
	line(s, "nr_tlb_remote_flush", t.shootdowns);
	line(s, "nr_tlb_remote_flush_received", t.received);
	line(s, "nr_tlb_local_flush_all", t.local_full_flushes);
	line(s, "nr_tlb_local_flush_one", t.local_pages);
	return 0;
}
