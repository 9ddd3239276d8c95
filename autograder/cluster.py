"""Grading on a Dask cluster: ``grader grade EX ... --scheduler tcp://HOST:8786``.

The grader's process is a client of an existing Dask distributed cluster. For each submission it
reads the file's bytes and sends one task that carries everything the grading needs (workers may be
other machines, which cannot read the instructor's paths): the bytes, the file's name (its suffix
says notebook or script; its name appears in messages), the student id, the language, the sandbox
limits, the private paths and the hidden checks' key. A worker writes the bytes into a fresh
temporary folder of its own and grades that file with the same code as a local pool worker
(:func:`autograder.batch._grade_one`: the same sandbox, the same confinement; the temporary folders
are added to what a confined submission cannot see), and answers with the record's JSON. The client
bounds and parses that answer (it is data from another machine), puts back the instructor's path and
the digest of the bytes it sent, and records it with ``finish(i, record)`` as results arrive: the
same files as a local run.

What is not shipped: a file over the loader's size limit, or one that cannot be read, is refused by
the loader before any student code runs; the client grades it itself, with the same code, so its
record is the local one too.

A worker that dies (killed, out of memory, its machine lost): the scheduler gives the tasks it held
to other workers (Dask's own rescheduling), so nothing is lost. A task that was running on
``allowed-failures + 1`` workers that died (the scheduler's ``distributed.scheduler.allowed-failures``;
1 is the setting this package's README recommends) ends in :class:`distributed.KilledWorker`; the
innocent submissions queued beside one that kills workers can end so too, so each such submission is
graded once more *alone* (nothing else in flight on the cluster); if that run kills its worker as
well, it is recorded as not graded with ``t("killed_worker")``, as a local run does
(:func:`autograder.batch._grade_in_pools`).

Ctrl-C (or a result that cannot be written): the futures are cancelled (the scheduler drops the
queued tasks; a task already running finishes on its worker and its answer is dropped) and the client
closes; what was saved is saved whole (each result file is written atomically), and the
KeyboardInterrupt goes on to the caller.

``distributed`` is imported here only, when a run asks for a cluster: ``import autograder``,
``grader check`` and ``grader list`` never import it. :func:`require` is the check a command makes
before it writes anything: Dask is installed, the scheduler answers, and the workers run this
version of the package (:class:`ClusterProblem`: one line, exit code 2).
"""
from __future__ import annotations

import hashlib
import json
import re
import shutil
import tempfile
import threading
import uuid
from dataclasses import replace
from pathlib import Path

from .messages import BOTH, t
from .preflight import Problem
from .results import GradedSubmission

INSTALL = "pip install -e '.[cluster]'"
#: seconds to reach the scheduler before saying it cannot be reached
CONNECT_TIMEOUT_S = 5.0
#: the most characters of a worker's answer (a record's JSON) the client reads
MAX_ANSWER_CHARS = 8 * 2**20
#: tasks in flight at a time: at least this many, else twice the cluster's threads (the bytes of
#: the submissions not yet sent stay here, not in the scheduler's memory)
MIN_IN_FLIGHT = 32


class ClusterProblem(Problem):
    """A cluster that cannot be used (Dask missing, the scheduler unreachable, workers of another version):
    one line on stderr and exit code 2 (:class:`autograder.preflight.Problem`), with a text of
    :mod:`autograder.messages`."""

    def text(self, lang: str = "en") -> str:
        return t(self.key, lang, **self.fields)


def _one_line(text, limit: int = 200) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _distributed(lang: str | None):
    try:
        import distributed
    except ImportError as exc:
        raise ClusterProblem("cluster_needs_dask", lang, detail=_one_line(exc) or "ImportError",
                             install=INSTALL) from None
    return distributed


#: the address schemes of a scheduler a client can reach (distributed.comm's, less its in-process one)
SCHEMES = ("tcp", "tls", "ws", "wss", "ucx")


def _address_problem(scheduler: str) -> str | None:
    """Why ``scheduler`` is not the address of a Dask scheduler that answers (SCHEME://HOST:PORT), or None.

    Asked with a deadline before a Client is made (one made of a bad address, or of a port where some
    other server listens, can hang or linger): the address parses, a connection opens, and what listens
    there answers Dask's ``identity`` as a scheduler, all within :data:`CONNECT_TIMEOUT_S`."""
    import asyncio

    from distributed.comm import connect
    from distributed.comm.addressing import parse_address, parse_host_port

    try:
        scheme, location = parse_address(scheduler)
        host, port = parse_host_port(location)
    except (ValueError, TypeError) as exc:
        return _one_line(exc) or "not an address"
    if scheme not in SCHEMES:
        return f"unknown scheme {scheme!r}: expected one of {', '.join(SCHEMES)}"
    if not host:
        return "no host"
    if scheme != "ucx":  # a port nobody listens on is said at once (Dask's connect retries until its timeout)
        import socket

        try:
            socket.create_connection((host, port), timeout=CONNECT_TIMEOUT_S).close()
        except OSError as exc:
            return _one_line(exc.strerror or exc) or type(exc).__name__

    async def identity():
        from distributed.security import Security  # tls://: the certificates of Dask's configuration, as a Client

        comm = await connect(scheduler, timeout=CONNECT_TIMEOUT_S, **Security().get_connection_args("client"))
        try:
            await comm.write({"op": "identity", "reply": True})
            return await comm.read()
        finally:
            comm.abort()

    answer: list = []

    def ask():  # in a thread of its own: the caller may be inside an event loop (a notebook)
        try:
            answer.append(asyncio.run(asyncio.wait_for(identity(), CONNECT_TIMEOUT_S)))
        except BaseException as exc:  # noqa: BLE001 - any failure is the answer
            answer.append(exc)

    thread = threading.Thread(target=ask, name="nn-grader-scheduler-probe", daemon=True)
    thread.start()
    thread.join(CONNECT_TIMEOUT_S + 2)
    if not answer:
        return f"no answer in {CONNECT_TIMEOUT_S:g} s"
    got = answer[0]
    if isinstance(got, (asyncio.TimeoutError, TimeoutError)):
        return f"no answer in {CONNECT_TIMEOUT_S:g} s"
    if isinstance(got, OSError):  # refused, reset, unreachable; distributed's CommClosedError, …
        return _one_line(got.strerror or got) or type(got).__name__
    if isinstance(got, Exception) and ("ssl" in str(got).lower() or "tls" in str(got).lower()):  # TLS settings
        return _one_line(got)
    if not (isinstance(got, dict) and got.get("type") == "Scheduler"):
        return "what answers there is not a Dask scheduler"
    return None


def _connect(scheduler: str, lang: str | None = None):
    """A client of the scheduler at ``scheduler``, or ClusterProblem."""
    distributed = _distributed(lang)
    problem = _address_problem(scheduler)
    if problem:
        raise ClusterProblem("cluster_unreachable", lang, address=scheduler, detail=problem)
    try:
        return distributed.Client(scheduler, timeout=CONNECT_TIMEOUT_S, set_as_default=False)
    except Exception as exc:  # noqa: BLE001 - OSError (refused, timed out), ValueError (a bad address), …
        raise ClusterProblem("cluster_unreachable", lang, address=scheduler,
                             detail=_one_line(exc) or type(exc).__name__) from None


def _worker_version() -> str:
    """Runs on each worker: the version of this package there."""
    from . import __version__

    return __version__


def require(scheduler: str, lang: str | None = None) -> None:
    """Before anything is written: Dask imports, the scheduler at ``scheduler`` answers, and the workers
    connected now run this version of the package. ClusterProblem otherwise."""
    from . import __version__

    client = _connect(scheduler, lang)
    try:
        try:
            versions = client.run(_worker_version, on_error="return")
        except Exception as exc:  # noqa: BLE001
            raise ClusterProblem("cluster_unreachable", lang, address=scheduler,
                                 detail=_one_line(exc) or type(exc).__name__) from None
        wrong = {worker: v for worker, v in versions.items() if v != __version__}
        if wrong:
            worker, found = sorted(wrong.items())[0]
            found = found if isinstance(found, str) else f"{type(found).__name__}: {_one_line(found, 120)}"
            raise ClusterProblem("cluster_version", lang, worker=worker, found=found, version=__version__,
                                 n=len(wrong), install=INSTALL)
    finally:
        client.close()


# ------------------------------------------------------------------ on the worker

_scratch_lock = threading.Lock()
_scratch: list[str] = []  # this worker process's folder of temporary submission folders


def _scratch_root() -> str:
    """This worker process's folder of submission folders, made on first use and removed when the
    process exits (a worker killed outright leaves it: its submissions' folders are removed as they end)."""
    with _scratch_lock:
        if not _scratch:
            import atexit

            _scratch.append(tempfile.mkdtemp(prefix="nn-grader-cluster-"))
            atexit.register(shutil.rmtree, _scratch[0], True)
        return _scratch[0]


def grade_task(task: dict) -> str:
    """Runs on a Dask worker: grade the submission ``task`` carries (see the module docstring) with
    :func:`autograder.batch._grade_one` and answer its record's JSON."""
    from . import __version__
    from .batch import _grade_one

    if task.get("version") != __version__:
        raise RuntimeError(f"this worker runs nn-grader {__version__}, the grader {task.get('version')}: "
                           f"install the same version on every worker ({INSTALL})")
    root = _scratch_root()
    folder = Path(tempfile.mkdtemp(dir=root))
    try:
        path = folder / task["name"]
        path.write_bytes(task["data"])
        # what a confined submission must not see: the grader's paths, and the other submissions here
        private = (*task["private"], root)
        rec = _grade_one(task["exercise"], task["student"], str(path), task["lang"], task["limits"], private,
                         task["key"])
        return json.dumps(rec.to_dict(), ensure_ascii=False)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# ------------------------------------------------------------------ in the grader's process

class BadAnswer(Exception):
    """A worker's answer that is not a record of this submission."""


def _safe_name(name: str) -> str:
    """The file name a worker gives its copy: the original's (its suffix and its name are what grading
    reads), reduced to a plain name."""
    name = Path(name).name
    return name if name not in ("", ".", "..") else "submission"


def _task_key(exercise_id: str, i: int, student: str) -> str:
    """The task's key (what the dashboard shows): exercise, index, the student id's plain characters, and
    a token that keeps every run's and every retry's keys apart."""
    plain = re.sub(r"[^A-Za-z0-9_.-]", "_", student)[:40]
    return f"nn-grader-{exercise_id}-{i}-{plain}-{uuid.uuid4().hex[:12]}"


def _record(answer, exercise_id: str, sub, digest: str, lang: str) -> GradedSubmission:
    """The worker's ``answer`` as the record of ``sub`` (bounded, parsed, checked; the path, the digest
    and the student are the client's own)."""
    if not isinstance(answer, str):
        raise BadAnswer(f"a worker answered a {type(answer).__name__}, not a record")
    if len(answer) > MAX_ANSWER_CHARS:
        raise BadAnswer(f"a worker answered {len(answer)} characters, more than the {MAX_ANSWER_CHARS} read")
    try:
        data = json.loads(answer)
    except (ValueError, RecursionError) as exc:
        raise BadAnswer(f"a worker answered what is not JSON ({_one_line(exc, 80)})") from None
    if not isinstance(data, dict):
        raise BadAnswer("a worker answered JSON that is not a record")
    rec = GradedSubmission.from_dict(data, lang)
    if rec.result.exercise != exercise_id:
        raise BadAnswer(f"a worker answered a record of {rec.result.exercise!r}, not {exercise_id!r}")
    # points as the worker's record had them: from_dict reads every number as a float, and a check's
    # whole points are ints in a local record (1, not 1.0, in its JSON file)
    checks = tuple(replace(c, **{k: d[k] for k in ("points", "max_points") if type(d.get(k)) is int})
                   for c, d in zip(rec.result.checks, data.get("checks") or ()))
    return replace(rec, student=sub.student, path=str(sub.path), sha256=digest, info={}, record_error=None,
                   result=replace(rec.result, checks=checks))


def grade_on_cluster(exercise_id, submissions, lang, limits, private, key, finish, scheduler: str) -> None:
    """Grade ``submissions`` on the Dask cluster whose scheduler is at ``scheduler``; the contract of
    :func:`autograder.batch._grade_in_pools`: ``finish(i, record)`` once per submission, as results
    arrive. ClusterProblem when the cluster cannot be used (before anything is graded)."""
    from concurrent.futures import CancelledError as FuturesCancelled
    from asyncio import CancelledError as AsyncCancelled

    from . import __version__
    from .batch import _grade_one, _internal_error, graded
    from .grading import not_graded
    from .loader import max_submission_bytes

    client = _connect(scheduler, lang)
    distributed = _distributed(lang)
    futures: dict = {}  # future -> index
    digests: dict[int, str] = {}

    def task(i: int) -> dict | None:
        """What travels for submission ``i``; None for a file the loader refuses unread (too large,
        missing, unreadable): graded here."""
        sub = submissions[i]
        try:
            if not sub.path.is_file() or sub.path.stat().st_size > max_submission_bytes():
                return None
            data = sub.path.read_bytes()
        except OSError:
            return None
        digests[i] = hashlib.sha256(data).hexdigest()
        return {"version": __version__, "exercise": exercise_id, "student": sub.student,
                "name": _safe_name(sub.path.name), "data": data, "lang": lang, "limits": limits,
                "private": tuple(private), "key": key}

    def here(i: int) -> GradedSubmission:
        sub = submissions[i]
        try:
            return _grade_one(exercise_id, sub.student, str(sub.path), lang, limits, private, key)
        except Exception as exc:  # noqa: BLE001 - recorded, as a local run does
            return _internal_error(exercise_id, sub, exc, lang)

    def submit(i: int, payload: dict):
        fut = client.submit(grade_task, payload, key=_task_key(exercise_id, i, submissions[i].student),
                            pure=False)
        futures[fut] = i
        return fut

    def outcome(fut, i: int) -> GradedSubmission | None:
        """The record ``fut`` brought, or None when its task ended in KilledWorker."""
        try:
            return _record(fut.result(), exercise_id, submissions[i], digests[i], lang)
        except distributed.KilledWorker:
            return None
        except (Exception, FuturesCancelled, AsyncCancelled) as exc:  # noqa: BLE001 - recorded, the batch goes on
            return _internal_error(exercise_id, submissions[i], exc, lang)
        finally:
            futures.pop(fut, None)
            fut.release()

    def window() -> int:
        try:
            return max(MIN_IN_FLIGHT, 2 * sum(client.nthreads().values()))
        except Exception:  # noqa: BLE001 - a busy scheduler: the floor
            return MIN_IN_FLIGHT

    try:
        pending = list(range(len(submissions)))
        pending.reverse()  # popped from the end: in order
        suspects: list[int] = []
        results = distributed.as_completed(loop=client.loop)
        limit = window()

        def fill():
            while pending and len(futures) < limit:
                i = pending.pop()
                payload = task(i)
                if payload is None:
                    finish(i, here(i))
                else:
                    results.add(submit(i, payload))

        fill()
        done = 0
        for fut in results:
            i = futures[fut]
            rec = outcome(fut, i)
            if rec is None:
                suspects.append(i)
            else:
                finish(i, rec)
            done += 1
            if done % MIN_IN_FLIGHT == 0:
                limit = window()
            fill()
        # each submission whose task ended in KilledWorker, once more and alone: if it kills its worker
        # again, it is the one doing it
        for i in suspects:
            payload = task(i)
            if payload is None:  # the file is gone or too large now: the loader says so, here
                finish(i, here(i))
                continue
            rec = outcome(submit(i, payload), i)  # waits for it
            if rec is None:
                rec = graded(not_graded(exercise_id, t("killed_worker", BOTH), hidden=True, lang=lang),
                             submissions[i])
            finish(i, rec)
    except BaseException:  # Ctrl-C (KeyboardInterrupt), or a result that could not be written: stop now
        try:
            client.cancel(list(futures), force=True)
        except Exception:  # noqa: BLE001 - the scheduler may be gone; closing below drops them too
            pass
        raise
    finally:
        client.close()
