/* libFuzzer target: the lab-file reader (YAML, the model's validation and the
 * flow, group and meter parsers it calls) on arbitrary bytes.  Any crash,
 * leak, sanitizer report, time-out or memory blow-up is a finding. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "labfile/labfile.h"
#include "model/lab.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *sink;
	struct lab *lab = NULL;

	if (!sink)
		sink = fopen("/dev/null", "w");
	if (labfile_parse("fuzz.yaml", (const char *)data, size, sink, &lab) == 0)
		lab_free(lab);
	return 0;
}
