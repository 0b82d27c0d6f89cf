/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "dhcp-pxe.h"

static DhcpMessage *
make_msg (const guint8 *opts, gsize len)
{
  guint8 buf[1024] = { 0 };
  DhcpMessage *m;

  buf[0] = 1;
  buf[1] = 1;
  buf[2] = 6;
  memcpy (buf + 236, "\x63\x82\x53\x63", 4);
  memcpy (buf + 240, opts, len);
  buf[240 + len] = 255;
  m = dhcp_message_parse (buf, 241 + len, NULL);
  g_assert_nonnull (m);
  return m;
}

#define MSG(lit) make_msg ((const guint8 *) (lit), sizeof (lit) - 1)

static void
test_info (void)
{
  {
    g_autoptr(DhcpMessage) m = MSG ("\x3c\x20" "PXEClient:Arch:00007:UNDI:003010");
    DhcpPxeInfo info;
    dhcp_pxe_info_init (&info, m);
    g_assert_true (info.pxe_client);
    g_assert_false (info.http_client);
    g_assert_false (info.ipxe);
    g_assert_cmpint (info.arch, ==, 7);
    g_assert_true (dhcp_pxe_info_is_boot_client (&info));
    dhcp_pxe_info_clear (&info);
  }
  {
    /* 93 wins over the vendor class; iPXE raw 77; NUL/0xFF padding */
    g_autoptr(DhcpMessage) m = MSG ("\x3c\x0b" "PXEClient\0\xff" "\x5d\x02\x00\x00" "\x4d\x04" "iPXE"
                                    "\x5e\x03\x01\x03\x10");
    DhcpPxeInfo info;
    dhcp_pxe_info_init (&info, m);
    g_assert_true (info.pxe_client);
    g_assert_cmpstr (info.vendor_class, ==, "PXEClient");
    g_assert_cmpint (info.arch, ==, 0);
    g_assert_true (info.ipxe);
    g_assert_cmpstr (info.user_class, ==, "iPXE");
    g_assert_true (info.has_ndi);
    g_assert_cmpuint (info.ndi[1], ==, 3);
    dhcp_pxe_info_clear (&info);
  }
  {
    /* RFC 3004 user class, UUID, HTTPClient */
    g_autoptr(DhcpMessage) m = MSG ("\x3c\x21" "HTTPClient:Arch:00016:UNDI:003000"
                                    "\x4d\x07\x02" "ab" "\x04" "iPX"
                                    "\x61\x11\x00\x8a\x6a\x7d\x3e\x2e\x2e\x4d\x1d\x01\x02\x03\x04\x05\x06\x07\x08");
    DhcpPxeInfo info;
    dhcp_pxe_info_init (&info, m);
    g_assert_true (info.http_client);
    g_assert_cmpint (info.arch, ==, 16);
    g_assert_false (info.ipxe); /* malformed RFC 3004 list */
    g_assert_cmpstr (info.uuid, ==, "8a6a7d3e-2e2e-4d1d-0102-030405060708");
    dhcp_pxe_info_clear (&info);
  }
  {
    g_autoptr(DhcpMessage) m = MSG ("\x4d\x05\x04" "iPXE" "\xaf\x00");
    DhcpPxeInfo info;
    dhcp_pxe_info_init (&info, m);
    g_assert_true (info.ipxe);
    g_assert_cmpint (info.arch, ==, -1);
    dhcp_pxe_info_clear (&info);
  }
  {
    /* no PXE options at all: syslinux.efi's second DHCP */
    g_autoptr(DhcpMessage) m = MSG ("\x35\x01\x01");
    DhcpPxeInfo info;
    dhcp_pxe_info_init (&info, m);
    g_assert_false (dhcp_pxe_info_is_boot_client (&info));
    g_assert_null (info.uuid);
    dhcp_pxe_info_clear (&info);
  }
  {
    /* PXEClient without arch: BIOS; a short 93 ignored; bad UUID type */
    g_autoptr(DhcpMessage) m = MSG ("\x3c\x09" "PXEClient" "\x5d\x01\x07"
                                    "\x61\x11\x01\x8a\x6a\x7d\x3e\x2e\x2e\x4d\x1d\x01\x02\x03\x04\x05\x06\x07\x08");
    DhcpPxeInfo info;
    dhcp_pxe_info_init (&info, m);
    g_assert_cmpint (info.arch, ==, 0);
    g_assert_null (info.uuid);
    dhcp_pxe_info_clear (&info);
  }
}

static void
test_parse_arch (void)
{
  gint a[2];

  g_assert_cmpuint (dhcp_pxe_parse_arch ("bios", a), ==, 1);
  g_assert_cmpint (a[0], ==, 0);
  g_assert_cmpuint (dhcp_pxe_parse_arch ("EFI-X64", a), ==, 2);
  g_assert_cmpint (a[0], ==, 7);
  g_assert_cmpint (a[1], ==, 9);
  g_assert_cmpuint (dhcp_pxe_parse_arch ("11", a), ==, 1);
  g_assert_cmpint (a[0], ==, 11);
  g_assert_cmpuint (dhcp_pxe_parse_arch ("any", a), ==, 1);
  g_assert_cmpint (a[0], ==, -1);
  g_assert_cmpuint (dhcp_pxe_parse_arch ("70000", a), ==, 0);
  g_assert_cmpuint (dhcp_pxe_parse_arch ("amiga", a), ==, 0);
  g_assert_cmpuint (dhcp_pxe_parse_arch (NULL, a), ==, 0);
}

static char *
choose (const DhcpBootTable *const *tables, guint n, gint arch, gboolean ipxe, gboolean http)
{
  DhcpPxeInfo info = { 0 };

  info.arch = arch;
  info.ipxe = ipxe;
  info.http_client = http;
  info.pxe_client = !http;
  return dhcp_boot_choose (tables, n, &info, "192.0.2.1");
}

static void
test_choose (void)
{
  g_autoptr(DhcpBootTable) def = dhcp_boot_table_new_default ();
  g_autoptr(DhcpBootTable) sub = dhcp_boot_table_new ();
  const DhcpBootTable *only_def[] = { def };
  const DhcpBootTable *both[] = { sub, NULL, def };
  struct { gint arch; const char *file; } expect[] = {
    { 0, "pxelinux.0" }, { 6, "efi32/syslinux.efi" }, { 7, "efi64/syslinux.efi" },
    { 9, "efi64/syslinux.efi" }, { 11, "grubaa64.efi" },
    { 16, "http://192.0.2.1/grubx64.efi" }, { 19, "http://192.0.2.1/grubaa64.efi" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (expect); i++)
    {
      g_autofree char *f = choose (only_def, 1, expect[i].arch, FALSE, FALSE);
      g_assert_cmpstr (f, ==, expect[i].file);
    }
  {
    g_autofree char *f = choose (only_def, 1, 10, FALSE, FALSE);
    g_assert_null (f);
  }
  {
    g_autofree char *f = choose (only_def, 1, -1, FALSE, FALSE);
    g_assert_null (f);
  }
  /* an HTTP client whose file is a path gets a URL */
  {
    g_autofree char *f = choose (only_def, 1, 7, FALSE, TRUE);
    g_assert_cmpstr (f, ==, "http://192.0.2.1/efi64/syslinux.efi");
  }
  /* iPXE without a script: pxelinux.0 is fine; an iPXE binary is refused */
  {
    g_autofree char *f = choose (only_def, 1, 0, TRUE, FALSE);
    g_assert_cmpstr (f, ==, "pxelinux.0");
  }
  dhcp_boot_table_set (sub, 0, "undionly.kpxe");
  dhcp_boot_table_set (sub, DHCP_ARCH_ANY, "fixed.0");
  {
    g_autofree char *f = choose (both, 3, 0, TRUE, FALSE);
    g_assert_null (f);
  }
  {
    g_autofree char *f = choose (both, 3, 0, FALSE, FALSE);
    g_assert_cmpstr (f, ==, "undionly.kpxe");
  }
  {
    /* the subnet's "any" entry wins over the defaults' arch entry */
    g_autofree char *f = choose (both, 3, 7, FALSE, FALSE);
    g_assert_cmpstr (f, ==, "fixed.0");
  }
  dhcp_boot_table_set_ipxe_script (def, "http://{next-server}/boot.ipxe");
  g_assert_cmpstr (dhcp_boot_table_get_ipxe_script (def), ==, "http://{next-server}/boot.ipxe");
  {
    g_autofree char *f = choose (both, 3, 0, TRUE, FALSE);
    g_assert_cmpstr (f, ==, "http://192.0.2.1/boot.ipxe");
  }
  dhcp_boot_table_set (sub, DHCP_ARCH_ANY, NULL);
  g_assert_null (dhcp_boot_table_get (sub, DHCP_ARCH_ANY));
}

static void
test_ipxe_binary (void)
{
  g_assert_true (dhcp_boot_file_is_ipxe_binary ("undionly.kpxe"));
  g_assert_true (dhcp_boot_file_is_ipxe_binary ("efi/ipxe.efi"));
  g_assert_true (dhcp_boot_file_is_ipxe_binary ("SNPONLY.EFI"));
  g_assert_true (dhcp_boot_file_is_ipxe_binary ("ipxe.lkrn"));
  g_assert_false (dhcp_boot_file_is_ipxe_binary ("boot.ipxe"));
  g_assert_false (dhcp_boot_file_is_ipxe_binary ("pxelinux.0"));
  g_assert_false (dhcp_boot_file_is_ipxe_binary ("ipxe/grubx64.efi"));
  g_assert_false (dhcp_boot_file_is_ipxe_binary (NULL));
}

static void
test_vendor (void)
{
  static const DhcpPxeMenuEntry entries[] = { { 0, "Local" }, { 0x8001, "Install" } };
  g_autoptr(GByteArray) a = g_byte_array_new ();
  g_autoptr(GBytes) v = NULL;
  static const guint8 expect[] = {
    6, 1, 0x07,
    8, 7, 0x80, 0x01, 1, 192, 0, 2, 1,
    9, 18, 0, 0, 5, 'L', 'o', 'c', 'a', 'l', 0x80, 0x01, 7, 'I', 'n', 's', 't', 'a', 'l', 'l',
    10, 3, 5, 'G', 'o',
    71, 4, 0x80, 0x01, 0, 0,
    255,
  };
  guint32 server = GUINT32_TO_BE (0xc0000201); /* 192.0.2.1 */
  gsize len;
  const guint8 *p;

  dhcp_pxe_vendor_add_discovery_control (a, DHCP_PXE_DISCOVERY_NO_BROADCAST |
                                            DHCP_PXE_DISCOVERY_NO_MULTICAST |
                                            DHCP_PXE_DISCOVERY_LIST_ONLY);
  dhcp_pxe_vendor_add_menu (a, entries, G_N_ELEMENTS (entries), server);
  dhcp_pxe_vendor_add_prompt (a, 5, "Go");
  dhcp_pxe_vendor_add_boot_item (a, 0x8001, 0);
  v = dhcp_pxe_vendor_finish (g_steal_pointer (&a));
  p = g_bytes_get_data (v, &len);
  g_assert_cmpmem (p, len, expect, sizeof expect);

  /* a request carrying it: the boot item is found; a broken list is not */
  {
    guint8 opts[2 + sizeof expect] = { 43, sizeof expect };
    guint16 type = 0, layer = 1;
    g_autoptr(DhcpMessage) m = NULL;

    memcpy (opts + 2, expect, sizeof expect);
    m = make_msg (opts, sizeof opts);
    g_assert_true (dhcp_pxe_find_boot_item (m, &type, &layer));
    g_assert_cmpuint (type, ==, 0x8001);
    g_assert_cmpuint (layer, ==, 0);
  }
  {
    g_autoptr(DhcpMessage) m = MSG ("\x2b\x04" "\x47\x09\x80\x01");
    guint16 type, layer;
    g_assert_false (dhcp_pxe_find_boot_item (m, &type, &layer));
  }
  {
    g_autoptr(DhcpMessage) m = MSG ("\x37\x03\x01\x43\x03");
    guint32 addr;
    guint16 port;

    g_assert_true (dhcp_message_requested (m, DHCP_OPT_BOOTFILE));
    g_assert_false (dhcp_message_requested (m, DHCP_OPT_TFTP_SERVER));
    dhcp_message_reply_destination (m, FALSE, &addr, &port);
    g_assert_cmpuint (addr, ==, G_MAXUINT32);
    g_assert_cmpuint (port, ==, DHCP_CLIENT_PORT);
    m->ciaddr = server;
    dhcp_message_reply_destination (m, FALSE, &addr, &port);
    g_assert_cmpuint (addr, ==, server);
    dhcp_message_reply_destination (m, TRUE, &addr, &port);
    g_assert_cmpuint (addr, ==, G_MAXUINT32);
    m->giaddr = server;
    dhcp_message_reply_destination (m, TRUE, &addr, &port);
    g_assert_cmpuint (addr, ==, server);
    g_assert_cmpuint (port, ==, DHCP_SERVER_PORT);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/dhcp/pxe/info", test_info);
  g_test_add_func ("/dhcp/pxe/parse-arch", test_parse_arch);
  g_test_add_func ("/dhcp/pxe/choose", test_choose);
  g_test_add_func ("/dhcp/pxe/ipxe-binary", test_ipxe_binary);
  g_test_add_func ("/dhcp/pxe/vendor-options", test_vendor);
  return g_test_run ();
}
