/*
 * mo-slots: a table in a MAP_SHARED anonymous mapping, made by the launcher before it forks any
 * shim, where each shim of the launcher marks how far its start got.
 *
 * Why: a workload may kill its shim at any moment, even before the shim has written its handshake
 * (`sh -c 'kill -9 $PPID'` runs as soon as vfork returns to the shim, and under load the shim may
 * not have run again by then). The launcher then reaps a shim that said nothing, and must know:
 *  - whether the request stream is intact: a spare killed with part of a frame read leaves it torn
 *    (the launcher must exit), one killed after taking a whole frame leaves it at the next frame;
 *  - which request the dead shim held, and whether its workload was started: then the launcher
 *    answers for it (S or E) and writes the `started` record the shim did not, so the agent's start
 *    neither hangs nor loses a running workload.
 * Marking costs plain stores into memory the shim touched ahead (slot_prepared), no system call
 * and no wake-up of the launcher on the start path (a cross-CPU wake-up costs up to 1 ms here).
 * The launcher reads a slot only after its shim died (the kernel's exit orders the stores), or to
 * find one left DONE for reuse (the shim stores DONE last, with release order, then unmaps).
 *
 * Bounds: SLOT_COUNT shims between fork and DONE at once. When all are in use the launcher neither
 * forks a spare nor starts a request until one frees (it looks again every few milliseconds).
 * Task dirs have a page each, apart from the small headers, so the launcher's scans touch few pages.
 */
#define _GNU_SOURCE
#include "mo-slots.h"

#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#define SLOT_COUNT 64

/* The dirs first: the mapping is page-aligned, so each dir is one page of its own. */
struct table {
	char dir[SLOT_COUNT][SLOT_DIR_MAX];
	struct slot slot[SLOT_COUNT];
};

static struct table *table;
/* The launcher's: the shim using each slot (0 = none). */
static pid_t owner[SLOT_COUNT];
/* A shim's: its slot, or -1 (standalone, or done with it). */
static int mine = -1;

int slots_map(void)
{
	void *p = mmap(NULL, sizeof *table, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -1;
	table = p;
	return 0;
}

int slots_phase(int i)
{
	return __atomic_load_n(&table->slot[i].phase, __ATOMIC_ACQUIRE);
}

int slots_free(void)
{
	for (int i = 0; i < SLOT_COUNT; i++)
		if (!owner[i] || slots_phase(i) == SLOT_DONE)
			return i;
	return -1;
}

void slots_reset(int i)
{
	memset(&table->slot[i], 0, sizeof table->slot[i]);
	owner[i] = 0;
	__atomic_store_n(&table->slot[i].phase, SLOT_READING, __ATOMIC_RELEASE);
}

void slots_take(int i, const char *req_id, const char *task_dir)
{
	struct slot *s = &table->slot[i];
	snprintf(s->req_id, sizeof s->req_id, "%s", req_id);
	snprintf(table->dir[i], sizeof table->dir[i], "%s", task_dir);
	__atomic_store_n(&s->phase, SLOT_TAKEN, __ATOMIC_RELEASE);
}

void slots_own(int i, pid_t shim)
{
	owner[i] = shim;
}

int slots_of_shim(pid_t shim)
{
	for (int i = 0; i < SLOT_COUNT; i++)
		if (owner[i] == shim)
			return i;
	return -1;
}

int slots_of_orphan(pid_t pid)
{
	for (int i = 0; i < SLOT_COUNT; i++) {
		const struct slot *s = &table->slot[i];
		int phase = owner[i] && owner[i] != pid ? slots_phase(i) : SLOT_FREE;
		/* With exec_err the shim may have reaped the workload already: its pid means nothing. */
		if ((phase == SLOT_TAKEN || phase == SLOT_ANSWERED) && s->pid == pid && !s->exec_err)
			return i;
	}
	return -1;
}

struct slot *slots_at(int i)
{
	return &table->slot[i];
}

const char *slots_dir(int i)
{
	return table->dir[i];
}

pid_t slots_owner(int i)
{
	return owner[i];
}

void slots_release(int i)
{
	owner[i] = 0;
	__atomic_store_n(&table->slot[i].phase, SLOT_FREE, __ATOMIC_RELEASE);
}

void slot_use(int i)
{
	mine = i;
}

void slot_prepared(unsigned long long shim_start_time, const char *cgroup)
{
	if (mine < 0)
		return;
	struct slot *s = &table->slot[mine];
	s->shim_start_time = shim_start_time;
	snprintf(s->cgroup, sizeof s->cgroup, "%s", cgroup);
	/* Touch the dir's page now, so that taking a request costs no page fault. */
	__atomic_store_n(&table->dir[mine][SLOT_DIR_MAX - 1], 0, __ATOMIC_RELAXED);
}

void slot_take(const char *req_id, const char *task_dir)
{
	if (mine >= 0)
		slots_take(mine, req_id, task_dir);
}

void slot_workload(pid_t pid)
{
	if (mine >= 0)
		__atomic_store_n(&table->slot[mine].pid, pid, __ATOMIC_RELAXED);
}

void slot_exec_failed(int err, enum start_step step)
{
	if (mine < 0)
		return;
	table->slot[mine].failed_step = (int)step;
	__atomic_store_n(&table->slot[mine].exec_err, err, __ATOMIC_RELAXED);
}

void slot_started(unsigned long long start_time, long long started_at_ms)
{
	if (mine < 0)
		return;
	table->slot[mine].start_time = start_time;
	table->slot[mine].started_at_ms = started_at_ms;
}

void slot_mark(enum slot_phase phase)
{
	if (mine >= 0)
		__atomic_store_n(&table->slot[mine].phase, (int)phase, __ATOMIC_RELEASE);
}

void slot_leave(void)
{
	if (!table)
		return;
	munmap(table, sizeof *table);
	table = NULL;
	mine = -1;
}
