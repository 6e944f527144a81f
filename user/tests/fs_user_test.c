/*
 * The file calls as a program makes them through libc: stdio, stat, directories, rename and
 * unlink, the working directory, dup2 of stdout, positioned reads and writes, a seek past the
 * end, O_APPEND, ftruncate; each result compared with what was written, and the errors
 * ENOENT, EEXIST, ENOTEMPTY, EBADF and EISDIR. Everything happens under /tmp/fs_user_test.
 * Runs on Linux and on teachos.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "user/tap.h"

#define TOP "/tmp/fs_user_test"

/* The whole file at path into buf (at most size - 1 bytes, then a NUL); its length or -1. */
static ssize_t slurp(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return n;
}

static void test_stdio_stat(void)
{
	char buf[64];
	struct stat st;
	FILE *f = fopen(TOP "/a.txt", "w");
	int ok = f && fprintf(f, "line %d\n", 42) == 8;

	ok = f && fclose(f) == 0 && ok;
	tap_ok(ok, "fopen, fprintf, fclose a new file");
	tap_ok(slurp(TOP "/a.txt", buf, sizeof(buf)) == 8 && !strcmp(buf, "line 42\n"),
	       "read(2) gives back what fprintf wrote");
	tap_ok(stat(TOP "/a.txt", &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 8,
	       "stat: a regular file of 8 bytes");
	tap_ok(stat(TOP "/missing", &st) < 0 && errno == ENOENT, "stat of a missing file: ENOENT");
	tap_ok(!fopen(TOP "/missing", "r") && errno == ENOENT,
	       "fopen(\"r\") of a missing file: ENOENT");
}

static void test_dirs(void)
{
	int saw_a = 0, saw_sub = 0, saw_dot = 0, others = 0;
	struct dirent *d;
	DIR *dir;

	tap_ok(mkdir(TOP "/sub", 0755) == 0, "mkdir a directory");
	tap_ok(mkdir(TOP "/sub", 0755) < 0 && errno == EEXIST, "mkdir of it again: EEXIST");
	dir = opendir(TOP);
	while (dir && (d = readdir(dir))) {
		if (!strcmp(d->d_name, "a.txt"))
			saw_a++;
		else if (!strcmp(d->d_name, "sub"))
			saw_sub++;
		else if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
			saw_dot++;
		else
			others++;
	}
	tap_ok(dir && saw_a == 1 && saw_sub == 1 && saw_dot == 2 && !others,
	       "readdir lists ., .., a.txt and sub once each, nothing else");
	if (dir)
		closedir(dir);
	tap_ok(rename(TOP "/a.txt", TOP "/sub/b.txt") == 0 && access(TOP "/a.txt", F_OK) < 0 &&
		       access(TOP "/sub/b.txt", F_OK) == 0,
	       "rename moves a file into the subdirectory");
	tap_ok(rmdir(TOP "/sub") < 0 && errno == ENOTEMPTY, "rmdir of a non-empty one: ENOTEMPTY");
	tap_ok(unlink(TOP "/sub/b.txt") == 0 && unlink(TOP "/sub/b.txt") < 0 && errno == ENOENT,
	       "unlink, then unlink again: ENOENT");
	tap_ok(unlink(TOP "/sub") < 0 && errno == EISDIR, "unlink of a directory: EISDIR");
	tap_ok(open(TOP "/sub", O_WRONLY) < 0 && errno == EISDIR,
	       "open of a directory for writing: EISDIR");
	tap_ok(rmdir(TOP "/sub") == 0 && rmdir(TOP "/sub") < 0 && errno == ENOENT,
	       "rmdir of the empty one, then again: ENOENT");
}

static void test_cwd(void)
{
	char old[256], now[256], buf[16];
	int ok = getcwd(old, sizeof(old)) != NULL;

	tap_ok(ok && chdir(TOP) == 0 && getcwd(now, sizeof(now)) && !strcmp(now, TOP),
	       "chdir, then getcwd says %s", TOP);
	FILE *f = fopen("rel", "w");

	ok = f && fputs("here", f) >= 0;
	ok = f && fclose(f) == 0 && ok;
	tap_ok(ok && slurp(TOP "/rel", buf, sizeof(buf)) == 4,
	       "a relative name is made in the working directory");
	unlink(TOP "/rel");
	tap_ok(chdir(TOP "/missing") < 0 && errno == ENOENT, "chdir to a missing one: ENOENT");
	tap_ok(chdir(old) == 0, "chdir back to %s", old);
}

static void test_dup2_stdout(void)
{
	char buf[64];
	int saved, fd, ok;

	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	fd = open(TOP "/out.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ok = saved >= 0 && fd >= 0 && dup2(fd, STDOUT_FILENO) == STDOUT_FILENO;
	close(fd);
	printf("captured\n");
	fflush(stdout);
	ok = dup2(saved, STDOUT_FILENO) == STDOUT_FILENO && ok;
	close(saved);
	tap_ok(ok && slurp(TOP "/out.txt", buf, sizeof(buf)) == 9 && !strcmp(buf, "captured\n"),
	       "dup2 of a file onto stdout: printf lands in it, and stdout comes back");
	unlink(TOP "/out.txt");
	tap_ok(dup2(1000, 5) < 0 && errno == EBADF, "dup2 of a closed fd: EBADF");
	tap_ok(close(1000) < 0 && errno == EBADF, "close of a closed fd: EBADF");
}

static void test_positions(void)
{
	char buf[64];
	struct stat st;
	int fd = open(TOP "/p", O_RDWR | O_CREAT | O_TRUNC, 0644);
	int ok;

	ok = fd >= 0 && pwrite(fd, "abcdef", 6, 0) == 6 && pwrite(fd, "XY", 2, 2) == 2;
	tap_ok(ok && pread(fd, buf, 6, 0) == 6 && !memcmp(buf, "abXYef", 6) &&
		       lseek(fd, 0, SEEK_CUR) == 0,
	       "pwrite and pread at offsets leave the file position at 0");
	ok = lseek(fd, 100, SEEK_END) == 106 && write(fd, "Z", 1) == 1;
	tap_ok(ok && fstat(fd, &st) == 0 && st.st_size == 107, "lseek 100 past the end, write: "
							       "size 107");
	ok = pread(fd, buf, 8, 100) == 7 && !memcmp(buf, "\0\0\0\0\0\0Z", 7);
	tap_ok(ok, "the gap reads as zeros, and a read at the end is short");
	tap_ok(ftruncate(fd, 3) == 0 && fstat(fd, &st) == 0 && st.st_size == 3 &&
		       pread(fd, buf, 8, 0) == 3 && !memcmp(buf, "abX", 3),
	       "ftruncate to 3 bytes keeps the first 3");
	tap_ok(read(fd, buf, 8) == 0, "a read at the old position past the end: 0");
	close(fd);
	fd = open(TOP "/p", O_WRONLY | O_APPEND);
	ok = fd >= 0 && lseek(fd, 0, SEEK_SET) == 0 && write(fd, "++", 2) == 2;
	close(fd);
	tap_ok(ok && slurp(TOP "/p", buf, sizeof(buf)) == 5 && !strcmp(buf, "abX++"),
	       "O_APPEND writes at the end even after lseek to 0");
	tap_ok(read(fd, buf, 1) < 0 && errno == EBADF, "read on the closed fd: EBADF");
	fd = open(TOP, O_RDONLY);
	tap_ok(fd >= 0 && read(fd, buf, 1) < 0 && errno == EISDIR,
	       "read(2) of a directory: EISDIR");
	close(fd);
	unlink(TOP "/p");
}

int main(void)
{
	tap_plan(30);
	mkdir(TOP, 0755);
	test_stdio_stat();
	test_dirs();
	test_cwd();
	test_dup2_stdout();
	test_positions();
	tap_ok(rmdir(TOP) == 0, "rmdir %s: everything made was removed", TOP);
	return tap_done();
}
