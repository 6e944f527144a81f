/*
 * KTAP suite "fs_syscalls": the file-system system calls as a user program makes them, through
 * syscall_invoke with user-half pointers (tests/ktest/fs_syscalls_fixture.h): results, Linux's
 * errnos, and -EFAULT for each pointer argument (NULL, a hole, a kernel address, a read-only
 * page for output) with nothing changed. Descriptors, fcntl, the console and mount are in
 * fs_files_test.c.
 */
#include "tests/ktest/fs_syscalls_fixture.h"
#include "fs/file.h"
#include "fs/syscalls.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "mm/uaccess.h"

#define X(t) ((struct fsx *)(t)->priv)

/* Linux's x86_64 struct stat, the fields the tests read. */
struct t_stat {
	uint64_t dev, ino, nlink;
	uint32_t mode, uid, gid, pad;
	uint64_t rdev;
	int64_t size, blksize, blocks;
	int64_t times[6];
	int64_t reserved[3];
};

static long open_path(struct fsx *x, const char *name, unsigned int flags, unsigned int mode)
{
	return SC4(openat, T_AT_FDCWD, fsx_path(x, 7, name), flags, mode);
}

static void test_open_write_read(struct ktest *t)
{
	struct fsx *x = X(t);
	char got[16] = {0};
	long fd = open_path(x, "f", T_O_CREAT | T_O_RDWR, 0644);

	ASSERT_GE(t, fd, 0);
	fsx_str(x, 0, "hello");
	EXPECT_EQ(t, SC3(write, fd, x->u, 5), 5);
	EXPECT_EQ(t, SC3(lseek, fd, 0, SEEK_SET), 0);
	EXPECT_EQ(t, SC3(read, fd, x->buf, 16), 5);
	EXPECT_TRUE(t, fsx_peek(x->buf, got, 5) && !memcmp(got, "hello", 5));
	EXPECT_EQ(t, SC3(read, fd, x->buf, 16), 0); /* the end */
	EXPECT_EQ(t, SC4(pread64, fd, x->buf, 3, 2), 3);
	EXPECT_TRUE(t, fsx_peek(x->buf, got, 3) && !memcmp(got, "llo", 3));
	fsx_str(x, 1, "XY");
	EXPECT_EQ(t, SC4(pwrite64, fd, x->u + 256, 2, 1), 2);
	EXPECT_EQ(t, SC3(lseek, fd, 0, SEEK_CUR), 5); /* pread and pwrite leave it */
	EXPECT_EQ(t, SC4(pread64, fd, x->buf, 5, 0), 5);
	EXPECT_TRUE(t, fsx_peek(x->buf, got, 5) && !memcmp(got, "hXYlo", 5));
	EXPECT_EQ(t, SC4(pread64, fd, x->buf, 5, -1), -EINVAL);
	EXPECT_EQ(t, SC3(lseek, fd, 0, 7), -EINVAL);
	EXPECT_EQ(t, SC1(close, fd), 0);
	EXPECT_EQ(t, SC1(close, fd), -EBADF);
	EXPECT_EQ(t, SC3(read, fd, x->buf, 1), -EBADF);
	EXPECT_EQ(t, SC1(unlink, fsx_path(x, 0, "f")), 0);
}

static void test_readv_writev(struct ktest *t)
{
	struct fsx *x = X(t);
	uint64_t iov = x->u + 1024, v[4] = {x->u, 3, x->u + 256, 4};
	char got[8] = {0};
	long fd = open_path(x, "v", T_O_CREAT | T_O_RDWR, 0644);

	ASSERT_GE(t, fd, 0);
	fsx_str(x, 0, "abc");
	fsx_str(x, 1, "defg");
	copy_to_user((void __user *)iov, v, sizeof(v));
	EXPECT_EQ(t, SC3(writev, fd, iov, 2), 7);
	v[0] = x->buf;
	v[1] = 2;
	v[2] = x->buf + 100;
	v[3] = 10;
	copy_to_user((void __user *)iov, v, sizeof(v));
	EXPECT_EQ(t, SC3(lseek, fd, 0, SEEK_SET), 0);
	EXPECT_EQ(t, SC3(readv, fd, iov, 2), 7);
	EXPECT_TRUE(t, fsx_peek(x->buf, got, 2) && !memcmp(got, "ab", 2));
	EXPECT_TRUE(t, fsx_peek(x->buf + 100, got, 5) && !memcmp(got, "cdefg", 5));
	EXPECT_EQ(t, SC3(readv, fd, iov, 1025), -EINVAL);
	EXPECT_EQ(t, SC3(readv, fd, 0, 1), -EFAULT);
	EXPECT_EQ(t, SC3(writev, fd, x->hole, 1), -EFAULT);
	v[0] = KADDR; /* a bad buffer inside a good array */
	copy_to_user((void __user *)iov, v, sizeof(v));
	EXPECT_EQ(t, SC3(writev, fd, iov, 1), -EFAULT);
	EXPECT_EQ(t, SC3(readv, 99, iov, 1), -EBADF);
	SC1(close, fd);
	SC1(unlink, fsx_path(x, 0, "v"));
}

/* Each pointer of read and write: refused with nothing read, written or moved. */
static void test_rw_efault(struct ktest *t)
{
	struct fsx *x = X(t);
	uint64_t bad[] = {0, x->hole, KADDR};
	long fd = open_path(x, "e", T_O_CREAT | T_O_RDWR, 0644);

	ASSERT_GE(t, fd, 0);
	fsx_str(x, 0, "0123456789");
	ASSERT_EQ(t, SC3(write, fd, x->u, 10), 10);
	SC3(lseek, fd, 2, SEEK_SET);
	for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(t, SC3(write, fd, bad[i], 4), -EFAULT);
		EXPECT_EQ(t, SC3(read, fd, bad[i], 4), -EFAULT);
		EXPECT_EQ(t, SC4(pwrite64, fd, bad[i], 4, 0), -EFAULT);
		EXPECT_EQ(t, SC4(pread64, fd, bad[i], 4, 0), -EFAULT);
	}
	EXPECT_EQ(t, SC3(read, fd, x->ro, 4), -EFAULT); /* output into a read-only page */
	EXPECT_EQ(t, SC3(lseek, fd, 0, SEEK_CUR), 2);	/* no read counted */
	EXPECT_EQ(t, SC3(read, fd, x->buf, 3), 3);	/* the bytes a faulting read left */
	EXPECT_EQ(t, SC3(write, fd, x->ro, 2), 2);	/* reading a read-only page is fine */
	SC1(close, fd);
	fd = open_path(x, "e", T_O_RDONLY, 0);
	EXPECT_EQ(t, SC3(write, fd, x->u, 1), -EBADF);
	SC1(close, fd);
	fd = SC3(open, fsx_str(x, 0, x->dir), T_O_RDONLY | T_O_DIRECTORY, 0);
	EXPECT_EQ(t, SC3(read, fd, x->buf, 1), -EISDIR);
	SC1(close, fd);
	SC1(unlink, fsx_path(x, 0, "e"));
}

static void test_open_errors(struct ktest *t)
{
	struct fsx *x = X(t);
	char longname[300];
	struct t_stat st;
	long fd, fds[NR_OPEN + 1];
	int n = 0;

	EXPECT_EQ(t, open_path(x, "none", T_O_RDONLY, 0), -ENOENT);
	ASSERT_GE(t, fd = open_path(x, "f", T_O_CREAT | T_O_EXCL | T_O_WRONLY, 0777), 0);
	SC1(close, fd);
	EXPECT_EQ(t, open_path(x, "f", T_O_CREAT | T_O_EXCL | T_O_WRONLY, 0644), -EEXIST);
	EXPECT_EQ(t, open_path(x, "f", T_O_DIRECTORY, 0), -ENOTDIR);
	EXPECT_EQ(t, open_path(x, "f/x", T_O_RDONLY, 0), -ENOTDIR);
	fd = open_path(x, "f", 3, 0); /* access mode 3: neither read nor written, as Linux */
	EXPECT_GE(t, fd, 0);
	EXPECT_EQ(t, SC3(read, fd, x->buf, 1), -EBADF);
	EXPECT_EQ(t, SC3(write, fd, x->u, 1), -EBADF);
	SC1(close, fd);
	EXPECT_EQ(t, SC3(open, fsx_str(x, 0, x->dir), T_O_WRONLY, 0), -EISDIR);
	memset(longname, 'a', 256);
	longname[256] = '\0';
	copy_to_user((void __user *)x->buf, longname, 257);
	EXPECT_EQ(t, SC3(open, x->buf, T_O_RDONLY, 0), -ENAMETOOLONG);
	EXPECT_EQ(t, SC3(open, 0, T_O_RDONLY, 0), -EFAULT);
	EXPECT_EQ(t, SC3(open, x->hole, T_O_RDONLY, 0), -EFAULT);
	EXPECT_EQ(t, SC3(open, KADDR, T_O_RDONLY, 0), -EFAULT);
	EXPECT_EQ(t, SC2(creat, KADDR, 0644), -EFAULT);
	EXPECT_EQ(t, SC3(open, fsx_str(x, 0, ""), T_O_RDONLY, 0), -ENOENT);
	/* The umask (022 unless set) takes 0777 to 0755. */
	EXPECT_EQ(t, SC2(stat, fsx_path(x, 0, "f"), x->buf), 0);
	EXPECT_TRUE(t, fsx_peek(x->buf, &st, sizeof(st)) && st.mode == (S_IFREG | 0755));
	/* Every descriptor taken: EMFILE, and O_CREAT made nothing. */
	while (n <= NR_OPEN && (fd = open_path(x, "f", T_O_RDONLY, 0)) >= 0)
		fds[n++] = fd;
	EXPECT_EQ(t, fd, -EMFILE);
	EXPECT_EQ(t, open_path(x, "g", T_O_CREAT | T_O_WRONLY, 0644), -EMFILE);
	while (n)
		SC1(close, fds[--n]);
	EXPECT_EQ(t, SC2(access, fsx_path(x, 0, "g"), 0), -ENOENT);
	/* creat truncates. */
	fd = SC2(creat, fsx_path(x, 0, "f"), 0644);
	EXPECT_GE(t, fd, 0);
	EXPECT_EQ(t, SC3(write, fd, x->u, 3), 3);
	SC1(close, fd);
	fd = SC2(creat, fsx_path(x, 0, "f"), 0644);
	EXPECT_EQ(t, SC2(fstat, fd, x->buf), 0);
	EXPECT_TRUE(t, fsx_peek(x->buf, &st, sizeof(st)) && st.size == 0);
	SC1(close, fd);
	SC1(unlink, fsx_path(x, 0, "f"));
}

static void test_openat_dirfd(struct ktest *t)
{
	struct fsx *x = X(t);
	long dfd, fd;

	ASSERT_GE(t, dfd = SC3(open, fsx_str(x, 0, x->dir), T_O_RDONLY | T_O_DIRECTORY, 0), 0);
	fd = SC4(openat, dfd, fsx_str(x, 1, "in"), T_O_CREAT | T_O_WRONLY, 0644);
	EXPECT_GE(t, fd, 0);
	EXPECT_EQ(t, SC2(access, fsx_path(x, 0, "in"), 0), 0); /* made in the directory */
	EXPECT_EQ(t, SC4(openat, fd, fsx_str(x, 1, "x"), T_O_RDONLY, 0), -ENOTDIR);
	EXPECT_EQ(t, SC4(openat, 99, fsx_str(x, 1, "x"), T_O_RDONLY, 0), -EBADF);
	/* An absolute name ignores the descriptor, even a bad one. */
	long afd = SC4(openat, 99, fsx_path(x, 1, "in"), T_O_RDONLY, 0);
	EXPECT_GE(t, afd, 0);
	SC1(close, afd);
	EXPECT_EQ(t, SC3(mkdirat, dfd, fsx_str(x, 1, "sub"), 0755), 0);
	EXPECT_EQ(t, SC4(renameat, dfd, fsx_str(x, 1, "in"), dfd, fsx_str(x, 2, "sub/moved")), 0);
	EXPECT_EQ(t, SC2(access, fsx_path(x, 0, "sub/moved"), 0), 0);
	EXPECT_EQ(t, SC5(renameat2, dfd, fsx_str(x, 1, "sub/moved"), dfd, fsx_str(x, 2, "back"), 8),
		  -EINVAL); /* a flag Linux has not either */
	EXPECT_EQ(t, SC5(renameat2, dfd, fsx_str(x, 1, "sub/moved"), dfd, fsx_str(x, 2, "back"), 0),
		  0);
	EXPECT_EQ(t, SC3(unlinkat, dfd, fsx_str(x, 1, "sub"), 0), -EISDIR);
	EXPECT_EQ(t, SC3(unlinkat, dfd, fsx_str(x, 1, "sub"), 0x1), -EINVAL);
	EXPECT_EQ(t, SC3(unlinkat, dfd, fsx_str(x, 1, "sub"), 0x200), 0); /* AT_REMOVEDIR */
	EXPECT_EQ(t, SC3(unlinkat, dfd, fsx_str(x, 1, "back"), 0), 0);
	EXPECT_EQ(t, SC3(unlinkat, dfd, KADDR, 0), -EFAULT);
	SC1(close, fd);
	SC1(close, dfd);
}

static void test_stat_family(struct ktest *t)
{
	struct fsx *x = X(t);
	struct t_stat a, b;
	long fd = open_path(x, "s", T_O_CREAT | T_O_RDWR, 0640);

	ASSERT_GE(t, fd, 0);
	SC3(write, fd, x->u, 100);
	EXPECT_EQ(t, SC2(stat, fsx_path(x, 0, "s"), x->buf), 0);
	EXPECT_TRUE(t, fsx_peek(x->buf, &a, sizeof(a)));
	EXPECT_EQ(t, a.mode, (uint32_t)(S_IFREG | 0640));
	EXPECT_EQ(t, a.size, 100);
	EXPECT_EQ(t, a.nlink, 1u);
	EXPECT_EQ(t, a.blksize, 4096);
	EXPECT_EQ(t, SC2(fstat, fd, x->buf + 512), 0);
	EXPECT_TRUE(t, fsx_peek(x->buf + 512, &b, sizeof(b)) && b.ino == a.ino && b.size == 100);
	memset(&b, 0, sizeof(b));
	EXPECT_EQ(t, SC2(lstat, fsx_path(x, 0, "s"), x->buf + 512), 0);
	EXPECT_TRUE(t, fsx_peek(x->buf + 512, &b, sizeof(b)) && b.ino == a.ino);
	memset(&b, 0, sizeof(b));
	EXPECT_EQ(t, SC4(newfstatat, fd, fsx_str(x, 1, ""), x->buf + 512, 0x1000), 0);
	EXPECT_TRUE(t, fsx_peek(x->buf + 512, &b, sizeof(b)) && b.ino == a.ino);
	EXPECT_EQ(t, SC4(newfstatat, fd, fsx_str(x, 1, ""), x->buf, 0), -ENOENT);
	EXPECT_EQ(t, SC4(newfstatat, T_AT_FDCWD, fsx_path(x, 1, "s"), x->buf, 0x4), -EINVAL);
	EXPECT_EQ(t, SC2(stat, fsx_path(x, 0, "nothing"), x->buf), -ENOENT);
	/* Each pointer: the name, and the output (a read-only page among the bad ones). */
	EXPECT_EQ(t, SC2(stat, 0, x->buf), -EFAULT);
	EXPECT_EQ(t, SC2(stat, KADDR, x->buf), -EFAULT);
	EXPECT_EQ(t, SC2(stat, fsx_path(x, 0, "s"), x->ro), -EFAULT);
	EXPECT_EQ(t, SC2(stat, fsx_path(x, 0, "s"), x->hole), -EFAULT);
	EXPECT_EQ(t, SC2(fstat, fd, KADDR), -EFAULT);
	EXPECT_EQ(t, SC2(fstat, fd, 0), -EFAULT);
	EXPECT_EQ(t, SC2(fstat, 99, x->buf), -EBADF);
	EXPECT_EQ(t, SC4(newfstatat, T_AT_FDCWD, x->hole, x->buf, 0), -EFAULT);
	/* readlink: no symbolic links here. */
	EXPECT_EQ(t, SC3(readlink, fsx_path(x, 0, "s"), x->buf, 64), -EINVAL);
	EXPECT_EQ(t, SC3(readlink, fsx_path(x, 0, "nothing"), x->buf, 64), -ENOENT);
	EXPECT_EQ(t, SC3(readlink, fsx_path(x, 0, "s"), x->buf, 0), -EINVAL);
	SC1(close, fd);
	SC1(unlink, fsx_path(x, 0, "s"));
}

/* The names in a getdents64 buffer of len bytes, joined by ','; false on a malformed record. */
static bool dirents(const char *buf, long len, char *names, size_t size)
{
	names[0] = '\0';
	for (long off = 0; off < len;) {
		uint16_t reclen;

		memcpy(&reclen, buf + off + 16, 2);
		if (reclen < 24 || reclen % 8 || off + reclen > len)
			return false;
		if (names[0])
			strlcat(names, ",", size);
		strlcat(names, buf + off + 19, size);
		off += reclen;
	}
	return true;
}

static void test_getdents64(struct ktest *t)
{
	struct fsx *x = X(t);
	char kbuf[512], names[128];
	long dfd, n;

	SC2(mkdir, fsx_path(x, 0, "a"), 0755);
	SC1(close, open_path(x, "b", T_O_CREAT | T_O_WRONLY, 0644));
	ASSERT_GE(t, dfd = SC3(open, fsx_str(x, 0, x->dir), T_O_RDONLY | T_O_DIRECTORY, 0), 0);
	EXPECT_EQ(t, SC3(getdents64, dfd, x->buf, 20), -EINVAL); /* no room for "." */
	EXPECT_EQ(t, SC3(getdents64, dfd, x->ro, 512), -EFAULT);
	EXPECT_EQ(t, SC3(getdents64, dfd, KADDR, 512), -EFAULT);
	n = SC3(getdents64, dfd, x->buf, 512); /* the position stayed through the faults */
	EXPECT_GT(t, n, 0);
	if (n > 0 && n <= 512 && fsx_peek(x->buf, kbuf, (size_t)n)) {
		EXPECT_TRUE(t, dirents(kbuf, n, names, sizeof(names)));
		EXPECT_STREQ(t, names, ".,..,a,b");
		EXPECT_EQ(t, (uint8_t)kbuf[18], 4); /* "." is DT_DIR */
	}
	EXPECT_EQ(t, SC3(getdents64, dfd, x->buf, 512), 0); /* the end */
	EXPECT_EQ(t, SC3(lseek, dfd, 0, SEEK_SET), 0);
	n = SC3(getdents64, dfd, x->buf, 48); /* "." and ".." only: 24 bytes each */
	EXPECT_EQ(t, n, 48);
	n = SC3(getdents64, dfd, x->buf, 512);
	if (n > 0 && n <= 512 && fsx_peek(x->buf, kbuf, (size_t)n)) {
		EXPECT_TRUE(t, dirents(kbuf, n, names, sizeof(names)));
		EXPECT_STREQ(t, names, "a,b");
	}
	EXPECT_EQ(t, SC3(getdents64, 99, x->buf, 512), -EBADF);
	long fd = open_path(x, "b", T_O_RDONLY, 0);
	EXPECT_EQ(t, SC3(getdents64, fd, x->buf, 512), -ENOTDIR);
	SC1(close, fd);
	SC1(close, dfd);
	SC1(rmdir, fsx_path(x, 0, "a"));
	SC1(unlink, fsx_path(x, 0, "b"));
}

static void test_dir_calls(struct ktest *t)
{
	struct fsx *x = X(t);

	EXPECT_EQ(t, SC2(mkdir, fsx_path(x, 0, "d"), 0755), 0);
	EXPECT_EQ(t, SC2(mkdir, fsx_path(x, 0, "d"), 0755), -EEXIST);
	EXPECT_EQ(t, SC2(mkdir, fsx_path(x, 0, "no/d"), 0755), -ENOENT);
	EXPECT_EQ(t, SC2(mkdir, x->hole, 0755), -EFAULT);
	SC1(close, open_path(x, "d/f", T_O_CREAT | T_O_WRONLY, 0644));
	EXPECT_EQ(t, SC1(rmdir, fsx_path(x, 0, "d")), -ENOTEMPTY);
	EXPECT_EQ(t, SC1(rmdir, fsx_path(x, 0, "d/f")), -ENOTDIR);
	EXPECT_EQ(t, SC1(unlink, fsx_path(x, 0, "d")), -EISDIR);
	EXPECT_EQ(t, SC1(unlink, fsx_path(x, 0, "d/none")), -ENOENT);
	EXPECT_EQ(t, SC1(unlink, 0), -EFAULT);
	EXPECT_EQ(t, SC1(rmdir, KADDR), -EFAULT);
	EXPECT_EQ(t, SC2(rename, fsx_path(x, 0, "d/f"), fsx_path(x, 1, "g")), 0);
	EXPECT_EQ(t, SC2(rename, fsx_path(x, 0, "d/f"), fsx_path(x, 1, "g")), -ENOENT);
	EXPECT_EQ(t, SC2(rename, fsx_path(x, 0, "g"), fsx_path(x, 1, "d")), -EISDIR);
	EXPECT_EQ(t, SC2(rename, fsx_path(x, 0, "g"), 0), -EFAULT);
	EXPECT_EQ(t, SC2(rename, x->hole, fsx_path(x, 1, "h")), -EFAULT);
	EXPECT_EQ(t, SC2(access, fsx_path(x, 0, "g"), 0), 0); /* the refused renames left it */
	EXPECT_EQ(t, SC1(rmdir, fsx_path(x, 0, "d")), 0);
	EXPECT_EQ(t, SC1(unlink, fsx_path(x, 0, "g")), 0);
}

static void test_truncate_sync(struct ktest *t)
{
	struct fsx *x = X(t);
	struct t_stat st;
	long fd = open_path(x, "t", T_O_CREAT | T_O_RDWR, 0644);

	ASSERT_GE(t, fd, 0);
	EXPECT_EQ(t, SC2(truncate, fsx_path(x, 0, "t"), 100), 0);
	EXPECT_EQ(t, SC2(fstat, fd, x->buf), 0);
	EXPECT_TRUE(t, fsx_peek(x->buf, &st, sizeof(st)) && st.size == 100);
	EXPECT_EQ(t, SC2(ftruncate, fd, 10), 0);
	EXPECT_EQ(t, SC2(fstat, fd, x->buf), 0);
	EXPECT_TRUE(t, fsx_peek(x->buf, &st, sizeof(st)) && st.size == 10);
	EXPECT_EQ(t, SC2(truncate, fsx_path(x, 0, "t"), -1), -EINVAL);
	EXPECT_EQ(t, SC2(ftruncate, fd, -1), -EINVAL);
	EXPECT_EQ(t, SC2(truncate, fsx_str(x, 0, x->dir), 0), -EISDIR);
	EXPECT_EQ(t, SC2(truncate, 0, 0), -EFAULT);
	EXPECT_EQ(t, SC2(ftruncate, 99, 0), -EBADF);
	EXPECT_EQ(t, SC1(fsync, fd), 0);
	EXPECT_EQ(t, SC1(fdatasync, fd), 0);
	EXPECT_EQ(t, SC1(fsync, 99), -EBADF);
	EXPECT_EQ(t, SC0(sync), 0);
	SC1(close, fd);
	fd = open_path(x, "t", T_O_RDONLY, 0);
	EXPECT_EQ(t, SC2(ftruncate, fd, 0), -EINVAL); /* not open for writing */
	SC1(close, fd);
	SC1(unlink, fsx_path(x, 0, "t"));
}

static void test_cwd_access_umask(struct ktest *t)
{
	struct fsx *x = X(t);
	char got[64] = {0};
	struct t_stat st;
	long dfd, n;

	EXPECT_EQ(t, SC1(chdir, fsx_str(x, 0, x->dir)), 0);
	n = SC2(getcwd, x->buf, 64);
	EXPECT_EQ(t, n, (long)strlen(x->dir) + 1);
	EXPECT_TRUE(t, fsx_peek(x->buf, got, sizeof(got)) && !strcmp(got, x->dir));
	EXPECT_EQ(t, SC2(getcwd, x->buf, 2), -ERANGE);
	EXPECT_EQ(t, SC2(getcwd, x->ro, 64), -EFAULT);
	EXPECT_EQ(t, SC2(getcwd, KADDR, 64), -EFAULT);
	SC1(close, SC3(open, fsx_str(x, 0, "rel"), T_O_CREAT | T_O_WRONLY, 0644));
	/* relative names now start there */
	EXPECT_EQ(t, SC2(access, fsx_path(x, 0, "rel"), 0), 0); /* made in the new cwd */
	EXPECT_EQ(t, SC2(access, fsx_str(x, 0, "rel"), 4 | 2), 0);
	EXPECT_EQ(t, SC2(access, fsx_str(x, 0, "rel"), 1), -EACCES); /* no execute bit */
	EXPECT_EQ(t, SC2(access, fsx_str(x, 0, "rel"), 8), -EINVAL);
	EXPECT_EQ(t, SC2(access, fsx_str(x, 0, "none"), 0), -ENOENT);
	EXPECT_EQ(t, SC2(access, KADDR, 0), -EFAULT);
	EXPECT_EQ(t, SC1(chdir, fsx_str(x, 0, "rel")), -ENOTDIR);
	EXPECT_EQ(t, SC1(chdir, 0), -EFAULT);
	dfd = SC3(open, fsx_str(x, 0, "/tmp"), T_O_RDONLY | T_O_DIRECTORY, 0);
	EXPECT_EQ(t, SC1(fchdir, dfd), 0);
	EXPECT_EQ(t, SC2(getcwd, x->buf, 64), 5);
	EXPECT_EQ(t, SC3(faccessat, dfd, fsx_str(x, 0, x->dir + 5), 0), 0);
	SC1(close, dfd);
	dfd = open_path(x, "rel", T_O_RDONLY, 0);
	EXPECT_EQ(t, SC1(fchdir, dfd), -ENOTDIR);
	EXPECT_EQ(t, SC1(fchdir, 99), -EBADF);
	SC1(close, dfd);
	/* umask: the old value back; a new file gets mode & ~umask. */
	EXPECT_EQ(t, SC1(umask, 077), 022);
	SC1(close, open_path(x, "m", T_O_CREAT | T_O_WRONLY, 0666));
	EXPECT_EQ(t, SC1(umask, 022), 077);
	EXPECT_EQ(t, SC2(stat, fsx_path(x, 0, "m"), x->buf), 0);
	EXPECT_TRUE(t, fsx_peek(x->buf, &st, sizeof(st)) && (st.mode & 0777) == 0600);
	SC1(unlink, fsx_path(x, 0, "m"));
	SC1(unlink, fsx_path(x, 0, "rel"));
	SC1(chdir, fsx_str(x, 0, "/"));
}

static void test_statfs(struct ktest *t)
{
	struct fsx *x = X(t);
	int64_t sf[15];
	long fd;

	EXPECT_EQ(t, SC2(statfs, fsx_str(x, 0, "/tmp"), x->buf), 0);
	EXPECT_TRUE(t, fsx_peek(x->buf, sf, sizeof(sf)));
	EXPECT_EQ(t, sf[0], 0x01021994); /* TMPFS_MAGIC */
	EXPECT_EQ(t, sf[1], 4096);
	EXPECT_EQ(t, sf[8], 255); /* f_namelen */
	fd = SC3(open, fsx_str(x, 0, "/tmp"), T_O_RDONLY, 0);
	EXPECT_EQ(t, SC2(fstatfs, fd, x->buf), 0);
	EXPECT_EQ(t, SC2(fstatfs, fd, x->ro), -EFAULT);
	EXPECT_EQ(t, SC2(statfs, fsx_str(x, 0, "/tmp"), KADDR), -EFAULT);
	EXPECT_EQ(t, SC2(statfs, x->hole, x->buf), -EFAULT);
	EXPECT_EQ(t, SC2(fstatfs, 99, x->buf), -EBADF);
	SC1(close, fd);
}

/*
 * Every pointer argument of every call here, in turn NULL, a hole, a kernel address and (for
 * output) a read-only page: -EFAULT each time, and the directory unchanged afterwards.
 */
static void test_efault_every_pointer(struct ktest *t)
{
	struct fsx *x = X(t);
	uint64_t bad[] = {0, x->hole, KADDR}, f, d, buf = x->buf;
	long fd, dfd;

	SC1(close, open_path(x, "f", T_O_CREAT | T_O_WRONLY, 0644));
	f = fsx_path(x, 0, "f");
	d = fsx_str(x, 1, x->dir);
	dfd = SC3(open, d, T_O_RDONLY | T_O_DIRECTORY, 0);
	fd = SC3(open, f, T_O_RDWR, 0);
	ASSERT_GE(t, dfd, 0);
	ASSERT_GE(t, fd, 0);
	for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
		uint64_t b = bad[i];

		EXPECT_EQ(t, SC4(openat, dfd, b, T_O_RDONLY, 0), -EFAULT);
		EXPECT_EQ(t, SC2(stat, b, buf), -EFAULT);
		EXPECT_EQ(t, SC2(lstat, b, buf), -EFAULT);
		EXPECT_EQ(t, SC2(lstat, f, b), -EFAULT);
		EXPECT_EQ(t, SC4(newfstatat, dfd, b, buf, 0), -EFAULT);
		EXPECT_EQ(t, SC4(newfstatat, fd, fsx_str(x, 2, ""), b, 0x1000), -EFAULT);
		EXPECT_EQ(t, SC3(readlink, b, buf, 8), -EFAULT);
		EXPECT_EQ(t, SC3(mkdirat, dfd, b, 0755), -EFAULT);
		EXPECT_EQ(t, SC3(unlinkat, dfd, b, 0x200), -EFAULT);
		EXPECT_EQ(t, SC4(renameat, dfd, b, dfd, fsx_str(x, 2, "g")), -EFAULT);
		EXPECT_EQ(t, SC4(renameat, dfd, fsx_str(x, 2, "f"), dfd, b), -EFAULT);
		EXPECT_EQ(t, SC5(renameat2, dfd, fsx_str(x, 2, "f"), dfd, b, 0), -EFAULT);
		EXPECT_EQ(t, SC2(truncate, b, 0), -EFAULT);
		EXPECT_EQ(t, SC3(faccessat, dfd, b, 0), -EFAULT);
		EXPECT_EQ(t, SC1(chdir, b), -EFAULT);
		EXPECT_EQ(t, SC2(statfs, b, buf), -EFAULT);
		EXPECT_EQ(t, SC3(getdents64, dfd, b, 512), -EFAULT);
		EXPECT_EQ(t, SC3(readv, fd, b, 1), -EFAULT);
		EXPECT_EQ(t, SC3(ioctl, fd, 0x5401, b), -ENOTTY); /* not a terminal: arg unread */
	}
	EXPECT_EQ(t, SC2(stat, f, x->ro), -EFAULT);
	EXPECT_EQ(t, SC2(fstat, fd, x->ro), -EFAULT);
	EXPECT_EQ(t, SC3(getdents64, dfd, x->ro, 512), -EFAULT);
	EXPECT_EQ(t, SC2(getcwd, x->ro, 64), -EFAULT);
	EXPECT_EQ(t, SC2(statfs, d, x->ro), -EFAULT);
	EXPECT_EQ(t, SC2(access, f, 0), 0); /* nothing was renamed or removed */
	EXPECT_EQ(t, SC2(access, fsx_path(x, 0, "g"), 0), -ENOENT);
	SC1(close, fd);
	SC1(close, dfd);
	SC1(unlink, f);
}

KTEST_SUITE_HOOKS(fs_syscalls, fsx_init, fsx_exit, KTEST_CASE(test_open_write_read),
		  KTEST_CASE(test_readv_writev), KTEST_CASE(test_rw_efault),
		  KTEST_CASE(test_open_errors), KTEST_CASE(test_openat_dirfd),
		  KTEST_CASE(test_stat_family), KTEST_CASE(test_getdents64),
		  KTEST_CASE(test_dir_calls), KTEST_CASE(test_truncate_sync),
		  KTEST_CASE(test_cwd_access_umask), KTEST_CASE(test_statfs),
		  KTEST_CASE(test_efault_every_pointer));
