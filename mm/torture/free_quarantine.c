/*
 * The page and table quarantines (mm/torture/free_quarantine.h), hooked into the free path of
 * mm/memory.c while they are open.
 *
 * Lock order: quarantine_lock is a leaf (taken under page_table_lock, by frees from the zap).
 */
#include "mm/torture/free_quarantine.h"
#include "mm/swap.h"
#include "mm/page.h"
#include "mm/page_alloc.h"
#include "mm/pgtable.h"
#include "kernel/rcu/rcu.h"
#include "kernel/locking/spinlock.h"
#include "lib/atomic.h"
#include "lib/list.h"

static DEFINE_SPINLOCK(quarantine_lock);
static LIST_HEAD(page_quarantine);
static LIST_HEAD(table_quarantine);

static void quarantine_pages(struct page **pages, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		uint64_t *p = page_address(pages[i]);

		for (unsigned int w = 0; w < PAGE_SIZE / sizeof(*p); w++)
			WRITE_ONCE(p[w], USER_PAGE_POISON);
		spin_lock(&quarantine_lock);
		list_add_tail(&pages[i]->list, &page_quarantine);
		spin_unlock(&quarantine_lock);
	}
}

/* Read as a page-table entry, the poison is not present (P clear) and hides no page
   (PTE_PROTNONE clear): a walk that reads it stops there. */
_Static_assert(!(USER_PGTABLE_POISON & (PTE_P | PTE_PROTNONE)), "the poison must not map");

static void quarantine_table(phys_addr_t table)
{
	struct page *page = phys_to_page(table);
	uint64_t *p = page_address(page);

	/* Freed as a table first, then poisoned: smp_wmb() pairs with the acquire load of the
	   entry in gup_fast_walk() (mm/gup_fast.c), so a walker that reads the poison sees
	   PG_pgtable gone. */
	WRITE_ONCE(page->flags, page->flags & ~PG_pgtable);
	smp_wmb();
	for (unsigned int i = 0; i < PAGE_SIZE / sizeof(*p); i++)
		WRITE_ONCE(p[i], USER_PGTABLE_POISON);
	atomic64_add_return(-1, &pgtable_pages);
	spin_lock(&quarantine_lock);
	list_add_tail(&page->list, &table_quarantine);
	spin_unlock(&quarantine_lock);
}

/* Frees the pages of a closed quarantine. Returns how many had a word other than poison;
   *kept says how many there were. */
static unsigned int free_quarantined(struct list_head *pages, uint64_t poison, unsigned int *kept)
{
	unsigned int written = 0, n = 0;
	struct page *page, *tmp;

	list_for_each_entry_safe(page, tmp, pages, list) {
		const uint64_t *p = page_address(page);

		for (unsigned int i = 0; i < PAGE_SIZE / sizeof(*p); i++)
			if (p[i] != poison) {
				written++;
				break;
			}
		list_del(&page->list);
		free_page(page);
		n++;
	}
	*kept = n;
	return written;
}

void user_page_quarantine_open(void)
{
	WRITE_ONCE(free_user_pages_hook, quarantine_pages);
}

unsigned int user_page_quarantine_close(unsigned int *kept)
{
	LIST_HEAD(pages);

	spin_lock(&quarantine_lock);
	WRITE_ONCE(free_user_pages_hook, NULL);
	list_splice_init(&page_quarantine, &pages);
	spin_unlock(&quarantine_lock);
	return free_quarantined(&pages, USER_PAGE_POISON, kept);
}

void user_pgtable_quarantine_open(void)
{
	WRITE_ONCE(free_user_pgtable_hook, quarantine_table);
}

unsigned int user_pgtable_quarantine_close(unsigned int *kept)
{
	LIST_HEAD(tables);

	spin_lock(&quarantine_lock);
	WRITE_ONCE(free_user_pgtable_hook, NULL);
	list_splice_init(&table_quarantine, &tables);
	spin_unlock(&quarantine_lock);
	synchronize_rcu(); /* a walker inside one of them is out now: none can reach them */
	return free_quarantined(&tables, USER_PGTABLE_POISON, kept);
}
