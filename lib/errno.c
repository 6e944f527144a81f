#include "lib/errno.h"
#include "lib/compiler.h"

static const struct {
	int err;
	const char *name;
} names[] = {
	{ EPERM, "EPERM" },	{ ENOENT, "ENOENT" },	    { EINTR, "EINTR" },
	{ EIO, "EIO" },		{ E2BIG, "E2BIG" },	    { EBADF, "EBADF" },
	{ EAGAIN, "EAGAIN" },	{ ENOMEM, "ENOMEM" },	    { EFAULT, "EFAULT" },
	{ EBUSY, "EBUSY" },	{ EEXIST, "EEXIST" },	    { EXDEV, "EXDEV" },
	{ ENODEV, "ENODEV" },	{ ENOTDIR, "ENOTDIR" },	    { EISDIR, "EISDIR" },
	{ EINVAL, "EINVAL" },	{ EMFILE, "EMFILE" },	    { ENOSPC, "ENOSPC" },
	{ EROFS, "EROFS" },	{ ERANGE, "ERANGE" },	    { ENAMETOOLONG, "ENAMETOOLONG" },
	{ ENOSYS, "ENOSYS" },	{ ENOTEMPTY, "ENOTEMPTY" }, { EOPNOTSUPP, "EOPNOTSUPP" },
	{ ETIMEDOUT, "ETIMEDOUT" }, { EUCLEAN, "EUCLEAN" },
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
