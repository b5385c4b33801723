/* tls_load: the master loads the TLS module (tls.so) when the config needs it, so a server without TLS never maps OpenSSL; workers inherit it by fork. */
#include "tine_build.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "tls_load.h"

#define TLS_MODULE_FILE		"tls.so"
#define TLS_MODULE_INSTALLED	TINE_MODULE_DIR "/" TLS_MODULE_FILE

/* The module, once loaded: it stays for the life of the process (OpenSSL
 * would not survive dlclose, and workers fork with it). */
static const struct tls_module	*tls_module;

/* The directory of the binary, as the kernel found it when we started
 * ("" when it could not say): a reload may load the module after a new
 * package replaced the binary, and goes on looking where we came from. */
static char			 tls_exe_dir[PATH_MAX];
static struct stat		 tls_exe_st;	/* that directory's owner, mode */

/* Note the binary's own directory (see tls_load.h). */
void
tls_load_init(void)
{
	struct stat	 st;
	char		 buf[PATH_MAX], *slash;
	ssize_t		 n;

	tls_exe_dir[0] = '\0';
	n = readlink("/proc/self/exe", buf, sizeof(buf));
	if (n <= 0 || (size_t)n >= sizeof(buf))
		return;
	buf[n] = '\0';
	/* A replaced binary reads "/usr/sbin/tine (deleted)": the suffix is
	 * part of the last component, which goes anyway. */
	if (buf[0] != '/' || (slash = strrchr(buf, '/')) == buf)
		return;
	*slash = '\0';
	if (stat(buf, &st) == -1)
		return;
	strlcpy(tls_exe_dir, buf, sizeof(tls_exe_dir));
	tls_exe_st = st;
}

/* The file rel names from directory dir into buf, each leading "../"
 * taking off one of dir's components: "/usr/sbin" and "../lib/tine/tls.so"
 * make "/usr/lib/tine/tls.so", where the kernel would go too (dir is the
 * kernel's, without symlinks). -1 when it does not fit. */
static int
tls_module_join(char *buf, size_t len, const char *dir, const char *rel)
{
	char	d[PATH_MAX], *slash;

	if (strlcpy(d, dir, sizeof(d)) >= sizeof(d))
		return -1;
	for (; strncmp(rel, "../", 3) == 0; rel += 3)
		if ((slash = strrchr(d, '/')) != NULL)
			*slash = '\0';
	return snprintf(buf, len, "%s/%s", d, rel) < (int)len ? 0 : -1;
}

/*
 * Where the module is, in buf or a constant: beside the binary (a build
 * tree) if it is there, else where make install put it seen from the
 * binary (TINE_MODULE_REL), so an installed tree under DESTDIR, an
 * extracted package or a moved prefix loads its own; the configured
 * $(pkglibdir) when the binary's directory is unknown or the build had no
 * relative path. Never the current directory nor the environment.
 */
static const char *
tls_module_path(char *buf, size_t len)
{
	if (tls_exe_dir[0] == '\0')
		return TLS_MODULE_INSTALLED;
	if (snprintf(buf, len, "%s/" TLS_MODULE_FILE, tls_exe_dir) < (int)len &&
	    access(buf, F_OK) == 0)
		return buf;
	if (TINE_MODULE_REL[0] == '\0' ||
	    tls_module_join(buf, len, tls_exe_dir, TINE_MODULE_REL) == -1)
		return TLS_MODULE_INSTALLED;
	return buf;
}

/* Whether members of group gid could replace the binary already (they
 * may write its directory), or are root or we. */
static bool
tls_module_group_ok(gid_t gid)
{
	return gid == 0 || gid == getegid() || (tls_exe_dir[0] != '\0' &&
	    gid == tls_exe_st.st_gid && (tls_exe_st.st_mode & S_IWGRP) != 0);
}

/*
 * Whether st, the module or its directory, is safe to load code from:
 * whoever may write it could replace the binary too, or is root or we.
 * So it belongs to root, to us or to the owner of the binary's directory;
 * it is not writable by others, nor by a group other than root's, ours or
 * one that may write the binary's directory. A sticky directory (/tmp)
 * lets others add files but not replace ours.
 */
static int
tls_module_safe(const struct stat *st, const char *what, char *why,
    size_t whylen)
{
	if (st->st_uid != 0 && st->st_uid != geteuid() &&
	    (tls_exe_dir[0] == '\0' || st->st_uid != tls_exe_st.st_uid)) {
		snprintf(why, whylen, "%s belongs to uid %u, not to root nor to "
		    "the binary's owner", what, (unsigned)st->st_uid);
		return -1;
	}
	if (S_ISDIR(st->st_mode) && (st->st_mode & S_ISVTX) != 0)
		return 0;
	if ((st->st_mode & S_IWOTH) != 0) {
		snprintf(why, whylen, "%s is writable by anyone", what);
		return -1;
	}
	if ((st->st_mode & S_IWGRP) != 0 && !tls_module_group_ok(st->st_gid)) {
		snprintf(why, whylen, "%s is writable by group %u", what,
		    (unsigned)st->st_gid);
		return -1;
	}
	return 0;
}

/* Refuse a module that someone else could have put there (a tls.so
 * dropped beside a binary in /tmp): the file and its directory, symlinks
 * resolved into real (PATH_MAX bytes), which is what is then loaded, not
 * a name that could be pointed elsewhere meanwhile; -1 with why. One that
 * is not there (real is then path) is for dlopen to say. */
static int
tls_module_trusted(const char *path, char *real, char *why, size_t whylen)
{
	struct stat	 st;
	char		 dir[PATH_MAX], *slash;

	if (realpath(path, real) == NULL || stat(real, &st) == -1) {
		strlcpy(real, path, PATH_MAX);
		return 0;
	}
	if (tls_module_safe(&st, real, why, whylen) == -1)
		return -1;
	/* Its directory: cut at the last slash, or after it for "/". */
	strlcpy(dir, real, sizeof(dir));
	if ((slash = strrchr(dir, '/')) != NULL)
		slash[slash == dir ? 1 : 0] = '\0';
	if (stat(dir, &st) == -1)
		return 0;
	return tls_module_safe(&st, dir, why, whylen);
}

/* Map the module at path and find its table; NULL with why (dlerror's
 * words, or an ABI that is not ours). */
static const struct tls_module *
tls_module_open(const char *path, char *why, size_t whylen)
{
	const struct tls_module	*mod;
	const char		*e;
	char			 real[PATH_MAX];
	void			*h;

	if (tls_module_trusted(path, real, why, whylen) == -1)
		return NULL;
	if ((h = dlopen(real, RTLD_NOW | RTLD_LOCAL)) == NULL) {
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

/* Load the module once, from where tls_module_path says (put in buf, a
 * PATH_MAX bytes, or a constant: *path names it either way); 0, or -1
 * with why. */
static int
tls_module_get(char *buf, const char **path, char *why, size_t whylen)
{
	*path = tls_module_path(buf, PATH_MAX);
	if (tls_module == NULL &&
	    (tls_module = tls_module_open(*path, why, whylen)) == NULL)
		return -1;
	return 0;
}

/* Load the module for conf's first certificate, once; -1 with err naming
 * that certificate's line. */
static int
tls_module_need(const struct config *conf, char *err, size_t errlen)
{
	const struct config_ref	*cert = tls_load_first_cert(conf);
	const char		*path;
	char			 why[CONFIG_ERR_MAX], buf[PATH_MAX];

	if (tls_module != NULL ||
	    tls_module_get(buf, &path, why, sizeof(why)) == 0)
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
	const char	*path;
	char		 why[CONFIG_ERR_MAX], buf[PATH_MAX];

	if (tls_module_get(buf, &path, why, sizeof(why)) == -1) {
		fprintf(f, "TLS module %s: cannot load: %s\n", path, why);
		return;
	}
	fprintf(f, "TLS module %s (%s)\n", path, tls_module->version());
}
