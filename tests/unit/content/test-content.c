/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The content service: the path normaliser, opening beneath a root (every
 * hostile path through both openat2 and the fallback walk), providers, shared
 * descriptors, pread, directory listings and the error mapping. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>

#include "pxed-content-private.h"
#include "pxed-host-private.h"

#define SECRET "TOP-SECRET-OUTSIDE-THE-ROOT\n"

/* The tree, built once in main():
 *   T/secret, T/etc/passwd        outside the root, both hold SECRET
 *   T/root/                       the served root (see build_tree) */
static char *top_dir;
static char *root_dir;
static PxedHost test_host;
static gboolean have_device;
static gboolean have_socket;
static struct stat secret_st, fake_passwd_st, real_passwd_st;

/* ---- Helpers ------------------------------------------------------------------ */

static void
write_file (const char *rel, const char *contents)
{
  g_autofree char *path = g_build_filename (top_dir, rel, NULL);
  int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

  /* Not g_file_set_contents(): its temporary name would be too long for
   * the 255-byte name. */
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (write (fd, contents, strlen (contents)), ==, (gssize) strlen (contents));
  close (fd);
}

static void
make_dir (const char *rel)
{
  g_autofree char *path = g_build_filename (top_dir, rel, NULL);
  g_assert_cmpint (mkdir (path, 0755), ==, 0);
}

static void
make_link (const char *target, const char *rel)
{
  g_autofree char *path = g_build_filename (top_dir, rel, NULL);
  g_assert_cmpint (symlink (target, path), ==, 0);
}

static guint
count_fds (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  guint n = 0;

  g_assert_nonnull (dir);
  while (g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

static char *
read_all (PxedContent *content, gsize *len_out)
{
  guint64 size = pxed_content_get_size (content);
  char *buf = g_malloc0 (size + 1);
  guint64 off = 0;

  while (off < size)
    {
      gssize n = pxed_content_pread (content, buf + off, MIN (size - off, 7), off);
      g_assert_cmpint (n, >, 0);
      off += (guint64) n;
    }
  *len_out = size;
  return buf;
}

static int
remove_cb (const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
  return remove (path);
}

static void
build_tree (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *fifo = NULL, *dev = NULL, *sock = NULL, *deep = NULL;
  g_autofree char *inside_abs = NULL, *secret_path = NULL, *passwd_path = NULL;
  char longname[PXED_CONTENT_NAME_MAX + 1];

  top_dir = g_dir_make_tmp ("pxed-content-XXXXXX", &error);
  g_assert_no_error (error);
  root_dir = g_build_filename (top_dir, "root", NULL);

  write_file ("secret", SECRET);
  make_dir ("etc");
  write_file ("etc/passwd", SECRET);
  make_dir ("root");
  write_file ("root/hello.txt", "hello\n");
  write_file ("root/%2e%2e", "literal percent name\n");
  write_file ("root/....", "four dots\n");
  write_file ("root/.hidden", "hidden\n");
  make_dir ("root/dir");
  write_file ("root/dir/inner.txt", "inner\n");
  make_dir ("root/dir/sub");
  write_file ("root/dir/sub/deep.txt", "deep\n");
  make_dir ("root/pxelinux.cfg");
  write_file ("root/pxelinux.cfg/C0A8", "from the root\n");
  write_file ("root/pxelinux.cfg/deny", "from the root\n");
  memset (longname, 'a', PXED_CONTENT_NAME_MAX);
  longname[PXED_CONTENT_NAME_MAX] = '\0';
  deep = g_build_filename ("root", longname, NULL);
  write_file (deep, "long name\n");

  secret_path = g_build_filename (top_dir, "secret", NULL);
  passwd_path = g_build_filename (top_dir, "etc", "passwd", NULL);
  inside_abs = g_build_filename (root_dir, "hello.txt", NULL);

  /* Links leading out. */
  make_link (secret_path, "root/link-abs-out");
  make_link ("../secret", "root/link-rel-out");
  make_link ("../../secret", "root/dir/link-rel-out2");
  make_link ("/etc/passwd", "root/link-etc");
  make_link ("..", "root/link-dir-out");
  make_link ("/", "root/link-root-abs");
  make_link ("loop-b", "root/loop-a");
  make_link ("loop-a", "root/loop-b");
  make_link ("self-loop", "root/self-loop");
  make_link ("/proc/self/root", "root/link-proc");
  make_link ("../../../../../../../../../../proc/self/root", "root/link-proc-rel");
  make_link ("/proc/self/fd/0", "root/link-fd");
  make_link (inside_abs, "root/link-in-abs");
  make_link ("dir/../../secret", "root/link-chain-out");
  make_link ("../..", "root/dir/sub-out");
  /* Links staying inside. */
  make_link ("hello.txt", "root/link-in");
  make_link ("dir", "root/link-in-dir");
  make_link ("../hello.txt", "root/dir/link-up");
  make_link ("../dir/sub/../inner.txt", "root/dir/link-chain-in");
  make_link (".", "root/loop-dir");

  fifo = g_build_filename (root_dir, "fifo", NULL);
  g_assert_cmpint (mkfifo (fifo, 0644), ==, 0);
  dev = g_build_filename (root_dir, "null-dev", NULL);
  have_device = mknod (dev, S_IFCHR | 0666, makedev (1, 3)) == 0;
  sock = g_build_filename (root_dir, "sock", NULL);
  {
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    g_assert_cmpint (fd, >=, 0);
    if (strlen (sock) < sizeof sun.sun_path)
      {
        strcpy (sun.sun_path, sock);
        have_socket = bind (fd, (struct sockaddr *) &sun, sizeof sun) == 0;
      }
    close (fd);
  }

  g_assert_cmpint (stat (secret_path, &secret_st), ==, 0);
  g_assert_cmpint (stat (passwd_path, &fake_passwd_st), ==, 0);
  if (stat ("/etc/passwd", &real_passwd_st) != 0)
    memset (&real_passwd_st, 0, sizeof real_passwd_st);
}

/* ---- The hostile table ------------------------------------------------------ */

#define OK (-1)
enum {
  ROW_NEEDS_DEVICE = 1 << 0,
  ROW_NEEDS_SOCKET = 1 << 1,
  /* A naive openat(root, path) following symlinks would return the secret:
   * proves the row is really hostile. */
  ROW_NAIVE_LEAKS = 1 << 2,
};

typedef struct {
  const char *path;
  gsize       len;      /* 0: strlen; else includes embedded NULs */
  int         expect;   /* OK or a PxedContentError */
  const char *contents; /* for OK */
  guint       flags;
} HostileRow;

static char long_component[PXED_CONTENT_NAME_MAX + 2];
static char ok_component[PXED_CONTENT_NAME_MAX + 1];
static char long_path[PXED_CONTENT_PATH_MAX + 2];
static char max_path[PXED_CONTENT_PATH_MAX + 1];
static char loop_ok[16 * 9 + 16];
static char loop_deny[45 * 9 + 16];

static const HostileRow hostile_rows[] = {
  /* '..' in every position */
  { "..", 0, PXED_CONTENT_ERROR_INVALID_PATH },
  { "../secret", 0, PXED_CONTENT_ERROR_INVALID_PATH, NULL, ROW_NAIVE_LEAKS },
  { "/../secret", 0, PXED_CONTENT_ERROR_INVALID_PATH },
  { "dir/../../secret", 0, PXED_CONTENT_ERROR_INVALID_PATH, NULL, ROW_NAIVE_LEAKS },
  { "dir/../../etc/passwd", 0, PXED_CONTENT_ERROR_INVALID_PATH, NULL, ROW_NAIVE_LEAKS },
  { "a/../../etc/passwd", 0, PXED_CONTENT_ERROR_INVALID_PATH },
  { "dir/sub/../../../secret", 0, PXED_CONTENT_ERROR_INVALID_PATH, NULL, ROW_NAIVE_LEAKS },
  { "dir/..", 0, PXED_CONTENT_ERROR_INVALID_PATH },
  { "dir/sub/..", 0, PXED_CONTENT_ERROR_INVALID_PATH },
  { "hello.txt/..", 0, PXED_CONTENT_ERROR_INVALID_PATH },
  { "../root/hello.txt", 0, PXED_CONTENT_ERROR_INVALID_PATH },
  { "./../secret", 0, PXED_CONTENT_ERROR_INVALID_PATH, NULL, ROW_NAIVE_LEAKS },
  /* backslashes */
  { "..\\secret", 0, PXED_CONTENT_ERROR_INVALID_PATH },
  { ".\\..\\", 0, PXED_CONTENT_ERROR_INVALID_PATH },
  { ".\\..\\secret", 0, PXED_CONTENT_ERROR_INVALID_PATH },
  { "dir\\..\\..\\secret", 0, PXED_CONTENT_ERROR_INVALID_PATH },
  { "\\\\server\\share\\..\\..\\secret", 0, PXED_CONTENT_ERROR_INVALID_PATH },
  { "dir\\inner.txt", 0, OK, "inner\n" },
  { "C:\\secret", 0, PXED_CONTENT_ERROR_NOT_FOUND },
  /* absolute paths land inside the root */
  { "/etc/passwd", 0, PXED_CONTENT_ERROR_NOT_FOUND },
  { "//etc//passwd", 0, PXED_CONTENT_ERROR_NOT_FOUND },
  { "\\etc\\passwd", 0, PXED_CONTENT_ERROR_NOT_FOUND },
  { "/hello.txt", 0, OK, "hello\n" },
  { "file:///etc/passwd", 0, PXED_CONTENT_ERROR_NOT_FOUND },
  { "::/hello.txt", 0, OK, "hello\n" },
  { "::..", 0, PXED_CONTENT_ERROR_INVALID_PATH },
  { "::/../secret", 0, PXED_CONTENT_ERROR_INVALID_PATH },
  /* percent escapes are not decoded: literal names */
  { "%2e%2e/secret", 0, PXED_CONTENT_ERROR_NOT_FOUND },
  { "%2e%2e%2fsecret", 0, PXED_CONTENT_ERROR_NOT_FOUND },
  { "..%2fsecret", 0, PXED_CONTENT_ERROR_NOT_FOUND },
  { "%2e%2e", 0, OK, "literal percent name\n" },
  { "%252e%252e/secret", 0, PXED_CONTENT_ERROR_NOT_FOUND },
  /* dots that are names */
  { "....//", 0, OK, "four dots\n" },
  { "..../secret", 0, PXED_CONTENT_ERROR_NOT_FOUND },
  { "...", 0, PXED_CONTENT_ERROR_NOT_FOUND },
  { " ../secret", 0, PXED_CONTENT_ERROR_NOT_FOUND },
  { ".. /secret", 0, PXED_CONTENT_ERROR_NOT_FOUND },
  { "~/secret", 0, PXED_CONTENT_ERROR_NOT_FOUND },
  /* NUL and control characters */
  { "hello.txt\0../../secret", 22, PXED_CONTENT_ERROR_INVALID_PATH },
  { "\0", 1, PXED_CONTENT_ERROR_INVALID_PATH },
  { "../\0", 4, PXED_CONTENT_ERROR_INVALID_PATH },
  { "hello\x01.txt", 0, PXED_CONTENT_ERROR_INVALID_PATH },
  { "hello.txt\n", 0, PXED_CONTENT_ERROR_INVALID_PATH },
  { "hello\x7f", 0, PXED_CONTENT_ERROR_INVALID_PATH },
  { "\x1b[2Jhello.txt", 0, PXED_CONTENT_ERROR_INVALID_PATH },
  /* overlong names and paths (filled in by init_long_rows) */
  { long_component, 0, PXED_CONTENT_ERROR_INVALID_PATH },
  { ok_component, 0, OK, "long name\n" },
  { long_path, 0, PXED_CONTENT_ERROR_INVALID_PATH },
  { max_path, 0, PXED_CONTENT_ERROR_NOT_FOUND },
  /* symlinks out of the root */
  { "link-abs-out", 0, PXED_CONTENT_ERROR_DENIED, NULL, ROW_NAIVE_LEAKS },
  { "link-abs-out/", 0, PXED_CONTENT_ERROR_DENIED },
  { "link-rel-out", 0, PXED_CONTENT_ERROR_DENIED, NULL, ROW_NAIVE_LEAKS },
  { "dir/link-rel-out2", 0, PXED_CONTENT_ERROR_DENIED, NULL, ROW_NAIVE_LEAKS },
  { "link-etc", 0, PXED_CONTENT_ERROR_DENIED },
  { "link-dir-out/secret", 0, PXED_CONTENT_ERROR_DENIED, NULL, ROW_NAIVE_LEAKS },
  { "link-dir-out/etc/passwd", 0, PXED_CONTENT_ERROR_DENIED, NULL, ROW_NAIVE_LEAKS },
  { "link-root-abs/etc/passwd", 0, PXED_CONTENT_ERROR_DENIED },
  { "link-chain-out", 0, PXED_CONTENT_ERROR_DENIED, NULL, ROW_NAIVE_LEAKS },
  { "dir/sub-out/secret", 0, PXED_CONTENT_ERROR_DENIED, NULL, ROW_NAIVE_LEAKS },
  { "link-in-dir/link-rel-out2", 0, PXED_CONTENT_ERROR_DENIED, NULL, ROW_NAIVE_LEAKS },
  { "link-in-abs", 0, PXED_CONTENT_ERROR_DENIED }, /* absolute, even pointing inside */
  /* magic links */
  { "link-proc/etc/passwd", 0, PXED_CONTENT_ERROR_DENIED },
  { "link-proc-rel/etc/passwd", 0, PXED_CONTENT_ERROR_DENIED },
  { "link-fd", 0, PXED_CONTENT_ERROR_DENIED },
  /* loops */
  { "loop-a", 0, PXED_CONTENT_ERROR_DENIED },
  { "self-loop", 0, PXED_CONTENT_ERROR_DENIED },
  { "self-loop/x", 0, PXED_CONTENT_ERROR_DENIED },
  { loop_deny, 0, PXED_CONTENT_ERROR_DENIED },
  { loop_ok, 0, OK, "hello\n" },
  /* special files and directories */
  { "fifo", 0, PXED_CONTENT_ERROR_DENIED },
  { "fifo/x", 0, PXED_CONTENT_ERROR_NOT_FOUND },
  { "null-dev", 0, PXED_CONTENT_ERROR_DENIED, NULL, ROW_NEEDS_DEVICE },
  { "sock", 0, PXED_CONTENT_ERROR_DENIED, NULL, ROW_NEEDS_SOCKET },
  { "dir", 0, PXED_CONTENT_ERROR_IS_DIRECTORY },
  { "dir/sub/", 0, PXED_CONTENT_ERROR_IS_DIRECTORY },
  { "", 0, PXED_CONTENT_ERROR_IS_DIRECTORY },
  { "/", 0, PXED_CONTENT_ERROR_IS_DIRECTORY },
  { "link-in-dir", 0, PXED_CONTENT_ERROR_IS_DIRECTORY },
  { "hello.txt/x", 0, PXED_CONTENT_ERROR_NOT_FOUND },
  /* legitimate paths that must keep working */
  { "hello.txt", 0, OK, "hello\n" },
  { "./hello.txt", 0, OK, "hello\n" },
  { "dir//inner.txt", 0, OK, "inner\n" },
  { "dir/./sub/deep.txt", 0, OK, "deep\n" },
  { "hello.txt/", 0, OK, "hello\n" },
  { "link-in", 0, OK, "hello\n" },
  { "link-in-dir/inner.txt", 0, OK, "inner\n" },
  { "dir/link-up", 0, OK, "hello\n" },
  { "dir/link-chain-in", 0, OK, "inner\n" },
  { ".hidden", 0, OK, "hidden\n" },
};

static void
init_long_rows (void)
{
  GString *s;

  memset (long_component, 'a', PXED_CONTENT_NAME_MAX + 1);
  long_component[PXED_CONTENT_NAME_MAX + 1] = '\0';
  memset (ok_component, 'a', PXED_CONTENT_NAME_MAX);
  ok_component[PXED_CONTENT_NAME_MAX] = '\0';
  /* "b/b/b/...": exactly PATH_MAX, then one byte more. */
  for (gsize i = 0; i < PXED_CONTENT_PATH_MAX; i++)
    max_path[i] = (i % 2 == 0) ? 'b' : '/';
  max_path[PXED_CONTENT_PATH_MAX - 1] = 'c';
  max_path[PXED_CONTENT_PATH_MAX] = '\0';
  memcpy (long_path, max_path, PXED_CONTENT_PATH_MAX);
  long_path[PXED_CONTENT_PATH_MAX] = 'd';
  long_path[PXED_CONTENT_PATH_MAX + 1] = '\0';

  s = g_string_new (NULL);
  for (guint i = 0; i < 10; i++)
    g_string_append (s, "loop-dir/");
  g_string_append (s, "hello.txt");
  g_assert_cmpuint (s->len, <, sizeof loop_ok);
  strcpy (loop_ok, s->str);
  g_string_truncate (s, 0);
  for (guint i = 0; i < 45; i++)
    g_string_append (s, "loop-dir/");
  g_string_append (s, "hello.txt");
  g_assert_cmpuint (s->len, <, sizeof loop_deny);
  strcpy (loop_deny, s->str);
  g_string_free (s, TRUE);
}

static void
assert_not_outside (PxedContent *content)
{
  g_autofree char *data = NULL;
  gsize len = 0;
  struct stat st;
  int fd = pxed_content_get_fd (content);

  data = read_all (content, &len);
  g_assert_null (g_strstr_len (data, (gssize) len, "TOP-SECRET"));
  if (fd >= 0)
    {
      g_assert_cmpint (fstat (fd, &st), ==, 0);
      g_assert_false (st.st_dev == secret_st.st_dev && st.st_ino == secret_st.st_ino);
      g_assert_false (st.st_dev == fake_passwd_st.st_dev && st.st_ino == fake_passwd_st.st_ino);
      g_assert_false (st.st_dev == real_passwd_st.st_dev && st.st_ino == real_passwd_st.st_ino);
    }
}

static void
run_hostile_table (PxedContentResolveMode mode)
{
  g_autoptr(PxedContentRoot) root = NULL;
  g_autoptr(GError) error = NULL;
  guint fds_before, n_run = 0, n_skipped = 0;

  pxed_content_set_resolve_mode (mode);
  root = pxed_content_root_new (&test_host, root_dir, &error);
  g_assert_no_error (error);
  fds_before = count_fds ();

  for (gsize i = 0; i < G_N_ELEMENTS (hostile_rows); i++)
    {
      const HostileRow *row = &hostile_rows[i];
      gsize len = row->len != 0 ? row->len : strlen (row->path);
      g_autofree char *shown = g_strescape (row->path, NULL);
      g_autofree char *norm = NULL;
      g_autoptr(GError) nerr = NULL;
      g_autoptr(GError) oerr = NULL;
      g_autoptr(PxedContent) content = NULL;

      if (((row->flags & ROW_NEEDS_DEVICE) && !have_device)
          || ((row->flags & ROW_NEEDS_SOCKET) && !have_socket))
        {
          g_test_message ("row %" G_GSIZE_FORMAT " '%s': skipped (cannot create it here)", i, shown);
          n_skipped++;
          continue;
        }
      g_test_message ("row %" G_GSIZE_FORMAT " '%.80s'", i, shown);

      if (row->flags & ROW_NAIVE_LEAKS)
        {
          /* The row would leak without the content service. */
          g_autofree char *naive = NULL;
          g_autofree char *full = g_build_filename (root_dir, row->path, NULL);
          g_assert_true (g_file_get_contents (full, &naive, NULL, NULL));
          g_assert_cmpstr (naive, ==, SECRET);
        }

      norm = pxed_content_normalize_path (row->path, len, &nerr);
      if (row->expect == PXED_CONTENT_ERROR_INVALID_PATH)
        {
          g_assert_error (nerr, PXED_CONTENT_ERROR, PXED_CONTENT_ERROR_INVALID_PATH);
          g_assert_null (norm);
        }
      else
        {
          g_assert_no_error (nerr);
          g_assert_nonnull (norm);
          g_assert_false (g_str_has_prefix (norm, "/"));
          g_assert_null (strstr (norm, "//"));
          g_assert_null (strchr (norm, '\\'));
          g_assert_cmpuint (strlen (norm), <=, PXED_CONTENT_PATH_MAX);
        }
      if (memchr (row->path, '\0', len) != NULL)
        {
          /* A C-string API cannot receive it; the normaliser refused it. */
          n_run++;
          continue;
        }

      content = pxed_content_open (&test_host, root, row->path, NULL, &oerr);
      if (content != NULL)
        assert_not_outside (content);
      /* The root-only, thread-safe open gives the same answer. */
      {
        g_autoptr(GError) ferr = NULL;
        g_autoptr(PxedContent) file = pxed_content_open_file (&test_host, root, row->path, &ferr);

        if (file != NULL)
          assert_not_outside (file);
        if (row->expect == OK)
          {
            g_assert_no_error (ferr);
            g_assert_true (file == content); /* the same shared entry */
          }
        else
          {
            g_assert_error (ferr, PXED_CONTENT_ERROR, row->expect);
            g_assert_null (file);
          }
      }
      if (row->expect == OK)
        {
          g_autofree char *data = NULL;
          gsize dlen = 0;

          g_assert_no_error (oerr);
          g_assert_nonnull (content);
          g_assert_false (pxed_content_is_generated (content));
          g_assert_cmpint (pxed_content_get_fd (content), >=, 0);
          data = read_all (content, &dlen);
          g_assert_cmpstr (data, ==, row->contents);
          g_assert_cmpstr (pxed_content_get_path (content), ==, norm);
        }
      else
        {
          g_assert_error (oerr, PXED_CONTENT_ERROR, row->expect);
          g_assert_null (content);
          /* The client text never carries a path. */
          g_assert_null (strstr (pxed_content_error_to_text (oerr), "/"));
        }
      n_run++;
    }

  g_assert_cmpuint (pxed_content_service_get_n_open (test_host.content), ==, 0);
  g_assert_cmpuint (count_fds (), ==, fds_before);
  g_assert_cmpuint (n_run, >=, 40);
  g_test_message ("%u rows run, %u skipped", n_run, n_skipped);
  pxed_content_set_resolve_mode (PXED_CONTENT_RESOLVE_AUTO);
}

static void
test_hostile_openat2 (void)
{
  run_hostile_table (PXED_CONTENT_RESOLVE_OPENAT2);
}

static void
test_hostile_walk (void)
{
  run_hostile_table (PXED_CONTENT_RESOLVE_WALK);
}

/* ---- Normaliser --------------------------------------------------------------- */

static void
test_normalize (void)
{
  static const struct {
    const char *in;
    const char *out; /* NULL: refused */
  } cases[] = {
    { "", "" },
    { "/", "" },
    { "///", "" },
    { ".", "" },
    { "./.", "" },
    { "a", "a" },
    { "/a", "a" },
    { "a/", "a" },
    { "a//b", "a/b" },
    { "a/./b", "a/b" },
    { "a\\b", "a/b" },
    { "\\a\\\\b\\", "a/b" },
    { "efi64//images/vmlinuz", "efi64/images/vmlinuz" },
    { "::/images/vmlinuz", "images/vmlinuz" },
    { "::images/vmlinuz", "images/vmlinuz" },
    { "a::b", "a::b" },
    { "pxelinux.cfg/01-52-54-00-12-34-56", "pxelinux.cfg/01-52-54-00-12-34-56" },
    { "%2e%2e", "%2e%2e" },
    { "...", "..." },
    { "a b", "a b" },
    { "caf\xc3\xa9", "caf\xc3\xa9" },
    { "..", NULL },
    { "a/..", NULL },
    { "../a", NULL },
    { "a/../b", NULL },
    { "a\\..\\b", NULL },
    { "a\tb", NULL },
    { "a\rb", NULL },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *out = pxed_content_normalize_path (cases[i].in, strlen (cases[i].in), &error);

      if (cases[i].out == NULL)
        {
          g_assert_error (error, PXED_CONTENT_ERROR, PXED_CONTENT_ERROR_INVALID_PATH);
          g_assert_null (out);
        }
      else
        {
          g_assert_no_error (error);
          g_assert_cmpstr (out, ==, cases[i].out);
        }
    }

  /* (gsize) -1 means NUL-terminated; NULL is refused. */
  {
    g_autofree char *out = pxed_content_normalize_path ("/x//y", (gsize) -1, NULL);
    g_assert_cmpstr (out, ==, "x/y");
    g_assert_null (pxed_content_normalize_path (NULL, 0, NULL));
  }
  /* Huge raw input is refused without scanning it all. */
  {
    g_autofree char *huge = g_strnfill (64 * 1024, '/');
    g_autoptr(GError) error = NULL;
    g_assert_null (pxed_content_normalize_path (huge, strlen (huge), &error));
    g_assert_error (error, PXED_CONTENT_ERROR, PXED_CONTENT_ERROR_INVALID_PATH);
  }
}

/* ---- Providers -------------------------------------------------------------------- */

typedef struct {
  const char *name;
  const char *reply;    /* NULL: NOT_FOUND */
  int         fail;     /* a hard error code instead, or -1 */
  guint       calls;
  gboolean    destroyed;
  char       *last_ip;
} FakeProvider;

static GBytes *
fake_render (const char *path, const PxedRequestInfo *request, gpointer user_data, GError **error)
{
  FakeProvider *fp = user_data;

  fp->calls++;
  g_free (fp->last_ip);
  fp->last_ip = g_strdup (request->ip);
  if (fp->fail >= 0)
    {
      g_set_error (error, PXED_CONTENT_ERROR, fp->fail, "%s refuses %s", fp->name, path);
      return NULL;
    }
  /* This one answers only for paths without "C0". */
  if (fp->reply == NULL || strstr (path, "C0") != NULL)
    {
      g_set_error (error, PXED_CONTENT_ERROR, PXED_CONTENT_ERROR_NOT_FOUND, "no");
      return NULL;
    }
  return g_bytes_new_take (g_strdup_printf ("%s:%s:%s", fp->reply, path,
                                            request->ip != NULL ? request->ip : "-"),
                           strlen (fp->reply) + strlen (path) + 2
                             + strlen (request->ip != NULL ? request->ip : "-"));
}

static void
fake_destroy (gpointer data)
{
  ((FakeProvider *) data)->destroyed = TRUE;
}

static char *
open_text (PxedContentRoot *root, const char *path, const PxedRequestInfo *req, GError **error)
{
  g_autoptr(PxedContent) content = pxed_content_open (&test_host, root, path, req, error);
  gsize len;

  if (content == NULL)
    return NULL;
  return read_all (content, &len);
}

static void
test_providers (void)
{
  g_autoptr(PxedContentRoot) root = pxed_content_root_new (&test_host, root_dir, NULL);
  FakeProvider mac = { "mac", "per-mac", -1 };
  FakeProvider any = { "any", "generic", -1 };
  FakeProvider ks = { "ks", "kickstart", -1 };
  FakeProvider deny = { "deny", NULL, PXED_CONTENT_ERROR_DENIED };
  PxedRequestInfo req = { .protocol = "tftp", .ip = "192.0.2.7", .arch = 7 };
  guint id_mac, id_any, id_ks, id_deny;

  g_assert_nonnull (root);
  id_mac = pxed_content_add_provider (&test_host, "pxelinux.cfg/01-*", fake_render, &mac, fake_destroy);
  id_deny = pxed_content_add_provider (&test_host, "pxelinux.cfg/deny", fake_render, &deny, fake_destroy);
  id_any = pxed_content_add_provider (&test_host, "pxelinux.cfg/*", fake_render, &any, fake_destroy);
  id_ks = pxed_content_add_provider (&test_host, "ks/?.cfg", fake_render, &ks, fake_destroy);
  g_assert_cmpuint (id_mac, !=, 0);
  g_assert_cmpuint (id_mac, !=, id_any);

  /* Registration order: the first matching provider answers. */
  {
    g_autoptr(GError) error = NULL;
    g_autofree char *t = open_text (root, "/pxelinux.cfg/01-aa-bb", &req, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (t, ==, "per-mac:pxelinux.cfg/01-aa-bb:192.0.2.7");
    g_assert_cmpuint (any.calls, ==, 0);
  }
  /* '*' matches '/', the path is normalised before matching. */
  {
    g_autofree char *t = open_text (root, "pxelinux.cfg\\\\x/y", NULL, NULL);
    g_assert_cmpstr (t, ==, "generic:pxelinux.cfg/x/y:-");
    g_assert_null (any.last_ip);
  }
  /* Fall-through: "any" says NOT_FOUND for C0..., the root answers. */
  {
    g_autoptr(GError) error = NULL;
    g_autofree char *t = open_text (root, "pxelinux.cfg/C0A8", &req, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (t, ==, "from the root\n");
    /* and with nothing in the root either: NOT_FOUND */
    g_assert_null (open_text (root, "pxelinux.cfg/C0A9", &req, &error));
    g_assert_error (error, PXED_CONTENT_ERROR, PXED_CONTENT_ERROR_NOT_FOUND);
  }
  /* A hard error stops the search: the root's file is not served. */
  {
    g_autoptr(GError) error = NULL;
    g_assert_null (open_text (root, "pxelinux.cfg/deny", &req, &error));
    g_assert_error (error, PXED_CONTENT_ERROR, PXED_CONTENT_ERROR_DENIED);
    g_assert_cmpuint (deny.calls, ==, 1);
  }
  /* '?' is exactly one character. */
  {
    g_autofree char *t = open_text (root, "ks/a.cfg", NULL, NULL);
    g_autoptr(GError) error = NULL;
    g_assert_cmpstr (t, ==, "kickstart:ks/a.cfg:-");
    g_assert_null (open_text (root, "ks/ab.cfg", NULL, &error));
    g_assert_error (error, PXED_CONTENT_ERROR, PXED_CONTENT_ERROR_NOT_FOUND);
    g_assert_cmpuint (ks.calls, ==, 1);
  }
  /* Hostile paths never reach a provider. */
  {
    guint before = any.calls;
    g_autoptr(GError) error = NULL;
    g_assert_null (open_text (root, "pxelinux.cfg/../../secret", NULL, &error));
    g_assert_error (error, PXED_CONTENT_ERROR, PXED_CONTENT_ERROR_INVALID_PATH);
    g_assert_cmpuint (any.calls, ==, before);
  }
  /* Generated content: bytes, no fd, render time, pread. */
  {
    g_autoptr(PxedContent) c = pxed_content_open (&test_host, NULL, "pxelinux.cfg/01-x", &req, NULL);
    gint64 now = g_get_real_time () / G_USEC_PER_SEC;
    char buf[8];

    g_assert_nonnull (c);
    g_assert_true (pxed_content_is_generated (c));
    g_assert_cmpint (pxed_content_get_fd (c), ==, -1);
    g_assert_nonnull (pxed_content_get_bytes (c));
    g_assert_cmpuint (pxed_content_get_size (c), ==, strlen ("per-mac:pxelinux.cfg/01-x:192.0.2.7"));
    g_assert_cmpint (pxed_content_get_mtime (c), >=, now - 2);
    g_assert_cmpint (pxed_content_get_mtime (c), <=, now + 2);
    g_assert_cmpstr (pxed_content_get_path (c), ==, "pxelinux.cfg/01-x");
    g_assert_cmpint (pxed_content_pread (c, buf, 3, 4), ==, 3);
    g_assert_cmpmem (buf, 3, "mac", 3);
    g_assert_cmpint (pxed_content_pread (c, buf, sizeof buf, 30), ==, 5);
    g_assert_cmpmem (buf, 5, "0.2.7", 5);
    g_assert_cmpint (pxed_content_pread (c, buf, sizeof buf, 35), ==, 0);
    g_assert_cmpint (pxed_content_pread (c, buf, sizeof buf, 1000), ==, 0);
  }
  /* No root and no provider: NOT_FOUND. */
  {
    g_autoptr(GError) error = NULL;
    g_assert_null (pxed_content_open (&test_host, NULL, "nothing", NULL, &error));
    g_assert_error (error, PXED_CONTENT_ERROR, PXED_CONTENT_ERROR_NOT_FOUND);
  }
  /* Removal: destroy runs, the root answers again. */
  pxed_content_remove_provider (&test_host, id_deny);
  g_assert_true (deny.destroyed);
  {
    g_autofree char *t = open_text (root, "pxelinux.cfg/deny", NULL, NULL);
    g_assert_cmpstr (t, ==, "generic:pxelinux.cfg/deny:-");
  }
  pxed_content_remove_provider (&test_host, id_any);
  pxed_content_remove_provider (&test_host, id_mac);
  pxed_content_remove_provider (&test_host, id_ks);
  g_assert_true (any.destroyed && mac.destroyed && ks.destroyed);
  {
    g_autofree char *t = open_text (root, "pxelinux.cfg/deny", NULL, NULL);
    g_assert_cmpstr (t, ==, "from the root\n");
  }
  g_free (mac.last_ip);
  g_free (any.last_ip);
  g_free (ks.last_ip);
  g_free (deny.last_ip);
}

/* A provider that removes itself while rendering. */
static guint self_id;

static void
flag_destroy (gpointer data)
{
  *(gboolean *) data = TRUE;
}

static GBytes *
self_removing_render (const char *path, const PxedRequestInfo *request, gpointer user_data,
                      GError **error)
{
  pxed_content_remove_provider (&test_host, self_id);
  g_assert_false (*(gboolean *) user_data); /* not destroyed while running */
  return g_bytes_new_static ("once", 4);
}

static void
test_provider_self_remove (void)
{
  gboolean destroyed = FALSE;
  g_autoptr(PxedContent) c = NULL;
  g_autoptr(GError) error = NULL;

  self_id = pxed_content_add_provider (&test_host, "once", self_removing_render, &destroyed,
                                       flag_destroy);
  c = pxed_content_open (&test_host, NULL, "once", NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (c);
  g_assert_true (destroyed);
  g_clear_pointer (&c, pxed_content_unref);
  g_assert_null (pxed_content_open (&test_host, NULL, "once", NULL, &error));
  g_assert_error (error, PXED_CONTENT_ERROR, PXED_CONTENT_ERROR_NOT_FOUND);
}

/* ---- Shared descriptors and pread -------------------------------------------- */

static void
test_shared_fd (void)
{
  g_autoptr(PxedContentRoot) root = pxed_content_root_new (&test_host, root_dir, NULL);
  g_autoptr(PxedContent) a = NULL;
  g_autoptr(PxedContent) b = NULL;
  g_autoptr(PxedContent) c = NULL;
  g_autoptr(PxedContent) via_link = NULL;
  g_autofree char *path = g_build_filename (root_dir, "shared.bin", NULL);
  g_autofree char *hard = g_build_filename (root_dir, "shared-hard.bin", NULL);
  char buf[16];
  struct timespec times[2] = { { 0, UTIME_OMIT }, { 1000000000, 0 } };
  guint fds;

  g_assert_true (g_file_set_contents (path, "0123456789", 10, NULL));
  fds = count_fds ();
  a = pxed_content_open (&test_host, root, "shared.bin", NULL, NULL);
  b = pxed_content_open (&test_host, root, "/shared.bin", NULL, NULL);
  g_assert_nonnull (a);
  g_assert_true (a == b);
  g_assert_cmpuint (pxed_content_service_get_n_open (test_host.content), ==, 1);
  g_assert_cmpuint (count_fds (), ==, fds + 1);
  g_assert_cmpuint (pxed_content_get_size (a), ==, 10);

  /* pread never moves a shared offset. */
  g_assert_cmpint (pxed_content_pread (a, buf, 4, 3), ==, 4);
  g_assert_cmpmem (buf, 4, "3456", 4);
  g_assert_cmpint (pxed_content_pread (b, buf, 4, 0), ==, 4);
  g_assert_cmpmem (buf, 4, "0123", 4);
  g_assert_cmpint (pxed_content_pread (a, buf, sizeof buf, 8), ==, 2);
  g_assert_cmpint (pxed_content_pread (a, buf, sizeof buf, 10), ==, 0);
  g_assert_cmpint (pxed_content_pread (a, buf, sizeof buf, 1000), ==, 0);

  /* The same file under another name is another entry (its own path). */
  g_assert_cmpint (link (path, hard), ==, 0);
  via_link = pxed_content_open (&test_host, root, "shared-hard.bin", NULL, NULL);
  g_assert_nonnull (via_link);
  g_assert_true (via_link != a);
  g_assert_cmpstr (pxed_content_get_path (via_link), ==, "shared-hard.bin");
  g_clear_pointer (&via_link, pxed_content_unref);

  /* A changed file (new mtime) is opened afresh; holders keep the old. */
  g_assert_cmpint (utimensat (AT_FDCWD, path, times, 0), ==, 0);
  c = pxed_content_open (&test_host, root, "shared.bin", NULL, NULL);
  g_assert_nonnull (c);
  g_assert_true (c != a);
  g_assert_cmpint (pxed_content_get_mtime (c), ==, 1000000000);
  g_assert_cmpuint (pxed_content_service_get_n_open (test_host.content), ==, 1);
  g_assert_cmpint (pxed_content_pread (a, buf, 2, 0), ==, 2);

  g_clear_pointer (&a, pxed_content_unref);
  g_clear_pointer (&b, pxed_content_unref);
  g_assert_cmpuint (pxed_content_service_get_n_open (test_host.content), ==, 1);
  g_clear_pointer (&c, pxed_content_unref);
  g_assert_cmpuint (pxed_content_service_get_n_open (test_host.content), ==, 0);
  g_assert_cmpuint (count_fds (), ==, fds);

  /* Without a host: no sharing, still works. */
  a = pxed_content_open (NULL, root, "shared.bin", NULL, NULL);
  b = pxed_content_open (NULL, root, "shared.bin", NULL, NULL);
  g_assert_true (a != NULL && b != NULL && a != b);
  g_clear_pointer (&a, pxed_content_unref);
  g_clear_pointer (&b, pxed_content_unref);
  g_assert_cmpuint (count_fds (), ==, fds);

  unlink (path);
  unlink (hard);
}

/* A content outliving its service keeps working and frees cleanly. */
static void
test_outlive_service (void)
{
  PxedHost host = { .content = pxed_content_service_new () };
  g_autoptr(PxedContentRoot) root = pxed_content_root_new (&host, root_dir, NULL);
  PxedContent *c = pxed_content_open (&host, root, "hello.txt", NULL, NULL);
  char buf[5];

  g_assert_nonnull (c);
  pxed_content_service_free (host.content);
  g_assert_cmpint (pxed_content_pread (c, buf, 5, 0), ==, 5);
  pxed_content_unref (c);
}

/* ---- From other threads ------------------------------------------------------------ */

static void
test_has_provider (void)
{
  FakeProvider gen = { "gen", "generated", -1 };
  g_autoptr(PxedContentRoot) root = pxed_content_root_new (&test_host, root_dir, NULL);
  g_autoptr(PxedContent) content = NULL;
  g_autoptr(GError) error = NULL;
  guint id;

  g_assert_false (pxed_content_has_provider (&test_host, "hello.txt"));
  g_assert_false (pxed_content_has_provider (NULL, "hello.txt"));
  id = pxed_content_add_provider (&test_host, "hel?o.*", fake_render, &gen, fake_destroy);
  g_assert_true (pxed_content_has_provider (&test_host, "hello.txt"));
  g_assert_true (pxed_content_has_provider (&test_host, "helLo.cfg/x"));
  g_assert_false (pxed_content_has_provider (&test_host, "dir/hello.txt"));
  g_assert_false (pxed_content_has_provider (&test_host, ""));

  /* open_file never asks a provider: the file beneath the root answers. */
  content = pxed_content_open_file (&test_host, root, "/./hello.txt", &error);
  g_assert_no_error (error);
  g_assert_nonnull (content);
  g_assert_false (pxed_content_is_generated (content));
  g_assert_cmpstr (pxed_content_get_path (content), ==, "hello.txt");
  g_assert_cmpuint (gen.calls, ==, 0);
  g_clear_pointer (&content, pxed_content_unref);
  content = pxed_content_open_file (&test_host, root, "hello.cfg", &error);
  g_assert_error (error, PXED_CONTENT_ERROR, PXED_CONTENT_ERROR_NOT_FOUND);
  g_assert_null (content);
  g_assert_cmpuint (gen.calls, ==, 0);
  g_clear_error (&error);
  content = pxed_content_open_file (&test_host, root, "../secret", &error);
  g_assert_error (error, PXED_CONTENT_ERROR, PXED_CONTENT_ERROR_INVALID_PATH);
  g_clear_error (&error);
  content = pxed_content_open_file (&test_host, root, "", &error);
  g_assert_error (error, PXED_CONTENT_ERROR, PXED_CONTENT_ERROR_IS_DIRECTORY);
  g_clear_error (&error);

  pxed_content_remove_provider (&test_host, id);
  g_assert_true (gen.destroyed);
  g_assert_false (pxed_content_has_provider (&test_host, "hello.txt"));
  g_free (gen.last_ip);
}

#define N_OPENERS 4

typedef struct {
  PxedContentRoot *root;
  gint            *stop;
  guint            n_opened;
  guint            n_claimed;
  gboolean         failed;
} Opener;

static gpointer
opener_thread (gpointer data)
{
  Opener *o = data;

  while (!g_atomic_int_get (o->stop))
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PxedContent) a = pxed_content_open_file (&test_host, o->root, "hello.txt", &error);
      g_autoptr(PxedContent) b = pxed_content_open_file (&test_host, o->root, "dir/../x", NULL);
      g_autoptr(PxedContent) c = pxed_content_open_file (&test_host, o->root, "missing", NULL);
      char buf[6];

      if (a == NULL || b != NULL || c != NULL
          || pxed_content_pread (a, buf, sizeof buf, 0) != 6 || memcmp (buf, "hello\n", 6) != 0)
        o->failed = TRUE;
      /* never claimed; claimed only while a provider is registered */
      if (pxed_content_has_provider (&test_host, "hello.txt"))
        o->failed = TRUE;
      if (pxed_content_has_provider (&test_host, "gen/a/b"))
        o->n_claimed++;
      o->n_opened++;
    }
  return NULL;
}

/* Opens from several threads at once while the main thread adds and removes
 * providers (and renders): nothing is lost, nothing leaks, every provider
 * is destroyed once, on the main thread. */
static void
test_threads (void)
{
  g_autoptr(PxedContentRoot) root = pxed_content_root_new (&test_host, root_dir, NULL);
  FakeProvider gen = { "gen", "generated", -1 };
  Opener openers[N_OPENERS];
  GThread *threads[N_OPENERS];
  gint stop = 0;
  guint fds = count_fds ();
  guint n_opened = 0, n_claimed = 0;
  gint64 end = g_get_monotonic_time () + G_USEC_PER_SEC / 2;
  guint rounds = 0;

  for (guint i = 0; i < N_OPENERS; i++)
    {
      openers[i] = (Opener) { .root = root, .stop = &stop };
      threads[i] = g_thread_new ("opener", opener_thread, &openers[i]);
    }
  while (g_get_monotonic_time () < end || rounds < 100)
    {
      guint id = pxed_content_add_provider (&test_host, "gen/*", fake_render, &gen, fake_destroy);
      g_autoptr(PxedContent) generated = NULL;

      gen.destroyed = FALSE;
      generated = pxed_content_open (&test_host, root, "gen/a/b", NULL, NULL);
      g_assert_nonnull (generated);
      g_assert_true (pxed_content_is_generated (generated));
      pxed_content_remove_provider (&test_host, id);
      g_assert_true (gen.destroyed);
      rounds++;
    }
  g_atomic_int_set (&stop, 1);
  for (guint i = 0; i < N_OPENERS; i++)
    {
      g_thread_join (threads[i]);
      g_assert_false (openers[i].failed);
      n_opened += openers[i].n_opened;
      n_claimed += openers[i].n_claimed;
    }
  g_test_message ("%u provider rounds, %u opens in %u threads, %u saw the provider", rounds,
                  n_opened, N_OPENERS, n_claimed);
  g_assert_cmpuint (n_opened, >, 0);
  g_assert_cmpuint (gen.calls, ==, rounds);
  g_assert_false (pxed_content_has_provider (&test_host, "gen/a/b"));
  g_assert_cmpuint (pxed_content_service_get_n_open (test_host.content), ==, 0);
  g_assert_cmpuint (count_fds (), ==, fds);
  g_free (gen.last_ip);
}

/* ---- Directories ------------------------------------------------------------------ */

static void
check_listing (PxedContentResolveMode mode)
{
  g_autoptr(PxedContentRoot) root = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) names = g_string_new (NULL);
  g_autofree char *expected = g_strdup_printf (
    "%%2e%%2e %s dir/ hello.txt link-in link-in-dir/ loop-dir/ pxelinux.cfg/ ", ok_component);

  pxed_content_set_resolve_mode (mode);
  root = pxed_content_root_new (&test_host, root_dir, NULL);

  list = pxed_content_list_dir (root, "/", &error);
  g_assert_no_error (error);
  for (guint i = 0; i < list->len; i++)
    {
      PxedDirEntry *e = g_ptr_array_index (list, i);
      g_string_append_printf (names, "%s%s ", e->name, e->is_dir ? "/" : "");
      if (strcmp (e->name, "hello.txt") == 0)
        g_assert_cmpuint (e->size, ==, 6);
      g_assert_cmpint (e->mtime, >, 0);
    }
  /* Sorted; no hidden files, no FIFO/device/socket, no links leading out,
   * links inside shown as their target's type. */
  g_assert_cmpstr (names->str, ==, expected);
  g_clear_pointer (&list, g_ptr_array_unref);

  g_string_truncate (names, 0);
  list = pxed_content_list_dir (root, "link-in-dir", &error);
  g_assert_no_error (error);
  for (guint i = 0; i < list->len; i++)
    {
      PxedDirEntry *e = g_ptr_array_index (list, i);
      g_string_append_printf (names, "%s%s ", e->name, e->is_dir ? "/" : "");
    }
  g_assert_cmpstr (names->str, ==, "inner.txt link-chain-in link-up sub/ ");
  g_clear_pointer (&list, g_ptr_array_unref);

  g_assert_null (pxed_content_list_dir (root, "hello.txt", &error));
  g_assert_error (error, PXED_CONTENT_ERROR, PXED_CONTENT_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_null (pxed_content_list_dir (root, "fifo", &error));
  g_assert_error (error, PXED_CONTENT_ERROR, PXED_CONTENT_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_null (pxed_content_list_dir (root, "../", &error));
  g_assert_error (error, PXED_CONTENT_ERROR, PXED_CONTENT_ERROR_INVALID_PATH);
  g_clear_error (&error);
  g_assert_null (pxed_content_list_dir (root, "link-dir-out", &error));
  g_assert_error (error, PXED_CONTENT_ERROR, PXED_CONTENT_ERROR_DENIED);
  g_clear_error (&error);
  g_assert_null (pxed_content_list_dir (root, "link-root-abs", &error));
  g_assert_error (error, PXED_CONTENT_ERROR, PXED_CONTENT_ERROR_DENIED);
  g_clear_error (&error);
  g_assert_null (pxed_content_list_dir (root, "dir/sub-out", &error));
  g_assert_error (error, PXED_CONTENT_ERROR, PXED_CONTENT_ERROR_DENIED);
  g_clear_error (&error);

  g_assert_true (pxed_content_is_dir (root, ""));
  g_assert_true (pxed_content_is_dir (root, "/dir/"));
  g_assert_true (pxed_content_is_dir (root, "link-in-dir"));
  g_assert_false (pxed_content_is_dir (root, "hello.txt"));
  g_assert_false (pxed_content_is_dir (root, "fifo"));
  g_assert_false (pxed_content_is_dir (root, "link-dir-out"));
  g_assert_false (pxed_content_is_dir (root, "link-root-abs"));
  g_assert_false (pxed_content_is_dir (root, ".."));
  g_assert_false (pxed_content_is_dir (root, "missing"));
  pxed_content_set_resolve_mode (PXED_CONTENT_RESOLVE_AUTO);
}

static void
test_list_dir_openat2 (void)
{
  check_listing (PXED_CONTENT_RESOLVE_OPENAT2);
}

static void
test_list_dir_walk (void)
{
  check_listing (PXED_CONTENT_RESOLVE_WALK);
}

/* ---- Roots and error mapping ------------------------------------------------------ */

static void
test_root (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *missing = g_build_filename (top_dir, "missing", NULL);
  g_autofree char *file = g_build_filename (root_dir, "hello.txt", NULL);
  g_autoptr(PxedContentRoot) root = pxed_content_root_new (&test_host, root_dir, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (pxed_content_root_get_dir (root), ==, root_dir);
  pxed_content_root_unref (pxed_content_root_ref (root));
  g_assert_null (pxed_content_root_new (&test_host, missing, &error));
  g_assert_error (error, PXED_CONTENT_ERROR, PXED_CONTENT_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_null (pxed_content_root_new (&test_host, file, &error));
  g_assert_error (error, PXED_CONTENT_ERROR, PXED_CONTENT_ERROR_NOT_FOUND);
}

static void
test_error_mapping (void)
{
  static const struct {
    int         code;
    guint       tftp, http;
    const char *text;
  } map[] = {
    { PXED_CONTENT_ERROR_NOT_FOUND, 1, 404, "File not found" },
    { PXED_CONTENT_ERROR_DENIED, 2, 403, "Access violation" },
    { PXED_CONTENT_ERROR_INVALID_PATH, 2, 400, "Invalid path" },
    { PXED_CONTENT_ERROR_IS_DIRECTORY, 2, 403, "Not a file" },
    { PXED_CONTENT_ERROR_TOO_LARGE, 0, 413, "File too large" },
    { PXED_CONTENT_ERROR_FAILED, 0, 500, "Internal error" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (map); i++)
    {
      g_autoptr(GError) e = g_error_new (PXED_CONTENT_ERROR, map[i].code, "/srv/secret/path");
      g_assert_cmpuint (pxed_content_error_to_tftp (e), ==, map[i].tftp);
      g_assert_cmpuint (pxed_content_error_to_http (e), ==, map[i].http);
      g_assert_cmpstr (pxed_content_error_to_text (e), ==, map[i].text);
    }
  {
    g_autoptr(GError) e = g_error_new (G_FILE_ERROR, G_FILE_ERROR_NOENT, "/srv");
    g_assert_cmpuint (pxed_content_error_to_tftp (e), ==, 0);
    g_assert_cmpuint (pxed_content_error_to_http (e), ==, 500);
    g_assert_cmpstr (pxed_content_error_to_text (e), ==, "Internal error");
    g_assert_cmpuint (pxed_content_error_to_tftp (NULL), ==, 0);
  }
}

int
main (int argc, char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  build_tree ();
  init_long_rows ();
  test_host.content = pxed_content_service_new ();

  g_test_add_func ("/content/normalize/table", test_normalize);
  g_test_add_func ("/content/hostile/openat2", test_hostile_openat2);
  g_test_add_func ("/content/hostile/walk", test_hostile_walk);
  g_test_add_func ("/content/providers/match", test_providers);
  g_test_add_func ("/content/providers/self-remove", test_provider_self_remove);
  g_test_add_func ("/content/file/shared-fd", test_shared_fd);
  g_test_add_func ("/content/file/outlive-service", test_outlive_service);
  g_test_add_func ("/content/file/has-provider", test_has_provider);
  g_test_add_func ("/content/file/threads", test_threads);
  g_test_add_func ("/content/dir/openat2", test_list_dir_openat2);
  g_test_add_func ("/content/dir/walk", test_list_dir_walk);
  g_test_add_func ("/content/root/new", test_root);
  g_test_add_func ("/content/error/mapping", test_error_mapping);
  ret = g_test_run ();

  pxed_content_service_free (test_host.content);
  nftw (top_dir, remove_cb, 16, FTW_DEPTH | FTW_PHYS);
  g_free (root_dir);
  g_free (top_dir);
  return ret;
}
