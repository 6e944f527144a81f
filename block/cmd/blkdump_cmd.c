/*
 * The `blkdump` shell command: one sector of a block device in hex, read through the block
 * layer (so it shows up in iostat). `blkdump vda 2` shows the ext2 superblock's first half:
 * the magic 53 ef sits at offset 0x38.
 */
#include "block/blkdev.h"
#include "kernel/shell.h"
#include "kernel/printk.h"
#include "mm/slab.h"
#include "lib/errno.h"
#include "lib/string.h"

static int cmd_blkdump(int argc, char **argv)
{
	struct block_device *b;
	unsigned long long sector;
	uint8_t *buf;
	int err;

	if (argc != 3 || parse_u64(argv[2], &sector, 0, 0))
		return shell_usage(argv[0]);
	b = blk_get_by_name(argv[1]);
	if (!b) {
		kprintf("blkdump: no block device %s\n", argv[1]);
		return -ENODEV;
	}
	buf = kmalloc(SECTOR_SIZE);
	if (!buf)
		return -ENOMEM;
	err = blk_read(b, sector, 1, buf);
	if (err) {
		kprintf("blkdump: %s sector %llu: error %d\n", b->name, sector, err);
	} else {
		for (unsigned off = 0; off < SECTOR_SIZE; off += 16) {
			kprintf("%04x:", off);
			for (unsigned i = 0; i < 16; i++)
				kprintf(" %02x", buf[off + i]);
			kprintf("  ");
			for (unsigned i = 0; i < 16; i++) {
				uint8_t c = buf[off + i];

				kprintf("%c", c >= 0x20 && c < 0x7f ? c : '.');
			}
			kprintf("\n");
		}
	}
	kfree(buf);
	return err;
}
SHELL_COMMAND("blkdump", "DEV SECTOR", "one 512-byte sector of a block device in hex", cmd_blkdump);
