/* htpasswd: a file of "user:hash" lines, read by the master; a password checked against a line with crypt_r. */
#include "tine_build.h"

#include <sys/stat.h>

#include <crypt.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth.h"
#include "htpasswd.h"

/*
 * The slowest hashes taken: each check blocks the worker and every
 * connection it serves for its duration (bcrypt cost 12 is about 0.25 s
 * on a 2020s core, cost 13 twice that; 1,000,000 SHA-crypt rounds about
 * 0.3 s).
 */
#define HTPASSWD_BCRYPT_MAX	12
#define HTPASSWD_ROUNDS_MAX	1000000L

static const char htpasswd_crypt64[] = "./0123456789"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/* What to tell someone whose hash is refused. */
#define HTPASSWD_HOWTO	": make the line with htpasswd -B (bcrypt) or " \
			"mkpasswd -m sha-512"

/* Whether s is exactly n characters of the crypt base64 alphabet. */
static bool
htpasswd_b64(const char *s, size_t n)
{
	return strlen(s) == n && strspn(s, htpasswd_crypt64) == n;
}

/* bcrypt: "$2y$NN$" and 53 characters (22 of salt, 31 of hash). */
static const char *
htpasswd_bcrypt(const char *h)
{
	int	cost;

	if (h[4] < '0' || h[4] > '9' || h[5] < '0' || h[5] > '9' ||
	    h[6] != '$' || !htpasswd_b64(h + 7, 53))
		return "is not a whole bcrypt hash ($2y$NN$ and 53 characters)";
	cost = (h[4] - '0') * 10 + (h[5] - '0');
	if (cost < 4 || cost > 31)
		return "has a bcrypt cost outside 04..31";
	if (cost > HTPASSWD_BCRYPT_MAX)
		return "has a bcrypt cost over 12, refused: each check would "
		    "stall a worker for half a second or more (htpasswd -B "
		    "uses 5; -C 10 takes about 60 ms)";
	return NULL;
}

/* SHA-crypt after "$5$" or "$6$": ["rounds=N$"] salt "$" hash of hashlen. */
static const char *
htpasswd_sha(const char *h, size_t hashlen)
{
	const char	*end;
	size_t		 n;
	long		 rounds;

	if (strncmp(h, "rounds=", 7) == 0) {
		h += 7;
		n = strspn(h, "0123456789");
		if (n == 0 || n > 9 || h[0] == '0' || h[n] != '$')
			return "has a bad rounds= field";
		rounds = strtol(h, NULL, 10);
		if (rounds < 1000)
			return "has rounds below 1000, which crypt would not "
			    "reproduce";
		if (rounds > HTPASSWD_ROUNDS_MAX)
			return "has over 1000000 rounds, refused: each check "
			    "would stall a worker for a third of a second or "
			    "more";
		h += n + 1;
	}
	if ((end = strchr(h, '$')) == NULL || end == h || end - h > 16 ||
	    strspn(h, htpasswd_crypt64) != (size_t)(end - h) ||
	    !htpasswd_b64(end + 1, hashlen))
		return "is not a whole SHA-crypt hash (salt of 1 to 16 "
		    "characters, then the hash)";
	return NULL;
}

/* yescrypt after "$y$": parameters "$" salt "$" 43 characters of hash. */
static const char *
htpasswd_yescrypt(const char *h)
{
	size_t	params = strspn(h, htpasswd_crypt64), salt;

	if (params == 0 || h[params] != '$')
		return "is not a whole yescrypt hash";
	h += params + 1;
	salt = strspn(h, htpasswd_crypt64);
	if (salt == 0 || h[salt] != '$' || !htpasswd_b64(h + salt + 1, 43))
		return "is not a whole yescrypt hash";
	return NULL;
}

/* Why hash h is not one tine checks, or NULL. */
static const char *
htpasswd_hash_bad(const char *h)
{
	if (strncmp(h, "$2y$", 4) == 0 || strncmp(h, "$2b$", 4) == 0 ||
	    strncmp(h, "$2a$", 4) == 0)
		return htpasswd_bcrypt(h);
	if (strncmp(h, "$5$", 3) == 0)
		return htpasswd_sha(h + 3, 43);
	if (strncmp(h, "$6$", 3) == 0)
		return htpasswd_sha(h + 3, 86);
	if (strncmp(h, "$y$", 3) == 0)
		return htpasswd_yescrypt(h + 3);
	if (strncmp(h, "$apr1$", 6) == 0 || strncmp(h, "$1$", 3) == 0)
		return "is an MD5 hash, refused: too fast to resist guessing"
		    HTPASSWD_HOWTO;
	if (strncmp(h, "{SHA}", 5) == 0)
		return "is an unsalted SHA-1 hash, refused" HTPASSWD_HOWTO;
	if (htpasswd_b64(h, 13))
		return "is a DES crypt hash (or a plain password), refused: "
		    "it uses only 8 characters" HTPASSWD_HOWTO;
	return "is not a bcrypt ($2y$), SHA-crypt ($5$, $6$) or yescrypt "
	    "($y$) hash; a plain password?" HTPASSWD_HOWTO;
}

/* Why a user name is refused, or NULL. */
static const char *
htpasswd_name_bad(const char *name)
{
	const unsigned char	*p;

	if (*name == '\0')
		return "has an empty user name";
	if (strlen(name) > AUTH_USER_MAX)
		return "has a user name over 255 bytes";
	for (p = (const unsigned char *)name; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			return "has a control byte in its user name";
	return NULL;
}

/* Put "NAME[:LINE]: why" in err; NULL, for the caller to return. */
static struct htpasswd *
htpasswd_fail(struct htpasswd *hp, const char *name, int line,
    const char *why, char *err, size_t errlen)
{
	if (line > 0)
		snprintf(err, errlen, "%s:%d: %s", name, line, why);
	else
		snprintf(err, errlen, "%s: %s", name, why);
	htpasswd_free(hp);
	return NULL;
}

/* Cut one line (NUL-terminated, in place) into a user; NULL when it is
 * blank or a comment, the reason when it is refused. */
static const char *
htpasswd_line(char *s, struct htpasswd_user *u, bool *take)
{
	size_t	 n = strlen(s);
	char	*hash, *comment;

	*take = false;
	while (n > 0 && (s[n - 1] == '\r' || s[n - 1] == ' ' ||
	    s[n - 1] == '\t'))
		s[--n] = '\0';
	if (n == 0 || s[0] == '#')
		return NULL;
	if ((hash = strchr(s, ':')) == NULL)
		return "is not \"user:hash\"";
	*hash++ = '\0';
	if ((comment = strchr(hash, ':')) != NULL)
		*comment = '\0';
	u->name = s;
	u->hash = hash;
	*take = true;
	if (htpasswd_name_bad(s) != NULL)
		return htpasswd_name_bad(s);
	return htpasswd_hash_bad(hash);
}

/* Order users by name, for bsearch. */
static int
htpasswd_cmp(const void *a, const void *b)
{
	return strcmp(((const struct htpasswd_user *)a)->name,
	    ((const struct htpasswd_user *)b)->name);
}

/* Sort the users and refuse a name given twice. */
static struct htpasswd *
htpasswd_sort(struct htpasswd *hp, const char *name, char *err, size_t errlen)
{
	char	why[64];
	size_t	i;
	int	first, again;

	qsort(hp->users, hp->n, sizeof(*hp->users), htpasswd_cmp);
	for (i = 1; i < hp->n; i++) {
		if (strcmp(hp->users[i - 1].name, hp->users[i].name) != 0)
			continue;
		first = hp->users[i - 1].line;
		again = hp->users[i].line;
		snprintf(why, sizeof(why), "has the user of line %d again",
		    first < again ? first : again);
		return htpasswd_fail(hp, name, first < again ? again : first,
		    why, err, errlen);
	}
	return hp;
}

/* Parse a password file; see htpasswd.h. */
struct htpasswd *
htpasswd_parse(const char *text, size_t len, const char *name, char *err,
    size_t errlen)
{
	struct htpasswd	*hp;
	const char	*why;
	char		*s, *next;
	size_t		 i, lines = 1;
	bool		 take;
	int		 line;

	for (i = 0; i < len; i++)
		lines += text[i] == '\n';
	if ((hp = calloc(1, sizeof(*hp))) == NULL)
		return htpasswd_fail(NULL, name, 0, "out of memory", err,
		    errlen);
	hp->refs = 1;
	if ((hp->text = malloc(len + 1)) == NULL ||
	    (hp->users = calloc(lines, sizeof(*hp->users))) == NULL)
		return htpasswd_fail(hp, name, 0, "out of memory", err,
		    errlen);
	memcpy(hp->text, text, len);
	hp->text[len] = '\0';
	for (s = hp->text, line = 1; s != NULL; s = next, line++) {
		if ((next = strchr(s, '\n')) != NULL)
			*next++ = '\0';
		else if (s + strlen(s) != hp->text + len)
			return htpasswd_fail(hp, name, line, "has a NUL byte",
			    err, errlen);
		hp->users[hp->n].line = line;
		if ((why = htpasswd_line(s, &hp->users[hp->n], &take)) != NULL)
			return htpasswd_fail(hp, name, line, why, err, errlen);
		hp->n += take;
	}
	if (hp->n == 0)
		return htpasswd_fail(hp, name, 0, "has no \"user:hash\" line",
		    err, errlen);
	return htpasswd_sort(hp, name, err, errlen);
}

/* Read the whole file at path into a new buffer; its length, or -1 with
 * the reason in err. */
static long
htpasswd_read(const char *path, char **out, char *err, size_t errlen)
{
	struct stat	 st;
	ssize_t		 n;
	size_t		 got = 0;
	int		 fd;

	*out = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1 ||
	    fstat(fd, &st) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > HTPASSWD_FILE_MAX) {
		snprintf(err, errlen, "%s: %s", path, !S_ISREG(st.st_mode) ?
		    "is not a regular file" : "is over 4 MiB");
		goto fail;
	}
	if ((*out = malloc((size_t)st.st_size + 1)) == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto fail;
	}
	while (got < (size_t)st.st_size && (n = read(fd, *out + got,
	    (size_t)st.st_size - got)) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			goto fail;
		}
		got += (size_t)n;
	}
	close(fd);
	return (long)got;
fail:
	if (fd != -1)
		close(fd);
	free(*out);
	*out = NULL;
	return -1;
}

/* Read and parse the file at path. */
struct htpasswd *
htpasswd_load(const char *path, char *err, size_t errlen)
{
	struct htpasswd	*hp;
	char		*text;
	long		 len;

	if ((len = htpasswd_read(path, &text, err, errlen)) == -1)
		return NULL;
	hp = htpasswd_parse(text, (size_t)len, path, err, errlen);
	/* The copy of the file held passwords' hashes: leave none behind. */
	explicit_bzero(text, (size_t)len);
	free(text);
	return hp;
}

/* One more site shares hp. */
struct htpasswd *
htpasswd_ref(struct htpasswd *hp)
{
	hp->refs++;
	return hp;
}

/* A site lets go of hp; the last one frees it. */
void
htpasswd_free(struct htpasswd *hp)
{
	if (hp == NULL || --hp->refs > 0)
		return;
	free(hp->text);
	free(hp->users);
	free(hp);
}

/* The line of user name, or NULL. */
const struct htpasswd_user *
htpasswd_find(const struct htpasswd *hp, const char *name)
{
	struct htpasswd_user	key = { name, NULL, 0 };

	return bsearch(&key, hp->users, hp->n, sizeof(*hp->users),
	    htpasswd_cmp);
}

/* Whether pass hashes to hash, compared in constant time. */
bool
htpasswd_check(const char *hash, const char *pass, struct crypt_data *cd)
{
	const char	*out;
	size_t		 n = strlen(hash);

	out = crypt_r(pass, hash, cd);
	return out != NULL && strlen(out) == n && auth_equal(out, hash, n);
}
