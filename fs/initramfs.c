/*
 * Unpacking a cpio "newc" archive into a directory (see initramfs.h, docs/initramfs.md).
 *
 * The archive is a sequence of entries, each a 110-byte header of ASCII text, the entry's path
 * and its contents:
 *
 *	"070701"  13 fields of 8 hex digits: ino mode uid gid nlink mtime filesize devmajor
 *		  devminor rdevmajor rdevminor namesize check
 *	the path, namesize bytes with its NUL, then zero bytes up to a multiple of 4
 *	the contents, filesize bytes, then zero bytes up to a multiple of 4
 *
 * The entry named "TRAILER!!!" ends the archive. Offsets count from the archive's start, which
 * is 4-byte aligned, so every header starts at a multiple of 4. Linux reads the same format in
 * init/initramfs.c (a state machine that can take its input in pieces, from a decompressor);
 * we have the whole archive in memory and walk it in one loop.
 *
 * Every length is checked against the bytes left before it is used: the archive comes from
 * outside the kernel and may be cut short or damaged.
 */
#include "fs/initramfs.h"
#include "fs/fs.h"
#include "fs/syscalls.h"
#include "kernel/multiboot2.h"
#include "kernel/printk.h"
#include "mm/memmap.h"
#include "mm/slab.h"
#include "arch/x86_64/memlayout.h"
#include "arch/x86_64/tsc.h"
#include "lib/compiler.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"

#define NEWC_HEADER_LEN 110
#define NEWC_TRAILER	"TRAILER!!!"

/* The header's fields, in their order after the magic. */
enum {
	F_INO,
	F_MODE,
	F_UID,
	F_GID,
	F_NLINK,
	F_MTIME,
	F_FILESIZE,
	F_DEVMAJOR,
	F_DEVMINOR,
	F_RDEVMAJOR,
	F_RDEVMINOR,
	F_NAMESIZE,
	F_CHECK,
	NEWC_FIELDS
};

static const char *const field_names[NEWC_FIELDS] = {
	"ino",	    "mode",	"uid",	     "gid",	  "nlink",    "mtime", "filesize",
	"devmajor", "devminor", "rdevmajor", "rdevminor", "namesize", "check"};

/* One entry, checked against the archive's end. */
struct cpio_entry {
	uint32_t f[NEWC_FIELDS];
	const char *name; /* NUL-terminated inside the archive */
	const uint8_t *data;
	size_t next; /* offset of the next header */
};

struct unpacker {
	const uint8_t *buf;
	size_t len, off; /* off: the entry being unpacked */
	const char *dir;
	char *path; /* PATH_MAX bytes: dir + "/" + the entry's path */
	struct initramfs_stats *st;
};

/* Records and prints the error at the current entry; returns err. */
static int fail(struct unpacker *u, int err, const char *what, const char *detail)
{
	u->st->error = what;
	u->st->error_offset = u->off;
	pr_err("initramfs: offset %zu: %s%s%s (%d); stopped there, what came before stays (%u "
	       "files, %u directories)\n",
	       u->off, what, detail ? ": " : "", detail ? detail : "", err, u->st->files,
	       u->st->dirs);
	return err;
}

/* Eight hex digits at p into *v; false if any is not a hex digit. */
static bool parse_hex8(const uint8_t *p, uint32_t *v)
{
	uint32_t x = 0;

	for (int i = 0; i < 8; i++) {
		uint8_t c = p[i];
		uint32_t d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return false;
		x = x << 4 | d;
	}
	*v = x;
	return true;
}

/* Reads and checks the entry at u->off: 0 or -EINVAL (reported). */
static int parse_entry(struct unpacker *u, struct cpio_entry *e)
{
	const uint8_t *h = u->buf + u->off;
	size_t name_off, data_off;

	if (u->len - u->off < NEWC_HEADER_LEN)
		return fail(u, -EINVAL, "header runs past the end", NULL);
	/* "070702" is newc with a checksum of the contents in "check"; we do not verify it. */
	if (memcmp(h, "070701", 6) && memcmp(h, "070702", 6))
		return fail(u, -EINVAL, "bad magic, not a newc header", NULL);
	for (int i = 0; i < NEWC_FIELDS; i++)
		if (!parse_hex8(h + 6 + 8 * i, &e->f[i]))
			return fail(u, -EINVAL, "bad hex field", field_names[i]);
	name_off = u->off + NEWC_HEADER_LEN;
	if (e->f[F_NAMESIZE] == 0)
		return fail(u, -EINVAL, "empty name", NULL);
	if (e->f[F_NAMESIZE] > u->len - name_off)
		return fail(u, -EINVAL, "name runs past the end", NULL);
	e->name = (const char *)u->buf + name_off;
	if (strnlen(e->name, e->f[F_NAMESIZE]) != e->f[F_NAMESIZE] - 1)
		return fail(u, -EINVAL, "name without its NUL (or with one inside)", NULL);
	data_off = ALIGN_UP(name_off + e->f[F_NAMESIZE], 4);
	if (data_off > u->len || e->f[F_FILESIZE] > u->len - data_off)
		return fail(u, -EINVAL, "data runs past the end", e->name);
	e->data = u->buf + data_off;
	e->next = ALIGN_UP(data_off + e->f[F_FILESIZE], 4);
	return 0;
}

/*
 * Makes u->path: u->dir, "/", and the entry's name without its leading "/" and "./". Returns
 * 1 when the name is the archive's root ("." or ""), which is the directory itself; 0; or
 * -EINVAL (reported) for a ".." component, which would leave dir.
 */
static int make_path(struct unpacker *u, const char *name)
{
	const char *c;
	int n;

	for (;;) {
		if (name[0] == '/')
			name++;
		else if (name[0] == '.' && name[1] == '/')
			name += 2;
		else
			break;
	}
	if (!name[0] || !strcmp(name, "."))
		return 1;
	for (c = name; *c; c++)
		if ((c == name || c[-1] == '/') && c[0] == '.' && c[1] == '.' &&
		    (c[2] == '/' || !c[2]))
			return fail(u, -EINVAL, "'..' in the path", name);
	n = snprintf(u->path, PATH_MAX, "%s/%s", strcmp(u->dir, "/") ? u->dir : "", name);
	if (n >= PATH_MAX)
		return fail(u, -ENAMETOOLONG, "path too long", name);
	return 0;
}

static int make_dir(struct unpacker *u, const struct cpio_entry *e)
{
	struct kstat st;
	int err = sys_mkdir(u->path, e->f[F_MODE] & 07777);

	if (err == -EEXIST && sys_stat(u->path, &st) == 0 && S_ISDIR(st.mode))
		return 0; /* "/" and "/bin" may be there already: the archive adds to them */
	if (err)
		return fail(u, err, "cannot make the directory", u->path);
	u->st->dirs++;
	return 0;
}

/*
 * A short write is retried for the rest, so that the error that stopped it (ENOMEM, ENOSPC) is
 * the one reported. A file written only in part is removed: what stays is whole.
 */
static int make_file(struct unpacker *u, const struct cpio_entry *e)
{
	int fd = sys_open(u->path, O_WRONLY | O_CREAT | O_TRUNC, e->f[F_MODE] & 07777);
	size_t done = 0;
	ssize_t w = 0;

	if (fd < 0)
		return fail(u, fd, "cannot create the file", u->path);
	while (done < e->f[F_FILESIZE]) {
		w = sys_write(fd, e->data + done, e->f[F_FILESIZE] - done);
		if (w <= 0)
			break;
		done += w;
	}
	sys_close(fd);
	if (done != e->f[F_FILESIZE]) {
		sys_unlink(u->path);
		return fail(u, w < 0 ? (int)w : -EIO, "cannot write the file", u->path);
	}
	u->st->files++;
	u->st->bytes += e->f[F_FILESIZE];
	return 0;
}

static int make_entry(struct unpacker *u, const struct cpio_entry *e)
{
	uint32_t mode = e->f[F_MODE];

	if (S_ISDIR(mode))
		return make_dir(u, e);
	if (S_ISREG(mode))
		return make_file(u, e);
	if (!u->st->skipped++)
		pr_warn("initramfs: skipping %s (type %#o): the VFS has no symbolic links or "
			"device nodes; further ones are skipped without a word\n",
			u->path, mode & S_IFMT);
	return 0;
}

int unpack_cpio(const void *buf, size_t len, const char *dir, struct initramfs_stats *st)
{
	struct unpacker u = {.buf = buf, .len = len, .dir = dir, .st = st};
	int err = 0;

	memset(st, 0, sizeof(*st));
	u.path = kmalloc(PATH_MAX);
	if (!u.path)
		return fail(&u, -ENOMEM, "no memory for a path", NULL);
	for (;;) {
		struct cpio_entry e;

		if (u.off >= len) {
			err = fail(&u, -EINVAL, "no " NEWC_TRAILER " before the end", NULL);
			break;
		}
		if ((err = parse_entry(&u, &e)))
			break;
		if (!strcmp(e.name, NEWC_TRAILER))
			break;
		err = make_path(&u, e.name);
		if (err < 0 || (err == 0 && (err = make_entry(&u, &e))))
			break;
		err = 0;
		u.off = e.next;
	}
	kfree(u.path);
	return err;
}

struct initramfs_boot initramfs_boot;

static void add_stats(struct initramfs_stats *sum, const struct initramfs_stats *st)
{
	sum->files += st->files;
	sum->dirs += st->dirs;
	sum->skipped += st->skipped;
	sum->bytes += st->bytes;
	if (!sum->error) {
		sum->error = st->error;
		sum->error_offset = st->error_offset;
	}
}

/*
 * Each boot module is an archive to unpack into "/" (GRUB's module2 lines, boot/grub.cfg).
 * Errors are printed and the boot goes on: a damaged initramfs costs programs, not the kernel.
 */
void initramfs_init(void)
{
	struct initramfs_boot *b = &initramfs_boot;
	uint64_t t0 = ktime_ns();

	if (!boot_info.nr_modules) {
		pr_info("initramfs: no boot module, nothing to unpack (/bin stays empty)\n");
		return;
	}
	for (unsigned int m = 0; m < boot_info.nr_modules; m++) {
		const struct mb2_module *mod = &boot_info.modules[m];
		struct initramfs_stats st;
		int err = unpack_cpio(phys_to_virt(mod->start), mod->end - mod->start, "/", &st);

		if (err && !b->err)
			b->err = err;
		add_stats(&b->st, &st);
		b->archive_bytes += mod->end - mod->start;
		b->modules++;
		pr_info("initramfs: module '%s' (%llu bytes): %u files, %u directories, %llu bytes "
			"unpacked into /; %u entries skipped%s\n",
			mod->string, (unsigned long long)(mod->end - mod->start), st.files, st.dirs,
			(unsigned long long)st.bytes, st.skipped,
			err ? "; stopped at an error" : "");
	}
	b->pages_freed = memmap_free_modules();
	b->ns = ktime_ns() - t0;
	pr_info("initramfs: unpacked in %llu ms; %llu module pages given back to the allocator\n",
		(unsigned long long)(b->ns / 1000000), (unsigned long long)b->pages_freed);
}
