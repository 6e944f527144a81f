/*
 * The `mem` shell command: the page allocator's counts and free blocks per order, every slab
 * cache with its objects in use, and the allocation failures. `mem check` also verifies the
 * buddy free lists and the poison of every free slab object.
 *
 * Locking: the list of caches is walked under slab_caches_lock (interrupts off), and
 * kmem_cache_check takes each cache's lock inside it (the order mm/slab.c states); kprintf's
 * console_lock comes innermost. The numbers printed are snapshots read without the caches'
 * locks.
 */
#include "mm/page_alloc.h"
#include "mm/scrub.h"
#include "mm/slab.h"
#include "mm/pgtable.h"
#include "mm/vmap.h"
#include "mm/fault_inject.h"
#include "kernel/shell.h"
#include "kernel/printk.h"
#include "kernel/locking/spinlock.h"
#include "lib/string.h"

static unsigned long long mib(uint64_t pages)
{
	return pages * PAGE_SIZE >> 20;
}

static void show_pages(void)
{
	uint64_t total = page_alloc_stats.managed_pages, free = nr_free_pages();
	struct page_alloc_counts c = page_alloc_counts();

	kprintf("pages: %llu total (%llu MiB), %llu free (%llu MiB), %llu used (%llu MiB), "
		"%llu frames reserved or holes\n",
		(unsigned long long)total, mib(total), (unsigned long long)free, mib(free),
		(unsigned long long)(total - free), mib(total - free),
		(unsigned long long)(max_pfn - total));
	kprintf("free blocks by order:");
	for (unsigned int o = 0; o <= MAX_ORDER; o++)
		kprintf(" %u:%llu", o, (unsigned long long)nr_free_blocks(o));
	kprintf("\npage allocations %llu, frees %llu, failures %llu (injected since boot %lu)\n",
		(unsigned long long)c.allocs, (unsigned long long)c.frees,
		(unsigned long long)page_alloc_stats.failures, alloc_fail_injected());
	kprintf("per-CPU page lists: %llu free pages on them, %llu refills, %llu drains\n",
		(unsigned long long)c.pcp_pages, (unsigned long long)c.pcp_refills,
		(unsigned long long)c.pcp_drains);
	kprintf("pages zeroed at their first allocation %llu (mm/scrub.c)\n",
		(unsigned long long)nr_scrubbed_pages());
	kprintf("page tables %llu pages, vmap stacks %u\n",
		(unsigned long long)atomic64_read(&pgtable_pages), vmap_stacks_in_use());
}

static void show_slabs(bool check)
{
	const struct kmalloc_large_stats *l = &kmalloc_large_stats;
	struct kmem_cache *c;
	unsigned long flags;

	kprintf("%-16s %6s %6s %8s %6s %10s %10s %6s%s\n", "cache", "size", "objs", "in use",
		"slabs", "allocs", "frees", "fails", check ? "  damaged" : "");
	spin_lock_irqsave(&slab_caches_lock, flags);
	list_for_each_entry(c, &slab_caches, list) {
		kprintf("%-16s %6u %6u %8llu %6llu %10llu %10llu %6llu", c->name, c->size,
			c->objs_per_slab, (unsigned long long)(c->in_use - kmem_cache_cpu_cached(c)),
			(unsigned long long)c->slabs, (unsigned long long)c->allocs,
			(unsigned long long)c->frees, (unsigned long long)c->failures);
		if (check)
			kprintf("  %7u", kmem_cache_check(c));
		kprintf("\n");
	}
	spin_unlock_irqrestore(&slab_caches_lock, flags);
	kprintf("kmalloc above %lu bytes (whole pages): %llu in use in %llu pages, %llu allocs, "
		"%llu frees, %llu fails\n",
		PAGE_SIZE, (unsigned long long)l->in_use, (unsigned long long)l->pages,
		(unsigned long long)l->allocs, (unsigned long long)l->frees,
		(unsigned long long)l->failures);
}

static int cmd_mem(int argc, char **argv)
{
	bool check = argc == 2 && strcmp(argv[1], "check") == 0;

	if (argc > 2 || (argc == 2 && !check))
		return shell_usage(argv[0]);
	show_pages();
	show_slabs(check);
	if (check)
		kprintf("buddy free lists: %s\n", page_alloc_check() ? "BROKEN" : "ok");
	return 0;
}

SHELL_COMMAND("mem", "[check]", "free and used pages, free blocks, slab caches, failures", cmd_mem);
