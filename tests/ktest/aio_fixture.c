/* The aio suites' fixture (aio_fixture.h). */
#include "tests/ktest/aio_fixture.h"
#include "fs/aio.h"
#include "mm/mm.h"
#include "lib/errno.h"

/*
 * The suites' init: a fresh mm in t->priv, with the comparison variants attached so that the
 * rwlock lookup may walk its list. Returns 0 or -ENOMEM (the case then fails unrun).
 */
int aio_mm_init(struct ktest *t)
{
	struct mm *mm = mm_alloc("ktest-aio");

	if (!mm)
		return -ENOMEM;
	ioctx_variants_attach(mm, IOCTX_RCU);
	t->priv = mm;
	return 0;
}

/* The suites' exit, run even after an ASSERT: exit_aio, then the mm goes. */
void aio_mm_exit(struct ktest *t)
{
	struct mm *mm = t->priv;

	exit_aio(mm);
	ioctx_variants_detach(mm);
	mmput(mm);
}
