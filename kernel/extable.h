/*
 * The exception table: a list of (instruction, fixup) address pairs in the .extable section.
 * An instruction listed there is allowed to fault: when a #PF or #GP hits it, the trap handler
 * does not panic but resumes at the fixup, which reports the error (typically -EFAULT). This is
 * how code touches memory that may not be mapped — a user pointer in copy_from_user, or a
 * frame pointer of unknown quality in a backtrace — without checking every page first.
 *
 * An entry is made in inline assembly next to the instruction it covers:
 *
 *	"1:	movq (%[addr]), %[val]\n"         the access that may fault
 *	"2:\n"                                     where normal execution continues
 *	".pushsection .text.fixup, \"ax\"\n"
 *	"3:	movl %[efault], %[err]\n"         the fixup: report, then continue
 *	"	jmp 2b\n"
 *	".popsection\n"
 *	EXTABLE_ENTRY(1b, 3b)
 */
#ifndef KERNEL_EXTABLE_H
#define KERNEL_EXTABLE_H

#include <stdbool.h>
#include <stdint.h>
#include "arch/x86_64/trap.h"

struct extable_entry {
	uint64_t insn;	/* address of the instruction that may fault */
	uint64_t fixup; /* where to continue when it does */
};

/* Assembler text for one entry; insn and fixup are labels such as 1b and 3b. */
#define EXTABLE_ENTRY(insn, fixup)                  \
	".pushsection .extable, \"a\"\n\t"          \
	".balign 8\n\t"                             \
	".quad " #insn ", " #fixup "\n\t"           \
	".popsection\n\t"

/* The entry for this address, or NULL. */
const struct extable_entry *extable_search(uint64_t rip);
/* If the frame's rip has an entry, points the frame at its fixup and returns true. */
bool extable_fixup(struct trap_frame *f);

/*
 * Reads 8 bytes at addr into *out. Returns 0, or -EFAULT (and leaves *out alone) when the
 * read faults: unmapped, non-canonical, or otherwise not readable.
 */
int probe_read_u64(const void *addr, uint64_t *out);

#endif
