# The network core's build (docs/net.md): lwIP 2.1.3, fetched by
# scripts/fetch-lwip.sh into $(LWIP_DIR) (never committed), compiled with
# the kernel's flags plus the port headers in net/ (lwipopts.h, arch/cc.h
# and the libc shims in net/arch/), warnings relaxed for lwIP's own code.
# Included by the top Makefile before mk/kernel.mk, which links NET_KOBJ.
# net/*.c themselves are kernel sources (mk/kernel.mk) that also see lwIP.

LWIP_DIR   := $(BUILD)/lwip
LWIP_STAMP := $(LWIP_DIR)/.stamp
LWIP_INC   := -Inet -Inet/arch -I$(LWIP_DIR)/src/include

# IPv4, ARP/Ethernet, ICMP, raw, UDP (lwipopts.h turns TCP, DHCP, DNS off;
# their files are left out rather than compiled empty).
LWIP_SRCS := $(addprefix src/core/,init.c def.c inet_chksum.c ip.c mem.c memp.c netif.c \
	pbuf.c raw.c stats.c sys.c timeouts.c udp.c) \
	$(addprefix src/core/ipv4/,etharp.c icmp.c ip4.c ip4_addr.c ip4_frag.c) \
	src/netif/ethernet.c
# Linked only with the port (net/net_core.c provides what lwIP calls).
NET_KOBJ := $(if $(wildcard net/net_core.c),$(patsubst %.c,$(BUILD)/k/lwip/%.o,$(LWIP_SRCS)))

# lwIP is not our code: keep -Wall's real problems, drop the style noise.
LWIP_CFLAGS_EXTRA := $(LWIP_INC) -w

$(LWIP_STAMP): scripts/fetch-lwip.sh scripts/apt_fetch.sh
	scripts/fetch-lwip.sh $(BUILD)

.PHONY: lwip
lwip: $(LWIP_STAMP)

# The pattern rule's recipe uses KCFLAGS from mk/kernel.mk (read at run time).
$(BUILD)/k/lwip/%.o: $(LWIP_DIR)/%.c net/lwipopts.h net/arch/cc.h | $(LWIP_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(KCFLAGS) $(LWIP_CFLAGS_EXTRA) -c $< -o $@

# The lwIP sources exist only after the fetch.
$(addprefix $(LWIP_DIR)/,$(LWIP_SRCS)): | $(LWIP_STAMP)

# Our own net/ objects include lwIP's headers too.
$(BUILD)/k/net/%.o: KCFLAGS += $(LWIP_INC)
$(patsubst %.c,$(BUILD)/k/%.o,$(filter-out %_test.c,$(wildcard net/*.c))): | $(LWIP_STAMP)
