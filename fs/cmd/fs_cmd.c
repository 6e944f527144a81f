/*
 * The helpers of the file-system shell commands (see fs_cmd.h).
 */
#include "fs/cmd/fs_cmd.h"
#include "kernel/printk.h"
#include "lib/errno.h"
#include "lib/string.h"

int fs_cmd_error_why(const char *cmd, const char *path, const char *why, int err)
{
	kprintf("%s: %s: %s (%s)\n", cmd, path, why, errno_name(err));
	return CMD_FAILED;
}

int fs_cmd_error(const char *cmd, const char *path, int err)
{
	return fs_cmd_error_why(cmd, path, errno_text(err), err);
}

int fs_cmd_join(char *buf, size_t size, const char *dir, const char *name)
{
	size_t len = strlcpy(buf, dir, size);

	if (len >= size)
		return -ENAMETOOLONG;
	if (len > 0 && buf[len - 1] != '/')
		strlcat(buf, "/", size);
	return strlcat(buf, name, size) >= size ? -ENAMETOOLONG : 0;
}
