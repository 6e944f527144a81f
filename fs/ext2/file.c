/*
 * ext2 regular files: data through the page cache (mm/filemap.h).
 *
 *	read	each page from the cache; a page not there is read by ext2_readpage
 *	write	the page from the cache (read first, so bytes the write does not cover are
 *		right), then the disk blocks under the written bytes are allocated
 *		(ext2_get_block), the bytes copied, and the page marked PG_dirty
 *	sync	ext2_sync_inode: every PG_dirty page goes to its blocks, through
 *		mm/writeback.c, which write-protects the page's mappings first and hands the
 *		pages over in batches (ext2_writepages: blocks that follow each other on the disk
 *		go in one request, across pages)
 *	mmap	ext2_mmap_page for faults; ext2_page_mkwrite, told of every first write to a
 *		clean page through a shared mapping, updates the times and, the first time,
 *		allocates the blocks under the page
 *
 * Blocks are allocated at write time, so a write that does not fit gets ENOSPC at once and
 * writeback never allocates. A page holds 4 KiB, one to four blocks; the blocks of a page
 * that lie together on the disk move in one request.
 *
 * What lies past i_size in a page is always zero: readpage zeroes it, and truncate zeroes the
 * tail of the last page and writes it, so a file extended later reads zeros there, not old data.
 *
 * Locking: read holds the file's i_rwsem for reading, write and setsize for writing, sync for
 * reading (so no write() changes a page while it goes to the disk; a write through a mapping
 * may, and then dirties the page again: mm/writeback.h). mmap_page takes i_rwsem for
 * reading and page_mkwrite for writing, inside mmap_lock.
 */
#include "fs/ext2/ext2.h"
#include "fs/file.h"
#include "fs/inode.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/filemap.h"
#include "mm/page.h"
#include "mm/page_alloc.h"
#include "mm/rmap.h"
#include "mm/writeback.h"
#include "arch/x86_64/memlayout.h"

/* The disk blocks under page (0: a hole), up to i_size: their number, or a negative errno. */
static int page_blocks(struct inode *inode, struct page *page, uint32_t blocks[PAGE_SIZE / 1024])
{
	struct ext2_sb_info *sbi = EXT2_SB(inode->i_sb);
	uint32_t bs = sbi->block_size, per_page = PAGE_SIZE / bs;
	uint64_t first = page->index * per_page, size = READ_ONCE(inode->i_size);
	int n = 0, err;

	for (; (uint32_t)n < per_page && (first + n) * bs < size; n++)
		if ((err = ext2_get_block(inode, first + n, false, &blocks[n])))
			return err;
	return n;
}

/* Moves the blocks of page between memory and disk: runs of contiguous blocks in one request.
   Blocks at or past i_size and holes are skipped. */
static int page_io(struct inode *inode, struct page *page, bool write)
{
	struct ext2_sb_info *sbi = EXT2_SB(inode->i_sb);
	uint32_t bs = sbi->block_size, spb = bs / SECTOR_SIZE;
	char *data = page_address(page);
	uint32_t blocks[PAGE_SIZE / 1024];
	int n = page_blocks(inode, page, blocks), err;

	if (n < 0)
		return n;
	for (int i = 0; i < n;) {
		int run = 1;

		if (!blocks[i]) {
			i++;
			continue;
		}
		while (i + run < n && blocks[i + run] == blocks[i] + (uint32_t)run)
			run++;
		err = write ? blk_write(sbi->bdev, (uint64_t)blocks[i] * spb, run * spb,
					data + i * bs)
			    : blk_read(sbi->bdev, (uint64_t)blocks[i] * spb, run * spb,
				       data + i * bs);
		if (err)
			return err;
		i += run;
	}
	return 0;
}

static int ext2_readpage(struct address_space *mapping, struct page *page)
{
	struct inode *inode = mapping->host;
	uint64_t start = page->index << PAGE_SHIFT, size = READ_ONCE(inode->i_size);
	int err = page_io(inode, page, false);

	if (err)
		return err;
	if (size < start + PAGE_SIZE) /* the page was zeroed; a block read may have put more */
		memset((char *)page_address(page) + (size > start ? size - start : 0), 0,
		       PAGE_SIZE - (size > start ? size - start : 0));
	return 0;
}

static int ext2_writepage(struct address_space *mapping, struct page *page)
{
	return page_io(mapping->host, page, true);
}

/* A run of blocks on the disk being gathered from several pages, for one blk_writev. */
struct ext2_extent {
	uint64_t sector, next; /* where it starts; where a piece must start to join it */
	unsigned int nr;
	struct blk_vec vec[BLK_MAX_SEGS];
};

static int extent_flush(struct block_device *bdev, struct ext2_extent *x)
{
	int err = x->nr ? blk_writev(bdev, x->sector, x->vec, x->nr) : 0;

	x->nr = 0;
	return err;
}

/* Adds count sectors at buf, for the disk at sector: to the extent if they continue it (to its
   last piece if they continue that in memory too), else the extent goes to the disk and a new
   one starts with them. */
static int extent_add(struct block_device *bdev, struct ext2_extent *x, uint64_t sector, void *buf,
		      uint32_t count)
{
	struct blk_vec *last = x->nr ? &x->vec[x->nr - 1] : NULL;
	int err = 0;

	if (last && sector == x->next &&
	    (char *)last->buf + (size_t)last->count * SECTOR_SIZE == (char *)buf) {
		last->count += count; /* the next block of the same page */
		x->next += count;
		return 0;
	}
	if (x->nr && (sector != x->next || x->nr == BLK_MAX_SEGS))
		err = extent_flush(bdev, x);
	if (!x->nr)
		x->sector = sector;
	x->vec[x->nr++] = (struct blk_vec){buf, count};
	x->next = sector + count;
	return err;
}

/*
 * Writes a batch of pages (mm/writeback.c took each for I/O: write-protected first), gathering
 * the blocks that follow each other on the disk across pages into one blk_writev, as Linux's
 * mpage_writepages gathers them into one bio: a file laid out contiguously goes in one or a
 * few requests instead of one per page. i_rwsem held for reading (ext2_sync_inode).
 */
static int ext2_writepages(struct address_space *mapping, struct page **pages, unsigned int n)
{
	struct inode *inode = mapping->host;
	struct ext2_sb_info *sbi = EXT2_SB(inode->i_sb);
	uint32_t bs = sbi->block_size, spb = bs / SECTOR_SIZE;
	struct ext2_extent x = {.nr = 0};
	uint32_t blocks[PAGE_SIZE / 1024];
	int err = 0;

	for (unsigned int p = 0; p < n && !err; p++) {
		char *data = page_address(pages[p]);
		int nb = page_blocks(inode, pages[p], blocks);

		if (nb < 0)
			err = nb;
		for (int i = 0; i < nb && !err; i++)
			if (blocks[i])
				err = extent_add(sbi->bdev, &x, (uint64_t)blocks[i] * spb,
						 data + i * bs, spb);
	}
	if (!err)
		err = extent_flush(sbi->bdev, &x);
	return err;
}

/* A page became dirty (a write, or a write fault through a shared mapping): the next sync
   and the flusher must find the file. */
static void ext2_mark_dirty(struct address_space *mapping)
{
	/*
	 * Already listed: nothing to do, without dirty_lock (this runs in every write-protect
	 * fault). Safe against a sync taking the inode off the list right now: our PG_dirty was
	 * set by a locked instruction (a full barrier) before this read. It pairs with the
	 * locked instruction that takes the mapping's lock in sync_dirty_inodes()'s pass
	 * (fs/ext2/inode.c), after it cleared i_on_dirty_list and before it looks at the pages:
	 * either we see the removal and list the inode again, or the sync sees our dirty page.
	 */
	if (READ_ONCE(EXT2_I(mapping->host)->i_on_dirty_list))
		return;
	ext2_mark_inode_dirty(mapping->host);
}

const struct address_space_operations ext2_aops = {
	.readpage = ext2_readpage,
	.writepage = ext2_writepage,
	.writepages = ext2_writepages,
	.mark_dirty = ext2_mark_dirty,
};

/*
 * Writes the inode's dirty pages (each write-protected in every mapping first, mm/writeback.c) and
 * its on-disk inode into the buffer cache; on an error the inode goes back on the dirty list for
 * the next sync. Takes i_rwsem for reading; may sleep. 0 or the first error.
 */
int ext2_sync_inode(struct inode *inode)
{
	int err = 0, e;

	down_read(&inode->i_rwsem);
	/* Each dirty page: the dirty bit taken, its mappings write-protected (page_mkclean),
	   then written; a page under writeback by someone else is waited for. */
	if (S_ISREG(inode->i_mode))
		err = write_cache_pages(&inode->i_data, true);
	e = ext2_write_inode(inode);
	up_read(&inode->i_rwsem);
	if (err)
		ext2_mark_inode_dirty(inode); /* try again at the next sync */
	return err ? err : e;
}

static ssize_t ext2_file_read(struct file *f, char *buf, size_t n, uint64_t *pos)
{
	struct inode *inode = f->f_inode;
	size_t done = 0;
	int err = 0;

	down_read(&inode->i_rwsem);
	if (*pos >= inode->i_size)
		n = 0;
	else if (n > inode->i_size - *pos)
		n = inode->i_size - *pos;
	while (done < n) {
		uint64_t off = *pos & (PAGE_SIZE - 1);
		size_t chunk = MIN(PAGE_SIZE - off, n - done);
		struct page *page;

		if ((err = filemap_get_page(&inode->i_data, *pos >> PAGE_SHIFT, &page)))
			break;
		memcpy(buf + done, (char *)page_address(page) + off, chunk);
		put_page(page);
		done += chunk;
		*pos += chunk;
	}
	up_read(&inode->i_rwsem);
	return done ? (ssize_t)done : err;
}

static ssize_t ext2_file_write(struct file *f, const char *buf, size_t n, uint64_t *pos)
{
	struct inode *inode = f->f_inode;
	uint32_t bs = EXT2_SB(inode->i_sb)->block_size;
	uint64_t max = inode->i_sb->s_maxbytes;
	size_t done = 0;
	int err = 0;

	down_write(&inode->i_rwsem);
	if (f->f_flags & O_APPEND)
		*pos = inode->i_size;
	if (*pos >= max)
		err = -EFBIG;
	else if (n > max - *pos)
		n = max - *pos;
	while (!err && done < n) {
		uint64_t off = *pos & (PAGE_SIZE - 1);
		size_t chunk = MIN(PAGE_SIZE - off, n - done);
		struct page *page;
		uint32_t block;

		if ((err = filemap_get_page(&inode->i_data, *pos >> PAGE_SHIFT, &page)))
			break;
		for (uint64_t b = *pos / bs; b <= (*pos + chunk - 1) / bs && !err; b++)
			err = ext2_get_block(inode, b, true, &block);
		if (err) {
			/* Blocks given to a hole inside the file hold whatever the disk had: the
			   page's zeros go there at the next sync. */
			set_page_dirty(page);
			put_page(page);
			break;
		}
		memcpy((char *)page_address(page) + off, buf + done, chunk);
		set_page_dirty(page);
		put_page(page);
		done += chunk;
		*pos += chunk;
		if (*pos > inode->i_size)
			WRITE_ONCE(inode->i_size, *pos);
	}
	if (err) /* blocks allocated past the end for a write that failed: give them back */
		ext2_truncate_blocks(inode, (inode->i_size + bs - 1) / bs);
	if (done)
		inode->i_mtime_ns = inode->i_ctime_ns = current_time_ns();
	ext2_mark_inode_dirty(inode);
	up_write(&inode->i_rwsem);
	if (done)
		balance_dirty_pages();
	return done ? (ssize_t)done : err;
}

/* i_rwsem held for writing. */
static int ext2_setsize(struct inode *inode, uint64_t size)
{
	uint32_t bs = EXT2_SB(inode->i_sb)->block_size;
	uint64_t old = inode->i_size;
	int err = 0;

	if (size >= old) { /* the new part is a hole */
		struct page *last =
			old ? find_get_page(&inode->i_data, (old - 1) >> PAGE_SHIFT) : NULL;

		if (last) { /* its new part lies over a hole: a write fault must allocate */
			test_clear_page_flag(last, PG_mappedtodisk);
			put_page(last);
		}
		WRITE_ONCE(inode->i_size, size);
		ext2_mark_inode_dirty(inode);
		return 0;
	}
	WRITE_ONCE(inode->i_size, size);
	truncate_inode_pages(&inode->i_data, (size + PAGE_SIZE - 1) >> PAGE_SHIFT);
	unmap_mapping_pages(&inode->i_data, (size + PAGE_SIZE - 1) >> PAGE_SHIFT);
	if (size & (PAGE_SIZE - 1)) { /* zero the tail of the last page, on the disk too */
		struct page *page;

		if (!(err = filemap_get_page(&inode->i_data, size >> PAGE_SHIFT, &page))) {
			uint64_t off = size & (PAGE_SIZE - 1);

			memset((char *)page_address(page) + off, 0, PAGE_SIZE - off);
			set_page_dirty(page);
			put_page(page);
		}
	}
	if (!err)
		err = ext2_truncate_blocks(inode, (size + bs - 1) / bs);
	ext2_mark_inode_dirty(inode);
	return err;
}

static int ext2_fsync(struct file *f)
{
	int err = ext2_sync_inode(f->f_inode);
	int e = sync_blockdev(EXT2_SB(f->f_inode->i_sb)->bdev);

	return err ? err : e;
}

/* A fault in a mapping of the file: the page, read from the disk if need be. i_rwsem for
   reading keeps a truncate from freeing the blocks while readpage maps them. */
static int ext2_mmap_page(struct file *f, uint64_t index, struct page **out)
{
	struct inode *inode = f->f_inode;
	int err;

	down_read(&inode->i_rwsem);
	if (index >= (inode->i_size + PAGE_SIZE - 1) >> PAGE_SHIFT)
		err = -EFAULT; /* truncated meanwhile */
	else
		err = filemap_get_page(&inode->i_data, index, out);
	up_read(&inode->i_rwsem);
	return err;
}

/*
 * Before a write through a shared mapping makes the page writable: every first write to a
 * clean page (the fault of dirty tracking) comes here, as in Linux. The file's modification
 * and change times move (Linux's file_update_time, called by filemap_page_mkwrite), since no
 * write() marks this change. Every block under the page (below i_size) gets allocated the
 * first time, so that writeback never meets a hole (it could not allocate then) and ENOSPC
 * is reported at the fault; PG_mappedtodisk remembers it.
 */
static int ext2_page_mkwrite(struct file *f, struct page *page)
{
	struct inode *inode = f->f_inode;
	uint32_t bs = EXT2_SB(inode->i_sb)->block_size, block;
	uint64_t first, last;
	int err = 0;

	down_write(&inode->i_rwsem);
	if (page->mapping != &inode->i_data) {
		up_write(&inode->i_rwsem);
		return -EFAULT; /* truncated meanwhile */
	}
	if (!(READ_ONCE(page->flags) & PG_mappedtodisk)) {
		first = (page->index << PAGE_SHIFT) / bs;
		last = MIN(((page->index + 1) << PAGE_SHIFT), inode->i_size);
		last = (last + bs - 1) / bs;
		for (uint64_t b = first; b < last && !err; b++)
			err = ext2_get_block(inode, b, true, &block);
		if (!err)
			test_set_page_flag(page, PG_mappedtodisk);
	}
	if (!err)
		inode->i_mtime_ns = inode->i_ctime_ns = current_time_ns();
	ext2_mark_inode_dirty(inode);
	up_write(&inode->i_rwsem);
	return err;
}

const struct inode_operations ext2_file_iops = {
	.setsize = ext2_setsize,
};

const struct file_operations ext2_file_fops = {
	.read = ext2_file_read,
	.write = ext2_file_write,
	.fsync = ext2_fsync,
	.mmap_page = ext2_mmap_page,
	.page_mkwrite = ext2_page_mkwrite,
};
