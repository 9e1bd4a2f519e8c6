// berth-net: the daemon's native network helpers (Node-API, C, Linux only). Built by scripts/build-native.ts into
// dist/native/berth-net.node; the daemon works without it (src/system/native/berth-net.ts falls back to Node).
//
// 1. bindInNetns(nsPath, address): binds a UDP socket and a listening TCP socket on `address` (kernel-chosen
//    ports) inside another network namespace. A short-lived thread enters the namespace with setns() (a namespace
//    is per thread), binds and exits; the sockets stay in that namespace. Replaces a child process per container.
// 2. The embedded DNS's UDP fast path: one thread waits (epoll) on the UDP sockets of every served container and
//    answers the queries whose answer it has learned (a per-socket cache that JavaScript fills after answering a
//    name the first time, and clears whenever the records change) without entering JavaScript. Everything else
//    (other types, unknown names, forwarding, odd packets) is handed to JavaScript in batches through a
//    thread-safe function; JavaScript answers with reply(). See docs/adr/0003-network-fast-paths.md §1.
//
// The parsing rules are those of src/services/networks/dns/fast-path.ts: a standard query (QR=0, opcode 0) with
// one A or AAAA question, class IN, plain labels of [a-z0-9_-] (any case); the answer repeats the header and the
// question, then the records with the name as a pointer to the question, and must fit in 512 bytes.

#define _GNU_SOURCE
#define NAPI_VERSION 8
#include <node_api.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

// Bumped whenever the JavaScript-facing API changes: the loader refuses a module of another ABI.
#define BERTH_NET_ABI 2

#define TYPE_A 1
#define TYPE_AAAA 28
#define RESP_TTL 600
#define MAX_UDP_ANSWER 512
#define MAX_NAME 255
#define BUCKETS 64
#define MAX_ENTRIES_PER_SLOT 4096
#define MAX_SLOTS 65536
#define MAX_PER_ROUND 128 // datagrams read from one socket before the others get their turn
#define MISS_QUEUE 256    // batches of misses waiting for JavaScript; beyond that they are dropped (UDP)

#define THROW(env, ...)                                                                                           \
  do {                                                                                                            \
    char msg_[1024];                                                                                               \
    snprintf(msg_, sizeof msg_, __VA_ARGS__);                                                                     \
    napi_throw_error((env), NULL, msg_);                                                                          \
    return NULL;                                                                                                  \
  } while (0)

#define NAPI_OK(env, call)                                                                                        \
  do {                                                                                                            \
    if ((call) != napi_ok) THROW((env), "berth-net: %s failed", #call);                                           \
  } while (0)

// ---------------------------------------------------------------------------------------------------------------
// bindInNetns

struct bind_job {
  const char *ns_path;
  struct in_addr addr;
  int udp_fd, tcp_fd;
  int udp_port, tcp_port;
  int err;
  const char *step;
};

static int bound_port(int fd) {
  struct sockaddr_in sa;
  socklen_t len = sizeof sa;
  if (getsockname(fd, (struct sockaddr *)&sa, &len) < 0) return -1;
  return ntohs(sa.sin_port);
}

static int open_bound(struct bind_job *j, int type) {
  int fd = socket(AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    j->step = "socket";
    return -1;
  }
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = 0, .sin_addr = j->addr};
  if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
    j->step = "bind";
    goto fail;
  }
  if (type == SOCK_STREAM && listen(fd, 128) < 0) {
    j->step = "listen";
    goto fail;
  }
  return fd;
fail:
  j->err = errno;
  close(fd);
  errno = j->err;
  return -1;
}

static void *bind_thread(void *arg) {
  struct bind_job *j = arg;
  int ns = open(j->ns_path, O_RDONLY | O_CLOEXEC);
  if (ns < 0) {
    j->err = errno;
    j->step = "open";
    return NULL;
  }
  // this thread only: the daemon's other threads stay in their namespace, and the thread ends right after
  if (setns(ns, CLONE_NEWNET) < 0) {
    j->err = errno;
    j->step = "setns";
    close(ns);
    return NULL;
  }
  close(ns);
  j->udp_fd = open_bound(j, SOCK_DGRAM);
  if (j->udp_fd < 0) {
    j->err = errno;
    return NULL;
  }
  j->tcp_fd = open_bound(j, SOCK_STREAM);
  if (j->tcp_fd < 0) {
    j->err = errno;
    close(j->udp_fd);
    j->udp_fd = -1;
    return NULL;
  }
  j->udp_port = bound_port(j->udp_fd);
  j->tcp_port = bound_port(j->tcp_fd);
  return NULL;
}

static char *get_string(napi_env env, napi_value v, char *buf, size_t size) {
  size_t len;
  if (napi_get_value_string_utf8(env, v, buf, size, &len) != napi_ok || len >= size - 1) return NULL;
  return buf;
}

// bindInNetns(nsPath: string, address: string): [udpFd, udpPort, tcpFd, tcpPort]
static napi_value bind_in_netns(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  NAPI_OK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  char path[512], address[64];
  if (argc < 2 || !get_string(env, argv[0], path, sizeof path) || !get_string(env, argv[1], address, sizeof address))
    THROW(env, "bindInNetns(nsPath, address): bad arguments");
  struct bind_job j = {.ns_path = path, .udp_fd = -1, .tcp_fd = -1};
  if (inet_pton(AF_INET, address, &j.addr) != 1) THROW(env, "bindInNetns: %s is not an IPv4 address", address);
  pthread_t t;
  int rc = pthread_create(&t, NULL, bind_thread, &j);
  if (rc != 0) THROW(env, "bindInNetns: pthread_create: %s", strerror(rc));
  pthread_join(t, NULL);
  if (j.udp_fd < 0 || j.tcp_fd < 0) THROW(env, "%s %s in %s: %s", j.step ? j.step : "bind", address, path, strerror(j.err));
  napi_value out, v;
  NAPI_OK(env, napi_create_array_with_length(env, 4, &out));
  int vals[4] = {j.udp_fd, j.udp_port, j.tcp_fd, j.tcp_port};
  for (uint32_t i = 0; i < 4; i++) {
    NAPI_OK(env, napi_create_int32(env, vals[i], &v));
    NAPI_OK(env, napi_set_element(env, out, i, v));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// sysctlInNetns

struct sysctl_job {
  const char *ns_path, *key, *value;
  int err;
  const char *step;
};

static void *sysctl_thread(void *arg) {
  struct sysctl_job *j = arg;
  int ns = open(j->ns_path, O_RDONLY | O_CLOEXEC);
  if (ns < 0) {
    j->err = errno, j->step = "open";
    return NULL;
  }
  int rc = setns(ns, CLONE_NEWNET);
  close(ns);
  if (rc < 0) {
    j->err = errno, j->step = "setns";
    return NULL;
  }
  // /proc/sys/net resolves in the opening thread's namespace
  char path[512];
  snprintf(path, sizeof path, "/proc/sys/%s", j->key);
  for (char *p = path + 10; *p; p++)
    if (*p == '.') *p = '/';
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) {
    j->err = errno, j->step = "open";
    return NULL;
  }
  size_t len = strlen(j->value);
  if (write(fd, j->value, len) != (ssize_t)len) j->err = errno, j->step = "write";
  close(fd);
  return NULL;
}

// sysctlInNetns(nsPath, key, value): writes a sysctl ("net.ipv6.conf.eth0.disable_ipv6") in another network
// namespace, from a short-lived thread that enters it. Interface names must not contain dots.
static napi_value sysctl_in_netns(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  NAPI_OK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  char path[512], key[256], value[64];
  if (argc < 3 || !get_string(env, argv[0], path, sizeof path) || !get_string(env, argv[1], key, sizeof key) || !get_string(env, argv[2], value, sizeof value))
    THROW(env, "sysctlInNetns(nsPath, key, value): bad arguments");
  if (strncmp(key, "net.", 4) != 0 || strstr(key, "..") || strchr(key, '/')) THROW(env, "sysctlInNetns: %s is not a net.* sysctl", key);
  struct sysctl_job j = {.ns_path = path, .key = key, .value = value};
  pthread_t t;
  int rc = pthread_create(&t, NULL, sysctl_thread, &j);
  if (rc != 0) THROW(env, "sysctlInNetns: pthread_create: %s", strerror(rc));
  pthread_join(t, NULL);
  if (j.err) THROW(env, "%s %s in %s: %s", j.step, key, path, strerror(j.err));
  return NULL;
}

// ---------------------------------------------------------------------------------------------------------------
// The DNS fast path

typedef struct entry {
  struct entry *next;
  uint32_t turn;   // round robin over several records
  uint16_t qtype;
  uint8_t count;   // records (0: no-data)
  uint8_t nlen;
  uint8_t *rdata;  // count × (4 or 16) bytes, in the name buffer's tail
  char name[];     // nlen bytes (lower case, no trailing dot), then the rdata
} entry;

typedef struct slot {
  int fd;          // -1: free
  uint16_t gen;    // bumped when the slot is freed: stale ids and epoll events are recognized
  unsigned nentries;
  entry *buckets[BUCKETS];
} slot;

typedef struct server {
  pthread_mutex_t mu;
  pthread_t thread;
  int epfd, wakefd;
  int stopping;
  slot *slots;
  uint32_t nslots, cap;
  napi_threadsafe_function tsfn;
  int tsfn_gone;   // released by serverClose, or finalized by Node
  int closed;
  // counters, read by stats() (under mu)
  uint64_t hits, misses, dropped;
} server;
// A server is never freed: it lives as long as the daemon (one per process), and a late call on its handle (an
// answer to a forwarded query after serverClose) must find it. serverClose releases what it holds.

// One batch of misses for JavaScript: records of [u32 slot id][u32 IPv4 (network order)][u16 port][u16 len][bytes].
typedef struct batch {
  size_t len, cap;
  uint8_t *data;
} batch;

static uint32_t slot_id(server *s, uint32_t i) { return ((uint32_t)s->slots[i].gen << 16) | i; }

static slot *slot_of(server *s, uint32_t id) {
  uint32_t i = id & 0xffff;
  if (i >= s->nslots || s->slots[i].fd < 0 || s->slots[i].gen != (id >> 16)) return NULL;
  return &s->slots[i];
}

static uint32_t hash_name(const char *name, size_t n, uint16_t qtype) {
  uint32_t h = 2166136261u ^ qtype;
  for (size_t i = 0; i < n; i++) h = (h ^ (uint8_t)name[i]) * 16777619u;
  return h;
}

static void slot_clear(slot *sl) {
  for (int b = 0; b < BUCKETS; b++) {
    entry *e = sl->buckets[b];
    while (e) {
      entry *next = e->next;
      free(e);
      e = next;
    }
    sl->buckets[b] = NULL;
  }
  sl->nentries = 0;
}

static entry *lookup(slot *sl, const char *name, size_t n, uint16_t qtype) {
  for (entry *e = sl->buckets[hash_name(name, n, qtype) % BUCKETS]; e; e = e->next)
    if (e->qtype == qtype && e->nlen == n && memcmp(e->name, name, n) == 0) return e;
  return NULL;
}

// Reads the question of a simple query: its lower-case name (dotted, no trailing dot) into `name`, its type, and
// where the question ends. 0 when the query is one the fast path answers, -1 otherwise.
static int parse_query(const uint8_t *q, size_t n, char *name, size_t *nlen, uint16_t *qtype, size_t *qend) {
  if (n < 17) return -1;
  uint16_t flags = (q[2] << 8) | q[3];
  if (flags & 0xf800) return -1;
  if (((q[4] << 8) | q[5]) != 1 || q[6] || q[7] || q[8] || q[9]) return -1;
  size_t off = 12, out = 0;
  for (;;) {
    if (off >= n) return -1;
    uint8_t len = q[off];
    if (len == 0) break;
    if (len > 63 || off + 1 + len > n) return -1;
    if (out + len + 1 > MAX_NAME) return -1;
    if (out) name[out++] = '.';
    for (size_t i = 0; i < len; i++) {
      char c = (char)q[off + 1 + i];
      if (c >= 'A' && c <= 'Z') c = (char)(c + 32);
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) return -1;
      name[out++] = c;
    }
    off += 1 + len;
  }
  off += 1;
  if (out == 0 || off + 4 > n) return -1;
  uint16_t type = (q[off] << 8) | q[off + 1];
  uint16_t klass = (q[off + 2] << 8) | q[off + 3];
  if (klass != 1 || (type != TYPE_A && type != TYPE_AAAA)) return -1;
  *nlen = out;
  *qtype = type;
  *qend = off + 4;
  return 0;
}

// The answer to query `q` from entry `e` into `out` (MAX_UDP_ANSWER bytes); its length, or 0 when it does not fit.
static size_t build_answer(const uint8_t *q, size_t qend, entry *e, uint8_t *out) {
  size_t rdlen = e->qtype == TYPE_A ? 4 : 16;
  size_t size = qend + e->count * (12 + rdlen);
  if (size > MAX_UDP_ANSWER) return 0;
  memcpy(out, q, qend);
  uint16_t flags = 0x8080 | (q[2] & 0x01 ? 0x0100 : 0);
  out[2] = flags >> 8;
  out[3] = flags & 0xff;
  out[4] = 0, out[5] = 1;
  out[6] = 0, out[7] = e->count;
  memset(out + 8, 0, 4);
  size_t off = qend;
  uint32_t first = e->count ? e->turn++ % e->count : 0;
  for (uint32_t k = 0; k < e->count; k++) {
    const uint8_t *rd = e->rdata + ((first + k) % e->count) * rdlen;
    uint8_t *r = out + off;
    r[0] = 0xc0, r[1] = 0x0c;
    r[2] = e->qtype >> 8, r[3] = e->qtype & 0xff;
    r[4] = 0, r[5] = 1;
    r[6] = 0, r[7] = 0, r[8] = RESP_TTL >> 8, r[9] = RESP_TTL & 0xff;
    r[10] = 0, r[11] = (uint8_t)rdlen;
    memcpy(r + 12, rd, rdlen);
    off += 12 + rdlen;
  }
  return off;
}

static void batch_add(batch *b, uint32_t id, const struct sockaddr_in *from, const uint8_t *msg, size_t len) {
  size_t need = b->len + 12 + len;
  if (need > b->cap) {
    size_t cap = b->cap ? b->cap * 2 : 4096;
    while (cap < need) cap *= 2;
    uint8_t *d = realloc(b->data, cap);
    if (!d) return;
    b->data = d;
    b->cap = cap;
  }
  uint8_t *p = b->data + b->len;
  memcpy(p, &id, 4);
  memcpy(p + 4, &from->sin_addr.s_addr, 4);
  uint16_t port = ntohs(from->sin_port), l = (uint16_t)len;
  memcpy(p + 8, &port, 2);
  memcpy(p + 10, &l, 2);
  memcpy(p + 12, msg, len);
  b->len = need;
}

// Reads what `fd` has (up to MAX_PER_ROUND datagrams), answers the cached names, adds the rest to `misses`.
// Called with s->mu held.
static void serve_fd(server *s, slot *sl, uint32_t id, batch *misses) {
  uint8_t q[4096], ans[MAX_UDP_ANSWER];
  char name[MAX_NAME + 1];
  for (int k = 0; k < MAX_PER_ROUND; k++) {
    struct sockaddr_in from;
    socklen_t flen = sizeof from;
    ssize_t n = recvfrom(sl->fd, q, sizeof q, MSG_DONTWAIT, (struct sockaddr *)&from, &flen);
    if (n < 0) {
      if (errno == EINTR) continue;
      return; // EAGAIN, or an error the next round sees again
    }
    size_t nlen, qend;
    uint16_t qtype;
    if (parse_query(q, (size_t)n, name, &nlen, &qtype, &qend) == 0) {
      entry *e = lookup(sl, name, nlen, qtype);
      if (e) {
        size_t alen = build_answer(q, qend, e, ans);
        if (alen) {
          sendto(sl->fd, ans, alen, MSG_DONTWAIT, (struct sockaddr *)&from, flen);
          s->hits++;
          continue;
        }
      }
    }
    s->misses++;
    batch_add(misses, id, &from, q, (size_t)n);
  }
}

static void *serve_thread(void *arg) {
  server *s = arg;
  struct epoll_event ev[64];
  for (;;) {
    int n = epoll_wait(s->epfd, ev, 64, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    batch misses = {0};
    pthread_mutex_lock(&s->mu);
    if (s->stopping) {
      pthread_mutex_unlock(&s->mu);
      break;
    }
    for (int i = 0; i < n; i++) {
      if (ev[i].data.u64 == UINT64_MAX) {
        uint64_t x;
        if (read(s->wakefd, &x, sizeof x) < 0) { /* nothing to do */ }
        continue;
      }
      uint32_t id = (uint32_t)ev[i].data.u64;
      slot *sl = slot_of(s, id);
      if (sl) serve_fd(s, sl, id, &misses);
    }
    pthread_mutex_unlock(&s->mu);
    if (misses.len) {
      batch *b = malloc(sizeof *b);
      if (b) *b = misses;
      if (!b || napi_call_threadsafe_function(s->tsfn, b, napi_tsfn_nonblocking) != napi_ok) {
        // JavaScript is behind (or going away): drop the batch; the clients retry
        pthread_mutex_lock(&s->mu);
        s->dropped++;
        pthread_mutex_unlock(&s->mu);
        free(misses.data);
        free(b);
      }
    }
  }
  return NULL;
}

// Runs on the JavaScript thread: hands one batch to the callback as a Buffer.
static void call_js(napi_env env, napi_value cb, void *context, void *data) {
  (void)context;
  batch *b = data;
  if (env && cb) {
    napi_value buf, undef;
    void *dst;
    if (napi_create_buffer_copy(env, b->len, b->data, &dst, &buf) == napi_ok && napi_get_undefined(env, &undef) == napi_ok)
      napi_call_function(env, undef, cb, 1, &buf, NULL);
  }
  free(b->data);
  free(b);
}

// Stops the serving thread (idempotent). With `release`, also gives up the thread-safe function (not when Node
// already finalized it at exit).
static void stop_thread(server *s, int release) {
  pthread_mutex_lock(&s->mu);
  int was = s->stopping;
  s->stopping = 1;
  pthread_mutex_unlock(&s->mu);
  if (!was) {
    uint64_t one = 1;
    if (write(s->wakefd, &one, sizeof one) < 0) { /* the thread still sees `stopping` at its next wake-up */ }
    pthread_join(s->thread, NULL);
  }
  if (release && !s->tsfn_gone) {
    s->tsfn_gone = 1;
    napi_release_threadsafe_function(s->tsfn, napi_tsfn_abort);
  }
}

// Node finalizes the thread-safe function when the daemon exits without serverClose: the thread must stop first.
static void tsfn_finalized(napi_env env, void *data, void *hint) {
  (void)env, (void)hint;
  server *s = data;
  stop_thread(s, 0);
  s->tsfn_gone = 1;
}

static server *get_server(napi_env env, napi_value v) {
  server *s = NULL;
  if (napi_get_value_external(env, v, (void **)&s) != napi_ok || !s) return NULL;
  return s;
}

// serverCreate(onMisses: (batch: Buffer) => void): handle
static napi_value server_create(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], name, handle;
  NAPI_OK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1) THROW(env, "serverCreate(onMisses): a callback is needed");
  server *s = calloc(1, sizeof *s);
  if (!s) THROW(env, "serverCreate: out of memory");
  pthread_mutex_init(&s->mu, NULL);
  s->epfd = epoll_create1(EPOLL_CLOEXEC);
  s->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (s->epfd < 0 || s->wakefd < 0) {
    int e = errno;
    if (s->epfd >= 0) close(s->epfd);
    if (s->wakefd >= 0) close(s->wakefd);
    free(s);
    THROW(env, "serverCreate: %s", strerror(e));
  }
  struct epoll_event ev = {.events = EPOLLIN, .data.u64 = UINT64_MAX};
  epoll_ctl(s->epfd, EPOLL_CTL_ADD, s->wakefd, &ev);
  NAPI_OK(env, napi_create_string_utf8(env, "berth-net dns", NAPI_AUTO_LENGTH, &name));
  if (napi_create_threadsafe_function(env, argv[0], NULL, name, MISS_QUEUE, 1, s, tsfn_finalized, NULL, call_js, &s->tsfn) != napi_ok) {
    close(s->epfd);
    close(s->wakefd);
    free(s);
    THROW(env, "serverCreate: napi_create_threadsafe_function failed");
  }
  // the daemon may exit while the server exists
  napi_unref_threadsafe_function(env, s->tsfn);
  int rc = pthread_create(&s->thread, NULL, serve_thread, s);
  if (rc != 0) {
    s->stopping = 1; // the finalizer must not join a thread that never started
    s->tsfn_gone = 1;
    napi_release_threadsafe_function(s->tsfn, napi_tsfn_abort);
    THROW(env, "serverCreate: pthread_create: %s", strerror(rc));
  }
  NAPI_OK(env, napi_create_external(env, s, NULL, NULL, &handle));
  return handle;
}

static int get_u32(napi_env env, napi_value v, uint32_t *out) { return napi_get_value_uint32(env, v, out) == napi_ok ? 0 : -1; }

// The server of a call whose only argument is the handle; NULL (with an exception pending) otherwise.
static server *handle_arg(napi_env env, napi_callback_info info, const char *usage) {
  size_t argc = 1;
  napi_value argv[1];
  server *s = NULL;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) == napi_ok && argc >= 1) s = get_server(env, argv[0]);
  if (!s) napi_throw_error(env, NULL, usage);
  return s;
}

// Stops serving a slot: out of epoll, socket closed, answers forgotten, its id stale. Called with s->mu held.
static void slot_release(server *s, slot *sl) {
  epoll_ctl(s->epfd, EPOLL_CTL_DEL, sl->fd, NULL);
  close(sl->fd);
  sl->fd = -1;
  sl->gen++;
  slot_clear(sl);
}

// serverAdd(h, fd): slot id. The server owns the fd from then on (serverRemove closes it).
static napi_value server_add(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], out;
  uint32_t fd;
  NAPI_OK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  server *s = argc >= 2 ? get_server(env, argv[0]) : NULL;
  if (!s || get_u32(env, argv[1], &fd)) THROW(env, "serverAdd(handle, fd): bad arguments");
  pthread_mutex_lock(&s->mu);
  if (s->closed) {
    pthread_mutex_unlock(&s->mu);
    THROW(env, "serverAdd: the server is closed");
  }
  uint32_t i = 0;
  while (i < s->nslots && s->slots[i].fd >= 0) i++;
  if (i == s->nslots) {
    if (s->nslots == MAX_SLOTS) {
      pthread_mutex_unlock(&s->mu);
      THROW(env, "serverAdd: more than %d sockets", MAX_SLOTS);
    }
    if (s->nslots == s->cap) {
      uint32_t cap = s->cap ? s->cap * 2 : 64;
      slot *ns = realloc(s->slots, cap * sizeof *ns);
      if (!ns) {
        pthread_mutex_unlock(&s->mu);
        THROW(env, "serverAdd: out of memory");
      }
      s->slots = ns;
      s->cap = cap;
    }
    memset(&s->slots[i], 0, sizeof s->slots[i]);
    s->slots[i].fd = -1;
    s->nslots++;
  }
  slot *sl = &s->slots[i];
  sl->fd = (int)fd;
  uint32_t id = slot_id(s, i);
  struct epoll_event ev = {.events = EPOLLIN, .data.u64 = id};
  if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, (int)fd, &ev) < 0) {
    int e = errno;
    sl->fd = -1;
    pthread_mutex_unlock(&s->mu);
    THROW(env, "serverAdd: epoll_ctl: %s", strerror(e));
  }
  pthread_mutex_unlock(&s->mu);
  NAPI_OK(env, napi_create_uint32(env, id, &out));
  return out;
}

// serverRemove(h, id): stops serving the socket and closes it. Unknown ids are ignored.
static napi_value server_remove(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  uint32_t id;
  NAPI_OK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  server *s = argc >= 2 ? get_server(env, argv[0]) : NULL;
  if (!s || get_u32(env, argv[1], &id)) THROW(env, "serverRemove(handle, id): bad arguments");
  pthread_mutex_lock(&s->mu);
  slot *sl = slot_of(s, id);
  if (sl) slot_release(s, sl);
  pthread_mutex_unlock(&s->mu);
  return NULL;
}

// serverReply(h, id, answer: Buffer, address: number (IPv4, network order as read from a batch), port): sends an
// answer JavaScript made. False when the socket is gone.
static napi_value server_reply(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5], out;
  uint32_t id, addr, port;
  void *data;
  size_t len;
  NAPI_OK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  server *s = argc >= 5 ? get_server(env, argv[0]) : NULL;
  if (!s || get_u32(env, argv[1], &id) || napi_get_buffer_info(env, argv[2], &data, &len) != napi_ok || get_u32(env, argv[3], &addr) ||
      get_u32(env, argv[4], &port))
    THROW(env, "serverReply(handle, id, answer, address, port): bad arguments");
  struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port), .sin_addr.s_addr = addr};
  bool sent = false;
  pthread_mutex_lock(&s->mu);
  slot *sl = slot_of(s, id);
  if (sl) sent = sendto(sl->fd, data, len, MSG_DONTWAIT, (struct sockaddr *)&to, sizeof to) == (ssize_t)len;
  pthread_mutex_unlock(&s->mu);
  NAPI_OK(env, napi_get_boolean(env, sent, &out));
  return out;
}

// serverLearn(h, id, name, qtype, rdata: Buffer): caches the answer to (name, qtype) for the socket: rdata is
// the records' addresses back to back (4 or 16 bytes each; empty: no-data).
static napi_value server_learn(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  uint32_t id, qtype;
  void *rdata;
  size_t rdlen, nlen;
  char name[MAX_NAME + 2];
  NAPI_OK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  server *s = argc >= 5 ? get_server(env, argv[0]) : NULL;
  if (!s || get_u32(env, argv[1], &id) || napi_get_value_string_latin1(env, argv[2], name, sizeof name, &nlen) != napi_ok ||
      get_u32(env, argv[3], &qtype) || napi_get_buffer_info(env, argv[4], &rdata, &rdlen) != napi_ok)
    THROW(env, "serverLearn(handle, id, name, qtype, rdata): bad arguments");
  size_t size = qtype == TYPE_A ? 4 : qtype == TYPE_AAAA ? 16 : 0;
  if (!size || rdlen % size || rdlen / size > 255 || nlen == 0 || nlen > MAX_NAME)
    THROW(env, "serverLearn: bad record (type %u, %zu bytes, name of %zu)", qtype, rdlen, nlen);
  entry *e = malloc(sizeof *e + nlen + rdlen);
  if (!e) THROW(env, "serverLearn: out of memory");
  e->turn = 0;
  e->qtype = (uint16_t)qtype;
  e->count = (uint8_t)(rdlen / size);
  e->nlen = (uint8_t)nlen;
  memcpy(e->name, name, nlen);
  e->rdata = (uint8_t *)e->name + nlen;
  memcpy(e->rdata, rdata, rdlen);
  pthread_mutex_lock(&s->mu);
  slot *sl = slot_of(s, id);
  if (!sl) {
    pthread_mutex_unlock(&s->mu);
    free(e);
    return NULL;
  }
  if (sl->nentries >= MAX_ENTRIES_PER_SLOT) slot_clear(sl);
  uint32_t b = hash_name(name, nlen, e->qtype) % BUCKETS;
  entry **pp = &sl->buckets[b];
  while (*pp && !((*pp)->qtype == e->qtype && (*pp)->nlen == nlen && memcmp((*pp)->name, name, nlen) == 0)) pp = &(*pp)->next;
  if (*pp) {
    entry *old = *pp;
    e->next = old->next;
    e->turn = old->turn;
    *pp = e;
    free(old);
  } else {
    e->next = sl->buckets[b];
    sl->buckets[b] = e;
    sl->nentries++;
  }
  pthread_mutex_unlock(&s->mu);
  return NULL;
}

// serverClear(h): forgets every learned answer (the records changed).
static napi_value server_clear(napi_env env, napi_callback_info info) {
  server *s = handle_arg(env, info, "serverClear(handle): bad arguments");
  if (!s) return NULL;
  pthread_mutex_lock(&s->mu);
  for (uint32_t i = 0; i < s->nslots; i++) slot_clear(&s->slots[i]);
  pthread_mutex_unlock(&s->mu);
  return NULL;
}

// serverStats(h): [hits, misses, dropped batches, sockets]
static napi_value server_stats(napi_env env, napi_callback_info info) {
  napi_value out, v;
  server *s = handle_arg(env, info, "serverStats(handle): bad arguments");
  if (!s) return NULL;
  pthread_mutex_lock(&s->mu);
  double vals[4] = {(double)s->hits, (double)s->misses, (double)s->dropped, 0};
  for (uint32_t i = 0; i < s->nslots; i++) vals[3] += s->slots[i].fd >= 0;
  pthread_mutex_unlock(&s->mu);
  NAPI_OK(env, napi_create_array_with_length(env, 4, &out));
  for (uint32_t i = 0; i < 4; i++) {
    NAPI_OK(env, napi_create_double(env, vals[i], &v));
    NAPI_OK(env, napi_set_element(env, out, i, v));
  }
  return out;
}

// serverClose(h): stops the thread and closes every socket (a server is never freed, see `server`).
static napi_value server_close(napi_env env, napi_callback_info info) {
  server *s = handle_arg(env, info, "serverClose(handle): bad arguments");
  if (!s || s->closed) return NULL;
  stop_thread(s, 1);
  pthread_mutex_lock(&s->mu);
  s->closed = 1;
  for (uint32_t i = 0; i < s->nslots; i++)
    if (s->slots[i].fd >= 0) slot_release(s, &s->slots[i]);
  free(s->slots);
  s->slots = NULL;
  s->nslots = s->cap = 0;
  close(s->epfd);
  close(s->wakefd);
  pthread_mutex_unlock(&s->mu);
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  struct {
    const char *name;
    napi_callback fn;
  } fns[] = {
      {"bindInNetns", bind_in_netns}, {"sysctlInNetns", sysctl_in_netns}, {"serverCreate", server_create}, {"serverAdd", server_add},
      {"serverRemove", server_remove}, {"serverReply", server_reply},   {"serverLearn", server_learn},
      {"serverClear", server_clear},   {"serverStats", server_stats},   {"serverClose", server_close},
  };
  napi_value v;
  for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
    if (napi_create_function(env, fns[i].name, NAPI_AUTO_LENGTH, fns[i].fn, NULL, &v) != napi_ok ||
        napi_set_named_property(env, exports, fns[i].name, v) != napi_ok)
      return NULL;
  }
  if (napi_create_int32(env, BERTH_NET_ABI, &v) != napi_ok || napi_set_named_property(env, exports, "abi", v) != napi_ok) return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
