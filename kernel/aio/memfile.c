/* The in-memory test file (kernel/aio/memfile.h). */
#include "kernel/aio/memfile.h"
#include "mm/slab.h"
#include "lib/errno.h"
#include "lib/string.h"

static int64_t memfile_read(struct aio_file *f, void *buf, size_t len, int64_t pos)
{
	struct memfile *m = container_of(f, struct memfile, file);
	size_t n;

	if (pos < 0)
		return -EINVAL;
	if ((uint64_t)pos >= m->size)
		return 0;
	n = MIN(len, m->size - (size_t)pos);
	spin_lock(&m->lock);
	memcpy(buf, m->data + pos, n);
	spin_unlock(&m->lock);
	return (int64_t)n;
}

static int64_t memfile_write(struct aio_file *f, const void *buf, size_t len, int64_t pos)
{
	struct memfile *m = container_of(f, struct memfile, file);
	size_t n;

	if (pos < 0)
		return -EINVAL;
	if ((uint64_t)pos >= m->size)
		return len ? -ENOSPC : 0;
	n = MIN(len, m->size - (size_t)pos);
	spin_lock(&m->lock);
	memcpy(m->data + pos, buf, n);
	spin_unlock(&m->lock);
	return (int64_t)n;
}

static const struct aio_file_operations memfile_ops = {
	.read = memfile_read,
	.write = memfile_write,
};

struct memfile *memfile_create(size_t size)
{
	struct memfile *m = kzalloc(sizeof(*m));

	if (!m)
		return NULL;
	m->data = kzalloc(size);
	if (!m->data) {
		kfree(m);
		return NULL;
	}
	m->file.f_op = &memfile_ops;
	spin_lock_init(&m->lock, "memfile");
	m->size = size;
	return m;
}

void memfile_free(struct memfile *m)
{
	kfree(m->data);
	kfree(m);
}
