/*
 * The RCU forms of the hlist operations (lib/list.h). Updaters still exclude each other with a
 * lock; readers walk with hlist_for_each_entry_rcu under rcu_read_lock() and no lock.
 *
 * Adding publishes the node with rcu_assign_pointer, so a reader that finds it also sees it
 * initialised. Deleting unlinks the node but leaves its own next pointer alone, so a reader
 * standing on it still walks on to the rest of the list; the node may be freed only after a
 * grace period (call_rcu, synchronize_rcu).
 */
#ifndef KERNEL_RCU_RCULIST_H
#define KERNEL_RCU_RCULIST_H

#include "kernel/rcu/rcu.h"
#include "lib/list.h"

static inline void hlist_add_head_rcu(struct hlist_node *n, struct hlist_head *h)
{
	struct hlist_node *first = h->first;

	n->next = first;
	n->pprev = &h->first;
	if (first)
		first->pprev = &n->next;
	rcu_assign_pointer(h->first, n);
}

/* Unlinks n; n->next stays valid for readers on n. n->pprev is poisoned to catch a second
   delete (hlist_unhashed stays false until the node is reinitialised). */
static inline void hlist_del_rcu(struct hlist_node *n)
{
	struct hlist_node *next = n->next;

	if (next)
		next->pprev = n->pprev;
	WRITE_ONCE(*n->pprev, next);
	n->pprev = (struct hlist_node **)0xdead000000000122ULL;
}

#define hlist_for_each_entry_rcu(pos, head, member)                                            \
	for (pos = hlist_entry_safe(rcu_dereference((head)->first), __typeof__(*pos), member); \
	     pos; pos = hlist_entry_safe(rcu_dereference(pos->member.next), __typeof__(*pos), member))

#endif
