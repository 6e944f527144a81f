; The multiboot2 header. GRUB looks for it in the first 32 KiB of the image, 8-byte aligned:
; magic, architecture (0 = 32-bit protected mode i386), header length, and a checksum that makes
; the four fields sum to zero; then a list of tags ending with the end tag (type 0, size 8).
; Check it with: grub-file --is-x86-multiboot2 build/kernel.elf

MB2_HEADER_MAGIC equ 0xe85250d6
MB2_ARCH_I386    equ 0

section .multiboot2 progbits alloc noexec nowrite align=8
mb2_header:
	dd MB2_HEADER_MAGIC
	dd MB2_ARCH_I386
	dd mb2_header_end - mb2_header
	dd -(MB2_HEADER_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
	; end tag
	dw 0
	dw 0
	dd 8
mb2_header_end:
