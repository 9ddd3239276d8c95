"""Grade a class: grade its submissions (:mod:`autograder.submissions` finds them) in parallel, record
every result.

Results go to
``OUT/<exercise>/<student>.json`` (one per student, written atomically as
soon as it is graded) and ``OUT/<exercise>/gradebook.csv``.
"""
from __future__ import annotations

import csv
import io
import json
import os
import signal
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from . import registry
from .files import atomic_write, file_digest
from .messages import BOTH, t
from .results import ExerciseResult, GradedSubmission
from .sanitize import csv_row
from .submissions import Submission

#: set by the command line's SIGINT handler before it raises KeyboardInterrupt: should that exception be
#: swallowed on its way (a finalizer, a library's ``except BaseException``), the batch still stops after
#: the submission it is saving (:func:`grade_batch`'s ``finish``)
STOP = threading.Event()


def graded(result: ExerciseResult, sub: Submission) -> GradedSubmission:
    """``result`` as the graded submission of ``sub`` (with the ``sha256`` of the file graded, so a
    rerun can tell whether it changed)."""
    return GradedSubmission(sub.student, str(sub.path), file_digest(sub.path), result)


def _json(rec: GradedSubmission) -> str:
    """The per-student JSON file's text (:meth:`GradedSubmission.to_dict`: the SPEC's result plus
    ``student``, ``path`` and ``sha256``)."""
    return json.dumps(rec.to_dict(), indent=1, ensure_ascii=False) + "\n"


_worker_cases: dict = {}


def _grade_one(exercise_id: str, student: str, path: str, lang: str, limits=None, private=(),
               hidden_key: str | None = None) -> GradedSubmission:
    """Runs in a worker process; hidden cases are computed once per worker and key."""
    from .cases import CaseSource, hidden_key as env_key
    from .grading import grade_file

    key = hidden_key or env_key()
    if key not in _worker_cases:
        _worker_cases[key] = CaseSource(key)
    sub = Submission(student, Path(path))
    result = grade_file(exercise_id, path, hidden=True, lang=lang, case_source=_worker_cases[key], limits=limits,
                        private=private, hidden_key=key)
    return graded(result, sub)


def gradebook_csv(records: list[GradedSubmission]) -> str:
    """One row per student: id, score, max, error, then each check's points.

    Every cell goes through ``sanitize.csv_cell``: a student id or error that a spreadsheet would
    read as a formula gets a leading ``'``; numbers (negative ones too) stay numbers."""
    ids: list[str] = []
    for r in records:
        for c in r.checks:
            if c.id not in ids:
                ids.append(c.id)
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(csv_row(["student", "score", "max_score", "error", *ids]))
    for r in sorted(records, key=lambda r: r.student):
        points = {c.id: c.points for c in r.checks}
        writer.writerow(csv_row([r.student, f"{r.score:g}", f"{r.max_score:g}", r.error() or "",
                                 *(f"{points[n]:g}" if n in points else "" for n in ids)]))
    return buf.getvalue()


# ------------------------------------------------------------------ stopping at once (Ctrl-C)
# A run stops within a second or two of Ctrl-C: the parent drops what is queued, tells its workers to stop
# (SIGTERM: each kills its student processes and exits), kills what is left, and the KeyboardInterrupt goes
# on to the caller, which says what was saved. Workers ignore SIGINT (a terminal sends it to the whole
# process group; stopping is the parent's job) and die with the parent (PR_SET_PDEATHSIG on Linux), so a
# parent that is killed leaves neither workers nor student processes behind.

_live_pools: set = set()
#: inside :func:`shared_pools`: the pool of each size, kept from one run to the next (None outside)
_kept: dict | None = None


@contextmanager
def shared_pools():
    """Within this block, the runs of :func:`grade_batch` (one exercise after another: ``grader demo``, a
    course graded exercise by exercise) share their pools of workers: each worker keeps its warm template
    and the hidden cases it computed, instead of a new pool (about 0.35 s) per exercise. A pool that broke
    or was stopped is not kept. The pools are shut down when the block ends; nested blocks share the
    outermost one's."""
    global _kept
    if _kept is not None:
        yield
        return
    _kept = {}
    try:
        yield
    finally:
        kept, _kept = _kept, None
        for pool in kept.values():
            _live_pools.discard(pool)
            pool.shutdown(wait=True)


def _die_with_parent(parent: int) -> None:
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGTERM), 0, 0, 0)  # 1: PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    try:
        os.kill(parent, 0)
    except ProcessLookupError:  # the parent died before the line above took effect
        os.kill(os.getpid(), signal.SIGTERM)
    except PermissionError:
        pass


def _worker_init(parent: int) -> None:
    """Each pool worker: SIGTERM kills its student processes and ends it at once; SIGINT is ignored."""
    from .sandbox import stop_now

    def stop(signum, frame):
        stop_now(128 + signum)

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, stop)
    _die_with_parent(parent)


def _group_leaders_under(parents: set[int]) -> list[int]:
    """Children of ``parents`` that lead their own process group (student processes), from /proc (Linux)."""
    found = []
    try:
        entries = os.listdir("/proc")
    except OSError:
        return found
    for name in entries:
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as fh:
                fields = fh.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if len(fields) > 2 and int(fields[1]) in parents and int(fields[2]) == int(name):
            found.append(int(name))
    return found


def _stop_pool(pool) -> None:
    """Stop ``pool`` now: queued submissions are dropped, workers get SIGTERM (see :func:`_worker_init`)
    and are killed if still there a second later."""
    if _kept is not None:
        for size in [k for k, v in _kept.items() if v is pool]:
            del _kept[size]
    main = threading.current_thread() is threading.main_thread()
    old = signal.signal(signal.SIGINT, signal.SIG_IGN) if main else None  # a second Ctrl-C: let this finish
    try:
        procs = list((getattr(pool, "_processes", None) or {}).values())
        # their student processes, each the leader of its own group: killed here too, in case a worker
        # busy in C code could not do it before it was killed
        groups = _group_leaders_under({p.pid for p in procs if p.pid})
        pool.shutdown(wait=False, cancel_futures=True)
        for proc in procs:
            try:
                proc.terminate()
            except (OSError, ValueError, AttributeError):
                pass
        deadline = time.monotonic() + 1.0
        for proc in procs:
            try:
                proc.join(max(0.0, deadline - time.monotonic()))
                if proc.is_alive():
                    proc.kill()
                    proc.join(0.5)
            except (OSError, ValueError, AssertionError, AttributeError):
                pass
        for pid in groups:
            try:
                os.killpg(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
    finally:
        if main:
            signal.signal(signal.SIGINT, old)


def stop_all() -> None:
    """Stop every pool of this process (see :func:`_stop_pool`) and kill this process's student processes."""
    from .sandbox import kill_children

    for pool in list(_live_pools):
        _stop_pool(pool)
    kill_children()


def _internal_error(exercise_id: str, sub: Submission, exc: BaseException, lang: str) -> GradedSubmission:
    result = ExerciseResult(exercise_id, error_text=t("internal_error", BOTH, detail=f"{type(exc).__name__}: {exc}"),
                            lang=lang)
    return graded(result, sub)


def _solo_context():
    """The start method of the one-worker pools that run in threads (:func:`_grade_in_pools`): a fork
    server. Forking from a process whose other threads may hold a lock (another solo pool being
    started, its queue's feeder) can leave the child waiting forever on that lock; the fork server is
    single-threaded, and preloads what a worker needs, so a solo worker still starts warm."""
    import multiprocessing

    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["numpy", "autograder.batch", "autograder.grading"])
    return ctx


def _run_pool(exercise_id, submissions, indices, workers, lang, limits, private, key, finish,
              context=None) -> list[int]:
    """Grade ``indices`` in a pool of ``workers`` processes; returns those lost when the pool broke
    (a worker process died: killed from outside, or by a submission that could reach it). ``context``:
    the multiprocessing start method's context (default: the platform's)."""
    lost = []
    keep = _kept is not None and context is None  # the solo pools (a context of their own) are never kept
    pool = _kept.get(workers) if keep else None
    if pool is not None and getattr(pool, "_broken", False):  # a worker died since the last run
        del _kept[workers]
        _live_pools.discard(pool)
        pool.shutdown(wait=False, cancel_futures=True)
        pool = None
    if pool is None:
        pool = ProcessPoolExecutor(max_workers=workers, initializer=_worker_init, initargs=(os.getpid(),),
                                   mp_context=context)
        if keep:
            _kept[workers] = pool
    _live_pools.add(pool)
    try:
        futures = {pool.submit(_grade_one, exercise_id, submissions[i].student, str(submissions[i].path), lang,
                               limits, private, key): i for i in indices}
        for fut in as_completed(futures):
            i = futures[fut]
            try:
                rec = fut.result()
            except BrokenProcessPool:
                lost.append(i)
                continue
            except Exception as exc:  # noqa: BLE001 - a grader failure is recorded, the batch goes on
                rec = _internal_error(exercise_id, submissions[i], exc, lang)
            finish(i, rec)
    except BaseException:  # Ctrl-C (KeyboardInterrupt), or a result that could not be written: stop now
        try:
            _stop_pool(pool)
        finally:
            _live_pools.discard(pool)
        raise
    if keep and not lost and _kept.get(workers) is pool:
        return []  # kept for the next run, still live (a Ctrl-C meanwhile stops it)
    if keep and _kept.get(workers) is pool:
        del _kept[workers]  # a worker died: this pool is broken
    _live_pools.discard(pool)
    pool.shutdown(wait=True)
    return sorted(lost)


def _grade_in_pools(exercise_id, submissions, jobs, lang, limits, private, key, finish) -> None:
    """Grade in a pool of ``jobs`` processes. When a worker dies, the submissions it took down
    with it are graded again; those caught in two breaks are then graded each alone in its own
    one-worker pool (``jobs`` such pools at a time), so that the one that kills its worker is
    found and recorded, and nobody else loses anything."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from .grading import not_graded

    lock = threading.Lock()
    stopping = threading.Event()  # Ctrl-C in the main thread: the solo pools' threads record nothing more
    solo = None  # made when there are suspects (most runs have none)

    def finish_locked(i: int, rec: GradedSubmission):  # solo pools report from several threads
        with lock:
            if not stopping.is_set():
                finish(i, rec)

    def alone(i: int):
        if stopping.is_set():
            return
        if _run_pool(exercise_id, submissions, [i], 1, lang, limits, private, key, finish_locked, solo) \
                and not stopping.is_set():
            result = not_graded(exercise_id, t("killed_worker", BOTH), hidden=True, lang=lang)
            finish_locked(i, graded(result, submissions[i]))

    strikes = {i: 0 for i in range(len(submissions))}
    shared = list(range(len(submissions)))
    while shared:
        lost = _run_pool(exercise_id, submissions, shared, jobs, lang, limits, private, key, finish)
        for i in lost:
            strikes[i] += 1
        shared = [i for i in lost if strikes[i] < 2]
        suspects = [i for i in lost if strikes[i] >= 2]
        if suspects:
            solo = solo or _solo_context()
            threads = ThreadPoolExecutor(max_workers=jobs)
            try:
                list(threads.map(alone, suspects))
            except BaseException:  # Ctrl-C: the threads' pools are stopped, then the threads end
                with lock:
                    stopping.set()
                for pool in list(_live_pools):
                    _stop_pool(pool)
                raise
            finally:
                threads.shutdown(wait=True)


#: in OUT/<exercise>/ while a resumable run (``grade_batch(previous=…)``) goes on: a run that did not finish
#: (Ctrl-C, killed) leaves it, and the next one takes what that run saved instead of grading it again
UNFINISHED = ".unfinished"


def saved_result(folder: Path, sub: Submission) -> GradedSubmission | None:
    """The result saved in ``folder`` for ``sub``'s file as it is now (same sha256), or None."""
    try:
        rec = json.loads((Path(folder) / f"{sub.student}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    ok = isinstance(rec, dict) and rec.get("sha256") and rec.get("sha256") == file_digest(sub.path)
    return GradedSubmission.from_dict(rec) if ok else None


def unfinished_results(out: Path, exercise_id: str, submissions: list[Submission]) -> dict[int, GradedSubmission]:
    """``{index: record}`` of the submissions an unfinished run into ``out`` already graded (their files
    unchanged since); {} when the last run into ``out`` finished (or there was none)."""
    folder = Path(out) / registry.get(exercise_id).id
    if not (folder / UNFINISHED).is_file():
        return {}
    found = {i: saved_result(folder, sub) for i, sub in enumerate(submissions)}
    return {i: rec for i, rec in found.items() if rec is not None}


def grade_batch(exercise_id: str, submissions: list[Submission], out: Path, *, jobs: int = 1,
                lang: str = "en", progress=None, limits=None, hidden_key: str | None = None,
                previous: dict[int, GradedSubmission] | None = None,
                scheduler: str | None = None) -> list[GradedSubmission]:
    """Grade every submission (in ``jobs`` processes), writing each result as it comes.

    ``progress(record)`` is called after each submission; ``limits`` overrides the
    exercise's sandbox limits; ``hidden_key`` seeds the hidden inputs (default
    ``$GRADER_HIDDEN_KEY``; :class:`~autograder.secret.MissingHiddenKey`, before
    anything is graded, when there is none). ``previous`` (e.g. from
    :func:`unfinished_results`) makes the run resumable: those records are taken
    as they are, and :data:`UNFINISHED` marks the folder until the run ends.
    ``scheduler`` (a Dask scheduler's address, ``tcp://HOST:8786``): grade on that cluster
    instead (:func:`autograder.cluster.grade_on_cluster`; ``jobs`` is not used then).
    Returns the graded submissions in the order of ``submissions``.
    """
    from .cases import hidden_key as env_key

    ex = registry.get(exercise_id)
    key = hidden_key or env_key()
    folder = Path(out) / ex.id
    folder.mkdir(parents=True, exist_ok=True)
    done: dict[int, GradedSubmission] = dict(previous or {})
    if previous is not None:
        atomic_write(folder / UNFINISHED, "a `grader grade` run into this folder has not finished (yet)\n")
    todo = [i for i in range(len(submissions)) if i not in done]
    # what a confined submission must not see: the results, and every student's folder
    private = tuple(dict.fromkeys(str(p.resolve()) for p in
                                  [Path(out), Path(out).parent, *(s.path.parent.parent for s in submissions)]))

    def finish(i: int, rec: GradedSubmission):
        atomic_write(folder / f"{rec.student}.json", _json(rec))
        done[i] = rec
        if progress:
            progress(rec)
        if STOP.is_set():  # a Ctrl-C that something swallowed (see STOP): stop after saving this one
            raise KeyboardInterrupt

    if scheduler and todo:  # on a Dask cluster: the same contract as _grade_in_pools
        from .cluster import grade_on_cluster

        grade_on_cluster(ex.id, [submissions[i] for i in todo], lang, limits, private, key,
                         lambda j, rec: finish(todo[j], rec), scheduler)
    elif jobs <= 1 or len(todo) <= 1:
        for i in todo:
            sub = submissions[i]
            finish(i, _grade_one(ex.id, sub.student, str(sub.path), lang, limits, private, key))
    elif todo:
        _grade_in_pools(ex.id, [submissions[i] for i in todo], jobs, lang, limits, private, key,
                        lambda j, rec: finish(todo[j], rec))
    records = [done[i] for i in range(len(submissions))]
    atomic_write(folder / "gradebook.csv", gradebook_csv(records))
    if previous is not None:
        (folder / UNFINISHED).unlink(missing_ok=True)
    return records
