/*
 * expect: Criterion expectations on a response read by the harness, shared
 * by the integration tests so that each rule (a header present, a length
 * honest, a date now) is checked the same way everywhere.
 */
#ifndef TINE_EXPECT_H
#define TINE_EXPECT_H

#include <stddef.h>

#include "harness.h"

/* Assert that the header is present; its value. */
const char	*expect_header(const struct tine_resp *, const char *name);

/* Expect the header to be exactly want. */
void		 expect_hdr(const struct tine_resp *, const char *name,
		    const char *want);

/* Expect the status, with the head in the message. */
void		 expect_status(const struct tine_resp *, int status);

/* Expect Content-Length present, once, and exactly n. */
void		 expect_length(const struct tine_resp *, unsigned long long n);

/* Expect Content-Type to be mime, bare or followed by parameters. */
void		 expect_type(const struct tine_resp *, const char *mime);

/* Expect a Date header in IMF-fixdate within a minute of now. */
void		 expect_date_now(const struct tine_resp *);

/* Expect a 200 whose length and body are exactly body[0..len). */
void		 expect_body(const struct tine_resp *, const void *body,
		    size_t len);

/* Expect an error answer: status line, HTML type, Date, honest length, a
 * short HTML body naming the status (none for HEAD), and Connection: close
 * exactly when closing. */
void		 expect_error(const struct tine_resp *, int status, int head,
		    int closing);

/* One part of a multipart/byteranges answer. */
struct expect_part {
	long long	first;
	long long	last;
};

/*
 * Parse a whole multipart/byteranges body and expect exactly the parts
 * want, in order, each with the file's Content-Type, its Content-Range and
 * its bytes (data is the whole file of size bytes), then the closing
 * delimiter and nothing but a CRLF after it; spec names the case.
 */
void		 expect_multipart(const struct tine_resp *, const unsigned char
		    *data, long long size, const char *type,
		    const struct expect_part *want, int n, const char *spec);

/* Send method path with this Host and extra header lines (closing); assert
 * an answer came, into *r. */
void		 expect_ask(struct tine *, const char *method, const char *host,
		    const char *path, const char *extra, struct tine_resp *r);

/* Expect tine -t to refuse the base config plus extra, with want in its
 * message and a FILE:LINE; case is the caller's number for it. */
void		 expect_refused(const char *extra, const char *want, size_t i);

#endif
