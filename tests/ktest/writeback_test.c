/*
 * KTAP suite "writeback": shared file mappings and dirty tracking ("mm: tracking shared dirty
 * pages", Linux 2.6.19, docs/dirty.md). The flusher, sync, throttling and the torture are
 * writeback_flusher_test.c's.
 *
 * One mapping of an ext2 file on vda: a read maps the page read-only; the first write faults
 * once, dirties the page (counted on the device and the system) and makes the entry writable
 * and dirty; msync(MS_SYNC) writes it (read back from the disk with blk_read, past the page
 * cache), the entry is read-only again, and the next write faults exactly once. Two mms on two
 * CPUs map the same page: writeback cleans both entries (and shoots down the other CPU's TLB),
 * and both writes fault again. tmpfs shared mappings never fault for dirtiness and are never
 * counted. Private mappings copy. mprotect keeps the rule. Errors: msync and mmap arguments,
 * a fault past the end of the file, and allocation failures injected in the fault path and in
 * mmap. Truncate unmaps the pages past the new end. Counts return to zero after sync. msync
 * of 64 dirty pages writes them in about one request per run of blocks on the disk, not one per
 * page (block layer counters), each page still write-protected first.
 */
#include "kernel/ktest.h"
#include "tests/ktest/writeback_fixture.h"
#include "kernel/kthread.h"
#include "kernel/smp.h"
#include "block/blkdev.h"
#include "fs/ext2/ext2.h"
#include "fs/file.h"
#include "fs/syscalls.h"
#include "mm/mmap.h"
#include "mm/fault.h"
#include "mm/writeback.h"
#include "mm/uaccess.h"
#include "mm/fault_inject.h"
#include "arch/x86_64/cpu.h"
#include "lib/errno.h"

static void test_one_mapping(struct ktest *t)
{
	struct mm *mm;
	struct page *page;
	uint64_t a, v = 0, f0;
	struct fault_stats s0, s1;
	struct dirty_stats d0;
	int fd;

	if (!wb_make_file(t, 2))
		return;
	fd = sys_open(WB_FILE, O_RDWR, 0);
	ASSERT_GE(t, fd, 0);
	mm = mm_alloc("ktest-wb");
	ASSERT_NOT_NULL(t, mm);
	kthread_use_mm(mm);
	a = (uint64_t)sys_mmap(mm, 0, 2 * PAGE_SIZE, WB_RW, MAP_SHARED, fd, 0);
	ASSERT_EQ(t, a, MMAP_BASE);
	d0 = dirty_stats();

	/* A read maps the clean page read-only. */
	s0 = fault_stats();
	EXPECT_EQ(t, get_user_u64(&v, a + PAGE_SIZE + 8), 0);
	EXPECT_EQ(t, v, 1ULL);
	s1 = fault_stats();
	EXPECT_EQ(t, s1.file_read - s0.file_read, 1ULL);
	EXPECT_TRUE(t, pte_present(pte_of(mm, a + PAGE_SIZE)));
	EXPECT_FALSE(t, pte_of(mm, a + PAGE_SIZE) & PTE_W);
	page = cache_page(fd, 1);
	ASSERT_NOT_NULL(t, page);
	EXPECT_EQ(t, page->mapcount, 1);
	EXPECT_FALSE(t, page->flags & PG_dirty);

	/* The first write faults once and dirties it; the second does not fault. */
	f0 = faults_resolved();
	EXPECT_EQ(t, put_user_u64(a + PAGE_SIZE + 8, 0xabcd), 0);
	EXPECT_EQ(t, put_user_u64(a + PAGE_SIZE + 16, 0xef01), 0);
	EXPECT_EQ(t, faults_resolved() - f0, 1ULL);
	EXPECT_EQ(t, fault_stats().wp_dirty - s1.wp_dirty, 1ULL);
	EXPECT_TRUE(t, page->flags & PG_dirty);
	EXPECT_EQ(t, dirty_stats().nr_dirty - d0.nr_dirty, 1ULL);
	EXPECT_EQ(t,
		  (uint64_t)atomic64_read(&((struct address_space *)page->mapping)->bdi->nr_dirty),
		  1ULL);
	EXPECT_EQ(t, pte_of(mm, a + PAGE_SIZE) & (PTE_W | PTE_D), PTE_W | PTE_D);
	EXPECT_EQ(t, disk_word(t, fd, 1, 1), 1ULL); /* not on the disk yet */

	/* msync writes it and makes the entry read-only and clean again. */
	EXPECT_EQ(t, vm_msync(mm, a, 2 * PAGE_SIZE, MS_SYNC), 0);
	EXPECT_EQ(t, disk_word(t, fd, 1, 1), 0xabcdULL);
	EXPECT_EQ(t, disk_word(t, fd, 1, 2), 0xef01ULL);
	EXPECT_EQ(t, disk_word(t, fd, 1, 3), 1ULL);
	EXPECT_FALSE(t, page->flags & PG_dirty);
	EXPECT_EQ(t, dirty_stats().nr_dirty, d0.nr_dirty);
	EXPECT_EQ(t, pte_of(mm, a + PAGE_SIZE) & (PTE_W | PTE_D), 0ULL);
	EXPECT_TRUE(t, pte_present(pte_of(mm, a + PAGE_SIZE)));
	EXPECT_GE(t, dirty_stats().ptes_cleaned - d0.ptes_cleaned, 1ULL);

	/* The next write faults exactly once, and dirties the page again. */
	f0 = faults_resolved();
	s0 = fault_stats();
	for (unsigned int i = 0; i < 8; i++)
		EXPECT_EQ(t, put_user_u64(a + PAGE_SIZE + 8 * i, 100 + i), 0);
	EXPECT_EQ(t, faults_resolved() - f0, 1ULL);
	EXPECT_EQ(t, fault_stats().wp_dirty - s0.wp_dirty, 1ULL);
	EXPECT_TRUE(t, page->flags & PG_dirty);

	/* munmap keeps the page and its dirtiness in the cache; sync writes it. */
	EXPECT_EQ(t, vm_munmap(mm, a, 2 * PAGE_SIZE), 0);
	EXPECT_EQ(t, page->mapcount, 0);
	EXPECT_TRUE(t, page->flags & PG_dirty);
	EXPECT_EQ(t, dirty_stats().nr_dirty - d0.nr_dirty, 1ULL);
	EXPECT_EQ(t, sys_sync(), 0);
	EXPECT_EQ(t, disk_word(t, fd, 1, 7), 107ULL);
	EXPECT_EQ(t, dirty_stats().nr_dirty, 0ULL);
	EXPECT_EQ(t, dirty_stats().nr_writeback, 0ULL);
	kthread_unuse_mm(mm);
	mmput(mm);
	sys_close(fd);
}

/* A thread on another CPU inside its own mm, mapping the same page. */
struct remote {
	uint64_t addr;
	volatile int step; /* 0: map and write; 2: write again; 4: unmap and leave */
	volatile int done;
	int err;
	struct mm *mm;
};

static int remote_fn(void *arg)
{
	struct remote *r = arg;
	int fd;

	r->mm = mm_alloc("ktest-wb-remote");
	if (!r->mm) {
		r->err = -ENOMEM;
		WRITE_ONCE(r->done, 1);
		return 0;
	}
	kthread_use_mm(r->mm);
	fd = sys_open(WB_FILE, O_RDWR, 0); /* descriptors are per thread */
	r->addr = (uint64_t)sys_mmap(r->mm, 0, PAGE_SIZE, WB_RW, MAP_SHARED, fd, 0);
	sys_close(fd); /* the mapping holds the file */
	r->err = put_user_u64(r->addr + 64, 0x1111);
	WRITE_ONCE(r->done, 1);
	while (READ_ONCE(r->step) < 2) /* stays running inside the mm: in its cpu_mask */
		cpu_relax();
	r->err |= put_user_u64(r->addr + 72, 0x2222);
	WRITE_ONCE(r->done, 2);
	while (READ_ONCE(r->step) < 4)
		cpu_relax();
	vm_munmap(r->mm, r->addr, PAGE_SIZE);
	kthread_unuse_mm(r->mm);
	mmput(r->mm);
	return 0;
}

static void test_two_mms_two_cpus(struct ktest *t)
{
	struct remote r = {0};
	struct thread *th;
	struct mm *mm;
	struct dirty_stats d0;
	uint64_t a, s0;
	unsigned int me;
	int fd;

	if (num_online_cpus() < 2)
		KTEST_SKIP(t, "needs 2 CPUs");
	if (!wb_make_file(t, 1))
		return;
	me = smp_processor_id();
	ASSERT_EQ(t, kthread_bind(current, me), 0);
	fd = sys_open(WB_FILE, O_RDWR, 0);
	ASSERT_GE(t, fd, 0);
	mm = mm_alloc("ktest-wb-local");
	ASSERT_NOT_NULL(t, mm);
	kthread_use_mm(mm);
	a = (uint64_t)sys_mmap(mm, 0, PAGE_SIZE, WB_RW, MAP_SHARED, fd, 0);
	EXPECT_EQ(t, put_user_u64(a + 8, 0x3333), 0);

	th = kthread_create(remote_fn, &r, "wb-remote");
	ASSERT_NOT_NULL(t, th);
	kthread_bind(th, (me + 1) % num_online_cpus());
	wake_up_new_thread(th);
	while (READ_ONCE(r.done) < 1)
		cpu_relax();
	EXPECT_EQ(t, r.err, 0);
	EXPECT_EQ(t, cache_page(fd, 0)->mapcount, 2);
	EXPECT_TRUE(t, pte_of(r.mm, r.addr) & PTE_W);
	EXPECT_TRUE(t, pte_of(mm, a) & PTE_W);

	/* Writeback cleans both entries, the remote CPU's TLB included. */
	d0 = dirty_stats();
	EXPECT_EQ(t, vm_msync(mm, a, PAGE_SIZE, MS_SYNC), 0);
	EXPECT_EQ(t, dirty_stats().ptes_cleaned - d0.ptes_cleaned, 2ULL);
	EXPECT_FALSE(t, pte_of(r.mm, r.addr) & PTE_W);
	EXPECT_FALSE(t, pte_of(mm, a) & PTE_W);
	EXPECT_EQ(t, disk_word(t, fd, 0, 8), 0x1111ULL);
	EXPECT_EQ(t, disk_word(t, fd, 0, 1), 0x3333ULL);

	/* Both write again: both fault (a stale TLB entry on the remote CPU would not). */
	s0 = fault_stats().wp_dirty;
	EXPECT_EQ(t, put_user_u64(a + 16, 0x4444), 0);
	WRITE_ONCE(r.step, 2);
	while (READ_ONCE(r.done) < 2)
		cpu_relax();
	EXPECT_EQ(t, r.err, 0);
	EXPECT_EQ(t, fault_stats().wp_dirty - s0, 2ULL);
	EXPECT_TRUE(t, pte_of(r.mm, r.addr) & PTE_W);
	EXPECT_EQ(t, vm_msync(mm, a, PAGE_SIZE, MS_SYNC), 0);
	EXPECT_EQ(t, disk_word(t, fd, 0, 9), 0x2222ULL);
	EXPECT_EQ(t, disk_word(t, fd, 0, 2), 0x4444ULL);

	WRITE_ONCE(r.step, 4);
	kthread_join(th);
	kthread_unuse_mm(mm);
	mmput(mm);
	kthread_unbind(current);
	sys_close(fd);
}

static void test_tmpfs_never_dirty(struct ktest *t)
{
	struct fault_stats s0, s1;
	struct dirty_stats d0 = dirty_stats();
	char buf[2 * PAGE_SIZE] = {0};
	struct mm *mm;
	uint64_t a, v;
	int fd = sys_open("/tmp/wb-tmpfs", O_RDWR | O_CREAT | O_TRUNC, 0644);

	ASSERT_GE(t, fd, 0);
	EXPECT_EQ(t, sys_write(fd, buf, sizeof(buf)), (ssize_t)sizeof(buf));
	mm = mm_alloc("ktest-wb-tmpfs");
	ASSERT_NOT_NULL(t, mm);
	kthread_use_mm(mm);
	a = (uint64_t)sys_mmap(mm, 0, sizeof(buf), WB_RW, MAP_SHARED, fd, 0);
	ASSERT_EQ(t, a, MMAP_BASE);
	s0 = fault_stats();
	EXPECT_EQ(t, get_user_u64(&v, a), 0);
	EXPECT_TRUE(t, pte_of(mm, a) & PTE_W); /* writable at once: no device to account */
	EXPECT_EQ(t, put_user_u64(a, 42), 0);
	EXPECT_EQ(t, put_user_u64(a + PAGE_SIZE, 43), 0);
	s1 = fault_stats();
	EXPECT_EQ(t, s1.wp_dirty - s0.wp_dirty, 0ULL);
	EXPECT_EQ(t, s1.file_read - s0.file_read, 1ULL);
	EXPECT_EQ(t, s1.file_write - s0.file_write, 1ULL);
	EXPECT_EQ(t, dirty_stats().dirtied, d0.dirtied);
	EXPECT_EQ(t, vm_msync(mm, a, sizeof(buf), MS_SYNC), 0);
	EXPECT_TRUE(t, pte_of(mm, a) & PTE_W); /* never cleaned */
	EXPECT_EQ(t, dirty_stats().mkclean_calls, d0.mkclean_calls);
	EXPECT_EQ(t, vm_munmap(mm, a, sizeof(buf)), 0);
	kthread_unuse_mm(mm);
	mmput(mm);
	EXPECT_EQ(t, sys_pread(fd, &v, 8, PAGE_SIZE), 8);
	EXPECT_EQ(t, v, 43ULL); /* the page cache is the file */
	sys_close(fd);
	sys_unlink("/tmp/wb-tmpfs");
}

static void test_private_copies_and_mprotect(struct ktest *t)
{
	struct fault_stats s0;
	struct mm *mm;
	uint64_t a, b, v;
	int fd;

	if (!wb_make_file(t, 1))
		return;
	fd = sys_open(WB_FILE, O_RDWR, 0);
	ASSERT_GE(t, fd, 0);
	mm = mm_alloc("ktest-wb-priv");
	ASSERT_NOT_NULL(t, mm);
	kthread_use_mm(mm);
	a = (uint64_t)sys_mmap(mm, 0, PAGE_SIZE, WB_RW, MAP_PRIVATE, fd, 0);
	b = (uint64_t)sys_mmap(mm, 0, PAGE_SIZE, PROT_READ, MAP_SHARED, fd, 0);
	s0 = fault_stats();
	EXPECT_EQ(t, get_user_u64(&v, a), 0);
	EXPECT_EQ(t, put_user_u64(a, 77), 0);
	EXPECT_EQ(t, fault_stats().file_cow - s0.file_cow, 1ULL);
	EXPECT_EQ(t, get_user_u64(&v, b), 0);
	EXPECT_EQ(t, v, 0ULL); /* the file did not change */
	EXPECT_EQ(t, dirty_stats().nr_dirty, 0ULL);
	EXPECT_EQ(t, put_user_u64(b, 1), -EFAULT); /* not writable */

	/* mprotect(PROT_WRITE) keeps write notification: nothing writable until a fault. */
	EXPECT_EQ(t, vm_mprotect(mm, b, PAGE_SIZE, WB_RW), 0);
	EXPECT_FALSE(t, pte_of(mm, b) & PTE_W);
	s0 = fault_stats();
	EXPECT_EQ(t, put_user_u64(b, 5), 0);
	EXPECT_EQ(t, fault_stats().wp_dirty - s0.wp_dirty, 1ULL);
	EXPECT_EQ(t, dirty_stats().nr_dirty, 1ULL);
	EXPECT_EQ(t, get_user_u64(&v, a), 0);
	EXPECT_EQ(t, v, 77ULL); /* the private copy stays private */
	/* PROT_NONE and back: the page comes back read-only, the next write faults again. */
	EXPECT_EQ(t, vm_msync(mm, b, PAGE_SIZE, MS_SYNC), 0);
	EXPECT_EQ(t, vm_mprotect(mm, b, PAGE_SIZE, PROT_NONE), 0);
	EXPECT_EQ(t, get_user_u64(&v, b), -EFAULT);
	EXPECT_EQ(t, vm_mprotect(mm, b, PAGE_SIZE, WB_RW), 0);
	EXPECT_EQ(t, get_user_u64(&v, b), 0);
	EXPECT_FALSE(t, pte_of(mm, b) & PTE_W);
	s0 = fault_stats();
	EXPECT_EQ(t, put_user_u64(b, 6), 0);
	EXPECT_EQ(t, fault_stats().wp_dirty - s0.wp_dirty, 1ULL);
	kthread_unuse_mm(mm);
	mmput(mm);
	sys_close(fd);
}

static void test_errors(struct ktest *t)
{
	struct mm *mm;
	uint64_t a, v;
	int fd, ro;

	if (!wb_make_file(t, 1))
		return;
	fd = sys_open(WB_FILE, O_RDWR, 0);
	ro = sys_open(WB_FILE, O_RDONLY, 0);
	ASSERT_GE(t, fd, 0);
	ASSERT_GE(t, ro, 0);
	mm = mm_alloc("ktest-wb-err");
	ASSERT_NOT_NULL(t, mm);
	kthread_use_mm(mm);
	EXPECT_EQ(t, sys_mmap(mm, 0, PAGE_SIZE, WB_RW, MAP_SHARED, ro, 0), -EACCES);
	EXPECT_EQ(t, sys_mmap(mm, 0, PAGE_SIZE, WB_RW, MAP_SHARED, 63, 0), -EBADF);
	EXPECT_EQ(t, sys_mmap(mm, 0, PAGE_SIZE, WB_RW, MAP_SHARED, fd, 5), -EINVAL);
	a = (uint64_t)sys_mmap(mm, 0, PAGE_SIZE, PROT_READ, MAP_SHARED, ro, 0);
	EXPECT_EQ(t, a, MMAP_BASE);
	EXPECT_EQ(t, vm_mprotect(mm, a, PAGE_SIZE, WB_RW), -EACCES);
	EXPECT_EQ(t, vm_msync(mm, a, PAGE_SIZE, 0x100), -EINVAL);
	EXPECT_EQ(t, vm_msync(mm, a, PAGE_SIZE, MS_SYNC | MS_ASYNC), -EINVAL);
	EXPECT_EQ(t, vm_msync(mm, a + 1, PAGE_SIZE, MS_SYNC), -EINVAL);
	EXPECT_EQ(t, vm_msync(mm, a + PAGE_SIZE, PAGE_SIZE, MS_SYNC), -ENOMEM);
	EXPECT_EQ(t, vm_msync(mm, a, 2 * PAGE_SIZE, MS_SYNC), -ENOMEM);
	EXPECT_EQ(t, vm_msync(mm, a, PAGE_SIZE, MS_ASYNC), 0);
	EXPECT_EQ(t, vm_munmap(mm, a, PAGE_SIZE), 0);
	/* Past the end of a one-page file: the second page gives -EFAULT (SIGBUS). */
	a = (uint64_t)sys_mmap(mm, 0, 2 * PAGE_SIZE, WB_RW, MAP_SHARED, fd, 0);
	EXPECT_EQ(t, get_user_u64(&v, a + PAGE_SIZE), -EFAULT);
	EXPECT_EQ(t, put_user_u64(a + PAGE_SIZE, 1), -EFAULT);
	EXPECT_EQ(t, put_user_u64(a, 1), 0);
	kthread_unuse_mm(mm);
	mmput(mm);
	sys_close(fd);
	sys_close(ro);
}

/* Allocation failures where dirty tracking allocates: the page-cache page of a read fault,
   the copy of a private write, the VMA of mmap, a split in mprotect. Each fails cleanly and
   the next try works. */
static void test_allocation_failures(struct ktest *t)
{
	struct dirty_stats d0;
	struct mm *mm;
	struct file *f;
	uint64_t a, p, v, oom0;
	int fd, count0;

	if (!wb_make_file(t, 2))
		return;
	fd = sys_open(WB_FILE, O_RDWR, 0);
	ASSERT_GE(t, fd, 0);
	f = fget(fd);
	truncate_inode_pages(&f->f_inode->i_data, 0); /* clean (fsync'ed): read from the disk */
	count0 = atomic_read(&f->f_count);
	mm = mm_alloc("ktest-wb-enomem");
	ASSERT_NOT_NULL(t, mm);
	kthread_use_mm(mm);
	alloc_fail_inject(1);
	EXPECT_EQ(t, sys_mmap(mm, 0, PAGE_SIZE, WB_RW, MAP_SHARED, fd, 0), -ENOMEM);
	alloc_fail_cancel();
	EXPECT_EQ(t, atomic_read(&f->f_count), count0);
	a = (uint64_t)sys_mmap(mm, 0, 2 * PAGE_SIZE, WB_RW, MAP_SHARED, fd, 0);
	p = (uint64_t)sys_mmap(mm, 0, PAGE_SIZE, WB_RW, MAP_PRIVATE, fd, PAGE_SIZE);
	EXPECT_EQ(t, atomic_read(&f->f_count), count0 + 2);
	d0 = dirty_stats();
	oom0 = fault_stats().oom;
	alloc_fail_inject(1); /* the page-cache page (or a page table) */
	EXPECT_EQ(t, put_user_u64(a, 9), -EFAULT);
	alloc_fail_cancel();
	EXPECT_EQ(t, fault_stats().oom - oom0, 1ULL);
	EXPECT_EQ(t, dirty_stats().nr_dirty, d0.nr_dirty);
	EXPECT_EQ(t, put_user_u64(a, 9), 0);
	EXPECT_EQ(t, dirty_stats().nr_dirty - d0.nr_dirty, 1ULL);
	EXPECT_EQ(t, get_user_u64(&v, p), 0);
	alloc_fail_inject(1); /* the private copy */
	EXPECT_EQ(t, put_user_u64(p, 10), -EFAULT);
	alloc_fail_cancel();
	EXPECT_EQ(t, get_user_u64(&v, p), 0);
	EXPECT_EQ(t, v, 1ULL);
	EXPECT_EQ(t, put_user_u64(p, 10), 0);
	alloc_fail_inject(1); /* the VMA of a split */
	EXPECT_EQ(t, vm_mprotect(mm, a, PAGE_SIZE, PROT_READ), -ENOMEM);
	alloc_fail_cancel();
	EXPECT_EQ(t, mm->nr_vmas, 2U);
	EXPECT_EQ(t, vm_mprotect(mm, a, PAGE_SIZE, PROT_READ), 0);
	EXPECT_EQ(t, atomic_read(&f->f_count), count0 + 3);
	EXPECT_EQ(t, vm_msync(mm, a, 2 * PAGE_SIZE, MS_SYNC), 0);
	EXPECT_EQ(t, disk_word(t, fd, 0, 0), 9ULL);
	kthread_unuse_mm(mm);
	mmput(mm);
	EXPECT_EQ(t, atomic_read(&f->f_count), count0);
	fput(f);
	sys_close(fd);
}

/* Truncate unmaps (unmap_mapping_pages): after a 2-page file shrinks to 1 page, the second
   page's entry is gone in a shared and in a private mapping, an access there gives -EFAULT
   (SIGBUS), the first page stays mapped, and the mm counts one page less in each. */
static void test_truncate_unmaps(struct ktest *t)
{
	uint64_t a, p, v = 0;
	struct mm *mm;
	int fd;

	if (!wb_make_file(t, 2))
		return;
	fd = sys_open(WB_FILE, O_RDWR, 0);
	ASSERT_GE(t, fd, 0);
	mm = mm_alloc("ktest-wb-trunc");
	ASSERT_NOT_NULL(t, mm);
	kthread_use_mm(mm);
	a = (uint64_t)sys_mmap(mm, 0, 2 * PAGE_SIZE, WB_RW, MAP_SHARED, fd, 0);
	p = (uint64_t)sys_mmap(mm, 0, 2 * PAGE_SIZE, WB_RW, MAP_PRIVATE, fd, 0);
	EXPECT_EQ(t, put_user_u64(a, 0x7777), 0);
	EXPECT_EQ(t, get_user_u64(&v, a + PAGE_SIZE), 0);
	EXPECT_EQ(t, put_user_u64(p + PAGE_SIZE, 0x8888), 0); /* a private copy */
	EXPECT_EQ(t, get_user_u64(&v, p), 0);
	EXPECT_EQ(t, mm->nr_pages, 4ULL);
	EXPECT_EQ(t, sys_ftruncate(fd, PAGE_SIZE), 0);
	EXPECT_EQ(t, pte_of(mm, a + PAGE_SIZE), 0ULL);
	EXPECT_EQ(t, pte_of(mm, p + PAGE_SIZE), 0ULL);
	EXPECT_NE(t, pte_of(mm, a), 0ULL);
	EXPECT_EQ(t, mm->nr_pages, 2ULL);
	EXPECT_EQ(t, get_user_u64(&v, a + PAGE_SIZE), -EFAULT);
	EXPECT_EQ(t, get_user_u64(&v, p + PAGE_SIZE), -EFAULT);
	EXPECT_EQ(t, get_user_u64(&v, a), 0);
	EXPECT_EQ(t, v, 0x7777ULL);
	kthread_unuse_mm(mm);
	mmput(mm);
	sys_close(fd);
}

#define BATCH_PAGES 64

/* The runs of blocks that follow each other on the disk in the file's first pages pages: the
   fewest requests that can write them all. */
static unsigned int disk_runs(struct ktest *t, int fd, unsigned int pages)
{
	struct file *f = fget(fd);
	struct ext2_sb_info *sbi = EXT2_SB(f->f_inode->i_sb);
	uint64_t blocks = (uint64_t)pages * (PAGE_SIZE / sbi->block_size);
	uint32_t prev = 0, b = 0;
	unsigned int runs = 0;

	for (uint64_t i = 0; i < blocks; i++) {
		if (!EXPECT_EQ(t, ext2_get_block(f->f_inode, i, false, &b), 0))
			break;
		if (i == 0 || b != prev + 1)
			runs++;
		prev = b;
	}
	fput(f);
	return runs;
}

/*
 * msync of BATCH_PAGES dirty pages puts them on the disk in about as many write requests as the
 * file has runs of contiguous blocks (ext2_writepages through blk_writev), not one per page,
 * and still write-protects every page before its I/O: every entry is read-only after, and the
 * next store to each page faults once.
 */
static void test_msync_batches_requests(struct ktest *t)
{
	struct block_device *bdev = blk_get_by_name("vda");
	uint64_t a, w0, sec0, writes, f0;
	unsigned int runs;
	struct mm *mm;
	int fd;

	ASSERT_NOT_NULL(t, bdev);
	if (!wb_make_file(t, BATCH_PAGES))
		return;
	fd = sys_open(WB_FILE, O_RDWR, 0);
	ASSERT_GE(t, fd, 0);
	runs = disk_runs(t, fd, BATCH_PAGES);
	mm = mm_alloc("ktest-wb-batch");
	ASSERT_NOT_NULL(t, mm);
	kthread_use_mm(mm);
	a = (uint64_t)sys_mmap(mm, 0, BATCH_PAGES * PAGE_SIZE, WB_RW, MAP_SHARED, fd, 0);
	ASSERT_EQ(t, a, MMAP_BASE);
	for (unsigned int i = 0; i < BATCH_PAGES; i++)
		EXPECT_EQ(t, put_user_u64(a + i * PAGE_SIZE + 8, 0x5000 + i), 0);

	w0 = (uint64_t)atomic64_read(&bdev->stats.writes);
	sec0 = (uint64_t)atomic64_read(&bdev->stats.sectors_written);
	EXPECT_EQ(t, vm_msync(mm, a, BATCH_PAGES * PAGE_SIZE, MS_SYNC), 0);
	writes = (uint64_t)atomic64_read(&bdev->stats.writes) - w0;
	ktest_log(
		t, "%u pages in %u runs on the disk: %llu write requests, %llu sectors",
		BATCH_PAGES, runs, (unsigned long long)writes,
		(unsigned long long)((uint64_t)atomic64_read(&bdev->stats.sectors_written) - sec0));
	/* The data's runs, plus the inode's block and the little metadata sync_blockdev writes;
	   one request per page would be more than BATCH_PAGES. */
	EXPECT_LE(t, writes, (uint64_t)runs + 3);
	EXPECT_LE(t, runs, 8U);
	EXPECT_GE(t, (uint64_t)atomic64_read(&bdev->stats.sectors_written) - sec0,
		  (uint64_t)BATCH_PAGES * PAGE_SIZE / SECTOR_SIZE);
	for (unsigned int i = 0; i < BATCH_PAGES; i++) {
		EXPECT_EQ(t, disk_word(t, fd, i, 1), 0x5000ULL + i);
		EXPECT_EQ(t, disk_word(t, fd, i, 2), (uint64_t)i);
		EXPECT_EQ(t, pte_of(mm, a + i * PAGE_SIZE) & (PTE_W | PTE_D), 0ULL);
	}
	f0 = fault_stats().wp_dirty;
	for (unsigned int i = 0; i < BATCH_PAGES; i++)
		EXPECT_EQ(t, put_user_u64(a + i * PAGE_SIZE + 16, 0x6000 + i), 0);
	EXPECT_EQ(t, fault_stats().wp_dirty - f0, (uint64_t)BATCH_PAGES);
	EXPECT_EQ(t, vm_msync(mm, a, BATCH_PAGES * PAGE_SIZE, MS_SYNC), 0);
	EXPECT_EQ(t, disk_word(t, fd, BATCH_PAGES - 1, 2), 0x6000ULL + BATCH_PAGES - 1);
	EXPECT_EQ(t, vm_munmap(mm, a, BATCH_PAGES * PAGE_SIZE), 0);
	kthread_unuse_mm(mm);
	mmput(mm);
	sys_close(fd);
}

KTEST_SUITE_HOOKS(writeback, wb_init, wb_exit, KTEST_CASE(test_one_mapping),
		  KTEST_CASE(test_two_mms_two_cpus), KTEST_CASE(test_tmpfs_never_dirty),
		  KTEST_CASE(test_private_copies_and_mprotect), KTEST_CASE(test_errors),
		  KTEST_CASE(test_allocation_failures), KTEST_CASE(test_truncate_unmaps),
		  KTEST_CASE(test_msync_batches_requests));
