/*
 * What execve knows about the program it is loading (Linux's struct linux_binprm), shared by
 * fs/exec.c, which does the steps every program needs, and fs/binfmt_elf.c, which reads an ELF
 * file and maps it.
 */
#ifndef FS_BINFMT_H
#define FS_BINFMT_H

#include <stdint.h>
#include <stddef.h>
#include "fs/fs.h"

struct file;
struct mm;

#define BINPRM_MAX_STRINGS (128 * 1024) /* argv and envp strings together: more is E2BIG */
#define BINPRM_HEADER	   512		/* the first bytes of the file, read once */
#define BINPRM_MAX_PHNUM   64		/* program headers we accept */
#define BINPRM_PHENT	   56		/* sizeof(Elf64_Phdr) */

struct linux_binprm {
	struct file *file;
	char filename[PATH_MAX];
	uint8_t header[BINPRM_HEADER];
	size_t header_len;

	char *strings; /* argv's strings, then envp's, each with its NUL */
	size_t strings_len;
	int argc, envc;

	/* Filled by the ELF loader before the point of no return (elf_check) and after it
	   (elf_map). */
	uint8_t phdrs[BINPRM_MAX_PHNUM * BINPRM_PHENT];
	uint64_t load_bias; /* 0 for a fixed-address program, the base for a static-PIE one */
	uint64_t entry;
	uint64_t phdr_addr; /* where the program headers are in memory (AT_PHDR) */
	unsigned int phnum;
	uint64_t end_data; /* page-aligned end of the highest segment: the heap starts here */
};

/*
 * Checks that bprm->header is an ELF64 x86_64 executable we can run (static, fixed-address
 * or static-PIE) and that its program headers are sane, reading them from the file. 0, or
 * -ENOEXEC for anything else (no change made anywhere). Before the point of no return.
 */
int elf_check(struct linux_binprm *bprm);
/*
 * Maps the checked program's segments into mm, the current thread's new address space:
 * private file mappings, copy-on-write, and anonymous memory for the bss. 0 or a negative
 * errno (ENOMEM, EFAULT); after the point of no return, so an error kills the process.
 */
int elf_map(struct linux_binprm *bprm, struct mm *mm);

#endif
