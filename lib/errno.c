#include "lib/errno.h"
#include "lib/compiler.h"

static const struct {
	int err;
	const char *name;
} names[] = {
	{ EPERM, "EPERM" },	{ ENOENT, "ENOENT" },	    { EINTR, "EINTR" },
	{ EIO, "EIO" },		{ ENXIO, "ENXIO" },	    { EFBIG, "EFBIG" },		{ E2BIG, "E2BIG" },	    { EBADF, "EBADF" },
	{ EAGAIN, "EAGAIN" },	{ ENOMEM, "ENOMEM" },	    { EFAULT, "EFAULT" },
	{ EBUSY, "EBUSY" },	{ EEXIST, "EEXIST" },	    { EXDEV, "EXDEV" },
	{ ENODEV, "ENODEV" },	{ ENOTDIR, "ENOTDIR" },	    { EISDIR, "EISDIR" },
	{ EINVAL, "EINVAL" },	{ EMFILE, "EMFILE" },	    { ENOSPC, "ENOSPC" },
	{ EROFS, "EROFS" },	{ ERANGE, "ERANGE" },	    { ENAMETOOLONG, "ENAMETOOLONG" },
	{ ENOSYS, "ENOSYS" },	{ ENOTEMPTY, "ENOTEMPTY" }, { EOPNOTSUPP, "EOPNOTSUPP" },
	{ ETIMEDOUT, "ETIMEDOUT" }, { EUCLEAN, "EUCLEAN" }, { EACCES, "EACCES" },
	{ EOVERFLOW, "EOVERFLOW" },
};

const char *errno_name(int err)
{
	if (err < 0)
		err = -err;
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (names[i].err == err)
			return names[i].name;
	return "E?";
}

/* The meanings, worded as Linux's strerror but shorter and in lower case. */
static const struct {
	int err;
	const char *text;
} texts[] = {
	{EPERM, "operation not permitted"},
	{ENOENT, "no such file or directory"},
	{EINTR, "interrupted"},
	{EIO, "input/output error"},
	{ENXIO, "no such device"},
	{EFBIG, "file too large"},
	{E2BIG, "argument list too long"},
	{EBADF, "bad file descriptor"},
	{EAGAIN, "try again"},
	{ENOMEM, "out of memory"},
	{EACCES, "permission denied"},
	{EFAULT, "bad address"},
	{EOVERFLOW, "value too large"},
	{EBUSY, "busy"},
	{EEXIST, "file exists"},
	{EXDEV, "cross-device link"},
	{ENODEV, "no such device or file system type"},
	{ENOTDIR, "not a directory"},
	{EISDIR, "is a directory"},
	{EINVAL, "invalid argument"},
	{EMFILE, "too many open files"},
	{ENOSPC, "no space left on device"},
	{EROFS, "read-only file system"},
	{ERANGE, "result out of range"},
	{ENAMETOOLONG, "file name too long"},
	{ENOSYS, "no such function"},
	{ENOTEMPTY, "directory not empty"},
	{EOPNOTSUPP, "operation not supported"},
	{ETIMEDOUT, "timed out"},
	{EUCLEAN, "structure needs cleaning"},
};

const char *errno_text(int err)
{
	if (err < 0)
		err = -err;
	for (size_t i = 0; i < ARRAY_SIZE(texts); i++)
		if (texts[i].err == err)
			return texts[i].text;
	return "unknown error";
}
