/*
 * /proc/meminfo: "Name:   value kB" lines, as Linux's meminfo_proc_show (fs/proc/meminfo.c),
 * for the few counters teachos has. MemAvailable is free pages plus the page cache (the cache
 * can be dropped), a rougher guess than Linux's.
 */
#include "fs/proc/internal.h"
#include "mm/filemap.h"
#include "mm/memmap.h"
#include "mm/page.h"
#include "mm/page_alloc.h"
#include "mm/writeback.h"

/* The label padded to 16 columns, the number right-aligned in 8, as Linux's show_val_kb. */
static void show_val_kb(struct seq_buf *s, const char *name, uint64_t pages)
{
	seq_buf_printf(s, "%-16s%8llu kB\n", name,
		       (unsigned long long)(pages * (PAGE_SIZE / 1024)));
}

int proc_meminfo_show(struct seq_buf *s, int pid)
{
	struct dirty_stats d = dirty_stats();
	uint64_t free = nr_free_pages(), cached = nr_pagecache_pages();

	(void)pid;
	show_val_kb(s, "MemTotal:", memmap_ram_bytes / PAGE_SIZE);
	show_val_kb(s, "MemFree:", free);
	show_val_kb(s, "MemAvailable:", free + cached);
	show_val_kb(s, "Cached:", cached);
	show_val_kb(s, "Dirty:", d.nr_dirty);
	show_val_kb(s, "Writeback:", d.nr_writeback);
	return 0;
}
