/*
 * Quarantines for the tests of the mmu_gather's invariant (no page or table freed while a TLB
 * or a lockless walker can still reach it). They plug into the free path through its hooks
 * (mm/memory.h), which are NULL in normal runs.
 */
#ifndef MM_TORTURE_FREE_QUARANTINE_H
#define MM_TORTURE_FREE_QUARANTINE_H

/*
 * While the page quarantine is open, put_user_pages() fills each page it would free with a
 * poison pattern and keeps it instead. Closing it checks that every kept page still holds the
 * poison (a write through a stale TLB entry would have changed it), frees them, and returns how
 * many had been written; *kept says how many there were.
 */
#define USER_PAGE_POISON 0x6b6b6b6b6b6b6b6bULL
void user_page_quarantine_open(void);
unsigned int user_page_quarantine_close(unsigned int *kept);

/*
 * The same for page tables (mm/mmu_gather_variants.h, enum tlb_broken): while it is open,
 * free_user_pgtable() takes PG_pgtable off the table, as a free does, so a lockless walker
 * still inside sees it is no table any more; fills it with a poison that reads as non-present
 * entries, so a walker that follows it goes nowhere; and keeps it. Closing it waits for a
 * grace period (a broken gather frees tables a walker may still be reading), then checks the
 * poison, frees the tables and returns how many had been written. Sleeps.
 */
#define USER_PGTABLE_POISON 0x6c6c6c6c6c6c6c6cULL
void user_pgtable_quarantine_open(void);
unsigned int user_pgtable_quarantine_close(unsigned int *kept);

#endif
