/* Link properties (delay, loss, rate, state, ...): their keys, their units as
 * people write them, and how they are compared and printed.  Pure. */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "model/lab.h"

#define PROP(k, kind, field) { k, kind, offsetof(struct lab_linkprops, field) }

const struct lab_prop lab_props[LAB_N_PROPS] = {
	PROP("delay", LAB_PROP_TIME, delay_us),
	PROP("jitter", LAB_PROP_TIME, jitter_us),
	PROP("distribution", LAB_PROP_DIST, distribution),
	PROP("loss", LAB_PROP_PERCENT, loss),
	PROP("loss_correlation", LAB_PROP_PERCENT, loss_correlation),
	PROP("duplicate", LAB_PROP_PERCENT, duplicate),
	PROP("reorder", LAB_PROP_PERCENT, reorder),
	PROP("corrupt", LAB_PROP_PERCENT, corrupt),
	PROP("rate", LAB_PROP_RATE, rate),
	PROP("limit", LAB_PROP_COUNT, limit),
	PROP("state", LAB_PROP_STATE, state),
};

static const char *const dist_names[] = { "uniform", "normal" };

/* An hour of delay, a terabit: beyond both a lab link is a mistake. */
#define PROP_TIME_MAX 3600000000ULL
#define PROP_RATE_MAX 1000000000000ULL
#define PROP_LIMIT_MAX 1000000ULL
#define PPM 1000000ULL

const struct lab_prop *lab_prop_find(const char *key)
{
	for (size_t i = 0; i < LAB_N_PROPS; i++)
		if (!strcmp(lab_props[i].key, key))
			return &lab_props[i];
	return NULL;
}

/* A decimal number "12", "1.5", ".25" scaled by 10^frac (digits past frac
 * refused); *end at the first character after it.  false: not a number or
 * too large. */
static bool decimal(const char *s, unsigned frac, uint64_t *out, const char **end)
{
	uint64_t v = 0;
	unsigned f = 0;
	bool digits = false, dot = false;

	for (; *s; s++) {
		if (*s == '.' && !dot) {
			dot = true;
			continue;
		}
		if (*s < '0' || *s > '9')
			break;
		if (dot && f == frac)
			return false;
		if (v > (UINT64_MAX - 9) / 10)
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
		f += dot;
		digits = true;
	}
	if (!digits)
		return false;
	for (; f < frac; f++) {
		if (v > UINT64_MAX / 10)
			return false;
		v *= 10;
	}
	*out = v;
	*end = s;
	return true;
}

struct unit {
	const char *name;
	uint64_t mult;   /* of the base unit */
};

/* Value with a unit of table u (s scaled by 10^frac first): the number of
 * base units / 10^frac ... i.e. v * mult / 10^frac exactly, or false. */
static bool with_unit(const char *s, const struct unit *u, size_t n, unsigned frac, uint64_t *out,
		      bool *no_unit)
{
	const char *end;
	uint64_t v, scale = 1;

	*no_unit = false;
	if (!decimal(s, frac, &v, &end))
		return false;
	for (unsigned i = 0; i < frac; i++)
		scale *= 10;
	if (!*end) {
		*no_unit = v != 0;
		*out = 0;
		return v == 0;
	}
	for (size_t i = 0; i < n; i++) {
		if (strcasecmp(end, u[i].name))
			continue;
		if (v && u[i].mult > UINT64_MAX / v)
			return false;
		if ((v * u[i].mult) % scale)
			return false;
		*out = v * u[i].mult / scale;
		return true;
	}
	return false;
}

static const struct unit time_units[] = {
	{ "us", 1 }, { "usec", 1 }, { "ms", 1000 }, { "msec", 1000 },
	{ "s", 1000000 }, { "sec", 1000000 },
};
/* tc's units: SI multiples of bits.  Its "kbps" means kilobytes, which
 * people rarely mean: the *bps forms are refused with a hint instead. */
static const struct unit rate_units[] = {
	{ "bit", 1 }, { "kbit", 1000 }, { "mbit", 1000000 }, { "gbit", 1000000000 },
	{ "tbit", 1000000000000ULL },
};

static int parse_time(const char *s, uint64_t *out, const char **why)
{
	bool no_unit;

	if (*s == '-') {
		*why = "must not be negative";
		return -EINVAL;
	}
	if (!with_unit(s, time_units, sizeof(time_units) / sizeof(*time_units), 3, out, &no_unit)) {
		*why = no_unit ? "needs a unit (like 20ms, 1.5s or 100us)"
			       : "is not a duration (like 20ms, 1.5s or 100us)";
		return -EINVAL;
	}
	if (*out > PROP_TIME_MAX) {
		*why = "is more than an hour";
		return -EINVAL;
	}
	return 0;
}

static int parse_percent(const char *s, uint64_t *out, const char **why)
{
	const char *end;
	uint64_t v;

	if (*s == '-') {
		*why = "must not be negative";
		return -EINVAL;
	}
	/* 4 decimals of a percent: parts per million. */
	if (!decimal(s, 4, &v, &end) || (*end && strcmp(end, "%"))) {
		*why = "is not a percentage (like 1% or 0.5%)";
		return -EINVAL;
	}
	if (!*end && v) {
		*why = "needs a % sign (like 1%)";
		return -EINVAL;
	}
	if (v > PPM) {
		*why = "is more than 100%";
		return -EINVAL;
	}
	*out = v;
	return 0;
}

static int parse_rate(const char *s, uint64_t *out, const char **why)
{
	size_t n = strlen(s);
	bool no_unit;

	if (*s == '-') {
		*why = "must not be negative";
		return -EINVAL;
	}
	if (n > 3 && !strcasecmp(s + n - 3, "bps")) {
		*why = "is ambiguous (tc reads bps as bytes a second): write bits, like 64kbit or 10mbit";
		return -EINVAL;
	}
	if (!with_unit(s, rate_units, sizeof(rate_units) / sizeof(*rate_units), 6, out, &no_unit)) {
		*why = no_unit ? "needs a unit (like 500kbit, 10mbit or 1gbit)"
			       : "is not a rate (like 500kbit, 10mbit or 1gbit)";
		return -EINVAL;
	}
	if (*out && *out < 8) {
		*why = "is less than a byte a second (8bit)";
		return -EINVAL;
	}
	if (*out > PROP_RATE_MAX) {
		*why = "is more than 1tbit";
		return -EINVAL;
	}
	return 0;
}

static int parse_count(const char *s, uint64_t *out, const char **why)
{
	const char *end;

	if (*s == '-' || !decimal(s, 0, out, &end) || *end || strchr(s, '.')) {
		*why = "is not a whole number of packets (like 1000)";
		return -EINVAL;
	}
	if (*out > PROP_LIMIT_MAX) {
		*why = "is more than 1000000 packets";
		return -EINVAL;
	}
	return 0;
}

int lab_prop_parse(const struct lab_prop *p, const char *s, uint64_t *out, const char **why)
{
	switch (p->kind) {
	case LAB_PROP_TIME:
		return parse_time(s, out, why);
	case LAB_PROP_PERCENT:
		return parse_percent(s, out, why);
	case LAB_PROP_RATE:
		return parse_rate(s, out, why);
	case LAB_PROP_COUNT:
		return parse_count(s, out, why);
	case LAB_PROP_DIST:
		for (uint64_t i = 0; i < sizeof(dist_names) / sizeof(*dist_names); i++)
			if (!strcmp(s, dist_names[i])) {
				*out = i;
				return 0;
			}
		*why = "is not a distribution (uniform or normal)";
		return -EINVAL;
	case LAB_PROP_STATE:
		if (!strcmp(s, "up") || !strcmp(s, "down")) {
			*out = !strcmp(s, "down") ? LAB_LINK_DOWN : LAB_LINK_UP;
			return 0;
		}
		*why = "is not a link state (up or down)";
		return -EINVAL;
	}
	*why = "is not a value of this key";
	return -EINVAL;
}

/* v / 10^frac with the fraction's trailing zeros dropped. */
static void fixed(uint64_t v, unsigned frac, const char *unit, char *buf, size_t len)
{
	uint64_t scale = 1, f;
	unsigned digits = frac;

	for (unsigned i = 0; i < frac; i++)
		scale *= 10;
	f = v % scale;
	if (!f) {
		snprintf(buf, len, "%" PRIu64 "%s", v / scale, unit);
		return;
	}
	while (f % 10 == 0) {
		f /= 10;
		digits--;
	}
	snprintf(buf, len, "%" PRIu64 ".%0*" PRIu64 "%s", v / scale, (int)digits, f, unit);
}

const char *lab_prop_str(const struct lab_prop *p, uint64_t v, char *buf, size_t len)
{
	switch (p->kind) {
	case LAB_PROP_TIME:
		if (v && v % 1000)
			fixed(v, 0, "us", buf, len);
		else if (v >= 1000000)
			fixed(v / 1000, 3, "s", buf, len);
		else
			fixed(v / 1000, 0, "ms", buf, len);
		break;
	case LAB_PROP_PERCENT:
		fixed(v, 4, "%", buf, len);
		break;
	case LAB_PROP_RATE:
		if (!v)
			snprintf(buf, len, "none");
		else if (v >= 1000000000)
			fixed(v / 1000, 6, "gbit", buf, len);
		else if (v >= 1000000)
			fixed(v / 1000, 3, "mbit", buf, len);
		else if (v >= 1000 && !(v % 1000))
			fixed(v / 1000, 0, "kbit", buf, len);
		else
			fixed(v, 0, "bit", buf, len);
		break;
	case LAB_PROP_COUNT:
		if (!v)
			snprintf(buf, len, "default");
		else
			fixed(v, 0, "", buf, len);
		break;
	case LAB_PROP_DIST:
		snprintf(buf, len, "%s", v < 2 ? dist_names[v] : "?");
		break;
	case LAB_PROP_STATE:
		snprintf(buf, len, "%s", v == LAB_LINK_DOWN ? "down" : "up");
		break;
	}
	return buf;
}

bool lab_linkprops_eq(const struct lab_linkprops *a, const struct lab_linkprops *b)
{
	for (size_t i = 0; i < LAB_N_PROPS; i++)
		if (lab_prop_get(&lab_props[i], a) != lab_prop_get(&lab_props[i], b))
			return false;
	return true;
}

bool lab_linkprops_shaped(const struct lab_linkprops *lp)
{
	struct lab_linkprops st = { .state = lp->state };

	return !lab_linkprops_eq(lp, &st);
}

static void append(char *buf, size_t len, const char *s)
{
	size_t n = strlen(buf);

	if (n < len)
		snprintf(buf + n, len - n, "%s%s", n ? ", " : "", s);
}

void lab_linkprops_diff(const struct lab_linkprops *a, const struct lab_linkprops *b, char *buf,
			size_t len)
{
	char va[32], vb[32], one[96];

	buf[0] = '\0';
	for (size_t i = 0; i < LAB_N_PROPS; i++) {
		const struct lab_prop *p = &lab_props[i];
		uint64_t x = lab_prop_get(p, a), y = lab_prop_get(p, b);

		if (x == y)
			continue;
		snprintf(one, sizeof(one), "%s %s -> %s", p->key, lab_prop_str(p, x, va, sizeof(va)),
			 lab_prop_str(p, y, vb, sizeof(vb)));
		append(buf, len, one);
	}
}

void lab_linkprops_str(const struct lab_linkprops *lp, const char *sep, char *buf, size_t len)
{
	char v[32];
	size_t n;

	buf[0] = '\0';
	for (size_t i = 0; i < LAB_N_PROPS; i++) {
		const struct lab_prop *p = &lab_props[i];
		uint64_t x = lab_prop_get(p, lp);

		if (!x)
			continue;
		n = strlen(buf);
		if (n < len)
			snprintf(buf + n, len - n, "%s%s%s%s", n ? " " : "", p->key, sep,
				 lab_prop_str(p, x, v, sizeof(v)));
	}
}

const char *lab_linkprops_problem(const struct lab_linkprops *lp)
{
	if (lp->jitter_us && !lp->delay_us)
		return "jitter needs a delay";
	if (lp->distribution && !lp->jitter_us)
		return "distribution needs a jitter";
	if (lp->loss_correlation && !lp->loss)
		return "loss_correlation needs a loss";
	if (lp->reorder && !lp->delay_us)
		return "reorder needs a delay (the packets not reordered wait that long)";
	return NULL;
}

bool lab_route_down(const struct lab_host *h, const struct lab_host_route *r)
{
	for (size_t i = 0; i < h->n_ifaces; i++) {
		const struct lab_iface *ifc = &h->ifaces[i];

		if (ifc->props.state != LAB_LINK_DOWN)
			continue;
		if (r->dev && !strcmp(r->dev, ifc->ifname))
			return true;
		for (size_t k = 0; !r->dev && r->via.family && k < ifc->n_addrs; k++)
			if (lab_addr_in_subnet(&ifc->addrs[k], &r->via))
				return true;
	}
	return false;
}
