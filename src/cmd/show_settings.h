/* The Open vSwitch settings of a lab in `ovslab show` (show_settings.c): what the
 * lab file asks of the switch, next to what show.c reads live. */
#ifndef OVSLAB_SHOW_SETTINGS_H
#define OVSLAB_SHOW_SETTINGS_H

#include <stdio.h>

#include "model/lab.h"

/* Text: an indented line of the bridge's settings, when it has any. */
void show_settings_bridge_text(const struct lab_bridge *b, FILE *out);
/* Text: " vlan N" or " trunks N,M" after a port's ofport, or nothing. */
void show_settings_port_text(const struct lab_iface *ifc, FILE *out);
/* Text: one line per patch and per mirror. */
void show_settings_lab_text(const struct lab *lab, FILE *out);

/* JSON members, each starting with a comma: a bridge's settings, a port's
 * ofport request and VLANs, the lab's patches and mirrors. */
void show_settings_bridge_json(const struct lab_bridge *b, FILE *out);
void show_settings_port_json(const struct lab_iface *ifc, FILE *out);
void show_settings_lab_json(const struct lab *lab, FILE *out);

#endif
