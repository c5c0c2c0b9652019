/*
 * glasspane-capture: Glasspane's dedicated capture helper, the only program that needs capture rights
 * (CAP_NET_RAW alone), as Wireshark's dumpcap is for Wireshark. It opens the interfaces it
 * is given with libpcap and streams frames to its parent on stdout in the framing of
 * src-main/capture/live/framing.ts, byte for byte what capture-process.ts (the Node helper) writes,
 * so live-source.ts reads either. It decodes nothing.
 *
 *   glasspane-capture --interface eth0 [--interface lo ...] [--filter EXPR] [--snaplen N]
 *                     [--buffer-size BYTES] [--stats-interval-ms MS] [--max-queue-bytes BYTES]
 *                     [--allow-pseudo-device]
 *   glasspane-capture --list
 *   glasspane-capture --check-filter EXPR   (compile only: no interface opened, no rights kept)
 *   glasspane-capture --check-rights        (prints "yes" when it could capture: CAP_NET_RAW permitted)
 *
 * The arguments are built by live-source.ts (helperArgv) from the same CaptureConfig the Node helper
 * gets as JSON; ranges match src-main/capture/live/config.ts.
 *
 * It stops (STATUS stopping, final STATS, exit 0) on a "stop" line on stdin, when stdin closes (the
 * parent went away), on SIGTERM/SIGINT/SIGHUP; it exits 0 silently when stdout breaks, and 2 after
 * an ERROR record. Error records carry a code, the interface and libpcap's own words (detail); the
 * app turns them into actionable messages (src-main/capture/live/errors.ts).
 *
 * Privileges (installed root:glasspane 0750 with cap_net_raw=ep, see assets/linux/after-install.sh):
 * refuses to run setuid/setgid (capabilities via setcap are the way); clears its environment (and
 * wipes the block exec gave it) first; holds CAP_NET_RAW in its effective set only around
 * pcap_activate(), the one call that opens a capture socket; once every handle is open it drops all
 * capabilities and sets no_new_privs (Linux), as nothing after that needs them. It captures network
 * interfaces only: libpcap's pseudo-devices (netfilter, D-Bus, Bluetooth, USB) are refused unless root
 * passes --allow-pseudo-device, and kernel buffers are capped (BUFFER_MAX, BUFFER_TOTAL_MAX).
 * Memory is bounded: one output ring of max-queue-bytes (+ room for control records); frames that do
 * not fit are dropped and counted, never queued without bound, and a slow reader never blocks capture.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#endif

/* framing.ts */
#define REC_FRAME 1
#define REC_STATUS 2
#define REC_STATS 3
#define REC_ERROR 4
#define FRAME_HEADER 24
#define FLAG_SNAPPED 1

/* config.ts */
#define MAX_INTERFACES 64
#define MAX_SNAPLEN 65535
#define MAX_NAME 256
#define MAX_FILTER 8192
/* Kernel capture buffer: at most 64 MiB per interface and 256 MiB for all of them together. */
#define BUFFER_MAX (64L * 1024 * 1024)
#define BUFFER_TOTAL_MAX (256L * 1024 * 1024)
#define BUFFER_DEFAULT (32L * 1024 * 1024)
/* Frames waiting for the parent: about two seconds at 200k packets/s, while its analysis warms up. */
#define QUEUE_DEFAULT (128L * 1024 * 1024)

/* Room beyond max-queue-bytes kept for control records, which are never refused for frames. */
#define CONTROL_SLACK (256 * 1024)
/* Largest control record (JSON); an interface listing that would pass it is cut short. */
#define JSON_MAX (192 * 1024)
#define STDIN_LINE 256
/* Frames read from one interface per poll round, so that one busy interface cannot starve others. */
#define DISPATCH_BATCH 256
#define DRAIN_MS 2000
/* How long a stop waits for frames the kernel holds: past the 100 ms block timeout, with room. */
#define HELD_MS 250

struct iface {
  int index;
  const char *name;
  pcap_t *p;
  int fd;
  int link_type;
  char link_type_name[64];
  uint64_t packets, bytes, queue_drops, snapped;
  /* pcap_stats() counters are u_int and wrap; accumulated here as 64-bit. */
  int have_pcap;
  unsigned int last_recv, last_drop, last_ifdrop;
  uint64_t recv, drop, ifdrop;
  int have_base;
  unsigned long long base[4]; /* rx_packets, tx_packets, rx_dropped, rx_missed_errors */
  /* The same counters when the stop came: the final stats' missed estimate is taken against them. */
  int have_at_stop;
  unsigned long long at_stop[4];
};

static struct {
  const char *ifaces[MAX_INTERFACES];
  int n_ifaces;
  const char *filter;
  long snaplen, buffer_size, stats_ms, max_queue;
  int list, buffer_given, allow_pseudo;
} cfg = {{0}, 0, "", MAX_SNAPLEN, BUFFER_DEFAULT, 1000, QUEUE_DEFAULT, 0, 0, 0};

static struct iface ifs[MAX_INTERFACES];
static int n_open;
static int unfiltered = 1;
static int nano;

/* ---- output ring: bytes waiting for stdout ---- */

static unsigned char *ring;
static size_t ring_cap, ring_start, ring_len;
static size_t frame_limit; /* frames are refused past this many queued bytes */
/* How far into the ring bytes were written since its pages were last given back. */
static size_t ring_touched;
/*
 * The queue is large (it absorbs the analysis warming up on a busy link), but only a backlog
 * touches it: once a backlog of more than twice this has drained, its pages beyond the first
 * RING_KEEP bytes go back to the system, so a helper that caught up does not keep a hundred
 * megabytes resident for good.
 */
#define RING_KEEP (4L * 1024 * 1024)

static int ring_init(size_t cap) {
  unsigned char *n = malloc(cap);
  if (n == NULL) return -1;
  /* Keep what is queued already (startup errors may be waiting), in order. */
  size_t first = ring_len < ring_cap - ring_start ? ring_len : ring_cap - ring_start;
  if (ring_len > cap) {
    free(n);
    return -1;
  }
  if (ring_len > 0) {
    memcpy(n, ring + ring_start, first);
    memcpy(n + first, ring, ring_len - first);
  }
  free(ring);
  ring = n;
  ring_cap = cap;
  ring_start = 0;
  ring_touched = ring_len;
  return 0;
}

static void ring_put(const void *data, size_t n) {
  size_t end = (ring_start + ring_len) % ring_cap;
  size_t room = ring_cap - end;
  if (n <= room) {
    memcpy(ring + end, data, n);
  } else {
    memcpy(ring + end, data, room);
    memcpy(ring, (const unsigned char *)data + room, n - room);
  }
  ring_len += n;
  size_t reach = ring_start + ring_len > ring_cap ? ring_cap : ring_start + ring_len;
  if (reach > ring_touched) ring_touched = reach;
}

/* The ring is empty: give back the pages a backlog touched beyond the first RING_KEEP bytes. */
static void ring_release(void) {
#ifdef MADV_DONTNEED
  if (ring_touched <= 2 * RING_KEEP) return;
  long page = sysconf(_SC_PAGESIZE);
  if (page <= 0) return;
  uintptr_t from = ((uintptr_t)ring + RING_KEEP + (uintptr_t)page - 1) & ~((uintptr_t)page - 1);
  uintptr_t to = ((uintptr_t)ring + ring_touched) & ~((uintptr_t)page - 1);
  /* Interior pages of our own block only: the contents are not needed, the next write refills them. */
  if (to > from) madvise((void *)from, to - from, MADV_DONTNEED);
  ring_touched = RING_KEEP;
#endif
}

static void le16(unsigned char *o, unsigned v) {
  o[0] = (unsigned char)(v & 0xff);
  o[1] = (unsigned char)((v >> 8) & 0xff);
}

static void le32(unsigned char *o, uint32_t v) {
  for (int i = 0; i < 4; i++) o[i] = (unsigned char)((v >> (8 * i)) & 0xff);
}

static void le64(unsigned char *o, uint64_t v) {
  for (int i = 0; i < 8; i++) o[i] = (unsigned char)((v >> (8 * i)) & 0xff);
}

/* One FRAME record; 0 when the queue is full (the caller counts a queue drop). */
static int put_frame(int iface, int link_type, double ts_ms, uint32_t wire_len, const unsigned char *data,
                     uint32_t cap_len) {
  size_t need = FRAME_HEADER + (size_t)cap_len;
  if (ring_len + need > frame_limit || ring_len + need > ring_cap) return 0;
  unsigned char h[FRAME_HEADER];
  uint64_t bits;
  le32(h, (uint32_t)(FRAME_HEADER - 4 + cap_len));
  h[4] = REC_FRAME;
  h[5] = cap_len < wire_len ? FLAG_SNAPPED : 0;
  le16(h + 6, (unsigned)iface);
  le16(h + 8, (unsigned)link_type);
  le16(h + 10, 0);
  memcpy(&bits, &ts_ms, sizeof bits);
  le64(h + 12, bits);
  le32(h + 20, wire_len);
  ring_put(h, FRAME_HEADER);
  ring_put(data, cap_len);
  return 1;
}

/* One control record (JSON); dropped only when even the slack is full (the reader is stuck). */
static void put_control(int type, const char *json, size_t n) {
  unsigned char h[5];
  if (ring_len + 5 + n > ring_cap) return;
  le32(h, (uint32_t)(1 + n));
  h[4] = (unsigned char)type;
  ring_put(h, 5);
  ring_put(json, n);
}

static void close_all(void);

/* Writes what stdout takes now. Returns -1 when the reader is gone. */
static int flush_some(void) {
  while (ring_len > 0) {
    struct iovec iov[2];
    int cnt = 1;
    size_t first = ring_cap - ring_start;
    if (first >= ring_len) {
      iov[0].iov_base = ring + ring_start;
      iov[0].iov_len = ring_len;
    } else {
      iov[0].iov_base = ring + ring_start;
      iov[0].iov_len = first;
      iov[1].iov_base = ring;
      iov[1].iov_len = ring_len - first;
      cnt = 2;
    }
    ssize_t w = writev(STDOUT_FILENO, iov, cnt);
    if (w < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
      return -1;
    }
    ring_start = (ring_start + (size_t)w) % ring_cap;
    ring_len -= (size_t)w;
  }
  ring_start = 0;
  ring_release();
  return 0;
}

/* The parent stopped reading: nobody to report to. */
static void broken(void) {
  close_all();
  exit(0);
}

/* Writes everything queued, waiting at most DRAIN_MS. */
static void drain(void) {
  struct timespec t0, t;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (;;) {
    if (flush_some() < 0) return;
    if (ring_len == 0) return;
    clock_gettime(CLOCK_MONOTONIC, &t);
    long spent = (long)(t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000;
    if (spent >= DRAIN_MS) return;
    struct pollfd pf = {STDOUT_FILENO, POLLOUT, 0};
    if (poll(&pf, 1, (int)(DRAIN_MS - spent)) < 0 && errno != EINTR) return;
    if (pf.revents & (POLLERR | POLLHUP | POLLNVAL)) return;
  }
}

/* ---- bounded JSON building ---- */

struct jb {
  char b[JSON_MAX];
  size_t n;
  int over; /* something did not fit: the text is incomplete */
};

static struct jb J;

static void jraw(struct jb *j, const char *s, size_t n) {
  if (j->over || n > sizeof j->b - j->n) {
    j->over = 1;
    return;
  }
  memcpy(j->b + j->n, s, n);
  j->n += n;
}

static void jlit(struct jb *j, const char *s) { jraw(j, s, strlen(s)); }

static void jf(struct jb *j, const char *fmt, ...) {
  char tmp[128];
  va_list ap;
  va_start(ap, fmt);
  int k = vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  if (k < 0 || (size_t)k >= sizeof tmp) {
    j->over = 1;
    return;
  }
  jraw(j, tmp, (size_t)k);
}

/* A JSON string; NULL is null. Control characters are escaped; other bytes pass as they are. */
static void jstr(struct jb *j, const char *s) {
  if (s == NULL) {
    jlit(j, "null");
    return;
  }
  jraw(j, "\"", 1);
  for (const unsigned char *c = (const unsigned char *)s; *c != '\0'; c++) {
    if (*c == '"' || *c == '\\') {
      char e[2] = {'\\', (char)*c};
      jraw(j, e, 2);
    } else if (*c < 0x20 || *c == 0x7f) {
      jf(j, "\\u%04x", *c);
    } else {
      jraw(j, (const char *)c, 1);
    }
  }
  jraw(j, "\"", 1);
}

static void jkey(struct jb *j, const char *k) {
  jstr(j, k);
  jraw(j, ":", 1);
}

static void jreset(void) {
  J.n = 0;
  J.over = 0;
}

/* ---- records ---- */

static int stopping;

static void error_record(const char *code, const char *iface, const char *detail, int with_available);

/* Reports the failure (once) and exits 2; never returns. */
static void fatal(const char *code, const char *iface, const char *detail, int with_available) {
  if (!stopping) {
    stopping = 1;
    error_record(code, iface, detail, with_available);
    close_all();
    drain();
  }
  exit(2);
}

static void emit_json(int type) {
  if (J.over) {
    /* Only an interface listing can grow this large, and it is cut short before; never emit half. */
    jreset();
    jlit(&J, "{\"kind\":\"stopping\",\"reason\":\"record too large\"}");
    type = REC_STATUS;
  }
  put_control(type, J.b, J.n);
}

/*
 * An ERROR record: a LiveError (code, message, fix, iface, detail) whose message is plain; the app
 * rebuilds message and fix from the code (errors.ts, nativeHelperError). `available` lists the
 * interfaces pcap sees, for no-such-interface.
 */
static void error_record(const char *code, const char *iface, const char *detail, int with_available) {
  char msg[1024];
  snprintf(msg, sizeof msg, "%s%s%s: %s", code, iface ? " on " : "", iface ? iface : "", detail);
  jreset();
  jlit(&J, "{");
  jkey(&J, "code");
  jstr(&J, code);
  jlit(&J, ",");
  jkey(&J, "message");
  jstr(&J, msg);
  jlit(&J, ",\"fix\":\"\",");
  if (iface != NULL) {
    jkey(&J, "iface");
    jstr(&J, iface);
    jlit(&J, ",");
  }
  jkey(&J, "detail");
  jstr(&J, detail);
  jlit(&J, ",\"source\":\"glasspane-capture\"");
  if (with_available) {
    pcap_if_t *all = NULL;
    char err[PCAP_ERRBUF_SIZE];
    jlit(&J, ",\"available\":[");
    if (pcap_findalldevs(&all, err) == 0) {
      int k = 0;
      for (pcap_if_t *d = all; d != NULL && k < 1024; d = d->next, k++) {
        if (k > 0) jlit(&J, ",");
        jstr(&J, d->name);
      }
      pcap_freealldevs(all);
    }
    jlit(&J, "]");
  }
  jlit(&J, "}");
  if (J.over) {
    /* A very long list of interfaces: send the error without it. */
    error_record(code, iface, detail, 0);
    return;
  }
  put_control(REC_ERROR, J.b, J.n);
}

/* ---- sysfs (Linux): interface facts and counters, read inside the helper's network namespace ---- */

static int safe_name(const char *n) {
  size_t len = strlen(n);
  if (len == 0 || len > 64 || strchr(n, '/') != NULL) return 0;
  return strcmp(n, ".") != 0 && strcmp(n, "..") != 0;
}

/* Reads /sys/class/net/<iface>/<file> (first line, trimmed) into out; 0 on success. */
static int sysfs_read(const char *iface, const char *file, char *out, size_t outsz) {
  char path[256];
  if (!safe_name(iface)) return -1;
  int k = snprintf(path, sizeof path, "/sys/class/net/%s/%s", iface, file);
  if (k < 0 || (size_t)k >= sizeof path) return -1;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n = read(fd, out, outsz - 1);
  close(fd);
  if (n <= 0) return -1;
  out[n] = '\0';
  while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == ' ')) out[--n] = '\0';
  return 0;
}

static int sysfs_num(const char *iface, const char *file, unsigned long long *v) {
  char b[32], *end;
  if (sysfs_read(iface, file, b, sizeof b) != 0 || b[0] < '0' || b[0] > '9') return -1;
  errno = 0;
  *v = strtoull(b, &end, 0);
  return errno == 0 && *end == '\0' ? 0 : -1;
}

static const char *COUNTERS[4] = {"statistics/rx_packets", "statistics/tx_packets",
                                  "statistics/rx_dropped", "statistics/rx_missed_errors"};

/* Kernel counters; 0 when rx_packets is readable (the others default to 0, as in sysfs.ts). */
static int kernel_counters(const char *iface, unsigned long long c[4]) {
  if (sysfs_num(iface, COUNTERS[0], &c[0]) != 0) return -1;
  for (int i = 1; i < 4; i++)
    if (sysfs_num(iface, COUNTERS[i], &c[i]) != 0) c[i] = 0;
  return 0;
}

/* ---- interface listing (the same InterfaceInfo as interfaces.ts describeDevice) ---- */

static void json_addr(struct jb *j, const struct sockaddr *sa) {
  char b[INET6_ADDRSTRLEN];
  if (sa == NULL) {
    jlit(j, "null");
  } else if (sa->sa_family == AF_INET &&
             inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, b, sizeof b)) {
    jstr(j, b);
  } else if (sa->sa_family == AF_INET6 &&
             inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, b, sizeof b)) {
    jstr(j, b);
  } else {
    jlit(j, "null");
  }
}

#define IFF_UP_ 0x1
#define IFF_LOOPBACK_ 0x8
#define IFF_POINTOPOINT_ 0x10
#define IFF_RUNNING_ 0x40
#define IFF_PROMISC_ 0x100

static void json_device(struct jb *j, const pcap_if_t *d) {
  char mac[64], flagtxt[32], oper[32], *end;
  unsigned long long mtu = 0;
  long bits = -1;
  int have_mac = sysfs_read(d->name, "address", mac, sizeof mac) == 0;
  int have_oper = sysfs_read(d->name, "operstate", oper, sizeof oper) == 0;
  int have_mtu = sysfs_num(d->name, "mtu", &mtu) == 0;
  if (sysfs_read(d->name, "flags", flagtxt, sizeof flagtxt) == 0 && strncmp(flagtxt, "0x", 2) == 0) {
    errno = 0;
    bits = strtol(flagtxt + 2, &end, 16);
    if (errno != 0 || *end != '\0' || end == flagtxt + 2) bits = -1;
  }
  int loopback = (d->flags & PCAP_IF_LOOPBACK) != 0 || (bits >= 0 && (bits & IFF_LOOPBACK_) != 0);
  jlit(j, "{");
  jkey(j, "name");
  jstr(j, d->name);
  jlit(j, ",");
  jkey(j, "description");
  jstr(j, d->description);
  jlit(j, ",\"addresses\":[");
  int first = 1;
  for (const pcap_addr_t *a = d->addresses; a != NULL; a = a->next) {
    if (a->addr == NULL || (a->addr->sa_family != AF_INET && a->addr->sa_family != AF_INET6)) continue;
    if (!first) jlit(j, ",");
    first = 0;
    jlit(j, a->addr->sa_family == AF_INET ? "{\"family\":\"ipv4\",\"addr\":" : "{\"family\":\"ipv6\",\"addr\":");
    json_addr(j, a->addr);
    jlit(j, ",\"netmask\":");
    json_addr(j, a->netmask);
    jlit(j, ",\"broadcast\":");
    json_addr(j, a->broadaddr);
    jlit(j, ",\"peer\":");
    json_addr(j, a->dstaddr);
    jlit(j, "}");
  }
  jlit(j, "],\"mac\":");
  jstr(j, have_mac ? mac : NULL);
  jlit(j, ",\"mtu\":");
  if (have_mtu)
    jf(j, "%llu", mtu);
  else
    jlit(j, "null");
  jf(j, ",\"loopback\":%s", loopback ? "true" : "false");
  jf(j, ",\"up\":%s", bits < 0 ? "null" : (bits & IFF_UP_) ? "true" : "false");
  jf(j, ",\"running\":%s", bits < 0 ? "null" : (bits & IFF_RUNNING_) ? "true" : "false");
  jlit(j, ",\"operstate\":");
  jstr(j, have_oper ? oper : NULL);
  jlit(j, ",\"flags\":[");
  const char *sep = "";
  if (loopback) {
    jlit(j, "\"loopback\"");
    sep = ",";
  }
  if (bits >= 0) {
    static const struct {
      long bit;
      const char *name;
    } F[] = {{IFF_UP_, "up"}, {IFF_RUNNING_, "running"}, {IFF_PROMISC_, "promisc"}, {IFF_POINTOPOINT_, "pointopoint"}};
    for (size_t i = 0; i < sizeof F / sizeof F[0]; i++) {
      if (bits & F[i].bit) {
        jlit(j, sep);
        jstr(j, F[i].name);
        sep = ",";
      }
    }
  }
  jlit(j, "]}");
}

static void list_interfaces(void) {
  pcap_if_t *all = NULL;
  char err[PCAP_ERRBUF_SIZE];
  err[0] = '\0';
  if (pcap_findalldevs(&all, err) != 0) fatal("capture-unavailable", NULL, err, 0);
  jreset();
  jlit(&J, "{\"kind\":\"interfaces\",\"interfaces\":[");
  int k = 0;
  for (pcap_if_t *d = all; d != NULL; d = d->next) {
    size_t mark = J.n;
    if (k > 0) jlit(&J, ",");
    json_device(&J, d);
    /* Keep room for the closing brackets; a listing too long for one record is cut short. */
    if (J.over || J.n > sizeof J.b - 8) {
      J.n = mark;
      J.over = 0;
      break;
    }
    k++;
  }
  jlit(&J, "]}");
  pcap_freealldevs(all);
  emit_json(REC_STATUS);
}

/* ---- stats ---- */

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_REALTIME, &t);
  return (double)t.tv_sec * 1000.0 + (double)(t.tv_nsec / 1000000);
}

static void read_pcap_stats(struct iface *f) {
  struct pcap_stat s;
  if (f->p == NULL || pcap_stats(f->p, &s) != 0) return;
  /* Unsigned differences survive the counters' wrap. */
  f->recv += (unsigned int)(s.ps_recv - f->last_recv);
  f->drop += (unsigned int)(s.ps_drop - f->last_drop);
  f->ifdrop += (unsigned int)(s.ps_ifdrop - f->last_ifdrop);
  f->last_recv = s.ps_recv;
  f->last_drop = s.ps_drop;
  f->last_ifdrop = s.ps_ifdrop;
  f->have_pcap = 1;
}

static void stats_record(int final) {
  jreset();
  jf(&J, "{\"ts\":%.0f,\"final\":%s,\"interfaces\":[", now_ms(), final ? "true" : "false");
  for (int i = 0; i < n_open; i++) {
    struct iface *f = &ifs[i];
    unsigned long long now[4];
    read_pcap_stats(f);
    if (i > 0) jlit(&J, ",");
    jf(&J, "{\"index\":%d,\"name\":", f->index);
    jstr(&J, f->name);
    jf(&J, ",\"packets\":%llu,\"bytes\":%llu,\"queueDrops\":%llu,\"snapped\":%llu,\"pcap\":",
       (unsigned long long)f->packets, (unsigned long long)f->bytes, (unsigned long long)f->queue_drops,
       (unsigned long long)f->snapped);
    if (f->have_pcap)
      jf(&J, "{\"recv\":%llu,\"drop\":%llu,\"ifdrop\":%llu}", (unsigned long long)f->recv,
         (unsigned long long)f->drop, (unsigned long long)f->ifdrop);
    else
      jlit(&J, "null");
    int have_k = 0;
    if (final && f->have_at_stop) {
      memcpy(now, f->at_stop, sizeof now);
      have_k = 1;
    } else {
      have_k = f->have_base && kernel_counters(f->name, now) == 0;
    }
    jlit(&J, ",\"kernel\":");
    if (have_k) {
      long long d[4];
      for (int c = 0; c < 4; c++) d[c] = (long long)(now[c] - f->base[c]);
      jf(&J, "{\"rxPackets\":%lld,\"txPackets\":%lld,\"rxDropped\":%lld,\"rxMissed\":%lld}", d[0], d[1], d[2],
         d[3]);
      /* As capture-process.ts: without a filter pcap should see all rx + tx; the rest was missed. */
      long long missed = d[0] + d[1] - (long long)f->packets;
      if (unfiltered)
        jf(&J, ",\"missedEstimate\":%lld}", missed > 0 ? missed : 0);
      else
        jlit(&J, ",\"missedEstimate\":null}");
    } else {
      jlit(&J, "null,\"missedEstimate\":null}");
    }
  }
  jlit(&J, "]}");
  emit_json(REC_STATS);
}

/* ---- capture ---- */

static void close_all(void) {
  for (int i = 0; i < n_open; i++) {
    if (ifs[i].p != NULL) pcap_close(ifs[i].p);
    ifs[i].p = NULL;
  }
}

static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes) {
  struct iface *f = (struct iface *)(void *)user;
  uint32_t wire = h->len;
  uint32_t cap = h->caplen;
  if (cap > (uint32_t)cfg.snaplen) cap = (uint32_t)cfg.snaplen;
  if (wire < cap) wire = cap;
  double ts = (double)h->ts.tv_sec * 1000.0 + (double)h->ts.tv_usec / (nano ? 1e6 : 1e3);
  f->packets++;
  f->bytes += wire;
  if (cap < wire) f->snapped++;
  if (!put_frame(f->index, f->link_type, ts, wire, bytes, cap)) f->queue_drops++;
}

/* cap's names for the link types it knows (what capture-process.ts reports), pcap's for the rest. */
static void link_type_of(struct iface *f) {
  int dlt = pcap_datalink(f->p);
  const char *name = NULL;
  switch (dlt) {
    case DLT_NULL: name = "NULL"; break;
    case DLT_EN10MB: name = "ETHERNET"; break;
    case DLT_IEEE802_11_RADIO: name = "IEEE802_11_RADIO"; break;
    case DLT_LINUX_SLL: name = "LINKTYPE_LINUX_SLL"; break;
    case DLT_RAW: name = "RAW"; break;
    default: name = pcap_datalink_val_to_name(dlt); break;
  }
  snprintf(f->link_type_name, sizeof f->link_type_name, "%s", name != NULL ? name : "unknown");
  /* LINKTYPE_ values equal DLT_ values except DLT_RAW (12, or 14 on OpenBSD): LINKTYPE_RAW 101. */
  f->link_type = (dlt == 12 || dlt == 14 || dlt == DLT_RAW) ? 101 : dlt;
}

static int name_listed(const char *name) {
  pcap_if_t *all = NULL;
  char err[PCAP_ERRBUF_SIZE];
  int found = 0;
  if (pcap_findalldevs(&all, err) != 0) fatal("capture-unavailable", NULL, err, 0);
  for (pcap_if_t *d = all; d != NULL && !found; d = d->next) found = strcmp(d->name, name) == 0;
  pcap_freealldevs(all);
  return found;
}

static void net_raw_effective(int on);

static void open_one(int index) {
  struct iface *f = &ifs[index];
  char err[PCAP_ERRBUF_SIZE];
  const char *name = cfg.ifaces[index];
  memset(f, 0, sizeof *f);
  f->index = index;
  f->name = name;
  f->fd = -1;
  err[0] = '\0';
  f->p = pcap_create(name, err);
  if (f->p == NULL) fatal("open-failed", name, err[0] ? err : "pcap_create failed", 0);
  n_open = index + 1;
  /*
   * libpcap always captures up to 65535 bytes and the frame is cut here, as capture-process.ts does:
   * a small snap length given to libpcap on Linux may come back shorter than asked once a kernel
   * filter is attached, and the two helpers must deliver the same bytes.
   */
  /*
   * Not immediate mode: on Linux that makes libpcap use a TPACKET_V2 ring of snaplen-sized (64 KiB)
   * slots, so the 32 MiB buffer held ~500 frames and any scheduling pause dropped frames (bench:live
   * lost 17-36 % at 50k-200k packets/s on a loaded machine). Without it libpcap uses TPACKET_V3
   * blocks packed with frames of their own size, handed over when full or after the 100 ms timeout:
   * no loss at 200k packets/s and top speed on the same machine, for at most 100 ms of latency.
   */
  if (pcap_set_snaplen(f->p, MAX_SNAPLEN) != 0 || pcap_set_promisc(f->p, 1) != 0 ||
      pcap_set_timeout(f->p, 100) != 0 || pcap_set_buffer_size(f->p, (int)cfg.buffer_size) != 0 ||
      pcap_set_immediate_mode(f->p, 0) != 0)
    fatal("open-failed", name, "libpcap refused the capture options", 0);
#ifdef PCAP_TSTAMP_PRECISION_NANO
  (void)pcap_set_tstamp_precision(f->p, PCAP_TSTAMP_PRECISION_NANO);
#endif
  /* The only call that needs a capability (it opens the capture socket): CAP_NET_RAW just for it. */
  net_raw_effective(1);
  int rc = pcap_activate(f->p);
  net_raw_effective(0);
  if (rc < 0) {
    const char *why = pcap_geterr(f->p);
    char detail[PCAP_ERRBUF_SIZE + 64];
    snprintf(detail, sizeof detail, "%s", why != NULL && why[0] ? why : pcap_statustostr(rc));
    if (rc == PCAP_ERROR_PERM_DENIED || rc == PCAP_ERROR_PROMISC_PERM_DENIED)
      fatal("permission-denied", name, detail, 0);
    if (rc == PCAP_ERROR_NO_SUCH_DEVICE) fatal("no-such-interface", name, detail, 1);
    fatal("open-failed", name, detail, 0);
  }
#ifdef PCAP_TSTAMP_PRECISION_NANO
  nano = pcap_get_tstamp_precision(f->p) == PCAP_TSTAMP_PRECISION_NANO;
#endif
  link_type_of(f);
  if (f->link_type < 0 || f->link_type > 0xffff) fatal("open-failed", name, "unsupported link type", 0);
  if (unfiltered == 0) {
    struct bpf_program prog;
    bpf_u_int32 net = 0, mask = PCAP_NETMASK_UNKNOWN;
    if (pcap_lookupnet(name, &net, &mask, err) != 0) mask = PCAP_NETMASK_UNKNOWN;
    /* Compiled per interface: the same expression compiles differently for each link type. */
    if (pcap_compile(f->p, &prog, cfg.filter, 1, mask) != 0) fatal("bad-filter", name, pcap_geterr(f->p), 0);
    if (pcap_setfilter(f->p, &prog) != 0) {
      char detail[PCAP_ERRBUF_SIZE + 64];
      snprintf(detail, sizeof detail, "%s", pcap_geterr(f->p));
      pcap_freecode(&prog);
      fatal("open-failed", name, detail, 0);
    }
    pcap_freecode(&prog);
  }
  if (pcap_setnonblock(f->p, 1, err) != 0) fatal("open-failed", name, err, 0);
  f->fd = pcap_get_selectable_fd(f->p);
  if (f->fd < 0) fatal("open-failed", name, "this platform gives no selectable descriptor for capture", 0);
  f->have_base = kernel_counters(name, f->base) == 0;
  read_pcap_stats(f); /* the baseline: counters are reported since the capture started */
  f->recv = f->drop = f->ifdrop = 0;
}

static void started_record(void) {
  jreset();
  jf(&J, "{\"kind\":\"started\",\"pid\":%ld,\"interfaces\":[", (long)getpid());
  for (int i = 0; i < n_open; i++) {
    if (i > 0) jlit(&J, ",");
    jf(&J, "{\"index\":%d,\"name\":", ifs[i].index);
    jstr(&J, ifs[i].name);
    jf(&J, ",\"linkType\":%d,\"linkTypeName\":", ifs[i].link_type);
    jstr(&J, ifs[i].link_type_name);
    jlit(&J, "}");
  }
  jlit(&J, "],\"filter\":");
  jstr(&J, cfg.filter);
  jf(&J, ",\"snaplen\":%ld}", cfg.snaplen);
  emit_json(REC_STATUS);
}

/* ---- privileges ---- */

/*
 * Capabilities through the capget/capset system calls (no libcap). Only CAP_NET_RAW is ever used: it
 * opens the AF_PACKET socket, and libpcap sets promiscuous mode with PACKET_ADD_MEMBERSHIP on that
 * socket, which needs no more. CAP_NET_ADMIN (monitor mode, nflog, hardware timestamps) is not used.
 */
#ifdef __linux__
static int caps_io(int set, struct __user_cap_data_struct d[2]) {
  struct __user_cap_header_struct h;
  memset(&h, 0, sizeof h);
  h.version = _LINUX_CAPABILITY_VERSION_3;
  h.pid = 0;
  return (int)syscall(set ? SYS_capset : SYS_capget, &h, d);
}
#endif

/* Whether CAP_NET_RAW is in the permitted set: what exec granted, usable or not at this moment. */
static int net_raw_permitted(void) {
#ifdef __linux__
  struct __user_cap_data_struct d[2];
  memset(d, 0, sizeof d);
  if (caps_io(0, d) != 0) return 0;
  return (d[CAP_TO_INDEX(CAP_NET_RAW)].permitted & CAP_TO_MASK(CAP_NET_RAW)) != 0;
#else
  return geteuid() == 0;
#endif
}

/* Effective set: CAP_NET_RAW (when permitted) while `on`, else nothing; the permitted set is kept. */
static void net_raw_effective(int on) {
#ifdef __linux__
  struct __user_cap_data_struct d[2];
  memset(d, 0, sizeof d);
  if (caps_io(0, d) != 0) fatal("helper-failed", NULL, "could not read its capabilities", 0);
  d[0].effective = d[1].effective = 0;
  d[0].inheritable = d[1].inheritable = 0;
  unsigned k = CAP_TO_INDEX(CAP_NET_RAW);
  if (on) d[k].effective = d[k].permitted & CAP_TO_MASK(CAP_NET_RAW);
  if (caps_io(1, d) != 0) fatal("helper-failed", NULL, "could not change its capabilities", 0);
#else
  (void)on;
#endif
}

/* Nothing after the handles are open needs a capability: give them all up, for good. */
static void drop_capabilities(void) {
#ifdef __linux__
  struct __user_cap_data_struct d[2];
  memset(d, 0, sizeof d);
#ifdef PR_CAP_AMBIENT
  (void)prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
#endif
  if (caps_io(1, d) != 0) fatal("helper-failed", NULL, "could not drop capabilities", 0);
  (void)prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
#endif
}

/*
 * clearenv() only forgets the strings: /proc/PID/environ still shows the block exec wrote on the
 * stack. Zeroing the strings first leaves nothing of the caller's environment anywhere in memory.
 */
extern char **environ;
static void clear_environment(void) {
  for (char **e = environ; e != NULL && *e != NULL; e++) memset(*e, 0, strlen(*e));
  if (clearenv() != 0) environ = NULL;
}

/*
 * libpcap's capture modules that are not network interfaces: netfilter's log and queue, D-Bus,
 * Bluetooth HCI and monitor, USB (usbmon). "any" (all interfaces, cooked) is a network capture and is
 * allowed, as are SocketCAN interfaces (can*, vcan*: real network devices, an OT field bus).
 */
static int pseudo_device(const char *name) {
  static const char *const PREFIXES[] = {"nflog", "nfqueue", "dbus", "bluetooth", "usbmon"};
  for (size_t i = 0; i < sizeof PREFIXES / sizeof PREFIXES[0]; i++)
    if (strncmp(name, PREFIXES[i], strlen(PREFIXES[i])) == 0) return 1;
  return 0;
}

/* ---- arguments ---- */

static void bad_config(const char *what) { fatal("bad-config", NULL, what, 0); }

static long int_arg(const char *v, long min, long max, const char *what) {
  char *end, msg[160];
  errno = 0;
  long n = (v != NULL && *v >= '0' && *v <= '9') ? strtol(v, &end, 10) : -1;
  if (v == NULL || errno != 0 || n < min || n > max || *end != '\0') {
    snprintf(msg, sizeof msg, "%s must be an integer from %ld to %ld", what, min, max);
    bad_config(msg);
  }
  return n;
}

/* Interfaces named twice, pseudo-devices and the total kernel buffer (config.ts checks the same). */
static void check_interfaces(void) {
  for (int i = 0; i < cfg.n_ifaces; i++) {
    for (int j = 0; j < i; j++)
      if (strcmp(cfg.ifaces[i], cfg.ifaces[j]) == 0)
        fatal("duplicate-interface", cfg.ifaces[i], "the same interface is named twice", 0);
    /* The flag is root's alone: a member of the capture group gets network traffic, nothing else. */
    if (pseudo_device(cfg.ifaces[i]) && !(cfg.allow_pseudo && getuid() == 0))
      fatal("pseudo-device", cfg.ifaces[i],
            cfg.allow_pseudo ? "--allow-pseudo-device is honoured for root only"
                             : "not a network interface",
            0);
  }
  if (cfg.n_ifaces == 0) return;
  if (!cfg.buffer_given) {
    /* The default shrinks with many interfaces so that the total stays within the cap. */
    long share = BUFFER_TOTAL_MAX / cfg.n_ifaces;
    if (share < cfg.buffer_size) cfg.buffer_size = share;
  } else if (cfg.buffer_size > BUFFER_TOTAL_MAX / cfg.n_ifaces) {
    bad_config("bufferSize times the number of interfaces must be at most 268435456 (256 MiB in all)");
  }
}

static void parse_args(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (strcmp(a, "--list") == 0) {
      cfg.list = 1;
      continue;
    }
    if (strcmp(a, "--allow-pseudo-device") == 0) {
      cfg.allow_pseudo = 1;
      continue;
    }
    if (v == NULL) bad_config("an option is missing its value");
    i++;
    if (strcmp(a, "--interface") == 0) {
      if (cfg.n_ifaces >= MAX_INTERFACES) bad_config("interfaces must be a list of at most 64 names");
      size_t len = strlen(v);
      if (len == 0 || len > MAX_NAME) bad_config("interface names must be strings");
      cfg.ifaces[cfg.n_ifaces++] = v;
    } else if (strcmp(a, "--filter") == 0) {
      if (strlen(v) > MAX_FILTER) bad_config("filter must be a string");
      cfg.filter = v;
    } else if (strcmp(a, "--snaplen") == 0) {
      cfg.snaplen = int_arg(v, 1, MAX_SNAPLEN, "snaplen");
    } else if (strcmp(a, "--buffer-size") == 0) {
      cfg.buffer_size = int_arg(v, 64 * 1024, BUFFER_MAX, "bufferSize");
      cfg.buffer_given = 1;
    } else if (strcmp(a, "--stats-interval-ms") == 0) {
      cfg.stats_ms = int_arg(v, 50, 3600000, "statsIntervalMs");
    } else if (strcmp(a, "--max-queue-bytes") == 0) {
      cfg.max_queue = int_arg(v, 1L << 20, 1L << 30, "maxQueueBytes");
    } else {
      bad_config("unknown option");
    }
  }
  if (!cfg.list && cfg.n_ifaces == 0) bad_config("no interface given");
  check_interfaces();
  for (const char *c = cfg.filter; *c != '\0'; c++)
    if (*c != ' ' && *c != '\t' && *c != '\n' && *c != '\r') unfiltered = 0;
}

/* ---- main loop ---- */

static int sig_pipe[2] = {-1, -1};
static volatile sig_atomic_t got_signal;

static void on_signal(int s) {
  int saved = errno;
  got_signal = s;
  if (sig_pipe[1] >= 0) (void)!write(sig_pipe[1], "s", 1);
  errno = saved;
}

static long long mono_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/*
 * Delivers what the kernel had captured for us when the stop came. TPACKET_V3 hands a block over
 * when it is full or its 100 ms timeout has passed, so the frames of the block being filled wait up
 * to that long; closing at once lost them (about 100 ms of traffic). Done once every interface has
 * delivered or dropped all that pcap_stats() had counted at the stop, or after HELD_MS. Frames that
 * arrive meanwhile are delivered too, so the kernel's counters of the stop's moment are kept for the
 * final missed estimate: read after the wait, they would count the newest frames as missed.
 */
static void deliver_held(void) {
  uint64_t owed[MAX_INTERFACES];
  for (int i = 0; i < n_open; i++) {
    struct iface *f = &ifs[i];
    read_pcap_stats(f);
    owed[i] = f->recv > f->drop ? f->recv - f->drop : 0;
    f->have_at_stop = f->have_base && kernel_counters(f->name, f->at_stop) == 0;
  }
  long long end = mono_ms() + HELD_MS;
  for (;;) {
    struct pollfd pf[MAX_INTERFACES];
    int which[MAX_INTERFACES];
    int n = 0;
    for (int i = 0; i < n_open; i++)
      if (ifs[i].p != NULL && ifs[i].packets < owed[i]) {
        pf[n] = (struct pollfd){ifs[i].fd, POLLIN, 0};
        which[n++] = i;
      }
    long long wait = end - mono_ms();
    if (n == 0 || wait <= 0) return;
    if (poll(pf, (nfds_t)n, (int)wait) < 0 && errno != EINTR) return;
    for (int k = 0; k < n; k++) {
      if (!(pf[k].revents & POLLIN)) continue;
      struct iface *f = &ifs[which[k]];
      if (pcap_dispatch(f->p, DISPATCH_BATCH, on_packet, (u_char *)(void *)f) == PCAP_ERROR) return;
    }
    if (flush_some() < 0) return;
  }
}

static void stop(const char *reason) {
  if (stopping) return;
  stopping = 1;
  jreset();
  jlit(&J, "{\"kind\":\"stopping\",\"reason\":");
  jstr(&J, reason);
  jlit(&J, "}");
  emit_json(REC_STATUS);
  deliver_held();
  /* Final counters before the handles close: pcap_stats() needs them open. */
  stats_record(1);
  close_all();
  drain();
  exit(0);
}

static void lost(struct iface *f, const char *why) {
  char detail[PCAP_ERRBUF_SIZE + 64];
  snprintf(detail, sizeof detail, "%s", why);
  fatal("interface-lost", f->name, detail, 0);
}

static void run(void) {
  struct pollfd pf[2 + 1 + MAX_INTERFACES];
  char line[STDIN_LINE];
  size_t line_len = 0;
  int stdin_open = 1;
  long long next_stats = mono_ms() + cfg.stats_ms;
  for (;;) {
    int n = 0;
    pf[n++] = (struct pollfd){sig_pipe[0], POLLIN, 0};
    pf[n++] = (struct pollfd){stdin_open ? STDIN_FILENO : -1, POLLIN, 0};
    pf[n++] = (struct pollfd){STDOUT_FILENO, ring_len > 0 ? POLLOUT : 0, 0};
    for (int i = 0; i < n_open; i++) pf[n++] = (struct pollfd){ifs[i].fd, POLLIN, 0};
    long long wait = next_stats - mono_ms();
    if (wait < 0) wait = 0;
    int r = poll(pf, (nfds_t)n, (int)wait);
    if (r < 0 && errno != EINTR) fatal("helper-failed", NULL, strerror(errno), 0);
    if (got_signal) stop(got_signal == SIGTERM ? "SIGTERM" : got_signal == SIGINT ? "SIGINT" : "SIGHUP");
    if (r > 0) {
      if (pf[1].revents & POLLNVAL) stop("stdin closed");
      if (pf[1].revents & (POLLIN | POLLHUP | POLLERR)) {
        ssize_t k = read(STDIN_FILENO, line + line_len, sizeof line - 1 - line_len);
        if (k == 0 || (k < 0 && errno != EINTR && errno != EAGAIN)) stop("stdin closed");
        if (k > 0) {
          line_len += (size_t)k;
          char *nl;
          while ((nl = memchr(line, '\n', line_len)) != NULL) {
            size_t l = (size_t)(nl - line);
            while (l > 0 && (line[l - 1] == '\r' || line[l - 1] == ' ')) l--;
            if (l == 4 && memcmp(line, "stop", 4) == 0) stop("stop requested");
            line_len -= (size_t)(nl + 1 - line);
            memmove(line, nl + 1, line_len);
          }
          /* A line longer than the buffer is nobody's command: forget it. */
          if (line_len >= sizeof line - 1) line_len = 0;
        }
      }
      if (pf[2].revents & (POLLERR | POLLHUP | POLLNVAL)) broken();
      for (int i = 0; i < n_open; i++) {
        struct iface *f = &ifs[i];
        short ev = pf[3 + i].revents;
        if (ev & POLLIN) {
          int got = pcap_dispatch(f->p, DISPATCH_BATCH, on_packet, (u_char *)(void *)f);
          if (got == PCAP_ERROR) lost(f, pcap_geterr(f->p));
        }
        if (ev & (POLLERR | POLLHUP | POLLNVAL)) {
          /* The socket's pending error says why (ENETDOWN when the interface went down or away). */
          int e = 0;
          socklen_t el = sizeof e;
          if (getsockopt(f->fd, SOL_SOCKET, SO_ERROR, &e, &el) != 0) e = errno;
          lost(f, e != 0 ? strerror(e) : (ev & POLLHUP) ? "hangup on the capture socket" : "capture socket error");
        }
      }
    }
    if (mono_ms() >= next_stats) {
      stats_record(0);
      long long now = mono_ms();
      next_stats += cfg.stats_ms;
      if (next_stats <= now) next_stats = now + cfg.stats_ms;
    }
    if (flush_some() < 0) broken();
  }
}

/*
 * Compiles a filter for Ethernet without opening anything, so that the UI can say whether libpcap
 * takes it before a capture starts. Prints "ok" or libpcap's reason; exit 0 accepted, 3 rejected.
 */
static int check_filter(const char *expr) {
  drop_capabilities(); /* compiling needs none: libpcap's parser runs without any */
  if (strlen(expr) > MAX_FILTER) {
    puts("the filter is too long");
    return 3;
  }
  pcap_t *p = pcap_open_dead(DLT_EN10MB, MAX_SNAPLEN);
  if (p == NULL) {
    puts("libpcap cannot compile filters here");
    return 2;
  }
  struct bpf_program prog;
  int rc = 0;
  if (pcap_compile(p, &prog, expr, 1, PCAP_NETMASK_UNKNOWN) != 0) {
    printf("%s\n", pcap_geterr(p));
    rc = 3;
  } else {
    pcap_freecode(&prog);
    puts("ok");
  }
  pcap_close(p);
  return fflush(stdout) == 0 ? rc : 2;
}

/*
 * Whether this executable would be allowed to capture, as exec gave it its capabilities (setcap, or
 * root's): the start screen asks before anyone clicks Start. Reads the permitted set, then drops
 * every capability before it prints. Opens nothing.
 */
static int check_rights(void) {
  int yes = net_raw_permitted();
  drop_capabilities();
  puts(yes ? "yes" : "no");
  return fflush(stdout) == 0 ? 0 : 2;
}

int main(int argc, char **argv) {
  clear_environment();
  /* stdin, stdout and stderr are always open, so no descriptor opened here can land on one of them. */
  for (int fd = 0; fd <= 2; fd++) {
    if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY) != fd) return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  if (ring_init(CONTROL_SLACK) != 0) return 2;
  frame_limit = 0;
  /* Capture rights come from file capabilities (setcap), never from setuid/setgid root. */
  if (getuid() != geteuid() || getgid() != getegid()) {
    if (setgid(getgid()) != 0 || setuid(getuid()) != 0) return 2;
    fatal("helper-failed", NULL,
          "it is installed setuid or setgid, which it refuses; remove the bit (chmod u-s,g-s) and grant "
          "capture rights with: setcap cap_net_raw=eip glasspane-capture",
          0);
  }
  if (argc == 3 && strcmp(argv[1], "--check-filter") == 0) return check_filter(argv[2]);
  if (argc == 2 && strcmp(argv[1], "--check-rights") == 0) return check_rights();
  /* Until pcap_activate() asks for it, no capability is in effect. */
  net_raw_effective(0);
#ifdef __linux__
  /* Dies with its parent even if stdin were inherited elsewhere. */
  (void)prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0);
#endif
  parse_args(argc, argv);
  if (pipe(sig_pipe) != 0) fatal("helper-failed", NULL, strerror(errno), 0);
  for (int i = 0; i < 2; i++) {
    fcntl(sig_pipe[i], F_SETFL, O_NONBLOCK);
    fcntl(sig_pipe[i], F_SETFD, FD_CLOEXEC);
  }
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGHUP, &sa, NULL);
  /* A slow reader must never block capture: writes that do not fit wait in the ring. */
  int fl = fcntl(STDOUT_FILENO, F_GETFL);
  if (fl < 0 || fcntl(STDOUT_FILENO, F_SETFL, fl | O_NONBLOCK) < 0) return 2;

  if (cfg.list) {
    list_interfaces();
    drop_capabilities();
    drain();
    return 0;
  }
  if (ring_init((size_t)cfg.max_queue + CONTROL_SLACK) != 0) fatal("helper-failed", NULL, "out of memory", 0);
  frame_limit = (size_t)cfg.max_queue;
  for (int i = 0; i < cfg.n_ifaces; i++)
    if (!name_listed(cfg.ifaces[i])) fatal("no-such-interface", cfg.ifaces[i], "not among pcap's interfaces", 1);
  for (int i = 0; i < cfg.n_ifaces; i++) open_one(i);
  drop_capabilities();
  started_record();
  run();
  return 0;
}
