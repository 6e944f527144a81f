/*
 * Slab caches and kmalloc (see slab.h). A slab is one page from the buddy allocator; its
 * struct page says which cache owns it (slab_cache), how many objects are out (slab_inuse) and
 * which are free, in a free map with one bit per object (set = free). When a slab has at most
 * 64 objects the map is the page's slab_freemap word; otherwise it sits at the start of the
 * slab page itself, before object 0. Keeping the free state out of the objects leaves every
 * byte of a free object to the poison pattern.
 *
 * A cache keeps its slabs on two lists: partial (some object free) and full. An allocation
 * takes the lowest free object of the first partial slab, making a new slab when there is
 * none. A slab whose last object is freed goes back to the buddy allocator, unless it is the
 * cache's only one (so a cache used for one object at a time does not churn pages).
 *
 * Caches made with kmem_cache_create_percpu also keep a few free objects per CPU (struct
 * slab_cpu_cache): kmem_cache_free puts the object, poisoned, on this CPU's array, and
 * kmem_cache_alloc takes from there first, checking the poison, so a thread that allocates and
 * frees on one CPU (open and close of a file) takes no shared lock. Only when the array is
 * empty or full does the cache's lock come in. Objects on the arrays count as in use for the
 * slab (c->in_use); kmem_cache_cpu_cached says how many sit there.
 *
 * Locking, all spinlocks taken with interrupts off (an interrupt handler may allocate):
 *  - c->lock, one per cache (the kmalloc caches and cache_cache included): the cache's slab
 *    lists and counters, and the free map and in-use count of each of its slabs.
 *  - slab_caches_lock: the list of caches.
 *  - large_lock: kmalloc_large_stats.
 * Lock order: slab_caches_lock, then a cache's lock, then zone_lock (mm/page_alloc.c), which a
 * cache's lock holds while it makes a slab or gives one back. Only one cache's lock is held at
 * a time: kmem_cache_create takes its new cache from cache_cache, lets go of cache_cache's
 * lock, and only then sets the new cache up. large_lock is taken with no other lock held.
 */
#include "mm/slab.h"
#include "mm/page_alloc.h"
#include "mm/page.h"
#include "mm/fault_inject.h"
#include "kernel/panic.h"
#include "kernel/locking/spinlock.h"
#include "kernel/percpu.h"
#include "kernel/smp.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "lib/printf.h"

LIST_HEAD(slab_caches);
DEFINE_SPINLOCK(slab_caches_lock);
struct kmalloc_large_stats kmalloc_large_stats;
static DEFINE_SPINLOCK(large_lock);

static struct kmem_cache kmalloc_caches[KMALLOC_NR_CLASSES];
static struct kmem_cache cache_cache; /* where kmem_cache_create gets its caches */

#define POISON_WORD (SLAB_POISON * 0x0101010101010101UL)

/* The per-CPU arrays of the caches made with kmem_cache_create_percpu (interrupts off). */
#define SLAB_CPU_OBJS	   8
#define SLAB_PERCPU_CACHES 16
struct slab_cpu_cache {
	void *objs[SLAB_CPU_OBJS];
	unsigned int n;
};
static DEFINE_PER_CPU(struct slab_cpu_cache, slab_cpu[SLAB_PERCPU_CACHES]);
static uint32_t percpu_slots_used; /* bit i: slot i taken; under slab_caches_lock */

static uint64_t *freemap(const struct kmem_cache *c, struct page *slab)
{
	return c->freemap_in_page ? &slab->slab_freemap : page_address(slab);
}

static char *slab_object(const struct kmem_cache *c, struct page *slab, unsigned int i)
{
	return (char *)page_address(slab) + c->first_offset + i * c->slot_size;
}

static void poison(const struct kmem_cache *c, void *obj)
{
	uint64_t *w = obj;

	for (unsigned int i = 0; i < c->slot_size / 8; i++)
		w[i] = POISON_WORD;
}

/* The offset of the first byte that lost its poison, or -1 when the object is intact. */
static int poison_damage(const struct kmem_cache *c, const void *obj)
{
	const uint64_t *w = obj;

	for (unsigned int i = 0; i < c->slot_size / 8; i++) {
		if (w[i] == POISON_WORD)
			continue;
		for (unsigned int b = 0; b < 8; b++)
			if (((const uint8_t *)&w[i])[b] != SLAB_POISON)
				return i * 8 + b;
	}
	return -1;
}

/* Fixes the slab layout: slot size, objects per slab, and where the free map goes. */
static void cache_init(struct kmem_cache *c, const char *name, size_t size, size_t align)
{
	unsigned long flags;
	unsigned int n;

	memset(c, 0, sizeof(*c));
	c->cpu_slot = -1;
	strlcpy(c->name, name, sizeof(c->name));
	spin_lock_init(&c->lock, c->name);
	c->size = size;
	c->align = align < 8 ? 8 : align;
	c->slot_size = ALIGN_UP(size, c->align);
	n = PAGE_SIZE / c->slot_size;
	c->freemap_in_page = n <= 64;
	if (!c->freemap_in_page) {
		/* One bit per object in whole 8-byte words, then object 0 at its alignment. */
		while (ALIGN_UP(DIV_ROUND_UP(n, 64) * 8, c->align) + n * c->slot_size > PAGE_SIZE)
			n--;
		c->first_offset = ALIGN_UP(DIV_ROUND_UP(n, 64) * 8, c->align);
	}
	c->objs_per_slab = n;
	INIT_LIST_HEAD(&c->partial);
	INIT_LIST_HEAD(&c->full);
	spin_lock_irqsave(&slab_caches_lock, flags);
	list_add_tail(&c->list, &slab_caches);
	spin_unlock_irqrestore(&slab_caches_lock, flags);
}

/* new_slab, release_slab, take_object and put_object are called with c->lock held. */
static struct page *new_slab(struct kmem_cache *c)
{
	struct page *slab = __alloc_pages(0);
	uint64_t *map;

	if (!slab)
		return NULL;
	slab->flags |= PG_slab;
	slab->slab_cache = c;
	slab->slab_inuse = 0;
	map = freemap(c, slab);
	for (unsigned int i = 0; i < c->objs_per_slab; i += 64) {
		unsigned int left = c->objs_per_slab - i;
		map[i / 64] = left >= 64 ? ~0UL : (1UL << left) - 1;
	}
	for (unsigned int i = 0; i < c->objs_per_slab; i++)
		poison(c, slab_object(c, slab, i));
	list_add(&slab->list, &c->partial);
	c->slabs++;
	return slab;
}

static void release_slab(struct kmem_cache *c, struct page *slab)
{
	list_del(&slab->list);
	slab->flags &= ~PG_slab;
	slab->slab_cache = NULL;
	slab->slab_freemap = 0;
	c->slabs--;
	free_pages(slab, 0);
}

static void *take_object(struct kmem_cache *c)
{
	struct page *slab;
	uint64_t *map;
	unsigned int w = 0, i;
	char *obj;
	int bad;

	if (list_empty(&c->partial) && !new_slab(c)) {
		c->failures++;
		return NULL;
	}
	slab = list_first_entry(&c->partial, struct page, list);
	map = freemap(c, slab);
	while (!map[w])
		w++;
	i = w * 64 + __builtin_ctzl(map[w]);
	map[w] &= ~(1UL << (i % 64));
	obj = slab_object(c, slab, i);
	bad = poison_damage(c, obj);
	if (bad >= 0)
		panic("slab: use after free in cache %s at %p (byte %d is %#x, not %#x)", c->name,
		      obj, bad, ((uint8_t *)obj)[bad], SLAB_POISON);
	if (++slab->slab_inuse == c->objs_per_slab) {
		list_del(&slab->list);
		list_add(&slab->list, &c->full);
	}
	c->in_use++;
	c->allocs++;
	return obj;
}

/* The slab page behind a heap address; panics for an address outside the direct map. */
static struct page *heap_page(const void *p, const char *who)
{
	uint64_t a = (uint64_t)p;

	if (a < DIRECT_MAP_BASE || a >= DIRECT_MAP_BASE + max_pfn * PAGE_SIZE)
		panic("%s: %p is not a heap address", who, p);
	return virt_to_page(p);
}

static void put_object(struct kmem_cache *c, struct page *slab, void *obj)
{
	uint64_t off = (char *)obj - slab_object(c, slab, 0);
	uint64_t *map = freemap(c, slab);
	unsigned int i = off / c->slot_size;

	if ((char *)obj < slab_object(c, slab, 0) || off % c->slot_size || i >= c->objs_per_slab)
		panic("slab: %p is not an object of cache %s", obj, c->name);
	if (map[i / 64] & (1UL << (i % 64)))
		panic("slab: double free in cache %s at %p", c->name, obj);
	poison(c, obj);
	map[i / 64] |= 1UL << (i % 64);
	if (slab->slab_inuse-- == c->objs_per_slab) {
		list_del(&slab->list);
		list_add(&slab->list, &c->partial);
	}
	c->in_use--;
	c->frees++;
	if (slab->slab_inuse == 0 && c->slabs > 1)
		release_slab(c, slab);
}

static void *cache_alloc(struct kmem_cache *c)
{
	unsigned long flags;
	void *obj;

	spin_lock_irqsave(&c->lock, flags);
	obj = take_object(c);
	spin_unlock_irqrestore(&c->lock, flags);
	return obj;
}

static void cache_free(struct kmem_cache *c, struct page *slab, void *obj)
{
	unsigned long flags;

	spin_lock_irqsave(&c->lock, flags);
	put_object(c, slab, obj);
	spin_unlock_irqrestore(&c->lock, flags);
}

/* An injected failure, counted on the cache it was meant for. */
static void count_failure(struct kmem_cache *c)
{
	unsigned long flags;

	spin_lock_irqsave(&c->lock, flags);
	c->failures++;
	spin_unlock_irqrestore(&c->lock, flags);
}

/* A free object from this CPU's array, its poison checked; NULL when the array is empty. */
static void *cpu_cache_alloc(struct kmem_cache *c)
{
	unsigned long flags = local_irq_save();
	struct slab_cpu_cache *a = this_cpu_ptr(&slab_cpu[c->cpu_slot]);
	void *obj = a->n ? a->objs[--a->n] : NULL;
	int bad;

	local_irq_restore(flags);
	if (obj && (bad = poison_damage(c, obj)) >= 0)
		panic("slab: use after free in cache %s at %p (byte %d is %#x, not %#x)", c->name,
		      obj, bad, ((uint8_t *)obj)[bad], SLAB_POISON);
	return obj;
}

void *kmem_cache_alloc(struct kmem_cache *c)
{
	void *obj;

	if (alloc_should_fail()) {
		count_failure(c);
		return NULL;
	}
	if (c->cpu_slot >= 0 && (obj = cpu_cache_alloc(c)))
		return obj;
	return cache_alloc(c);
}

/*
 * Puts a poisoned object on this CPU's array; when the array is full, half of it goes back to
 * the slabs first. A second free of an object still on this CPU's array panics here; one on
 * another CPU's array is caught by the slab's free map when the arrays drain.
 */
static void cpu_cache_free(struct kmem_cache *c, struct page *slab, void *obj)
{
	void *spill[SLAB_CPU_OBJS / 2];
	struct slab_cpu_cache *a;
	unsigned int nspill = 0;
	unsigned long flags;

	flags = local_irq_save();
	a = this_cpu_ptr(&slab_cpu[c->cpu_slot]);
	for (unsigned int i = 0; i < a->n; i++)
		if (a->objs[i] == obj)
			panic("slab: double free in cache %s at %p", c->name, obj);
	if (a->n == SLAB_CPU_OBJS)
		while (nspill < SLAB_CPU_OBJS / 2)
			spill[nspill++] = a->objs[--a->n];
	poison(c, obj);
	a->objs[a->n++] = obj;
	local_irq_restore(flags);
	(void)slab;
	for (unsigned int i = 0; i < nspill; i++)
		cache_free(c, heap_page(spill[i], "kmem_cache_free"), spill[i]);
}

void *kmem_cache_zalloc(struct kmem_cache *c)
{
	void *obj = kmem_cache_alloc(c);

	if (obj)
		memset(obj, 0, c->size);
	return obj;
}

void kmem_cache_free(struct kmem_cache *c, void *obj)
{
	struct page *slab;

	if (!obj)
		return;
	slab = heap_page(obj, "kmem_cache_free");
	if (!(slab->flags & PG_slab) || slab->slab_cache != c)
		panic("kmem_cache_free: %p is not an object of cache %s", obj, c->name);
	if (c->cpu_slot >= 0)
		cpu_cache_free(c, slab, obj);
	else
		cache_free(c, slab, obj);
}

static unsigned int check_slab(struct kmem_cache *c, struct page *slab)
{
	uint64_t *map = freemap(c, slab);
	unsigned int bad = 0;

	for (unsigned int i = 0; i < c->objs_per_slab; i++)
		if ((map[i / 64] & (1UL << (i % 64))) &&
		    poison_damage(c, slab_object(c, slab, i)) >= 0)
			bad++;
	return bad;
}

unsigned int kmem_cache_check(struct kmem_cache *c)
{
	unsigned long flags;
	struct page *slab;
	unsigned int bad = 0;

	spin_lock_irqsave(&c->lock, flags);
	list_for_each_entry(slab, &c->partial, list)
		bad += check_slab(c, slab);
	spin_unlock_irqrestore(&c->lock, flags);
	return bad; /* full slabs have no free objects */
}

static bool is_kmalloc_cache(const struct kmem_cache *c)
{
	return c >= kmalloc_caches && c < kmalloc_caches + KMALLOC_NR_CLASSES;
}

struct kmem_cache *kmem_cache_create(const char *name, size_t size, size_t align)
{
	struct kmem_cache *c;

	if (size == 0 || size > PAGE_SIZE || align > PAGE_SIZE || (align & (align - 1)))
		return NULL;
	c = kmem_cache_alloc(&cache_cache);
	if (c)
		cache_init(c, name, size, align);
	return c;
}

struct kmem_cache *kmem_cache_create_percpu(const char *name, size_t size, size_t align)
{
	struct kmem_cache *c = kmem_cache_create(name, size, align);
	unsigned long flags;

	if (!c)
		return NULL;
	spin_lock_irqsave(&slab_caches_lock, flags);
	for (int i = 0; i < SLAB_PERCPU_CACHES && c->cpu_slot < 0; i++)
		if (!(percpu_slots_used & (1U << i))) {
			percpu_slots_used |= 1U << i;
			c->cpu_slot = i;
		}
	spin_unlock_irqrestore(&slab_caches_lock, flags); /* no slot left: no arrays */
	return c;
}

uint64_t kmem_cache_cpu_cached(struct kmem_cache *c)
{
	uint64_t n = 0;

	if (c->cpu_slot >= 0)
		for (unsigned int cpu = 0; cpu < nr_cpu_ids; cpu++)
			n += READ_ONCE(per_cpu(slab_cpu[c->cpu_slot], cpu).n);
	return n;
}

uint64_t slab_objects_in_use(void)
{
	uint64_t n = kmalloc_large_stats.in_use;
	struct kmem_cache *c;
	unsigned long flags;

	spin_lock_irqsave(&slab_caches_lock, flags);
	list_for_each_entry(c, &slab_caches, list)
		n += c->in_use - kmem_cache_cpu_cached(c);
	spin_unlock_irqrestore(&slab_caches_lock, flags);
	return n;
}

/* Pages the slab caches and whole-page kmalloc hold, in use or kept empty: a leak check's
   "accounted for" (torture syscalls). */
uint64_t slab_pages(void)
{
	uint64_t n = kmalloc_large_stats.pages;
	struct kmem_cache *c;
	unsigned long flags;

	spin_lock_irqsave(&slab_caches_lock, flags);
	list_for_each_entry(c, &slab_caches, list)
		n += READ_ONCE(c->slabs);
	spin_unlock_irqrestore(&slab_caches_lock, flags);
	return n;
}

/* Nobody uses the cache any more: every CPU's array goes back to the slabs. */
static void drain_cpu_caches(struct kmem_cache *c)
{
	if (c->cpu_slot < 0)
		return;
	for (unsigned int cpu = 0; cpu < nr_cpu_ids; cpu++) {
		struct slab_cpu_cache *a = &per_cpu(slab_cpu[c->cpu_slot], cpu);

		while (a->n) {
			void *obj = a->objs[--a->n];

			cache_free(c, heap_page(obj, "kmem_cache_destroy"), obj);
		}
	}
}

int kmem_cache_destroy(struct kmem_cache *c)
{
	unsigned long flags;

	if (is_kmalloc_cache(c) || c == &cache_cache)
		return -EINVAL;
	if (c->in_use > kmem_cache_cpu_cached(c))
		return -EBUSY;
	drain_cpu_caches(c);
	spin_lock_irqsave(&c->lock, flags);
	if (c->in_use) {
		spin_unlock_irqrestore(&c->lock, flags);
		return -EBUSY;
	}
	while (!list_empty(&c->partial))
		release_slab(c, list_first_entry(&c->partial, struct page, list));
	spin_unlock_irqrestore(&c->lock, flags);
	spin_lock_irqsave(&slab_caches_lock, flags);
	list_del(&c->list);
	if (c->cpu_slot >= 0)
		percpu_slots_used &= ~(1U << c->cpu_slot);
	spin_unlock_irqrestore(&slab_caches_lock, flags);
	kmem_cache_free(&cache_cache, c);
	return 0;
}

struct kmem_cache *kmalloc_cache(size_t size)
{
	unsigned int shift = 3;

	if (size == 0 || size > PAGE_SIZE)
		return NULL;
	while ((1UL << shift) < size)
		shift++;
	return &kmalloc_caches[shift - 3];
}

static void count_large_failure(void)
{
	unsigned long flags;

	spin_lock_irqsave(&large_lock, flags);
	kmalloc_large_stats.failures++;
	spin_unlock_irqrestore(&large_lock, flags);
}

static void *kmalloc_large(size_t size)
{
	unsigned int order = 0;
	unsigned long flags;
	struct page *page;

	while (order <= MAX_ORDER && (PAGE_SIZE << order) < size)
		order++;
	page = order <= MAX_ORDER ? __alloc_pages(order) : NULL;
	if (!page) {
		count_large_failure();
		return NULL;
	}
	page->flags |= PG_large_kmalloc;
	page->order = order;
	spin_lock_irqsave(&large_lock, flags);
	kmalloc_large_stats.in_use++;
	kmalloc_large_stats.allocs++;
	kmalloc_large_stats.pages += 1UL << order;
	spin_unlock_irqrestore(&large_lock, flags);
	return page_address(page);
}

void *kmalloc(size_t size)
{
	struct kmem_cache *c = kmalloc_cache(size);

	if (size == 0)
		return NULL;
	if (alloc_should_fail()) {
		if (c)
			count_failure(c);
		else
			count_large_failure();
		return NULL;
	}
	return c ? cache_alloc(c) : kmalloc_large(size);
}

void *kzalloc(size_t size)
{
	void *p = kmalloc(size);

	if (p)
		memset(p, 0, size);
	return p;
}

void kfree(const void *p)
{
	struct page *page;
	unsigned long flags;
	unsigned int order;

	if (!p)
		return;
	page = heap_page(p, "kfree");
	if (page->flags & PG_slab) {
		cache_free(page->slab_cache, page, (void *)p);
		return;
	}
	if (!(page->flags & PG_large_kmalloc) || p != page_address(page))
		panic("kfree: %p was not allocated by kmalloc", p);
	order = page->order;
	page->flags &= ~PG_large_kmalloc;
	page->order = 0;
	spin_lock_irqsave(&large_lock, flags);
	kmalloc_large_stats.in_use--;
	kmalloc_large_stats.frees++;
	kmalloc_large_stats.pages -= 1UL << order;
	spin_unlock_irqrestore(&large_lock, flags);
	free_pages(page, order);
}

size_t ksize(const void *p)
{
	struct page *page = heap_page(p, "ksize");

	if (page->flags & PG_slab)
		return page->slab_cache->slot_size;
	if (page->flags & PG_large_kmalloc)
		return PAGE_SIZE << page->order;
	panic("ksize: %p was not allocated by kmalloc", p);
}

void slab_init(void)
{
	char name[16];

	cache_init(&cache_cache, "kmem_cache", sizeof(struct kmem_cache), 8);
	for (unsigned int i = 0; i < KMALLOC_NR_CLASSES; i++) {
		size_t size = KMALLOC_MIN_SIZE << i;

		snprintf(name, sizeof(name), "kmalloc-%zu", size);
		cache_init(&kmalloc_caches[i], name, size, size);
	}
}
