/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* floor: a deliberately minimal TFTP read server, only for the benchmark.
 *
 * It measures what any server that keeps RFC 1350's one socket per transfer
 * (a new TID) costs on this machine at the least: RRQ -> a new socket, the
 * file mmap'ed once, per ACK exactly one recv and one send, one epoll set,
 * no logging, no limits, no clock reads. Its only retransmission answers a
 * client that repeats its last ACK (the client's timeout). Not a server to deploy: no
 * path checks beyond refusing "..", no netascii, windowsize ignored.
 *
 *   floor ADDR PORT ROOT
 * Environment: FLOOR_CONNECT=1 connect()s each transfer socket to the
 * client (send/recv instead of sendto/recvfrom; a stray TID then gets no
 * error 5, the kernel drops it). FLOOR_BATCH=N: epoll_wait returns up to N
 * events (default 256).
 *
 * Built with -DFLOOR_URING -luring (liburing-dev), it is the same server on
 * io_uring instead of epoll: connected transfer sockets, one multishot recv
 * per socket into a ring of provided buffers, DATA queued as SQEs whose
 * successes post nothing, and one io_uring_enter per batch of completions
 * (submits every queued send and waits): one syscall per wake-up for any
 * number of packets, instead of two per packet. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>
#ifdef FLOOR_URING
#include <liburing.h>
#include <poll.h>
#endif

typedef struct {
  char          *name;
  const uint8_t *data;
  size_t         size;
} File;

typedef struct {
  int                fd;
  struct sockaddr_in peer;
  struct msghdr      msg;      /* io_uring: must live until the send is done */
  struct iovec       iov[2];
  uint8_t            hdr[64];
  const File        *file;
  unsigned           blksize;
  uint64_t           n_blocks; /* size / blksize + 1 */
  uint64_t           cur;      /* block in flight, 0: the OACK */
  int                dead;     /* io_uring: waiting for the recv's end */
} Session;

static File files[64];
static unsigned n_files;
static int rootfd;
static int use_connect;

static const File *
file_get (const char *name)
{
  struct stat st;
  void *map;
  int fd;

  while (*name == '/')
    name++;
  if (strstr (name, "..") != NULL)
    return NULL;
  for (unsigned i = 0; i < n_files; i++)
    if (strcmp (files[i].name, name) == 0)
      return &files[i];
  if (n_files == sizeof files / sizeof files[0])
    return NULL;
  fd = openat (rootfd, name, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return NULL;
  if (fstat (fd, &st) < 0 || st.st_size == 0)
    {
      close (fd);
      return NULL;
    }
  map = mmap (NULL, (size_t) st.st_size, PROT_READ, MAP_SHARED | MAP_POPULATE, fd, 0);
  close (fd);
  if (map == MAP_FAILED)
    return NULL;
  files[n_files].name = strdup (name);
  files[n_files].data = map;
  files[n_files].size = (size_t) st.st_size;
  return &files[n_files++];
}

#ifdef FLOOR_URING
static struct io_uring ring;
#endif

/* Fills s->msg with the packet in flight. */
static struct msghdr *
session_packet (Session *s)
{
  uint8_t *hdr = s->hdr;
  struct iovec *iov = s->iov;
  struct msghdr *msgp = &s->msg;
#define msg (*msgp)

  if (s->cur == 0)
    {
      char *oack = (char *) s->hdr;
      int n;

      memset (msgp, 0, sizeof *msgp);
      oack[0] = 0;
      oack[1] = 6;
      n = snprintf (oack + 2, sizeof s->hdr - 2, "blksize%c%u%ctsize%c%zu", 0, s->blksize, 0, 0,
                    s->file->size);
      iov[0].iov_base = oack;
      iov[0].iov_len = (size_t) n + 3;
      msg.msg_iovlen = 1;
    }
  else
    {
      uint64_t off = (s->cur - 1) * s->blksize;
      size_t len = off + s->blksize <= s->file->size ? s->blksize : s->file->size - off;

      memset (msgp, 0, sizeof *msgp);
      hdr[0] = 0;
      hdr[1] = 3;
      hdr[2] = (uint8_t) (s->cur >> 8);
      hdr[3] = (uint8_t) s->cur;
      iov[0].iov_base = hdr;
      iov[0].iov_len = 4;
      iov[1].iov_base = (void *) (s->file->data + off);
      iov[1].iov_len = len;
      msg.msg_iovlen = 2;
    }
  msg.msg_iov = iov;
  if (!use_connect)
    {
      msg.msg_name = &s->peer;
      msg.msg_namelen = sizeof s->peer;
    }
#undef msg
  return msgp;
}

static void
session_send (Session *s)
{
#ifdef FLOOR_URING
  if (s->cur > 0)
    {
      /* Queued; the next io_uring_enter submits it. A success posts no
       * completion; a failure posts one with user_data 0 (ignored). */
      struct io_uring_sqe *sqe = io_uring_get_sqe (&ring);

      if (sqe == NULL)
        {
          io_uring_submit (&ring);
          sqe = io_uring_get_sqe (&ring);
        }
      io_uring_prep_sendmsg (sqe, s->fd, session_packet (s), 0);
      sqe->flags |= IOSQE_CQE_SKIP_SUCCESS;
      io_uring_sqe_set_data64 (sqe, 0);
      return;
    }
#endif
  (void) sendmsg (s->fd, session_packet (s), 0);
}

#ifdef FLOOR_URING
#define N_BUFS 4096
#define BUF_SIZE 64
#define UD_LISTEN 2
static struct io_uring_buf_ring *bufring;
static uint8_t *bufs;

static struct io_uring_sqe *
sqe_get (void)
{
  struct io_uring_sqe *sqe = io_uring_get_sqe (&ring);

  if (sqe == NULL)
    {
      io_uring_submit (&ring);
      sqe = io_uring_get_sqe (&ring);
    }
  return sqe;
}

/* Every packet of the session's socket, each into a provided buffer. */
static void
session_arm (Session *s)
{
  struct io_uring_sqe *sqe = sqe_get ();

  io_uring_prep_recv_multishot (sqe, s->fd, NULL, 0, 0);
  sqe->flags |= IOSQE_BUFFER_SELECT;
  sqe->buf_group = 0;
  io_uring_sqe_set_data64 (sqe, (uint64_t) (uintptr_t) s | 1);
}
#endif

static void
session_free (int ep, Session *s)
{
#ifdef FLOOR_URING
  /* Cancel the multishot recv; its last completion frees the session. */
  struct io_uring_sqe *sqe = sqe_get ();

  (void) ep;
  s->dead = 1;
  io_uring_prep_cancel64 (sqe, (uint64_t) (uintptr_t) s | 1, 0);
  sqe->flags |= IOSQE_CQE_SKIP_SUCCESS;
  io_uring_sqe_set_data64 (sqe, 0);
#else
  epoll_ctl (ep, EPOLL_CTL_DEL, s->fd, NULL);
  close (s->fd);
  free (s);
#endif
}

/* One RRQ: "file\0mode\0[blksize\0N\0][tsize\0N\0]...". Only octet.
 * 0: nothing was there to read. */
static int
on_request (int ep, int lfd, const struct sockaddr_in *local)
{
  uint8_t buf[1500];
  struct sockaddr_in peer;
  socklen_t plen = sizeof peer;
  ssize_t n = recvfrom (lfd, buf, sizeof buf - 1, 0, (struct sockaddr *) &peer, &plen);
  const char *p, *end, *name, *mode;
  const File *f;
  Session *s;
  struct epoll_event ev;
  struct sockaddr_in a = *local;
  unsigned blksize = 512;
  int oack = 0;
  uint64_t v;

  if (n < 0)
    return 0;
  if (n < 4 || buf[0] != 0 || buf[1] != 1)
    return 1;
  buf[n] = 0;
  p = (const char *) buf + 2;
  end = (const char *) buf + n;
  name = p;
  p += strlen (p) + 1;
  if (p >= end)
    return 1;
  mode = p;
  p += strlen (p) + 1;
  if (strcasecmp (mode, "octet") != 0)
    return 1;
  while (p < end)
    {
      const char *opt = p, *val;

      p += strlen (p) + 1;
      if (p >= end)
        break;
      val = p;
      p += strlen (p) + 1;
      v = strtoull (val, NULL, 10);
      if (strcasecmp (opt, "blksize") == 0 && v >= 8 && v <= 65464)
        {
          blksize = (unsigned) v;
          oack = 1;
        }
      else if (strcasecmp (opt, "tsize") == 0)
        oack = 1;
    }
  f = file_get (name);
  if (f == NULL)
    {
      static const uint8_t err[] = { 0, 5, 0, 1, 'F', 'i', 'l', 'e', ' ', 'n', 'o', 't', ' ',
                                     'f', 'o', 'u', 'n', 'd', 0 };
      (void) sendto (lfd, err, sizeof err, 0, (struct sockaddr *) &peer, plen);
      return 1;
    }
  s = calloc (1, sizeof *s);
  s->fd = socket (AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  a.sin_port = 0;
  if (s->fd < 0 || bind (s->fd, (struct sockaddr *) &a, sizeof a) < 0
      || (use_connect && connect (s->fd, (struct sockaddr *) &peer, plen) < 0))
    {
      perror ("floor: transfer socket");
      if (s->fd >= 0)
        close (s->fd);
      free (s);
      return 1;
    }
  s->peer = peer;
  s->file = f;
  s->blksize = blksize;
  s->n_blocks = f->size / blksize + 1;
  s->cur = oack ? 0 : 1;
#ifdef FLOOR_URING
  (void) ev;
  (void) ep;
  session_arm (s);
#else
  ev.events = EPOLLIN;
  ev.data.ptr = s;
  epoll_ctl (ep, EPOLL_CTL_ADD, s->fd, &ev);
#endif
  session_send (s);
  return 1;
}

/* One packet from the client: at most one send. */
static void
on_packet (int ep, Session *s, const uint8_t *buf, ssize_t n)
{
  uint16_t blk;

  if (n < 4 || buf[1] != 4)
    {
      if (n >= 2 && buf[1] == 5)
        session_free (ep, s);
      return;
    }
  blk = (uint16_t) ((buf[2] << 8) | buf[3]);
  if (blk != (uint16_t) s->cur)
    {
      /* The client timed out and repeats its last ACK: resend (the floor's
       * only retransmission; loopback rarely loses anything). */
      if (blk == (uint16_t) (s->cur - 1))
        session_send (s);
      return;
    }
  if (s->cur == s->n_blocks)
    {
      session_free (ep, s);
      return;
    }
  s->cur++;
  session_send (s);
}

#ifdef FLOOR_URING
static void
listen_arm (int lfd)
{
  struct io_uring_sqe *sqe = sqe_get ();

  io_uring_prep_poll_multishot (sqe, lfd, POLLIN);
  io_uring_sqe_set_data64 (sqe, UD_LISTEN);
}

static int
uring_main (int lfd, const struct sockaddr_in *local)
{
  struct io_uring_params params = { 0 };
  struct io_uring_buf_reg reg = { 0 };
  int mask = io_uring_buf_ring_mask (N_BUFS);

  params.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN;
  params.cq_entries = 16384;
  params.flags |= IORING_SETUP_CQSIZE;
  if (io_uring_queue_init_params (4096, &ring, &params) < 0)
    {
      memset (&params, 0, sizeof params);
      params.cq_entries = 16384;
      params.flags = IORING_SETUP_CQSIZE;
      if (io_uring_queue_init_params (4096, &ring, &params) < 0)
        {
          perror ("floor: io_uring_queue_init");
          return 1;
        }
    }
  bufring = mmap (NULL, N_BUFS * sizeof (struct io_uring_buf), PROT_READ | PROT_WRITE,
                  MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
  bufs = malloc (N_BUFS * BUF_SIZE);
  reg.ring_addr = (uint64_t) (uintptr_t) bufring;
  reg.ring_entries = N_BUFS;
  reg.bgid = 0;
  if (bufring == MAP_FAILED || io_uring_register_buf_ring (&ring, &reg, 0) < 0)
    {
      fprintf (stderr, "floor: provided buffer ring refused\n");
      return 1;
    }
  io_uring_buf_ring_init (bufring);
  for (int i = 0; i < N_BUFS; i++)
    io_uring_buf_ring_add (bufring, bufs + i * BUF_SIZE, BUF_SIZE, (unsigned short) i, mask, i);
  io_uring_buf_ring_advance (bufring, N_BUFS);
  listen_arm (lfd);
  for (;;)
    {
      struct io_uring_cqe *cqe;
      unsigned head, seen = 0;
      int recycled = 0;

      if (io_uring_submit_and_wait (&ring, 1) < 0 && errno != EINTR)
        {
          /* liburing returns -errno; EINTR or EBUSY: try again */
        }
      io_uring_for_each_cqe (&ring, head, cqe)
        {
          uint64_t ud = cqe->user_data;
          Session *s;

          seen++;
          if (ud == 0)
            continue; /* a failed send: the client's timeout repairs it */
          if (ud == UD_LISTEN)
            {
              while (on_request (-1, lfd, local))
                ;
              if (!(cqe->flags & IORING_CQE_F_MORE))
                listen_arm (lfd);
              continue;
            }
          s = (Session *) (uintptr_t) (ud & ~(uint64_t) 3);
          if (cqe->flags & IORING_CQE_F_BUFFER)
            {
              unsigned short bid = (unsigned short) (cqe->flags >> IORING_CQE_BUFFER_SHIFT);

              if (!s->dead && cqe->res > 0)
                on_packet (-1, s, bufs + bid * BUF_SIZE, cqe->res);
              io_uring_buf_ring_add (bufring, bufs + bid * BUF_SIZE, BUF_SIZE, bid, mask,
                                     recycled++);
            }
          if (!(cqe->flags & IORING_CQE_F_MORE))
            {
              if (s->dead)
                {
                  close (s->fd);
                  free (s);
                }
              else
                session_arm (s); /* ENOBUFS and the like */
            }
        }
      io_uring_cq_advance (&ring, seen);
      if (recycled > 0)
        io_uring_buf_ring_advance (bufring, recycled);
    }
}
#endif

int
main (int argc, char **argv)
{
  struct sockaddr_in local = { .sin_family = AF_INET };
  struct epoll_event ev, *evs;
  int ep, lfd, batch = 256;

  if (argc != 4)
    {
      fprintf (stderr, "usage: %s ADDR PORT ROOT\n", argv[0]);
      return 2;
    }
  use_connect = getenv ("FLOOR_CONNECT") != NULL && atoi (getenv ("FLOOR_CONNECT")) != 0;
  if (getenv ("FLOOR_BATCH") != NULL)
    batch = atoi (getenv ("FLOOR_BATCH")) > 0 ? atoi (getenv ("FLOOR_BATCH")) : 1;
  evs = calloc ((size_t) batch, sizeof *evs);
  if (inet_pton (AF_INET, argv[1], &local.sin_addr) != 1)
    return 2;
  local.sin_port = htons ((uint16_t) atoi (argv[2]));
  rootfd = open (argv[3], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  lfd = socket (AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (rootfd < 0 || lfd < 0 || bind (lfd, (struct sockaddr *) &local, sizeof local) < 0)
    {
      perror ("floor");
      return 1;
    }
#ifdef FLOOR_URING
  use_connect = 1;
  return uring_main (lfd, &local);
#endif
  ep = epoll_create1 (EPOLL_CLOEXEC);
  ev.events = EPOLLIN;
  ev.data.ptr = NULL;
  epoll_ctl (ep, EPOLL_CTL_ADD, lfd, &ev);
  for (;;)
    {
      int n = epoll_wait (ep, evs, batch, -1);

      if (n < 0 && errno == EINTR)
        continue;
      for (int i = 0; i < n; i++)
        {
          Session *s = evs[i].data.ptr;
          uint8_t buf[516];

          if (s == NULL)
            on_request (ep, lfd, &local);
          else
            on_packet (ep, s, buf, recv (s->fd, buf, sizeof buf, 0));
        }
    }
}
