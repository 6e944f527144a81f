/*
 * ACPI table walk: RSDP -> RSDT (32-bit pointers) or XSDT (64-bit pointers) -> MADT. Every
 * table starts with the same 36-byte header, whose length covers the whole table and whose
 * checksum makes its bytes sum to zero. Tables are reached through the direct map, which covers
 * the low 4 GiB where firmware puts them.
 */
#include "arch/x86_64/acpi.h"
#include "arch/x86_64/memlayout.h"
#include "lib/errno.h"
#include "lib/string.h"

struct rsdp {
	char signature[8]; /* "RSD PTR " */
	uint8_t checksum;  /* over the first 20 bytes */
	char oem_id[6];
	uint8_t revision;
	uint32_t rsdt_addr;
	/* ACPI 2.0+ */
	uint32_t length;
	uint64_t xsdt_addr;
	uint8_t ext_checksum; /* over all "length" bytes */
	uint8_t reserved[3];
} __attribute__((packed));

struct sdt_header {
	char signature[4];
	uint32_t length;
	uint8_t revision;
	uint8_t checksum;
	char oem_id[6];
	char oem_table_id[8];
	uint32_t oem_revision;
	uint32_t creator_id;
	uint32_t creator_revision;
} __attribute__((packed));

struct madt {
	struct sdt_header h;
	uint32_t lapic_addr;
	uint32_t flags; /* bit 0: PC-AT compatible 8259s present */
} __attribute__((packed));

/* MADT entry types (ACPI 6.x, table 5.21). */
enum {
	MADT_LAPIC = 0,
	MADT_IOAPIC = 1,
	MADT_OVERRIDE = 2,
	MADT_LAPIC_ADDR = 5,
	MADT_X2APIC = 9,
};

#define LAPIC_ENABLED	     (1u << 0)
#define LAPIC_ONLINE_CAPABLE (1u << 1)
#define MAX_TABLE_LEN	     (1u << 20) /* a sanity bound: no MADT or RSDT is near 1 MiB */

bool acpi_checksum_ok(const void *p, uint32_t len)
{
	const uint8_t *b = p;
	uint8_t sum = 0;
	for (uint32_t i = 0; i < len; i++)
		sum += b[i];
	return sum == 0;
}

static const struct sdt_header *table_at(uint64_t phys, const char *sig)
{
	const struct sdt_header *h;
	if (phys == 0 || phys >= (4ULL << 30))
		return NULL;
	h = phys_to_virt(phys);
	if (memcmp(h->signature, sig, 4) != 0 || h->length < sizeof(*h) || h->length > MAX_TABLE_LEN)
		return NULL;
	return h;
}

/* Finds the table with signature sig among those the RSDT/XSDT points to. */
static const struct sdt_header *find_table(const struct rsdp *r, const char *sig,
					   const char **why)
{
	bool xsdt = r->revision >= 2 && r->xsdt_addr;
	const struct sdt_header *root = xsdt ? table_at(r->xsdt_addr, "XSDT")
					     : table_at(r->rsdt_addr, "RSDT");
	unsigned entry = xsdt ? 8 : 4, n;

	if (!root) {
		*why = xsdt ? "XSDT missing or malformed" : "RSDT missing or malformed";
		return NULL;
	}
	if (!acpi_checksum_ok(root, root->length)) {
		*why = xsdt ? "XSDT checksum bad" : "RSDT checksum bad";
		return NULL;
	}
	n = (root->length - sizeof(*root)) / entry;
	for (unsigned i = 0; i < n; i++) {
		const uint8_t *p = (const uint8_t *)(root + 1) + i * entry;
		uint64_t phys = xsdt ? *(const uint64_t *)p : *(const uint32_t *)p;
		const struct sdt_header *t = table_at(phys, sig);
		if (t)
			return t;
	}
	*why = "no MADT (APIC table) in the RSDT/XSDT";
	return NULL;
}

static void add_cpu(struct acpi_madt_info *out, uint32_t apic_id, uint32_t uid, uint32_t flags,
		    bool x2apic)
{
	if (!(flags & (LAPIC_ENABLED | LAPIC_ONLINE_CAPABLE)) || out->ncpus == ACPI_MAX_CPUS) {
		out->ncpus_skipped++;
		return;
	}
	out->cpus[out->ncpus++] = (struct acpi_cpu){ apic_id, uid, x2apic };
}

static void parse_entry(struct acpi_madt_info *out, const uint8_t *e)
{
	switch (e[0]) {
	case MADT_LAPIC: /* uid(1) apic_id(1) flags(4) */
		add_cpu(out, e[3], e[2], *(const uint32_t *)(e + 4), false);
		break;
	case MADT_X2APIC: /* reserved(2) x2apic_id(4) flags(4) uid(4) */
		add_cpu(out, *(const uint32_t *)(e + 4), *(const uint32_t *)(e + 12),
			*(const uint32_t *)(e + 8), true);
		break;
	case MADT_IOAPIC: /* id(1) reserved(1) addr(4) gsi_base(4) */
		if (out->nioapics < ACPI_MAX_IOAPICS)
			out->ioapics[out->nioapics++] = (struct acpi_ioapic){
				e[2], *(const uint32_t *)(e + 4), *(const uint32_t *)(e + 8)
			};
		break;
	case MADT_OVERRIDE: { /* bus(1) source(1) gsi(4) flags(2) */
		uint16_t flags = *(const uint16_t *)(e + 8);
		if (out->noverrides < ACPI_MAX_OVERRIDES)
			out->overrides[out->noverrides++] = (struct acpi_override){
				e[3], *(const uint32_t *)(e + 4), (flags & 3) == 3,
				((flags >> 2) & 3) == 3
			};
		break;
	}
	case MADT_LAPIC_ADDR: /* reserved(2) addr(8) */
		out->lapic_phys = *(const uint64_t *)(e + 4);
		break;
	}
}

static int check_rsdp(const struct rsdp *r, const char **why)
{
	if (!r) {
		*why = "the boot loader passed no ACPI RSDP";
		return -ENODEV;
	}
	if (memcmp(r->signature, "RSD PTR ", 8) != 0) {
		*why = "RSDP signature bad";
		return -EINVAL;
	}
	if (!acpi_checksum_ok(r, 20)) {
		*why = "RSDP checksum bad";
		return -EINVAL;
	}
	if (r->revision >= 2 && (r->length < sizeof(*r) || !acpi_checksum_ok(r, r->length))) {
		*why = "RSDP extended checksum bad";
		return -EINVAL;
	}
	return 0;
}

int acpi_read_madt(const void *rsdp, struct acpi_madt_info *out, const char **why)
{
	const struct rsdp *r = rsdp;
	const struct madt *m;
	const uint8_t *p, *end;
	int err = check_rsdp(r, why);

	if (err)
		return err;
	memset(out, 0, sizeof(*out));
	out->revision = r->revision;
	memcpy(out->oem_id, r->oem_id, 6);
	m = (const struct madt *)find_table(r, "APIC", why);
	if (!m)
		return -ENODEV;
	if (m->h.length < sizeof(*m) || !acpi_checksum_ok(m, m->h.length)) {
		*why = "MADT checksum bad";
		return -EINVAL;
	}
	out->lapic_phys = m->lapic_addr;
	out->has_8259 = m->flags & 1;
	p = (const uint8_t *)(m + 1);
	end = (const uint8_t *)m + m->h.length;
	while (p + 2 <= end && p[1] >= 2 && p + p[1] <= end) {
		parse_entry(out, p);
		p += p[1];
	}
	if (out->ncpus == 0) {
		*why = "MADT lists no usable CPU";
		return -ENODEV;
	}
	return 0;
}
