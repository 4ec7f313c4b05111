"""The scheduler: each destination fires at 08:00 on its own clock (Asia/Shanghai, America/New_York), across a
DST change; destinations added, changed or removed meanwhile are picked up; failed ones are retried."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import time_machine
from apscheduler.schedulers.background import BackgroundScheduler

from bot.digest.parse import next_local
from bot.digest.schedule import DigestSchedule, trigger_for
from corpus.digest_models import Destination

NY, SH = ZoneInfo("America/New_York"), ZoneInfo("Asia/Shanghai")


def dest(id_: int, tz: str, at: str = "08:00") -> Destination:
    return Destination(id=id_, target=f"slack:C{id_}", platform="slack", address=f"C{id_}", at=at, tz=tz,
                       created_at="2025-03-01T00:00:00+00:00", since="2025-02-28T00:00:00+00:00")


def fire_times(d: Destination, start: datetime, count: int) -> list[datetime]:
    trigger, out, prev = trigger_for(d), [], None
    now = start
    for _ in range(count):
        prev = trigger.get_next_fire_time(prev, now)
        out.append(prev)
        now = prev
    return out


def test_each_destination_fires_at_its_own_0800_across_the_dst_change():
    start = datetime(2025, 3, 7, 0, 0, tzinfo=timezone.utc)
    ny = fire_times(dest(1, "America/New_York"), start, 4)
    sh = fire_times(dest(2, "Asia/Shanghai"), start, 4)
    days = ["07 08:00", "08 08:00", "09 08:00", "10 08:00"]
    assert [t.astimezone(NY).strftime("%d %H:%M") for t in ny] == days
    assert [t.astimezone(timezone.utc).hour for t in ny] == [13, 13, 12, 12]  # EST, then EDT from 9 March
    assert [t.astimezone(SH).strftime("%d %H:%M") for t in sh] == days
    assert {t.astimezone(timezone.utc).hour for t in sh} == {0}
    autumn = fire_times(dest(1, "America/New_York"), datetime(2025, 11, 1, 0, 0, tzinfo=timezone.utc), 3)
    assert [t.astimezone(timezone.utc).hour for t in autumn] == [12, 13, 13]  # back to EST on 2 November


def test_next_local_follows_the_clock_of_the_zone():
    before = datetime(2025, 3, 9, 5, 0, tzinfo=timezone.utc)  # 00:00 EST on the day clocks go forward
    assert next_local("08:00", "America/New_York", before).astimezone(timezone.utc).hour == 12
    assert next_local("08:00", "Asia/Shanghai", before) == datetime(2025, 3, 10, 8, 0, tzinfo=SH)


def wait_for_fire(when: datetime, dests: list[Destination]) -> tuple[list, datetime | None]:
    """Start a real scheduler 0.5 s before when (in travelled time); the jobs that fired, and the next run."""
    fired: list[tuple[int, datetime]] = []
    done = threading.Event()

    def run(dest_id: int) -> None:
        fired.append((dest_id, datetime.now(timezone.utc)))
        done.set()

    with time_machine.travel(when - timedelta(seconds=0.5), tick=True):
        scheduler = BackgroundScheduler(timezone=timezone.utc)
        DigestSchedule(scheduler, destinations=lambda: dests, run=run).install()
        scheduler.start()
        done.wait(8)
        next_run = scheduler.get_job(f"digest:{fired[0][0]}").next_run_time if fired else None
        scheduler.shutdown(wait=False)
    return fired, next_run


def test_a_running_scheduler_fires_new_york_at_its_0800_before_and_after_dst():
    dests = [dest(1, "America/New_York"), dest(2, "Asia/Shanghai")]
    for local in (datetime(2025, 3, 8, 8, 0, tzinfo=NY), datetime(2025, 3, 10, 8, 0, tzinfo=NY)):
        fired, nxt = wait_for_fire(local.astimezone(timezone.utc), dests)
        assert [d for d, _ in fired] == [1]
        assert abs(fired[0][1] - local) < timedelta(seconds=2)
        assert nxt == local + timedelta(days=1)


def test_a_running_scheduler_fires_shanghai_at_its_0800():
    local = datetime(2025, 3, 9, 8, 0, tzinfo=SH)  # 00:00 UTC; New York is still on 8 March
    fired, nxt = wait_for_fire(local.astimezone(timezone.utc), [dest(1, "America/New_York"),
                                                                dest(2, "Asia/Shanghai")])
    assert [d for d, _ in fired] == [2] and nxt == local + timedelta(days=1)


def test_sync_picks_up_added_changed_and_removed_destinations():
    dests = [dest(1, "UTC")]
    scheduler = BackgroundScheduler(timezone=timezone.utc)
    scheduler.start(paused=True)
    schedule = DigestSchedule(scheduler, destinations=lambda: list(dests), run=lambda i: None,
                              poll=lambda: None, poll_minutes=15)
    schedule.install()
    assert {j.id for j in scheduler.get_jobs()} == {"digest:1", "digest:tick", "feeds:poll"}
    dests[:] = [dest(1, "Europe/Berlin", "07:30"), dest(2, "Asia/Shanghai")]
    schedule.sync()
    job = scheduler.get_job("digest:1")
    assert str(job.trigger.timezone) == "Europe/Berlin" and "hour='7', minute='30'" in str(job.trigger)
    assert scheduler.get_job("digest:2") is not None
    dests[:] = [dests[1]]
    schedule.sync()
    assert scheduler.get_job("digest:1") is None
    scheduler.shutdown(wait=False)


def test_the_tick_retries_destinations_whose_backoff_has_passed():
    ran: list[int] = []
    scheduler = BackgroundScheduler(timezone=timezone.utc)
    scheduler.start(paused=True)
    DigestSchedule(scheduler, destinations=lambda: [dest(1, "UTC")], run=ran.append,
                   retries=lambda: [dest(1, "UTC")]).tick()
    assert ran == [1]
    scheduler.shutdown(wait=False)
