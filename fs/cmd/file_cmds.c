/*
 * Shell commands on files, each a thin layer over the system calls of fs/syscalls.h:
 *
 *	cat FILE...			the files' bytes, one after the other
 *	echo TEXT... [> FILE | >> FILE]	the words joined by spaces and a newline: printed, or
 *					written to FILE (> truncates, >> appends)
 *	touch FILE...			creates empty files (an existing one is left alone)
 *	truncate -s SIZE FILE		sets the size (K, M, G suffixes); the file must exist
 *	rm FILE...			unlinks
 *	stat PATH			what sys_stat says, one field per line
 *
 * The shell has no redirection and no quoting: echo itself looks for a ">" or ">>" word, which
 * must be the one before last. Errors are printed as fs_cmd.h describes.
 */
#include "fs/syscalls.h"
#include "fs/cmd/fs_cmd.h"
#include "kernel/console_input.h"
#include "kernel/shell.h"
#include "kernel/printk.h"
#include "lib/errno.h"
#include "lib/string.h"

#define ECHO_MAX 512 /* more than a shell line (255 characters) can hold */

static int cat_one(const char *path)
{
	char buf[256];
	ssize_t n;
	int fd = sys_open(path, O_RDONLY, 0);

	if (fd < 0)
		return fs_cmd_error("cat", path, fd);
	while ((n = sys_read(fd, buf, sizeof(buf))) > 0 && !console_interrupted())
		console_write(buf, (size_t)n);
	sys_close(fd);
	return n < 0 ? fs_cmd_error("cat", path, (int)n) : 0;
}

static int cmd_cat(int argc, char **argv)
{
	int ret = 0;

	if (argc < 2)
		return shell_usage(argv[0]);
	for (int i = 1; i < argc; i++)
		if (cat_one(argv[i]))
			ret = CMD_FAILED; /* go on with the others, as cat does */
	return ret;
}
SHELL_COMMAND("cat", "FILE...", "print the contents of files", cmd_cat);

/* Writes text to path: appended, or replacing what was there. */
static int write_file(const char *path, const char *text, size_t len, bool append)
{
	int fd = sys_open(path, O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC), 0644);
	ssize_t n;

	if (fd < 0)
		return fs_cmd_error("echo", path, fd);
	n = sys_write(fd, text, len);
	sys_close(fd);
	if (n >= 0 && (size_t)n < len)
		n = -ENOSPC; /* tmpfs stops at its size limit */
	return n < 0 ? fs_cmd_error("echo", path, (int)n) : 0;
}

static int cmd_echo(int argc, char **argv)
{
	char text[ECHO_MAX] = "";
	int words = argc - 1;
	const char *file = NULL;
	bool append = false;

	for (int i = 1; i < argc; i++) {
		bool gt = !strcmp(argv[i], ">"), gtgt = !strcmp(argv[i], ">>");

		if (!gt && !gtgt)
			continue;
		if (i != argc - 2) /* the file name, and nothing after it */
			return shell_usage(argv[0]);
		file = argv[i + 1];
		append = gtgt;
		words = i - 1;
	}
	for (int i = 1; i <= words; i++) {
		if (i > 1)
			strlcat(text, " ", sizeof(text));
		strlcat(text, argv[i], sizeof(text));
	}
	strlcat(text, "\n", sizeof(text));
	if (!file) {
		kprintf("%s", text);
		return 0;
	}
	return write_file(file, text, strlen(text), append);
}
SHELL_COMMAND("echo", "TEXT... [> FILE | >> FILE]",
	      "print words, or write them to a file (> replaces, >> appends)", cmd_echo);

static int cmd_touch(int argc, char **argv)
{
	int ret = 0;

	if (argc < 2)
		return shell_usage(argv[0]);
	for (int i = 1; i < argc; i++) {
		int fd = sys_open(argv[i], O_WRONLY | O_CREAT, 0644);

		if (fd < 0)
			ret = fs_cmd_error("touch", argv[i], fd);
		else
			sys_close(fd);
	}
	return ret;
}
SHELL_COMMAND("touch", "FILE...", "create empty files (existing ones are left as they are)",
	      cmd_touch);

static int cmd_truncate(int argc, char **argv)
{
	unsigned long long size;
	int err;

	if (argc != 4 || strcmp(argv[1], "-s") || parse_u64(argv[2], &size, 0, 1) < 0)
		return shell_usage(argv[0]);
	if ((err = sys_truncate(argv[3], size)))
		return fs_cmd_error("truncate", argv[3], err);
	return 0;
}
SHELL_COMMAND("truncate", "-s SIZE FILE", "set the size of a file (SIZE may end in K, M or G)",
	      cmd_truncate);

static int cmd_rm(int argc, char **argv)
{
	int ret = 0, err;

	if (argc < 2)
		return shell_usage(argv[0]);
	for (int i = 1; i < argc; i++)
		if ((err = sys_unlink(argv[i])))
			ret = fs_cmd_error("rm", argv[i], err);
	return ret;
}
SHELL_COMMAND("rm", "FILE...", "remove files", cmd_rm);

/* "drwxr-xr-x" for a mode. */
static void mode_string(umode_t mode, char s[11])
{
	static const char rwx[] = "rwxrwxrwx";

	s[0] = S_ISDIR(mode) ? 'd' : S_ISREG(mode) ? '-' : '?';
	for (int i = 0; i < 9; i++)
		s[i + 1] = mode & (0400 >> i) ? rwx[i] : '-';
	s[10] = '\0';
}

static const char *type_name(umode_t mode)
{
	if (S_ISDIR(mode))
		return "directory";
	return S_ISREG(mode) ? "regular file" : "other";
}

static int cmd_stat(int argc, char **argv)
{
	struct kstat st;
	char mode[11];
	int err;

	if (argc != 2)
		return shell_usage(argv[0]);
	if ((err = sys_stat(argv[1], &st)))
		return fs_cmd_error("stat", argv[1], err);
	mode_string(st.mode, mode);
	kprintf("  file: %s\n", argv[1]);
	kprintf("  type: %s  inode: %llu  mode: %04o %s  links: %u\n", type_name(st.mode),
		(unsigned long long)st.ino, st.mode & 07777, mode, st.nlink);
	kprintf("  size: %llu  blocks: %llu (512-byte units held)\n", (unsigned long long)st.size,
		(unsigned long long)st.blocks);
	kprintf("  mtime: %llu.%06llu s after boot\n",
		(unsigned long long)(st.mtime_ns / 1000000000),
		(unsigned long long)(st.mtime_ns % 1000000000 / 1000));
	kprintf("  device: %u  mount id: %u (%s)\n", st.dev, st.mnt_id,
		st.mnt_readonly ? "read-only" : "read-write");
	return 0;
}
SHELL_COMMAND("stat", "PATH", "inode, type, mode, links, size, blocks, mtime, device and mount",
	      cmd_stat);
