// SPDX-License-Identifier: MIT
// hog: a valid program that asks for more memory than lstar can ever give. Its .bss
// (hog_memory.asm) is 8 GiB, and the kernel manages at most 4 GiB of RAM; the ELF file stays
// small (.bss takes no room in it), so GRUB loads it like any other module. spawn("hog") must
// be refused with -ENOMEM, and the kernel must take no frame for it (program_loader.c).
// Were it ever loaded, it would touch its first byte and exit 3, a status no test expects.
extern char hog_memory[];

int main(void)
{
    hog_memory[0] = 1;
    return 3;
}
