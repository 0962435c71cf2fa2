/* net.ipv4.ip_forward while labs masquerade: borrowed by the first lab that
 * has NAT and given back by the last one, to the value the machine had
 * before (journal/borrow.h), under one machine-wide lock.  A lab's claim is
 * the live nat entries of its journal, written before its rules. */
#ifndef OVSLAB_FORWARD_H
#define OVSLAB_FORWARD_H

#include <stddef.h>

#include "journal/journal.h"

/* Turns forwarding on, first recording the machine's value if no lab
 * borrowed it yet. */
int forward_take(void);
/* Withdraws st's claims (st NULL: none, as gc does) and, when no other lab
 * claims forwarding, puts the machine's value back. */
int forward_give_back(struct journal *st);
/* The machine's own value while labs borrow it (0), or -ENOENT. */
int forward_borrowed(char *buf, size_t len);

#endif
