/*
 * Loading an ELF64 executable (Linux's fs/binfmt_elf.c, for static programs only).
 *
 * An ELF file starts with a header (its class, byte order, machine, type, entry point, where
 * the program headers are); each program header of type PT_LOAD says: map file bytes
 * [p_offset, p_offset + p_filesz) at p_vaddr, with p_memsz - p_filesz zero bytes after them
 * (the bss), readable/writable/executable as p_flags says. A static executable has no
 * PT_INTERP (no dynamic loader to start first): an ET_EXEC one is linked at fixed addresses,
 * an ET_DYN one (static-PIE) anywhere, so we pick the base (load_bias) and add it to every
 * address, and the program relocates itself at start.
 *
 * Every field is checked before anything is mapped, so a malformed file gets -ENOEXEC and
 * leaves the caller's process as it was.
 */
#include "fs/binfmt.h"
#include "fs/file.h"
#include "mm/mm.h"
#include "mm/mmap.h"
#include "mm/vma.h"
#include "mm/uaccess.h"
#include "arch/x86_64/memlayout.h"
#include "lib/errno.h"
#include "lib/string.h"

#define ELFCLASS64  2
#define ELFDATA2LSB 1
#define EV_CURRENT  1
#define ET_EXEC	    2
#define ET_DYN	    3
#define EM_X86_64   62
#define PT_LOAD	    1
#define PT_INTERP   3
#define PT_PHDR	    6
#define PF_X	    1
#define PF_W	    2
#define PF_R	    4

/* Where a static-PIE program goes: Linux's ELF_ET_DYN_BASE on x86_64 (2/3 of the user half),
   page-aligned. */
#define ELF_ET_DYN_BASE 0x555555554000ULL

struct elf64_ehdr {
	uint8_t e_ident[16];
	uint16_t e_type;
	uint16_t e_machine;
	uint32_t e_version;
	uint64_t e_entry;
	uint64_t e_phoff;
	uint64_t e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize;
	uint16_t e_phentsize;
	uint16_t e_phnum;
	uint16_t e_shentsize;
	uint16_t e_shnum;
	uint16_t e_shstrndx;
};

struct elf64_phdr {
	uint32_t p_type;
	uint32_t p_flags;
	uint64_t p_offset;
	uint64_t p_vaddr;
	uint64_t p_paddr;
	uint64_t p_filesz;
	uint64_t p_memsz;
	uint64_t p_align;
};

BUILD_BUG_ON(sizeof(struct elf64_ehdr) != 64);
BUILD_BUG_ON(sizeof(struct elf64_phdr) != BINPRM_PHENT);

static const struct elf64_phdr *phdr(const struct linux_binprm *bprm, unsigned int i)
{
	return (const struct elf64_phdr *)bprm->phdrs + i;
}

static int check_header(const struct linux_binprm *bprm, const struct elf64_ehdr *eh)
{
	if (bprm->header_len < sizeof(*eh) || memcmp(eh->e_ident, "\177ELF", 4) ||
	    eh->e_ident[4] != ELFCLASS64 || eh->e_ident[5] != ELFDATA2LSB ||
	    eh->e_ident[6] != EV_CURRENT)
		return -ENOEXEC;
	if ((eh->e_type != ET_EXEC && eh->e_type != ET_DYN) || eh->e_machine != EM_X86_64 ||
	    eh->e_phentsize != BINPRM_PHENT || eh->e_phnum == 0 || eh->e_phnum > BINPRM_MAX_PHNUM)
		return -ENOEXEC;
	return 0;
}

/* One PT_LOAD header: sizes that agree, page offsets that agree, inside the user half. */
static int check_load(const struct linux_binprm *bprm, const struct elf64_phdr *ph,
		      uint64_t file_size)
{
	uint64_t start = ph->p_vaddr + bprm->load_bias;

	if (ph->p_filesz > ph->p_memsz || ph->p_offset > file_size ||
	    ph->p_filesz > file_size - ph->p_offset)
		return -ENOEXEC;
	if ((ph->p_vaddr & (PAGE_SIZE - 1)) != (ph->p_offset & (PAGE_SIZE - 1)))
		return -ENOEXEC;
	if (start < MMAP_MIN_ADDR || start >= USER_TOP || ph->p_memsz > USER_TOP - start)
		return -ENOEXEC;
	return 0;
}

int elf_check(struct linux_binprm *bprm)
{
	const struct elf64_ehdr *eh = (const struct elf64_ehdr *)bprm->header;
	uint64_t file_size = bprm->file->f_inode->i_size, pos, entry_ok = 0;
	size_t len;
	bool any_load = false;
	int err = check_header(bprm, eh);

	if (err)
		return err;
	len = (size_t)eh->e_phnum * BINPRM_PHENT;
	if (eh->e_phoff > file_size || len > file_size - eh->e_phoff)
		return -ENOEXEC;
	pos = eh->e_phoff;
	if (kernel_read(bprm->file, bprm->phdrs, len, &pos) != (ssize_t)len)
		return -ENOEXEC;
	bprm->phnum = eh->e_phnum;
	bprm->load_bias = eh->e_type == ET_DYN ? ELF_ET_DYN_BASE : 0;
	bprm->phdr_addr = 0;
	for (unsigned int i = 0; i < bprm->phnum; i++) {
		const struct elf64_phdr *ph = phdr(bprm, i);

		if (ph->p_type == PT_INTERP)
			return -ENOEXEC; /* dynamically linked: we have no loader to start */
		if (ph->p_type != PT_LOAD)
			continue;
		if ((err = check_load(bprm, ph, file_size)))
			return err;
		any_load = true;
		if (eh->e_entry >= ph->p_vaddr && eh->e_entry - ph->p_vaddr < ph->p_memsz)
			entry_ok = 1;
		/* The program headers are in the file: AT_PHDR is where that file range lands. */
		if (eh->e_phoff >= ph->p_offset && eh->e_phoff + len <= ph->p_offset + ph->p_filesz)
			bprm->phdr_addr =
				ph->p_vaddr + (eh->e_phoff - ph->p_offset) + bprm->load_bias;
	}
	if (!any_load || !entry_ok)
		return -ENOEXEC;
	bprm->entry = eh->e_entry + bprm->load_bias;
	return 0;
}

static unsigned int prot_of(uint32_t flags)
{
	return (flags & PF_R ? PROT_READ : 0) | (flags & PF_W ? PROT_WRITE : 0) |
	       (flags & PF_X ? PROT_EXEC : 0);
}

/* One PT_LOAD segment: the file part as a private mapping, the rest of its last page zeroed,
   and whole pages of bss as anonymous memory. */
static int map_segment(struct linux_binprm *bprm, struct mm *mm, const struct elf64_phdr *ph)
{
	uint64_t vaddr = ph->p_vaddr + bprm->load_bias;
	uint64_t start = ALIGN_DOWN(vaddr, PAGE_SIZE);
	uint64_t file_end = vaddr + ph->p_filesz, mem_end = vaddr + ph->p_memsz;
	uint64_t anon_start = ALIGN_UP(file_end, PAGE_SIZE);
	unsigned int prot = prot_of(ph->p_flags);
	int64_t r;

	if (ph->p_filesz) {
		r = vm_mmap(mm, start, anon_start - start, prot, MAP_PRIVATE | MAP_FIXED,
			    file_vm(bprm->file), ALIGN_DOWN(ph->p_offset, PAGE_SIZE));
		if (r < 0)
			return (int)r;
		/* The file's next bytes share the last page: they are not the bss's zeros. */
		if (mem_end > file_end && (file_end & (PAGE_SIZE - 1))) {
			if (!(prot & PROT_WRITE))
				return -ENOEXEC; /* a bss in a read-only segment: not a real program */
			if (clear_user((void __user *)file_end, anon_start - file_end))
				return -EFAULT;
		}
	} else {
		anon_start = start;
	}
	if (mem_end > anon_start) {
		r = vm_mmap(mm, anon_start, ALIGN_UP(mem_end, PAGE_SIZE) - anon_start, prot,
			    MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS, NULL, 0);
		if (r < 0)
			return (int)r;
	}
	if (ALIGN_UP(mem_end, PAGE_SIZE) > bprm->end_data)
		bprm->end_data = ALIGN_UP(mem_end, PAGE_SIZE);
	return 0;
}

int elf_map(struct linux_binprm *bprm, struct mm *mm)
{
	bprm->end_data = 0;
	for (unsigned int i = 0; i < bprm->phnum; i++) {
		int err;

		if (phdr(bprm, i)->p_type != PT_LOAD)
			continue;
		if ((err = map_segment(bprm, mm, phdr(bprm, i))))
			return err;
	}
	return 0;
}
