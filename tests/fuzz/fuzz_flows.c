/* libFuzzer target: the flow, group and meter readers (libopenvswitch's
 * ovs-ofctl parsers behind switch/flows.h) on arbitrary text; the first byte
 * picks which.  Any crash, leak or sanitizer report is a finding. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "switch/flows.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const ports[] = { "p1", "p2", "ns01_tap" };
	static const enum flows_kind kinds[] = { FLOWS_FLOW, FLOWS_GROUP, FLOWS_METER };
	char *text, *msg = NULL;

	if (size < 1)
		return 0;
	text = malloc(size);
	if (!text)
		return 0;
	/* A lab file's line: text up to the first NUL. */
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	flows_validate(kinds[data[0] % 3], text, "br0", ports, 3, NULL, &msg);
	free(msg);
	free(text);
	return 0;
}
