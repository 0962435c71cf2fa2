/* The little JSON ovslab writes (show --json, ls --json). */
#ifndef OVSLAB_JSON_H
#define OVSLAB_JSON_H

#include <stdio.h>

/* Writes s as a JSON string, quoted and escaped; NULL as null. */
void json_str(FILE *out, const char *s);

#endif
