"""The digest scheduler (APScheduler): a cron job per destination at its local time in its own time zone,
feed polling every FEED_POLL_MINUTES, and a minute tick that picks up destinations added, changed or removed
meanwhile (from chat or the command line) and retries failed destinations once their backoff has passed."""
from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import Any, Callable
from zoneinfo import ZoneInfo

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from corpus.digest_models import Destination

logger = logging.getLogger(__name__)
MISFIRE_GRACE = 3600  # a digest due while the process was busy or asleep still goes out within the hour
TICK_SECONDS = 60


def trigger_for(dest: Destination) -> CronTrigger:
    """Every day at the destination's HH:MM on its own clock (so across DST changes too)."""
    hour, minute = (int(x) for x in dest.at.split(":"))
    return CronTrigger(hour=hour, minute=minute, timezone=ZoneInfo(dest.tz))


class DigestSchedule:
    """Keeps an APScheduler in step with the destinations in the database."""

    def __init__(self, scheduler: BaseScheduler, *, destinations: Callable[[], list[Destination]],
                 run: Callable[[int], Any], retries: Callable[[], list[Destination]] = list,
                 poll: Callable[[], Any] | None = None, poll_minutes: float = 30.0):
        self.scheduler, self.destinations, self.run, self.retries = scheduler, destinations, run, retries
        self.poll, self.poll_minutes = poll, poll_minutes
        self._jobs: dict[str, str] = {}

    def install(self) -> None:
        """Add the destination jobs, the tick and the feed poll to the scheduler (call before start)."""
        self.sync()
        opts = {"coalesce": True, "max_instances": 1, "misfire_grace_time": MISFIRE_GRACE}
        self.scheduler.add_job(self.tick, IntervalTrigger(seconds=TICK_SECONDS, timezone=timezone.utc),
                               id="digest:tick", replace_existing=True, **opts)
        if self.poll is not None:
            every = IntervalTrigger(minutes=self.poll_minutes, timezone=timezone.utc)
            # first poll at start, so a restarted process does not wait a whole interval for new articles
            self.scheduler.add_job(self.poll, every, id="feeds:poll", replace_existing=True,
                                   next_run_time=datetime.now(timezone.utc), **opts)

    def sync(self) -> None:
        """Add, reschedule or remove destination jobs to match the database."""
        current = {f"digest:{d.id}": d for d in self.destinations()}
        for job_id in set(self._jobs) - set(current):
            self.scheduler.remove_job(job_id)
            del self._jobs[job_id]
        for job_id, dest in current.items():
            if self._jobs.get(job_id) != dest.schedule:
                self.scheduler.add_job(self.run, trigger_for(dest), args=[dest.id], id=job_id,
                                       name=dest.label, replace_existing=True, coalesce=True,
                                       max_instances=1, misfire_grace_time=MISFIRE_GRACE)
                self._jobs[job_id] = dest.schedule
                logger.info("digest for %s scheduled daily at %s", dest.label, dest.schedule)

    def tick(self) -> None:
        """Pick up changed destinations; retry failed ones whose backoff has passed."""
        self.sync()
        for dest in self.retries():
            self.run(dest.id)
