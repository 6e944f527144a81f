/*
 * Kernel stacks in the vmap area (see vmap.h). A bitmap says which slots are taken. The top of
 * a stack of n pages is slot base + (n + 1) pages, so the top alone tells vmap_stack_free the
 * slot and the size.
 *
 * Locking: vmap_lock (taken with interrupts off) covers the slot bitmap; a stack's pages are
 * mapped and unmapped while it is held. The page tables themselves are serialised inside
 * map_page/unmap_page by pgtable_lock (mm/pgtable.c), which also guards them against
 * ioremap and other kernel mappings outside the stack area. Lock order: vmap_lock, then
 * pgtable_lock, then zone_lock (mm/page_alloc.c); zone_lock is also taken directly inside
 * vmap_lock for the stack pages.
 *
 * TLB: another CPU may still have a freed stack's pages in its TLB (kernel mappings are global,
 * PTE_G, and survive CR3 loads). The slot's addresses go to the next stack and its frames back
 * to the page allocator, so such an entry would let that CPU reach memory that now belongs to
 * someone else. vmap_stack_free therefore flushes the range on every online CPU, with the lock
 * released (other CPUs must be able to take interrupts and the lock meanwhile), and only then
 * frees the frames and the slot.
 */
#include "mm/vmap.h"
#include "mm/pgtable.h"
#include "mm/page_alloc.h"
#include "kernel/panic.h"
#include "kernel/smp.h"
#include "kernel/locking/spinlock.h"
#include "arch/x86_64/cpu.h"

static uint64_t slot_map[VMAP_STACK_SLOTS / 64]; /* bit set = slot taken */
static unsigned int slots_in_use;
static DEFINE_SPINLOCK(vmap_lock);

/* A range of stack pages to flush from a TLB. */
struct tlb_range {
	uint64_t start;
	unsigned int pages;
};

static int take_slot(void)
{
	for (unsigned int w = 0; w < ARRAY_SIZE(slot_map); w++) {
		if (slot_map[w] == ~0UL)
			continue;
		unsigned int bit = __builtin_ctzl(~slot_map[w]);
		WRITE_ONCE(slot_map[w], slot_map[w] | 1UL << bit);
		WRITE_ONCE(slots_in_use, slots_in_use + 1);
		return w * 64 + bit;
	}
	return -1;
}

static void put_slot(unsigned int slot)
{
	WRITE_ONCE(slot_map[slot / 64], slot_map[slot / 64] & ~(1UL << (slot % 64)));
	WRITE_ONCE(slots_in_use, slots_in_use - 1);
}

static uint64_t slot_base(unsigned int slot)
{
	return VMAP_BASE + (uint64_t)slot * VMAP_STACK_SLOT_SIZE;
}

/*
 * Unmaps pages [1, n] of a slot (page 0 is the guard) and returns their frames in frames[].
 * unmap_page flushes only this CPU's TLB. Called with vmap_lock held.
 */
static void unmap_stack_pages(uint64_t base, unsigned int n, phys_addr_t *frames)
{
	for (unsigned int i = 1; i <= n; i++) {
		uint64_t va = base + i * PAGE_SIZE;

		if (!pgtable_translate(kernel_pml4, va, &frames[i - 1], NULL))
			panic("vmap: stack page %#llx is not mapped", (unsigned long long)va);
		unmap_page(kernel_pml4, va);
	}
}

static void free_frames(const phys_addr_t *frames, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		free_page(phys_to_page(frames[i]));
}

/* Runs on each CPU (by IPI, interrupts off): drops the range from this CPU's TLB. */
static void flush_tlb_range_here(void *arg)
{
	const struct tlb_range *r = arg;

	for (unsigned int i = 0; i < r->pages; i++)
		invlpg(r->start + i * PAGE_SIZE);
}

/*
 * Flushes an unmapped range from every online CPU's TLB, this one included: the caller may
 * have moved to another CPU since unmap_page flushed the one it ran on. on_each_cpu waits for
 * the other CPUs, so it needs interrupts on. With interrupts off the only safe case is a single
 * CPU online (early boot), whose TLB unmap_page has flushed already; with others online it
 * could deadlock, so it panics.
 */
static void flush_tlb_range_all(uint64_t start, unsigned int pages)
{
	struct tlb_range r = {start, pages};

	if (!(read_rflags() & RFLAGS_IF)) {
		if (num_online_cpus() > 1)
			panic("vmap_stack_free: interrupts off with %u CPUs online, cannot flush "
			      "their TLBs (free stacks with interrupts on)",
			      num_online_cpus());
		return;
	}
	on_each_cpu(flush_tlb_range_here, &r, true);
}

void *vmap_stack_alloc(unsigned int pages)
{
	phys_addr_t frames[VMAP_STACK_MAX_PAGES];
	unsigned long flags;
	uint64_t base;
	int slot;

	if (pages == 0 || pages > VMAP_STACK_MAX_PAGES)
		return NULL;
	spin_lock_irqsave(&vmap_lock, flags);
	slot = take_slot();
	if (slot < 0) {
		spin_unlock_irqrestore(&vmap_lock, flags);
		return NULL;
	}
	base = slot_base(slot);
	for (unsigned int i = 1; i <= pages; i++) {
		struct page *page = alloc_page();

		if (!page || map_page(kernel_pml4, base + i * PAGE_SIZE, page_to_phys(page),
				      PTE_W | PTE_NX | PTE_G)) {
			/*
			 * Nobody has seen this address yet, so no other CPU had a reason to
			 * load it into its TLB: this CPU's flush (in unmap_page) is enough.
			 */
			free_page(page);
			unmap_stack_pages(base, i - 1, frames);
			put_slot(slot);
			spin_unlock_irqrestore(&vmap_lock, flags);
			free_frames(frames, i - 1);
			return NULL;
		}
	}
	spin_unlock_irqrestore(&vmap_lock, flags);
	return (void *)(base + (pages + 1) * PAGE_SIZE);
}

void vmap_stack_free(void *top)
{
	phys_addr_t frames[VMAP_STACK_MAX_PAGES];
	uint64_t t = (uint64_t)top, slot, base, pages;
	unsigned long flags;

	if (t <= VMAP_BASE || t > slot_base(VMAP_STACK_SLOTS) || !IS_ALIGNED(t, PAGE_SIZE))
		panic("vmap_stack_free: %p is not in the stack area", top);
	slot = (t - 1 - VMAP_BASE) / VMAP_STACK_SLOT_SIZE; /* the top may end its slot */
	base = slot_base(slot);
	pages = (t - base) / PAGE_SIZE - 1;
	spin_lock_irqsave(&vmap_lock, flags);
	if (pages == 0 || !(slot_map[slot / 64] & (1UL << (slot % 64))))
		panic("vmap_stack_free: %p is not the top of an allocated stack", top);
	unmap_stack_pages(base, pages, frames);
	spin_unlock_irqrestore(&vmap_lock, flags);
	/* The slot stays taken and the frames allocated until no TLB can reach them. */
	flush_tlb_range_all(base + PAGE_SIZE, pages);
	free_frames(frames, pages);
	spin_lock_irqsave(&vmap_lock, flags);
	put_slot(slot);
	spin_unlock_irqrestore(&vmap_lock, flags);
}

unsigned int vmap_stacks_in_use(void)
{
	return READ_ONCE(slots_in_use);
}

/* Without the lock: the fault and panic paths call it, and must not wait for one. */
bool vmap_is_guard_page(uint64_t addr)
{
	uint64_t off = addr - VMAP_BASE;
	unsigned int slot = (unsigned int)(off / VMAP_STACK_SLOT_SIZE);

	if (addr < VMAP_BASE || slot >= VMAP_STACK_SLOTS)
		return false;
	return off % VMAP_STACK_SLOT_SIZE < PAGE_SIZE &&
	       ((READ_ONCE(slot_map[slot / 64]) >> (slot % 64)) & 1);
}
