/*
 * Open files as aio objects (see file.h: file_aio). kernel/aio knows only struct aio_file and
 * its operations; these wrap kernel_read and kernel_write of the struct file around it.
 */
#include "fs/file.h"
#include "fs/mount.h"
#include "lib/errno.h"

static struct file *aio_to_file(struct aio_file *a)
{
	return container_of(a, struct file, f_aio);
}

static int64_t file_aio_read(struct aio_file *a, void *buf, size_t len, int64_t pos)
{
	uint64_t p = (uint64_t)pos;

	if (pos < 0)
		return -EINVAL;
	return kernel_read(aio_to_file(a), buf, len, &p);
}

/* A write reference for the write itself: remount,ro cannot slip in while it runs. */
static int64_t file_aio_write(struct aio_file *a, const void *buf, size_t len, int64_t pos)
{
	struct file *f = aio_to_file(a);
	uint64_t p = (uint64_t)pos;
	int64_t ret;

	if (pos < 0)
		return -EINVAL;
	if ((ret = mnt_want_write(f->f_path.mnt)))
		return ret;
	ret = kernel_write(f, buf, len, &p);
	mnt_drop_write(f->f_path.mnt);
	return ret;
}

static void file_aio_get(struct aio_file *a)
{
	get_file(aio_to_file(a));
}

static void file_aio_put(struct aio_file *a)
{
	fput(aio_to_file(a));
}

static const struct aio_file_operations file_aio_ops = {
	.read = file_aio_read,
	.write = file_aio_write,
	.get = file_aio_get,
	.put = file_aio_put,
};

struct aio_file *file_aio(struct file *f)
{
	f->f_aio.f_op = &file_aio_ops;
	return &f->f_aio;
}
