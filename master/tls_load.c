/* tls_load: the master loads the TLS module (tls.so) when the config needs it, so a server without TLS never maps OpenSSL; workers inherit it by fork. */
#include "tine_build.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "tls_load.h"

#define TLS_MODULE_ENV	"TINE_TLS_MODULE"	/* overrides the path */

/* The module, once loaded: it stays for the life of the process (OpenSSL
 * would not survive dlclose, and workers fork with it). */
static const struct tls_module	*tls_module;

/* Where the module is: $TINE_TLS_MODULE (an uninstalled build's tests),
 * else the installed one. */
static const char *
tls_module_path(void)
{
	const char	*p = secure_getenv(TLS_MODULE_ENV);

	return p != NULL && *p != '\0' ? p : TINE_MODULE_DIR "/tls.so";
}

/* Map the module at path and find its table; NULL with why (dlerror's
 * words, or an ABI that is not ours). */
static const struct tls_module *
tls_module_open(const char *path, char *why, size_t whylen)
{
	const struct tls_module	*mod;
	const char		*e;
	void			*h;

	if ((h = dlopen(path, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		e = dlerror();
		snprintf(why, whylen, "%s", e != NULL ? e : "dlopen failed");
		return NULL;
	}
	if ((mod = dlsym(h, TLS_MODULE_SYMBOL)) == NULL) {
		e = dlerror();
		snprintf(why, whylen, "%s", e != NULL ? e : "no "
		    TLS_MODULE_SYMBOL);
	} else if (mod->abi == NULL || strcmp(mod->abi, TLS_MODULE_ABI) != 0)
		snprintf(why, whylen, "it is \"%s\", this binary needs \"%s\"",
		    mod->abi != NULL ? mod->abi : "(none)", TLS_MODULE_ABI);
	else
		return mod;
	dlclose(h);
	return NULL;
}

/* The first site's tls_certificate that is set, NULL when none is. */
static const struct config_ref *
tls_load_first_cert(const struct config *conf)
{
	size_t	i;

	for (i = 0; i < conf->nsites; i++)
		if (conf->sites[i].tls_certificate.value != NULL)
			return &conf->sites[i].tls_certificate;
	return NULL;
}

/* Load the module for conf's first certificate, once; -1 with err naming
 * that certificate's line. */
static int
tls_module_need(const struct config *conf, char *err, size_t errlen)
{
	const struct config_ref	*cert = tls_load_first_cert(conf);
	const char		*path = tls_module_path();
	char			 why[CONFIG_ERR_MAX];

	if (tls_module != NULL)
		return 0;
	if ((tls_module = tls_module_open(path, why, sizeof(why))) != NULL)
		return 0;
	snprintf(err, errlen, "%s: cannot load the TLS module %s: %s",
	    cert != NULL ? cert->where : "tls", path, why);
	return -1;
}

/* Whether some site of conf has a certificate (see tls_load.h). */
bool
tls_certified(const struct config *conf)
{
	return tls_load_first_cert(conf) != NULL;
}

/* Whether some listener of conf speaks TLS (see tls_load.h). */
bool
tls_listening(const struct config *conf)
{
	size_t	i;

	for (i = 0; i < conf->nlisten; i++)
		if (conf->listen[i].tls)
			return true;
	return false;
}

/* Load every site's certificate through the module (see tls_load.h). */
int
tls_load(const struct config *conf, const struct tls_conf *prev,
    struct tls_conf **out, char *err, size_t errlen)
{
	*out = NULL;
	if (!tls_certified(conf))
		return 0;
	if (tls_module_need(conf, err, errlen) == -1)
		return -1;
	return tls_module->load(conf, prev, out, err, errlen);
}

/* Say where the module is and whether it loads (see tls_load.h). */
void
tls_module_describe(FILE *f)
{
	const char	*path = tls_module_path();
	char		 why[CONFIG_ERR_MAX];

	if (tls_module == NULL &&
	    (tls_module = tls_module_open(path, why, sizeof(why))) == NULL) {
		fprintf(f, "TLS module %s: cannot load: %s\n", path, why);
		return;
	}
	fprintf(f, "TLS module %s (%s)\n", path, tls_module->version());
}
