# The kernel: kernel/, arch/x86_64/, fs/, net/ -> build/wisp.elf, linked
# with the top-level linker.ld (higher half). *_test.c never enters it.

KCFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror=implicit-function-declaration \
	-Wno-unused-parameter -ffreestanding -fno-pic -fno-pie -fno-stack-protector \
	-fno-omit-frame-pointer -mno-red-zone -mcmodel=kernel -mno-sse -mno-sse2 -mno-mmx \
	-mno-avx -mgeneral-regs-only -fno-strict-aliasing -fno-common \
	-I. -Iarch/x86_64 -DWISP_VERSION='"$(WISP_VERSION)"' -MMD -MP
KASFLAGS := -I. -Iarch/x86_64 -MMD -MP -g
KLDFLAGS := -nostdlib -static -z max-page-size=0x1000 -no-pie -Wl,--build-id=none -Wl,--no-warn-rwx-segments

KSRC_C := $(filter-out %_test.c,$(wildcard kernel/*.c arch/x86_64/*.c fs/*.c net/*.c))
KSRC_S := $(wildcard arch/x86_64/*.S)
KSRC_C += $(filter-out %_test.c,$(wildcard net/rpc/*.c))
KOBJ   := $(patsubst %.c,$(BUILD)/k/%.o,$(KSRC_C)) $(patsubst %.S,$(BUILD)/k/%.o,$(KSRC_S)) $(NET_KOBJ)

.PHONY: kernel
kernel: $(KERNEL)

$(BUILD)/k/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(KCFLAGS) -c $< -o $@

$(BUILD)/k/%.o: %.S
	@mkdir -p $(dir $@)
	$(CC) $(KASFLAGS) -c $< -o $@

# The symbol table for backtraces is linked in a second pass: link with an
# empty table, extract function symbols, compile them into a table, link
# again. The table sits in its own section after .text and .rodata, so no
# function moves between the passes.
$(BUILD)/k/ksyms_empty.o: scripts/ksyms.sh
	@mkdir -p $(dir $@)
	scripts/ksyms.sh /dev/null > $(BUILD)/k/ksyms_empty.c
	$(CC) $(KCFLAGS) -c $(BUILD)/k/ksyms_empty.c -o $@

$(KERNEL): $(KOBJ) $(BUILD)/k/ksyms_empty.o linker.ld
	$(CC) $(KLDFLAGS) -T linker.ld -o $@.pass1 $(KOBJ) $(BUILD)/k/ksyms_empty.o
	scripts/ksyms.sh $@.pass1 > $(BUILD)/k/ksyms.c
	$(CC) $(KCFLAGS) -c $(BUILD)/k/ksyms.c -o $(BUILD)/k/ksyms.o
	$(CC) $(KLDFLAGS) -T linker.ld -o $@ $(KOBJ) $(BUILD)/k/ksyms.o
	@rm -f $@.pass1

-include $(KOBJ:.o=.d)
