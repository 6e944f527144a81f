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

/*
 * The hlist's own pointers are plain (lib/list.h serves every list, most of them not RCU). The
 * two that readers follow without a lock, a head's first and a node's next, are seen through
 * these as __rcu pointers, so sparse checks that the RCU code below reads them with
 * rcu_dereference and writes them with rcu_assign_pointer. The __force cast is where a plain
 * field enters the __rcu address space on purpose (Linux's hlist_first_rcu does the same).
 */
#define hlist_first_rcu(head) (*((struct hlist_node __force __rcu **)&(head)->first))
#define hlist_next_rcu(node)  (*((struct hlist_node __force __rcu **)&(node)->next))

static inline void hlist_add_head_rcu(struct hlist_node *n, struct hlist_head *h)
{
	struct hlist_node *first = h->first;

	n->next = first;
	n->pprev = &h->first;
	if (first)
		first->pprev = &n->next;
	rcu_assign_pointer(hlist_first_rcu(h), n);
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

#define hlist_for_each_entry_rcu(pos, head, member)                                                \
	for (pos = hlist_entry_safe(rcu_dereference(hlist_first_rcu(head)), __typeof__(*pos),      \
				    member);                                                       \
	     pos; pos = hlist_entry_safe(rcu_dereference(hlist_next_rcu(&pos->member)),            \
					 __typeof__(*pos), member))

#endif
