/* The lab's bridge settings, port VLANs and numbers, patch ports and mirrors
 * in the Open vSwitch database: ovsdb.c's transactions call these.  Only
 * for files compiled against Open vSwitch's headers. */
#ifndef OVSLAB_OVSDB_SETTINGS_H
#define OVSLAB_OVSDB_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>

#include "model/lab.h"

struct ovsdb_idl;
struct ovsdb_idl_txn;
struct ovsrec_bridge;
struct ovsrec_port;
struct smap;

/* The columns the functions below read and write. */
void ovsdb_settings_register(struct ovsdb_idl *idl);

/* Whether port is one of the lab's patch ports on bridge. */
bool ovsdb_settings_is_patch(const struct lab *lab, const char *bridge, const char *port);
/* Inserts the patch ports of a new bridge into ports[] (room for two per
 * patch); returns how many. */
size_t ovsdb_settings_new_patches(struct ovsdb_idl_txn *txn, const struct lab *lab,
			    const struct lab_bridge *lb, const struct smap *mark,
			    struct ovsrec_port **ports);
/* Adds the patch ports an existing bridge lacks. */
void ovsdb_settings_sync_patches(struct ovsdb_idl_txn *txn, const struct ovsrec_bridge *br,
			   const struct lab *lab, const struct lab_bridge *lb,
			   const struct smap *mark);

/* Once every bridge and port of the lab is in the transaction: bridge
 * settings, controllers, port tags, trunks, requested ofports and mirrors
 * made what the lab declares, written only where they differ. */
int ovsdb_settings_apply(struct ovsdb_idl *idl, struct ovsdb_idl_txn *txn, const struct lab *lab,
		   const char *datapath);

/* Deletes a lab bridge's mirrors and controllers (the bridge goes too). */
void ovsdb_settings_bridge_delete(const struct ovsrec_bridge *br);

#endif
