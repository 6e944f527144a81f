/*
 * The seed's "before": lookup_ioctx under the owner's reader-writer lock (kernel/aio/aio.h).
 *
 * Every lookup takes the read side, which writes the lock word: on several CPUs that word's
 * cache line moves from CPU to CPU on every lookup, even though readers never wait for each
 * other. io_setup and io_destroy take the write side (inside ioctx_lock) while they link or
 * unlink, so a reader here never meets a context that is off the list, and a listed context
 * always holds the list's reference: a plain increment is enough. `bench ioctx` runs this
 * beside the lockless lookup_ioctx().
 */
#include "kernel/aio/aio.h"

struct kioctx *lookup_ioctx_rwlock(struct mm_aio *mm, aio_context_t id)
{
	struct kioctx *ctx, *found = NULL;

	read_lock(&mm->ioctx_rwlock);
	hlist_for_each_entry(ctx, &mm->ioctx_list, list) {
		kioctx_check(ctx);
		if (ctx->user_id != id)
			continue;
		if (!READ_ONCE(ctx->dead)) {
			get_ioctx(ctx);
			found = ctx;
		}
		break;
	}
	aio_count_lookup(found);
	read_unlock(&mm->ioctx_rwlock);
	return found;
}
