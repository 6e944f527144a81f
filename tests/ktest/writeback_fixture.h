/*
 * What the writeback suites share (tests/ktest/writeback_test.c: mappings and dirty tracking;
 * writeback_flusher_test.c: the flusher, sync, throttling, the no-lost-write torture;
 * dup_mm_test.c: fork of a shared file mapping): a file
 * of a few pages on the ext2 disk vda mounted at WB_MNT, and ways to look at a page's entry,
 * its cache page and its copy on the disk.
 */
#ifndef TESTS_KTEST_WRITEBACK_FIXTURE_H
#define TESTS_KTEST_WRITEBACK_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>
#include "kernel/ktest.h"
#include "mm/mm.h"
#include "mm/page.h"
#include "mm/vma.h"

#define WB_MNT	"/tmp/wbt"
#define WB_FILE WB_MNT "/mapped"
#define WB_RW	(PROT_READ | PROT_WRITE)

/* The suites' init and exit hooks (KTEST_SUITE_HOOKS): vda mounted at WB_MNT, then checked
   clean and unmounted. */
int wb_init(struct ktest *t);
void wb_exit(struct ktest *t);
/* WB_FILE of n pages, page i holding i in every word. */
bool wb_make_file(struct ktest *t, unsigned int pages);
/* wb_make_file, then the file open read-write and a new mm (named name) entered by this
   thread: the descriptor, or -1 (the failure reported). wb_leave_file_mm undoes it. */
int wb_enter_file_mm(struct ktest *t, unsigned int pages, const char *name, struct mm **mm);
void wb_leave_file_mm(struct mm *mm, int fd);

/* The leaf entry that maps addr in mm (0 when none). */
pte_t pte_of(struct mm *mm, uint64_t addr);
/* Faults resolved, of every kind. */
uint64_t faults_resolved(void);
/* The disk's copy of word w of page index of the open file fd, read past the page cache. */
uint64_t disk_word(struct ktest *t, int fd, uint64_t index, unsigned int w);
/* The cache page at index of the open file fd, or NULL (no reference kept). */
struct page *cache_page(int fd, uint64_t index);

#endif
