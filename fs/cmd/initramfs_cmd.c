/*
 * The `initramfs` shell command: what the boot unpacked from its initramfs (fs/initramfs.c,
 * docs/initramfs.md): the modules, the files, directories and bytes made in /, the entries
 * skipped, the first error with its offset, and the module pages given back to the allocator.
 */
#include "fs/initramfs.h"
#include "kernel/shell.h"
#include "kernel/printk.h"

static int cmd_initramfs(int argc, char **argv)
{
	const struct initramfs_boot *b = &initramfs_boot;

	if (argc != 1)
		return shell_usage(argv[0]);
	if (!b->modules) {
		kprintf("initramfs: the boot had no module; nothing was unpacked\n");
		return 0;
	}
	kprintf("initramfs: %u module(s), %llu bytes of archive, unpacked in %llu ms\n", b->modules,
		(unsigned long long)b->archive_bytes, (unsigned long long)(b->ns / 1000000));
	kprintf("  %u files (%llu bytes), %u directories, %u entries skipped\n", b->st.files,
		(unsigned long long)b->st.bytes, b->st.dirs, b->st.skipped);
	if (b->st.error)
		kprintf("  stopped at offset %zu: %s (%d)\n", b->st.error_offset, b->st.error,
			b->err);
	else
		kprintf("  no error\n");
	kprintf("  %llu module pages given back to the page allocator\n",
		(unsigned long long)b->pages_freed);
	return 0;
}
SHELL_COMMAND("initramfs", "", "what the boot unpacked from the initramfs into /", cmd_initramfs);
