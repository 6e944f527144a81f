/*
 * `mmap FILE`: a guided tour of dirty tracking (docs/dirty.md). The shell maps the
 * first page of FILE shared and writable into an mm of its own and shows, step by step, the
 * page-table entry, the page's flags and the counters: the read fault that maps the clean
 * page read-only, the write-protect fault that dirties it, the writeback (msync) that cleans
 * the entry through the reverse map, and the next write's fault. It writes back the bytes that
 * were there, so the file's contents do not change.
 */
#include "fs/file.h"
#include "fs/syscalls.h"
#include "fs/cmd/fs_cmd.h"
#include "kernel/printk.h"
#include "kernel/shell.h"
#include "mm/fault.h"
#include "mm/filemap.h"
#include "mm/memory.h"
#include "mm/mm.h"
#include "mm/mmap.h"
#include "mm/vma.h"
#include "mm/uaccess.h"
#include "mm/writeback.h"
#include "lib/errno.h"

struct demo {
	struct mm *mm;
	uint64_t addr;
	struct page *page;
	struct fault_stats f;
};

static void show(struct demo *d, const char *step)
{
	struct fault_stats f = fault_stats();
	pte_t *p, e = 0;

	spin_lock(&d->mm->page_table_lock);
	p = mm_pte(d->mm, d->addr, false);
	if (p)
		e = READ_ONCE(*p);
	spin_unlock(&d->mm->page_table_lock);
	kprintf("mmap: %s\n", step);
	kprintf("mmap:   PTE %#llx:%s%s%s%s   page:%s%s mapcount %d   dirty pages %llu\n",
		(unsigned long long)e, e & PTE_P ? " P" : " -", e & PTE_W ? " W" : " -",
		e & PTE_D ? " D" : " -", e & PTE_U ? " U" : "",
		d->page && (d->page->flags & PG_dirty) ? " dirty" : " clean",
		d->page && (d->page->flags & PG_writeback) ? " writeback" : "",
		d->page ? d->page->mapcount : 0, (unsigned long long)dirty_stats().nr_dirty);
	kprintf("mmap:   faults since the last step: read %llu, write %llu, write-protect %llu\n",
		(unsigned long long)(f.file_read - d->f.file_read),
		(unsigned long long)(f.file_write - d->f.file_write),
		(unsigned long long)(f.wp_dirty - d->f.wp_dirty));
	d->f = f;
}

static int cmd_mmap(int argc, char **argv)
{
	struct dirty_stats s0;
	struct demo d = {0};
	struct file *f;
	uint64_t v = 0;
	int fd, err;

	if (argc != 2)
		return shell_usage(argv[0]);
	fd = sys_open(argv[1], O_RDWR, 0);
	if (fd < 0)
		return fs_cmd_error("mmap", argv[1], fd);
	f = fget(fd);
	if (!f->f_inode->i_size) {
		fput(f);
		sys_close(fd);
		return fs_cmd_error_why("mmap", argv[1], "empty: no page to map", -EINVAL);
	}
	d.mm = mm_alloc("mmap-demo");
	if (!d.mm) {
		fput(f);
		sys_close(fd);
		return -ENOMEM;
	}
	kthread_use_mm(d.mm);
	d.addr = (uint64_t)sys_mmap(d.mm, 0, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if ((int64_t)d.addr < 0) {
		err = (int)(int64_t)d.addr;
		goto out;
	}
	kprintf("mmap: %s: page 0 mapped shared and writable at %#llx (%s)\n", argv[1],
		(unsigned long long)d.addr,
		mapping_cap_account_dirty(&f->f_inode->i_data)
			? "its device counts dirty pages: write notification"
			: "no backing device: writable at once, never written back");
	d.f = fault_stats();
	err = get_user_u64(&v, d.addr);
	d.page = find_get_page(&f->f_inode->i_data, 0);
	if (d.page)
		put_page(d.page); /* the cache and the mapping keep it while we look */
	show(&d, "1. read: the fault maps the page-cache page; read-only if the page is clean");
	if (!err)
		err = put_user_u64(d.addr, v); /* the same bytes: the file does not change */
	show(&d, "2. write: the write-protect fault marks the page dirty, then the PTE writable");
	if (!err)
		err = put_user_u64(d.addr, v);
	show(&d, "3. write again: the PTE is writable, no fault");
	s0 = dirty_stats();
	if (!err)
		err = vm_msync(d.mm, d.addr, PAGE_SIZE, MS_SYNC);
	show(&d, "4. msync(MS_SYNC): the dirty bit taken, page_mkclean, the page written");
	kprintf("mmap:   page_mkclean cleaned %llu PTE(s); %llu page(s) written\n",
		(unsigned long long)(dirty_stats().ptes_cleaned - s0.ptes_cleaned),
		(unsigned long long)(dirty_stats().written - s0.written));
	if (!err)
		err = put_user_u64(d.addr, v);
	show(&d, "5. write: read-only again, so one more fault dirties the page again");
	if (!err)
		err = vm_msync(d.mm, d.addr, PAGE_SIZE, MS_SYNC);
	vm_munmap(d.mm, d.addr, PAGE_SIZE);
out:
	kthread_unuse_mm(d.mm);
	mmput(d.mm);
	fput(f);
	sys_close(fd);
	return err ? fs_cmd_error("mmap", argv[1], err) : 0;
}

SHELL_COMMAND("mmap", "FILE",
	      "map a file's first page shared: the faults, the dirty page, its writeback",
	      cmd_mmap);
