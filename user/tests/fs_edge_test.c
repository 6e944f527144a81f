/*
 * The file system calls at their edges: the errno Linux gives for each bad path, descriptor,
 * offset and directory operation; struct stat's layout as the kernel writes it (raw fstat into
 * bytes, not through libc); getdents64's records; and the mount rules (remount read-only,
 * busy unmounts, read-only bind mounts). Every check names Linux's answer.
 *
 * Everything happens on a tmpfs the program mounts at /tmp/fs_edge_test/m, so a Linux host
 * gives the same answers whatever its /tmp is. Needs root (on Linux: `unshare -m`).
 *
 *	fs_edge_test
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>
#include "user/tap.h"

#define TOP  "/tmp/fs_edge_test"
#define MNT  TOP "/m"
#define BIND TOP "/ro"

/* 0 when r (a system call's return) is not -1, else errno. */
static int err_of(long r)
{
	return r == -1 ? errno : 0;
}

static int make_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ssize_t n = fd >= 0 ? write(fd, text, strlen(text)) : -1;

	if (fd >= 0)
		close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

static void open_checks(void)
{
	char longname[sizeof(MNT) + 300];
	int e;

	e = err_of(open(MNT "/d", O_WRONLY));
	tap_ok(e == EISDIR, "open of a directory O_WRONLY: EISDIR (got %s)", strerror(e));
	e = err_of(open(MNT "/d", O_RDWR));
	tap_ok(e == EISDIR, "open of a directory O_RDWR: EISDIR (got %s)", strerror(e));
	e = err_of(open(MNT "/f", O_WRONLY | O_CREAT | O_EXCL, 0644));
	tap_ok(e == EEXIST, "O_CREAT|O_EXCL of an existing file: EEXIST (got %s)", strerror(e));
	e = err_of(open(MNT "/d", O_RDONLY | O_CREAT | O_EXCL, 0644));
	tap_ok(e == EEXIST, "O_CREAT|O_EXCL of an existing directory: EEXIST (got %s)",
	       strerror(e));
	e = err_of(open(MNT "/f", O_RDONLY | O_DIRECTORY));
	tap_ok(e == ENOTDIR, "O_DIRECTORY of a file: ENOTDIR (got %s)", strerror(e));
	e = err_of(open(MNT "/f/x", O_RDONLY));
	tap_ok(e == ENOTDIR, "a path through a file: ENOTDIR (got %s)", strerror(e));
	e = err_of(open(MNT "/f/", O_RDONLY));
	tap_ok(e == ENOTDIR, "a file's name with a trailing slash: ENOTDIR (got %s)", strerror(e));
	e = err_of(open(MNT "/none/x", O_RDONLY));
	tap_ok(e == ENOENT, "a path through a missing directory: ENOENT (got %s)", strerror(e));
	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	memcpy(longname, MNT "/", sizeof(MNT));
	e = err_of(open(longname, O_RDONLY | O_CREAT, 0644));
	tap_ok(e == ENAMETOOLONG, "a name of 300 bytes: ENAMETOOLONG (got %s)", strerror(e));
	e = err_of(open("", O_RDONLY));
	tap_ok(e == ENOENT, "open of the empty path: ENOENT (got %s)", strerror(e));
}

static void dir_checks(void)
{
	int e;

	e = err_of(mkdir(MNT "/d", 0755));
	tap_ok(e == EEXIST, "mkdir of an existing name: EEXIST (got %s)", strerror(e));
	e = err_of(mkdir(MNT "/f", 0755));
	tap_ok(e == EEXIST, "mkdir over an existing file: EEXIST (got %s)", strerror(e));
	e = err_of(rmdir(MNT "/d"));
	tap_ok(e == ENOTEMPTY, "rmdir of a non-empty directory: ENOTEMPTY (got %s)", strerror(e));
	e = err_of(rmdir(MNT "/d/e/."));
	tap_ok(e == EINVAL, "rmdir of a path ending in \".\": EINVAL (got %s)", strerror(e));
	e = err_of(rmdir(MNT "/f"));
	tap_ok(e == ENOTDIR, "rmdir of a file: ENOTDIR (got %s)", strerror(e));
	e = err_of(unlink(MNT "/d"));
	tap_ok(e == EISDIR, "unlink of a directory: EISDIR (got %s)", strerror(e));
	e = err_of(rename(MNT "/d", MNT "/d/e/x"));
	tap_ok(e == EINVAL, "rename of a directory into its own subdirectory: EINVAL (got %s)",
	       strerror(e));
	e = err_of(rename(MNT "/d", MNT "/f"));
	tap_ok(e == ENOTDIR, "rename of a directory over a file: ENOTDIR (got %s)", strerror(e));
	e = err_of(rename(MNT "/f", MNT "/d"));
	tap_ok(e == EISDIR, "rename of a file over a directory: EISDIR (got %s)", strerror(e));
	e = err_of(rename(MNT "/f", MNT "/f"));
	tap_ok(e == 0, "rename of a file onto itself: 0 (got %s)", strerror(e));
}

static void fd_checks(void)
{
	char buf[8];
	int fd, e;

	fd = open(MNT "/f", O_WRONLY);
	e = err_of(read(fd, buf, 1));
	tap_ok(e == EBADF, "read on an O_WRONLY descriptor: EBADF (got %s)", strerror(e));
	close(fd);
	fd = open(MNT "/f", O_RDONLY);
	e = err_of(write(fd, "x", 1));
	tap_ok(e == EBADF, "write on an O_RDONLY descriptor: EBADF (got %s)", strerror(e));
	e = err_of(ftruncate(fd, 1));
	tap_ok(e == EINVAL, "ftruncate of an O_RDONLY descriptor: EINVAL (got %s)", strerror(e));
	e = err_of(lseek(fd, -1, SEEK_SET));
	tap_ok(e == EINVAL, "lseek to offset -1: EINVAL (got %s)", strerror(e));
	e = err_of(lseek(fd, -100, SEEK_END));
	tap_ok(e == EINVAL, "lseek SEEK_END to before the start: EINVAL (got %s)", strerror(e));
	e = err_of(lseek(fd, 0, 7));
	tap_ok(e == EINVAL, "lseek with whence 7: EINVAL (got %s)", strerror(e));
	tap_ok(lseek(fd, 0, SEEK_CUR) == 0, "after the failed seeks the offset is still 0");
	tap_ok(pread(fd, buf, sizeof(buf), 1000) == 0, "pread at an offset past EOF: 0");
	e = err_of(pread(fd, buf, 1, -1));
	tap_ok(e == EINVAL, "pread at offset -1: EINVAL (got %s)", strerror(e));
	tap_ok(dup2(fd, fd) == fd, "dup2 of a descriptor onto itself returns it");
	e = err_of(dup2(1000, 1000));
	tap_ok(e == EBADF, "dup2 of a closed descriptor onto itself: EBADF (got %s)", strerror(e));
	close(fd);
	e = err_of(close(fd));
	tap_ok(e == EBADF, "close of a closed descriptor: EBADF (got %s)", strerror(e));
	e = err_of(close(-1));
	tap_ok(e == EBADF, "close(-1): EBADF (got %s)", strerror(e));
	fd = open(MNT "/f", O_RDWR);
	e = err_of(ftruncate(fd, -1));
	tap_ok(e == EINVAL, "ftruncate to a negative length: EINVAL (got %s)", strerror(e));
	close(fd);
	fd = open(MNT "/d", O_RDONLY);
	e = err_of(ftruncate(fd, 0));
	tap_ok(e == EINVAL || e == EBADF, "ftruncate of a directory: EINVAL (got %s)", strerror(e));
	close(fd);
}

/* More descriptor and path calls: openat, dup3, readv, getcwd, pwrite with O_APPEND. */
static void at_checks(void)
{
	char buf[16], small[4];
	struct iovec iov = {buf, 1};
	int dfd = open(MNT "/d", O_RDONLY | O_DIRECTORY), ffd = open(MNT "/f", O_RDONLY), fd, e;

	e = err_of(openat(1000, "g", O_RDONLY));
	tap_ok(e == EBADF, "openat of a relative path at a closed descriptor: EBADF (got %s)",
	       strerror(e));
	e = err_of(openat(ffd, "g", O_RDONLY));
	tap_ok(e == ENOTDIR, "openat of a relative path at a file's descriptor: ENOTDIR (got %s)",
	       strerror(e));
	fd = openat(1000, MNT "/f", O_RDONLY);
	tap_ok(fd >= 0, "openat of an absolute path ignores the descriptor");
	close(fd);
	fd = openat(dfd, "g", O_RDONLY);
	tap_ok(fd >= 0, "openat of a name at a directory's descriptor works");
	close(fd);
	e = err_of(syscall(SYS_dup3, ffd, ffd, 0));
	tap_ok(e == EINVAL, "dup3 of a descriptor onto itself: EINVAL (got %s)", strerror(e));
	e = err_of(syscall(SYS_dup3, ffd, 100, 0x4)); /* musl's dup3 calls dup2 for flags 0 */
	tap_ok(e == EINVAL, "dup3 with a flag other than O_CLOEXEC: EINVAL (got %s)", strerror(e));
	if (!e)
		close(100); /* it must not keep the mount busy */
	e = err_of(syscall(SYS_readv, ffd, &iov, -1));
	tap_ok(e == EINVAL, "readv with iovcnt -1: EINVAL (got %s)", strerror(e));
	e = err_of(syscall(SYS_readv, ffd, &iov, 1025));
	tap_ok(e == EINVAL, "readv with iovcnt 1025 (past IOV_MAX): EINVAL (got %s)", strerror(e));
	tap_ok(read(ffd, buf, 0) == 0 && lseek(ffd, 0, SEEK_CUR) == 0,
	       "a read of 0 bytes returns 0 and does not move the offset");
	e = chdir(MNT "/d") ? errno : err_of(syscall(SYS_getcwd, small, sizeof(small)));
	tap_ok(e == ERANGE, "getcwd of %s into a 4-byte buffer: ERANGE (got %s)", MNT "/d",
	       strerror(e));
	chdir("/");
	e = err_of(truncate(MNT "/d", 0));
	tap_ok(e == EISDIR, "truncate of a directory: EISDIR (got %s)", strerror(e));
	e = err_of(unlink(MNT "/f/"));
	tap_ok(e == ENOTDIR, "unlink of a file's name with a trailing slash: ENOTDIR (got %s)",
	       strerror(e));
	e = err_of(rmdir(MNT "/d/.."));
	tap_ok(e == ENOTEMPTY, "rmdir of a path ending in \"..\": ENOTEMPTY (got %s)", strerror(e));
	close(ffd);
	close(dfd);

	fd = open(MNT "/ap", O_WRONLY | O_CREAT | O_APPEND, 0644);
	tap_ok(fd >= 0 && write(fd, "abc", 3) == 3 && pwrite(fd, "XY", 2, 0) == 2,
	       "write 3 bytes to an O_APPEND file, then pwrite 2 at offset 0");
	close(fd);
	fd = open(MNT "/ap", O_RDONLY);
	memset(buf, 0, sizeof(buf));
	tap_ok(read(fd, buf, sizeof(buf)) == 5 && !memcmp(buf, "abcXY", 5),
	       "with O_APPEND the pwrite went to the end: \"abcXY\" (Linux's documented bug)");
	close(fd);
	unlink(MNT "/ap");
}

/* Linux's struct stat on x86_64 (arch/x86/include/uapi/asm/stat.h), read as bytes. */
#define ST_NLINK   16
#define ST_MODE	   24
#define ST_SIZE	   48
#define ST_BLKSIZE 56
#define ST_BLOCKS  64
#define ST_MTIM	   88

static uint64_t u64_at(const unsigned char *b, int off)
{
	uint64_t v;

	memcpy(&v, b + off, sizeof(v));
	return v;
}

static uint32_t u32_at(const unsigned char *b, int off)
{
	uint32_t v;

	memcpy(&v, b + off, sizeof(v));
	return v;
}

static void stat_checks(void)
{
	unsigned char raw[160];
	struct stat st;
	int fd = open(MNT "/f", O_RDONLY);
	int ok;

	tap_ok(sizeof(struct stat) == 144, "libc's struct stat is 144 bytes (Linux's x86_64 one)");
	memset(raw, 0xa5, sizeof(raw));
	ok = syscall(SYS_fstat, fd, raw) == 0;
	tap_ok(ok && u64_at(raw, ST_SIZE) == 5 && (u32_at(raw, ST_MODE) & S_IFMT) == S_IFREG &&
		       (u32_at(raw, ST_MODE) & 07777) == 0644 && u64_at(raw, ST_NLINK) == 1,
	       "raw fstat: st_nlink 1 at 16, st_mode 0100644 at 24, st_size 5 at 48");
	tap_ok(ok && raw[144] == 0xa5, "raw fstat writes 144 bytes, no more");
	tap_ok(ok && u64_at(raw, ST_BLKSIZE) == 4096, "st_blksize at 56 is 4096 (got %lu)",
	       (unsigned long)u64_at(raw, ST_BLKSIZE));
	tap_ok(ok && u64_at(raw, ST_BLOCKS) * 512 >= 5 && u64_at(raw, ST_BLOCKS) % 8 == 0,
	       "st_blocks at 64 counts 512-byte units of whole pages (got %lu)",
	       (unsigned long)u64_at(raw, ST_BLOCKS));
	tap_ok(ok && u64_at(raw, ST_MTIM + 8) < 1000000000, "st_mtim's nanoseconds at 96 < 1e9");
	close(fd);
	tap_ok(stat(MNT "/d", &st) == 0 && S_ISDIR(st.st_mode) && st.st_nlink == 3,
	       "a directory with one subdirectory has st_nlink 3 (got %lu)",
	       (unsigned long)st.st_nlink);
	tap_ok(stat(MNT "/d/e", &st) == 0 && st.st_nlink == 2,
	       "an empty directory has st_nlink 2 (got %lu)", (unsigned long)st.st_nlink);
	tap_ok(fstat(1000, &st) < 0 && errno == EBADF, "fstat of a closed descriptor: EBADF");
}

/* Linux's struct linux_dirent64. */
struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

static void getdents_checks(void)
{
	char buf[1024] __attribute__((aligned(8)));
	int fd = open(MNT "/d", O_RDONLY | O_DIRECTORY);
	int dot = 0, dotdot = 0, e_dir = 0, g_reg = 0, aligned = 1, e;
	long n = syscall(SYS_getdents64, fd, buf, sizeof(buf));
	long at;

	for (at = 0; n > 0 && at < n;) {
		struct linux_dirent64 *d = (struct linux_dirent64 *)(buf + at);

		dot += !strcmp(d->d_name, ".") && d->d_type == DT_DIR;
		dotdot += !strcmp(d->d_name, "..") && d->d_type == DT_DIR;
		e_dir += !strcmp(d->d_name, "e") && d->d_type == DT_DIR;
		g_reg += !strcmp(d->d_name, "g") && d->d_type == DT_REG;
		aligned &= d->d_reclen % 8 == 0 &&
			   d->d_reclen >= offsetof(struct linux_dirent64, d_name);
		if (!d->d_reclen)
			break;
		at += d->d_reclen;
	}
	tap_ok(n > 0 && dot == 1 && dotdot == 1,
	       "getdents64 lists \".\" and \"..\" once each, d_type DT_DIR");
	tap_ok(e_dir == 1 && g_reg == 1, "a subdirectory has DT_DIR, a file DT_REG");
	tap_ok(aligned, "every d_reclen is a multiple of 8");
	tap_ok(syscall(SYS_getdents64, fd, buf, sizeof(buf)) == 0, "a second call at the end: 0");
	e = err_of(syscall(SYS_getdents64, fd, buf, 8));
	lseek(fd, 0, SEEK_SET);
	e = err_of(syscall(SYS_getdents64, fd, buf, 8));
	tap_ok(e == EINVAL, "getdents64 with a buffer too small for one record: EINVAL (got %s)",
	       strerror(e));
	close(fd);
	fd = open(MNT "/f", O_RDONLY);
	e = err_of(syscall(SYS_getdents64, fd, buf, sizeof(buf)));
	tap_ok(e == ENOTDIR, "getdents64 of a file: ENOTDIR (got %s)", strerror(e));
	close(fd);
}

static void mount_checks(void)
{
	char cwd[256];
	int fd, e;

	e = err_of(mount("none", TOP "/missing", "tmpfs", 0, NULL));
	tap_ok(e == ENOENT, "mount on a missing directory: ENOENT (got %s)", strerror(e));
	e = err_of(mount("none", MNT "/d", "nosuchfs", 0, NULL));
	tap_ok(e == ENODEV, "mount of an unknown file system type: ENODEV (got %s)", strerror(e));
	e = err_of(mount("none", MNT "/f", "nosuchfs", 0, NULL));
	tap_ok(e == ENODEV, "the same on a file: ENODEV, the type is checked first (got %s)",
	       strerror(e));
	e = err_of(mount("none", MNT "/f", "tmpfs", 0, NULL));
	tap_ok(e == ENOTDIR, "mount of a tmpfs on a file: ENOTDIR (got %s)", strerror(e));
	e = err_of(mount(NULL, MNT "/f", NULL, MS_REMOUNT | MS_RDONLY, NULL));
	tap_ok(e == EINVAL, "remount of a file, not a mount's root: EINVAL (got %s)", strerror(e));
	e = err_of(umount2(MNT "/d", 0));
	tap_ok(e == EINVAL, "umount of a directory that is not a mount: EINVAL (got %s)",
	       strerror(e));
	e = err_of(umount2(TOP "/missing", 0));
	tap_ok(e == ENOENT, "umount of a missing path: ENOENT (got %s)", strerror(e));

	fd = open(MNT "/f", O_WRONLY);
	e = err_of(mount(NULL, MNT, NULL, MS_REMOUNT | MS_RDONLY, NULL));
	tap_ok(e == EBUSY, "remount read-only with a file open for writing: EBUSY (got %s)",
	       strerror(e));
	tap_ok(write(fd, "x", 1) == 1, "the writer still writes after the refused remount");
	e = err_of(umount2(MNT, 0));
	tap_ok(e == EBUSY, "umount with a file open in it: EBUSY (got %s)", strerror(e));
	close(fd);
	e = err_of(mount(NULL, MNT, NULL, MS_REMOUNT | MS_RDONLY, NULL));
	tap_ok(e == 0, "after the close the remount read-only works (got %s)", strerror(e));
	e = err_of(open(MNT "/f", O_WRONLY));
	tap_ok(e == EROFS, "then open O_WRONLY: EROFS (got %s)", strerror(e));
	e = err_of(open(MNT "/new", O_WRONLY | O_CREAT, 0644));
	tap_ok(e == EROFS, "then creating a file: EROFS (got %s)", strerror(e));
	e = err_of(mkdir(MNT "/nd", 0755));
	tap_ok(e == EROFS, "then mkdir: EROFS (got %s)", strerror(e));
	e = err_of(unlink(MNT "/f"));
	tap_ok(e == EROFS, "then unlink: EROFS (got %s)", strerror(e));
	e = err_of(mkdir(MNT "/d", 0755));
	tap_ok(e == EEXIST, "mkdir of an existing name there: EEXIST before EROFS (got %s)",
	       strerror(e));
	e = err_of(mount(NULL, MNT, NULL, MS_REMOUNT, NULL));
	tap_ok(e == 0, "remount read-write (got %s)", strerror(e));

	e = err_of(mount(MNT, BIND, NULL, MS_BIND, NULL));
	if (!e)
		e = err_of(mount(NULL, BIND, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL));
	tap_ok(e == 0, "a read-only bind mount of it at %s (got %s)", BIND, strerror(e));
	e = err_of(open(BIND "/f", O_WRONLY));
	tap_ok(e == EROFS, "O_WRONLY of a file through the read-only bind: EROFS (got %s)",
	       strerror(e));
	fd = open(MNT "/f", O_WRONLY);
	tap_ok(fd >= 0, "O_WRONLY of the same file through the source works");
	close(fd);
	e = err_of(umount2(BIND, 0));
	tap_ok(e == 0, "umount the bind (got %s)", strerror(e));

	getcwd(cwd, sizeof(cwd));
	chdir(MNT "/d");
	e = err_of(umount2(MNT, 0));
	tap_ok(e == EBUSY, "umount of the mount holding the working directory: EBUSY (got %s)",
	       strerror(e));
	chdir(cwd);
}

static void cleanup(void)
{
	unlink(MNT "/d/g");
	rmdir(MNT "/d/e");
	rmdir(MNT "/d");
	unlink(MNT "/f");
}

int main(void)
{
	int e;

	tap_plan(91);
	mkdir(TOP, 0755);
	mkdir(MNT, 0755);
	mkdir(BIND, 0755);
	umask(022);
	e = err_of(mount("none", MNT, "tmpfs", 0, NULL));
	if (!tap_ok(e == 0, "mount a tmpfs at %s (%s)", MNT, strerror(e)))
		return tap_done();
	tap_ok(mkdir(MNT "/d", 0755) == 0 && mkdir(MNT "/d/e", 0755) == 0 &&
		       make_file(MNT "/d/g", "g") == 0 && make_file(MNT "/f", "hello") == 0,
	       "make d/, d/e/, d/g and f (5 bytes)");
	open_checks();
	dir_checks();
	fd_checks();
	at_checks();
	stat_checks();
	getdents_checks();
	mount_checks();
	cleanup();
	e = err_of(umount2(MNT, 0));
	tap_ok(e == 0, "umount the tmpfs (got %s)", strerror(e));
	rmdir(BIND);
	rmdir(MNT);
	tap_ok(rmdir(TOP) == 0, "rmdir %s: nothing is left behind", TOP);
	return tap_done();
}
