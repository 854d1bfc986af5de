/*
 * setupapi.dll stand-in: a TEST DOUBLE for the PrintHA lab (Linux nodes that play Windows print servers).
 * Never part of the product. See ../README.md ("SetupAPI / newdev stand-in") and ./README.md.
 *
 * PrintHA's generated prepare.ps1 installs the "Microsoft KM-TEST Loopback Adapter" through P/Invoke
 * (Add-Type C#, class PrintHA.LoopbackInstaller) into setupapi.dll and newdev.dll. On the lab nodes pwsh 7.6
 * (.NET, Linux) loads this library instead, so that P/Invoke really executes. The entry points have the
 * Windows parameter lists (x64; .NET on Linux calls them with the SysV ABI, which is what a plain C function
 * is), CharSet.Unicode strings arrive as UTF-16, BOOL is a 32-bit int, and the "last error" is errno: with
 * SetLastError = true the .NET interop stub on Unix copies errno into Marshal.GetLastWin32Error().
 *
 * Exported (Windows names and parameter lists):
 *   SetupDiCreateDeviceInfoList, SetupDiCreateDeviceInfoW, SetupDiSetDeviceRegistryPropertyW,
 *   SetupDiCallClassInstaller (DIF_REGISTERDEVICE, DIF_REMOVE), SetupDiDestroyDeviceInfoList
 * plus one private bridge, PrintHAWinShim_UpdateDriverW, used by the newdev.dll stand-in (newdev.c) for
 * UpdateDriverForPlugAndPlayDevicesW: on Windows the devnodes live in the PnP manager, here in this library.
 *
 * Strict like Windows: unknown/destroyed handles fail with ERROR_INVALID_HANDLE, a wrong cbSize with
 * ERROR_INVALID_USER_BUFFER, a class GUID other than the Net class (the only class this stand-in has an
 * installer for) with ERROR_INVALID_CLASS, a list/element class mismatch with ERROR_CLASS_MISMATCH, a hardware
 * id that is not a well-formed REG_MULTI_SZ ("*MSLOOP\0\0") with ERROR_INVALID_DATA, a driver update for a
 * hardware id no registered devnode carries with ERROR_NO_SUCH_DEVINST, a non-NULL HWND (there are no windows
 * in a remote session) with ERROR_INVALID_WINDOW_HANDLE. DI functions this stand-in does not emulate fail with
 * ERROR_CALL_NOT_IMPLEMENTED rather than pretend.
 *
 * Effect: when a driver is installed on a devnode (UpdateDriverForPlugAndPlayDevicesW), the device is
 * recorded as $PRINTHA_WINSHIM_STATE/devices/<n>.json (default state dir /var/lib/printha-winshim):
 *   { "hardwareId": "*MSLOOP", "description": "Microsoft KM-TEST Loopback Adapter",
 *     "classGuid": "{4d36e972-e325-11ce-bfc1-08002be10318}", "created": "<ISO 8601 UTC>" }
 * written atomically (temporary file, fsync, link(2) to the free name, so a name is never overwritten).
 * DIF_REMOVE on that devnode deletes the record. Registered devnodes without a driver live in this process
 * only (Windows would keep them as phantom devices). PRINTHA_WINSHIM_STATE is read with getenv(): it must be
 * in the environment pwsh was started with ($env: changes inside .NET do not reach the C environment).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "winshim.h"

#define EXPORT __attribute__((visibility("default")))

/* ---- Win32 / SetupAPI constants (winerror.h, setupapi.h) ---- */
#define INVALID_HANDLE_VALUE ((void *)(intptr_t)-1)

#define DICD_GENERATE_ID 0x00000001u
#define DICD_INHERIT_CLASSDRVS 0x00000002u

#define DIF_REMOVE 0x05u
#define DIF_REGISTERDEVICE 0x19u
#define DIF_MAX 0x2Au /* DIF_FINISHINSTALL_ACTION */

#define SPDRP_DEVICEDESC 0x00u
#define SPDRP_HARDWAREID 0x01u
#define SPDRP_COMPATIBLEIDS 0x02u
#define SPDRP_CONFIGFLAGS 0x0Au
#define SPDRP_FRIENDLYNAME 0x0Cu
#define SPDRP_LOCATION_INFORMATION 0x0Du
#define SPDRP_UPPERFILTERS 0x11u
#define SPDRP_LOWERFILTERS 0x12u
#define SPDRP_SECURITY 0x17u
#define SPDRP_SECURITY_SDS 0x18u
#define SPDRP_DEVTYPE 0x19u
#define SPDRP_EXCLUSIVE 0x1Au
#define SPDRP_CHARACTERISTICS 0x1Bu
#define SPDRP_UI_NUMBER_DESC_FORMAT 0x1Du
#define SPDRP_REMOVAL_POLICY_OVERRIDE 0x21u

#define INSTALLFLAG_FORCE 0x1u
#define INSTALLFLAG_READONLY 0x2u
#define INSTALLFLAG_NONINTERACTIVE 0x4u

#define MAX_DEVICE_ID_LEN 200
#define DIR_CAP 4000  /* <state>/devices */
#define PATH_CAP 4160 /* <state>/devices/<file> */

/* ---- the stand-in's driver store: the in-box loopback driver ---- */
static const shim_guid NET_CLASS = {0x4d36e972u, 0xe325u, 0x11ceu, {0xbf, 0xc1, 0x08, 0x00, 0x2b, 0xe1, 0x03, 0x18}};
static const char LOOPBACK_INF[] = "netloop.inf";
static const char LOOPBACK_HWID[] = "*MSLOOP";
static const char LOOPBACK_DESC[] = "Microsoft KM-TEST Loopback Adapter";

/* ---- objects ---- */
typedef struct devnode {
  shim_guid class_guid;
  char name[MAX_DEVICE_ID_LEN + 1];     /* class name (DICD_GENERATE_ID) or full instance id */
  int generate_id;
  uint16_t *hwids;                      /* REG_MULTI_SZ, UTF-16, as set */
  size_t hwids_len;                     /* bytes */
  int registered;                       /* DIF_REGISTERDEVICE done */
  int number;                           /* instance number once registered */
  char record[PATH_CAP];                /* device file once a driver is installed */
  struct devnode *next_global;          /* registered devnodes (the "PnP manager") */
} devnode;

typedef struct element {
  devnode *node;
  struct element *next;
} element;

#define SET_MAGIC 0x50484144u /* "PHAD" */
typedef struct devset {
  uint32_t magic;
  int has_class;
  shim_guid class_guid;
  element *elements;
  struct devset *next;
} devset;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static devset *live_sets;
static devnode *registered_nodes;

/* ---- helpers ---- */
static BOOL fail(uint32_t err) {
  errno = (int)err;
  return 0;
}
static BOOL ok(void) {
  errno = 0;
  return 1;
}

static int guid_eq(const shim_guid *a, const shim_guid *b) { return memcmp(a, b, sizeof(shim_guid)) == 0; }

static void guid_format(const shim_guid *g, char out[39]) {
  snprintf(out, 39, "{%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x}", g->data1, g->data2, g->data3, g->data4[0],
           g->data4[1], g->data4[2], g->data4[3], g->data4[4], g->data4[5], g->data4[6], g->data4[7]);
}

static devset *find_set(void *h) {
  if (h == NULL || h == INVALID_HANDLE_VALUE) return NULL;
  for (devset *s = live_sets; s != NULL; s = s->next)
    if ((void *)s == h && s->magic == SET_MAGIC) return s;
  return NULL;
}

/* UTF-16 (possibly NULL) to UTF-8; returns 0 on malformed input or overflow. */
static int utf16_to_utf8(const uint16_t *in, size_t n_units, char *out, size_t cap) {
  size_t o = 0;
  for (size_t i = 0; i < n_units; i++) {
    uint32_t c = in[i];
    if (c >= 0xD800 && c <= 0xDBFF) {
      if (i + 1 >= n_units || in[i + 1] < 0xDC00 || in[i + 1] > 0xDFFF) return 0;
      c = 0x10000 + ((c - 0xD800) << 10) + (in[i + 1] - 0xDC00);
      i++;
    } else if (c >= 0xDC00 && c <= 0xDFFF) {
      return 0;
    }
    unsigned char b[4];
    size_t k;
    if (c < 0x80) { b[0] = (unsigned char)c; k = 1; }
    else if (c < 0x800) { b[0] = (unsigned char)(0xC0 | (c >> 6)); b[1] = (unsigned char)(0x80 | (c & 0x3F)); k = 2; }
    else if (c < 0x10000) {
      b[0] = (unsigned char)(0xE0 | (c >> 12)); b[1] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
      b[2] = (unsigned char)(0x80 | (c & 0x3F)); k = 3;
    } else {
      b[0] = (unsigned char)(0xF0 | (c >> 18)); b[1] = (unsigned char)(0x80 | ((c >> 12) & 0x3F));
      b[2] = (unsigned char)(0x80 | ((c >> 6) & 0x3F)); b[3] = (unsigned char)(0x80 | (c & 0x3F)); k = 4;
    }
    if (o + k + 1 > cap) return 0;
    memcpy(out + o, b, k);
    o += k;
  }
  if (o + 1 > cap) return 0;
  out[o] = '\0';
  return 1;
}

static size_t wlen(const uint16_t *s) {
  size_t n = 0;
  while (s[n] != 0) n++;
  return n;
}

/* NUL-terminated UTF-16 to UTF-8 (0: malformed / too long). */
static int wstr(const uint16_t *s, char *out, size_t cap) { return utf16_to_utf8(s, wlen(s), out, cap); }

static int ascii_ieq(const char *a, const char *b) {
  for (;; a++, b++) {
    unsigned char x = (unsigned char)*a, y = (unsigned char)*b;
    if (x >= 'a' && x <= 'z') x = (unsigned char)(x - 32);
    if (y >= 'a' && y <= 'z') y = (unsigned char)(y - 32);
    if (x != y) return 0;
    if (x == 0) return 1;
  }
}

/* A device id segment: printable ASCII above space, no backslash, no comma (cfgmgr32 rules). */
static int valid_id_segment(const char *s, size_t max) {
  size_t n = strlen(s);
  if (n == 0 || n > max) return 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c <= 0x20 || c >= 0x7F || c == '\\' || c == ',') return 0;
  }
  return 1;
}

/* "ROOT\<id>\<instance>": the only kind of device instance id a caller can create. */
static int valid_root_instance_id(const char *s) {
  if (strlen(s) > MAX_DEVICE_ID_LEN) return 0;
  const char *a = strchr(s, '\\');
  if (a == NULL) return 0;
  const char *b = strchr(a + 1, '\\');
  if (b == NULL || strchr(b + 1, '\\') != NULL) return 0;
  char part[MAX_DEVICE_ID_LEN + 1];
  size_t n0 = (size_t)(a - s), n1 = (size_t)(b - a - 1);
  memcpy(part, s, n0); part[n0] = '\0';
  if (!ascii_ieq(part, "ROOT")) return 0;
  memcpy(part, a + 1, n1); part[n1] = '\0';
  if (!valid_id_segment(part, MAX_DEVICE_ID_LEN)) return 0;
  return valid_id_segment(b + 1, MAX_DEVICE_ID_LEN);
}

/*
 * REG_MULTI_SZ check: s1 NUL s2 NUL ... NUL NUL, ending exactly at len (an empty list is a single NUL);
 * every string valid UTF-16 and at most MAX_DEVICE_ID_LEN characters (hardware / compatible ids).
 */
static int valid_multi_sz(const uint8_t *buf, uint32_t len) {
  if (len < 2 || len % 2 != 0) return 0;
  size_t n = len / 2;
  uint16_t *w = malloc(len);
  if (w == NULL) return 0;
  memcpy(w, buf, len);
  int good = 0;
  if (w[0] == 0) {
    good = n == 1 || (n == 2 && w[1] == 0); /* the empty list: "\0" or "\0\0" */
  } else {
    size_t i = 0;
    for (;;) {
      if (i >= n) break;
      if (w[i] == 0) { good = i == n - 1; break; } /* the terminating empty string ends the buffer */
      size_t start = i;
      while (i < n && w[i] != 0) i++;
      if (i >= n) break; /* not NUL-terminated */
      char tmp[MAX_DEVICE_ID_LEN * 4 + 1];
      if (i - start > MAX_DEVICE_ID_LEN || !utf16_to_utf8(w + start, i - start, tmp, sizeof tmp)) break;
      i++;
    }
  }
  free(w);
  return good;
}

/* REG_SZ check: a NUL-terminated string that fills the buffer exactly. */
static int valid_sz(const uint8_t *buf, uint32_t len) {
  if (len < 2 || len % 2 != 0) return 0;
  size_t n = len / 2;
  uint16_t last, c;
  memcpy(&last, buf + len - 2, 2);
  if (last != 0) return 0;
  for (size_t i = 0; i + 1 < n; i++) {
    memcpy(&c, buf + 2 * i, 2);
    if (c == 0) return 0;
  }
  return 1;
}

/* Does the devnode's hardware id list contain id (case-insensitive)? Copies the stored spelling to out. */
static int node_has_hwid(const devnode *d, const char *id, char *out, size_t cap) {
  if (d->hwids == NULL) return 0;
  size_t n = d->hwids_len / 2, i = 0;
  while (i < n && d->hwids[i] != 0) {
    size_t start = i;
    while (i < n && d->hwids[i] != 0) i++;
    char tmp[MAX_DEVICE_ID_LEN * 4 + 1];
    if (utf16_to_utf8(d->hwids + start, i - start, tmp, sizeof tmp) && ascii_ieq(tmp, id)) {
      snprintf(out, cap, "%s", tmp);
      return 1;
    }
    i++;
  }
  return 0;
}

/* ---- state directory ---- */
static const char *state_dir(void) {
  const char *s = getenv("PRINTHA_WINSHIM_STATE");
  return (s != NULL && s[0] != '\0') ? s : "/var/lib/printha-winshim";
}

static uint32_t errno_to_win32(int e) {
  switch (e) {
    case EACCES: case EPERM: case EROFS: return ERROR_ACCESS_DENIED;
    case ENOENT: case ENOTDIR: return ERROR_PATH_NOT_FOUND;
    case ENOSPC: case EDQUOT: return ERROR_DISK_FULL;
    case ENOMEM: return ERROR_NOT_ENOUGH_MEMORY;
    default: return ERROR_GEN_FAILURE;
  }
}

/* <state>/devices, created if missing (0 and *err on failure). */
static int devices_dir(char *out, size_t cap, uint32_t *err) {
  const char *s = state_dir();
  if ((size_t)snprintf(out, cap, "%s/devices", s) >= cap) { *err = ERROR_FILENAME_EXCED_RANGE; return 0; }
  struct stat st;
  if (stat(s, &st) != 0 || !S_ISDIR(st.st_mode)) { *err = ERROR_PATH_NOT_FOUND; return 0; }
  if (mkdir(out, 0755) != 0 && errno != EEXIST) { *err = errno_to_win32(errno); return 0; }
  if (access(out, W_OK | X_OK) != 0) { *err = errno_to_win32(errno); return 0; }
  return 1;
}

static int is_record_name(const char *n, int *number) {
  size_t len = strlen(n);
  if (len < 6 || strcmp(n + len - 5, ".json") != 0) return 0;
  int v = 0;
  for (size_t i = 0; i + 5 < len; i++) {
    if (n[i] < '0' || n[i] > '9' || v > 99999) return 0;
    v = v * 10 + (n[i] - '0');
  }
  *number = v;
  return 1;
}

static int number_in_use(const char *dir, int number) {
  for (devnode *d = registered_nodes; d != NULL; d = d->next_global)
    if (d->number == number) return 1;
  char p[PATH_CAP];
  snprintf(p, sizeof p, "%s/%d.json", dir, number);
  return access(p, F_OK) == 0;
}

/* Is there a recorded device (a devnode with a driver, from any process) with this hardware id? */
static int recorded_device_has_hwid(const char *dir, const char *id) {
  DIR *dp = opendir(dir);
  if (dp == NULL) return 0;
  int found = 0;
  struct dirent *e;
  while (!found && (e = readdir(dp)) != NULL) {
    int num;
    if (!is_record_name(e->d_name, &num)) continue;
    char p[PATH_CAP + 256], buf[4096];
    snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
    FILE *f = fopen(p, "r");
    if (f == NULL) continue;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    char *k = strstr(buf, "\"hardwareId\"");
    if (k == NULL) continue;
    k = strchr(k + 12, '"');
    if (k == NULL) continue;
    char *end = strchr(k + 1, '"');
    if (end == NULL) continue;
    *end = '\0';
    found = ascii_ieq(k + 1, id);
  }
  closedir(dp);
  return found;
}

static int json_escape(const char *in, char *out, size_t cap) {
  size_t o = 0;
  for (; *in; in++) {
    unsigned char c = (unsigned char)*in;
    char tmp[8];
    const char *piece = tmp;
    if (c == '"') piece = "\\\"";
    else if (c == '\\') piece = "\\\\";
    else if (c < 0x20) snprintf(tmp, sizeof tmp, "\\u%04x", c);
    else { tmp[0] = (char)c; tmp[1] = '\0'; }
    size_t k = strlen(piece);
    if (o + k + 1 > cap) return 0;
    memcpy(out + o, piece, k);
    o += k;
  }
  out[o] = '\0';
  return 1;
}

/* Writes devices/<n>.json atomically under a free name (n >= d->number); the path goes to d->record. */
static uint32_t write_record(devnode *d, const char *dir, const char *hwid) {
  struct timeval tv;
  gettimeofday(&tv, NULL);
  struct tm tm;
  gmtime_r(&tv.tv_sec, &tm);
  char created[96], g[39], hw[MAX_DEVICE_ID_LEN * 8 + 1];
  snprintf(created, sizeof created, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
           tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(tv.tv_usec / 1000));
  guid_format(&d->class_guid, g);
  if (!json_escape(hwid, hw, sizeof hw)) return ERROR_INVALID_DATA;
  char body[2048];
  int len = snprintf(body, sizeof body,
                     "{ \"hardwareId\": \"%s\", \"description\": \"%s\", \"classGuid\": \"%s\", \"created\": \"%s\" }\n", hw,
                     LOOPBACK_DESC, g, created);
  if (len < 0 || (size_t)len >= sizeof body) return ERROR_INVALID_DATA;

  char tmp[PATH_CAP];
  snprintf(tmp, sizeof tmp, "%s/.device-%d-%ld.tmp", dir, (int)getpid(), (long)tv.tv_usec);
  int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return errno_to_win32(errno);
  ssize_t w = write(fd, body, (size_t)len);
  int e = (w == len) ? 0 : (w < 0 ? errno : ENOSPC);
  if (e == 0 && fsync(fd) != 0) e = errno;
  if (close(fd) != 0 && e == 0) e = errno;
  if (e != 0) { unlink(tmp); return errno_to_win32(e); }
  for (int n = d->number; n < d->number + 10000; n++) {
    char target[PATH_CAP];
    snprintf(target, sizeof target, "%s/%d.json", dir, n);
    if (link(tmp, target) == 0) {
      unlink(tmp);
      int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (dfd >= 0) { fsync(dfd); close(dfd); }
      d->number = n;
      snprintf(d->record, sizeof d->record, "%s", target);
      return ERROR_SUCCESS;
    }
    if (errno != EEXIST) { e = errno; unlink(tmp); return errno_to_win32(e); }
  }
  unlink(tmp);
  return ERROR_GEN_FAILURE;
}

/* ---- SP_DEVINFO_DATA ---- */
static uint32_t element_of(devset *s, SP_DEVINFO_DATA *data, element **out) {
  if (data == NULL) return ERROR_INVALID_PARAMETER;
  if (data->cbSize != sizeof(SP_DEVINFO_DATA)) return ERROR_INVALID_USER_BUFFER;
  for (element *e = s->elements; e != NULL; e = e->next)
    if ((uintptr_t)e == data->Reserved) { *out = e; return ERROR_SUCCESS; }
  return ERROR_INVALID_PARAMETER;
}

static void fill_data(SP_DEVINFO_DATA *data, element *e) {
  data->ClassGuid = e->node->class_guid;
  data->DevInst = e->node->registered ? (uint32_t)(e->node->number + 1) : 0;
  data->Reserved = (uintptr_t)e;
}

static void free_node(devnode *d) {
  free(d->hwids);
  free(d);
}

/* ================= exports ================= */

EXPORT void *SetupDiCreateDeviceInfoList(const shim_guid *ClassGuid, void *hwndParent) {
  if (hwndParent != NULL) { errno = ERROR_INVALID_WINDOW_HANDLE; return INVALID_HANDLE_VALUE; }
  devset *s = calloc(1, sizeof *s);
  if (s == NULL) { errno = ERROR_NOT_ENOUGH_MEMORY; return INVALID_HANDLE_VALUE; }
  s->magic = SET_MAGIC;
  if (ClassGuid != NULL) { s->has_class = 1; s->class_guid = *ClassGuid; }
  pthread_mutex_lock(&lock);
  s->next = live_sets;
  live_sets = s;
  pthread_mutex_unlock(&lock);
  errno = 0;
  return s;
}

EXPORT BOOL SetupDiCreateDeviceInfoW(void *DeviceInfoSet, const uint16_t *DeviceName, const shim_guid *ClassGuid,
                                     const uint16_t *DeviceDescription, void *hwndParent, uint32_t CreationFlags,
                                     SP_DEVINFO_DATA *DeviceInfoData) {
  uint32_t err = ERROR_SUCCESS;
  char name[MAX_DEVICE_ID_LEN * 4 + 1], desc[1024];
  pthread_mutex_lock(&lock);
  devset *s = find_set(DeviceInfoSet);
  if (s == NULL) err = ERROR_INVALID_HANDLE;
  else if ((CreationFlags & ~(DICD_GENERATE_ID | DICD_INHERIT_CLASSDRVS)) != 0) err = ERROR_INVALID_FLAGS;
  else if (hwndParent != NULL) err = ERROR_INVALID_WINDOW_HANDLE;
  else if (DeviceName == NULL || ClassGuid == NULL) err = ERROR_INVALID_PARAMETER;
  else if (DeviceInfoData != NULL && DeviceInfoData->cbSize != sizeof(SP_DEVINFO_DATA)) err = ERROR_INVALID_USER_BUFFER;
  else if (s->has_class && !guid_eq(&s->class_guid, ClassGuid)) err = ERROR_CLASS_MISMATCH;
  else if (!guid_eq(ClassGuid, &NET_CLASS)) err = ERROR_INVALID_CLASS;
  else if (!wstr(DeviceName, name, sizeof name)) err = ERROR_INVALID_DEVINST_NAME;
  else if ((CreationFlags & DICD_GENERATE_ID) ? !valid_id_segment(name, MAX_DEVICE_ID_LEN - 5) : !valid_root_instance_id(name))
    err = ERROR_INVALID_DEVINST_NAME;
  else if (DeviceDescription != NULL && !wstr(DeviceDescription, desc, sizeof desc)) err = ERROR_INVALID_DATA;
  if (err == ERROR_SUCCESS && !(CreationFlags & DICD_GENERATE_ID)) {
    for (devnode *d = registered_nodes; d != NULL; d = d->next_global)
      if (!d->generate_id && ascii_ieq(d->name, name)) err = ERROR_DEVINST_ALREADY_EXISTS;
  }
  if (err == ERROR_SUCCESS) {
    devnode *d = calloc(1, sizeof *d);
    element *e = calloc(1, sizeof *e);
    if (d == NULL || e == NULL) {
      free(d); free(e);
      err = ERROR_NOT_ENOUGH_MEMORY;
    } else {
      d->class_guid = *ClassGuid;
      snprintf(d->name, sizeof d->name, "%s", name);
      d->generate_id = (CreationFlags & DICD_GENERATE_ID) != 0;
      d->number = -1;
      e->node = d;
      e->next = s->elements;
      s->elements = e;
      if (DeviceInfoData != NULL) fill_data(DeviceInfoData, e);
    }
  }
  pthread_mutex_unlock(&lock);
  return err == ERROR_SUCCESS ? ok() : fail(err);
}

static int settable_property(uint32_t p) {
  switch (p) {
    case SPDRP_DEVICEDESC: case SPDRP_HARDWAREID: case SPDRP_COMPATIBLEIDS: case SPDRP_CONFIGFLAGS:
    case SPDRP_FRIENDLYNAME: case SPDRP_LOCATION_INFORMATION: case SPDRP_UPPERFILTERS: case SPDRP_LOWERFILTERS:
    case SPDRP_SECURITY: case SPDRP_SECURITY_SDS: case SPDRP_DEVTYPE: case SPDRP_EXCLUSIVE: case SPDRP_CHARACTERISTICS:
    case SPDRP_UI_NUMBER_DESC_FORMAT: case SPDRP_REMOVAL_POLICY_OVERRIDE:
      return 1;
    default:
      return 0;
  }
}

EXPORT BOOL SetupDiSetDeviceRegistryPropertyW(void *DeviceInfoSet, SP_DEVINFO_DATA *DeviceInfoData, uint32_t Property,
                                              const uint8_t *PropertyBuffer, uint32_t PropertyBufferSize) {
  uint32_t err = ERROR_SUCCESS;
  element *e = NULL;
  pthread_mutex_lock(&lock);
  devset *s = find_set(DeviceInfoSet);
  if (s == NULL) err = ERROR_INVALID_HANDLE;
  else err = element_of(s, DeviceInfoData, &e);
  if (err == ERROR_SUCCESS) {
    if (!settable_property(Property)) err = ERROR_INVALID_REG_PROPERTY;
    else if (PropertyBuffer == NULL && PropertyBufferSize != 0) err = ERROR_INVALID_PARAMETER;
  }
  if (err == ERROR_SUCCESS && PropertyBuffer != NULL) {
    int multi = Property == SPDRP_HARDWAREID || Property == SPDRP_COMPATIBLEIDS || Property == SPDRP_UPPERFILTERS ||
                Property == SPDRP_LOWERFILTERS;
    int sz = Property == SPDRP_DEVICEDESC || Property == SPDRP_FRIENDLYNAME || Property == SPDRP_LOCATION_INFORMATION ||
             Property == SPDRP_SECURITY_SDS || Property == SPDRP_UI_NUMBER_DESC_FORMAT;
    int dword = Property == SPDRP_CONFIGFLAGS || Property == SPDRP_DEVTYPE || Property == SPDRP_EXCLUSIVE ||
                Property == SPDRP_CHARACTERISTICS || Property == SPDRP_REMOVAL_POLICY_OVERRIDE;
    if (multi && !valid_multi_sz(PropertyBuffer, PropertyBufferSize)) err = ERROR_INVALID_DATA;
    else if (sz && !valid_sz(PropertyBuffer, PropertyBufferSize)) err = ERROR_INVALID_DATA;
    else if (dword && PropertyBufferSize != 4) err = ERROR_INVALID_DATA;
  }
  if (err == ERROR_SUCCESS && Property == SPDRP_HARDWAREID) {
    devnode *d = e->node;
    uint16_t *copy = NULL;
    if (PropertyBuffer != NULL && PropertyBufferSize > 2) {
      copy = malloc(PropertyBufferSize);
      if (copy == NULL) err = ERROR_NOT_ENOUGH_MEMORY;
      else memcpy(copy, PropertyBuffer, PropertyBufferSize);
    }
    if (err == ERROR_SUCCESS) {
      free(d->hwids);
      d->hwids = copy;
      d->hwids_len = copy != NULL ? PropertyBufferSize : 0;
    }
  }
  pthread_mutex_unlock(&lock);
  return err == ERROR_SUCCESS ? ok() : fail(err);
}

EXPORT BOOL SetupDiCallClassInstaller(uint32_t InstallFunction, void *DeviceInfoSet, SP_DEVINFO_DATA *DeviceInfoData) {
  uint32_t err = ERROR_SUCCESS;
  element *e = NULL;
  pthread_mutex_lock(&lock);
  devset *s = find_set(DeviceInfoSet);
  if (s == NULL) err = ERROR_INVALID_HANDLE;
  else if (InstallFunction == 0 || InstallFunction > DIF_MAX) err = ERROR_INVALID_PARAMETER;
  else if (InstallFunction != DIF_REGISTERDEVICE && InstallFunction != DIF_REMOVE) err = ERROR_CALL_NOT_IMPLEMENTED;
  else if (DeviceInfoData == NULL) err = ERROR_NO_DEVICE_SELECTED; /* no selected device in this stand-in */
  else err = element_of(s, DeviceInfoData, &e);

  if (err == ERROR_SUCCESS && InstallFunction == DIF_REGISTERDEVICE) {
    devnode *d = e->node;
    char dir[DIR_CAP];
    if (d->registered) err = ERROR_DEVINST_ALREADY_EXISTS;
    else if (devices_dir(dir, sizeof dir, &err)) {
      int n = 0;
      while (number_in_use(dir, n)) n++;
      d->number = n;
      d->registered = 1;
      d->next_global = registered_nodes;
      registered_nodes = d;
      fill_data(DeviceInfoData, e);
    }
  } else if (err == ERROR_SUCCESS && InstallFunction == DIF_REMOVE) {
    devnode *d = e->node;
    if (!d->registered) err = ERROR_NO_SUCH_DEVINST;
    else {
      if (d->record[0] != '\0' && unlink(d->record) != 0 && errno != ENOENT) err = errno_to_win32(errno);
      if (err == ERROR_SUCCESS) {
        d->record[0] = '\0';
        for (devnode **pp = &registered_nodes; *pp != NULL; pp = &(*pp)->next_global)
          if (*pp == d) { *pp = d->next_global; break; }
        d->next_global = NULL;
        d->registered = 0;
        d->number = -1;
        fill_data(DeviceInfoData, e);
      }
    }
  }
  pthread_mutex_unlock(&lock);
  return err == ERROR_SUCCESS ? ok() : fail(err);
}

EXPORT BOOL SetupDiDestroyDeviceInfoList(void *DeviceInfoSet) {
  pthread_mutex_lock(&lock);
  devset *s = find_set(DeviceInfoSet);
  if (s == NULL) {
    pthread_mutex_unlock(&lock);
    return fail(ERROR_INVALID_HANDLE);
  }
  for (devset **pp = &live_sets; *pp != NULL; pp = &(*pp)->next)
    if (*pp == s) { *pp = s->next; break; }
  element *e = s->elements;
  while (e != NULL) {
    element *next = e->next;
    if (!e->node->registered) free_node(e->node); /* registered devnodes outlive the list, as on Windows */
    free(e);
    e = next;
  }
  s->magic = 0;
  free(s);
  pthread_mutex_unlock(&lock);
  return ok();
}

/* ---- newdev.dll's UpdateDriverForPlugAndPlayDevicesW, reached through newdev.c ---- */

static const char *base_name(const char *p) {
  const char *b = p;
  for (const char *c = p; *c; c++)
    if (*c == '/' || *c == '\\') b = c + 1;
  return b;
}

EXPORT BOOL PrintHAWinShim_UpdateDriverW(void *hwndParent, const uint16_t *HardwareId, const uint16_t *FullInfPath,
                                         uint32_t InstallFlags, BOOL *bRebootRequired) {
  char hwid[MAX_DEVICE_ID_LEN * 4 + 1], inf[4096];
  if ((InstallFlags & ~(INSTALLFLAG_FORCE | INSTALLFLAG_READONLY | INSTALLFLAG_NONINTERACTIVE)) != 0)
    return fail(ERROR_INVALID_FLAGS);
  if (hwndParent != NULL) return fail(ERROR_INVALID_WINDOW_HANDLE);
  if (HardwareId == NULL || FullInfPath == NULL) return fail(ERROR_INVALID_PARAMETER);
  if (!wstr(HardwareId, hwid, sizeof hwid) || !valid_id_segment(hwid, MAX_DEVICE_ID_LEN) ||
      !wstr(FullInfPath, inf, sizeof inf))
    return fail(ERROR_INVALID_PARAMETER);
  /* Windows accepts either separator; on Linux the path is a Linux path ($env:windir of the stand-in). */
  for (char *c = inf; *c; c++)
    if (*c == '\\') *c = '/';
  if (inf[0] != '/') return fail(ERROR_INVALID_PARAMETER); /* FullInfPath: a full path */
  struct stat st;
  if (stat(inf, &st) != 0) return fail(errno == ENOENT ? ERROR_FILE_NOT_FOUND : ERROR_PATH_NOT_FOUND);
  if (!S_ISREG(st.st_mode) || access(inf, R_OK) != 0) return fail(ERROR_ACCESS_DENIED);

  uint32_t err = ERROR_SUCCESS;
  char dir[DIR_CAP];
  pthread_mutex_lock(&lock);
  if (!devices_dir(dir, sizeof dir, &err)) {
    pthread_mutex_unlock(&lock);
    return fail(err);
  }
  int matched = 0;
  char spelled[MAX_DEVICE_ID_LEN * 4 + 1];
  for (devnode *d = registered_nodes; d != NULL; d = d->next_global)
    if (node_has_hwid(d, hwid, spelled, sizeof spelled)) matched++;
  if (recorded_device_has_hwid(dir, hwid)) matched++;
  /* The stand-in's driver store knows one driver package: netloop.inf, Net class, hardware id *MSLOOP. */
  int known = ascii_ieq(base_name(inf), LOOPBACK_INF) && ascii_ieq(hwid, LOOPBACK_HWID);
  if (matched == 0) err = ERROR_NO_SUCH_DEVINST;
  else if (!known) err = ERROR_NO_COMPAT_DRIVERS;
  else {
    for (devnode *d = registered_nodes; d != NULL && err == ERROR_SUCCESS; d = d->next_global) {
      if (d->record[0] != '\0' || !node_has_hwid(d, hwid, spelled, sizeof spelled)) continue;
      if (!guid_eq(&d->class_guid, &NET_CLASS)) { err = ERROR_CLASS_MISMATCH; break; }
      err = write_record(d, dir, spelled);
    }
  }
  pthread_mutex_unlock(&lock);
  if (err != ERROR_SUCCESS) return fail(err);
  if (bRebootRequired != NULL) *bRebootRequired = 0; /* netloop.inf needs no reboot */
  return ok();
}
