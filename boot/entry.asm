; The first instructions of the kernel. GRUB jumps to _start in 32-bit protected mode with
; paging off, EAX = the multiboot2 magic and EBX = the physical address of the boot information.
; This code runs at its load address (the .boot sections are linked at 1 MiB physical), builds
; page tables, turns on long mode and jumps to the higher half, where kmain runs.
;
; Boot page tables (replaced by mm/kernel_map.c once memory is known):
;   PML4[0]   -> identity map of the first 4 GiB (2 MiB pages), so this code keeps running
;   PML4[256] -> the same 4 GiB at DIRECT_MAP_BASE, so kmain can read the boot information
;   PML4[511] -> PDPT[510] maps physical 0..1 GiB at KERNEL_VMA (-2 GiB)

%include "boot/memlayout.inc"

MB2_BOOTLOADER_MAGIC equ 0x36d76289
COM1                 equ 0x3f8
PTE_P                equ 1 << 0
PTE_W                equ 1 << 1
PTE_PS               equ 1 << 7          ; a 2 MiB page in a page directory entry
CR0_PE               equ 1 << 0
CR0_WP               equ 1 << 16
CR0_PG               equ 1 << 31
CR4_PAE              equ 1 << 5
MSR_EFER             equ 0xc0000080
EFER_LME             equ 1 << 8
EFER_NXE             equ 1 << 11

extern higher_half_entry

section .boot.text progbits alloc exec nowrite align=16
bits 32
global _start
_start:
	cli
	cld
	mov esp, boot32_stack_top
	cmp eax, MB2_BOOTLOADER_MAGIC
	jne .not_multiboot2
	mov [mbi_phys], ebx

	; CPUID leaf 0x80000001: EDX bit 29 = long mode, bit 20 = NX.
	mov eax, 0x80000000
	cpuid
	cmp eax, 0x80000001
	jb .no_long_mode
	mov eax, 0x80000001
	cpuid
	test edx, 1 << 29
	jz .no_long_mode
	test edx, 1 << 20
	jz .no_nx

	call build_boot_page_tables

	mov eax, cr4
	or eax, CR4_PAE
	mov cr4, eax
	mov eax, boot_pml4
	mov cr3, eax
	mov ecx, MSR_EFER
	rdmsr
	or eax, EFER_LME | EFER_NXE
	wrmsr
	mov eax, cr0
	or eax, CR0_PG | CR0_WP | CR0_PE
	mov cr0, eax                    ; paging on: now in compatibility mode
	lgdt [boot_gdt_ptr]
	jmp 0x08:long_mode_entry        ; a 64-bit code segment: now in 64-bit mode

.not_multiboot2:
	mov esi, msg_not_multiboot2
	jmp print_and_halt
.no_long_mode:
	mov esi, msg_no_long_mode
	jmp print_and_halt
.no_nx:
	mov esi, msg_no_nx
	jmp print_and_halt

; Writes the NUL-terminated string at ESI to COM1 (polling the line status register's
; transmitter-empty bit), then halts for good.
print_and_halt:
	mov dx, COM1 + 5
.wait:
	in al, dx
	test al, 0x20
	jz .wait
	lodsb
	test al, al
	jz .halt
	mov dx, COM1
	out dx, al
	jmp print_and_halt
.halt:
	cli
	hlt
	jmp .halt

build_boot_page_tables:
	; The tables live in .boot.bss; clear them rather than trust the loader.
	mov edi, boot_page_tables
	mov ecx, boot_page_tables_end - boot_page_tables
	shr ecx, 2
	xor eax, eax
	rep stosd

	; 2048 page-directory entries of 2 MiB each: 4 GiB.
	mov edi, boot_pd
	mov eax, PTE_P | PTE_W | PTE_PS
	mov ecx, 2048
.pd:
	mov [edi], eax
	add eax, 0x200000
	add edi, 8
	loop .pd

	; PDPT for the low and direct-map slots: four page directories.
	mov dword [boot_pdpt_low + 0 * 8], boot_pd + 0 * 4096 + PTE_P + PTE_W
	mov dword [boot_pdpt_low + 1 * 8], boot_pd + 1 * 4096 + PTE_P + PTE_W
	mov dword [boot_pdpt_low + 2 * 8], boot_pd + 2 * 4096 + PTE_P + PTE_W
	mov dword [boot_pdpt_low + 3 * 8], boot_pd + 3 * 4096 + PTE_P + PTE_W
	; -2 GiB is PDPT slot 510 of PML4 slot 511.
	mov dword [boot_pdpt_high + 510 * 8], boot_pd + PTE_P + PTE_W
	mov dword [boot_pml4 + 0 * 8], boot_pdpt_low + PTE_P + PTE_W
	mov dword [boot_pml4 + 256 * 8], boot_pdpt_low + PTE_P + PTE_W
	mov dword [boot_pml4 + 511 * 8], boot_pdpt_high + PTE_P + PTE_W
	ret

bits 64
long_mode_entry:
	LOAD_64BIT_DATA_SEGMENTS
	mov rax, higher_half_entry
	jmp rax

section .boot.rodata progbits alloc noexec nowrite align=8
boot_gdt:
	dq 0
	dq 0x00209a0000000000           ; 0x08: 64-bit code, present, ring 0
	dq 0x0000920000000000           ; 0x10: data, present, writable
boot_gdt_end:
boot_gdt_ptr:
	dw boot_gdt_end - boot_gdt - 1
	dd boot_gdt

msg_not_multiboot2:
	db "boot: not loaded by a multiboot2 boot loader (bad magic in EAX); halting.", 13, 10, 0
msg_no_long_mode:
	db "boot: this CPU has no long mode (x86_64); halting.", 13, 10, 0
msg_no_nx:
	db "boot: this CPU has no NX bit; halting.", 13, 10, 0

section .boot.bss nobits alloc noexec write align=4096
boot_page_tables:
boot_pml4:      resb 4096
boot_pdpt_low:  resb 4096
boot_pdpt_high: resb 4096
boot_pd:        resb 4 * 4096
boot_page_tables_end:
boot32_stack:   resb 1024
boot32_stack_top:
global mbi_phys, boot_pml4
mbi_phys:       resd 1
