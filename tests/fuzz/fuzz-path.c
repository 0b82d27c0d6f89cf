/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzzes the content path normaliser and the open beneath a root (through
 * both openat2 and the fallback walk). Aborts when a normalised path breaks
 * an invariant or when anything outside the root is ever served. The root is
 * a temporary tree built once:
 *   T/secret                    outside the root
 *   T/root/hello.txt, T/root/dir/inner.txt, T/root/pxelinux.cfg/default
 *   T/root/out-abs -> T/secret, out-rel -> ../secret, up -> .., slash -> /,
 *   in -> hello.txt, dirlink -> dir, loop -> loop, dot -> ., fifo */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pxed-content-private.h"
#include "pxed-host-private.h"

#define SECRET "FUZZ-SECRET-OUTSIDE-THE-ROOT"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static char *top_dir;
static PxedHost fuzz_host;
static PxedContentRoot *fuzz_root;
static struct stat secret_st;

static int
remove_cb (const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
  return remove (path);
}

static void
cleanup (void)
{
  g_clear_pointer (&fuzz_root, pxed_content_root_unref);
  g_clear_pointer (&fuzz_host.content, pxed_content_service_free);
  if (top_dir != NULL)
    nftw (top_dir, remove_cb, 16, FTW_DEPTH | FTW_PHYS);
  g_clear_pointer (&top_dir, g_free);
}

static void
put (const char *rel, const char *contents)
{
  g_autofree char *path = g_build_filename (top_dir, rel, NULL);
  if (!g_file_set_contents (path, contents, -1, NULL))
    abort ();
}

static void
mk (const char *rel)
{
  g_autofree char *path = g_build_filename (top_dir, rel, NULL);
  if (mkdir (path, 0755) != 0)
    abort ();
}

static void
ln (const char *target, const char *rel)
{
  g_autofree char *path = g_build_filename (top_dir, rel, NULL);
  if (symlink (target, path) != 0)
    abort ();
}

static void
setup_once (void)
{
  g_autofree char *secret = NULL;
  g_autofree char *root = NULL;
  g_autofree char *fifo = NULL;

  if (top_dir != NULL)
    return;
  top_dir = g_dir_make_tmp ("pxed-fuzz-path-XXXXXX", NULL);
  if (top_dir == NULL)
    abort ();
  atexit (cleanup);
  secret = g_build_filename (top_dir, "secret", NULL);
  root = g_build_filename (top_dir, "root", NULL);
  put ("secret", SECRET);
  mk ("root");
  put ("root/hello.txt", "hello");
  mk ("root/dir");
  put ("root/dir/inner.txt", "inner");
  mk ("root/pxelinux.cfg");
  put ("root/pxelinux.cfg/default", "default");
  ln (secret, "root/out-abs");
  ln ("../secret", "root/out-rel");
  ln ("..", "root/up");
  ln ("/", "root/slash");
  ln ("hello.txt", "root/in");
  ln ("dir", "root/dirlink");
  ln ("loop", "root/loop");
  ln (".", "root/dot");
  ln ("../../secret", "root/dir/out2");
  fifo = g_build_filename (root, "fifo", NULL);
  if (mkfifo (fifo, 0644) != 0 || stat (secret, &secret_st) != 0)
    abort ();
  fuzz_host.content = pxed_content_service_new ();
  fuzz_root = pxed_content_root_new (&fuzz_host, root, NULL);
  if (fuzz_root == NULL)
    abort ();
}

static void
check_normalized (const char *norm)
{
  g_auto(GStrv) parts = NULL;
  gsize len = strlen (norm);
  g_autofree char *again = NULL;

  if (len > PXED_CONTENT_PATH_MAX)
    abort ();
  if (len == 0)
    return;
  if (norm[0] == '/' || norm[len - 1] == '/' || strchr (norm, '\\') != NULL
      || strstr (norm, "//") != NULL)
    abort ();
  for (gsize i = 0; i < len; i++)
    if ((guchar) norm[i] < 0x20 || (guchar) norm[i] == 0x7f)
      abort ();
  parts = g_strsplit (norm, "/", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    if (strcmp (parts[i], ".") == 0 || strcmp (parts[i], "..") == 0 || parts[i][0] == '\0'
        || strlen (parts[i]) > PXED_CONTENT_NAME_MAX)
      abort ();
  /* Idempotent. */
  again = pxed_content_normalize_path (norm, len, NULL);
  if (again == NULL || strcmp (again, norm) != 0)
    abort ();
}

static void
check_open (const char *path)
{
  g_autoptr(PxedContent) content = pxed_content_open (&fuzz_host, fuzz_root, path, NULL, NULL);
  g_autoptr(GPtrArray) list = NULL;

  if (content != NULL)
    {
      char buf[256];
      gssize n = pxed_content_pread (content, buf, sizeof buf - 1, 0);
      struct stat st;

      if (n < 0)
        abort ();
      buf[n] = '\0';
      if (strstr (buf, "SECRET") != NULL)
        abort ();
      if (fstat (pxed_content_get_fd (content), &st) != 0
          || (st.st_dev == secret_st.st_dev && st.st_ino == secret_st.st_ino))
        abort ();
    }
  list = pxed_content_list_dir (fuzz_root, path, NULL);
  if (list != NULL)
    for (guint i = 0; i < list->len; i++)
      {
        PxedDirEntry *e = g_ptr_array_index (list, i);
        if (strcmp (e->name, "secret") == 0 || strcmp (e->name, "root") == 0)
          abort (); /* a listing of the root's parent */
      }
  (void) pxed_content_is_dir (fuzz_root, path);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *norm = NULL;
  g_autofree char *cstr = NULL;

  setup_once ();
  norm = pxed_content_normalize_path ((const char *) data, size, NULL);
  if (norm != NULL)
    check_normalized (norm);
  if (size > 4 * PXED_CONTENT_PATH_MAX)
    return 0;

  /* What a transport hands over: the bytes up to the first NUL. */
  cstr = g_strndup ((const char *) data, size);
  pxed_content_set_resolve_mode (PXED_CONTENT_RESOLVE_OPENAT2);
  check_open (cstr);
  pxed_content_set_resolve_mode (PXED_CONTENT_RESOLVE_WALK);
  check_open (cstr);
  pxed_content_set_resolve_mode (PXED_CONTENT_RESOLVE_AUTO);
  if (pxed_content_service_get_n_open (fuzz_host.content) != 0)
    abort ();
  return 0;
}
