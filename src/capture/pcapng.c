/* Writes pcapng blocks (see pcapng.h), in the machine's byte order, as the
 * format allows: readers tell it from the section header's magic. */
#include <errno.h>
#include <string.h>

#include "capture/pcapng.h"
#include "util/err.h"

#define PCAPNG_SHB 0x0a0d0d0au
#define PCAPNG_IDB 0x00000001u
#define PCAPNG_EPB 0x00000006u
#define PCAPNG_MAGIC 0x1a2b3c4du
#define PCAPNG_OPT_END 0
#define PCAPNG_OPT_IF_NAME 2

static uint32_t pad4(uint32_t n)
{
	return (n + 3u) & ~3u;
}

static int pcapng_write(FILE *out, const void *p, size_t n)
{
	static const uint8_t zero[4];

	if (!p)
		p = zero;
	errno = 0;
	if (n && fwrite(p, 1, n, out) != n) {
		int e = errno ? errno : EIO;

		err_set("cannot write the capture: %s", strerror(e));
		return -e;
	}
	return 0;
}

int pcapng_section(FILE *out)
{
	struct {
		uint32_t type, len, magic;
		uint16_t major, minor;
		int64_t section_len;
		uint32_t len2;
	} __attribute__((packed)) b = {
		.type = PCAPNG_SHB, .len = sizeof(b), .magic = PCAPNG_MAGIC,
		.major = 1, .minor = 0, .section_len = -1, .len2 = sizeof(b),
	};

	return pcapng_write(out, &b, sizeof(b));
}

int pcapng_interface(FILE *out, uint16_t linktype, uint32_t snaplen, const char *name)
{
	uint16_t namelen = (uint16_t)strnlen(name, 255);
	struct {
		uint32_t type, len;
		uint16_t linktype, reserved;
		uint32_t snaplen;
		uint16_t code, optlen;
	} __attribute__((packed)) b = {
		.type = PCAPNG_IDB, .linktype = linktype, .snaplen = snaplen,
		.code = PCAPNG_OPT_IF_NAME, .optlen = namelen,
	};
	uint32_t end_opt = PCAPNG_OPT_END, total;
	int ret;

	total = (uint32_t)sizeof(b) + pad4(namelen) + 4 + 4;
	b.len = total;
	ret = pcapng_write(out, &b, sizeof(b));
	if (ret == 0)
		ret = pcapng_write(out, name, namelen);
	if (ret == 0)
		ret = pcapng_write(out, NULL, pad4(namelen) - namelen);
	if (ret == 0)
		ret = pcapng_write(out, &end_opt, 4);
	if (ret == 0)
		ret = pcapng_write(out, &total, 4);
	return ret;
}

int pcapng_packet(FILE *out, uint32_t iface, uint64_t ts_us, const uint8_t *data,
		  uint32_t caplen, uint32_t len)
{
	struct {
		uint32_t type, len, iface, ts_high, ts_low, caplen, origlen;
	} b = {
		.type = PCAPNG_EPB, .iface = iface,
		.ts_high = (uint32_t)(ts_us >> 32), .ts_low = (uint32_t)ts_us,
		.caplen = caplen, .origlen = len,
	};
	uint32_t total = (uint32_t)sizeof(b) + pad4(caplen) + 4;
	int ret;

	b.len = total;
	ret = pcapng_write(out, &b, sizeof(b));
	if (ret == 0)
		ret = pcapng_write(out, data, caplen);
	if (ret == 0)
		ret = pcapng_write(out, NULL, pad4(caplen) - caplen);
	if (ret == 0)
		ret = pcapng_write(out, &total, 4);
	return ret;
}
