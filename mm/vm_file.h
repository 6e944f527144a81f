/*
 * What the address-space code needs from a mapped file, and nothing more: mm/ may not include
 * fs/ headers (docs/layers.md), so the filesystem side fills this small table and embeds the
 * struct in its open file (fs/mmap.c). A VMA holds a reference (get/put) for as long as it
 * maps the file.
 *
 *	size		the file's size in bytes: a fault at or past the last page is -EFAULT
 *			(SIGBUS in Linux)
 *	get_page	the page-cache page at index, referenced: read from the disk, or made
 *	page_mkwrite	optional: before the first write through a shared mapping makes the page
 *			writable, the filesystem prepares it (ext2 allocates blocks under holes)
 *	fsync		writes the file and waits (msync(MS_SYNC))
 */
#ifndef MM_VM_FILE_H
#define MM_VM_FILE_H

#include <stdint.h>
#include <stdbool.h>

struct vm_file;
struct page;
struct address_space;

struct vm_file_operations {
	void (*get)(struct vm_file *vf);
	void (*put)(struct vm_file *vf);
	uint64_t (*size)(struct vm_file *vf);
	int (*get_page)(struct vm_file *vf, uint64_t index, struct page **out);
	int (*page_mkwrite)(struct vm_file *vf, struct page *page);
	int (*fsync)(struct vm_file *vf);
};

struct vm_file {
	const struct vm_file_operations *ops;
	struct address_space *mapping; /* its page cache, whose i_mmap lists the VMAs */
	bool readable, writable;       /* how the file was opened: a shared writable mapping
					  needs writable, every mapping readable */
};

#endif
