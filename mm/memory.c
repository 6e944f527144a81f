/*
 * The page tables of an address space (mm/memory.h). The user half's tables hang below PML4
 * entries 0..255; they are made on demand by faults and freed by munmap once no VMA covers
 * their range (free_pgtables), through the mmu_gather.
 *
 * Lock order: mm/rmap.c's (mmap_lock or i_mmap_lock, then page_table_lock, then zone_lock for a
 * table or a batch; copy_page_range takes the child's page_table_lock, then the parent's; the zap of a dirty shared file entry takes the mapping's lock inside
 * page_table_lock, in set_page_dirty). A lockless walker (mm/gup_fast.c) takes none of them: a new table is zeroed
 * before the entry that links it is stored (release), and an unlinked table is freed a grace period
 * later.
 */
#include "mm/memory.h"
#include "mm/mm.h"
#include "mm/vma.h"
#include "mm/mmu_gather.h"
#include "mm/page.h"
#include "mm/pgtable.h"
#include "mm/rmap.h"
#include "mm/filemap.h"
#include "kernel/locking/mutex.h"
#include "mm/writeback.h"
#include "kernel/delay_point.h"
#include "kernel/preemptoff.h"
#include "kernel/panic.h"
#include "mm/tlb.h"
#include "lib/atomic.h"
#include "lib/errno.h"

struct page *zero_page;
bool debug_vm;
static atomic64_t user_pages;

/* Pages mapped into address spaces right now (the zero page not counted). */
uint64_t nr_user_pages(void)
{
	return (uint64_t)atomic64_read(&user_pages);
}

void count_user_page(int delta)
{
	atomic64_add_return(delta, &user_pages);
}

/* Table entries above the leaves allow everything; the leaf entry decides. */
#define TABLE_FLAGS (PTE_P | PTE_W | PTE_U)

/* The level-1 entry (4 KiB page) for va, creating the tables above it when alloc is set.
   NULL when a table is missing (and not alloc) or out of memory. Holds page_table_lock. */
pte_t *mm_pte(struct mm *mm, uint64_t va, bool alloc)
{
	pte_t *table = mm->pml4;

	for (int level = 4; level > 1; level--) {
		pte_t *e = &table[pt_index(va, level)];
		pte_t v = READ_ONCE(*e);

		if (!pte_present(v)) {
			phys_addr_t pa;

			if (!alloc || !(pa = pgtable_alloc()))
				return NULL;
			mm->nr_pgtables++;
			v = pa | TABLE_FLAGS;
			/* Release: the zeroed table before the entry that links it; pairs with the
			   acquire load in gup_fast_walk(), which reads the table without our lock. */
			__atomic_store_n(e, v, __ATOMIC_RELEASE);
		}
		table = phys_to_virt(pte_addr(v));
	}
	return &table[pt_index(va, 1)];
}

void (*zap_table_hook)(struct mm *mm);

static DEFINE_SLEEPING_DELAY_POINT(
	dp_zap_unlocked, "zap-unlocked",
	"zap: entries cleared, page_table_lock dropped, the TLB flush not yet done");

static uint64_t next_boundary(uint64_t va, uint64_t size)
{
	return (va + size) & ~(size - 1);
}

/*
 * Clears the entries of [va, end), which lie in one page table (pte is va's entry), until the
 * gather is full. Returns where it stopped; *written is set when shared says the VMA maps a file
 * shared and an entry cleared was writable or dirty. The loop keeps its counts in registers and
 * tells the gather and the mm once at the end: it runs for every page of every munmap.
 */
static uint64_t zap_pte_range(struct mmu_gather *tlb, struct mm *mm, pte_t *pte, uint64_t va,
			      uint64_t end, bool shared, bool *full, bool *written)
{
	uint64_t lo = 0, hi = 0; /* the entries cleared: [lo, hi), empty while hi == 0 */
	uint64_t pages = 0;
	bool stop = false, w = false;

	for (; va < end && !stop; va += PAGE_SIZE, pte++) {
		pte_t e = READ_ONCE(*pte);
		struct page *page;

		if (!pte_present(e) && !(e & PTE_PROTNONE))
			continue;
		page = phys_to_page(pte_addr(e));
		if (shared) {
			/* One atomic exchange: a dirty bit the hardware sets after a plain read
			   would be lost with the write it records. The page learns it from the
			   entry, as Linux's zap_pte_range does: without write notification it is
			   the only place the write left a trace. */
			e = __atomic_exchange_n(pte, 0, __ATOMIC_SEQ_CST);
			if ((e & PTE_D) && set_page_dirty(page))
				count_pte_dirty_found(1);
			w |= e & (PTE_W | PTE_D);
		} else {
			WRITE_ONCE(*pte, 0);
		}
		pages += page != zero_page;
		if (!hi)
			lo = va;
		hi = va + PAGE_SIZE;
		stop = __tlb_remove_page(tlb, page);
	}
	if (hi)
		tlb_note_range(tlb, lo, hi);
	mm->nr_pages -= pages;
	*full = stop;
	*written |= w;
	return va;
}

/* page_table_lock, around the holds the unmap makes: timed while kernel/preemptoff.h traces. */
static void ptl_lock(struct mm *mm)
{
	spin_lock(&mm->page_table_lock);
	trace_lock_acquired();
}

static void ptl_unlock(struct mm *mm)
{
	trace_lock_released();
	spin_unlock(&mm->page_table_lock);
}

/*
 * Clears the entries of [start, end) in vma and gathers their pages; the gather flushes and
 * frees when it fills, else the caller's tlb_finish_mmu does. Takes page_table_lock for one page
 * table at a time, as Linux's per-table lock is taken (zap_pte_range): preemption comes back
 * at least every 512 entries. The caller holds mmap_lock or i_mmap_lock, which keep vma and its
 * tables.
 *
 * The flush waits for other CPUs, so it runs out of page_table_lock, but for one case: a
 * writable (or dirty) entry of a shared file page. Until the flush, another thread of this mm
 * can still write the page through its TLB. Writeback on a third CPU may meanwhile take the
 * page's dirty bit and call page_mkclean, which finds no entry left to clean, sends no
 * shootdown, and writes the page: a write landing after that is in a page marked clean, and
 * never reaches the disk. Flushing before the lock is dropped closes that window, since
 * page_mkclean takes the same lock to look at the entry (mm/rmap.c): either it comes first and
 * cleans the entry itself, or it comes after the flush, when no CPU can write the page any
 * more. The page stays counted in the reverse map until the gather frees it, after the flush,
 * so page_mkclean does look. This is Linux's "mm: delay page_remove_rmap() until after the TLB
 * has been flushed" (6.1). vm counts these flushes (flushes under page_table_lock).
 */
void zap_page_range(struct mmu_gather *tlb, struct vm_area *vma, uint64_t start, uint64_t end)
{
	struct mm *mm = vma->mm;
	uint64_t va = start;
	bool shared = vma->file && (vma->flags & MAP_SHARED);
	/* torture writeback's broken variant: the flush after the unlock */
	bool flush_locked = READ_ONCE(dirty_broken) != DIRTY_BROKEN_ZAP_FLUSH_UNLOCKED;

	tlb_start_vma(tlb);
	while (va < end) {
		bool full = false, written = false;
		pte_t *pte = NULL;

		ptl_lock(mm);
		/* Skip the holes (no table: nothing mapped up to the next one), then clear the
		   entries of one page table, whose entries up to its end are consecutive. */
		while (va < end && !(pte = mm_pte(mm, va, false)))
			va = next_boundary(va, PAGE_SIZE_2M) < end ? next_boundary(va, PAGE_SIZE_2M)
								   : end;
		if (pte) {
			uint64_t table_end = next_boundary(va, PAGE_SIZE_2M);

			if (table_end > end)
				table_end = end;
			va = zap_pte_range(tlb, mm, pte, va, table_end, shared, &full, &written);
			/* The 2.6.38 gather flushes here, inside the walk, and goes on. */
			while (unlikely(full && tlb->variant) && va < table_end &&
			       tlb_flush_in_walk_variant(tlb)) {
				full = false;
				va = zap_pte_range(tlb, mm, mm_pte(mm, va, false), va, table_end,
						   shared, &full, &written);
			}
			if (unlikely(READ_ONCE(zap_table_hook)))
				zap_table_hook(mm);
		}
		if (written && flush_locked)
			tlb_flush_mmu_tlbonly(tlb);
		ptl_unlock(mm);
		delay_point(&dp_zap_unlocked);
		if (full) /* out of the lock: the flush waits for other CPUs */
			tlb_flush_mmu(tlb);
	}
	tlb_end_vma(tlb);
}

static DEFINE_SLEEPING_DELAY_POINT(
	dp_copy_wrprotected, "copy-wrprotected",
	"dup_mm: the parent's entries of a VMA write-protected, its TLB flush not yet done");

/*
 * With both page_table_locks: the child's copy of one present (or mprotect-hidden) entry e of
 * the parent, whose entry is *src. A private writable entry becomes read-only in the parent
 * too (a compare-and-exchange, so a dirty bit the hardware sets meanwhile stays); *wrprotected
 * says a flush is owed. Every page gains the child's reference, a cache page its mapcount.
 */
static pte_t copy_one_pte(struct mm *dst, pte_t *src, pte_t e, bool private, bool *wrprotected)
{
	struct page *page = phys_to_page(pte_addr(e));

	if (page == zero_page)
		return e;
	get_page(page);
	if (page_is_file_mapped(page))
		page_add_file_rmap(page);
	if (private && (e & PTE_W)) {
		while (!__atomic_compare_exchange_n(src, &e, e & ~PTE_W, false, __ATOMIC_SEQ_CST,
						    __ATOMIC_RELAXED))
			;
		e &= ~PTE_W;
		*wrprotected = true;
	}
	dst->nr_pages++;
	count_user_page(1);
	return e;
}

/* Copies the entries of [va, end), inside one page table of the parent, into the child.
   Both locks held. Returns where it stopped: before end only when a child table could not
   be allocated. */
static uint64_t copy_pte_range(struct mm *dst, struct mm *src, uint64_t va, uint64_t end,
			       bool private, bool *wrprotected)
{
	pte_t *spte = mm_pte(src, va, false), *dtable = NULL;

	if (!spte)
		return end; /* a hole: nothing mapped in this table */
	for (; va < end; va += PAGE_SIZE, spte++) {
		pte_t e = READ_ONCE(*spte), *dpte;

		if (!pte_present(e) && !(e & PTE_PROTNONE))
			continue;
		if (!dtable) { /* made at the first entry to copy: the child's table of va */
			if (!(dpte = mm_pte(dst, va, true)))
				return va;
			dtable = dpte - pt_index(va, 1);
		}
		dtable[pt_index(va, 1)] = copy_one_pte(dst, spte, e, private, wrprotected);
	}
	return end;
}

/*
 * copy_page_range - fork's copy of the entries of src_vma into dst_vma, a copy of it in a new
 * mm (dup_mmap, mm/mmap.c). Both mmap_locks are held for writing, so no fault changes the
 * parent's entries meanwhile; only the hardware (dirty bits) and stale TLBs of its threads on
 * other CPUs can still write. Private writable pages become read-only on both sides (the
 * write-protect fault copies, mm/fault.c); this returns only after the parent's TLBs are
 * flushed, so a parent thread's write after dup_mm returns faults and goes to its own copy,
 * never to the page the child sees. Shared anonymous entries are copied as they are. Shared
 * file VMAs get no entries (Linux's vma_needs_copy): the child faults the cache pages in
 * again, through the write notification that tracks their dirtiness.
 *
 * Lock order: the child's page_table_lock, then the parent's (as Linux's copy_pte_range). One
 * page table at a time, as the zap does, so preemption comes back every 512 entries.
 * 0, or -ENOMEM when a child table could not be allocated: what was copied stays, for the
 * caller's mmput of the child to release.
 */
int copy_page_range(struct vm_area *dst_vma, struct vm_area *src_vma)
{
	struct mm *dst = dst_vma->mm, *src = src_vma->mm;
	bool private = src_vma->flags & MAP_PRIVATE, wrprotected = false;
	uint64_t va = src_vma->start;
	int err = 0;

	if (src_vma->file && !private)
		return 0;
	while (va < src_vma->end && !err) {
		uint64_t table_end = next_boundary(va, PAGE_SIZE_2M), at;

		if (table_end > src_vma->end)
			table_end = src_vma->end;
		spin_lock(&dst->page_table_lock);
		spin_lock(&src->page_table_lock);
		at = copy_pte_range(dst, src, va, table_end, private, &wrprotected);
		spin_unlock(&src->page_table_lock);
		spin_unlock(&dst->page_table_lock);
		if (at < table_end)
			err = -ENOMEM;
		va = table_end;
	}
	delay_point(&dp_copy_wrprotected);
	if (wrprotected) /* out of the locks: the shootdown waits for the other CPUs */
		flush_tlb_range(src, src_vma->start, src_vma->end);
	return err;
}

/*
 * unmap_mapping_pages - truncate: removes every entry, in every mapping of m, of file pages at
 * index first and beyond (private copies too, as Linux's truncate does). Call after
 * truncate_inode_pages: a fault that races maps nothing the cache no longer holds
 * (filemap_fault checks). Takes i_mmap_lock (a mutex: the zaps and their flushes run
 * preemptible), then each mm's page_table_lock; runs without mmap_lock (mm/rmap.c says why
 * i_mmap_lock is enough). Sleeps.
 */
void unmap_mapping_pages(struct address_space *m, uint64_t first)
{
	struct vm_area *vma;

	mutex_lock(&m->i_mmap_lock);
	list_for_each_entry(vma, &m->i_mmap, shared) {
		uint64_t pages = (vma->end - vma->start) / PAGE_SIZE, start = vma->start;
		struct mmu_gather tlb;

		if (vma->pgoff + pages <= first)
			continue;
		if (first > vma->pgoff)
			start += (first - vma->pgoff) * PAGE_SIZE;
		tlb_gather_mmu(&tlb, vma->mm);
		zap_page_range(&tlb, vma, start, vma->end);
		tlb_finish_mmu(&tlb);
	}
	mutex_unlock(&m->i_mmap_lock);
}

/*
 * A table is freed once no VMA overlaps its range, and every table's range overlaps a VMA
 * until then (faults make tables only inside VMAs; every munmap frees the tables it left
 * without one). So when munmap of [start, end) frees a table, its entries outside that range
 * are empty already: their VMAs went in earlier munmaps, whose zaps cleared them and whose
 * free_pgtables freed the tables below them. The walk reads only the entries in the range;
 * with debug_vm it checks the rest, all 512, as Linux's CONFIG_DEBUG_VM checks would.
 */
static void check_outside_empty(const pte_t *t, unsigned int first, unsigned int last,
				uint64_t base, int level)
{
	for (unsigned int i = 0; i < PT_ENTRIES; i++)
		if ((i < first || i > last) && t[i])
			panic("free_pgtables: a level-%d entry at %#llx is outside every VMA",
			      level, (unsigned long long)(base + i * pt_level_size(level)));
}

/* Unlinked already: hands the table at this level (mapping from base on) and every table
   below it to the gather. Only the entries that overlap [start, end) can be in use. */
static void free_subtree(struct mmu_gather *tlb, struct mm *mm, phys_addr_t table, int level,
			 uint64_t base, uint64_t start, uint64_t end)
{
	pte_t *t = phys_to_virt(table);
	uint64_t size = pt_level_size(level), span = PT_ENTRIES * size;
	unsigned int first = start > base ? (start - base) / size : 0;
	unsigned int last = end < base + span ? (end - 1 - base) / size : PT_ENTRIES - 1;

	if (debug_vm)
		check_outside_empty(t, first, last, base, level);
	for (unsigned int i = first; i <= last; i++) {
		if (!t[i])
			continue;
		if (level == 1) /* the zap cleared every entry a VMA covered */
			panic("free_pgtables: a page is still mapped at %#llx, which no VMA covers",
			      (unsigned long long)(base + i * size));
		free_subtree(tlb, mm, pte_addr(t[i]), level - 1, base + i * size, start, end);
	}
	mm->nr_pgtables--;
	tlb_remove_table(tlb, table, base);
}

/* The entries of a table at this level (4 = the PML4) that overlap [start, end). */
static void free_below(struct mmu_gather *tlb, struct mm *mm, pte_t *table, int level,
		       uint64_t base, uint64_t start, uint64_t end)
{
	uint64_t size = pt_level_size(level);

	for (uint64_t eb = base + (start - base) / size * size; eb < end; eb += size) {
		pte_t *e = &table[pt_index(eb, level)];
		pte_t v = READ_ONCE(*e);

		if (!pte_present(v))
			continue;
		if (vma_range_free(mm, eb, eb + size)) {
			WRITE_ONCE(*e, 0);
			free_subtree(tlb, mm, pte_addr(v), level - 1, eb, start, end);
		} else if (level > 2) {
			free_below(tlb, mm, phys_to_virt(pte_addr(v)), level - 1, eb,
				   start > eb ? start : eb, end < eb + size ? end : eb + size);
		}
	}
}

/* Unlinks and hands to tlb every page table that overlaps [start, end) and whose range no VMA
   uses any more. Takes page_table_lock. */
void free_pgtables(struct mmu_gather *tlb, struct mm *mm, uint64_t start, uint64_t end)
{
	ptl_lock(mm);
	free_below(tlb, mm, mm->pml4, 4, 0, start, end);
	ptl_unlock(mm);
}
