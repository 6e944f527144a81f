/*
 * `mmap [-o nonotify] FILE`: a guided tour of dirty tracking (docs/dirty.md). The shell maps
 * the first page of FILE shared and writable into an mm of its own and shows, step by step, the
 * page-table entry, the page's flags and the counters: the read fault that maps the clean
 * page read-only, the write-protect fault that dirties it (page_mkwrite, the file's mtime),
 * the writeback (msync) that cleans the entry through the reverse map, and the next write's
 * fault. With -o nonotify the mapping has no write notification, as before Linux 2.6.19: the
 * writes never fault, dirty no page, and only msync's scan of the dirty bit finds them. It
 * writes back the bytes that were there, so the file's contents do not change.
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
#include "mm/rmap.h"
#include "mm/vma.h"
#include "mm/uaccess.h"
#include "mm/writeback.h"
#include "lib/errno.h"
#include "lib/string.h"

struct demo {
	struct mm *mm;
	uint64_t addr;
	struct page *page;
	struct fault_stats f;
	int fd;
	uint64_t mtime_ns;
};

/* The text of each step: [0] with write notification, [1] without. */
static const char *const steps[][2] = {
	{"1. read: the fault maps the page-cache page; read-only if the page is clean",
	 "1. read: the fault maps the page writable at once (no write notification)"},
	{"2. write: the write-protect fault marks the page dirty, then the PTE writable",
	 "2. write: no fault; only the PTE's dirty bit (set by the CPU) knows, no page is dirty"},
	{"3. write again: the PTE is writable, no fault", "3. write again: no fault"},
	{"4. msync(MS_SYNC): the dirty bit taken, page_mkclean, the page written",
	 "4. msync(MS_SYNC): its scan takes the PTE's dirty bit, dirties the page, writes it"},
	{"5. write: read-only again, so one more fault dirties the page again",
	 "5. write: still writable, no fault: the dirty bit is set again, the counts see nothing"},
};

static void show(struct demo *d, const char *step)
{
	struct fault_stats f = fault_stats();
	struct kstat st = {0};
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
	kprintf("mmap:   faults since the last step: read %llu, write %llu, write-protect %llu; "
		"page_mkwrite %llu, file mtime %s\n",
		(unsigned long long)(f.file_read - d->f.file_read),
		(unsigned long long)(f.file_write - d->f.file_write),
		(unsigned long long)(f.wp_dirty - d->f.wp_dirty),
		(unsigned long long)(f.mkwrite - d->f.mkwrite),
		sys_fstat(d->fd, &st) || st.mtime_ns == d->mtime_ns ? "unchanged" : "updated");
	d->f = f;
	d->mtime_ns = st.mtime_ns;
}

static int cmd_mmap(int argc, char **argv)
{
	struct dirty_stats s0;
	struct demo d = {0};
	struct kstat st;
	struct file *f;
	const char *path;
	uint64_t v = 0;
	int fd, err, nn = 0;

	if (argc == 4 && !strcmp(argv[1], "-o") && !strcmp(argv[2], "nonotify"))
		nn = 1;
	else if (argc != 2)
		return shell_usage(argv[0]);
	path = argv[argc - 1];
	fd = sys_open(path, O_RDWR, 0);
	if (fd < 0)
		return fs_cmd_error("mmap", path, fd);
	f = fget(fd);
	if (!f->f_inode->i_size) {
		fput(f);
		sys_close(fd);
		return fs_cmd_error_why("mmap", path, "empty: no page to map", -EINVAL);
	}
	d.mm = mm_alloc("mmap-demo");
	if (!d.mm) {
		fput(f);
		sys_close(fd);
		return -ENOMEM;
	}
	kthread_use_mm(d.mm);
	dirty_writenotify = !nn; /* the mapping keeps what it was made with */
	d.addr = (uint64_t)sys_mmap(d.mm, 0, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	dirty_writenotify = true;
	if ((int64_t)d.addr < 0) {
		err = (int)(int64_t)d.addr;
		goto out;
	}
	kprintf("mmap: %s: page 0 mapped shared and writable at %#llx (%s)\n", path,
		(unsigned long long)d.addr,
		!mapping_cap_account_dirty(&f->f_inode->i_data)
			? "no backing device: writable at once, never written back"
		: nn ? "without write notification, as before Linux 2.6.19"
		     : "its device counts dirty pages: write notification");
	d.f = fault_stats();
	d.fd = fd;
	if (!sys_fstat(fd, &st))
		d.mtime_ns = st.mtime_ns;
	err = get_user_u64(&v, d.addr);
	d.page = find_get_page(&f->f_inode->i_data, 0);
	if (d.page)
		put_page(d.page); /* the cache and the mapping keep it while we look */
	show(&d, steps[0][nn]);
	if (!err)
		err = put_user_u64(d.addr, v); /* the same bytes: the file does not change */
	show(&d, steps[1][nn]);
	if (!err)
		err = put_user_u64(d.addr, v);
	show(&d, steps[2][nn]);
	s0 = dirty_stats();
	if (!err)
		err = vm_msync(d.mm, d.addr, PAGE_SIZE, MS_SYNC);
	show(&d, steps[3][nn]);
	kprintf("mmap:   page_mkclean cleaned %llu PTE(s); %llu page(s) found dirty only in a PTE; "
		"%llu page(s) written\n",
		(unsigned long long)(dirty_stats().ptes_cleaned - s0.ptes_cleaned),
		(unsigned long long)(dirty_stats().pte_dirty_found - s0.pte_dirty_found),
		(unsigned long long)(dirty_stats().written - s0.written));
	if (!err)
		err = put_user_u64(d.addr, v);
	show(&d, steps[4][nn]);
	if (!err)
		err = vm_msync(d.mm, d.addr, PAGE_SIZE, MS_SYNC);
	vm_munmap(d.mm, d.addr, PAGE_SIZE);
out:
	kthread_unuse_mm(d.mm);
	mmput(d.mm);
	fput(f);
	sys_close(fd);
	return err ? fs_cmd_error("mmap", path, err) : 0;
}

SHELL_COMMAND("mmap", "[-o nonotify] FILE",
	      "map a file's first page shared: the faults, the dirty page, its writeback",
	      cmd_mmap);
