/*
 * An in-memory file with read and write operations: the object io_submit reads and writes
 * until the VFS issue wires real files. Its size is fixed at creation; its bytes start at 0.
 * A read past the end reads 0 bytes; a write past the end fails with -ENOSPC; both are cut
 * at the end of the file. Reads and writes of one file exclude each other (a spinlock), so a
 * read never sees half of a write.
 */
#ifndef KERNEL_AIO_MEMFILE_H
#define KERNEL_AIO_MEMFILE_H

#include <stddef.h>
#include "kernel/aio/aio.h"
#include "kernel/locking/spinlock.h"

struct memfile {
	struct aio_file file; /* what an iocb points at */
	spinlock_t lock;
	size_t size;
	char *data;
};

/* A zeroed file of size bytes, or NULL when out of memory. */
struct memfile *memfile_create(size_t size);
void memfile_free(struct memfile *m);

#endif
