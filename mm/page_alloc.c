/*
 * The kernel's page allocator (see page_alloc.h): mem_map, one buddy zone over all of it, the
 * counters, fault injection. mem_map covers frame 0 to the end of RAM; everything that is not
 * free RAM at boot (holes, firmware areas, the first 1 MiB, the kernel image, the early
 * allocations including mem_map itself) is PG_reserved and never enters the free lists.
 *
 * Per-CPU lists. Most allocations and frees are of one page (page tables, user pages, the
 * mmu_gather's batches of them), and through the buddy each would take zone_lock, a cache line
 * every CPU writes, and walk the merge. So each CPU keeps a short list of free single pages
 * (struct per_cpu_pages): alloc_page takes from this CPU's list, free_page puts back on it,
 * and the list refills from the buddy, or drains to it, PCP_BATCH pages under one zone_lock
 * hold. Pages on a list count as free (nr_free_pages) and carry PG_pcp, so freeing one twice
 * still panics. When the buddy runs dry, an allocation drains every CPU's list and tries again,
 * so no page is stranded on an idle CPU; drain_all_pages does the same on demand.
 *
 * Locking: zone_lock covers the zone (the buddy free lists, which mm/buddy.c keeps without
 * locks of its own) and page_alloc_stats. Each CPU's list has its own lock, taken by that CPU
 * and, rarely, by a CPU draining every list. All are taken with interrupts off, because an
 * interrupt handler (an IPI's function) may allocate. Order: a per-CPU list's lock, then
 * zone_lock; never two lists' locks at once. Callers such as slab and vmap may hold their own
 * lock when they call in; these two are always the innermost.
 */
#include "mm/page_alloc.h"
#include "mm/page.h"
#include "mm/buddy.h"
#include "mm/memmap.h"
#include "mm/fault_inject.h"
#include "mm/scrub.h"
#include "kernel/printk.h"
#include "kernel/panic.h"
#include "kernel/locking/spinlock.h"
#include "kernel/percpu.h"
#include "kernel/smp.h"
#include "arch/x86_64/tsc.h"
#include "arch/x86_64/cpu.h"

struct page *mem_map;
uint64_t max_pfn;
struct page_alloc_stats page_alloc_stats;

static struct buddy_zone zone;
static DEFINE_SPINLOCK(zone_lock);
static bool ready;

/*
 * A list refills PCP_BATCH pages at a time and gives back the coldest PCP_BATCH when it passes
 * PCP_HIGH. PCP_HIGH is what one CPU may keep from the others (1 MiB); it must be well above
 * what one CPU frees and takes back in a burst (a munmap of 64 pages, then the faults that map
 * them again), or every burst would go through the buddy anyway.
 */
#define PCP_BATCH 32
#define PCP_HIGH  256

struct per_cpu_pages {
	spinlock_t lock;
	struct list_head list; /* free pages, PG_pcp, linked by page->list; hottest first */
	unsigned int count;
	uint64_t allocs, frees; /* this CPU's share of the blocks allocated and freed */
	uint64_t refills, drains;
} __aligned(64);
static DEFINE_PER_CPU(struct per_cpu_pages, pcp_lists);

/*
 * Fills mem_map in one pass: frames inside memmap_free start unscrubbed (the buddy allocator
 * takes them next; mm/scrub.c zeroes each at its first allocation), all others are reserved. One store per field, no second pass over 1.8 million
 * entries when the guest has 6 GiB.
 */
static void init_mem_map(void)
{
	const struct page reserved = {.flags = PG_reserved, .refcount = 1};
	const struct page clear = {.flags = PG_unscrubbed};
	uint64_t pfn = 0;

	for (unsigned int i = 0; i < memmap_free.n; i++) {
		uint64_t start = memmap_free.r[i].start >> PAGE_SHIFT;
		uint64_t end = memmap_free.r[i].end >> PAGE_SHIFT;

		for (; pfn < start; pfn++)
			mem_map[pfn] = reserved;
		for (; pfn < end; pfn++)
			mem_map[pfn] = clear;
	}
	for (; pfn < max_pfn; pfn++)
		mem_map[pfn] = reserved;
}

void page_alloc_init(void)
{
	uint64_t t0 = rdtsc(), bytes = memmap_end_pfn * sizeof(struct page);
	phys_addr_t pa = early_alloc(DIV_ROUND_UP(bytes, PAGE_SIZE));

	if (!pa)
		panic("page_alloc: no room for mem_map (%llu KiB)",
		      (unsigned long long)(bytes >> 10));
	mem_map = phys_to_virt(pa);
	max_pfn = memmap_end_pfn;
	early_alloc_close();

	init_mem_map();
	buddy_init(&zone, mem_map, max_pfn);
	for (unsigned int i = 0; i < memmap_free.n; i++)
		buddy_free_range(&zone, memmap_free.r[i].start >> PAGE_SHIFT,
				 memmap_free.r[i].end >> PAGE_SHIFT);
	page_alloc_stats.managed_pages = zone.free_pages;
	ready = true;
	pr_info("page_alloc: %llu frames, mem_map %llu KiB at %#llx, %llu pages free, set up in "
		"%llu us\n",
		(unsigned long long)max_pfn, (unsigned long long)(bytes >> 10),
		(unsigned long long)pa, (unsigned long long)zone.free_pages,
		(unsigned long long)(tsc_to_ns(rdtsc() - t0) / 1000));
}

/*
 * Gives frames [start_pfn, end_pfn) that were reserved at boot to the allocator for good, as
 * Linux's free_reserved_area does for the initrd. Each must be PG_reserved with no other flag
 * (panics otherwise: freeing memory in use); each becomes PG_unscrubbed, so that its first
 * owner finds zeros, not what the boot left there. Returns the number of frames freed.
 */
uint64_t free_reserved_pages(uint64_t start_pfn, uint64_t end_pfn)
{
	unsigned long flags;

	if (start_pfn >= end_pfn)
		return 0;
	if (end_pfn > max_pfn)
		panic("free_reserved_pages: pfn %#llx is past mem_map", (unsigned long long)end_pfn);
	for (uint64_t pfn = start_pfn; pfn < end_pfn; pfn++) {
		if (mem_map[pfn].flags != PG_reserved)
			panic("free_reserved_pages: pfn %#llx has flags %#llx, not only reserved",
			      (unsigned long long)pfn, (unsigned long long)mem_map[pfn].flags);
		mem_map[pfn].flags = PG_unscrubbed;
		mem_map[pfn].refcount = 0;
	}
	spin_lock_irqsave(&zone_lock, flags);
	buddy_free_range(&zone, start_pfn, end_pfn);
	page_alloc_stats.managed_pages += end_pfn - start_pfn;
	spin_unlock_irqrestore(&zone_lock, flags);
	return end_pfn - start_pfn;
}

bool page_alloc_ready(void)
{
	return ready;
}

static void count_failure(void)
{
	unsigned long flags;

	spin_lock_irqsave(&zone_lock, flags);
	page_alloc_stats.failures++;
	spin_unlock_irqrestore(&zone_lock, flags);
}

/* Per-CPU data is zeroed, not initialised: the list head is set up at first use. */
static struct per_cpu_pages *pcp_of(unsigned int cpu)
{
	struct per_cpu_pages *pcp = per_cpu_ptr(&pcp_lists, cpu);

	if (!pcp->list.next) {
		spin_lock_init(&pcp->lock, "pcp_lists");
		INIT_LIST_HEAD(&pcp->list);
	}
	return pcp;
}

/* Interrupts off: this CPU's list, locked. */
static struct per_cpu_pages *pcp_lock_this_cpu(void)
{
	struct per_cpu_pages *pcp = pcp_of(smp_processor_id());

	spin_lock(&pcp->lock);
	return pcp;
}

/* Both locks held: moves up to n pages from the buddy onto the list; how many it moved. */
static unsigned int pcp_refill(struct per_cpu_pages *pcp, unsigned int n)
{
	unsigned int moved = 0;
	struct page *page;

	while (moved < n && (page = buddy_alloc(&zone, 0))) {
		page->flags |= PG_pcp;
		list_add_tail(&page->list, &pcp->list);
		moved++;
	}
	pcp->count += moved;
	pcp->refills++;
	return moved;
}

/* Both locks held: gives the n coldest pages of the list back to the buddy. */
static void pcp_drain(struct per_cpu_pages *pcp, unsigned int n)
{
	while (n-- && pcp->count) {
		struct page *page = list_last_entry(&pcp->list, struct page, list);

		list_del(&page->list);
		page->flags &= ~PG_pcp;
		pcp->count--;
		if (buddy_free(&zone, page, 0))
			panic("page_alloc: pfn %#llx on a per-CPU list is not a free page",
			      (unsigned long long)page_to_pfn(page));
	}
	pcp->drains++;
}

void drain_all_pages(void)
{
	unsigned long flags;

	for (unsigned int cpu = 0; cpu < nr_cpu_ids; cpu++) {
		struct per_cpu_pages *pcp;

		flags = local_irq_save();
		pcp = pcp_of(cpu);
		spin_lock(&pcp->lock);
		spin_lock(&zone_lock);
		pcp_drain(pcp, pcp->count);
		spin_unlock(&zone_lock);
		spin_unlock(&pcp->lock);
		local_irq_restore(flags);
	}
}

/* One page from this CPU's list, refilled from the buddy when empty; NULL if both are dry. */
static struct page *alloc_pcp_page(void)
{
	unsigned long flags = local_irq_save();
	struct per_cpu_pages *pcp = pcp_lock_this_cpu();
	struct page *page = NULL;

	if (!pcp->count) {
		spin_lock(&zone_lock);
		pcp_refill(pcp, PCP_BATCH);
		spin_unlock(&zone_lock);
	}
	if (pcp->count) {
		page = list_first_entry(&pcp->list, struct page, list);
		list_del(&page->list);
		page->flags &= ~PG_pcp;
		page->refcount = 1;
		pcp->count--;
		pcp->allocs++;
	}
	spin_unlock(&pcp->lock);
	local_irq_restore(flags);
	return page;
}

static struct page *alloc_buddy_block(unsigned int order)
{
	unsigned long flags;
	struct page *page;

	spin_lock_irqsave(&zone_lock, flags);
	page = buddy_alloc(&zone, order);
	if (page) {
		page->refcount = 1;
		page_alloc_stats.allocs++;
	}
	spin_unlock_irqrestore(&zone_lock, flags);
	return page;
}

struct page *__alloc_pages(unsigned int order)
{
	struct page *page = order ? alloc_buddy_block(order) : alloc_pcp_page();

	if (!page) { /* pages may sit on other CPUs' lists (or, for a block, split among them) */
		drain_all_pages();
		page = order ? alloc_buddy_block(order) : alloc_pcp_page();
	}
	if (!page) {
		count_failure();
		return NULL;
	}
	scrub_new_block(page, order);
	return page;
}

struct page *alloc_pages(unsigned int order)
{
	if (alloc_should_fail()) {
		count_failure();
		return NULL;
	}
	return __alloc_pages(order);
}

struct page *alloc_page(void)
{
	return alloc_pages(0);
}

struct page *alloc_page_zeroed(void)
{
	struct page *page = alloc_pages(0);

	if (page)
		clear_page(page_address(page));
	return page;
}

/*
 * A free page carries no flags: PG_buddy or PG_pcp here is a double free, others an owner's
 * page. Checked under a lock that the first free of the same page would also hold (zone_lock,
 * or the list of the CPU that frees), so most racing double frees are caught too.
 */
static void check_free(struct page *page, const char *who)
{
	if (page->flags)
		panic("%s: pfn %#llx has flags %#llx (double free, or still owned)", who,
		      (unsigned long long)page_to_pfn(page), (unsigned long long)page->flags);
}

/* Onto this CPU's list; past PCP_HIGH, the coldest PCP_BATCH go back to the buddy. */
static void free_pcp_pages(struct page **pages, unsigned int n, const char *who)
{
	unsigned long flags = local_irq_save();
	struct per_cpu_pages *pcp = pcp_lock_this_cpu();

	for (unsigned int i = 0; i < n; i++) {
		check_free(pages[i], who);
		pages[i]->refcount = 0;
		pages[i]->flags = PG_pcp;
		list_add(&pages[i]->list, &pcp->list);
	}
	pcp->count += n;
	pcp->frees += n;
	if (pcp->count > PCP_HIGH) {
		spin_lock(&zone_lock);
		while (pcp->count > PCP_HIGH)
			pcp_drain(pcp, PCP_BATCH);
		spin_unlock(&zone_lock);
	}
	spin_unlock(&pcp->lock);
	local_irq_restore(flags);
}

void free_pages(struct page *page, unsigned int order)
{
	unsigned long flags;
	int err;

	if (!page)
		return;
	if (!order) {
		free_pcp_pages(&page, 1, "free_pages");
		return;
	}
	spin_lock_irqsave(&zone_lock, flags);
	check_free(page, "free_pages");
	page->refcount = 0;
	if (!(err = buddy_free(&zone, page, order)))
		page_alloc_stats.frees++;
	spin_unlock_irqrestore(&zone_lock, flags);
	if (err)
		panic("free_pages: pfn %#llx order %u is not an allocated block",
		      (unsigned long long)page_to_pfn(page), order);
}

void free_pages_bulk(struct page **pages, unsigned int n)
{
	while (n) { /* in slices, so the list never grows far past PCP_HIGH with interrupts off */
		unsigned int k = n < PCP_BATCH ? n : PCP_BATCH;

		free_pcp_pages(pages, k, "free_pages_bulk");
		pages += k;
		n -= k;
	}
}

void free_page(struct page *page)
{
	free_pages(page, 0);
}

/* One word each, read without the lock: a snapshot that may be stale as soon as it returns. */
uint64_t nr_free_pages(void)
{
	uint64_t n = READ_ONCE(zone.free_pages);

	for (unsigned int cpu = 0; cpu < nr_cpu_ids; cpu++)
		n += READ_ONCE(per_cpu_ptr(&pcp_lists, cpu)->count);
	return n;
}

struct page_alloc_counts page_alloc_counts(void)
{
	struct page_alloc_counts c = {
		.allocs = READ_ONCE(page_alloc_stats.allocs),
		.frees = READ_ONCE(page_alloc_stats.frees),
	};

	for (unsigned int cpu = 0; cpu < nr_cpu_ids; cpu++) {
		const struct per_cpu_pages *pcp = per_cpu_ptr(&pcp_lists, cpu);

		c.allocs += READ_ONCE(pcp->allocs);
		c.frees += READ_ONCE(pcp->frees);
		c.pcp_pages += READ_ONCE(pcp->count);
		c.pcp_refills += READ_ONCE(pcp->refills);
		c.pcp_drains += READ_ONCE(pcp->drains);
	}
	return c;
}

uint64_t nr_free_blocks(unsigned int order)
{
	return order <= MAX_ORDER ? READ_ONCE(zone.nr_free[order]) : 0;
}

int page_alloc_check(void)
{
	unsigned long flags;
	int err;

	spin_lock_irqsave(&zone_lock, flags);
	err = buddy_check(&zone);
	spin_unlock_irqrestore(&zone_lock, flags);
	return err;
}

void clear_page(void *va)
{
	uint64_t *p = va;

	for (unsigned int i = 0; i < PAGE_SIZE / sizeof(*p); i++)
		p[i] = 0;
}
