/*
 * KTAP suite "fs_files": descriptor tables and working directories between threads
 * (copy_files, copy_fs with and without CLONE_FILES / CLONE_FS, an allocation failure in the
 * copy), close-on-exec, dup and fcntl, /dev/console as a file, and mount / umount2 through
 * their system calls (a write open holding its write reference makes remount,ro -EBUSY).
 */
#include "tests/ktest/fs_syscalls_fixture.h"
#include "fs/file.h"
#include "fs/fs_struct.h"
#include "fs/syscalls.h"
#include "kernel/kthread.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "mm/fault_inject.h"
#include "mm/uaccess.h"

#define X(t) ((struct fsx *)(t)->priv)

/* Linux's mount flags. */
#define T_MS_RDONLY  1
#define T_MS_REMOUNT 32
#define T_MS_BIND    4096

static int refs(int fd)
{
	struct file *f = fget(fd);
	int n;

	if (!f)
		return -1;
	n = atomic_read(&f->f_count) - 1; /* without ours */
	fput(f);
	return n;
}

struct child {
	int fd;	  /* the parent's descriptor the child looks at */
	int seen; /* what the child saw: see each child function */
	char cwd[64];
};

/* A child with a copied table: its copy of fd is there, and closing it is its own business. */
static int child_close(void *arg)
{
	struct child *c = arg;
	struct file *f = fget(c->fd);

	c->seen = f != NULL;
	if (f)
		fput(f);
	return close_fd(c->fd) || fget(c->fd) != NULL;
}

/* A child sharing the table: opens a file the parent will see at the returned descriptor. */
static int child_open(void *arg)
{
	struct child *c = arg;

	c->seen = sys_open(c->cwd, O_RDONLY, 0);
	return 0;
}

/* A child that changes its working directory to "/" and reports it in cwd. */
static int child_chdir(void *arg)
{
	struct child *c = arg;

	sys_chdir("/");
	return sys_getcwd(c->cwd, sizeof(c->cwd));
}

static int child_nothing(void *arg)
{
	(void)arg;
	return 0;
}

static void test_copy_files(struct ktest *t)
{
	struct fsx *x = X(t);
	struct child c = {0};
	struct thread *th;
	char p[64];
	int fd, before;

	snprintf(p, sizeof(p), "%s/c", x->dir);
	ASSERT_GE(t, fd = sys_open(p, O_CREAT | O_RDWR, 0644), 0);
	ASSERT_EQ(t, set_close_on_exec(fd, true), 0);
	before = refs(fd);
	c.fd = fd;
	ASSERT_NOT_NULL(t, th = kthread_create(child_close, &c, "fsx-copy"));
	EXPECT_EQ(t, copy_files(0, th), 0);
	EXPECT_TRUE(t, th->files && th->files != current->files);
	if (th->files) {
		EXPECT_TRUE(t, th->files->fd[fd] == current->files->fd[fd]);
		EXPECT_TRUE(t, th->files->close_on_exec & (1ULL << fd));
	}
	EXPECT_EQ(t, refs(fd), before + 1);
	wake_up_new_thread(th);
	EXPECT_EQ(t, kthread_join(th), 0);
	EXPECT_EQ(t, c.seen, 1);
	EXPECT_EQ(t, refs(fd), before); /* the child's close and exit let go of its copy */
	EXPECT_EQ(t, sys_close(fd), 0);
	sys_unlink(p);
}

static void test_copy_files_shared(struct ktest *t)
{
	struct fsx *x = X(t);
	struct child c = {0};
	struct thread *th;
	struct file *f;

	snprintf(c.cwd, sizeof(c.cwd), "%s", x->dir);
	ASSERT_NOT_NULL(t, th = kthread_create(child_open, &c, "fsx-share"));
	EXPECT_EQ(t, copy_files(CLONE_FILES, th), 0);
	EXPECT_TRUE(t, th->files == current->files);
	EXPECT_EQ(t, atomic_read(&current->files->count), 2);
	wake_up_new_thread(th);
	EXPECT_EQ(t, kthread_join(th), 0);
	EXPECT_EQ(t, atomic_read(&current->files->count), 1);
	EXPECT_GE(t, c.seen, 0);
	f = fget(c.seen); /* the child's open, in the shared table */
	EXPECT_NOT_NULL(t, f);
	if (f)
		fput(f);
	EXPECT_EQ(t, sys_close(c.seen), 0);
}

static void test_copy_files_enomem(struct ktest *t)
{
	struct fsx *x = X(t);
	struct thread *th;
	uint64_t files;
	char p[64];
	int fd, before, err;

	snprintf(p, sizeof(p), "%s/n", x->dir);
	ASSERT_GE(t, fd = sys_open(p, O_CREAT | O_RDWR, 0644), 0);
	before = refs(fd);
	files = nr_files();
	ASSERT_NOT_NULL(t, th = kthread_create(child_nothing, NULL, "fsx-nomem"));
	alloc_fail_inject(1);
	err = copy_files(0, th);
	alloc_fail_cancel();
	EXPECT_EQ(t, err, -ENOMEM);
	EXPECT_NULL(t, th->files);
	EXPECT_EQ(t, refs(fd), before); /* no reference taken and left behind */
	EXPECT_EQ(t, nr_files(), files);
	wake_up_new_thread(th);
	kthread_join(th);
	sys_close(fd);
	sys_unlink(p);
}

static void test_copy_fs(struct ktest *t)
{
	struct fsx *x = X(t);
	struct child c = {0};
	struct thread *th;
	char cwd[64];

	ASSERT_EQ(t, sys_chdir(x->dir), 0);
	ASSERT_NOT_NULL(t, th = kthread_create(child_chdir, &c, "fsx-fs"));
	EXPECT_EQ(t, copy_fs(0, th), 0);
	EXPECT_TRUE(t, th->fs && th->fs != current->fs &&
			       th->fs->pwd.dentry == current->fs->pwd.dentry);
	wake_up_new_thread(th);
	EXPECT_EQ(t, kthread_join(th), 0);
	EXPECT_STREQ(t, c.cwd, "/");
	EXPECT_EQ(t, sys_getcwd(cwd, sizeof(cwd)), 0);
	EXPECT_STREQ(t, cwd, x->dir); /* a copy: the child's chdir stayed its own */
	ASSERT_NOT_NULL(t, th = kthread_create(child_chdir, &c, "fsx-fs2"));
	EXPECT_EQ(t, copy_fs(CLONE_FS, th), 0);
	EXPECT_TRUE(t, th->fs == current->fs);
	wake_up_new_thread(th);
	EXPECT_EQ(t, kthread_join(th), 0);
	EXPECT_EQ(t, sys_getcwd(cwd, sizeof(cwd)), 0);
	EXPECT_STREQ(t, cwd, "/"); /* shared: the child's chdir is ours */
	EXPECT_EQ(t, atomic_read(&current->fs->users), 1);
	ASSERT_NOT_NULL(t, th = kthread_create(child_nothing, NULL, "fsx-fs3"));
	alloc_fail_inject(1);
	EXPECT_EQ(t, copy_fs(0, th), -ENOMEM);
	alloc_fail_cancel();
	EXPECT_NULL(t, th->fs);
	wake_up_new_thread(th);
	kthread_join(th);
}

static void test_close_on_exec(struct ktest *t)
{
	struct fsx *x = X(t);
	long a, b, c;

	a = SC4(openat, T_AT_FDCWD, fsx_path(x, 0, "e"), T_O_CREAT | T_O_RDWR, 0644);
	b = SC4(openat, T_AT_FDCWD, fsx_path(x, 0, "e"), T_O_RDONLY | T_O_CLOEXEC, 0);
	ASSERT_GE(t, a, 0);
	ASSERT_GE(t, b, 0);
	EXPECT_EQ(t, SC3(fcntl, a, 1, 0), 0); /* F_GETFD */
	EXPECT_EQ(t, SC3(fcntl, b, 1, 0), 1);
	c = SC3(dup3, a, 20, T_O_CLOEXEC);
	EXPECT_EQ(t, c, 20);
	EXPECT_EQ(t, SC3(fcntl, c, 1, 0), 1);
	do_close_on_exec();
	EXPECT_EQ(t, SC3(fcntl, a, 1, 0), 0); /* still open */
	EXPECT_EQ(t, SC3(fcntl, b, 1, 0), -EBADF);
	EXPECT_EQ(t, SC3(fcntl, 20, 1, 0), -EBADF);
	SC1(close, a);
	SC1(unlink, fsx_path(x, 0, "e"));
}

static void test_dup_fcntl(struct ktest *t)
{
	struct fsx *x = X(t);
	long a, b, c;
	char got[8] = {0};

	ASSERT_GE(t, a = SC4(openat, T_AT_FDCWD, fsx_path(x, 0, "d"), T_O_CREAT | T_O_RDWR, 0644),
		  0);
	b = SC1(dup, a);
	EXPECT_GT(t, b, a);
	fsx_str(x, 1, "abcdef");
	EXPECT_EQ(t, SC3(write, a, x->u + 256, 3), 3);
	EXPECT_EQ(t, SC3(lseek, b, 0, SEEK_CUR), 3); /* one file, one position */
	EXPECT_EQ(t, SC2(dup2, a, 30), 30);
	EXPECT_EQ(t, SC2(dup2, a, a), a);
	EXPECT_EQ(t, SC2(dup2, 99, 31), -EBADF);
	EXPECT_EQ(t, SC2(dup2, 40, 40), -EBADF);
	EXPECT_EQ(t, SC2(dup2, a, 64), -EBADF);
	EXPECT_EQ(t, SC3(dup3, a, a, 0), -EINVAL);
	EXPECT_EQ(t, SC3(dup3, a, 31, 1), -EINVAL);
	EXPECT_EQ(t, SC1(dup, 99), -EBADF);
	/* dup2 over an open descriptor closes what it named. */
	c = SC4(openat, T_AT_FDCWD, fsx_path(x, 0, "d"), T_O_RDONLY, 0);
	EXPECT_EQ(t, SC2(dup2, a, c), c);
	EXPECT_EQ(t, SC3(write, c, x->u + 256, 1), 1); /* now the writable file */
	EXPECT_GE(t, SC3(fcntl, a, 0, 25), 25);	       /* F_DUPFD */
	EXPECT_EQ(t, SC3(fcntl, a, 1030, 40), 40);     /* F_DUPFD_CLOEXEC */
	EXPECT_EQ(t, SC3(fcntl, 40, 1, 0), 1);
	EXPECT_EQ(t, SC3(fcntl, 40, 2, 0), 0); /* F_SETFD 0 */
	EXPECT_EQ(t, SC3(fcntl, 40, 1, 0), 0);
	EXPECT_EQ(t, SC3(fcntl, a, 0, 64), -EINVAL);
	EXPECT_EQ(t, SC3(fcntl, a, 3, 0), T_O_RDWR | T_O_LARGEFILE); /* F_GETFL */
	EXPECT_EQ(t, SC3(fcntl, a, 4, T_O_APPEND), 0);		     /* F_SETFL */
	EXPECT_EQ(t, SC3(fcntl, a, 3, 0), T_O_RDWR | T_O_LARGEFILE | T_O_APPEND);
	SC3(lseek, a, 0, SEEK_SET);
	EXPECT_EQ(t, SC3(write, a, x->u + 256 + 3, 3), 3); /* appended */
	EXPECT_EQ(t, SC4(pread64, a, x->buf, 8, 0), 7);
	EXPECT_TRUE(t, fsx_peek(x->buf, got, 7) && !memcmp(got, "abcadef", 7));
	EXPECT_EQ(t, SC3(fcntl, a, 9999, 0), -EINVAL);
	EXPECT_EQ(t, SC3(fcntl, 99, 1, 0), -EBADF);
	for (int fd = 0; fd < NR_OPEN; fd++)
		if (fd == a || fd == b || fd == c || fd == 30 || fd == 40 || (fd >= 25 && fd < 30))
			sys_close(fd);
	SC1(unlink, fsx_path(x, 0, "d"));
}

static int child_stdio(void *arg)
{
	struct child *c = arg;
	struct file *f[3];
	int ok;

	if (console_install_stdio())
		return 1;
	for (int i = 0; i < 3; i++)
		f[i] = fget(i);
	ok = f[0] && f[0] == f[1] && f[1] == f[2] && S_ISCHR(f[0]->f_inode->i_mode) &&
	     (f[0]->f_mode & FMODE_READ) && (f[0]->f_mode & FMODE_WRITE);
	for (int i = 0; i < 3; i++)
		if (f[i])
			fput(f[i]);
	c->seen = fget(3) == NULL; /* the open's own descriptor is gone */
	return !ok;
}

static void test_console(struct ktest *t)
{
	struct fsx *x = X(t);
	uint32_t tio[9];
	uint16_t ws[4];
	uint64_t st[18];
	struct child c = {0};
	struct thread *th;
	long fd, ffd;
	const char *msg = "fs_files: a line through /dev/console\n";

	ASSERT_GE(t, fd = SC3(open, fsx_str(x, 0, "/dev/console"), T_O_RDWR, 0), 0);
	EXPECT_EQ(t, SC2(fstat, fd, x->buf), 0);
	EXPECT_TRUE(t, fsx_peek(x->buf, st, sizeof(st)));
	EXPECT_EQ(t, (uint32_t)st[3], (uint32_t)(S_IFCHR | 0620));
	EXPECT_EQ(t, st[5], 0x501u); /* makedev(5, 1) */
	EXPECT_EQ(t, SC3(ioctl, fd, 0x5401, x->buf), 0);
	EXPECT_TRUE(t, fsx_peek(x->buf, tio, sizeof(tio)) && (tio[3] & 02) && (tio[3] & 010));
	EXPECT_EQ(t, SC3(ioctl, fd, 0x5413, x->buf), 0);
	EXPECT_TRUE(t, fsx_peek(x->buf, ws, sizeof(ws)) && ws[0] == 24 && ws[1] == 80);
	EXPECT_EQ(t, SC3(ioctl, fd, 0x5401, x->ro), -EFAULT);
	EXPECT_EQ(t, SC3(ioctl, fd, 0x5413, 0), -EFAULT);
	EXPECT_EQ(t, SC3(ioctl, fd, 0x5401, KADDR), -EFAULT);
	EXPECT_EQ(t, SC3(ioctl, fd, 0x5402, x->buf), -ENOTTY);
	EXPECT_EQ(t, SC3(ioctl, 99, 0x5401, x->buf), -EBADF);
	EXPECT_EQ(t, SC3(lseek, fd, 0, SEEK_SET), -ESPIPE);
	EXPECT_EQ(t, SC4(pread64, fd, x->buf, 1, 0), -ESPIPE);
	EXPECT_EQ(t, SC3(read, fd, x->buf, 0), 0);
	fsx_str(x, 1, msg);
	EXPECT_EQ(t, SC3(write, fd, x->u + 256, strlen(msg)), (long)strlen(msg));
	ffd = SC4(openat, T_AT_FDCWD, fsx_path(x, 0, "plain"), T_O_CREAT | T_O_RDWR, 0644);
	EXPECT_EQ(t, SC3(ioctl, ffd, 0x5401, x->buf), -ENOTTY); /* not a terminal */
	SC1(close, ffd);
	SC1(unlink, fsx_path(x, 0, "plain"));
	SC1(close, fd);
	ASSERT_NOT_NULL(t, th = kthread_create(child_stdio, &c, "fsx-stdio"));
	wake_up_new_thread(th);
	EXPECT_EQ(t, kthread_join(th), 0);
	EXPECT_EQ(t, c.seen, 1);
}

static long mount_call(struct fsx *x, const char *src, const char *dir, const char *type,
		       unsigned long flags)
{
	return SC5(mount, src ? fsx_path(x, 4, src) : 0, fsx_path(x, 5, dir),
		   type ? fsx_str(x, 6, type) : 0, flags, 0);
}

static void test_mount_calls(struct ktest *t)
{
	struct fsx *x = X(t);
	long fd;

	SC2(mkdir, fsx_path(x, 0, "m"), 0755);
	SC2(mkdir, fsx_path(x, 0, "b"), 0755);
	ASSERT_EQ(t, mount_call(x, "/none", "m", "tmpfs", 0), 0);
	fd = SC4(openat, T_AT_FDCWD, fsx_path(x, 0, "m/f"), T_O_CREAT | T_O_WRONLY, 0644);
	EXPECT_GE(t, fd, 0);
	/* The open for writing holds a write reference: remount,ro is busy. */
	EXPECT_EQ(t, mount_call(x, NULL, "m", NULL, T_MS_REMOUNT | T_MS_RDONLY), -EBUSY);
	SC1(close, fd);
	EXPECT_EQ(t, mount_call(x, NULL, "m", NULL, T_MS_REMOUNT | T_MS_RDONLY), 0);
	EXPECT_EQ(t, SC4(openat, T_AT_FDCWD, fsx_path(x, 0, "m/f"), T_O_WRONLY, 0), -EROFS);
	EXPECT_EQ(t, SC2(access, fsx_path(x, 0, "m/f"), 2), -EROFS);
	EXPECT_EQ(t, mount_call(x, NULL, "m", NULL, T_MS_REMOUNT), 0);
	/* A read-only bind mount: bind, then remount the bind alone. */
	EXPECT_EQ(t, mount_call(x, "m", "b", NULL, T_MS_BIND), 0);
	EXPECT_EQ(t, mount_call(x, NULL, "b", NULL, T_MS_REMOUNT | T_MS_BIND | T_MS_RDONLY), 0);
	EXPECT_EQ(t, SC4(openat, T_AT_FDCWD, fsx_path(x, 0, "b/f"), T_O_WRONLY, 0), -EROFS);
	fd = SC4(openat, T_AT_FDCWD, fsx_path(x, 0, "m/f"), T_O_WRONLY, 0);
	EXPECT_GE(t, fd, 0); /* the original stays writable */
	SC1(close, fd);
	EXPECT_EQ(t, mount_call(x, "/none", "b", "tmpfs", 2), -EINVAL); /* MS_NOSUID: not taken */
	EXPECT_EQ(t, mount_call(x, "/none", "b", NULL, 0), -EINVAL);	/* no type */
	EXPECT_EQ(t, mount_call(x, "/none", "b", "nofs", 0), -ENODEV);
	EXPECT_EQ(t, SC5(mount, 0, KADDR, 0, T_MS_REMOUNT, 0), -EFAULT);
	EXPECT_EQ(t, SC5(mount, x->hole, fsx_path(x, 5, "b"), 0, T_MS_BIND, 0), -EFAULT);
	EXPECT_EQ(t, SC5(mount, 0, fsx_path(x, 5, "b"), KADDR, 0, 0), -EFAULT);
	EXPECT_EQ(t,
		  SC5(mount, fsx_path(x, 4, "/none"), fsx_path(x, 5, "b"), fsx_str(x, 6, "tmpfs"),
		      0, x->hole),
		  -EFAULT);
	EXPECT_EQ(t, SC2(umount2, fsx_path(x, 0, "b"), 2), -EINVAL); /* MNT_DETACH */
	EXPECT_EQ(t, SC2(umount2, 0, 0), -EFAULT);
	EXPECT_EQ(t, SC2(umount2, fsx_path(x, 0, "b"), 0), 0);
	EXPECT_EQ(t, SC2(umount2, fsx_path(x, 0, "b"), 0), -EINVAL); /* no longer a mount */
	SC1(unlink, fsx_path(x, 0, "m/f"));
	EXPECT_EQ(t, SC2(umount2, fsx_path(x, 0, "m"), 0), 0);
	SC1(rmdir, fsx_path(x, 0, "m"));
	SC1(rmdir, fsx_path(x, 0, "b"));
}

KTEST_SUITE_HOOKS(fs_files, fsx_init, fsx_exit, KTEST_CASE(test_copy_files),
		  KTEST_CASE(test_copy_files_shared), KTEST_CASE(test_copy_files_enomem),
		  KTEST_CASE(test_copy_fs), KTEST_CASE(test_close_on_exec),
		  KTEST_CASE(test_dup_fcntl), KTEST_CASE(test_console),
		  KTEST_CASE(test_mount_calls));
