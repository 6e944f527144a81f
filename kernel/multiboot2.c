/* Walks the multiboot2 tags once at boot and records where the ones we use are. */
#include "kernel/multiboot2.h"
#include "arch/x86_64/memlayout.h"
#include "lib/compiler.h"

struct boot_info boot_info = { .cmdline = "" };

struct mb2_tag {
	uint32_t type;
	uint32_t size;
};

struct mb2_tag_module {
	uint32_t type, size;
	uint32_t mod_start, mod_end; /* physical, [mod_start, mod_end) */
	/* the NUL-terminated string follows */
};

static void add_module(const struct mb2_tag_module *m)
{
	struct mb2_module *mod;

	if (boot_info.nr_modules == MB2_MAX_MODULES || m->size < sizeof(*m) + 1 ||
	    m->mod_end < m->mod_start) {
		boot_info.nr_modules_ignored++;
		return;
	}
	mod = &boot_info.modules[boot_info.nr_modules++];
	mod->start = m->mod_start;
	mod->end = m->mod_end;
	mod->string = (const char *)(m + 1);
}

struct mb2_tag_mmap {
	uint32_t type, size;
	uint32_t entry_size, entry_version;
	/* entries follow */
};

void multiboot2_parse(uint64_t mbi_phys)
{
	const uint8_t *mbi = phys_to_virt(mbi_phys);
	uint32_t total = *(const uint32_t *)mbi;
	const uint8_t *p = mbi + 8, *end = mbi + total;

	boot_info.mbi_phys = mbi_phys;
	boot_info.mbi_size = total;
	while (p + sizeof(struct mb2_tag) <= end) {
		const struct mb2_tag *tag = (const void *)p;
		if (tag->type == MB2_TAG_END || tag->size < 8)
			break;
		switch (tag->type) {
		case MB2_TAG_CMDLINE:
			boot_info.cmdline = (const char *)(tag + 1);
			break;
		case MB2_TAG_LOADER_NAME:
			boot_info.loader_name = (const char *)(tag + 1);
			break;
		case MB2_TAG_MODULE:
			add_module((const void *)tag);
			break;
		case MB2_TAG_MMAP: {
			const struct mb2_tag_mmap *m = (const void *)tag;
			if (m->entry_size >= sizeof(struct mb2_mmap_entry)) {
				boot_info.mmap = (const void *)(m + 1);
				boot_info.mmap_entry_size = m->entry_size;
				boot_info.mmap_count = (m->size - sizeof(*m)) / m->entry_size;
			}
			break;
		}
		case MB2_TAG_ACPI_OLD:
			boot_info.acpi_rsdp_old = tag + 1;
			break;
		case MB2_TAG_ACPI_NEW:
			boot_info.acpi_rsdp_new = tag + 1;
			break;
		}
		p += ALIGN_UP(tag->size, 8);
	}
}
