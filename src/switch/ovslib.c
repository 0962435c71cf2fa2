/* libopenvswitch's once-per-process set-up for ovslab (ovslib.h). */
#include <config.h>

#include "switch/ovslib.h"

#include <stdbool.h>

#include "fatal-signal.h"
#include "openvswitch/vlog.h"
#include "util.h"

void ovslib_init(void)
{
	static bool done;

	if (done)
		return;
	done = true;
	if (!program_name)
		set_program_name("ovslab");
	/* A switch that goes away mid-write must give an error, not kill us. */
	fatal_ignore_sigpipe();
	/* ovslab reports its own errors; OVS's progress lines only add noise. */
	vlog_set_levels(NULL, VLF_ANY_DESTINATION, VLL_OFF);
	vlog_set_levels(NULL, VLF_SYSLOG, VLL_WARN);
}

const char *ovslib_version(void)
{
	return PACKAGE_VERSION;
}
