/*
 * Kernel stacks in the vmap area (see vmap.h). A bitmap says which slots are taken. The top of
 * a stack of n pages is slot base + (n + 1) pages, so the top alone tells vmap_stack_free the
 * slot and the size. Single-CPU for now: the bitmap is what a vmap lock will cover.
 */
#include "mm/vmap.h"
#include "mm/pgtable.h"
#include "mm/page_alloc.h"
#include "kernel/panic.h"

static uint64_t slot_map[VMAP_STACK_SLOTS / 64]; /* bit set = slot taken */
static unsigned int slots_in_use;

static int take_slot(void)
{
	for (unsigned int w = 0; w < ARRAY_SIZE(slot_map); w++) {
		if (slot_map[w] == ~0UL)
			continue;
		unsigned int bit = __builtin_ctzl(~slot_map[w]);
		slot_map[w] |= 1UL << bit;
		slots_in_use++;
		return w * 64 + bit;
	}
	return -1;
}

static void put_slot(unsigned int slot)
{
	slot_map[slot / 64] &= ~(1UL << (slot % 64));
	slots_in_use--;
}

static uint64_t slot_base(unsigned int slot)
{
	return VMAP_BASE + (uint64_t)slot * VMAP_STACK_SLOT_SIZE;
}

/* Unmaps pages [1, n] of a slot (page 0 is the guard) and frees their frames. */
static void unmap_stack_pages(uint64_t base, unsigned int n)
{
	for (unsigned int i = 1; i <= n; i++) {
		uint64_t va = base + i * PAGE_SIZE;
		phys_addr_t pa;

		if (!pgtable_translate(kernel_pml4, va, &pa, NULL))
			panic("vmap: stack page %#llx is not mapped", (unsigned long long)va);
		unmap_page(kernel_pml4, va);
		free_page(phys_to_page(pa));
	}
}

void *vmap_stack_alloc(unsigned int pages)
{
	uint64_t base;
	int slot;

	if (pages == 0 || pages > VMAP_STACK_MAX_PAGES)
		return NULL;
	slot = take_slot();
	if (slot < 0)
		return NULL;
	base = slot_base(slot);
	for (unsigned int i = 1; i <= pages; i++) {
		struct page *page = alloc_page();

		if (!page || map_page(kernel_pml4, base + i * PAGE_SIZE, page_to_phys(page),
				      PTE_W | PTE_NX | PTE_G)) {
			free_page(page);
			unmap_stack_pages(base, i - 1);
			put_slot(slot);
			return NULL;
		}
	}
	return (void *)(base + (pages + 1) * PAGE_SIZE);
}

void vmap_stack_free(void *top)
{
	uint64_t t = (uint64_t)top, slot, base, pages;

	if (t <= VMAP_BASE || t > slot_base(VMAP_STACK_SLOTS) || !IS_ALIGNED(t, PAGE_SIZE))
		panic("vmap_stack_free: %p is not in the stack area", top);
	slot = (t - 1 - VMAP_BASE) / VMAP_STACK_SLOT_SIZE; /* the top may end its slot */
	base = slot_base(slot);
	pages = (t - base) / PAGE_SIZE - 1;
	if (pages == 0 || !(slot_map[slot / 64] & (1UL << (slot % 64))))
		panic("vmap_stack_free: %p is not the top of an allocated stack", top);
	unmap_stack_pages(base, pages);
	put_slot(slot);
}

unsigned int vmap_stacks_in_use(void)
{
	return slots_in_use;
}

bool vmap_is_guard_page(uint64_t addr)
{
	uint64_t off = addr - VMAP_BASE;
	unsigned int slot = (unsigned int)(off / VMAP_STACK_SLOT_SIZE);

	if (addr < VMAP_BASE || slot >= VMAP_STACK_SLOTS)
		return false;
	return off % VMAP_STACK_SLOT_SIZE < PAGE_SIZE && ((slot_map[slot / 64] >> (slot % 64)) & 1);
}
