/*
 * What the file-system shell commands (fs/cmd/) share: one shape for their error messages,
 * and path joining.
 *
 * Every error is reported as "CMD: PATH: what happened (ENAME)", for example
 *
 *	cat: /x: no such file or directory (ENOENT)
 *
 * and the command then returns CMD_FAILED. The shell (kernel/shell/shell.c) prints
 * "NAME: error ENAME" only for a negative result, so a positive one means "failed, and already
 * said why": the error is not reported twice. Wrong arguments still return
 * shell_usage(argv[0]), whose usage line is the whole report.
 */
#ifndef FS_CMD_FS_CMD_H
#define FS_CMD_FS_CMD_H

#include <stddef.h>

#define CMD_FAILED 1 /* the command failed and printed why */

/* Prints "cmd: path: text (ENAME)" for the negative errno err; returns CMD_FAILED. */
int fs_cmd_error(const char *cmd, const char *path, int err);
/* The same with a text of the command's own, where it knows better ("not a mount point"). */
int fs_cmd_error_why(const char *cmd, const char *path, const char *why, int err);

/* "dir/name" into buf (no doubled '/'); 0, or -ENAMETOOLONG when it does not fit. */
int fs_cmd_join(char *buf, size_t size, const char *dir, const char *name);

#endif
