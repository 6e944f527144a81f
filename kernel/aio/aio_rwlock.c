/*
 * The seed's "before": lookup_ioctx under the owner's reader-writer lock (kernel/aio/aio.h).
 *
 * Every lookup takes the read side, which writes the lock word: on several CPUs that word's
 * cache line moves from CPU to CPU on every lookup, even though readers never wait for each
 * other. io_setup and io_destroy take the write side (inside ioctx_lock) while they link or
 * unlink, so a reader here never meets a context that is off the list, and a listed context
 * always holds the list's reference: a plain increment is enough. `bench ioctx` runs this
 * beside the lockless lookup_ioctx().
 *
 * It needs no grace period either: once io_destroy has unlinked a context under the write
 * side, no reader can reach it, so the context may be freed at once. That is why torture
 * aio's broken variant free-at-once, which catches lookup_ioctx(), leaves this one clean.
 */
#include "kernel/aio/aio.h"
#include "kernel/delay_point.h"

DEFINE_DELAY_POINT(dp_lookup_rwlock_found, "lookup-rwlock-found",
		   "lookup_ioctx_rwlock: the id matched; not yet checked nor referenced");

struct kioctx *lookup_ioctx_rwlock(struct mm_aio *mm, aio_context_t id)
{
	struct kioctx *ctx, *found = NULL;

	read_lock(&mm->ioctx_rwlock);
	hlist_for_each_entry(ctx, &mm->ioctx_list, list) {
		if (ctx->user_id != id) {
			kioctx_check(ctx);
			continue;
		}
		/* Found, with the read side held: io_destroy cannot unlink it now, so even an
		   owner whose contexts are freed at once (free_at_once) stays safe here. */
		delay_point(&dp_lookup_rwlock_found);
		if (kioctx_check(ctx) && !READ_ONCE(ctx->dead)) {
			get_ioctx(ctx);
			found = ctx;
		}
		break;
	}
	aio_count_lookup(found);
	read_unlock(&mm->ioctx_rwlock);
	return found;
}
