/* The legacy 8259 PIC pair. We use the APICs, so the PICs are only remapped and masked. */
#ifndef ARCH_X86_64_PIC_H
#define ARCH_X86_64_PIC_H

void pic_disable(void);

#endif
