/* The one user-facing error message of a command (err.h). */
#include "util/err.h"

#include <stdarg.h>
#include <stdio.h>

static char err_buf[1024];
static bool err_have;

static void err_vformat(const char *fmt, va_list ap)
{
	vsnprintf(err_buf, sizeof(err_buf), fmt, ap);
	err_have = true;
}

void err_set(const char *fmt, ...)
{
	va_list ap;

	if (err_have)
		return;
	va_start(ap, fmt);
	err_vformat(fmt, ap);
	va_end(ap);
}

void err_reset(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_vformat(fmt, ap);
	va_end(ap);
}

const char *err_get(void)
{
	return err_have ? err_buf : "";
}

bool err_isset(void)
{
	return err_have;
}

void err_clear(void)
{
	err_have = false;
	err_buf[0] = '\0';
}

bool err_hold(void)
{
	return err_have;
}

void err_release(bool held)
{
	if (!held)
		err_clear();
}
