/* `ovslab graph` of a lab that is up: live state (an interface taken down
 * behind ovslab's back is drawn down), ofports from the switch, and the
 * shaping the kernel has labelled.  Each test in its own sandbox. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sandbox.h"

#define LAB_FILE SANDBOX_FILES "/g.yaml"
static char buf[65536];

TestSuite(graph, .init = sandbox_enter, .timeout = 240);

/* The value of key in the JSON object of the interface whose bridge port
 * is port, as written ("\"down\"", "3"). */
static const char *iface_field(const char *json, const char *port, const char *key,
			       char *out, size_t len)
{
	char pat[64];
	const char *p, *end;

	snprintf(pat, sizeof(pat), "\"port\":\"%s\"", port);
	p = strstr(json, pat);
	cr_assert_not_null(p, "no interface with port %s in %s", port, json);
	end = strchr(p, '}');
	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(p, pat);
	cr_assert(p && p < end, "no %s for %s in %s", key, port, json);
	p += strlen(pat);
	snprintf(out, len, "%.*s", (int)strcspn(p, ",}"), p);
	return out;
}

Test(graph, live_down)
{
	char v[64];
	char *json;

	sandbox_write(LAB_FILE,
		      "name: g\n"
		      "bridges:\n"
		      "  br0: {}\n"
		      "hosts:\n"
		      "  h1: {bridge: br0, address: 10.0.0.1/24}\n"
		      "  h2: {bridge: br0, address: 10.0.0.2/24}\n"
		      "  h3: {bridge: br0, address: 10.0.0.3/24, rate: 10mbit}\n");
	cr_assert_eq(sandbox_ovslabf(buf, sizeof(buf), "up %s", LAB_FILE), 0, "up: %s", buf);

	cr_assert_eq(sandbox_ovslabf(buf, sizeof(buf), "graph g --format json"), 0, "%s", buf);
	cr_expect(strstr(buf, "\"live\":true") != NULL, "%s", buf);
	cr_expect_str_eq(iface_field(buf, "h2_tap", "state", v, sizeof(v)), "\"up\"");
	cr_expect_neq(atoi(iface_field(buf, "h2_tap", "ofport", v, sizeof(v))), 0);
	cr_expect_str_eq(iface_field(buf, "h3_tap", "impairment", v, sizeof(v)), "\"rate 10mbit\"");
	cr_expect(strstr(buf, "\"state\":\"down\"") == NULL, "%s", buf);

	/* Behind ovslab's back, as a fault would. */
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip netns exec h2 ip link set eth0 down"), 0,
		     "%s", buf);
	cr_assert_eq(sandbox_ovslabf(buf, sizeof(buf), "graph %s --format json", LAB_FILE), 0,
		     "%s", buf);
	json = strdup(buf);
	cr_expect_str_eq(iface_field(json, "h2_tap", "state", v, sizeof(v)), "\"down\"");
	cr_expect_str_eq(iface_field(json, "h1_tap", "state", v, sizeof(v)), "\"up\"");
	cr_expect(strstr(json, "\"kind\":\"port\",\"from\":\"h:h2\",\"from_interface\":\"eth0\","
			 "\"to\":\"b:br0\",\"to_interface\":null,\"label\":\"h2_tap ofport") != NULL,
		  "%s", json);
	cr_expect(strstr(json, "DOWN\",\"state\":\"down\"}") != NULL, "%s", json);
	free(json);

	/* dot: that edge dashed and red, the host's row marked. */
	cr_assert_eq(sandbox_ovslabf(buf, sizeof(buf), "graph g"), 0, "%s", buf);
	cr_expect(strstr(buf, "\"h:h2\":p0 -- \"b:br0\" [label=\"h2_tap") != NULL, "%s", buf);
	cr_expect(strstr(strstr(buf, "\"h:h2\":p0 -- "), "style=dashed") <
		  strstr(strstr(buf, "\"h:h2\":p0 -- "), "\n"), "%s", buf);
	cr_expect(strstr(buf, "eth0 (down)") != NULL, "%s", buf);
	cr_expect(strstr(strstr(buf, "\"h:h1\":p0 -- "), "style=dashed") == NULL ||
		  strstr(strstr(buf, "\"h:h1\":p0 -- "), "style=dashed") >
		  strstr(strstr(buf, "\"h:h1\":p0 -- "), "\n"), "%s", buf);

	cr_assert_eq(sandbox_ovslabf(buf, sizeof(buf), "down g"), 0, "down: %s", buf);
}
