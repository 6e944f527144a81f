/*
 * Shell commands on directories and names, over the system calls of fs/syscalls.h:
 *
 *	ls [PATH]		each entry: type (d or -), size in bytes, name (a directory's with a
 *				trailing /); a file alone gives its own line
 *	mkdir DIR...		rmdir DIR...		mv FROM TO
 *	cd [DIR]		the shell thread's working directory (/ without DIR)
 *	pwd
 *
 * ls reads a directory in batches: sys_readdir calls our actor with the directory locked, so
 * the actor only copies names, and each is stat'ed after the call returns (a path walk from
 * inside the actor would take the directory's lock again). ctx.pos says where to resume.
 */
#include "fs/syscalls.h"
#include "fs/cmd/fs_cmd.h"
#include "kernel/shell.h"
#include "kernel/printk.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/slab.h"

#define LS_BATCH 16

struct ls_state {
	struct dir_context ctx;
	unsigned int n; /* names in this batch */
	char names[LS_BATCH][NAME_MAX + 1];
	char path[PATH_MAX];
};

static bool ls_actor(struct dir_context *ctx, const char *name, unsigned int len, uint64_t ino,
		     umode_t mode)
{
	struct ls_state *ls = (struct ls_state *)ctx; /* ctx is the first member */

	(void)ino;
	(void)mode;
	if (ls->n == LS_BATCH)
		return false; /* full: the caller prints these and calls again */
	memcpy(ls->names[ls->n], name, len);
	ls->names[ls->n][len] = '\0';
	ls->n++;
	return true;
}

static void ls_line(const char *path, const char *name)
{
	struct kstat st;
	int err = sys_stat(path, &st);

	if (err) /* removed since readdir saw it */
		fs_cmd_error("ls", path, err);
	else
		kprintf("%c %10llu  %s%s\n", S_ISDIR(st.mode) ? 'd' : '-',
			(unsigned long long)st.size, name, S_ISDIR(st.mode) ? "/" : "");
}

/* Lists the directory open at fd, whose path is dir; 0 or CMD_FAILED. */
static int ls_dir(int fd, const char *dir, struct ls_state *ls)
{
	int err;

	ls->ctx = (struct dir_context){.actor = ls_actor};
	do {
		ls->n = 0;
		if ((err = sys_readdir(fd, &ls->ctx)))
			return fs_cmd_error("ls", dir, err);
		for (unsigned int i = 0; i < ls->n; i++) {
			if (!strcmp(ls->names[i], ".") || !strcmp(ls->names[i], ".."))
				continue;
			if (fs_cmd_join(ls->path, sizeof(ls->path), dir, ls->names[i]))
				fs_cmd_error("ls", ls->names[i], -ENAMETOOLONG);
			else
				ls_line(ls->path, ls->names[i]);
		}
	} while (ls->n == LS_BATCH);
	return 0;
}

static int cmd_ls(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : ".";
	struct ls_state *ls;
	struct kstat st;
	int fd, ret;

	if (argc > 2)
		return shell_usage(argv[0]);
	if ((ret = sys_stat(path, &st)))
		return fs_cmd_error("ls", path, ret);
	if (!S_ISDIR(st.mode)) {
		ls_line(path, path);
		return 0;
	}
	if ((fd = sys_open(path, O_RDONLY | O_DIRECTORY, 0)) < 0)
		return fs_cmd_error("ls", path, fd);
	ls = kmalloc(sizeof(*ls));
	ret = ls ? ls_dir(fd, path, ls) : fs_cmd_error("ls", path, -ENOMEM);
	kfree(ls);
	sys_close(fd);
	return ret;
}
SHELL_COMMAND("ls", "[PATH]", "list a directory: type, size, name (directories end in /)", cmd_ls);

static int cmd_mkdir(int argc, char **argv)
{
	int ret = 0, err;

	if (argc < 2)
		return shell_usage(argv[0]);
	for (int i = 1; i < argc; i++)
		if ((err = sys_mkdir(argv[i], 0755)))
			ret = fs_cmd_error("mkdir", argv[i], err);
	return ret;
}
SHELL_COMMAND("mkdir", "DIR...", "make directories", cmd_mkdir);

static int cmd_rmdir(int argc, char **argv)
{
	int ret = 0, err;

	if (argc < 2)
		return shell_usage(argv[0]);
	for (int i = 1; i < argc; i++)
		if ((err = sys_rmdir(argv[i])))
			ret = fs_cmd_error("rmdir", argv[i], err);
	return ret;
}
SHELL_COMMAND("rmdir", "DIR...", "remove empty directories", cmd_rmdir);

static int cmd_mv(int argc, char **argv)
{
	int err;

	if (argc != 3)
		return shell_usage(argv[0]);
	if ((err = sys_rename(argv[1], argv[2])))
		return fs_cmd_error("mv", argv[1], err);
	return 0;
}
SHELL_COMMAND("mv", "FROM TO", "rename a file or directory (within one mount)", cmd_mv);

static int cmd_cd(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "/";
	int err;

	if (argc > 2)
		return shell_usage(argv[0]);
	if ((err = sys_chdir(dir)))
		return fs_cmd_error("cd", dir, err);
	return 0;
}
SHELL_COMMAND("cd", "[DIR]", "change the shell's working directory (/ without DIR)", cmd_cd);

static int cmd_pwd(int argc, char **argv)
{
	char buf[PATH_MAX];
	int err;

	if (argc != 1)
		return shell_usage(argv[0]);
	if ((err = sys_getcwd(buf, sizeof(buf))))
		return fs_cmd_error("pwd", ".", err);
	kprintf("%s\n", buf);
	return 0;
}
SHELL_COMMAND("pwd", "", "print the shell's working directory", cmd_pwd);
