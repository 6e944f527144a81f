/*
 * The multiboot2 boot information GRUB hands to the kernel: a size, then 8-byte aligned tags
 * (type, size, payload) up to an end tag. We keep the tags we use: the command line, the memory
 * map, the ACPI RSDP copies and the modules (files GRUB loaded beside the kernel: the
 * initramfs, docs/initramfs.md).
 */
#ifndef KERNEL_MULTIBOOT2_H
#define KERNEL_MULTIBOOT2_H

#include <stdint.h>
#include <stddef.h>

#define MB2_TAG_END	    0
#define MB2_TAG_CMDLINE	    1
#define MB2_TAG_LOADER_NAME 2
#define MB2_TAG_MODULE	    3
#define MB2_TAG_MMAP	    6
#define MB2_TAG_ACPI_OLD    14
#define MB2_TAG_ACPI_NEW    15

/* Memory map entry types. */
#define MB2_MEM_AVAILABLE	 1
#define MB2_MEM_RESERVED	 2
#define MB2_MEM_ACPI_RECLAIMABLE 3
#define MB2_MEM_NVS		 4
#define MB2_MEM_BADRAM		 5

struct mb2_mmap_entry {
	uint64_t addr;
	uint64_t len;
	uint32_t type;
	uint32_t reserved;
};

/* One module: GRUB put its bytes at physical [start, end), page-aligned at start. */
struct mb2_module {
	uint64_t start, end;
	const char *string; /* the rest of grub.cfg's module2 line; never NULL */
};

#define MB2_MAX_MODULES 4

struct boot_info {
	const char *cmdline;	   /* never NULL */
	const char *loader_name;   /* NULL if the loader gave none */
	const struct mb2_mmap_entry *mmap;
	size_t mmap_count;
	size_t mmap_entry_size;	   /* the loader's stride, at least sizeof(entry) */
	const void *acpi_rsdp_new; /* ACPI 2.0+ RSDP copy, or NULL */
	const void *acpi_rsdp_old; /* ACPI 1.0 RSDP copy, or NULL */
	uint64_t mbi_phys, mbi_size; /* so the allocator can keep the tags alive */
	/* The first MB2_MAX_MODULES modules, in the loader's order; any more are only counted.
	   mm/memmap.c keeps their pages from the allocator until fs/initramfs.c has read them. */
	struct mb2_module modules[MB2_MAX_MODULES];
	unsigned int nr_modules, nr_modules_ignored;
};

extern struct boot_info boot_info;

/* Parses the boot information at the given physical address (reached through the direct map). */
void multiboot2_parse(uint64_t mbi_phys);

static inline const struct mb2_mmap_entry *mb2_mmap_entry(size_t i)
{
	return (const void *)((const char *)boot_info.mmap + i * boot_info.mmap_entry_size);
}

#endif
