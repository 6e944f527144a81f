#include "lib/errno.h"
#include "lib/compiler.h"

/* Each error number's name and meaning, the meaning worded as Linux's strerror but shorter and
   in lower case. */
static const struct {
	int err;
	const char *name;
	const char *text;
} errors[] = {
	{EPERM, "EPERM", "operation not permitted"},
	{ENOENT, "ENOENT", "no such file or directory"},
	{ESRCH, "ESRCH", "no such process"},
	{EINTR, "EINTR", "interrupted"},
	{EIO, "EIO", "input/output error"},
	{ENXIO, "ENXIO", "no such device"},
	{E2BIG, "E2BIG", "argument list too long"},
	{ENOEXEC, "ENOEXEC", "exec format error"},
	{EBADF, "EBADF", "bad file descriptor"},
	{ECHILD, "ECHILD", "no child processes"},
	{EAGAIN, "EAGAIN", "try again"},
	{ENOMEM, "ENOMEM", "out of memory"},
	{EACCES, "EACCES", "permission denied"},
	{EFAULT, "EFAULT", "bad address"},
	{ENOTBLK, "ENOTBLK", "block device required"},
	{EBUSY, "EBUSY", "busy"},
	{EEXIST, "EEXIST", "file exists"},
	{EXDEV, "EXDEV", "cross-device link"},
	{ENODEV, "ENODEV", "no such device or file system type"},
	{ENOTDIR, "ENOTDIR", "not a directory"},
	{EISDIR, "EISDIR", "is a directory"},
	{EINVAL, "EINVAL", "invalid argument"},
	{ENFILE, "ENFILE", "too many open files in the system"},
	{EMFILE, "EMFILE", "too many open files"},
	{ENOTTY, "ENOTTY", "not a terminal"},
	{ETXTBSY, "ETXTBSY", "text file busy"},
	{EFBIG, "EFBIG", "file too large"},
	{ENOSPC, "ENOSPC", "no space left on device"},
	{ESPIPE, "ESPIPE", "illegal seek"},
	{EROFS, "EROFS", "read-only file system"},
	{EMLINK, "EMLINK", "too many links"},
	{EPIPE, "EPIPE", "broken pipe"},
	{ERANGE, "ERANGE", "result out of range"},
	{EDEADLK, "EDEADLK", "deadlock avoided"},
	{ENAMETOOLONG, "ENAMETOOLONG", "file name too long"},
	{ENOSYS, "ENOSYS", "no such function"},
	{ENOTEMPTY, "ENOTEMPTY", "directory not empty"},
	{ELOOP, "ELOOP", "too many levels of symbolic links"},
	{EOVERFLOW, "EOVERFLOW", "value too large"},
	{EOPNOTSUPP, "EOPNOTSUPP", "operation not supported"},
	{ETIMEDOUT, "ETIMEDOUT", "timed out"},
	{EUCLEAN, "EUCLEAN", "structure needs cleaning"},
};

static int find(int err)
{
	if (err < 0)
		err = -err;
	for (size_t i = 0; i < ARRAY_SIZE(errors); i++)
		if (errors[i].err == err)
			return (int)i;
	return -1;
}

const char *errno_name(int err)
{
	int i = find(err);

	return i < 0 ? "E?" : errors[i].name;
}

const char *errno_text(int err)
{
	int i = find(err);

	return i < 0 ? "unknown error" : errors[i].text;
}
