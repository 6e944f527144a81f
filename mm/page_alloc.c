/*
 * The kernel's page allocator (see page_alloc.h): mem_map, one buddy zone over all of it, the
 * counters, fault injection. mem_map covers frame 0 to the end of RAM; everything that is not
 * free RAM at boot (holes, firmware areas, the first 1 MiB, the kernel image, the early
 * allocations including mem_map itself) is PG_reserved and never enters the free lists.
 *
 * Locking: zone_lock covers the zone (the buddy free lists, which mm/buddy.c keeps without
 * locks of its own) and page_alloc_stats. It is taken with interrupts off, because an interrupt
 * handler (an IPI's function) may allocate. Callers such as slab and vmap may hold their own
 * lock when they call in; zone_lock is always the innermost, and nothing here takes another.
 */
#include "mm/page_alloc.h"
#include "mm/page.h"
#include "mm/buddy.h"
#include "mm/memmap.h"
#include "mm/fault_inject.h"
#include "mm/scrub.h"
#include "kernel/printk.h"
#include "kernel/panic.h"
#include "kernel/spinlock.h"
#include "arch/x86_64/tsc.h"
#include "arch/x86_64/cpu.h"

struct page *mem_map;
uint64_t max_pfn;
struct page_alloc_stats page_alloc_stats;

static struct buddy_zone zone;
static DEFINE_SPINLOCK(zone_lock);
static bool ready;

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

struct page *__alloc_pages(unsigned int order)
{
	unsigned long flags;
	struct page *page;

	spin_lock_irqsave(&zone_lock, flags);
	page = buddy_alloc(&zone, order);
	if (page) {
		page->refcount = 1;
		page_alloc_stats.allocs++;
	} else {
		page_alloc_stats.failures++;
	}
	spin_unlock_irqrestore(&zone_lock, flags);
	if (page)
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

/* Zone lock held: frees one block; false if it was not an allocated block. */
static bool free_locked(struct page *page, unsigned int order)
{
	/*
	 * A free page carries no flags: PG_buddy here is a double free, others an owner's page.
	 * Checked under the lock, so a double free racing with the first one is caught too.
	 */
	if (page->flags)
		panic("free_pages: pfn %#llx has flags %#llx (double free, or still owned)",
		      (unsigned long long)page_to_pfn(page), (unsigned long long)page->flags);
	page->refcount = 0;
	if (buddy_free(&zone, page, order))
		return false;
	page_alloc_stats.frees++;
	return true;
}

void free_pages(struct page *page, unsigned int order)
{
	unsigned long flags;
	bool ok;

	if (!page)
		return;
	spin_lock_irqsave(&zone_lock, flags);
	ok = free_locked(page, order);
	spin_unlock_irqrestore(&zone_lock, flags);
	if (!ok)
		panic("free_pages: pfn %#llx order %u is not an allocated block",
		      (unsigned long long)page_to_pfn(page), order);
}

void free_pages_bulk(struct page **pages, unsigned int n)
{
	unsigned long flags;
	unsigned int i;

	spin_lock_irqsave(&zone_lock, flags);
	for (i = 0; i < n && free_locked(pages[i], 0); i++)
		;
	spin_unlock_irqrestore(&zone_lock, flags);
	if (i < n)
		panic("free_pages_bulk: pfn %#llx is not an allocated page",
		      (unsigned long long)page_to_pfn(pages[i]));
}

void free_page(struct page *page)
{
	free_pages(page, 0);
}

/* One word each, read without the lock: a snapshot that may be stale as soon as it returns. */
uint64_t nr_free_pages(void)
{
	return READ_ONCE(zone.free_pages);
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

uint64_t page_to_pfn(const struct page *page)
{
	return (uint64_t)(page - mem_map);
}

struct page *pfn_to_page(uint64_t pfn)
{
	return &mem_map[pfn];
}

bool pfn_valid(uint64_t pfn)
{
	return pfn < max_pfn;
}

phys_addr_t page_to_phys(const struct page *page)
{
	return page_to_pfn(page) << PAGE_SHIFT;
}

struct page *phys_to_page(phys_addr_t pa)
{
	return pfn_to_page(pa >> PAGE_SHIFT);
}

void *page_address(const struct page *page)
{
	return phys_to_virt(page_to_phys(page));
}

struct page *virt_to_page(const void *va)
{
	return phys_to_page(virt_to_phys(va));
}
