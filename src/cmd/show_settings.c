/* The Open vSwitch settings of a lab in `ovslab show`: bridge options, port
 * VLANs and numbers, patches and mirrors, as text or JSON members. */
#include "cmd/show_settings.h"

#include "switch/flows.h"
#include "util/json.h"

static void show_settings_strv_text(const char *what, char *const *v, size_t n, const char **sep,
			      FILE *out)
{
	if (!n)
		return;
	fprintf(out, "%s%s ", *sep, what);
	for (size_t i = 0; i < n; i++)
		fprintf(out, "%s%s", i ? "," : "", v[i]);
	*sep = ", ";
}

static void show_settings_kv_text(const char *what, const struct lab_kv *kv, size_t n,
			    const char **sep, FILE *out)
{
	if (!n)
		return;
	fprintf(out, "%s%s ", *sep, what);
	for (size_t i = 0; i < n; i++)
		fprintf(out, "%s%s=%s", i ? "," : "", kv[i].key, kv[i].value);
	*sep = ", ";
}

void show_settings_bridge_text(const struct lab_bridge *b, FILE *out)
{
	const struct lab_bridge_settings *settings = &b->settings;
	const char *sep = "  ";

	if (settings->datapath) {
		fprintf(out, "%sdatapath %s", sep, settings->datapath);
		sep = ", ";
	}
	if (settings->fail_mode) {
		fprintf(out, "%sfail_mode %s", sep, settings->fail_mode);
		sep = ", ";
	}
	show_settings_strv_text("protocols", settings->protocols, settings->n_protocols, &sep, out);
	if (b->of_version) {
		fprintf(out, "%sflows in %s%s", sep, flows_version_name(b->of_version),
			b->openflow ? "" : " (chosen)");
		sep = ", ";
	}
	show_settings_strv_text("controller", settings->controllers, settings->n_controllers, &sep, out);
	for (int i = 0; i < 3; i++) {
		static const char *const names[] = { "stp", "rstp", "mcast_snooping" };
		bool on = i == 0 ? settings->stp : i == 1 ? settings->rstp : settings->mcast_snooping;

		if (on) {
			fprintf(out, "%s%s", sep, names[i]);
			sep = ", ";
		}
	}
	show_settings_kv_text("other_config", settings->other_config, settings->n_other_config, &sep, out);
	show_settings_kv_text("external_ids", settings->external_ids, settings->n_external_ids, &sep, out);
	if (sep[0] == ',')
		fputc('\n', out);
}

void show_settings_port_text(const struct lab_iface *ifc, FILE *out)
{
	if (ifc->settings.vlan)
		fprintf(out, " vlan %u", ifc->settings.vlan);
	for (size_t i = 0; i < ifc->settings.n_trunks; i++)
		fprintf(out, "%s%u", i ? "," : " trunks ", ifc->settings.trunks[i]);
}

static void show_settings_ref_text(const struct lab_mirror_ref *r, FILE *out)
{
	fprintf(out, "%s%s%s", r->host, r->ifname ? ":" : "", r->ifname ? r->ifname : "");
}

void show_settings_lab_text(const struct lab *lab, FILE *out)
{
	for (size_t i = 0; i < lab->n_patches; i++) {
		const struct lab_patch *p = &lab->patches[i];

		fprintf(out, "patch %s - %s: ports %s, %s\n", p->bridge[0], p->bridge[1], p->port[0],
			p->port[1]);
	}
	for (size_t i = 0; i < lab->n_mirrors; i++) {
		const struct lab_mirror *m = &lab->mirrors[i];

		fprintf(out, "mirror %s on %s: ", m->name, m->bridge);
		if (!m->n_select)
			fputs("all", out);
		for (size_t k = 0; k < m->n_select; k++) {
			fputs(k ? "," : "", out);
			show_settings_ref_text(&m->select[k], out);
		}
		fputs(" -> ", out);
		show_settings_ref_text(&m->to, out);
		fputc('\n', out);
	}
}

static void show_settings_strv_json(const char *what, char *const *v, size_t n, FILE *out)
{
	fprintf(out, ",\"%s\":[", what);
	for (size_t i = 0; i < n; i++) {
		if (i)
			fputc(',', out);
		json_str(out, v[i]);
	}
	fputc(']', out);
}

static void show_settings_kv_json(const char *what, const struct lab_kv *kv, size_t n, FILE *out)
{
	fprintf(out, ",\"%s\":{", what);
	for (size_t i = 0; i < n; i++) {
		if (i)
			fputc(',', out);
		json_str(out, kv[i].key);
		fputc(':', out);
		json_str(out, kv[i].value);
	}
	fputc('}', out);
}

void show_settings_bridge_json(const struct lab_bridge *b, FILE *out)
{
	const struct lab_bridge_settings *settings = &b->settings;

	fputs(",\"datapath\":", out);
	json_str(out, settings->datapath);
	fputs(",\"fail_mode\":", out);
	json_str(out, settings->fail_mode);
	show_settings_strv_json("protocols", settings->protocols, settings->n_protocols, out);
	fputs(",\"openflow\":", out);
	json_str(out, flows_version_name(b->of_version));
	fprintf(out, ",\"openflow_chosen\":%s", b->openflow ? "false" : "true");
	show_settings_strv_json("controllers", settings->controllers, settings->n_controllers, out);
	fprintf(out, ",\"stp\":%s,\"rstp\":%s,\"mcast_snooping\":%s", settings->stp ? "true" : "false",
		settings->rstp ? "true" : "false", settings->mcast_snooping ? "true" : "false");
	show_settings_kv_json("other_config", settings->other_config, settings->n_other_config, out);
	show_settings_kv_json("external_ids", settings->external_ids, settings->n_external_ids, out);
}

void show_settings_port_json(const struct lab_iface *ifc, FILE *out)
{
	fprintf(out, ",\"ofport_request\":%u,\"vlan\":%u,\"trunks\":[", ifc->settings.ofport,
		ifc->settings.vlan);
	for (size_t i = 0; i < ifc->settings.n_trunks; i++)
		fprintf(out, "%s%u", i ? "," : "", ifc->settings.trunks[i]);
	fputc(']', out);
}

static void show_settings_ref_json(const struct lab_mirror_ref *r, FILE *out)
{
	fputs("{\"host\":", out);
	json_str(out, r->host);
	fputs(",\"ifname\":", out);
	json_str(out, r->ifname);
	fputc('}', out);
}

void show_settings_lab_json(const struct lab *lab, FILE *out)
{
	fputs(",\"patches\":[", out);
	for (size_t i = 0; i < lab->n_patches; i++) {
		const struct lab_patch *p = &lab->patches[i];

		fputs(i ? ",{\"bridges\":[" : "{\"bridges\":[", out);
		json_str(out, p->bridge[0]);
		fputc(',', out);
		json_str(out, p->bridge[1]);
		fputs("],\"ports\":[", out);
		json_str(out, p->port[0]);
		fputc(',', out);
		json_str(out, p->port[1]);
		fputs("]}", out);
	}
	fputs("],\"mirrors\":[", out);
	for (size_t i = 0; i < lab->n_mirrors; i++) {
		const struct lab_mirror *m = &lab->mirrors[i];

		fputs(i ? ",{\"name\":" : "{\"name\":", out);
		json_str(out, m->name);
		fputs(",\"bridge\":", out);
		json_str(out, m->bridge);
		fputs(",\"select\":[", out);
		for (size_t k = 0; k < m->n_select; k++) {
			if (k)
				fputc(',', out);
			show_settings_ref_json(&m->select[k], out);
		}
		fputs("],\"to\":", out);
		show_settings_ref_json(&m->to, out);
		fputc('}', out);
	}
	fputc(']', out);
}
