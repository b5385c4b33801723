/* tls_ctx: in the TLS module, the master reads every site's certificate and key into OpenSSL contexts before forking, and makes the session-ticket keys. */
#include "tine_build.h"

#include <sys/mman.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ocsp.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "config.h"
#include "log.h"
#include "scoreboard.h"
#include "tls_int.h"
#include "tls_load.h"

#define TLS_GROUPS	"X25519:P-256:P-384"	/* ECDHE: X25519 first */
#define TLS_OCSP_MAX	(64 * 1024)		/* a response is a few KB */
#define TLS_DATE_MAX	64

/* Put "WHERE: message" in err; -1 for chaining. */
static int __attribute__((format(printf, 4, 5)))
tls_ctx_fail(char *err, size_t errlen, const char *where, const char *fmt,
    ...)
{
	char	msg[CONFIG_ERR_MAX];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(err, errlen, "%s: %s", where, msg);
	ERR_clear_error();
	return -1;
}

/* OpenSSL's reason for its last error, for a message. */
static const char *
tls_ctx_why(void)
{
	unsigned long	 e = ERR_peek_last_error();
	const char	*r = e != 0 ? ERR_reason_error_string(e) : NULL;

	return r != NULL ? r : "unknown error";
}

/* An encrypted key cannot be used: nobody is there to type its
 * passphrase (OpenSSL would ask on the terminal). */
static int
tls_ctx_no_passphrase(char *buf, int size, int rwflag, void *arg)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)arg;
	return 0;
}

/* OpenSSL's number for tls_protocols' 10 .. 13. */
static int
tls_ctx_version(int v)
{
	static const int	versions[] = { TLS1_VERSION, TLS1_1_VERSION,
	    TLS1_2_VERSION, TLS1_3_VERSION };

	return versions[v - 10];
}

/* What every context shares: versions, ciphers, groups, and sessions by
 * ticket only (each worker's cache would be its own). */
static int
tls_ctx_options(SSL_CTX *ctx, const struct config *conf, char *err,
    size_t errlen)
{
	/* No renegotiation (a client could make us work for nothing); an
	 * EOF without close_notify is an end, not an error to log. */
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION |
	    SSL_OP_IGNORE_UNEXPECTED_EOF | SSL_OP_NO_COMPRESSION);
	/* Writes return after each record; a retry may gather its bytes
	 * again elsewhere; idle connections give their buffers back. */
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
	    SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
	/* Read what the socket holds, not a record header then its body:
	 * a handshake's client flight and the first request in one or two
	 * reads instead of eight. Safe with the workers' edge-triggered
	 * loop, which reads until OpenSSL, not the socket, says EAGAIN. */
	SSL_CTX_set_read_ahead(ctx, 1);
	if (SSL_CTX_set_min_proto_version(ctx,
	    tls_ctx_version(conf->tls_min)) != 1 ||
	    SSL_CTX_set_max_proto_version(ctx,
	    tls_ctx_version(conf->tls_max)) != 1)
		return tls_ctx_fail(err, errlen, "tls_protocols", "%s",
		    tls_ctx_why());
	if (SSL_CTX_set_cipher_list(ctx, conf->tls_ciphers.value) != 1)
		return tls_ctx_fail(err, errlen, conf->tls_ciphers.where,
		    "OpenSSL knows none of these ciphers: %s",
		    tls_ctx_why());
	if (SSL_CTX_set1_groups_list(ctx, TLS_GROUPS) != 1 ||
	    SSL_CTX_set_dh_auto(ctx, 1) != 1 ||
	    SSL_CTX_set_session_id_context(ctx, (const unsigned char *)"tine",
	    4) != 1)
		return tls_ctx_fail(err, errlen, "tls", "%s", tls_ctx_why());
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_timeout(ctx, conf->tls_session_timeout);
	SSL_CTX_set_default_passwd_cb(ctx, tls_ctx_no_passphrase);
	return 0;
}

/* Whether the master can read a file: errno says it better than OpenSSL. */
static int
tls_ctx_readable(const struct config_ref *ref, char *err, size_t errlen)
{
	FILE	*f;

	if ((f = fopen(ref->value, "re")) == NULL)
		return tls_ctx_fail(err, errlen, ref->where, "cannot read "
		    "%s: %s", ref->value, strerror(errno));
	fclose(f);
	return 0;
}

/* Warn (only) about a certificate that is not valid now: it is served,
 * as the admin asked, but clients will refuse it. */
static void
tls_ctx_validity(SSL_CTX *ctx, const struct config_ref *ref)
{
	X509		*x = SSL_CTX_get0_certificate(ctx);
	BIO		*b;
	char		 when[TLS_DATE_MAX] = "";
	const ASN1_TIME	*t;
	bool		 expired;

	if (x == NULL)
		return;
	if ((expired = X509_cmp_current_time(X509_get0_notAfter(x)) < 0))
		t = X509_get0_notAfter(x);
	else if (X509_cmp_current_time(X509_get0_notBefore(x)) > 0)
		t = X509_get0_notBefore(x);
	else
		return;
	if ((b = BIO_new(BIO_s_mem())) != NULL) {
		ASN1_TIME_print(b, t);
		BIO_read(b, when, sizeof(when) - 1);
		BIO_free(b);
	}
	log_warn("%s: the certificate in %s %s %s", ref->where, ref->value,
	    expired ? "expired on" : "is not valid before", when);
}

/* The site's certificate chain and key, which must match. */
static int
tls_ctx_pair(SSL_CTX *ctx, const struct config_site *site, char *err,
    size_t errlen)
{
	const struct config_ref	*cert = &site->tls_certificate;
	const struct config_ref	*key = &site->tls_key;

	if (tls_ctx_readable(cert, err, errlen) == -1 ||
	    tls_ctx_readable(key, err, errlen) == -1)
		return -1;
	if (SSL_CTX_use_certificate_chain_file(ctx, cert->value) != 1)
		return tls_ctx_fail(err, errlen, cert->where, "%s is not a "
		    "PEM certificate chain: %s", cert->value, tls_ctx_why());
	if (SSL_CTX_use_PrivateKey_file(ctx, key->value,
	    SSL_FILETYPE_PEM) != 1 && ERR_GET_REASON(ERR_peek_last_error()) !=
	    X509_R_KEY_VALUES_MISMATCH)
		return tls_ctx_fail(err, errlen, key->where, "%s is not a PEM "
		    "private key without a passphrase: %s", key->value,
		    tls_ctx_why());
	/* Also when the loading above found it out (key values mismatch). */
	if (SSL_CTX_check_private_key(ctx) != 1)
		return tls_ctx_fail(err, errlen, key->where, "%s is not the "
		    "key of the certificate in %s", key->value, cert->value);
	tls_ctx_validity(ctx, cert);
	return 0;
}

/* Read an OCSP response file (DER) into o; -1 with err. */
static int
tls_ctx_ocsp_read(const struct config_ref *ref, struct tls_ocsp *o,
    char *err, size_t errlen)
{
	FILE	*f;
	size_t	 n;

	if ((f = fopen(ref->value, "re")) == NULL)
		return tls_ctx_fail(err, errlen, ref->where, "cannot read "
		    "%s: %s", ref->value, strerror(errno));
	if ((o->der = malloc(TLS_OCSP_MAX + 1)) == NULL) {
		fclose(f);
		return tls_ctx_fail(err, errlen, ref->where, "out of memory");
	}
	n = fread(o->der, 1, TLS_OCSP_MAX + 1, f);
	fclose(f);
	if (n == 0 || n > TLS_OCSP_MAX)
		return tls_ctx_fail(err, errlen, ref->where, "%s is %s",
		    ref->value, n == 0 ? "empty" : "too large for an OCSP "
		    "response");
	o->len = n;
	return 0;
}

/* Whether basic answers for the context's certificate (when its issuer is
 * in the chain, else it cannot be told), and until when; -1 with err. */
static int
tls_ctx_ocsp_match(SSL_CTX *ctx, OCSP_BASICRESP *basic,
    const struct config_ref *ref, char *err, size_t errlen)
{
	X509			*leaf = SSL_CTX_get0_certificate(ctx), *issuer = NULL;
	STACK_OF(X509)		*chain = NULL;
	OCSP_CERTID		*id;
	ASN1_GENERALIZEDTIME	*next = NULL;
	int			 i, status, found;

	SSL_CTX_get0_chain_certs(ctx, &chain);
	for (i = 0; chain != NULL && i < sk_X509_num(chain); i++)
		if (X509_check_issued(sk_X509_value(chain, i), leaf) ==
		    X509_V_OK)
			issuer = sk_X509_value(chain, i);
	if (issuer == NULL)
		return 0;
	if ((id = OCSP_cert_to_id(NULL, leaf, issuer)) == NULL)
		return tls_ctx_fail(err, errlen, ref->where, "out of memory");
	found = OCSP_resp_find_status(basic, id, &status, NULL, NULL, NULL,
	    &next);
	OCSP_CERTID_free(id);
	if (found != 1)
		return tls_ctx_fail(err, errlen, ref->where, "%s does not "
		    "answer for this site's certificate", ref->value);
	if (status != V_OCSP_CERTSTATUS_GOOD)
		log_warn("%s: %s says the certificate is %s", ref->where,
		    ref->value, OCSP_cert_status_str(status));
	if (next != NULL && X509_cmp_current_time(next) < 0)
		log_warn("%s: %s is out of date: refresh it", ref->where,
		    ref->value);
	return 0;
}

/* tls_ocsp_response: a successful response for the site's certificate,
 * stapled as it is; -1 with err. */
static int
tls_ctx_ocsp(SSL_CTX *ctx, const struct config_ref *ref, struct tls_ocsp *o,
    char *err, size_t errlen)
{
	const unsigned char	*p;
	OCSP_RESPONSE		*resp;
	OCSP_BASICRESP		*basic = NULL;
	int			 rc = -1, st;

	if (ref->value == NULL)
		return 0;
	if (tls_ctx_ocsp_read(ref, o, err, errlen) == -1)
		return -1;
	p = o->der;
	if ((resp = d2i_OCSP_RESPONSE(NULL, &p, (long)o->len)) == NULL)
		return tls_ctx_fail(err, errlen, ref->where, "%s is not an "
		    "OCSP response (DER)", ref->value);
	if ((st = OCSP_response_status(resp)) !=
	    OCSP_RESPONSE_STATUS_SUCCESSFUL)
		tls_ctx_fail(err, errlen, ref->where, "%s: the responder "
		    "answered %s", ref->value, OCSP_response_status_str(st));
	else if ((basic = OCSP_response_get1_basic(resp)) == NULL)
		tls_ctx_fail(err, errlen, ref->where, "%s: %s", ref->value,
		    tls_ctx_why());
	else
		rc = tls_ctx_ocsp_match(ctx, basic, ref, err, errlen);
	OCSP_BASICRESP_free(basic);
	OCSP_RESPONSE_free(resp);
	return rc;
}

/* The context of site i: options, its certificate, key and OCSP
 * response, and the callbacks its handshakes run. */
static int
tls_ctx_site(struct tls_conf *tc, size_t i, char *err, size_t errlen)
{
	const struct config_site	*site = &tc->conf->sites[i];
	SSL_CTX				*ctx;

	if ((ctx = SSL_CTX_new(TLS_server_method())) == NULL)
		return tls_ctx_fail(err, errlen, site->tls_certificate.where,
		    "%s", tls_ctx_why());
	tc->ctx[i] = ctx;
	if (tls_ctx_options(ctx, tc->conf, err, errlen) == -1 ||
	    tls_ctx_pair(ctx, site, err, errlen) == -1 ||
	    tls_ctx_ocsp(ctx, &site->tls_ocsp_response, &tc->ocsp[i], err,
	    errlen) == -1)
		return -1;
	tls_ctx_hooks(ctx, tc, &tc->ocsp[i]);
	return 0;
}

/* Whether sites a and b name the same files (a vhost that inherits the
 * top level's certificate shares its context). */
static bool
tls_ctx_same(const struct config_site *a, const struct config_site *b)
{
	const char	*oa = a->tls_ocsp_response.value;
	const char	*ob = b->tls_ocsp_response.value;

	return strcmp(a->tls_certificate.value, b->tls_certificate.value) ==
	    0 && strcmp(a->tls_key.value, b->tls_key.value) == 0 &&
	    (oa == ob || (oa != NULL && ob != NULL && strcmp(oa, ob) == 0));
}

/* Every site's context (shared where the files are the same), then the
 * fallback: the default site's, else the first there is. */
static int
tls_ctx_sites(struct tls_conf *tc, char *err, size_t errlen)
{
	const struct config	*conf = tc->conf;
	size_t			 i, j;

	for (i = 0; i < tc->nsites; i++) {
		if (conf->sites[i].tls_certificate.value == NULL)
			continue;
		for (j = 0; j < i; j++)
			if (tc->ctx[j] != NULL && tls_ctx_same(&conf->sites[i],
			    &conf->sites[j]))
				break;
		if (j < i && SSL_CTX_up_ref(tc->ctx[j]) == 1)
			tc->ctx[i] = tc->ctx[j];
		else if (tls_ctx_site(tc, i, err, errlen) == -1)
			return -1;
		if (tc->fallback == NULL)
			tc->fallback = tc->ctx[i];
	}
	if (tc->ctx[conf->default_site] != NULL)
		tc->fallback = tc->ctx[conf->default_site];
	return 0;
}

/* The ticket keys, in memory shared with the workers: prev's, so that a
 * reload does not cost every client a full handshake, else new ones. */
static int
tls_ctx_keys(struct tls_conf *tc, const struct tls_conf *prev, char *err,
    size_t errlen)
{
	struct tls_keys	*k;

	k = mmap(NULL, sizeof(*k), PROT_READ | PROT_WRITE, MAP_SHARED |
	    MAP_ANONYMOUS, -1, 0);
	if (k == MAP_FAILED)
		return tls_ctx_fail(err, errlen, "tls", "session ticket keys: "
		    "%s", strerror(errno));
	tc->keys = k;
	if (prev != NULL) {
		memcpy(k, prev->keys, sizeof(*k));
		return 0;
	}
	k->made = scoreboard_now();
	if (RAND_bytes((unsigned char *)k->key, sizeof(k->key)) != 1)
		return tls_ctx_fail(err, errlen, "tls", "session ticket keys: "
		    "%s", tls_ctx_why());
	return 0;
}

/* Load every site's certificate (tls_load(), which calls it only when
 * some site has one). */
int
tls_ctx_load(const struct config *conf, const struct tls_conf *prev,
    struct tls_conf **out, char *err, size_t errlen)
{
	struct tls_conf	*tc;

	*out = NULL;
	if ((tc = calloc(1, sizeof(*tc))) == NULL ||
	    (tc->ctx = calloc(conf->nsites, sizeof(*tc->ctx))) == NULL ||
	    (tc->ocsp = calloc(conf->nsites, sizeof(*tc->ocsp))) == NULL) {
		tls_ctx_free(tc);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	tc->mod = &tine_tls_module;
	tc->conf = conf;
	tc->nsites = conf->nsites;
	if (tls_ctx_sites(tc, err, errlen) == -1 ||
	    tls_ctx_keys(tc, prev, err, errlen) == -1) {
		tls_ctx_free(tc);
		return -1;
	}
	*out = tc;
	return 0;
}

/*
 * Whether this kernel does TLS: the "tls" upper-layer protocol attaches to
 * a connected TCP socket (loading the module if it can), as OpenSSL will
 * try on each connection. NULL if so, else why not.
 */
static const char *
tls_ctx_ktls(void)
{
#ifdef OPENSSL_NO_KTLS
	return "this OpenSSL is built without it";
#else
	struct sockaddr_in	 a;
	socklen_t		 len = sizeof(a);
	int			 l, c = -1, s = -1, e = 0;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    bind(l, (struct sockaddr *)&a, sizeof(a)) == -1 ||
	    listen(l, 1) == -1 ||
	    getsockname(l, (struct sockaddr *)&a, &len) == -1 ||
	    (c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    connect(c, (struct sockaddr *)&a, sizeof(a)) == -1 ||
	    (s = accept4(l, NULL, NULL, SOCK_CLOEXEC)) == -1 ||
	    setsockopt(s, IPPROTO_TCP, TCP_ULP, "tls", 3) == -1)
		e = errno;
	if (s != -1)
		close(s);
	if (c != -1)
		close(c);
	if (l != -1)
		close(l);
	if (e == ENOENT)
		return "the kernel has no tls module";
	return e != 0 ? strerror(e) : NULL;
#endif
}

/* Let the contexts use kernel TLS if there is one; say which way (when
 * some listener speaks TLS). */
void
tls_ctx_kernel(struct tls_conf *tc)
{
	const char	*why;
	size_t		 i;

	if (tc == NULL || !tls_listening(tc->conf))
		return;
	if ((why = tls_ctx_ktls()) != NULL) {
		log_notice("TLS: files are read into a buffer and sent with "
		    "SSL_write (no kernel TLS: %s)", why);
		return;
	}
	for (i = 0; i < tc->nsites; i++)
		if (tc->ctx[i] != NULL)
			SSL_CTX_set_options(tc->ctx[i], SSL_OP_ENABLE_KTLS);
	log_notice("TLS: files are sent with SSL_sendfile (kernel TLS)");
}

/*
 * Rotate the ticket keys every half tls_session_timeout: the slot after
 * the current one (the oldest, two keys back) gets a new key, then
 * becomes current; the two before it still open tickets, so a ticket
 * opens for as long as its session may last. Workers see the change
 * through the shared mapping; the release store publishes the key before
 * the index that names it.
 */
void
tls_ctx_rotate(struct tls_conf *tc, time_t now)
{
	struct tls_keys	*k;
	uint32_t	 next;

	if (tc == NULL || now - tc->keys->made <
	    tc->conf->tls_session_timeout / 2)
		return;
	k = tc->keys;
	k->made = now;
	next = (k->current + 1) % TLS_TICKET_KEYS;
	if (RAND_bytes((unsigned char *)&k->key[next],
	    sizeof(k->key[next])) != 1) {
		log_error("TLS: no new session ticket key: %s; the old one "
		    "stays", tls_ctx_why());
		ERR_clear_error();
		return;
	}
	__atomic_store_n(&k->current, next, __ATOMIC_RELEASE);
	log_info("TLS: new session ticket key; the two before it still "
	    "open tickets");
}

/* Release what tls_ctx_load() made. */
void
tls_ctx_free(struct tls_conf *tc)
{
	size_t	i;

	if (tc == NULL)
		return;
	for (i = 0; i < tc->nsites; i++) {
		SSL_CTX_free(tc->ctx[i]);
		free(tc->ocsp[i].der);
	}
	if (tc->keys != NULL) {
		OPENSSL_cleanse(tc->keys, sizeof(*tc->keys));
		munmap(tc->keys, sizeof(*tc->keys));
	}
	free(tc->ctx);
	free(tc->ocsp);
	free(tc);
}
