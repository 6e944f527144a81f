/*
 * KTAP suite "initramfs": the cpio newc unpacker (fs/initramfs.c) on archives the test builds in
 * memory, unpacked under /tmp/vfs_test (the vfs fixture: each case in a new, empty directory,
 * and every count the VFS keeps back afterwards), and what the boot's own module gave.
 *
 *  - a good archive: nested directories, files of 0, 5 and 5000 bytes with their modes, a
 *    leading "./" and "/", the archive's root ".", a symbolic link skipped, bytes after the
 *    trailer ignored;
 *  - each malformed entry (bad magic, a bad hex digit, a header, name or data running past the
 *    end, a name without its NUL, ".." in the path, no trailer): -EINVAL at that entry's
 *    offset, the entry before it kept, nothing after it made;
 *  - every allocation of an unpacking failing in turn: -ENOMEM, each file whole or absent, and
 *    no object, page, inode, dentry or file left behind;
 *  - the boot module: /bin/hello is there, 0755, and as long as its ELF header says.
 */
#include "tests/ktest/vfs_fixture.h"
#include "kernel/ktest.h"
#include "fs/initramfs.h"
#include "fs/syscalls.h"
#include "fs/file.h"
#include "fs/inode.h"
#include "fs/dcache.h"
#include "mm/fault_inject.h"
#include "mm/filemap.h"
#include "mm/slab.h"
#include "kernel/rcu/rcu.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"

#define UNPACK_DIR TEST_DIR "/u"

/* ---- building archives -------------------------------------------------------------------- */

#define ARCHIVE_MAX (16 * 1024)

struct archive {
	uint8_t *p; /* ARCHIVE_MAX bytes */
	size_t len;
	unsigned int ino;
};

static void pad4(struct archive *a)
{
	while (a->len % 4)
		a->p[a->len++] = 0;
}

/* Appends one newc entry; returns its offset. The caller keeps under ARCHIVE_MAX. */
static size_t put_entry(struct archive *a, const char *name, uint32_t mode, const void *data,
			uint32_t size)
{
	size_t off = a->len, namesize = strlen(name) + 1;
	char hdr[111];

	snprintf(hdr, sizeof(hdr), "070701%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x",
		 ++a->ino, mode, 0, 0, 1, 0, size, 0, 0, 0, 0, (unsigned int)namesize, 0);
	memcpy(a->p + a->len, hdr, 110);
	a->len += 110;
	memcpy(a->p + a->len, name, namesize);
	a->len += namesize;
	pad4(a);
	memcpy(a->p + a->len, data, size);
	a->len += size;
	pad4(a);
	return off;
}

static size_t put_file(struct archive *a, const char *name, uint32_t perm, const char *text)
{
	return put_entry(a, name, S_IFREG | perm, text, strlen(text));
}

static size_t put_dir(struct archive *a, const char *name)
{
	return put_entry(a, name, S_IFDIR | 0755, NULL, 0);
}

static size_t put_trailer(struct archive *a)
{
	return put_entry(a, "TRAILER!!!", 0, NULL, 0);
}

static bool archive_new(struct archive *a)
{
	a->p = kzalloc(ARCHIVE_MAX);
	a->len = 0;
	a->ino = 0;
	return a->p != NULL;
}

/* The mode of path (type and permission bits); 0 if it is not there. */
static int mode_of(const char *path)
{
	struct kstat st;

	return sys_stat(path, &st) ? 0 : (int)st.mode;
}

static bool exists(const char *path)
{
	struct kstat st;

	return sys_stat(path, &st) == 0;
}

/* ---- a good archive ----------------------------------------------------------------------- */

static void test_good_archive(struct ktest *t)
{
	static uint8_t big[5000];
	struct initramfs_stats st;
	struct archive a;
	uint8_t *back;

	ASSERT_TRUE(t, archive_new(&a));
	back = kmalloc(sizeof(big));
	if (!EXPECT_NOT_NULL(t, back))
		goto out;
	fill(big, 0, sizeof(big), 7);
	put_dir(&a, ".");
	put_dir(&a, "./d");
	put_dir(&a, "d/e");
	put_file(&a, "d/f", 0644, "hello");
	put_entry(&a, "/d/e/big", S_IFREG | 0755, big, sizeof(big));
	put_file(&a, "d/empty", 0600, "");
	put_entry(&a, "d/link", 0120777, "f", 1); /* a symbolic link to f */
	put_file(&a, "top", 0700, "x");
	put_trailer(&a);
	memcpy(a.p + a.len, "garbage after the trailer", 25);
	a.len += 25;
	ASSERT_EQ(t, sys_mkdir(UNPACK_DIR, 0755), 0);

	EXPECT_EQ(t, unpack_cpio(a.p, a.len, UNPACK_DIR, &st), 0);
	EXPECT_NULL(t, st.error);
	EXPECT_EQ(t, st.files, 4u);
	EXPECT_EQ(t, st.dirs, 2u);
	EXPECT_EQ(t, st.skipped, 1u);
	EXPECT_EQ(t, st.bytes, 5u + sizeof(big) + 0 + 1);
	EXPECT_EQ(t, mode_of(UNPACK_DIR "/d"), S_IFDIR | 0755);
	EXPECT_EQ(t, mode_of(UNPACK_DIR "/d/e"), S_IFDIR | 0755);
	EXPECT_EQ(t, mode_of(UNPACK_DIR "/d/f"), S_IFREG | 0644);
	EXPECT_EQ(t, mode_of(UNPACK_DIR "/d/e/big"), S_IFREG | 0755);
	EXPECT_EQ(t, mode_of(UNPACK_DIR "/d/empty"), S_IFREG | 0600);
	EXPECT_EQ(t, mode_of(UNPACK_DIR "/top"), S_IFREG | 0700);
	EXPECT_FALSE(t, exists(UNPACK_DIR "/d/link"));
	EXPECT_TRUE(t, file_is(UNPACK_DIR "/d/f", "hello", 5));
	EXPECT_TRUE(t, file_is(UNPACK_DIR "/d/empty", "", 0));
	EXPECT_TRUE(t, file_is(UNPACK_DIR "/top", "x", 1));
	EXPECT_EQ(t, read_file(UNPACK_DIR "/d/e/big", back, sizeof(big)), (ssize_t)sizeof(big));
	EXPECT_EQ(t, check_pattern(back, 0, sizeof(big), 7), -1);
	/* Unpacking again over what is there: directories stay, files are rewritten. */
	EXPECT_EQ(t, unpack_cpio(a.p, a.len, UNPACK_DIR, &st), 0);
	EXPECT_EQ(t, st.files, 4u);
	EXPECT_EQ(t, st.dirs, 0u);
	EXPECT_TRUE(t, file_is(UNPACK_DIR "/d/f", "hello", 5));
out:
	kfree(back);
	kfree(a.p);
}

/* ---- malformed archives ------------------------------------------------------------------- */

enum damage {
	BAD_MAGIC,
	BAD_HEX,
	HEADER_PAST_END,
	NAME_PAST_END,
	NAME_WITHOUT_NUL,
	DATA_PAST_END,
	DOTDOT,
	DOTDOT_INSIDE,
	NO_TRAILER,
};

static const char *const damage_names[] = {
	"bad magic",	     "bad hex digit",	 "header past the end",
	"name past the end", "name without NUL", "data past the end",
	"'..' first",	     "'..' inside",	 "no trailer"};

/*
 * Builds "a" (a good file), the damaged entry, "z" (a good file) and the trailer; returns the
 * damaged entry's offset.
 */
static size_t build_damaged(struct archive *a, enum damage d)
{
	size_t off;

	put_file(a, "a", 0644, "kept");
	off = a->len;
	switch (d) {
	case DOTDOT:
		put_file(a, "../escape", 0644, "out");
		break;
	case DOTDOT_INSIDE:
		put_file(a, "./b/../../escape", 0644, "out");
		break;
	case NO_TRAILER:
		return off; /* the archive ends after "a" */
	default:
		put_file(a, "b", 0644, "bad");
		break;
	}
	put_file(a, "z", 0644, "never");
	put_trailer(a);
	switch (d) {
	case BAD_MAGIC:
		a->p[off + 5] = '7'; /* "070707": the old portable format */
		break;
	case BAD_HEX:
		a->p[off + 6 + 8 * 6 + 3] = 'g'; /* in filesize */
		break;
	case HEADER_PAST_END:
		a->len = off + 60;
		break;
	case NAME_PAST_END:
		memcpy(a->p + off + 6 + 8 * 11, "00100000", 8);
		break;
	case NAME_WITHOUT_NUL:
		a->p[off + 110 + 1] = 'x'; /* "b\0" becomes "bx" */
		break;
	case DATA_PAST_END:
		memcpy(a->p + off + 6 + 8 * 6, "7fffffff", 8);
		break;
	default:
		break;
	}
	return off;
}

static void test_malformed_archives(struct ktest *t)
{
	char dir[64], path[96];
	struct archive a;

	ASSERT_TRUE(t, archive_new(&a));
	for (unsigned int d = 0; d < ARRAY_SIZE(damage_names); d++) {
		struct initramfs_stats st;
		size_t off;

		memset(a.p, 0, ARCHIVE_MAX);
		a.len = 0;
		off = build_damaged(&a, d);
		snprintf(dir, sizeof(dir), TEST_DIR "/m%u", d);
		if (!EXPECT_EQ(t, sys_mkdir(dir, 0755), 0))
			break;
		if (!EXPECT_EQ(t, unpack_cpio(a.p, a.len, dir, &st), -EINVAL) ||
		    !EXPECT_EQ(t, st.error_offset, off))
			ktest_log(t, "damage: %s", damage_names[d]);
		EXPECT_NOT_NULL(t, st.error);
		EXPECT_EQ(t, st.files, 1u);
		snprintf(path, sizeof(path), "%s/a", dir);
		EXPECT_TRUE(t, file_is(path, "kept", 4));
		snprintf(path, sizeof(path), "%s/b", dir);
		EXPECT_FALSE(t, exists(path));
		snprintf(path, sizeof(path), "%s/z", dir);
		EXPECT_FALSE(t, exists(path));
		EXPECT_FALSE(t, exists(TEST_DIR "/escape"));
		EXPECT_FALSE(t, exists("/tmp/escape"));
	}
	kfree(a.p);
}

/* ---- allocation failures ------------------------------------------------------------------ */

struct mem {
	struct counts c;
	uint64_t objects, pages, tmpfs_used, tmpfs_inodes;
};

static struct mem mem_now(void)
{
	struct counts c = counts_now(); /* after an RCU barrier */

	return (struct mem){c, slab_objects_in_use(), pages_not_leaked(), tmpfs_used(TEST_DIR),
			    tmpfs_inodes(TEST_DIR)};
}

static bool expect_mem(struct ktest *t, const struct mem *m)
{
	struct mem now = mem_now();
	bool ok = true;

	ok &= EXPECT_EQ(t, now.c.files, m->c.files);
	ok &= EXPECT_EQ(t, now.c.inodes, m->c.inodes);
	ok &= EXPECT_EQ(t, now.c.dentries, m->c.dentries);
	ok &= EXPECT_EQ(t, now.c.pagecache, m->c.pagecache);
	ok &= EXPECT_EQ(t, now.objects, m->objects);
	ok &= EXPECT_EQ(t, now.pages, m->pages);
	ok &= EXPECT_EQ(t, now.tmpfs_used, m->tmpfs_used);
	ok &= EXPECT_EQ(t, now.tmpfs_inodes, m->tmpfs_inodes);
	return ok;
}

#define MAX_NTH 60

/* Each file of the archive is either absent or whole. */
static void expect_whole_or_absent(struct ktest *t, const uint8_t *big, size_t n, uint8_t *back)
{
	if (exists(UNPACK_DIR "/d/f"))
		EXPECT_TRUE(t, file_is(UNPACK_DIR "/d/f", "hello", 5));
	if (exists(UNPACK_DIR "/d/big")) {
		EXPECT_EQ(t, read_file(UNPACK_DIR "/d/big", back, n), (ssize_t)n);
		EXPECT_EQ(t, memcmp(back, big, n), 0);
	}
}

static void test_enomem_leaves_nothing(struct ktest *t)
{
	static uint8_t big[3 * 4096 + 100];
	unsigned int nth, partial = 0;
	struct archive a;
	uint8_t *back;

	ASSERT_TRUE(t, archive_new(&a));
	back = kmalloc(sizeof(big));
	if (!EXPECT_NOT_NULL(t, back))
		goto out;
	fill(big, 0, sizeof(big), 3);
	put_dir(&a, "d");
	put_file(&a, "d/f", 0644, "hello");
	put_entry(&a, "d/big", S_IFREG | 0755, big, sizeof(big));
	put_trailer(&a);
	for (nth = 1; nth < MAX_NTH; nth++) {
		struct mem m = mem_now();
		struct initramfs_stats st;
		int err;

		if (!EXPECT_EQ(t, sys_mkdir(UNPACK_DIR, 0755), 0))
			break;
		alloc_fail_inject(nth);
		err = unpack_cpio(a.p, a.len, UNPACK_DIR, &st);
		alloc_fail_cancel();
		if (err == 0) {
			EXPECT_EQ(t, st.files, 2u);
			EXPECT_TRUE(t, file_is(UNPACK_DIR "/d/f", "hello", 5));
			EXPECT_EQ(t, rm_rf(UNPACK_DIR), 0);
			expect_mem(t, &m);
			break;
		}
		EXPECT_EQ(t, err, -ENOMEM);
		partial += st.files < 2;
		expect_whole_or_absent(t, big, sizeof(big), back);
		EXPECT_EQ(t, rm_rf(UNPACK_DIR), 0);
		if (!expect_mem(t, &m)) {
			ktest_log(t, "after failing allocation %u", nth);
			break;
		}
	}
	ktest_log(t, "unpacking succeeded with allocation %u failing; %u failures stopped it", nth,
		  partial);
	EXPECT_GT(t, nth, 5u); /* the path, a directory, two files, four pages at least */
	EXPECT_LT(t, nth, (unsigned int)MAX_NTH);
out:
	kfree(back);
	kfree(a.p);
}

/* ---- the boot module ---------------------------------------------------------------------- */

/* The ELF64 header fields that give the file's length: the section headers come last. */
struct elf64_tail {
	uint64_t e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx;
};

static void test_boot_module_gave_bin_hello(struct ktest *t)
{
	const struct initramfs_boot *b = &initramfs_boot;
	struct elf64_tail tail;
	uint8_t ehdr[64];
	struct kstat st;

	if (!b->modules)
		KTEST_SKIP(t, "the boot had no initramfs module");
	EXPECT_EQ(t, b->err, 0);
	EXPECT_GE(t, b->st.files, 3u); /* hello, hello-pie, tap_selftest at least */
	EXPECT_GT(t, b->pages_freed, 0u);
	ASSERT_EQ(t, sys_stat("/bin/hello", &st), 0);
	EXPECT_EQ(t, mode_of("/bin/hello"), S_IFREG | 0755);
	EXPECT_EQ(t, mode_of("/bin/glibc"), S_IFDIR | 0755);
	EXPECT_TRUE(t, S_ISREG(mode_of("/bin/glibc/hello")));
	ASSERT_EQ(t, read_file("/bin/hello", ehdr, sizeof(ehdr)), (ssize_t)sizeof(ehdr));
	EXPECT_EQ(t,
		  memcmp(ehdr,
			 "\x7f"
			 "ELF\x02\x01",
			 6),
		  0); /* 64-bit, little-endian */
	memcpy(&tail, ehdr + 40, sizeof(tail));
	/* The linker writes the section header table at the end of the file. */
	EXPECT_EQ(t, st.size, tail.e_shoff + (uint64_t)tail.e_shnum * tail.e_shentsize);
	ktest_log(t, "/bin/hello: %llu bytes; the boot unpacked %u files, %llu bytes",
		  (unsigned long long)st.size, b->st.files, (unsigned long long)b->st.bytes);
}

KTEST_SUITE_HOOKS(initramfs, vfs_case_init, vfs_case_exit, KTEST_CASE(test_good_archive),
		  KTEST_CASE(test_malformed_archives), KTEST_CASE(test_enomem_leaves_nothing),
		  KTEST_CASE(test_boot_module_gave_bin_hello));
