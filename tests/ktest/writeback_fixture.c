/* What the writeback suites share (tests/ktest/writeback_fixture.h). */
#include "tests/ktest/writeback_fixture.h"
#include "kernel/kthread.h"
#include "kernel/rcu/rcu.h"
#include "block/blkdev.h"
#include "fs/ext2/ext2.h"
#include "fs/file.h"
#include "fs/syscalls.h"
#include "mm/fault.h"
#include "mm/memory.h"
#include "mm/filemap.h"
#include "mm/writeback.h"
#include "mm/rmap.h"
#include "mm/slab.h"
#include "lib/string.h"

static unsigned int saved_expire;

/*
 * The suites' init hook: mounts vda at WB_MNT, and tells the flusher to wait, so that only the
 * test writes back. Without the disk the case is skipped (nonzero, after ktest_skip); a failed
 * mount fails it.
 */
int wb_init(struct ktest *t)
{
	if (!blk_get_by_name("vda")) {
		ktest_skip(t, "no virtio-blk disk vda with the ext2 image");
		return 1;
	}
	saved_expire = dirty_expire_ms;
	dirty_expire_ms = 600000;
	sys_mkdir(WB_MNT, 0755);
	if (!EXPECT_EQ(t, sys_mount("vda", WB_MNT, "ext2", 0, NULL), 0)) {
		dirty_expire_ms = saved_expire;
		return 1;
	}
	return 0;
}

/* The exit hook, after every case whose init succeeded, even one an ASSERT ended early: deletes
   the file, syncs (no page may stay dirty), unmounts, puts the expiry back. */
void wb_exit(struct ktest *t)
{
	sys_unlink(WB_FILE);
	EXPECT_EQ(t, sys_sync(), 0);
	EXPECT_EQ(t, dirty_stats().nr_dirty, 0ULL);
	EXPECT_EQ(t, sys_umount(WB_MNT), 0);
	rcu_barrier();
	dirty_expire_ms = saved_expire;
	dirty_writenotify = true; /* writeback_notify's cases turn it off */
}

/* Makes WB_FILE of n pages on the mounted disk, page i holding i in every word, and writes it
   back; false when that failed (the case then fails). */
bool wb_make_file(struct ktest *t, unsigned int pages)
{
	uint64_t buf[PAGE_SIZE / 8];
	int fd = sys_open(WB_FILE, O_RDWR | O_CREAT | O_TRUNC, 0644);

	if (!EXPECT_GE(t, fd, 0))
		return false;
	for (unsigned int i = 0; i < pages; i++) {
		for (unsigned int w = 0; w < PAGE_SIZE / 8; w++)
			buf[w] = i;
		EXPECT_EQ(t, sys_write(fd, buf, PAGE_SIZE), (ssize_t)PAGE_SIZE);
	}
	EXPECT_EQ(t, sys_fsync(fd), 0);
	sys_close(fd);
	return true;
}

/* The leaf entry that maps addr in mm (0 when none). */
pte_t pte_of(struct mm *mm, uint64_t addr)
{
	pte_t *p, e = 0;

	spin_lock(&mm->page_table_lock);
	p = mm_pte(mm, addr, false);
	if (p)
		e = READ_ONCE(*p);
	spin_unlock(&mm->page_table_lock);
	return e;
}

/* Faults resolved, of every kind. */
uint64_t faults_resolved(void)
{
	struct fault_stats f = fault_stats();

	return f.demand_zero + f.zero_page + f.cow + f.reuse + f.protnone + f.spurious +
	       f.file_read + f.file_write + f.wp_dirty + f.file_cow;
}

/* The disk's copy of word w of page index of path, read past the page cache. */
uint64_t disk_word(struct ktest *t, int fd, uint64_t index, unsigned int w)
{
	struct file *f = fget(fd);
	struct inode *inode = f->f_inode;
	struct ext2_sb_info *sbi = EXT2_SB(inode->i_sb);
	uint64_t byte = index * PAGE_SIZE + w * 8, v = ~0ULL;
	uint32_t block = 0;
	char *buf = kmalloc(sbi->block_size);

	if (EXPECT_NOT_NULL(t, buf) &&
	    EXPECT_EQ(t, ext2_get_block(inode, byte / sbi->block_size, false, &block), 0) &&
	    EXPECT_NE(t, block, 0U) &&
	    EXPECT_EQ(t,
		      blk_read(sbi->bdev, (uint64_t)block * (sbi->block_size / SECTOR_SIZE),
			       sbi->block_size / SECTOR_SIZE, buf),
		      0))
		memcpy(&v, buf + byte % sbi->block_size, 8);
	kfree(buf);
	fput(f);
	return v;
}

struct page *cache_page(int fd, uint64_t index)
{
	struct file *f = fget(fd);
	struct page *p = find_get_page(&f->f_inode->i_data, index);

	fput(f);
	if (p)
		put_page(p); /* the cache keeps it while the test looks */
	return p;
}

/* Makes the test file of pages pages, opens it read-write and enters a new mm: the file's
   descriptor, or -1 (the failure reported) when one of them could not be made. */
int wb_enter_file_mm(struct ktest *t, unsigned int pages, const char *name, struct mm **mm)
{
	int fd;

	if (!wb_make_file(t, pages))
		return -1;
	fd = sys_open(WB_FILE, O_RDWR, 0);
	if (!EXPECT_GE(t, fd, 0))
		return -1;
	*mm = mm_alloc(name);
	if (!EXPECT_NOT_NULL(t, *mm)) {
		sys_close(fd);
		return -1;
	}
	kthread_use_mm(*mm);
	return fd;
}

/* Undoes wb_enter_file_mm. */
void wb_leave_file_mm(struct mm *mm, int fd)
{
	kthread_unuse_mm(mm);
	mmput(mm);
	sys_close(fd);
}
