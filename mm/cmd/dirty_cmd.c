/*
 * `dirty`: the dirty-page accounting of "mm: tracking shared dirty pages", Linux 2.6.19
 * (docs/dirty.md). Dirty and writeback pages per device and for the system, the faults of file
 * mappings by kind (the write-protect faults of dirty tracking among them), what page_mkclean
 * cleaned, the flusher's runs, and the tunables:
 *
 *	dirty				the counts
 *	dirty set expire_ms 2000	a tunable: expire_ms, writeback_ms, background, limit
 *	dirty set writenotify 0		shared mappings made from now on without write
 *					notification, as before Linux 2.6.19 (1: with it)
 */
#include "mm/writeback.h"
#include "mm/backing-dev.h"
#include "mm/fault.h"
#include "mm/rmap.h"
#include "kernel/printk.h"
#include "kernel/shell.h"
#include "kernel/tick.h"
#include "lib/errno.h"
#include "lib/string.h"

static void print_bdi(struct backing_dev_info *bdi, void *arg)
{
	(void)arg;
	kprintf("  %-8s dirty %6lld  writeback %3lld  written %8lld  flusher runs %llu  oldest "
		"dirty %llu ms\n",
		bdi->name, (long long)atomic64_read(&bdi->nr_dirty),
		(long long)atomic64_read(&bdi->nr_writeback),
		(long long)atomic64_read(&bdi->nr_written), (unsigned long long)bdi->flusher_runs,
		atomic64_read(&bdi->nr_dirty)
			? (unsigned long long)((jiffies - bdi->dirtied_when) * 1000 / HZ)
			: 0ULL);
}

static int dirty_set(const char *name, const char *value)
{
	unsigned long long v;

	if (parse_u64(value, &v, 10, 0))
		return -EINVAL;
	if (!strcmp(name, "writenotify") && v <= 1) {
		dirty_writenotify = v;
		return 0;
	}
	if (!v)
		return -EINVAL;
	if (!strcmp(name, "expire_ms"))
		dirty_expire_ms = (unsigned int)v;
	else if (!strcmp(name, "writeback_ms"))
		dirty_writeback_ms = (unsigned int)v;
	else if (!strcmp(name, "background"))
		dirty_background_pages = v;
	else if (!strcmp(name, "limit"))
		dirty_limit_pages = v;
	else
		return -EINVAL;
	return 0;
}

static int cmd_dirty(int argc, char **argv)
{
	struct dirty_stats d = dirty_stats();
	struct fault_stats f = fault_stats();

	if (argc == 4 && !strcmp(argv[1], "set"))
		return dirty_set(argv[2], argv[3]) ? shell_usage(argv[0]) : 0;
	if (argc != 1)
		return shell_usage(argv[0]);
	kprintf("dirty pages %llu, under writeback %llu (dirtied %llu, written %llu since boot)\n",
		(unsigned long long)d.nr_dirty, (unsigned long long)d.nr_writeback,
		(unsigned long long)d.dirtied, (unsigned long long)d.written);
	kprintf("per device:\n");
	bdi_for_each(print_bdi, NULL);
	kprintf("file faults: read %llu, write %llu, write-protect (dirty tracking) %llu, "
		"private copy %llu, past the end %llu\n",
		(unsigned long long)f.file_read, (unsigned long long)f.file_write,
		(unsigned long long)f.wp_dirty, (unsigned long long)f.file_cow,
		(unsigned long long)f.sigbus);
	kprintf("page_mkwrite: %llu (the filesystem told of a write through a shared mapping)\n",
		(unsigned long long)f.mkwrite);
	kprintf("page_mkclean: %llu pages, %llu PTEs write-protected and cleaned\n",
		(unsigned long long)d.mkclean_calls, (unsigned long long)d.ptes_cleaned);
	kprintf("write notification %s; pages found dirty only in PTE dirty bits (msync, munmap) "
		"%llu\n",
		READ_ONCE(dirty_writenotify) ? "on" : "off (as before 2.6.19)",
		(unsigned long long)d.pte_dirty_found);
	kprintf("flusher: %llu device runs, %llu wakeups; writers throttled %llu times\n",
		(unsigned long long)d.flusher_runs, (unsigned long long)d.flusher_wakeups,
		(unsigned long long)d.throttled);
	kprintf("tunables: expire_ms %u, writeback_ms %u, background %llu pages, limit %llu "
		"pages\n",
		dirty_expire_ms, dirty_writeback_ms, (unsigned long long)dirty_background_pages,
		(unsigned long long)dirty_limit_pages);
	return 0;
}

SHELL_COMMAND("dirty", "[set expire_ms|writeback_ms|background|limit N | set writenotify 0|1]",
	      "dirty and writeback pages per device, file faults by kind, pages cleaned, flusher",
	      cmd_dirty);
