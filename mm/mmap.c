/*
 * vm_mmap, vm_munmap and vm_mprotect (mm/mmap.h), and dup_mmap, fork's copy of the mappings.
 *
 * Unmapping is where the mmu_gather works: the VMAs of the range are zapped (entries cleared,
 * pages gathered, a flush and a free whenever the gather fills), then unlinked, then the page
 * tables no VMA needs any more are gathered too, and tlb_finish_mmu flushes and frees the rest.
 *
 * Lock order: mm/rmap.c's. Here mmap_lock (write), then i_mmap_lock (unlinking a file VMA),
 * then page_table_lock (mm/memory.c, mprotect below). dup_mmap takes the parent's mmap_lock,
 * then the child's (nobody else can reach the child yet), then i_mmap_lock (linking a file
 * VMA), then the two page_table_locks (mm/memory.c). msync's scan (msync_scan) holds mmap_lock
 * for reading and takes, one after the other, the mapping's lock (find_get_page), i_mmap_lock
 * then page_table_lock (page_mkclean_dirty), and the mapping's lock (set_page_dirty).
 */
#include "kernel/process.h"
#include "mm/mmap.h"
#include "mm/mm.h"
#include "mm/vma.h"
#include "mm/memory.h"
#include "mm/mmu_gather.h"
#include "mm/tlb.h"
#include "mm/rmap.h"
#include "mm/vm_file.h"
#include "mm/filemap.h"
#include "mm/writeback.h"
#include "mm/fault.h"
#include "kernel/delay_point.h"
#include "kernel/sched/sched.h"
#include "kernel/syscall.h"
#include "lib/errno.h"

#define MAP_TYPE (MAP_SHARED | MAP_PRIVATE)

static DEFINE_SLEEPING_DELAY_POINT(
	dp_mprotect_unlocked, "mprotect-unlocked",
	"mprotect: entries narrowed, page_table_lock dropped, the flush not yet done");

/* [addr, addr + len) rounded out to pages and inside the user half: 0, or the error. */
static int check_range(uint64_t addr, size_t len, uint64_t *end)
{
	uint64_t n;

	if (!len || (addr & ~PAGE_MASK))
		return -EINVAL;
	n = (len + PAGE_SIZE - 1) & PAGE_MASK;
	if (n < len) /* overflowed */
		return -ENOMEM;
	if (addr < MMAP_MIN_ADDR || addr >= USER_TOP)
		return -EINVAL;
	if (n > USER_TOP - addr)
		return -ENOMEM;
	*end = addr + n;
	return 0;
}

/* Makes VMA boundaries fall at start and end. 0 or -ENOMEM. */
static int split_at(struct mm *mm, uint64_t start, uint64_t end)
{
	struct vm_area *vma = find_vma(mm, start);

	if (vma && vma->start < start && !vma_split(vma, start))
		return -ENOMEM;
	vma = find_vma(mm, end - 1);
	if (vma && vma->end > end && !vma_split(vma, end))
		return -ENOMEM;
	return 0;
}

int do_munmap(struct mm *mm, uint64_t start, uint64_t end)
{
	struct vm_area *vma;
	struct mmu_gather tlb;
	int err;

	if (vma_range_free(mm, start, end))
		return 0;
	if ((err = split_at(mm, start, end)) != 0)
		return err;
	tlb_gather_mmu(&tlb, mm);
	while ((vma = find_vma_above(mm, start)) && vma->start < end) {
		zap_page_range(&tlb, vma, vma->start, vma->end);
		vma_unlink(vma);
		vma_free(vma);
	}
	free_pgtables(&tlb, mm, start, end);
	tlb_finish_mmu(&tlb);
	return 0;
}

/* Unmaps every page in [addr, addr + len); a range with nothing mapped is not an error. */
int vm_munmap(struct mm *mm, uint64_t addr, size_t len)
{
	uint64_t end;
	int err = check_range(addr, len, &end);

	if (err)
		return err;
	down_write(&mm->mmap_lock);
	err = do_munmap(mm, addr, end);
	up_write(&mm->mmap_lock);
	return err;
}

static int check_mmap_args(size_t len, unsigned int prot, unsigned int flags, struct vm_file *file,
			   uint64_t off)
{
	if (!len || (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC)) ||
	    (flags & ~(MAP_TYPE | MAP_FIXED | MAP_FIXED_NOREPLACE | MAP_ANONYMOUS)) ||
	    ((flags & MAP_TYPE) != MAP_SHARED && (flags & MAP_TYPE) != MAP_PRIVATE) ||
	    (off & ~PAGE_MASK))
		return -EINVAL;
	if (!file)
		return flags & MAP_ANONYMOUS ? 0 : -EINVAL;
	if (flags & MAP_ANONYMOUS)
		return -EINVAL;
	if (!file->ops)
		return -ENODEV; /* a file that cannot be mapped (a directory) */
	if (!file->readable || ((flags & MAP_SHARED) && (prot & PROT_WRITE) && !file->writable))
		return -EACCES;
	if (off / PAGE_SIZE + ((len + PAGE_SIZE - 1) / PAGE_SIZE) < off / PAGE_SIZE)
		return -EOVERFLOW;
	return 0;
}

/* Where the mapping goes: the fixed address (its old mappings removed; with
   MAP_FIXED_NOREPLACE -EEXIST if there are any), the hint when it is free, else the lowest
   gap above MMAP_BASE. 0 when there is none. */
static uint64_t place(struct mm *mm, uint64_t addr, uint64_t len, unsigned int flags, int *err)
{
	uint64_t end;

	*err = 0;
	if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
		if ((*err = check_range(addr, len, &end)) != 0)
			return 0;
		if ((flags & MAP_FIXED_NOREPLACE) && !vma_range_free(mm, addr, end))
			*err = -EEXIST;
		else
			*err = do_munmap(mm, addr, end);
		if (*err)
			return 0;
		return addr;
	}
	if (addr && !check_range(addr, len, &end) && vma_range_free(mm, addr, end))
		return addr;
	addr = vma_find_gap(mm, MMAP_BASE, len);
	if (!addr)
		*err = -ENOMEM;
	return addr;
}

/* The address mapped (a multiple of PAGE_SIZE), or a negative errno. */
int64_t vm_mmap(struct mm *mm, uint64_t addr, size_t len, unsigned int prot, unsigned int flags,
		struct vm_file *file, uint64_t off)
{
	struct vm_area *vma;
	uint64_t n;
	int err;

	if ((err = check_mmap_args(len, prot, flags, file, off)) != 0)
		return err;
	n = (len + PAGE_SIZE - 1) & PAGE_MASK;
	if (n < len || n > USER_TOP - MMAP_MIN_ADDR)
		return -ENOMEM;
	down_write(&mm->mmap_lock);
	addr = place(mm, addr, n, flags, &err);
	if (!err) {
		vma = vma_alloc(mm, addr, addr + n, prot, flags & (MAP_TYPE | MAP_ANONYMOUS));
		if (vma) {
			vma_link(vma);
			if (file) { /* page_mkclean finds it from the file from now on */
				file->ops->get(file);
				vma->file = file;
				vma->pgoff = off / PAGE_SIZE;
				vma->no_writenotify = !READ_ONCE(dirty_writenotify);
				vma->writenotify = vma_wants_writenotify(vma);
				vma_link_file(vma);
			}
		} else {
			err = -ENOMEM;
		}
	}
	up_write(&mm->mmap_lock);
	return err ? err : (int64_t)addr;
}

/*
 * PROT_NONE: the entry leaves P but keeps its page and its dirty bit. Until the flush below,
 * another CPU may still write through its TLB; page_mkclean must see such an entry, clean it
 * and flush, or writeback would take a page whose writes are not over (mm/rmap.c).
 */
static pte_t hide_entry(pte_t e)
{
	pte_t keep = PTE_D;

	if (unlikely(READ_ONCE(dirty_broken) == DIRTY_BROKEN_PROTNONE_UNSEEN))
		keep = 0; /* torture writeback's broken variant: the dirty bit is lost */
	return pte_addr(e) | PTE_PROTNONE | (e & keep);
}

/* What a present entry e becomes under prot, which lacks PROT_WRITE. */
static pte_t narrow_entry(pte_t e, unsigned int prot)
{
	if (!(prot & (PROT_READ | PROT_WRITE | PROT_EXEC)))
		return hide_entry(e); /* kept: mm/fault.c shows it again */
	return e & ~PTE_W;
}

/* With page_table_lock: narrows the entries of [start, end) to prot. True if any changed. */
static bool narrow_entries(struct mm *mm, uint64_t start, uint64_t end, unsigned int prot)
{
	bool changed = false;

	for (uint64_t va = start; va < end; va += PAGE_SIZE) {
		pte_t *pte = mm_pte(mm, va, false);
		pte_t e = pte ? READ_ONCE(*pte) : 0;

		if (!pte_present(e))
			continue;
		if (prot & PROT_WRITE)
			continue; /* widening: the next fault does it, so a VMA that wants write
				     notification still maps nothing writable before a fault */
		/* A compare-and-exchange: the hardware may set the dirty bit between our read
		   and our write, and a plain write would erase it (Linux's
		   ptep_modify_prot_start clears the entry for the same reason). */
		while (!__atomic_compare_exchange_n(pte, &e, narrow_entry(e, prot), false,
						    __ATOMIC_SEQ_CST, __ATOMIC_RELAXED))
			;
		changed = true;
	}
	return changed;
}

/* Sets the protection of [addr, addr + len), which must be mapped throughout. */
int vm_mprotect(struct mm *mm, uint64_t addr, size_t len, unsigned int prot)
{
	struct vm_area *vma;
	uint64_t end, at;
	bool changed;
	int err = check_range(addr, len, &end);

	if (err)
		return err;
	if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC))
		return -EINVAL;
	down_write(&mm->mmap_lock);
	for (at = addr; at < end; at = vma->end) { /* mapped throughout, and allowed? */
		if (!(vma = find_vma(mm, at)))
			err = -ENOMEM;
		else if ((prot & PROT_WRITE) && vma->file && (vma->flags & MAP_SHARED) &&
			 !vma->file->writable)
			err = -EACCES;
		if (err) {
			up_write(&mm->mmap_lock);
			return err;
		}
	}
	if ((err = split_at(mm, addr, end)) == 0) {
		for (at = addr; at < end; at = vma->end) {
			vma = find_vma(mm, at);
			vma->prot = prot;
			vma->writenotify = vma_wants_writenotify(vma);
		}
		spin_lock(&mm->page_table_lock);
		changed = narrow_entries(mm, addr, end, prot);
		spin_unlock(&mm->page_table_lock);
		delay_point(&dp_mprotect_unlocked);
		if (changed) /* before returning: from now on no CPU may use the old rights */
			flush_tlb_range(mm, addr, end);
	}
	up_write(&mm->mmap_lock);
	return err;
}

#define MSYNC_BATCH 8

/*
 * Without write notification (`dirty set writenotify 0`, shared mappings as before Linux
 * 2.6.19) a write through the mapping leaves its trace only in the entry's dirty bit: msync
 * moves it to the page, which writeback then writes, as Linux 2.6.18's msync_pte_range did.
 * page_mkclean_dirty takes the bit and flushes before set_page_dirty, so a write after the
 * flush sets the bit again. mmap_lock held for reading.
 */
static void msync_scan(struct vm_area *vma, uint64_t start, uint64_t end)
{
	struct address_space *m = vma->file->mapping;

	if (vma->writenotify || !mapping_cap_account_dirty(m))
		return; /* the write faults told the page already; tmpfs has no disk */
	for (uint64_t va = start; va < end; va += PAGE_SIZE) {
		struct page *page = find_get_page(m, vma->pgoff + (va - vma->start) / PAGE_SIZE);
		bool dirty = false;

		if (!page)
			continue;
		if (page_mkclean_dirty(page, &dirty) && dirty && set_page_dirty(page))
			count_pte_dirty_found(1);
		put_page(page);
	}
}

/* Shared file VMAs of [start, end) from start on: up to MSYNC_BATCH files, referenced. */
static unsigned int msync_files(struct mm *mm, uint64_t *start, uint64_t end,
				struct vm_file **files, int *err)
{
	unsigned int n = 0;
	struct vm_area *vma;

	while (*start < end && n < MSYNC_BATCH) {
		vma = find_vma_above(mm, *start);
		if (!vma || vma->start >= end) {
			*err = -ENOMEM; /* a hole up to the end */
			*start = end;
			break;
		}
		if (vma->start > *start)
			*err = -ENOMEM; /* a hole: Linux syncs the rest, then says so */
		if (vma->file && (vma->flags & MAP_SHARED)) {
			msync_scan(vma, MAX(*start, vma->start), MIN(end, vma->end));
			vma->file->ops->get(vma->file);
			files[n++] = vma->file;
		}
		*start = vma->end;
	}
	return n;
}

/* Writes back the shared file mappings of [addr, addr + len) and (MS_SYNC) waits: -EINVAL for
   unknown flags, MS_ASYNC with MS_SYNC or an unaligned addr; -ENOMEM when part of the range
   is not mapped (the mapped parts are still written). MS_ASYNC writes nothing: the flusher
   writes soon anyway. Both first look for writes in the entries of mappings without write
   notification (msync_scan). */
int vm_msync(struct mm *mm, uint64_t addr, size_t len, unsigned int flags)
{
	struct vm_file *files[MSYNC_BATCH];
	uint64_t end, at;
	int err = 0, e;

	if ((flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC)) ||
	    ((flags & MS_ASYNC) && (flags & MS_SYNC)) || (addr & ~PAGE_MASK))
		return -EINVAL;
	if (!len)
		return 0;
	if ((e = check_range(addr, len, &end)))
		return e == -EINVAL ? -ENOMEM : e;
	for (at = addr; at < end;) {
		unsigned int n;

		down_read(&mm->mmap_lock);
		n = msync_files(mm, &at, end, files, &err);
		up_read(&mm->mmap_lock);
		/* Out of mmap_lock: writeback sleeps, and faults must go on meanwhile. A killed
		   process stops between files (-EINTR); the references still go back. */
		for (unsigned int i = 0; i < n; i++) {
			if (fatal_signal_pending() && !err)
				err = -EINTR;
			if (err == -EINTR) {
				files[i]->ops->put(files[i]);
				continue;
			}
			if ((flags & MS_SYNC) && files[i]->ops->fsync &&
			    (e = files[i]->ops->fsync(files[i])) && !err)
				err = e;
			files[i]->ops->put(files[i]);
		}
	}
	return err;
}

/* A copy of vma for mm (dup_mmap): the same range, rights and file, the file's reference
   taken and the copy on its i_mmap after vma. NULL when out of memory. */
static struct vm_area *vma_dup(struct mm *mm, const struct vm_area *vma)
{
	struct vm_area *new = vma_alloc(mm, vma->start, vma->end, vma->prot, vma->flags);

	if (!new)
		return NULL;
	new->pgoff = vma->pgoff;
	new->writenotify = vma->writenotify;
	new->no_writenotify = vma->no_writenotify;
	vma_link(new);
	if (vma->file) {
		vma->file->ops->get(vma->file);
		new->file = vma->file;
		/* At the tail of i_mmap, after the parent's VMA: a truncate that walks the list
		   while we copy zaps the parent's entry before the child's, so an entry copied
		   behind its back is still found (Linux's dup_mmap links it next to the parent's
		   for the same reason). */
		vma_link_file(new);
	}
	return new;
}

/*
 * dup_mmap - fork's copy of oldmm's mappings into mm, a new empty mm (dup_mm, mm/mm.c): each
 * VMA and its entries (copy_page_range), and the heap's bounds. aio contexts are not copied,
 * as in Linux. Both mmap_locks are taken for writing, oldmm's first: no fault of the parent
 * runs meanwhile, and nobody else knows mm yet. 0, or -ENOMEM with mm holding what was
 * copied (the caller's mmput releases it).
 */
int dup_mmap(struct mm *mm, struct mm *oldmm)
{
	struct vm_area *vma, *new;
	int err = 0;

	down_write(&oldmm->mmap_lock);
	down_write(&mm->mmap_lock);
	mm->start_brk = oldmm->start_brk;
	mm->brk = oldmm->brk;
	list_for_each_entry(vma, &oldmm->vmas, node) {
		if (!(new = vma_dup(mm, vma)) || (err = copy_page_range(new, vma)) != 0) {
			err = -ENOMEM;
			break;
		}
	}
	up_write(&mm->mmap_lock);
	up_write(&oldmm->mmap_lock);
	return err;
}

/*
 * mm_populate - MAP_POPULATE: faults in every page of [addr, addr + len) now, as Linux's
 * populate_vma_page_range does: a write fault where the mapping is private and writable (the
 * copy made now, not at the first write), a read fault elsewhere (a shared page is not made
 * dirty for nothing). Stops quietly at the first page that cannot be had (past the end of a
 * file, out of memory): mmap succeeded all the same, as in Linux. Sleeps.
 */
void mm_populate(struct mm *mm, uint64_t addr, size_t len)
{
	bool write = false;
	struct vm_area *vma;

	down_read(&mm->mmap_lock);
	vma = find_vma(mm, addr);
	if (vma)
		write = (vma->prot & PROT_WRITE) && (vma->flags & MAP_PRIVATE);
	up_read(&mm->mmap_lock);
	if (!vma)
		return;
	/* Each fault may read the file: a killed process stops between pages (as Linux's
	   populate does). */
	for (uint64_t va = addr; va < addr + len; va += PAGE_SIZE)
		if (fatal_signal_pending() || handle_mm_fault(mm, va, write))
			return;
}

/* The system calls of this file's mechanisms. Their errors are Linux's; docs/vm.md lists
   where they differ. */

/* A user range that munmap, mprotect and madvise take: page aligned, not past USER_TOP. */
static bool user_range_ok(uint64_t addr, size_t len)
{
	return !(addr & ~PAGE_MASK) && addr <= USER_TOP && len <= USER_TOP - addr;
}

SYSCALL_DEFINE2(munmap, unsigned long, addr, size_t, len)
{
	struct mm *mm = current->mm;

	if (!len || !user_range_ok(addr, len))
		return -EINVAL;
	if (addr + len <= MMAP_MIN_ADDR) /* nothing is ever mapped there */
		return 0;
	if (addr < MMAP_MIN_ADDR) {
		len -= MMAP_MIN_ADDR - addr;
		addr = MMAP_MIN_ADDR;
	}
	return mm ? vm_munmap(mm, addr, len) : 0;
}

SYSCALL_DEFINE3(mprotect, unsigned long, addr, size_t, len, unsigned long, prot)
{
	struct mm *mm = current->mm;

	if ((addr & ~PAGE_MASK) || (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_SEM)))
		return -EINVAL;
	if (!len)
		return 0;
	/* Below MMAP_MIN_ADDR, in the kernel half, or past it: nothing mapped there. */
	if (!mm || addr < MMAP_MIN_ADDR || addr >= USER_TOP)
		return -ENOMEM;
	return vm_mprotect(mm, addr, len, prot & ~PROT_SEM);
}

SYSCALL_DEFINE3(msync, unsigned long, addr, size_t, len, int, flags)
{
	struct mm *mm = current->mm;

	return mm ? vm_msync(mm, addr, len, (unsigned int)flags) : -ENOMEM;
}
