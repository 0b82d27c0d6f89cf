/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The DHCPv4 message codec shared by the dhcp and proxydhcp plugins.
 *
 * Parsing (RFC 2131, 2132, 3396): the fixed BOOTP header, the magic cookie,
 * options in the options field and, when option 52 says so, in the `file`
 * then the `sname` field. Repeated options are concatenated (RFC 3396).
 * Every length check is written as a subtraction, so it cannot overflow.
 *
 * Encoding: a DhcpBuilder collects options by code; dhcp_builder_encode()
 * orders them (53, 54 first, then the client's parameter request list order,
 * then the rest, option 82 last), splits values longer than 255 bytes,
 * respects the size limit (option 57) and overloads `file`/`sname` (option
 * 52) when the options field is full. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define DHCP_SERVER_PORT 67
#define DHCP_CLIENT_PORT 68
#define DHCP_PXE_PORT    4011

#define DHCP_HEADER_LEN   236  /* fixed BOOTP header, without the cookie */
#define DHCP_MIN_LEN      240  /* header + magic cookie */
#define DHCP_SNAME_LEN    64
#define DHCP_FILE_LEN     128
/* Smallest message every client accepts: 576-byte IP datagram minus IP and
 * UDP headers (RFC 2131: an options field of at least 312 octets). */
#define DHCP_MIN_MAX_SIZE 548
#define DHCP_IP_UDP_OVERHEAD 28

#define DHCP_BOOTREQUEST 1
#define DHCP_BOOTREPLY   2

#define DHCP_FLAG_BROADCAST 0x8000

typedef enum {
  DHCP_DISCOVER = 1,
  DHCP_OFFER = 2,
  DHCP_REQUEST = 3,
  DHCP_DECLINE = 4,
  DHCP_ACK = 5,
  DHCP_NAK = 6,
  DHCP_RELEASE = 7,
  DHCP_INFORM = 8,
} DhcpMessageType;

/* Option codes used by pxed. */
enum {
  DHCP_OPT_PAD = 0,
  DHCP_OPT_SUBNET_MASK = 1,
  DHCP_OPT_ROUTER = 3,
  DHCP_OPT_DNS = 6,
  DHCP_OPT_HOSTNAME = 12,
  DHCP_OPT_DOMAIN = 15,
  DHCP_OPT_BROADCAST = 28,
  DHCP_OPT_NTP = 42,
  DHCP_OPT_VENDOR = 43,
  DHCP_OPT_REQUESTED_IP = 50,
  DHCP_OPT_LEASE_TIME = 51,
  DHCP_OPT_OVERLOAD = 52,
  DHCP_OPT_MESSAGE_TYPE = 53,
  DHCP_OPT_SERVER_ID = 54,
  DHCP_OPT_PRL = 55,
  DHCP_OPT_MESSAGE = 56,
  DHCP_OPT_MAX_SIZE = 57,
  DHCP_OPT_T1 = 58,
  DHCP_OPT_T2 = 59,
  DHCP_OPT_VENDOR_CLASS = 60,
  DHCP_OPT_CLIENT_ID = 61,
  DHCP_OPT_TFTP_SERVER = 66,
  DHCP_OPT_BOOTFILE = 67,
  DHCP_OPT_USER_CLASS = 77,
  DHCP_OPT_RELAY_AGENT = 82,
  DHCP_OPT_CLIENT_ARCH = 93,
  DHCP_OPT_CLIENT_NDI = 94,
  DHCP_OPT_CLIENT_UUID = 97,
  DHCP_OPT_IPXE_ENCAP = 175,
  DHCP_OPT_END = 255,
};

#define DHCP_CODEC_ERROR (dhcp_codec_error_quark ())
typedef enum {
  DHCP_CODEC_ERROR_FAILED,
  DHCP_CODEC_ERROR_TRUNCATED,   /* shorter than the fixed header + cookie */
  DHCP_CODEC_ERROR_BAD_COOKIE,
  DHCP_CODEC_ERROR_BAD_HLEN,    /* hlen > 16 */
  DHCP_CODEC_ERROR_BAD_OPTION,  /* an option runs past the end of its field */
  DHCP_CODEC_ERROR_BAD_OVERLOAD,
  DHCP_CODEC_ERROR_TOO_LARGE,   /* encode: mandatory options do not fit */
} DhcpCodecError;

GQuark dhcp_codec_error_quark (void);

/* A parsed message. Addresses are kept in network byte order. */
typedef struct {
  guint8  op, htype, hlen, hops;
  guint32 xid;                  /* host order */
  guint16 secs, flags;          /* host order */
  guint32 ciaddr, yiaddr, siaddr, giaddr;
  guint8  chaddr[16];
  guint8  sname[DHCP_SNAME_LEN];
  guint8  file[DHCP_FILE_LEN];
  gboolean sname_is_options;    /* overloaded: not a name */
  gboolean file_is_options;
  /* Option values: a value of code c is data[off[c] .. off[c] + len[c]],
   * present when has[c]. Repeated instances are concatenated. */
  guint8 *data;
  guint32 off[256];
  guint32 len[256];
  gboolean has[256];
} DhcpMessage;

DhcpMessage *dhcp_message_parse (const guint8 *buf, gsize len, GError **error);
void         dhcp_message_free  (DhcpMessage *msg);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DhcpMessage, dhcp_message_free)

/* The value of option @code, or NULL when absent (a present empty option
 * returns a non-NULL pointer and *len 0). */
const guint8 *dhcp_message_get_option (const DhcpMessage *msg, guint8 code, gsize *len);
gboolean      dhcp_message_has_option (const DhcpMessage *msg, guint8 code);
/* Typed reads: FALSE when absent or of the wrong length. */
gboolean      dhcp_message_get_u8     (const DhcpMessage *msg, guint8 code, guint8 *out);
gboolean      dhcp_message_get_u16    (const DhcpMessage *msg, guint8 code, guint16 *out);
gboolean      dhcp_message_get_u32    (const DhcpMessage *msg, guint8 code, guint32 *out);
/* An IPv4 address option (exactly 4 bytes), network byte order. */
gboolean      dhcp_message_get_ip     (const DhcpMessage *msg, guint8 code, guint32 *out);
/* A text option with trailing NUL and 0xFF padding removed (firmware pads
 * strings), cut at the first embedded NUL. NULL when absent or empty. */
char         *dhcp_message_get_string (const DhcpMessage *msg, guint8 code);
/* Option 53, or 0 when absent/invalid. */
guint8        dhcp_message_get_type   (const DhcpMessage *msg);
/* "aa:bb:cc:dd:ee:ff" for Ethernet-like chaddr (hlen 6), else NULL. */
char         *dhcp_message_get_mac    (const DhcpMessage *msg);
/* The largest reply (DHCP payload, without IP/UDP) the client accepts:
 * option 57 minus the IP and UDP headers, at least 548, at most 65507. */
gsize         dhcp_message_get_max_reply_size (const DhcpMessage *msg);
/* TRUE when option @code is in the client's parameter request list (55). */
gboolean      dhcp_message_requested  (const DhcpMessage *msg, guint8 code);
/* Where a server's reply to @msg goes (RFC 2131 4.1): the relay (giaddr,
 * port 67); else ciaddr (port 68) unless the reply is a NAK; else the
 * limited broadcast (port 68), since the client has no address yet. */
void          dhcp_message_reply_destination (const DhcpMessage *msg, gboolean nak,
                                              guint32 *addr, guint16 *port);

const char   *dhcp_message_type_to_string (guint8 type);

/* Trims trailing NUL/0xFF and cuts at an embedded NUL: the length of the
 * meaningful prefix of a firmware string. */
gsize         dhcp_string_trim_len (const guint8 *data, gsize len);

/* ---- Encoding ------------------------------------------------------------ */

typedef struct _DhcpBuilder DhcpBuilder;

DhcpBuilder *dhcp_builder_new  (guint8 op, guint8 message_type);
void         dhcp_builder_free (DhcpBuilder *b);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DhcpBuilder, dhcp_builder_free)

/* Copies xid, flags, giaddr, hops, htype, hlen and chaddr of @request. */
void dhcp_builder_copy_request (DhcpBuilder *b, const DhcpMessage *request);
void dhcp_builder_set_xid      (DhcpBuilder *b, guint32 xid);
void dhcp_builder_set_flags    (DhcpBuilder *b, guint16 flags);
void dhcp_builder_set_chaddr   (DhcpBuilder *b, guint8 htype, const guint8 *chaddr, guint8 hlen);
/* Addresses in network byte order. */
void dhcp_builder_set_ciaddr   (DhcpBuilder *b, guint32 addr);
void dhcp_builder_set_yiaddr   (DhcpBuilder *b, guint32 addr);
void dhcp_builder_set_siaddr   (DhcpBuilder *b, guint32 addr);
void dhcp_builder_set_giaddr   (DhcpBuilder *b, guint32 addr);
/* The BOOTP `sname` / `file` fields; FALSE when too long (they must leave
 * room for a terminating NUL). */
gboolean dhcp_builder_set_sname (DhcpBuilder *b, const char *sname);
gboolean dhcp_builder_set_file  (DhcpBuilder *b, const char *file);

/* Sets (replaces) option @code. Codes 0, 52 and 255 are refused. */
void dhcp_builder_set_option     (DhcpBuilder *b, guint8 code, const void *data, gsize len);
void dhcp_builder_set_option_u8  (DhcpBuilder *b, guint8 code, guint8 v);
void dhcp_builder_set_option_u16 (DhcpBuilder *b, guint8 code, guint16 v);
void dhcp_builder_set_option_u32 (DhcpBuilder *b, guint8 code, guint32 v);
/* Network byte order. */
void dhcp_builder_set_option_ip  (DhcpBuilder *b, guint8 code, guint32 addr);
void dhcp_builder_set_option_str (DhcpBuilder *b, guint8 code, const char *s);
void dhcp_builder_unset_option   (DhcpBuilder *b, guint8 code);
gboolean dhcp_builder_has_option (DhcpBuilder *b, guint8 code);

/* The client's parameter request list: requested options go out in its order,
 * right after 53 and 54. */
void dhcp_builder_set_request_list (DhcpBuilder *b, const guint8 *codes, gsize n);
/* Size limit of the encoded message (clamped to [548, 65507]). Default 548. */
void dhcp_builder_set_max_size     (DhcpBuilder *b, gsize max_size);
/* Options that go out only when the client asked for them in its request
 * list (when it sent one). Default: none. */
void dhcp_builder_set_only_if_requested (DhcpBuilder *b, guint8 code, gboolean only);

/* Encodes the message. Options that do not fit even after overloading are
 * left out, least important first (not requested, then the end of the
 * request list); 53, 54 and 82 must fit or the encode fails. */
GBytes *dhcp_builder_encode (DhcpBuilder *b, GError **error);

G_END_DECLS
